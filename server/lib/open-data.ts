/**
 * WeChat open data (the group a page was opened from), as the platform hands it in: the one adapter.
 *
 * The page passes `wx.cloud.CloudID(cloudID)` as a TOP-LEVEL field of the call's data (see
 * OPEN_DATA_FIELDS); CloudBase replaces that field with `{cloudID, data}` — or `{cloudID, errCode,
 * errMsg}` (-601006 expired, -601007 another user's) — and names it in the context's OPEN_DATA_INFO.
 * Nested fields are not replaced, and a field the context does not name was written by the client:
 * only named top-level fields are read, never the payload. (Server-side alternative with the same
 * meaning: wx-server-sdk `cloud.getOpenData({list: [cloudID]})`.)
 */
import { AppError } from '../../core/errors';

/** The top-level event fields that carry open data, by what they hold. */
export const OPEN_DATA_FIELDS = { group: 'group' } as const;

/** One replaced field: the open data, or WeChat's refusal. */
export type OpenDataEntry =
  { cloudID: string; data: Record<string, unknown> } | { cloudID: string; errCode: number; errMsg: string };

/** Envelope fields that are never open data. */
const ENVELOPE = new Set(['action', 'payload', 'requestId']);

/** The open data of one invocation: the top-level fields the platform context names, and nothing else. */
export function openDataFrom(
  event: Record<string, unknown>,
  keys: readonly string[],
): ReadonlyMap<string, OpenDataEntry> {
  const found = new Map<string, OpenDataEntry>();
  for (const key of keys) {
    if (ENVELOPE.has(key) || !Object.hasOwn(event, key)) continue;
    const value = event[key] as Record<string, unknown> | null;
    if (!value || typeof value !== 'object' || Array.isArray(value) || typeof value.cloudID !== 'string') continue;
    if (typeof value.errCode === 'number' && value.errCode !== 0) {
      found.set(key, {
        cloudID: value.cloudID,
        errCode: value.errCode,
        errMsg: typeof value.errMsg === 'string' ? value.errMsg : '',
      });
    } else if (value.data && typeof value.data === 'object' && !Array.isArray(value.data)) {
      found.set(key, { cloudID: value.cloudID, data: value.data as Record<string, unknown> });
    }
  }
  return found;
}

/** WeChat's refusal of a cloudID, as the app's error. */
function refusal(errCode: number): AppError {
  if (errCode === -601006)
    return new AppError('COMMON.INVALID_INPUT', '微信群信息已过期（5 分钟有效），请从群里重新打开小程序');
  if (errCode === -601007) return new AppError('AUTH.FORBIDDEN', '这条微信群信息不属于你，请从群里自己打开小程序');
  return new AppError('COMMON.INVALID_INPUT', '无法读取微信群信息，请从群里重新打开小程序');
}

const OPEN_GID = /^[\w-]{1,128}$/;

/**
 * The openGId of the group the caller opened the app from, as the platform says; null when the
 * call carries no group data. `wx.getShareInfo` names it `openGId`, `wx.getGroupEnterInfo` `opengid`.
 */
export function groupOf(openData: ReadonlyMap<string, OpenDataEntry> | undefined): string | null {
  const entry = openData?.get(OPEN_DATA_FIELDS.group);
  if (!entry) return null;
  if ('errCode' in entry) throw refusal(entry.errCode);
  const id = entry.data.openGId ?? entry.data.opengid;
  if (typeof id !== 'string' || !OPEN_GID.test(id))
    throw new AppError('COMMON.INVALID_INPUT', '微信群信息不完整，请从群里重新打开小程序');
  return id;
}

/** Like groupOf, but the group is required: `hint` says where to open the app from. */
export function requireGroup(openData: ReadonlyMap<string, OpenDataEntry> | undefined, hint: string): string {
  const id = groupOf(openData);
  if (!id) throw new AppError('COMMON.INVALID_INPUT', hint);
  return id;
}
