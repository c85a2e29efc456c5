/**
 * Offline check of a 核酸已采样卡 at the checkpoint, with the public keys kept on the phone.
 *
 * The mini-program cannot load core/ at run time, so this is the minimal part of
 * core/card/token.ts (token format `base64url(claims JSON).base64url(Ed25519 signature)`) and of
 * Ed25519 verification (RFC 8032, with SHA-512), written on BigInt with no dependency.
 * test/pages/card-verify.test.ts checks it agrees with core's verifyCard on real signed tokens,
 * tampered ones and other keys. Verification only: nothing here can sign.
 */

// ── SHA-512 (FIPS 180-4) ──

const MASK64 = (1n << 64n) - 1n;
const K512 = [
  '428a2f98d728ae22',
  '7137449123ef65cd',
  'b5c0fbcfec4d3b2f',
  'e9b5dba58189dbbc',
  '3956c25bf348b538',
  '59f111f1b605d019',
  '923f82a4af194f9b',
  'ab1c5ed5da6d8118',
  'd807aa98a3030242',
  '12835b0145706fbe',
  '243185be4ee4b28c',
  '550c7dc3d5ffb4e2',
  '72be5d74f27b896f',
  '80deb1fe3b1696b1',
  '9bdc06a725c71235',
  'c19bf174cf692694',
  'e49b69c19ef14ad2',
  'efbe4786384f25e3',
  '0fc19dc68b8cd5b5',
  '240ca1cc77ac9c65',
  '2de92c6f592b0275',
  '4a7484aa6ea6e483',
  '5cb0a9dcbd41fbd4',
  '76f988da831153b5',
  '983e5152ee66dfab',
  'a831c66d2db43210',
  'b00327c898fb213f',
  'bf597fc7beef0ee4',
  'c6e00bf33da88fc2',
  'd5a79147930aa725',
  '06ca6351e003826f',
  '142929670a0e6e70',
  '27b70a8546d22ffc',
  '2e1b21385c26c926',
  '4d2c6dfc5ac42aed',
  '53380d139d95b3df',
  '650a73548baf63de',
  '766a0abb3c77b2a8',
  '81c2c92e47edaee6',
  '92722c851482353b',
  'a2bfe8a14cf10364',
  'a81a664bbc423001',
  'c24b8b70d0f89791',
  'c76c51a30654be30',
  'd192e819d6ef5218',
  'd69906245565a910',
  'f40e35855771202a',
  '106aa07032bbd1b8',
  '19a4c116b8d2d0c8',
  '1e376c085141ab53',
  '2748774cdf8eeb99',
  '34b0bcb5e19b48a8',
  '391c0cb3c5c95a63',
  '4ed8aa4ae3418acb',
  '5b9cca4f7763e373',
  '682e6ff3d6b2b8a3',
  '748f82ee5defb2fc',
  '78a5636f43172f60',
  '84c87814a1f0ab72',
  '8cc702081a6439ec',
  '90befffa23631e28',
  'a4506cebde82bde9',
  'bef9a3f7b2c67915',
  'c67178f2e372532b',
  'ca273eceea26619c',
  'd186b8c721c0c207',
  'eada7dd6cde0eb1e',
  'f57d4f7fee6ed178',
  '06f067aa72176fba',
  '0a637dc5a2c898a6',
  '113f9804bef90dae',
  '1b710b35131c471b',
  '28db77f523047d84',
  '32caab7b40c72493',
  '3c9ebe0a15c9bebc',
  '431d67c49c100d4c',
  '4cc5d4becb3e42b6',
  '597f299cfc657e2a',
  '5fcb6fab3ad6faec',
  '6c44198c4a475817',
].map((h) => BigInt(`0x${h}`));
const H512 = [
  '6a09e667f3bcc908',
  'bb67ae8584caa73b',
  '3c6ef372fe94f82b',
  'a54ff53a5f1d36f1',
  '510e527fade682d1',
  '9b05688c2b3e6c1f',
  '1f83d9abfb41bd6b',
  '5be0cd19137e2179',
].map((h) => BigInt(`0x${h}`));

const rotr = (x: bigint, n: bigint) => ((x >> n) | (x << (64n - n))) & MASK64;

