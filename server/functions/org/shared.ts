/** What the organisation's capabilities share. */
import { GRANTABLE_ROLES } from '../../../typings/values';
import { AppError } from '../../../core/errors';
import type { Grid, UserDoc } from '../../../typings/entities';
import { getDoc } from '../../lib/access';
import { isDuplicateError } from '../../lib/db-errors';
import type { CallContext } from '../../lib/define-function';
import { idString, text, z } from '../../lib/validate';
import { all } from '../../lib/query';

export const id = idString();

export const name = text(20, 1, '请填写名称');

export async function usersById(ctx: CallContext, ids: readonly string[]): Promise<Map<string, UserDoc>> {
  const _ = ctx.db.command;
  const out = new Map<string, UserDoc>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    for (const u of await all(ctx, 'users', { _id: _.in(chunk) })) out.set(u._id, u);
  }
  return out;
}

export async function gridOf(ctx: CallContext, communityId: string, gridId: string): Promise<Grid> {
  const grid = await getDoc(ctx, 'grids', gridId);
  if (!grid || grid.communityId !== communityId) throw new AppError('COMMON.NOT_FOUND', '本社区没有这个网格');
  return grid;
}

export const WRITE_PARALLEL = 16;

/** `add`, treating "already there" as done: the writes of an import can be repeated safely. */
export async function addOnce<T extends { _id: string }>(
  ctx: CallContext,
  collection: string,
  doc: T,
): Promise<boolean> {
  try {
    await ctx.db.collection(collection).add(doc);
    return true;
  } catch (error) {
    if (isDuplicateError(error)) return false;
    throw error;
  }
}

export async function inBatches<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += WRITE_PARALLEL)
    await Promise.all(items.slice(i, i + WRITE_PARALLEL).map(work));
}

/** Recounts a grid's households (idempotent: the count is read, not incremented). */
export async function recount(ctx: CallContext, gridId: string): Promise<void> {
  const res = await ctx.db.collection('households').where({ gridId }).count();
  await ctx.db
    .collection('grids')
    .doc(gridId)
    .update({ householdCount: res.total ?? 0 });
}

export const role = z.enum(GRANTABLE_ROLES);
