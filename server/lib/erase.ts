/**
 * Deleting personal data in bounded batches (the purge after the emergency, account closure):
 * each batch reads up to `BATCH` ids that still match and deletes or rewrites exactly those, so
 * a run cut short leaves only whole batches behind and the next run finds only what is left.
 */
import type { FieldMatch } from '../../core/privacy/purge';
import type { CallContext } from './define-function';
import type { CollectionName } from './schema';

/** Documents per batch (one read and one write each). */
export const BATCH = 200;

/** A plan's field conditions as a query (`db.command`). */
export function toQuery(ctx: CallContext, match: Readonly<Record<string, FieldMatch>>): Record<string, unknown> {
  const _ = ctx.db.command;
  return Object.fromEntries(
    Object.entries(match).map(([field, m]) => [
      field,
      'eq' in m ? m.eq : 'ne' in m ? _.neq(m.ne) : _.nin(m.nin as Array<string | null> as string[]),
    ]),
  );
}

/** Up to `limit` documents still matching (whole, or only the named fields and `_id`). */
export async function batchOf<T extends { _id: string }>(
  ctx: CallContext,
  collection: CollectionName,
  where: object,
  limit: number = BATCH,
  fields?: Record<string, true>,
): Promise<T[]> {
  let query = ctx.db.collection(collection).where(where);
  if (fields) query = query.field({ ...fields, _id: true });
  return (await query.orderBy('_id', 'asc').limit(limit).get()).data as T[];
}

/** Deletes these documents (by id, still matching `where`); answers how many went. */
export async function removeIds(
  ctx: CallContext,
  collection: CollectionName,
  ids: readonly string[],
  where: object = {},
): Promise<number> {
  if (!ids.length) return 0;
  const _ = ctx.db.command;
  const res = await ctx.db
    .collection(collection)
    .where(_.and([where, { _id: _.in([...ids]) }]))
    .remove();
  return Number((res as { deleted?: number }).deleted ?? 0);
}

/** Deletes every document matching `where`, a batch at a time; answers how many went. */
export async function removeAll(ctx: CallContext, collection: CollectionName, where: object): Promise<number> {
  let total = 0;
  for (;;) {
    const ids = (await batchOf(ctx, collection, where, BATCH, {})).map((d) => d._id);
    if (!ids.length) return total;
    total += await removeIds(ctx, collection, ids, where);
  }
}

/** The value at a dotted path of a document (`medicine.prescriptionFileId`). */
export function valueAt(doc: unknown, path: string): unknown {
  let at: unknown = doc;
  for (const key of path.split('.')) {
    if (!at || typeof at !== 'object' || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}
