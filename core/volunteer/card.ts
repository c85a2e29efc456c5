/**
 * The volunteer card's signed token: the same Ed25519 scheme and keys as the 核酸已采样卡
 * (`core/card/token.ts`), with its own kind `c: 'volunteer'`, so a volunteer card never passes as
 * a sampled card or a person code, nor the reverse. Pure: keys and clock come in.
 */
import * as ed from '@noble/ed25519';
import { readSigned, toBase64Url } from '../card/token';

/** What a volunteer card asserts. */
export interface VolunteerClaims {
  v: 1;
  c: 'volunteer';
  k: string;
  /** The volunteer (OPENID): the checkpoint's online check looks their status up. */
  o: string;
  /** Masked name. */
  n: string;
  /** Community. */
  cm: string;
  /** Valid until (epoch seconds). */
  e: number;
}

const encoder = new TextEncoder();

/** Signs a volunteer card. */
export function signVolunteerCard(claims: Omit<VolunteerClaims, 'v' | 'c'>, secretKey: Uint8Array): string {
  const body = toBase64Url(encoder.encode(JSON.stringify({ v: 1, c: 'volunteer', ...claims })));
  return `${body}.${toBase64Url(ed.sign(encoder.encode(body), secretKey))}`;
}

/** The outcome of checking a volunteer card offline. */
export type VolunteerCardVerdict =
  { status: 'valid'; claims: VolunteerClaims } | { status: 'expired'; claims: VolunteerClaims } | { status: 'invalid' };

/** Verifies a volunteer card's signature and expiry. */
export function verifyVolunteerCard(
  token: string,
  publicKeys: Readonly<Record<string, Uint8Array>>,
  now: Date,
): VolunteerCardVerdict {
  const read = readSigned(token, publicKeys);
  if (!('claims' in read)) return { status: 'invalid' };
  const claims = read.claims as unknown as VolunteerClaims;
  if (claims.c !== 'volunteer' || typeof claims.o !== 'string' || typeof claims.e !== 'number')
    return { status: 'invalid' };
  if (now.getTime() / 1000 > claims.e) return { status: 'expired', claims };
  return { status: 'valid', claims };
}
