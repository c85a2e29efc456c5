/** What the dispatch's capabilities share: the caller as staff or delivery volunteer, names, rounds. */
import { AppError } from '../../../core/errors';
import { maskName } from '../../../core/mask';
import type { Grid, RoundDoc, UserDoc, VolunteerDoc } from '../../../typings/entities';
import { getByIds, getDoc, mustGet, staffOf } from '../../lib/access';
import { type CallContext, type UserContext } from '../../lib/define-function';
import { all } from '../../lib/query';
import { findUser } from '../../lib/users';
import { idString } from '../../lib/validate';

export const id = idString();

/** Grids the caller looks after: their own as gridworker/group leader, all of the community as its admin. */
export async function staffGrids(ctx: UserContext): Promise<{ user: UserDoc; grids: Grid[] }> {
  const user = await findUser(ctx);
  if (!user?.communityId) throw new AppError('AUTH.NOT_GRIDWORKER');
  const _ = ctx.db.command;
  const where = user.roles.includes('communityAdmin')
    ? { communityId: user.communityId }
    : { _id: _.in(user.adminGridIds) };
  const grids = (await all(ctx, 'grids', where))
    .filter((g) => staffOf(user, g))
    .sort((a, b) => a.name.localeCompare(b.name, 'zh'));
  if (grids.length === 0) throw new AppError('AUTH.NOT_GRIDWORKER');
  return { user, grids };
}

/** The caller as an approved delivery volunteer. */
export async function requireDeliveryVolunteer(ctx: UserContext): Promise<VolunteerDoc> {
  const v = await getDoc(ctx, 'volunteers', ctx.caller.openid);
  if (!v || v.status !== 'approved' || v.team !== 'delivery')
    throw new AppError('AUTH.NOT_VOLUNTEER', '此操作仅限已通过审核的配送组志愿者');
  return v;
}

export const volunteerName = (v: Pick<VolunteerDoc, '_id'> & { name?: string }) =>
  v.name ? maskName(v.name) : `志愿者${v._id.slice(-4)}`;

/** Names of volunteers by id (masked). */
export async function volunteerNames(ctx: CallContext, ids: readonly (string | null)[]): Promise<Map<string, string>> {
  const docs = await getByIds(
    ctx,
    'volunteers',
    ids.filter((x): x is string => Boolean(x)),
  );
  return new Map(docs.map((v) => [v._id, volunteerName(v)]));
}

/** The round: of the caller's community. */
export async function roundOf(ctx: CallContext, roundId: string, communityId: string): Promise<RoundDoc> {
  const round = await mustGet(ctx, 'rounds', roundId, '批次');
  if (round.communityId !== communityId) throw new AppError('COMMON.NOT_FOUND', '没有找到该批次');
  return round;
}
