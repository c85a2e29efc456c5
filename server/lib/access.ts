import { AppError } from '../../core/errors';
import type { Grid, HouseholdDoc, UserDoc } from '../../typings/entities';
import type { CallContext, UserContext } from './define-function';
import { findUser } from './users';

/** One document by id, or null. */
export async function getDoc<T>(ctx: CallContext, collection: string, id: string): Promise<T | null> {
  const res = await ctx.db.collection(collection).doc(id).get();
  return ((res.data as T[] | undefined)?.[0] ?? null) as T | null;
}

/** One document by id, or COMMON.NOT_FOUND. */
export async function mustGet<T>(ctx: CallContext, collection: string, id: string, what = '记录'): Promise<T> {
  const doc = await getDoc<T>(ctx, collection, id);
  if (!doc) throw new AppError('COMMON.NOT_FOUND', `没有找到该${what}`);
  return doc;
}

/** The caller as a resident bound to a household. */
export async function requireResident(ctx: UserContext): Promise<{ user: UserDoc; household: HouseholdDoc }> {
  const user = await findUser(ctx);
  if (!user?.householdId) throw new AppError('AUTH.NOT_MEMBER');
  const household = await getDoc<HouseholdDoc>(ctx, 'households', user.householdId);
  if (!household || !household.memberOpenids.includes(ctx.caller.openid)) throw new AppError('AUTH.NOT_MEMBER');
  return { user, household };
}

/** Whether a user looks after a grid: its gridworker or group leader, or the community's admin. */
export function staffOf(user: UserDoc | null, grid: Pick<Grid, '_id' | 'communityId'>): boolean {
  if (!user) return false;
  if (user.roles.includes('communityAdmin') && user.communityId === grid.communityId) return true;
  return (user.roles.includes('gridworker') || user.roles.includes('groupLeader')) && user.adminGridIds.includes(grid._id);
}

/** The caller as staff of this grid (else AUTH.NOT_GRIDWORKER); answers the user and the grid. */
export async function requireGridStaff(ctx: UserContext, gridId: string): Promise<{ user: UserDoc; grid: Grid }> {
  const [user, grid] = await Promise.all([findUser(ctx), getDoc<Grid>(ctx, 'grids', gridId)]);
  if (!grid) throw new AppError('COMMON.NOT_FOUND', '没有找到该网格');
  if (!staffOf(user, grid)) throw new AppError('AUTH.NOT_GRIDWORKER');
  return { user: user as UserDoc, grid };
}
