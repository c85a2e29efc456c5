/**
 * Every error code a cloud function can answer — so every code a resident page can receive — has
 * a message in both languages of the mini-program's catalogue (miniprogram/i18n/), and the Chinese
 * fallback there is the server's own default message (core/errors.ts).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ERROR_MESSAGES } from '../../core/errors';
import { bo } from '../../miniprogram/i18n/bo';
import { zh } from '../../miniprogram/i18n/zh';

/** The codes of the ErrorCode union, read from its declaration. */
function declaredCodes(): string[] {
  const source = readFileSync(resolve(__dirname, '../../typings/errors.ts'), 'utf8');
  const union = /export type ErrorCode =([\s\S]*?);/.exec(source)?.[1] ?? '';
  return [...union.matchAll(/'([A-Z_]+\.[A-Z_]+)'/g)].map((m) => m[1] as string);
}

describe('error codes in both languages', () => {
  const codes = declaredCodes();
  const catalogue = zh as Record<string, string>;
  const tibetan = bo as Record<string, string | undefined>;

  it('reads every declared code', () => {
    expect(codes.length).toBeGreaterThan(30);
    expect(new Set(codes)).toEqual(new Set(Object.keys(ERROR_MESSAGES)));
  });

  it.each(codes)('%s has a Chinese and a Tibetan message', (code) => {
    expect(catalogue[`err.${code}`]).toBe(ERROR_MESSAGES[code as keyof typeof ERROR_MESSAGES]);
    expect(tibetan[`err.${code}`]).toMatch(/[\u0f00-\u0fff]/);
    expect(tibetan[`err.${code}`]).not.toMatch(/[\u4e00-\u9fff]/);
  });

  it('has messages for the failures made on the phone (no network, garbled answer, upload)', () => {
    for (const key of ['err.network', 'err.unavailable', 'err.generic', 'err.upload']) {
      expect(catalogue[key]).toMatch(/[\u4e00-\u9fff]/);
      expect(tibetan[key]).toMatch(/[\u0f00-\u0fff]/);
    }
  });
});
