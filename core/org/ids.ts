/**
 * Deterministic ids of the community's structure: the same grid, building or room always maps to
 * the same document, so an import that is retried or resumed after a crash meets what it already
 * wrote instead of writing it twice (CloudBase has no multi-document transactions).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

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

/** A household's id from its building and room: the same room always maps to the same household. */
export function householdIdFor(buildingId: string, room: string): string {
  return `h-${buildingId}-${room}`.replace(/[^\w-]/g, '_').slice(0, 64);
}
