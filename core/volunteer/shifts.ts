/**
 * Shift rules: who may take a seat, until when a seat may be given back. The seat itself is taken
 * by one conditional update on the shift (capacity and holder checked together), in the function.
 */
import type { FieldIssue } from '../../typings/errors';
import type { ShiftDoc, VolunteerDoc, VolunteerSkill } from '../../typings/entities';
import { SKILL_TEXT, TEAM_TEXT } from './labels';

/** `HH:mm`, 00:00–23:59. */
export const HHMM_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Why a shift's definition is wrong, if it is. */
export function shiftIssues(input: {
  date: string;
  start: string;
  end: string;
  capacity: number;
  cancelBeforeHours: number;
}): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.date)) issues.push({ path: 'date', message: '日期格式应为 YYYY-MM-DD' });
  if (!HHMM_PATTERN.test(input.start)) issues.push({ path: 'start', message: '开始时间格式应为 08:00' });
  if (!HHMM_PATTERN.test(input.end)) issues.push({ path: 'end', message: '结束时间格式应为 14:00' });
  else if (HHMM_PATTERN.test(input.start) && input.end <= input.start)
    issues.push({ path: 'end', message: '结束时间应晚于开始时间' });
  if (!Number.isInteger(input.capacity) || input.capacity < 1 || input.capacity > 200)
    issues.push({ path: 'capacity', message: '人数应为 1–200 人' });
  if (input.cancelBeforeHours < 0 || input.cancelBeforeHours > 72)
    issues.push({ path: 'cancelBeforeHours', message: '取消截止应为开始前 0–72 小时' });
  return issues;
}

/** The last instant a seat may be given back. */
export function cancelDeadline(shift: Pick<ShiftDoc, 'startAt' | 'cancelBeforeHours'>): Date {
  return new Date(Date.parse(shift.startAt) - shift.cancelBeforeHours * 3600_000);
}

/** Qualifications of a shift the volunteer lacks. */
export function missingQualifications(
  shift: Pick<ShiftDoc, 'qualifications'>,
  skills: readonly VolunteerSkill[],
): VolunteerSkill[] {
  return shift.qualifications.filter((q) => !skills.includes(q));
}

/** Why a volunteer cannot sign up for a shift (code and Chinese message), or null if they can. */
export type SignUpRefusal =
  | { code: 'AUTH.NOT_VOLUNTEER'; message: string }
  | { code: 'VOLUNTEER.SHIFT_CLOSED'; message: string }
  | { code: 'VOLUNTEER.NOT_QUALIFIED'; message: string }
  | { code: 'VOLUNTEER.SHIFT_FULL'; message: string };

/**
 * Whether a volunteer may take a seat: approved in the shift's community, the shift open and not
 * yet started, of their team (or a team they asked for), with the qualifications it requires, and
 * a seat free (`holds`: already seated, which is not a refusal — signing up again changes nothing).
 */
export function signUpRefusal(v: VolunteerDoc, shift: ShiftDoc, now: Date): SignUpRefusal | null {
  if (v.status !== 'approved' || v.communityId !== shift.communityId)
    return { code: 'AUTH.NOT_VOLUNTEER', message: '只有本社区审核通过的志愿者可以报名班次' };
  if (shift.status !== 'open') return { code: 'VOLUNTEER.SHIFT_CLOSED', message: '该班次已取消' };
  if (Date.parse(shift.startAt) <= now.getTime())
    return { code: 'VOLUNTEER.SHIFT_CLOSED', message: '该班次已开始，不能再报名' };
  if (v.team !== shift.team && !v.teamsWished.includes(shift.team)) {
    return { code: 'VOLUNTEER.NOT_QUALIFIED', message: `该班次只接受${TEAM_TEXT[shift.team]}队的志愿者` };
  }
  const missing = missingQualifications(shift, v.skills);
  if (missing.length)
    return { code: 'VOLUNTEER.NOT_QUALIFIED', message: `该班次需要：${missing.map((s) => SKILL_TEXT[s]).join('、')}` };
  if (!(v._id in shift.seats) && shift.taken >= shift.capacity)
    return { code: 'VOLUNTEER.SHIFT_FULL', message: '该班次人数已满，请选择其他班次' };
  return null;
}

/** Whether a seat may still be given back (before the deadline, the shift not yet started). */
export function mayCancel(shift: Pick<ShiftDoc, 'startAt' | 'cancelBeforeHours'>, now: Date): boolean {
  return now.getTime() <= cancelDeadline(shift).getTime();
}
