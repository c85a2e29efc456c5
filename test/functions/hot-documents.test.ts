/** @jest-environment node */
/**
 * Issue 16 — no hot, ever-growing documents. Stock is a counter on the community's shop and quota a
 * counter on the household, both moved by conditional increments with a marker written in the same
 * update; no document keeps a list of orders. Proven here: 200 orders leave the shop and the
 * households the size they were; races sell exactly what there is; a retried tap takes nothing
 * twice; cancel, reject, a crash and a release cut short give stock and quota back exactly once.
 */
import { sweepPlacing } from '../../server/functions/order';
import { database } from '../../server/lib/cloud';
import { requestKey } from '../../server/lib/idempotency';
import { finishRelease } from '../../server/lib/holds';
import { COLLECTIONS } from '../../server/lib/schema';
import type { HouseholdDoc, OrderDoc, ShopDoc } from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';
import { crashedPlacement, quotaUsed, setStock, shopDoc, stockOf } from '../helpers/shop';

let t: TestCloud;
let residents: Array<{ openid: string; household: HouseholdDoc }>;
let seq = 0;
const rid = () => `hot-${String((seq += 1)).padStart(8, '0')}`;
const VEG = ['item-009', 'item-010', 'item-011', 'item-012', 'item-013'];

beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 3, households: 260, joinedShare: 1, at: new Date() } });
  const households = (await t.db.collection('households').orderBy('_id', 'asc').limit(1000).get())
    .data as HouseholdDoc[];
  residents = households
    .filter((h) => h.memberOpenids.length > 0)
    .map((h) => ({ openid: h.memberOpenids[0] as string, household: h }));
  // Enough of every vegetable that the counters keep their number of digits.
  for (const id of VEG) await setStock(t, id, 500_000);
}, 60_000);
afterAll(() => t.close());

const resident = (i: number) => residents[i] as { openid: string; household: HouseholdDoc };
const sizeOf = (doc: unknown) => JSON.stringify(doc).length;
const householdDoc = async (id: string) => (await t.db.collection('households').doc(id).get()).data[0] as HouseholdDoc;
const orderOf = async (id: string) => (await t.db.collection('orders').doc(id).get()).data[0] as OrderDoc | undefined;
const sweepAt = (at: Date) =>
  sweepPlacing({ caller: null, requestId: null, now: at, db: database(), invocationId: `sweep-${at.getTime()}` });
/** Digits of counters may change (e.g. 499 999 → 499 998 does not, 10 → 9 does): a few bytes at most. */
const DIGITS = 12;

function threeLines(i: number) {
  return VEG.filter((_v, k) => k !== i % 5 && k !== (i + 2) % 5).map((itemId) => ({ itemId, qty: 1 }));
}

function grocery(lines: Array<{ itemId: string; qty: number }>) {
  return { kind: 'grocery' as const, lines, payment: 'cashOnDelivery' as const, contactless: false };
}

describe('no document grows with the number of orders', () => {
  it('200 three-line orders leave the shop and each household the size they were', async () => {
    const households = residents.slice(0, 100);
    const placed: string[] = [];
    // A first order from a few households, to measure from.
    for (const [i, r] of households.slice(0, 5).entries())
      placed.push((await t.ok(r.openid, 'order.place', grocery(threeLines(i)), rid())).id);
    const shopBefore = sizeOf(await shopDoc(t));
    const firstOrderOf = new Map<string, number>();
    for (const r of households) if (!firstOrderOf.has(r.household._id)) firstOrderOf.set(r.household._id, 0);

    // Then 195 more: every household one or two orders, the first five a second one.
    const sizeAfterFirst = new Map<string, number>();
    for (let n = 5; n < 200; n += 1) {
      const r = households[n % 100] as (typeof households)[number];
      placed.push((await t.ok(r.openid, 'order.place', grocery(threeLines(n)), rid())).id);
      if (!sizeAfterFirst.has(r.household._id) && n < 100)
        sizeAfterFirst.set(r.household._id, sizeOf(await householdDoc(r.household._id)));
    }
    expect(new Set(placed).size).toBe(200);

    const shop = await shopDoc(t);
    expect(Math.abs(sizeOf(shop) - shopBefore)).toBeLessThanOrEqual(DIGITS);
    expect(shop.placing).toEqual({});
    // No order id anywhere on the shop.
    const shopText = JSON.stringify(shop);
    expect(placed.some((id) => shopText.includes(id))).toBe(false);

    // A household that ordered twice is the size it was after its first order, holding one order id at most.
    for (const [id, size] of sizeAfterFirst) {
      const doc = await householdDoc(id);
      expect(Math.abs(sizeOf(doc) - size)).toBeLessThanOrEqual(DIGITS);
      expect(placed.filter((o) => JSON.stringify(doc).includes(o)).length).toBeLessThanOrEqual(1);
    }
    // And what they hold adds up: 600 units of vegetables in all, each household's quota its own.
    const taken = VEG.reduce((n, id) => n + (500_000 - (shop.items[id]?.stock ?? 0)), 0);
    expect(taken).toBe(600);
    const used = await Promise.all(households.map((r) => quotaUsed(t, r.household._id)));
    expect(used.reduce((n, u) => n + Object.values(u).reduce((a, b) => a + b, 0), 0)).toBe(600);
  });

  it('the collections that held order lists are gone, and no order keeps a list of others', async () => {
    expect(COLLECTIONS).not.toContain('quotas');
    expect(COLLECTIONS).not.toContain('catalog');
    const [order] = (await t.db.collection('orders').limit(1).get()).data as OrderDoc[];
    expect(order).toBeDefined();
    expect(Object.keys(order as OrderDoc)).not.toContain('holds');
  });
});

