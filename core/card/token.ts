/**
 * Signed tokens of the 核酸已采样卡 and of each person's code. A token is
 * `base64url(claims JSON).base64url(Ed25519 signature)`: anyone holding the public key can verify
 * it offline; only the cloud functions hold the signing key. Pure: keys and clock come in.
 */
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';

ed.hashes.sha512 = sha512;

/** What a sampled card asserts. */
export interface CardClaims {
  v: 1;
  c: 'card';
  /** Signing key id (keys rotate). */
  k: string;
  /** Testing round. */
  r: string;
  /** Serial number, unique per round. */
  s: string;
  h: string;
  g: string;
  /** Household member. */
  m: string;
  /** Masked name of the holder, shown to whoever checks the card. */
  n: string;
  /** Sampled at (epoch seconds). */
  t: number;
  /** Valid until (epoch seconds). */
  e: number;
}

/** What a person's own code asserts: which member of which household they are. */
export interface PersonClaims {
  v: 1;
  c: 'person';
  k: string;
  h: string;
  m: string;
}

/** The outcome of checking a card. */
export type CardVerdict =
  | { status: 'valid'; claims: CardClaims }
  | { status: 'expired'; claims: CardClaims }
  | { status: 'otherRound'; claims: CardClaims }
  | { status: 'otherHolder'; claims: CardClaims }
  | { status: 'invalid'; reason: 'malformed' | 'unknownKey' | 'badSignature' | 'notACard' };

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Bytes → base64url without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = [B64[(n >> 18) & 63], B64[(n >> 12) & 63], B64[(n >> 6) & 63], B64[n & 63]];
    out += chars.slice(0, Math.ceil((Math.min(3, bytes.length - i) * 8) / 6)).join('');
  }
  return out;
}

/** base64url → bytes; null if it is not base64url. */
export function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[\w-]*$/.test(text) || text.length % 4 === 1) return null;
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of text) {
    buffer = (buffer << 6) | B64.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 255);
    }
  }
  return Uint8Array.from(bytes);
}

function sign(claims: CardClaims | PersonClaims, secretKey: Uint8Array): string {
  const body = toBase64Url(encoder.encode(JSON.stringify(claims)));
  const signature = ed.sign(encoder.encode(body), secretKey);
  return `${body}.${toBase64Url(signature)}`;
}

/** The public key of a 32-byte secret key. */
export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return ed.getPublicKey(secretKey);
}

/** Signs a sampled card. */
export function signCard(claims: Omit<CardClaims, 'v' | 'c'>, secretKey: Uint8Array): string {
  return sign({ v: 1, c: 'card', ...claims }, secretKey);
}

/** Signs a person's code. */
export function signPersonCode(claims: Omit<PersonClaims, 'v' | 'c'>, secretKey: Uint8Array): string {
  return sign({ v: 1, c: 'person', ...claims }, secretKey);
}

/** Checks a token's signature against the known public keys; answers its claims or why not. */
export function readSigned(
  token: string,
  publicKeys: Readonly<Record<string, Uint8Array>>,
): { claims: CardClaims | PersonClaims } | { reason: 'malformed' | 'unknownKey' | 'badSignature' } {
  const [body, sig, extra] = token.trim().split('.');
  if (!body || !sig || extra !== undefined) return { reason: 'malformed' };
  const bodyBytes = fromBase64Url(body);
  const sigBytes = fromBase64Url(sig);
  if (!bodyBytes || !sigBytes || sigBytes.length !== 64) return { reason: 'malformed' };
  let claims: CardClaims | PersonClaims;
  try {
    claims = JSON.parse(decoder.decode(bodyBytes)) as CardClaims | PersonClaims;
  } catch {
    return { reason: 'malformed' };
  }
  if (!claims || claims.v !== 1 || typeof claims.k !== 'string') return { reason: 'malformed' };
  const key = publicKeys[claims.k];
  if (!key) return { reason: 'unknownKey' };
  let ok: boolean;
  try {
    ok = ed.verify(sigBytes, encoder.encode(body), key);
  } catch {
    ok = false;
  }
  return ok ? { claims } : { reason: 'badSignature' };
}

/**
 * Verifies a card for a checkpoint or a supply hand-out: signed by a known key, not expired,
 * of the required round, and — when the hand-out names the household — held by that household
 * (a screenshot of someone else's card fails here).
 */
export function verifyCard(
  token: string,
  opts: { publicKeys: Readonly<Record<string, Uint8Array>>; now: Date; roundId?: string; householdId?: string },
): CardVerdict {
  const read = readSigned(token, opts.publicKeys);
  if ('reason' in read) return { status: 'invalid', reason: read.reason };
  if (read.claims.c !== 'card') return { status: 'invalid', reason: 'notACard' };
  const claims = read.claims;
  if (opts.roundId && claims.r !== opts.roundId) return { status: 'otherRound', claims };
  if (opts.householdId && claims.h !== opts.householdId) return { status: 'otherHolder', claims };
  if (opts.now.getTime() / 1000 > claims.e) return { status: 'expired', claims };
  return { status: 'valid', claims };
}

/** Reads a person's code (what a sampler scans); null unless validly signed. */
export function readPersonCode(token: string, publicKeys: Readonly<Record<string, Uint8Array>>): PersonClaims | null {
  const read = readSigned(token, publicKeys);
  return 'claims' in read && read.claims.c === 'person' ? read.claims : null;
}

/** A human-readable serial: round code, grid number, sequence — e.g. `R3-G07-0042`. */
export function serialNumber(roundCode: string, gridId: string, seq: number): string {
  const gridNo = /(\d+)$/.exec(gridId)?.[1] ?? gridId;
  return `${roundCode}-G${gridNo.padStart(2, '0')}-${String(seq).padStart(4, '0')}`;
}
