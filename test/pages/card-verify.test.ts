/**
 * The checkpoint's offline check (miniprogram/utils/card-verify.ts) agrees with core's verifyCard
 * on real tokens signed by core: valid, expired, other round, other household, tampered body or
 * signature, a key the phone does not know, a person's code and garbage.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { keyMap, sha512, verifyCardOffline } from '../../miniprogram/utils/card-verify';

interface Case {
  name: string;
  token: string;
  opts: { roundId?: string; householdId?: string };
  status: string;
  reason: string | null;
  claims: Record<string, unknown> | null;
}

const ROOT = resolve(__dirname, '../..');

describe('offline card verification', () => {
  let signed: { now: string; keys: Array<{ keyId: string; publicKey: string }>; results: Case[] };

  beforeAll(() => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', resolve(__dirname, 'support/core-cards.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    signed = JSON.parse(out) as typeof signed;
  }, 60_000);

  it('computes SHA-512 like node', () => {
    for (const text of ['', 'abc', 'x'.repeat(111), 'x'.repeat(112), 'y'.repeat(300), '核酸已采样']) {
      const bytes = new Uint8Array(Buffer.from(text, 'utf8'));
      expect(Buffer.from(sha512(bytes)).toString('hex')).toBe(createHash('sha512').update(bytes).digest('hex'));
    }
  });

  it('gives the same verdict as core on every token and option', () => {
    const publicKeys = keyMap(signed.keys);
    expect(signed.results.length).toBeGreaterThan(30);
    for (const c of signed.results) {
      const v = verifyCardOffline(c.token, { publicKeys, now: new Date(signed.now), ...c.opts });
      expect({
        name: c.name,
        opts: c.opts,
        status: v.status,
        reason: 'reason' in v ? v.reason : null,
        claims: 'claims' in v ? v.claims : null,
      }).toEqual({
        name: c.name,
        opts: c.opts,
        status: c.status,
        reason: c.reason,
        claims: c.claims,
      });
    }
    const statuses = new Set(signed.results.map((c) => `${c.status}:${c.reason ?? ''}`));
    for (const s of [
      'valid:',
      'expired:',
      'otherRound:',
      'otherHolder:',
      'invalid:badSignature',
      'invalid:unknownKey',
      'invalid:notACard',
      'invalid:malformed',
    ])
      expect(statuses).toContain(s);
  });
});
