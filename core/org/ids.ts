/**
 * Deterministic ids of the community's structure: the same grid, building or room always maps to
 * the same document, so an import that is retried or resumed after a crash meets what it already
 * wrote instead of writing it twice (CloudBase has no multi-document transactions).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { AppError } from '../errors';
import { ROOM_PATTERN } from '../household';

function digest(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text))).slice(0, 12);
}

/** A new grid's id from its community and name. */
export function gridIdFor(communityId: string, gridName: string): string {
  return `g-${digest(`${communityId}\u0000${gridName.trim()}`)}`;
}

/** A new building's id from its community and name (building names are unique in a community). */
export function buildingIdFor(communityId: string, buildingName: string): string {
  return `b-${digest(`${communityId}\u0000${buildingName.trim()}`)}`;
}

/**
 * A household's id from its building and room: the same room always maps to the same household,
 * and two distinct rooms never share one (the encoding is lossless, so `东101` and `西101` differ).
 * Seed, import and join all create households through this one function; existing households
 * (seeded `h-0001`, or ids of an older scheme) are always found by building + room first.
 *
 * - A room of ASCII letters, digits and `-` is kept as written: `h-b-001_1-1001`.
 * - Any other room (Chinese characters) is written as 3 base-36 digits per character (code points
 *   up to U+9FA5 < 36³) after a second `_`: `东101` → `h-b-001__ffg01d01c01d`.
 * Building ids are `[A-Za-z0-9-]` (no `_`), so the first `_` ends the building and a room never
 * begins with `_`: the id decodes back to exactly one (building, room). At most 2 + 24 + 2 + 36 = 64.
 */
export function householdIdFor(buildingId: string, room: string): string {
  if (!ROOM_PATTERN.test(room))
    throw new AppError('COMMON.INVALID_INPUT', '房号只能包含数字、字母、汉字和“-”，最长 12 位');
  // Server-made building ids fit; anything else is replaced by a digest of itself (80 bits).
  const building = /^[A-Za-z0-9-]{1,24}$/.test(buildingId)
    ? buildingId
    : `x${bytesToHex(sha256(utf8ToBytes(buildingId))).slice(0, 20)}`;
  if (/^[A-Za-z0-9-]+$/.test(room)) return `h-${building}_${room}`;
  const encoded = Array.from(room, (c) => (c.codePointAt(0) as number).toString(36).padStart(3, '0')).join('');
  return `h-${building}__${encoded}`;
}

/**
 * A member id for the `index`-th member of a household the server creates (import, first join):
 * `m-` + 16 hex, the same on a retry, and as short as a fresh random one (`household.update`), so
 * it fits every id field however long the household's id is.
 */
export function memberIdFor(householdId: string, index: number): string {
  return `m-${bytesToHex(sha256(utf8ToBytes(`${householdId}\u0000member\u0000${index}`))).slice(0, 16)}`;
}
