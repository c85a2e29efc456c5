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
export function membersToStore(input: HouseholdInput, newMemberId: (index: number) => string): HouseholdMember[] {
  if (input.members.length > MAX_MEMBERS) throw new AppError('COMMON.INVALID_INPUT', `家庭成员最多登记 ${MAX_MEMBERS} 人`);
  const wantsNeeds = input.members.some((m) => m.needs.length > 0);
  if (wantsNeeds && !input.sensitiveConsent) {
    throw new AppError('PRIVACY.CONSENT_REQUIRED', '登记特殊人群信息需要您单独同意《特殊人群信息收集说明》');
  }
  const seen = new Set<string>();
  return input.members.map((m: MemberInput, i) => {
    const id = m.id && !seen.has(m.id) ? m.id : newMemberId(i);
    seen.add(id);
    const needs = input.sensitiveConsent ? [...new Set(m.needs)] : [];
    const member: HouseholdMember = { id, name: m.name.trim(), relation: m.relation, ageBand: m.ageBand, needs };
    const note = m.needNote?.trim();
    if (input.sensitiveConsent && needs.includes('other') && note) member.needNote = note;
    return member;
  });
}
