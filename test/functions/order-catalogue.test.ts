/** @jest-environment node */
/**
 * Keeping the catalogue and the ordering rounds (community admin): every item listed (hidden ones
 * too), restocking by a quantity as one atomic increment that orders placed meanwhile cannot undo,
 * and the rounds, the latest first.
 */
import type { HouseholdDoc } from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';
import { shopDoc, shopItem } from '../helpers/shop';

let t: TestCloud;
let residents: Array<{ openid: string; household: HouseholdDoc }>;
let seq = 0;
const rid = () => `cat-${String((seq += 1)).padStart(8, '0')}`;

beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 3, households: 120, joinedShare: 1, at: new Date() } });
  const households = (await t.db.collection('households').orderBy('_id', 'asc').limit(1000).get())
    .data as HouseholdDoc[];
  residents = households
    .filter((h) => h.memberOpenids.length > 0)
    .map((h) => ({ openid: h.memberOpenids[0] as string, household: h }));
}, 60_000);
afterAll(() => t.close());

const stored = (id: string, communityId?: string) => shopItem(t, id, communityId);
const input = {
  category: 'vegetable' as const,
  unit: '斤' as const,
  priceFen: 200,
  perHouseholdLimit: 50,
  active: true,
};

describe('the catalogue, as the admin keeps it', () => {
  it('lists every item, hidden ones too, page by page', async () => {
    const hidden = await t.ok('dev-admin', 'order.saveItem', { ...input, name: '下架的菠菜', stock: 3, active: false });
    expect(hidden).toMatchObject({ name: '下架的菠菜', active: false, stock: 3, soldOut: false });
    expect(hidden).not.toHaveProperty('holds');
    // The residents do not see it.
    expect((await t.ok(residents[0]!.openid, 'order.catalog', {})).items.some((i) => i.id === hidden.id)).toBe(false);

    const first = await t.ok('dev-admin', 'order.items', { limit: 5 });
    const seen = [...first.items];
    for (let cursor = first.nextCursor; cursor;) {
      const page = await t.ok('dev-admin', 'order.items', { limit: 5, cursor });
      seen.push(...page.items);
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(first.total);
    expect(new Set(seen.map((i) => i.id)).size).toBe(first.total);
    expect(seen.find((i) => i.id === hidden.id)).toMatchObject({ active: false });
    expect(JSON.stringify(seen)).not.toMatch(/holds|restocks/);

    // Shown again.
    const shown = await t.ok('dev-admin', 'order.saveItem', { ...input, id: hidden.id, name: '菠菜', active: true });
    expect(shown).toMatchObject({ name: '菠菜', active: true, stock: 3 });
    expect((await t.ok(residents[0]!.openid, 'order.catalog', {})).items.some((i) => i.id === hidden.id)).toBe(true);

    expect(await t.call('dev-gw-01', 'order.items', {})).toMatchObject({ ok: false, code: 'AUTH.NOT_ADMIN' });
  });

  it('restocks by a quantity, once per request, and only items of its own community', async () => {
    const item = await t.ok('dev-admin', 'order.saveItem', { ...input, name: '土豆', stock: 10 });
    const requestId = rid();
    const [a, b] = await Promise.all([
      t.ok('dev-admin', 'order.restock', { itemId: item.id, qty: 25 }, requestId),
      t.ok('dev-admin', 'order.restock', { itemId: item.id, qty: 25 }, requestId),
    ]);
    expect([a.stock, b.stock]).toEqual([35, 35]);
    expect((await t.ok('dev-admin', 'order.restock', { itemId: item.id, qty: 25 }, requestId)).stock).toBe(35);
    expect((await t.ok('dev-admin', 'order.restock', { itemId: item.id, qty: 5 }, rid())).stock).toBe(40);
    expect(await t.call('dev-admin', 'order.restock', { itemId: 'no-such-item', qty: 5 }, rid())).toMatchObject({
      ok: false,
      code: 'COMMON.NOT_FOUND',
    });
    expect(await t.call('dev-admin', 'order.restock', { itemId: item.id, qty: 0 }, rid())).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
    });
    // The item moved to another community's shop: this admin cannot restock it.
    const _ = t.db.command;
    const moved = await stored(item.id);
    await t.db.collection('shops').add({
      _id: 'c-elsewhere',
      communityId: 'c-elsewhere',
      items: { [item.id]: moved },
      rounds: [],
      placing: {},
      returning: {},
      restocking: {},
    });
    await t.db
      .collection('shops')
      .doc('c-xingfu')
      .update({ [`items.${item.id}`]: _.remove() });
    expect(await t.call('dev-admin', 'order.restock', { itemId: item.id, qty: 5 }, rid())).toMatchObject({
      ok: false,
      code: 'COMMON.NOT_FOUND',
    });
    expect((await stored(item.id, 'c-elsewhere')).stock).toBe(40);
  });

  it('keeps every unit when restocks and orders come in at the same time', async () => {
    const item = await t.ok('dev-admin', 'order.saveItem', { ...input, name: '白菜', stock: 10 });
    const buyers = residents.slice(20, 60);
    const orders = buyers.map((b) =>
      t.call(
        b.openid,
        'order.place',
        { kind: 'grocery', lines: [{ itemId: item.id, qty: 1 }], payment: 'transfer', contactless: true },
        rid(),
      ),
    );
    const restocks = Array.from({ length: 6 }, () =>
      t.call('dev-admin', 'order.restock', { itemId: item.id, qty: 4 }, rid()),
    );
    const [placed, added] = await Promise.all([Promise.all(orders), Promise.all(restocks)]);
    expect(added.every((r) => r.ok)).toBe(true);
    const sold = placed.filter((r) => r.ok).length;
    for (const r of placed.filter((x) => !x.ok)) expect(r).toMatchObject({ code: 'ORDER.OUT_OF_STOCK' });
    expect(sold).toBeGreaterThanOrEqual(10);
    const after = await stored(item.id);
    // 10 at the start, 6 × 4 restocked, one taken by each order placed: none lost, none made up.
    expect(after.stock).toBe(10 + 24 - sold);
    expect(after.stock).toBeGreaterThanOrEqual(0);
    expect((await shopDoc(t)).placing).toEqual({});
    expect(
      (await t.db.collection('orders').where({ 'lines.itemId': item.id, status: 'submitted' }).count()).total,
    ).toBe(sold);
  });
});

