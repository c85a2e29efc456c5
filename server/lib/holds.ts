/**
 * What an order holds — stock of its community's shop, its household's quota of the round — and
 * giving it back exactly once, without any document growing with the number of orders.
 *
 * Stock is a counter per item on the community's shop document and quota a counter per item on the
 * household's `ordering`; both move by conditional increments. What makes a move exact under
 * retries and crashes is a marker written *in the same update* as the increment, on the same
 * document, and removed once the move is settled:
 * - a placement's `shop.placing[orderId]` (stock taken, order not written yet): removed right after
 *   the order is written, so the shop holds only placements in flight;
 * - the household's `ordering.placing` (its latest placement: one slot, overwritten by the next);
 * - a release's `shop.returning[orderId]` and `ordering.returning[orderId]` (given back): removed
 *   by the sweeper a while after the order's `release` is done.
 * The sweeper (order function, every minute) finishes or undoes whatever a crash cut short.
 */
import type { HouseholdOrdering, OrderDoc, ShopDoc, ShopItem, StockHold } from '../../typings/entities';
import type { CatalogItem } from '../../typings/entities';
import type { CallContext } from './define-function';
import { getByIds, getDoc } from './access';
import { all } from './query';
import { isDuplicateError } from './db-errors';

/** A release's markers are removed this long after they were written (longer than any invocation runs). */
export const MARKER_TTL_MS = 15 * 60_000;

/** Item id → quantity of an order's lines. */
export function linesQty(lines: ReadonlyArray<{ itemId: string; qty: number }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of lines) out[l.itemId] = (out[l.itemId] ?? 0) + l.qty;
  return out;
}

/** `{ 'items.<id>.stock': inc(sign × qty) }` for each line. */
export function stockMoves(ctx: CallContext, qty: Record<string, number>, sign: 1 | -1): Record<string, unknown> {
  const _ = ctx.db.command;
  return Object.fromEntries(Object.entries(qty).map(([id, q]) => [`items.${id}.stock`, _.inc(sign * q)]));
}

/** `{ 'ordering.used.<id>': inc(sign × qty) }` for each line. */
export function quotaMoves(ctx: CallContext, qty: Record<string, number>, sign: 1 | -1): Record<string, unknown> {
  const _ = ctx.db.command;
  return Object.fromEntries(Object.entries(qty).map(([id, q]) => [`ordering.used.${id}`, _.inc(sign * q)]));
}

/** The items of a shop as catalogue items (ids restored), by id (as the catalogue was always listed). */
/**
 * One item of a shop by id, as an own key only: an id such as `__proto__` or `constructor` names no
 * item (a plain `items[id]` would answer Object's prototype).
 */
export function shopItem(shop: Pick<ShopDoc, 'items'> | null | undefined, id: string): ShopItem | undefined {
  const items = shop?.items;
  return items && Object.hasOwn(items, id) ? items[id] : undefined;
}

export function shopItems(shop: Pick<ShopDoc, 'communityId' | 'items'> | null): CatalogItem[] {
  if (!shop) return [];
  return Object.entries(shop.items ?? {})
    .map(([id, item]: [string, ShopItem]) => ({ _id: id, communityId: shop.communityId, ...item }))
    .sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
}

/** The household's quota use in a round (nothing when its ordering is of another round). */
export function usedIn(ordering: HouseholdOrdering | undefined, roundId: string | undefined): Record<string, number> {
  return ordering && roundId && ordering.roundId === roundId ? ordering.used : {};
}

// ── releasing: an order cancelled or rejected gives back its stock and quota ──

/** What a status change that ends an order early writes beside it: a release, for orders that hold something. */
export function releasePatch(order: Pick<OrderDoc, 'lines'>, now: string): Partial<Pick<OrderDoc, 'release'>> {
  return order.lines.length ? { release: { state: 'pending', at: now } } : {};
}

/**
 * Gives back the stock and quota of a released order, each exactly once (marker-guarded), then
 * marks the release done. Safe to repeat and to run concurrently: a cut-short release is finished
 * by the next call or by the sweeper.
 */
export async function finishRelease(
  ctx: CallContext,
  order: Pick<OrderDoc, '_id' | 'communityId' | 'householdId' | 'roundId' | 'lines' | 'release'>,
): Promise<void> {
  if (order.lines.length === 0 || order.release?.state === 'done') return;
  const _ = ctx.db.command;
  const now = ctx.now.toISOString();
  const qty = linesQty(order.lines);
  await Promise.all([
    ctx.db
      .collection('shops')
      .where({ _id: order.communityId, [`returning.${order._id}`]: _.exists(false) })
      .update({ ...stockMoves(ctx, qty, 1), [`returning.${order._id}`]: now }),
    // Quota only matters within its round: once the household orders in a later round it starts afresh.
    ctx.db
      .collection('households')
      .where({
        _id: order.householdId,
        'ordering.roundId': order.roundId,
        [`ordering.returning.${order._id}`]: _.exists(false),
      })
      .update({ ...quotaMoves(ctx, qty, -1), [`ordering.returning.${order._id}`]: now }),
  ]);
  await ctx.db
    .collection('orders')
    .where({ _id: order._id, 'release.state': 'pending' })
    .update({ release: { state: 'done', at: now } });
}

// ── the sweeper's part ──

/** How one stale placement marker was resolved. */
type Resolution = 'settled' | 'undone' | 'skipped';

