/**
 * The grids a member of staff looks after, in natural order (第1网格 … 第15网格), with the work
 * waiting in each — so staff pages list grids by name and open on the one that has work.
 */
import { AppError } from '../../core/errors';
import { naturalCompare } from '../../core/natural-sort';
import type { Grid, UserDoc } from '../../typings/entities';
import { staffOf } from './access';
import type { UserContext } from './define-function';
import { aggregateAll, aggregateOps, all } from './query';
import { findUser } from './users';

/** Work waiting in one grid. */
export interface GridWork {
  /** Orders waiting to be accepted (待接单). */
  submitted: number;
  /** Accepted orders waiting for a volunteer (待派单). */
  accepted: number;
  /** Orders that could not be delivered (未送达), to arrange again. */
  failed: number;
  /** Join requests waiting for review. */
  joins: number;
}

const NO_WORK: GridWork = { submitted: 0, accepted: 0, failed: 0, joins: 0 };

/** Grids the caller looks after: their own as gridworker/group leader, all of the community as its admin. */
export async function staffGridsOf(ctx: UserContext): Promise<{ user: UserDoc; grids: Grid[] }> {
  const user = await findUser(ctx);
  if (!user?.communityId) throw new AppError('AUTH.NOT_GRIDWORKER');
  const _ = ctx.db.command;
  const where = user.roles.includes('communityAdmin')
    ? { communityId: user.communityId }
    : { _id: _.in(user.adminGridIds) };
  const grids = (await all(ctx, 'grids', where))
    .filter((g) => staffOf(user, g))
    .sort((a, b) => naturalCompare(a.name, b.name));
  if (grids.length === 0) throw new AppError('AUTH.NOT_GRIDWORKER');
  return { user, grids };
}

/** Work waiting in each grid (counted in the database: two requests whatever the number of grids). */
export async function gridWork(ctx: UserContext, grids: readonly Grid[]): Promise<Map<string, GridWork>> {
  const _ = ctx.db.command;
  const $ = aggregateOps(ctx);
  const ids = grids.map((g) => g._id);
  const out = new Map<string, GridWork>(ids.map((id) => [id, { ...NO_WORK }]));
  if (ids.length === 0) return out;
  const [orders, joins] = await Promise.all([
    aggregateAll<{ _id: { gridId: string; status: 'submitted' | 'accepted' | 'failed' }; n: number }>(ctx, 'orders', [
      { match: { gridId: _.in(ids), status: _.in(['submitted', 'accepted', 'failed']) } },
      { group: { _id: { gridId: '$gridId', status: '$status' }, n: $.sum(1) } },
    ]),
    aggregateAll<{ _id: string; n: number }>(ctx, 'joinRequests', [
      { match: { gridId: _.in(ids), status: 'pending' } },
      { group: { _id: '$gridId', n: $.sum(1) } },
    ]),
  ]);
  for (const r of orders) {
    const w = out.get(r._id.gridId);
    if (w) w[r._id.status] += r.n;
  }
  for (const r of joins) {
    const w = out.get(r._id);
    if (w) w.joins += r.n;
  }
  return out;
}

/** How much is waiting in a grid, by what a page is for (orders by default). */
export function workCount(w: GridWork | undefined, kind: 'orders' | 'dispatch' | 'all' = 'orders'): number {
  if (!w) return 0;
  if (kind === 'dispatch') return w.accepted;
  if (kind === 'orders') return w.submitted + w.accepted + w.failed;
  return w.submitted + w.accepted + w.failed + w.joins;
}

/** The grid a page opens on: the first (in natural order) with work waiting, else the first. */
export function gridWithWork(
  grids: readonly Grid[],
  work: ReadonlyMap<string, GridWork>,
  kind: 'orders' | 'dispatch' | 'all' = 'orders',
): Grid | undefined {
  return grids.find((g) => workCount(work.get(g._id), kind) > 0) ?? grids[0];
}
