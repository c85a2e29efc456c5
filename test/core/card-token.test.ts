import {
  fromBase64Url,
  publicKeyOf,
  readPersonCode,
  serialNumber,
  signCard,
  signPersonCode,
  toBase64Url,
  verifyCard,
} from '../../core/card/token';

const secret = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const otherSecret = Uint8Array.from({ length: 32 }, (_, i) => 200 - i);
const keys = { k1: publicKeyOf(secret) };
const now = new Date('2022-08-20T04:00:00Z');
const sampledAt = Math.floor(now.getTime() / 1000) - 3600;
const claims = {
  k: 'k1',
  r: 'tr-3',
  s: 'R3-G01-0042',
  h: 'h-0001',
  g: 'g-01',
  m: 'h-0001-m1',
  n: '次**玛',
  t: sampledAt,
  e: sampledAt + 48 * 3600,
};

describe('test-sampled card tokens', () => {
  it('verifies a card signed with the cloud’s key, offline, with only the public key', () => {
    const token = signCard(claims, secret);
    expect(verifyCard(token, { publicKeys: keys, now })).toEqual({
      status: 'valid',
      claims: { v: 1, c: 'card', ...claims },
    });
  });

  it('rejects an edited card (tampered token)', () => {
    const token = signCard(claims, secret);
    const [body, sig] = token.split('.') as [string, string];
    const edited = JSON.parse(new TextDecoder().decode(fromBase64Url(body) as Uint8Array));
    edited.n = '张*';
    const forged = `${toBase64Url(new TextEncoder().encode(JSON.stringify(edited)))}.${sig}`;
    expect(verifyCard(forged, { publicKeys: keys, now })).toEqual({ status: 'invalid', reason: 'badSignature' });
    const flipped = `${body}.${sig.slice(0, -2)}${sig.endsWith('A') ? 'B' : 'A'}${sig.slice(-1)}`;
    expect(verifyCard(flipped, { publicKeys: keys, now }).status).toBe('invalid');
  });

  it('rejects a card signed with another key, or naming an unknown key', () => {
    expect(verifyCard(signCard(claims, otherSecret), { publicKeys: keys, now })).toEqual({
      status: 'invalid',
      reason: 'badSignature',
    });
    expect(verifyCard(signCard({ ...claims, k: 'k9' }, secret), { publicKeys: keys, now })).toEqual({
      status: 'invalid',
      reason: 'unknownKey',
    });
  });

  it('tells another round’s card, an expired card and another household’s card apart', () => {
    const token = signCard(claims, secret);
    expect(verifyCard(token, { publicKeys: keys, now, roundId: 'tr-4' }).status).toBe('otherRound');
    expect(verifyCard(token, { publicKeys: keys, now: new Date((claims.e + 1) * 1000) }).status).toBe('expired');
    // A screenshot of someone else's card shown at this household's hand-out.
    expect(verifyCard(token, { publicKeys: keys, now, householdId: 'h-0002' }).status).toBe('otherHolder');
  });

  it('refuses garbage and a person code presented as a card', () => {
    for (const junk of [
      '',
      'abc',
      'a.b.c',
      '!!!.???',
      `${toBase64Url(new TextEncoder().encode('{not json'))}.${'A'.repeat(86)}`,
    ]) {
      expect(verifyCard(junk, { publicKeys: keys, now })).toMatchObject({ status: 'invalid' });
    }
    const person = signPersonCode({ k: 'k1', h: 'h-0001', m: 'h-0001-m1' }, secret);
    expect(verifyCard(person, { publicKeys: keys, now })).toEqual({ status: 'invalid', reason: 'notACard' });
    expect(readPersonCode(person, keys)).toEqual({ v: 1, c: 'person', k: 'k1', h: 'h-0001', m: 'h-0001-m1' });
    expect(readPersonCode(signPersonCode({ k: 'k1', h: 'h-0001', m: 'x' }, otherSecret), keys)).toBeNull();
  });

  it('round-trips base64url for every length', () => {
    for (let n = 0; n < 40; n += 1) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255);
      expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
    }
    expect(toBase64Url(new Uint8Array([251, 255]))).toBe('-_8');
  });

  it('makes human-readable serials', () => {
    expect(serialNumber('R3', 'g-07', 42)).toBe('R3-G07-0042');
  });
});