/** SHA-512 of bytes. */
export function sha512(message: Uint8Array): Uint8Array {
  const bitLength = BigInt(message.length) * 8n;
  const padded = new Uint8Array(Math.ceil((message.length + 17) / 128) * 128);
  padded.set(message);
  padded[message.length] = 0x80;
  for (let i = 0; i < 16; i += 1) padded[padded.length - 1 - i] = Number((bitLength >> BigInt(8 * i)) & 0xffn);
  const h = H512.slice();
  const w: bigint[] = new Array<bigint>(80).fill(0n);
  for (let block = 0; block < padded.length; block += 128) {
    for (let i = 0; i < 16; i += 1) {
      let v = 0n;
      for (let j = 0; j < 8; j += 1) v = (v << 8n) | BigInt(padded[block + i * 8 + j] ?? 0);
      w[i] = v;
    }
    for (let i = 16; i < 80; i += 1) {
      const w15 = w[i - 15] ?? 0n;
      const w2 = w[i - 2] ?? 0n;
      const s0 = rotr(w15, 1n) ^ rotr(w15, 8n) ^ (w15 >> 7n);
      const s1 = rotr(w2, 19n) ^ rotr(w2, 61n) ^ (w2 >> 6n);
      w[i] = ((w[i - 16] ?? 0n) + s0 + (w[i - 7] ?? 0n) + s1) & MASK64;
    }
    let [a, b, c, d, e, f, g, hh] = h as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
    for (let i = 0; i < 80; i += 1) {
      const S1 = rotr(e, 14n) ^ rotr(e, 18n) ^ rotr(e, 41n);
      const ch = (e & f) ^ (~e & MASK64 & g);
      const t1 = (hh + S1 + ch + (K512[i] ?? 0n) + (w[i] ?? 0n)) & MASK64;
      const S0 = rotr(a, 28n) ^ rotr(a, 34n) ^ rotr(a, 39n);
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) & MASK64;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) & MASK64;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) & MASK64;
    }
    const next = [a, b, c, d, e, f, g, hh];
    for (let i = 0; i < 8; i += 1) h[i] = ((h[i] ?? 0n) + (next[i] ?? 0n)) & MASK64;
  }
  const out = new Uint8Array(64);
  h.forEach((v, i) => {
    for (let j = 0; j < 8; j += 1) out[i * 8 + j] = Number((v >> BigInt(56 - 8 * j)) & 0xffn);
  });
  return out;
}

// ── Ed25519 verification (RFC 8032 §5.1.7) ──

const P = (1n << 255n) - 19n;
const L = (1n << 252n) + 27742317777372353535851937790883648493n;
const mod = (a: bigint, m: bigint = P) => {
  const r = a % m;
  return r >= 0n ? r : r + m;
};
function pow(base: bigint, exp: bigint, m: bigint = P): bigint {
  let result = 1n;
  let b = mod(base, m);
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
}
const inv = (a: bigint) => pow(a, P - 2n);
const D = mod(-121665n * inv(121666n));
const SQRT_M1 = pow(2n, (P - 1n) / 4n);

/** A point in extended coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, xy = T/Z. */
type Point = readonly [bigint, bigint, bigint, bigint];
const ZERO: Point = [0n, 1n, 1n, 0n];
const BASE: Point = (() => {
  const x = 15112221349535400772501151409588531511454012693041857206046113283949847762202n;
  const y = 46316835694926478169428394003475163141307993866256225615783033603165251855960n;
  return [x, y, 1n, mod(x * y)];
})();

function add(p: Point, q: Point): Point {
  const [x1, y1, z1, t1] = p;
  const [x2, y2, z2, t2] = q;
  const a = mod((y1 - x1) * (y2 - x2));
  const b = mod((y1 + x1) * (y2 + x2));
  const c = mod(t1 * 2n * D * t2);
  const d = mod(z1 * 2n * z2);
  const e = b - a;
  const f = d - c;
  const g = d + c;
  const h = b + a;
  return [mod(e * f), mod(g * h), mod(f * g), mod(e * h)];
}

function multiply(p: Point, n: bigint): Point {
  let result = ZERO;
  let addend = p;
  let k = n;
  while (k > 0n) {
    if (k & 1n) result = add(result, addend);
    addend = add(addend, addend);
    k >>= 1n;
  }
  return result;
}

const littleEndian = (bytes: Uint8Array) => bytes.reduceRight((acc, byte) => (acc << 8n) | BigInt(byte), 0n);

function encode(p: Point): string {
  const zInv = inv(p[2]);
  const x = mod(p[0] * zInv);
  const y = mod(p[1] * zInv);
  const n = y | ((x & 1n) << 255n);
  return n.toString(16);
}

/** A compressed point, or null if it is not on the curve. */
function decode(bytes: Uint8Array): Point | null {
  if (bytes.length !== 32) return null;
  const n = littleEndian(bytes);
  const sign = n >> 255n;
  const y = n & ((1n << 255n) - 1n);
  if (y >= P) return null;
  const y2 = mod(y * y);
  const u = mod(y2 - 1n);
  const v = mod(D * y2 + 1n);
  let x = mod(u * pow(v, 3n) * pow(u * pow(v, 7n), (P - 5n) / 8n));
  const vx2 = mod(v * x * x);
  if (vx2 === mod(-u)) x = mod(x * SQRT_M1);
  else if (vx2 !== u) return null;
  if (x === 0n && sign === 1n) return null;
  if ((x & 1n) !== sign) x = mod(-x);
  return [x, y, 1n, mod(x * y)];
}

