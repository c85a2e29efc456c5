import { AppError } from '../../core/errors';
import type { Grid, HouseholdDoc, UserDoc } from '../../typings/entities';
import type { CallContext, UserContext } from './define-function';
import { all } from './query';
import type { CollectionName, DocOf } from './schema';
import { findUser } from './users';

/** One document by id, or null. */
export async function getDoc<C extends CollectionName>(
  ctx: CallContext,
  collection: C,
  id: string,
): Promise<DocOf<C> | null> {
  const res = await ctx.db.collection(collection).doc(id).get();
  return ((res.data as DocOf<C>[] | undefined)?.[0] ?? null) as DocOf<C> | null;
}

/** One document by id, or COMMON.NOT_FOUND. */
export async function mustGet<C extends CollectionName>(
  ctx: CallContext,
  collection: C,
  id: string,
  what = '记录',
): Promise<DocOf<C>> {
  const doc = await getDoc(ctx, collection, id);
  if (!doc) throw new AppError('COMMON.NOT_FOUND', `没有找到该${what}`);
  return doc;
}

/** Documents by id (any number; 500 ids a request). */
export async function getByIds<C extends CollectionName>(
  ctx: CallContext,
  collection: C,
  ids: readonly string[],
): Promise<DocOf<C>[]> {
  const unique = [...new Set(ids)];
  const _ = ctx.db.command;
  const out: DocOf<C>[] = [];
  for (let i = 0; i < unique.length; i += 500) {
    out.push(...(await all(ctx, collection, { _id: _.in(unique.slice(i, i + 500)) })));
  }
  return out;
}

/** The caller as a resident bound to a household. */
export async function requireResident(ctx: UserContext): Promise<{ user: UserDoc; household: HouseholdDoc }> {
  const user = await findUser(ctx);
  if (!user?.householdId) throw new AppError('AUTH.NOT_MEMBER');
  const household = await getDoc(ctx, 'households', user.householdId);
  if (!household || !household.memberOpenids.includes(ctx.caller.openid)) throw new AppError('AUTH.NOT_MEMBER');
  return { user, household };
}

/** Whether a user looks after a grid: its gridworker or group leader, or the community's admin. */
export function staffOf(user: UserDoc | null, grid: Pick<Grid, '_id' | 'communityId'>): boolean {
  if (!user) return false;
  if (user.roles.includes('communityAdmin') && user.communityId === grid.communityId) return true;
  return (
    (user.roles.includes('gridworker') || user.roles.includes('groupLeader')) && user.adminGridIds.includes(grid._id)
  );
}

/** The caller as staff of this grid (else AUTH.NOT_GRIDWORKER); answers the user and the grid. */
export async function requireGridStaff(ctx: UserContext, gridId: string): Promise<{ user: UserDoc; grid: Grid }> {
  const [user, grid] = await Promise.all([findUser(ctx), getDoc(ctx, 'grids', gridId)]);
  if (!grid) throw new AppError('COMMON.NOT_FOUND', '没有找到该网格');
  if (!staffOf(user, grid)) throw new AppError('AUTH.NOT_GRIDWORKER');
  return { user: user as UserDoc, grid };
}
