/**
 * Run by test/pages/card-verify.test.ts in a child process (the page tests cannot load core's
 * ES-module crypto): signs real tokens with core/card/token.ts and prints them with core's verdicts.
 */
import { randomBytes } from 'node:crypto';
import { publicKeyOf, signCard, signPersonCode, toBase64Url, verifyCard } from '../../../core/card/token';

const key = new Uint8Array(randomBytes(32));
const other = new Uint8Array(randomBytes(32));
const now = new Date('2022-08-21T00:00:00Z');
const t = Math.floor(Date.parse('2022-08-20T01:30:00Z') / 1000);
const claims = {
  k: 'k1',
  r: 'tr-1',
  s: 'R1-G01-0007',
  h: 'h-0001',
  g: 'g-01',
  m: 'm1',
  n: '次**玛',
  t,
  e: t + 48 * 3600,
};
const card = signCard(claims, key);
const [body, sig] = card.split('.') as [string, string];
const flipped = `${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
const tokens = {
  valid: card,
  expired: signCard({ ...claims, e: t + 60 }, key),
  tamperedBody: `${toBase64Url(new TextEncoder().encode(JSON.stringify({ v: 1, c: 'card', ...claims, h: 'h-0002' })))}.${sig}`,
  tamperedSig: `${body}.${flipped}`,
  otherKey: signCard({ ...claims, k: 'k2' }, other),
  unknownKey: signCard({ ...claims, k: 'k9' }, key),
  person: signPersonCode({ k: 'k1', h: 'h-0001', m: 'm1' }, key),
  garbage: 'not-a-token',
};
const publicKeys = { k1: publicKeyOf(key), k2: publicKeyOf(key) };
const cases = [
  {},
  { roundId: 'tr-1' },
  { roundId: 'tr-2' },
  { householdId: 'h-0001' },
  { roundId: 'tr-1', householdId: 'h-0002' },
];
const results = Object.entries(tokens).flatMap(([name, token]) =>
  cases.map((opts) => {
    const v = verifyCard(token, { publicKeys, now, ...opts });
    return {
      name,
      token,
      opts,
      status: v.status,
      reason: 'reason' in v ? v.reason : null,
      claims: 'claims' in v ? v.claims : null,
    };
  }),
);
const keys = Object.entries(publicKeys).map(([keyId, k]) => ({ keyId, publicKey: toBase64Url(k) }));
process.stdout.write(JSON.stringify({ now: now.toISOString(), keys, results }));