/** Whether `signature` is `publicKey`'s Ed25519 signature of `message`. */
export function ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  const a = decode(publicKey);
  const r = decode(signature.subarray(0, 32));
  if (!a || !r) return false;
  const s = littleEndian(signature.subarray(32));
  if (s >= L) return false;
  const hashInput = new Uint8Array(64 + message.length);
  hashInput.set(signature.subarray(0, 32));
  hashInput.set(publicKey, 32);
  hashInput.set(message, 64);
  const k = mod(littleEndian(sha512(hashInput)), L);
  return encode(multiply(BASE, s)) === encode(add(r, multiply(a, k)));
}

// ── tokens (as core/card/token.ts) ──

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url → bytes; null if it is not base64url. */
export function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[\w-]*$/.test(text) || text.length % 4 === 1) return null;
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of text) {
    buffer = ((buffer << 6) | B64.indexOf(ch)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 255);
    }
  }
  return Uint8Array.from(bytes);
}

/** UTF-8 bytes → text (the mini-program runtime may lack TextDecoder). */
function utf8(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i] ?? 0;
    let cp: number;
    let extra: number;
    if (b < 0x80) [cp, extra] = [b, 0];
    else if (b >= 0xf0) [cp, extra] = [b & 0x07, 3];
    else if (b >= 0xe0) [cp, extra] = [b & 0x0f, 2];
    else [cp, extra] = [b & 0x1f, 1];
    for (let j = 1; j <= extra; j += 1) cp = (cp << 6) | ((bytes[i + j] ?? 0) & 0x3f);
    out += String.fromCodePoint(cp);
    i += extra + 1;
  }
  return out;
}

/** What a sampled card asserts (see core/card/token.ts CardClaims). */
export interface CardClaims {
  v: 1;
  c: 'card';
  k: string;
  r: string;
  s: string;
  h: string;
  g: string;
  m: string;
  n: string;
  t: number;
  e: number;
}

/** The outcome of checking a card, as core's verifyCard answers it. */
export type OfflineVerdict =
  | { status: 'valid' | 'expired' | 'otherRound' | 'otherHolder'; claims: CardClaims }
  | { status: 'invalid'; reason: 'malformed' | 'unknownKey' | 'badSignature' | 'notACard' };

/** Public keys as `testing.publicKeys` answers them (base64url), by key id. */
export function keyMap(list: ReadonlyArray<{ keyId: string; publicKey: string }>): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const { keyId, publicKey } of list) {
    const bytes = fromBase64Url(publicKey);
    if (bytes && bytes.length === 32) out[keyId] = bytes;
  }
  return out;
}

/** Verifies a card offline: the same rules, in the same order, as core's verifyCard. */
export function verifyCardOffline(
  token: string,
  opts: { publicKeys: Readonly<Record<string, Uint8Array>>; now: Date; roundId?: string; householdId?: string },
): OfflineVerdict {
  const [body, sig, extra] = token.trim().split('.');
  if (!body || !sig || extra !== undefined) return { status: 'invalid', reason: 'malformed' };
  const bodyBytes = fromBase64Url(body);
  const sigBytes = fromBase64Url(sig);
  if (!bodyBytes || !sigBytes || sigBytes.length !== 64) return { status: 'invalid', reason: 'malformed' };
  let claims: CardClaims;
  try {
    claims = JSON.parse(utf8(bodyBytes)) as CardClaims;
  } catch {
    return { status: 'invalid', reason: 'malformed' };
  }
  if (!claims || claims.v !== 1 || typeof claims.k !== 'string') return { status: 'invalid', reason: 'malformed' };
  const key = opts.publicKeys[claims.k];
  if (!key) return { status: 'invalid', reason: 'unknownKey' };
  // The signed message is the body's text, which is base64url: ASCII, one byte per character.
  const message = Uint8Array.from(body, (ch) => ch.charCodeAt(0));
  if (!ed25519Verify(sigBytes, message, key)) return { status: 'invalid', reason: 'badSignature' };
  if (claims.c !== 'card') return { status: 'invalid', reason: 'notACard' };
  if (opts.roundId && claims.r !== opts.roundId) return { status: 'otherRound', claims };
  if (opts.householdId && claims.h !== opts.householdId) return { status: 'otherHolder', claims };
  if (opts.now.getTime() / 1000 > claims.e) return { status: 'expired', claims };
  return { status: 'valid', claims };
}