describe('item ids that name no item', () => {
  it('refuses prototype names as item ids without writing (not found, never an internal error)', async () => {
    for (const id of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(await t.call('dev-admin', 'order.saveItem', { ...input, id, name: '测试' })).toMatchObject({
        ok: false,
        code: 'COMMON.NOT_FOUND',
      });
      expect(await t.call('dev-admin', 'order.restock', { itemId: id, qty: 1 }, rid())).toMatchObject({
        ok: false,
        code: 'COMMON.NOT_FOUND',
      });
    }
  });
});

describe('weight per unit (what volunteers carry)', () => {
  it('is kept on the item, travels with each order line, and weighs the order in the pool', async () => {
    const rice = await t.ok('dev-admin', 'order.saveItem', {
      ...input,
      unit: '袋',
      name: '大米 10斤装',
      stock: 50,
      kgPerUnit: 5,
    });
    expect(rice).toMatchObject({ kgPerUnit: 5 });
    expect((await stored(rice.id)).kgPerUnit).toBe(5);
    // A change that leaves the weight out keeps it; impossible weights are refused.
    await t.ok('dev-admin', 'order.saveItem', { ...input, unit: '袋', id: rice.id, name: '大米 10斤装（东北）' });
    expect((await stored(rice.id)).kgPerUnit).toBe(5);
    for (const kgPerUnit of [0, -1, 101, Number.NaN])
      expect(
        await t.call('dev-admin', 'order.saveItem', { ...input, unit: '袋', id: rice.id, name: '大米', kgPerUnit }),
      ).toMatchObject({ ok: false, code: 'COMMON.INVALID_INPUT' });
    // Two bags ordered: 10 kg on the line and in the gridworker's pool (a 袋 without a weight would be 1 kg).
    const buyer = residents[70] as (typeof residents)[number];
    const placed = await t.ok(
      buyer.openid,
      'order.place',
      { kind: 'grocery', lines: [{ itemId: rice.id, qty: 2 }], payment: 'transfer', contactless: true },
      rid(),
    );
    expect(placed.lines).toEqual([expect.objectContaining({ itemId: rice.id, qty: 2, kgPerUnit: 5 })]);
    const gw = (await t.db.collection('grids').doc(buyer.household.gridId).get()).data[0] as {
      gridworkerIds: string[];
    };
    const pool = await t.ok(gw.gridworkerIds[0] as string, 'dispatch.pool', {
      gridId: buyer.household.gridId,
      status: 'submitted',
    });
    expect(pool.items.find((o) => o.id === placed.id)?.weightKg).toBe(10);
  });
});

describe('ordering rounds, as the admin opens them', () => {
  it('opens a round once per request and lists the rounds, the latest opening first', async () => {
    const now = Date.now();
    const requestId = rid();
    const payload = {
      name: '第9批次',
      opensAt: new Date(now + 3600_000).toISOString(),
      closesAt: new Date(now + 7200_000).toISOString(),
    };
    const opened = await t.ok('dev-admin', 'order.openRound', payload, requestId);
    expect(opened).toMatchObject({ name: '第9批次', open: false });
    expect((await t.ok('dev-admin', 'order.openRound', payload, requestId)).id).toBe(opened.id);
    const rounds = await t.ok('dev-admin', 'order.rounds', {});
    expect(rounds.items.filter((r) => r.name === '第9批次')).toHaveLength(1);
    expect(rounds.items[0]).toMatchObject({ id: opened.id, open: false });
    expect(rounds.items.some((r) => r.open)).toBe(true);
    const opens = rounds.items.map((r) => Date.parse(r.opensAt));
    expect([...opens].sort((a, b) => b - a)).toEqual(opens);
    expect(await t.call('dev-gw-01', 'order.rounds', {})).toMatchObject({ ok: false, code: 'AUTH.NOT_ADMIN' });
  });
});
