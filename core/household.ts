import type { HouseholdInput, MemberInput } from '../typings/api';
import type { HouseholdMember } from '../typings/entities';
import { AppError } from './errors';

/** A household has at most this many members on record. */
export const MAX_MEMBERS = 12;

/** Room labels as residents write them: `2-301`, `3单元501`, `B-1203`. */
export const ROOM_PATTERN = /^[0-9A-Za-z\u4e00-\u9fa5-]{1,12}$/;

/** Mainland mobile numbers. */
export const PHONE_PATTERN = /^1[3-9]\d{9}$/;

/** Whether any member has a special need: their orders are served first. */
export function hasPriority(members: readonly HouseholdMember[]): boolean {
  return members.some((m) => m.needs.length > 0);
}

/**
 * The members to store. Special needs are sensitive personal information (PIPL): they are kept
 * only with the household's separate consent, and withdrawing it deletes them.
 */
export function membersToStore(
  input: HouseholdInput,
  existing: readonly HouseholdMember[],
  newMemberId: () => string,
): HouseholdMember[] {
  if (input.members.length > MAX_MEMBERS)
    throw new AppError('COMMON.INVALID_INPUT', `家庭成员最多登记 ${MAX_MEMBERS} 人`);
  const wantsNeeds = input.members.some((m) => m.needs.length > 0);
  if (wantsNeeds && !input.sensitiveConsent) {
    throw new AppError('PRIVACY.CONSENT_REQUIRED', '登记特殊人群信息需要您单独同意《特殊人群信息收集说明》');
  }
  // Member ids are the server's: a given id must be one of THIS household's members (once);
  // a member without one is new and gets a fresh id. Anything else is refused, never adopted.
  const own = new Set(existing.map((m) => m.id));
  const seen = new Set<string>();
  return input.members.map((m: MemberInput) => {
    let id: string;
    if (m.id === undefined || m.id === '') id = newMemberId();
    else if (!own.has(m.id)) throw new AppError('HOUSEHOLD.MEMBER_UNKNOWN');
    else if (seen.has(m.id)) throw new AppError('COMMON.INVALID_INPUT', '同一位家庭成员不能登记两次');
    else id = m.id;
    seen.add(id);
    const needs = input.sensitiveConsent ? [...new Set(m.needs)] : [];
    const member: HouseholdMember = { id, name: m.name.trim(), relation: m.relation, ageBand: m.ageBand, needs };
    const note = m.needNote?.trim();
    if (input.sensitiveConsent && needs.includes('other') && note) member.needNote = note;
    return member;
  });
}

/**
 * The one floor rule (it feeds trip timing; join, import and seed all use it). The floor is read
 * from the last run of digits of the label, the room-on-floor being its last two digits:
 * `1203` → 12, `1-1001` → 10, `3-502` → 5, `3单元501` → 5. A label whose last run has fewer than
 * three digits (`东101`'s run is `101` → 1; `B1-02`, `12`, `B`), or whose floor part is 0
 * (`0101`), tells no floor above ground: it counts as floor 1 (basements such as `B1-02` are
 * reached without climbing, so 1 is also the right cost for them).
 */
export function floorOf(room: string): number {
  const digits = /(\d+)$/.exec(room.trim())?.[1] ?? '';
  const floor = digits.length >= 3 ? Number(digits.slice(0, -2)) : 1;
  return Number.isSafeInteger(floor) && floor > 0 ? floor : 1;
}
