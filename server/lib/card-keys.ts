/**
 * The card signing key lives only in the cloud functions' environment:
 * GRIDLINK_CARD_SIGNING_KEY (32 bytes, base64url) and GRIDLINK_CARD_KEY_ID; public keys of retired
 * signing keys stay in GRIDLINK_CARD_RETIRED_KEYS (`id:base64url,…`) so older cards still verify.
 */
import { fromBase64Url, publicKeyOf, toBase64Url } from '../../core/card/token';
import { AppError } from '../../core/errors';

/** The keys a function signs and verifies with. */
export interface CardKeys {
  keyId: string;
  secret: Uint8Array;
  publicKeys: Record<string, Uint8Array>;
}

let cached: { raw: string; keys: CardKeys } | null = null;

/** The configured keys; a missing key is an operator error, not the user's. */
export function cardKeys(): CardKeys {
  const raw = process.env.GRIDLINK_CARD_SIGNING_KEY ?? '';
  if (cached?.raw === raw) return cached.keys;
  const secret = fromBase64Url(raw);
  if (!secret || secret.length !== 32) {
    console.error('[gridlink] GRIDLINK_CARD_SIGNING_KEY is missing or not 32 bytes of base64url');
    throw new AppError('COMMON.INTERNAL', '采样卡签名服务未配置，请联系社区管理员');
  }
  const keyId = process.env.GRIDLINK_CARD_KEY_ID ?? 'k1';
  const publicKeys: Record<string, Uint8Array> = {};
  for (const entry of (process.env.GRIDLINK_CARD_RETIRED_KEYS ?? '').split(',').filter(Boolean)) {
    const [id, key] = entry.split(':');
    const bytes = key ? fromBase64Url(key) : null;
    if (id && bytes?.length === 32) publicKeys[id] = bytes;
  }
  publicKeys[keyId] = publicKeyOf(secret);
  const keys = { keyId, secret, publicKeys };
  cached = { raw, keys };
  return keys;
}

/** The public keys, for offline verifiers. */
export function publicKeyList(): Array<{ keyId: string; publicKey: string }> {
  return Object.entries(cardKeys().publicKeys).map(([keyId, key]) => ({ keyId, publicKey: toBase64Url(key) }));
}
