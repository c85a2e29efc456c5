/** What the dispatch's capabilities share: the caller as staff or delivery volunteer, names, rounds. */
import { AppError } from '../../../core/errors';
import { maskName } from '../../../core/mask';
import type { RoundDoc, VolunteerDoc } from '../../../typings/entities';
import { getByIds, getDoc, mustGet } from '../../lib/access';
import { type CallContext, type UserContext } from '../../lib/define-function';
import { staffGridsOf } from '../../lib/staff-grids';
import { idString } from '../../lib/validate';

export const id = idString();

/** Grids the caller looks after (in natural order): their own as gridworker/group leader, all of the community as its admin. */
export const staffGrids = staffGridsOf;

/** The caller as an approved delivery volunteer. */
export async function requireDeliveryVolunteer(ctx: UserContext): Promise<VolunteerDoc> {
  const v = await getDoc(ctx, 'volunteers', ctx.caller.openid);
  if (!v || v.status !== 'approved' || v.team !== 'delivery')
    throw new AppError('AUTH.NOT_VOLUNTEER', '此操作仅限已通过审核的配送组志愿者');
  return v;
}

/** A volunteer's name as other volunteers and residents see it (masked). */
export const volunteerName = (v: Pick<VolunteerDoc, '_id'> & { name?: string }) =>
  v.name ? maskName(v.name) : '志愿者';

/** A volunteer's name as staff who assign work see it: whom they assign, in full. */
export const staffVolunteerName = (v: Pick<VolunteerDoc, '_id'> & { name?: string }) => v.name || '志愿者';

/** Names of volunteers by id (masked; in full for staff, who assign them work). */
export async function volunteerNames(
  ctx: CallContext,
  ids: readonly (string | null)[],
  asStaff = false,
): Promise<Map<string, string>> {
  const docs = await getByIds(
    ctx,
    'volunteers',
    ids.filter((x): x is string => Boolean(x)),
  );
  return new Map(docs.map((v) => [v._id, asStaff ? staffVolunteerName(v) : volunteerName(v)]));
}

/** The round: of the caller's community. */
export async function roundOf(ctx: CallContext, roundId: string, communityId: string): Promise<RoundDoc> {
  const round = await mustGet(ctx, 'rounds', roundId, '批次');
  if (round.communityId !== communityId) throw new AppError('COMMON.NOT_FOUND', '没有找到该批次');
  return round;
}
