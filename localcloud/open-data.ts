/**
 * Local stand-in for WeChat open data (share tickets → cloudID → group data). On CloudBase the page
 * gets a cloudID from wx.getGroupEnterInfo / wx.getShareInfo, valid 5 minutes and bound to the user,
 * and passes `wx.cloud.CloudID(id)` as a TOP-LEVEL field of the call's data; the platform replaces
 * that field with `{cloudID, data}` (or `{cloudID, errCode, errMsg}`), at most 5 per call, and names
 * the replaced keys in the context's OPEN_DATA_INFO (`{"keys": [...]}`). Nested fields are never
 * replaced. Here a dev endpoint (`POST /dev/cloudid`) hands out cloudIDs and `replaceOpenData` does
 * the platform's part.
 */
import { randomBytes } from 'node:crypto';

/** How long a cloudID stays valid (WeChat: five minutes). */
export const CLOUD_ID_TTL_MS = 5 * 60_000;
/** At most this many cloudIDs are replaced in one call. */
export const MAX_REPLACED = 5;

interface Issued {
  openid: string;
  data: Record<string, unknown>;
  expiresAt: number;
}

const issued = new Map<string, Issued>();

/** Issues a cloudID of `data` for `openid` (as WeChat does for the user who opened the share), valid from `now`. */
export function issueCloudId(
  openid: string,
  data: Record<string, unknown>,
  now = Date.now(),
): { cloudID: string; expiresAt: string } {
  // Forget the long-expired ones so the map stays small.
  for (const [id, entry] of issued) if (entry.expiresAt < now - CLOUD_ID_TTL_MS) issued.delete(id);
  const cloudID = `local_${randomBytes(18).toString('base64url')}`;
  const expiresAt = now + CLOUD_ID_TTL_MS;
  issued.set(cloudID, { openid, data: structuredClone(data), expiresAt });
  return { cloudID, expiresAt: new Date(expiresAt).toISOString() };
}

/** What the platform puts in place of one `wx.cloud.CloudID`. */
function resolve(cloudID: string, openid: string | null, now: number): Record<string, unknown> {
  const entry = issued.get(cloudID);
  if (!entry) return { cloudID, errCode: -601005, errMsg: 'invalid cloudID' };
  if (entry.expiresAt <= now) return { cloudID, errCode: -601006, errMsg: 'cloudID expired.' };
  if (entry.openid !== openid) return { cloudID, errCode: -601007, errMsg: 'cloudID and calling user does not match' };
  return { cloudID, data: structuredClone(entry.data) };
}

/** Whether a top-level value is what `wx.cloud.CloudID(id)` sends locally: an object with `cloudID` and nothing else. */
function isCloudIdMarker(value: unknown): value is { cloudID: string } {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === 'cloudID' && typeof (value as { cloudID: unknown }).cloudID === 'string';
}

/**
 * Does the platform's part on an event (mutated): every top-level `{cloudID}` is replaced with its
 * open data (or error), up to 5; answers the replaced keys, for the context's OPEN_DATA_INFO. A
 * client-made `{cloudID, data}` is left as it is and not listed, so functions never trust it.
 */
export function replaceOpenData(event: unknown, openid: string | null, now = Date.now()): string[] {
  if (!event || typeof event !== 'object' || Array.isArray(event)) return [];
  const body = event as Record<string, unknown>;
  const keys: string[] = [];
  for (const key of Object.keys(body)) {
    if (keys.length >= MAX_REPLACED) break;
    const value = body[key];
    if (!isCloudIdMarker(value)) continue;
    body[key] = resolve(value.cloudID, openid, now);
    keys.push(key);
  }
  return keys;
}
