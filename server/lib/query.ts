/** Reading many documents: CloudBase returns at most 1,000 per `get()` in cloud functions. */
import QRCode from 'qrcode';
import { AppError } from '../../core/errors';
import type { Page } from '../../typings/api';
import type { CallContext } from './define-function';
import type { CollectionName, DocOf } from './schema';
import { z } from './validate';

/** The SDK's most documents per `get()`. */
export const PAGE = 1000;

/**
 * Every document a query matches, a page at a time, ordered by `_id` so the pages neither skip nor
 * repeat documents (optionally only some fields).
 */
export async function all<C extends CollectionName>(
  ctx: CallContext,
  collection: C,
  where: object,
): Promise<DocOf<C>[]>;
/** Only the named fields (and `_id`) of every document a query matches. */
export async function all<C extends CollectionName, K extends keyof DocOf<C>>(
  ctx: CallContext,
  collection: C,
  where: object,
  fields: { [F in K]: true },
): Promise<Pick<DocOf<C>, K | '_id'>[]>;
export async function all(
  ctx: CallContext,
  collection: CollectionName,
  where: object,
  fields?: Record<string, true>,
): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let skip = 0; ; skip += PAGE) {
    let query = ctx.db.collection(collection).where(where);
    if (fields) query = query.field(fields);
    const page = (await query.orderBy('_id', 'asc').skip(skip).limit(PAGE).get()).data as unknown[];
    out.push(...page);
    if (page.length < PAGE) return out;
  }
}

/** Documents a list answers per page unless asked otherwise, and the most it answers. */
export const LIST_DEFAULT = 50;
export const LIST_MAX = 100;

/** The paging fields every list action takes (spread into its input schema). */
export const pageFields = {
  cursor: z.string().min(1).max(512).optional(),
  limit: z.number().int().min(1).max(LIST_MAX).optional(),
};

/** One key of a list's order; `_id` (ascending) is always appended as the tie-breaker. */
export interface SortKey {
  field: string;
  dir: 'asc' | 'desc';
}

type Scalar = string | number | boolean;
const isScalar = (v: unknown): v is Scalar => ['string', 'number', 'boolean'].includes(typeof v);

function badCursor(): never {
  throw new AppError('COMMON.INVALID_INPUT', '翻页位置无效，请刷新列表后重试', [
    { path: 'cursor', message: '翻页位置无效' },
  ]);
}

/** The cursor after `doc`: its sort-key values, opaque to the client. */
function encodeCursor(doc: Record<string, unknown>, keys: readonly SortKey[]): string {
  return Buffer.from(JSON.stringify(keys.map((k) => doc[k.field]))).toString('base64url');
}

function decodeCursor(cursor: string, keys: readonly SortKey[]): Scalar[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    badCursor();
  }
  if (!Array.isArray(values) || values.length !== keys.length || !values.every(isScalar)) badCursor();
  return values as Scalar[];
}

/**
 * One page of the documents a query matches, in a stable order (the sort keys, then `_id`), read
 * after the cursor by key (keyset paging): documents added or removed between pages never make a
 * page skip or repeat one that stays. Sort fields must be set (no null) on every document.
 */
export async function pageOf<C extends CollectionName>(
  ctx: CallContext,
  collection: C,
  where: object,
  request: { cursor?: string; limit?: number },
  sort: readonly SortKey[] = [],
  /** The total when the caller counted it already (no second count request). */
  knownTotal?: number,
): Promise<Page<DocOf<C>>> {
  const _ = ctx.db.command;
  const keys: SortKey[] = [...sort.filter((k) => k.field !== '_id'), { field: '_id', dir: 'asc' }];
  const limit = Math.min(LIST_MAX, Math.max(1, request.limit ?? LIST_DEFAULT));
  let query: object = where;
  if (request.cursor) {
    const values = decodeCursor(request.cursor, keys);
    const after = keys.map((k, i) => ({
      ...Object.fromEntries(keys.slice(0, i).map((p, j) => [p.field, values[j]])),
      [k.field]: k.dir === 'asc' ? _.gt(values[i]) : _.lt(values[i]),
    }));
    query = _.and([where, _.or(after)]);
  }
  let read = ctx.db.collection(collection).where(query);
  for (const k of keys) read = read.orderBy(k.field, k.dir);
  const [res, count] = await Promise.all([
    read.limit(limit + 1).get(),
    knownTotal === undefined ? ctx.db.collection(collection).where(where).count() : { total: knownTotal },
  ]);
  const docs = res.data as DocOf<C>[];
  const items = docs.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: docs.length > limit && last ? encodeCursor(last as unknown as Record<string, unknown>, keys) : null,
    total: count.total ?? 0,
  };
}

