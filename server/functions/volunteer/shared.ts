/** What the volunteers' capabilities share: schemas, the caller as volunteer or as staff, grid names. */
import { TIME_SLOTS, VOLUNTEER_SKILLS, VOLUNTEER_TEAMS } from '../../../typings/values';
import { AppError } from '../../../core/errors';
import type { JobDoc, JobStatus, UserDoc, VolunteerDoc } from '../../../typings/entities';
import type { FieldIssue } from '../../../typings/errors';
import { getDoc } from '../../lib/access';
import type { CallContext, UserContext } from '../../lib/define-function';
import { all } from '../../lib/query';
import { findUser } from '../../lib/users';
import { dateString, idString, z } from '../../lib/validate';

export const id = idString();

export const team = z.enum(VOLUNTEER_TEAMS);

export const skill = z.enum(VOLUNTEER_SKILLS);

export const slot = z.enum(TIME_SLOTS);

export const day = dateString();

export function invalid(issues: FieldIssue[]): never {
  const first = issues[0] as FieldIssue;
  throw new AppError('COMMON.INVALID_INPUT', first.message, issues);
}

/** The caller's registration, or VOLUNTEER.NOT_REGISTERED. */
export async function mine(ctx: UserContext): Promise<VolunteerDoc> {
  const v = await getDoc(ctx, 'volunteers', ctx.caller.openid);
  if (!v) throw new AppError('VOLUNTEER.NOT_REGISTERED');
  return v;
}

/** The caller as an approved volunteer. */
export async function approvedMe(ctx: UserContext): Promise<VolunteerDoc> {
  const v = await mine(ctx);
  if (v.status !== 'approved') throw new AppError('AUTH.NOT_VOLUNTEER');
  return v;
}

/** Staff who look after volunteers: the community's admin (all of it) or gridworkers (their grids). */
interface Scope {
  user: UserDoc;
  communityId: string;
  admin: boolean;
  /** The database filter of the volunteers this user may see. */
  where: Record<string, unknown>;
}

export async function staffScope(ctx: UserContext): Promise<Scope> {
  const user = await findUser(ctx);
  if (!user?.communityId) throw new AppError('AUTH.FORBIDDEN', '此操作仅限社区管理员和网格员');
  const _ = ctx.db.command;
  if (user.roles.includes('communityAdmin'))
    return { user, communityId: user.communityId, admin: true, where: { communityId: user.communityId } };
  if (user.roles.includes('gridworker') && user.adminGridIds.length) {
    return {
      user,
      communityId: user.communityId,
      admin: false,
      where: { communityId: user.communityId, gridIds: _.in(user.adminGridIds) },
    };
  }
  throw new AppError('AUTH.FORBIDDEN', '此操作仅限社区管理员和网格员');
}

export async function gridNames(ctx: CallContext, communityId: string): Promise<Map<string, string>> {
  const grids = await all(ctx, 'grids', { communityId });
  return new Map(grids.map((g) => [g._id, g.name]));
}

/** How many delivery jobs a volunteer finished (the dispatch's jobs). */
export async function jobsDone(
  ctx: CallContext,
  where: Record<string, unknown>,
): Promise<Array<{ volunteerId: string }>> {
  // A finished job always has its volunteer.
  return (await all(ctx, 'jobs', { ...where, status: DONE })) as Array<JobDoc & { volunteerId: string }>;
}

export const DONE: JobStatus = 'done';