/**
 * Resolves a placement marker older than the placing timeout: its order written by the same
 * attempt → the marker goes; otherwise the placement is undone (quota, then stock, each exactly
 * once). A resume of the placement racing the sweeper is stopped by the `undo` fence first.
 */
async function resolvePlacement(
  ctx: CallContext,
  shopId: string,
  orderId: string,
  hold: StockHold,
  order: OrderDoc | undefined,
  cutoff: string,
): Promise<Resolution> {
  const _ = ctx.db.command;
  const shops = ctx.db.collection('shops');
  const key = `placing.${orderId}`;
  if (order && order.placeNonce === hold.nonce) {
    await shops.where({ _id: shopId, [`${key}.nonce`]: hold.nonce }).update({ [key]: _.remove() });
    return 'settled';
  }
  if (!hold.undo) {
    const fenced = await shops
      .where({
        _id: shopId,
        [`${key}.nonce`]: hold.nonce,
        [`${key}.at`]: _.lt(cutoff),
        [`${key}.undo`]: _.exists(false),
      })
      .update({ [`${key}.undo`]: true });
    if (!fenced.updated) return 'skipped'; // resumed (or resolved) meanwhile
  }
  await ctx.db
    .collection('households')
    .where({
      _id: hold.householdId,
      'ordering.placing.orderId': orderId,
      'ordering.placing.nonce': hold.nonce,
    })
    .update({ ...quotaMoves(ctx, hold.lines, -1), 'ordering.placing': null });
  await shops
    .where({ _id: shopId, [`${key}.nonce`]: hold.nonce })
    .update({ ...stockMoves(ctx, hold.lines, 1), [key]: _.remove() });
  return 'undone';
}

/**
 * The sweeper: undoes placements a crash cut short (stock and quota back, no order), finishes
 * releases cut short, and clears markers nobody needs any more. Answers what it did.
 */
export async function sweepHolds(
  ctx: CallContext,
  placingTimeoutMs: number,
): Promise<{ undone: number; settled: number; released: number }> {
  const _ = ctx.db.command;
  const nowMs = ctx.now.getTime();
  const cutoff = new Date(nowMs - placingTimeoutMs).toISOString();
  const markerCutoff = new Date(nowMs - MARKER_TTL_MS).toISOString();
  const out = { undone: 0, settled: 0, released: 0 };

  // Releases cut short: every one, not a first page.
  const pending = await all(ctx, 'orders', { 'release.state': 'pending', 'release.at': _.lt(cutoff) });
  for (const order of pending) {
    await finishRelease(ctx, order);
    out.released += 1;
  }

  // The shops (one per community): placements in flight too long, release markers grown old.
  const shops = await all(ctx, 'shops', {}, { communityId: true, placing: true, returning: true, restocking: true });
  for (const shop of shops) {
    const stale = Object.entries(shop.placing ?? {}).filter(([, h]) => h.at < cutoff);
    const oldReturns = Object.entries(shop.returning ?? {})
      .filter(([, at]) => at < markerCutoff)
      .map(([id]) => id);
    const oldRestocks = Object.entries(shop.restocking ?? {}).filter(([, r]) => r.at < markerCutoff);
    if (oldRestocks.length) await clearRestocks(ctx, shop._id, oldRestocks);
    if (stale.length === 0 && oldReturns.length === 0) continue;
    const orders = new Map(
      (await getByIds(ctx, 'orders', [...stale.map(([id]) => id), ...oldReturns])).map((o) => [o._id, o]),
    );
    for (const [orderId, hold] of stale) {
      const r = await resolvePlacement(ctx, shop._id, orderId, hold, orders.get(orderId), cutoff);
      if (r === 'undone') out.undone += 1;
      if (r === 'settled') out.settled += 1;
    }
    // A release marker goes once its release is done (or its order is gone); a pending one was finished above.
    const done = oldReturns.filter((id) => orders.get(id)?.release?.state !== 'pending');
    for (const id of done) {
      const householdId = orders.get(id)?.householdId;
      if (householdId)
        await ctx.db
          .collection('households')
          .where({ _id: householdId, [`ordering.returning.${id}`]: _.exists(true) })
          .update({ [`ordering.returning.${id}`]: _.remove() });
    }
    if (done.length)
      await ctx.db
        .collection('shops')
        .doc(shop._id)
        .update(Object.fromEntries(done.map((id) => [`returning.${id}`, _.remove()])));
  }
  return out;
}

/** Restock markers grown old go, once their log entry is surely written (a restock cut short writes it here). */
async function clearRestocks(
  ctx: CallContext,
  shopId: string,
  markers: ReadonlyArray<[string, ShopDoc['restocking'][string]]>,
): Promise<void> {
  const _ = ctx.db.command;
  const logged = new Set(
    (
      await getByIds(
        ctx,
        'restocks',
        markers.map(([key]) => key),
      )
    ).map((r) => r._id),
  );
  for (const [key, r] of markers) {
    if (logged.has(key)) continue;
    try {
      await ctx.db
        .collection('restocks')
        .add({ _id: key, communityId: shopId, itemId: r.itemId, qty: r.qty, by: r.by, at: r.at });
    } catch (error) {
      if (!isDuplicateError(error)) throw error;
    }
  }
  await ctx.db
    .collection('shops')
    .doc(shopId)
    .update(Object.fromEntries(markers.map(([key]) => [`restocking.${key}`, _.remove()])));
}

/** The shop of a community (null before its first item or round). */
export const getShop = (ctx: CallContext, communityId: string) => getDoc(ctx, 'shops', communityId);