/**
 * One page over disjoint queries shown one after the other (e.g. urgent jobs first, then the
 * rest), each in the stable order of `pageOf`. The cursor says which query and where in it.
 */
export async function pageOfSegments<C extends CollectionName>(
  ctx: CallContext,
  collection: C,
  segments: readonly object[],
  request: { cursor?: string; limit?: number },
  sort: readonly SortKey[] = [],
): Promise<Page<DocOf<C>>> {
  const limit = Math.min(LIST_MAX, Math.max(1, request.limit ?? LIST_DEFAULT));
  let seg = 0;
  let inner: string | undefined;
  if (request.cursor) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(request.cursor, 'base64url').toString('utf8'));
    } catch {
      badCursor();
    }
    if (
      !Array.isArray(parsed) ||
      parsed.length !== 2 ||
      !Number.isInteger(parsed[0]) ||
      parsed[0] < 0 ||
      parsed[0] >= segments.length
    )
      badCursor();
    if (parsed[1] !== null && typeof parsed[1] !== 'string') badCursor();
    seg = parsed[0] as number;
    inner = (parsed[1] as string | null) ?? undefined;
  }
  const counts = await Promise.all(
    segments.map(async (where) => (await ctx.db.collection(collection).where(where).count()).total ?? 0),
  );
  const total = counts.reduce((a, b) => a + b, 0);
  const encode = (at: number, c: string | null) => Buffer.from(JSON.stringify([at, c])).toString('base64url');
  const items: DocOf<C>[] = [];
  while (seg < segments.length) {
    if (items.length >= limit)
      return { items, nextCursor: counts.slice(seg).some((n) => n > 0) ? encode(seg, null) : null, total };
    // An empty segment needs no read; a segment's total is known from the counts above.
    if ((counts[seg] ?? 0) === 0) {
      seg += 1;
      inner = undefined;
      continue;
    }
    const page = await pageOf(
      ctx,
      collection,
      segments[seg] as object,
      { cursor: inner, limit: limit - items.length },
      sort,
      counts[seg],
    );
    items.push(...page.items);
    if (page.nextCursor) return { items, nextCursor: encode(seg, page.nextCursor), total };
    seg += 1;
    inner = undefined;
  }
  return { items, nextCursor: null, total };
}

/** A page with its items turned into views. */
export function mapPage<T, V>(page: Page<T>, view: (item: T) => V): Page<V> {
  return { items: page.items.map(view), nextCursor: page.nextCursor, total: page.total };
}

/** A QR code as an SVG data URL (the `image` component shows SVG; no PNG encoding on the server). */
export async function qrDataUrl(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/** One stage of an aggregation, among those CloudBase documents (`Aggregate.match` … `unwind`). */
export type Stage =
  | { match: object }
  | { project: object }
  | { group: object }
  | { lookup: { from: CollectionName; localField: string; foreignField: string; as: string } }
  | { unwind: string };

/** The chain `collection.aggregate()` answers (its stage methods are added at run time, untyped). */
type Chain = {
  [K in 'match' | 'project' | 'group' | 'lookup' | 'unwind' | 'sort' | 'skip' | 'limit']: (value: unknown) => Chain;
} & { end(): Promise<{ data: unknown[] }> };

/** The aggregation operators of `db.command.aggregate` this project uses (untyped in the SDK). */
export type AggregateOps = Record<
  'addToSet' | 'and' | 'cond' | 'eq' | 'filter' | 'gt' | 'gte' | 'ifNull' | 'in' | 'lt' | 'neq' | 'size' | 'sum',
  (arg: unknown) => object
>;

/** `db.command.aggregate`, typed. */
export function aggregateOps(ctx: CallContext): AggregateOps {
  return ctx.db.command.aggregate as unknown as AggregateOps;
}

/**
 * Every row an aggregation answers, 1,000 at a time in `_id` order (CloudBase answers only 20 rows
 * of an aggregation without a `limit`): counting in the database, one request per 1,000 rows
 * instead of one per 1,000 documents read whole.
 */
export async function aggregateAll<T>(
  ctx: CallContext,
  collection: CollectionName,
  stages: readonly Stage[],
): Promise<T[]> {
  const out: T[] = [];
  for (let skip = 0; ; skip += PAGE) {
    let chain = ctx.db.collection(collection).aggregate() as unknown as Chain;
    for (const stage of stages)
      for (const [name, value] of Object.entries(stage)) chain = chain[name as 'match'](value);
    chain = chain.sort({ _id: 1 });
    if (skip > 0) chain = chain.skip(skip);
    const rows = (await chain.limit(PAGE).end()).data as T[];
    out.push(...rows);
    if (rows.length < PAGE) return out;
  }
}