describe('races', () => {
  it('sells exactly the last 10 units to 50 households ordering at once, never going below zero', async () => {
    await setStock(t, 'item-006', 10); // 鸡蛋, 5 per household
    const buyers = residents.slice(100, 150);
    let lowest = 10;
    let racing = true;
    const watch = (async () => {
      while (racing) {
        lowest = Math.min(lowest, await stockOf(t, 'item-006'));
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const results = await Promise.all(
      buyers.map((b) =>
        t.call(
          b.openid,
          'order.place',
          grocery([
            { itemId: 'item-006', qty: 1 },
            { itemId: 'item-009', qty: 1 },
          ]),
          rid(),
        ),
      ),
    );
    racing = false;
    await watch;
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    for (const r of results.filter((x) => !x.ok)) expect(r).toMatchObject({ code: 'ORDER.OUT_OF_STOCK' });
    expect(await stockOf(t, 'item-006')).toBe(0);
    expect(lowest).toBeGreaterThanOrEqual(0);
    // The refused 40 left nothing behind: no quota, no marker, and the other line's stock is back.
    const shop = await shopDoc(t);
    expect(shop.placing).toEqual({});
    const withEggs = await Promise.all(buyers.map((b) => quotaUsed(t, b.household._id)));
    expect(withEggs.filter((u) => (u['item-006'] ?? 0) > 0)).toHaveLength(10);
    expect(withEggs.filter((u) => (u['item-009'] ?? 0) > 0)).toHaveLength(10);
  });

  it('one household ordering many times at once never gets past its quota', async () => {
    const r = resident(150);
    const before = await stockOf(t, 'item-011'); // 西红柿, 5 per household
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.call(r.openid, 'order.place', grocery([{ itemId: 'item-011', qty: 2 }]), rid()),
      ),
    );
    const ok = results.filter((x) => x.ok).length;
    expect(ok).toBeGreaterThanOrEqual(1);
    expect(ok).toBeLessThanOrEqual(2);
    for (const x of results.filter((y) => !y.ok))
      expect(['ORDER.QUOTA_EXCEEDED', 'COMMON.CONFLICT']).toContain((x as { code: string }).code);
    expect((await quotaUsed(t, r.household._id))['item-011']).toBe(2 * ok);
    expect(await stockOf(t, 'item-011')).toBe(before - 2 * ok);
    expect((await shopDoc(t)).placing).toEqual({});
    // Once the dust settles the rest of the quota can be had, and no more.
    const last = await t.call(r.openid, 'order.place', grocery([{ itemId: 'item-011', qty: 5 - 2 * ok }]), rid());
    expect(last).toMatchObject({ ok: true });
    expect(await t.call(r.openid, 'order.place', grocery([{ itemId: 'item-011', qty: 1 }]), rid())).toMatchObject({
      ok: false,
      code: 'ORDER.QUOTA_EXCEEDED',
    });
  });
});

describe('a retried tap', () => {
  it('answers the same order and takes stock and quota once, even after the household ordered again', async () => {
    const r = resident(160);
    const requestId = rid();
    const input = grocery([{ itemId: 'item-012', qty: 2 }]);
    const stock = await stockOf(t, 'item-012');
    const first = await t.ok(r.openid, 'order.place', input, requestId);
    const again = await t.ok(r.openid, 'order.place', input, requestId);
    expect(again.id).toBe(first.id);
    // Another order of the household between the tap and a late retry of it.
    await t.ok(r.openid, 'order.place', grocery([{ itemId: 'item-012', qty: 1 }]), rid());
    const late = await t.ok(r.openid, 'order.place', input, requestId);
    expect(late.id).toBe(first.id);
    expect(await stockOf(t, 'item-012')).toBe(stock - 3);
    expect((await quotaUsed(t, r.household._id))['item-012']).toBe(3);
    expect((await t.db.collection('orders').where({ householdId: r.household._id }).count()).total).toBe(2);
    expect((await shopDoc(t)).placing).toEqual({});
  });

  it('finishes a placement cut short after taking stock and quota, without taking them again', async () => {
    const r = resident(161);
    const requestId = rid();
    const orderId = requestKey({ caller: { openid: r.openid }, requestId } as never, `order.place:${r.household._id}`);
    const stock = await stockOf(t, 'item-010');
    // The first attempt took stock and quota and died before writing the order.
    await crashedPlacement(t, {
      orderId,
      householdId: r.household._id,
      lines: { 'item-010': 3 },
      at: new Date().toISOString(),
    });
    const resumed = await t.ok(r.openid, 'order.place', grocery([{ itemId: 'item-010', qty: 3 }]), requestId);
    expect(resumed.id).toBe(orderId);
    expect(resumed.lines).toMatchObject([{ itemId: 'item-010', qty: 3 }]);
    expect(await stockOf(t, 'item-010')).toBe(stock - 3);
    expect((await quotaUsed(t, r.household._id))['item-010']).toBe(3);
    expect((await shopDoc(t)).placing[orderId]).toBeUndefined();
    // The sweeper, later, has nothing to undo.
    const swept = await sweepAt(new Date(Date.now() + 10 * 60_000));
    expect(await stockOf(t, 'item-010')).toBe(stock - 3);
    expect(swept.undone).toBe(0);
    expect(await orderOf(orderId)).toMatchObject({ status: 'submitted' });
  });
});

describe('what an order held comes back exactly once', () => {
  it('on cancel, even cancelled twice', async () => {
    const r = resident(170);
    const stock = await stockOf(t, 'item-013');
    const order = await t.ok(r.openid, 'order.place', grocery([{ itemId: 'item-013', qty: 2 }]), rid());
    expect(await stockOf(t, 'item-013')).toBe(stock - 2);
    const both = await Promise.all([
      t.call(r.openid, 'order.cancel', { orderId: order.id }),
      t.call(r.openid, 'order.cancel', { orderId: order.id }),
    ]);
    expect(both.some((x) => x.ok)).toBe(true);
    await t.ok(r.openid, 'order.cancel', { orderId: order.id });
    expect(await stockOf(t, 'item-013')).toBe(stock);
    expect((await quotaUsed(t, r.household._id))['item-013']).toBe(0);
    expect(await orderOf(order.id)).toMatchObject({ status: 'cancelled', release: { state: 'done' } });
    // The sweeper finds nothing more to give back.
    await sweepAt(new Date(Date.now() + 20 * 60_000));
    expect(await stockOf(t, 'item-013')).toBe(stock);
    expect((await shopDoc(t)).returning[order.id]).toBeUndefined();
  });

  it('on reject', async () => {
    const r = resident(7);
    const gw = `dev-gw-${r.household.gridId.slice(2)}`;
    const stock = await stockOf(t, 'item-009');
    const order = await t.ok(r.openid, 'order.place', grocery([{ itemId: 'item-009', qty: 4 }]), rid());
    const used = (await quotaUsed(t, r.household._id))['item-009'] ?? 0;
    await t.ok(gw, 'dispatch.review', { orderIds: [order.id], accept: false, reason: '土豆今日缺货' });
    expect(await t.ok(gw, 'dispatch.review', { orderIds: [order.id], accept: false, reason: '土豆今日缺货' })).toEqual({
      changed: 0,
      skipped: 1,
    });
    expect(await stockOf(t, 'item-009')).toBe(stock);
    expect((await quotaUsed(t, r.household._id))['item-009']).toBe(used - 4);
  });

  it('on a crash: the sweeper undoes a placement that never wrote its order, once', async () => {
    const r = resident(180);
    const stock = await stockOf(t, 'item-012');
    const at = new Date();
    await crashedPlacement(t, {
      orderId: 'hot-crashed',
      householdId: r.household._id,
      lines: { 'item-012': 2 },
      at: at.toISOString(),
    });
    expect((await sweepAt(new Date(at.getTime() + 10_000))).undone).toBe(0); // still in flight
    expect((await sweepAt(new Date(at.getTime() + 61_000))).undone).toBe(1);
    expect((await sweepAt(new Date(at.getTime() + 122_000))).undone).toBe(0);
    expect(await stockOf(t, 'item-012')).toBe(stock);
    expect((await quotaUsed(t, r.household._id))['item-012'] ?? 0).toBe(0);
    expect(await orderOf('hot-crashed')).toBeUndefined();
  });

  it('when a release is cut short: finished by the sweeper, never given twice, even by two at once', async () => {
    const r = resident(190);
    const stock = await stockOf(t, 'item-011');
    const placed = await t.ok(r.openid, 'order.place', grocery([{ itemId: 'item-011', qty: 3 }]), rid());
    // Cancelled, then cut short before anything came back.
    const at = new Date(Date.now() - 5 * 60_000).toISOString();
    await t.db
      .collection('orders')
      .doc(placed.id)
      .update({ status: 'cancelled', release: { state: 'pending', at } });
    const order = (await orderOf(placed.id)) as OrderDoc;
    // Two finishers at once, then the sweeper: stock and quota back once.
    await Promise.all([
      finishRelease({ caller: null, requestId: null, now: new Date(), db: database(), invocationId: 'a' }, order),
      finishRelease({ caller: null, requestId: null, now: new Date(), db: database(), invocationId: 'b' }, order),
    ]);
    await sweepAt(new Date());
    expect(await stockOf(t, 'item-011')).toBe(stock);
    expect((await quotaUsed(t, r.household._id))['item-011'] ?? 0).toBe(0);
    expect(await orderOf(placed.id)).toMatchObject({ release: { state: 'done' } });
    // Markers go a while after, not before.
    expect((await shopDoc(t)).returning[placed.id]).toBeDefined();
    await sweepAt(new Date(Date.now() + 20 * 60_000));
    const shop: ShopDoc = await shopDoc(t);
    expect(shop.returning[placed.id]).toBeUndefined();
    expect((await householdDoc(r.household._id)).ordering?.returning?.[placed.id]).toBeUndefined();
    expect(await stockOf(t, 'item-011')).toBe(stock);
  });
});

describe('the catalogue and restocks', () => {
  it('restocks once per request: the shop keeps recent keys only, the log keeps them all', async () => {
    const stock = await stockOf(t, 'item-004');
    const requestId = rid();
    await Promise.all([
      t.ok('dev-admin', 'order.restock', { itemId: 'item-004', qty: 7 }, requestId),
      t.ok('dev-admin', 'order.restock', { itemId: 'item-004', qty: 7 }, requestId),
    ]);
    await t.ok('dev-admin', 'order.restock', { itemId: 'item-004', qty: 7 }, requestId);
    expect(await stockOf(t, 'item-004')).toBe(stock + 7);
    expect(Object.keys((await shopDoc(t)).restocking)).toHaveLength(1);
    await sweepAt(new Date(Date.now() + 20 * 60_000));
    expect((await shopDoc(t)).restocking).toEqual({});
    expect((await t.db.collection('restocks').where({ itemId: 'item-004' }).count()).total).toBe(1);
    // After the marker is gone, the log still answers a retry without adding.
    await t.ok('dev-admin', 'order.restock', { itemId: 'item-004', qty: 7 }, requestId);
    expect(await stockOf(t, 'item-004')).toBe(stock + 7);
  });

  it('shows the resident the gridworkers to contact with the order, in one read', async () => {
    const r = resident(200);
    const order = await t.ok(r.openid, 'order.place', grocery([{ itemId: 'item-009', qty: 1 }]), rid());
    const grid = (await t.db.collection('grids').doc(r.household.gridId).get()).data[0] as { gridworkerIds: string[] };
    const before = t.cloud.db.stats();
    const detail = await t.ok(r.openid, 'order.detail', { orderId: order.id });
    const after = t.cloud.db.stats();
    expect(after.reads + after.writes - before.reads - before.writes).toBe(1);
    expect(detail.contacts).toHaveLength(grid.gridworkerIds.length);
    expect(detail.contacts.every((c) => c.role === 'gridworker' && c.name.length > 0)).toBe(true);
  });
});
