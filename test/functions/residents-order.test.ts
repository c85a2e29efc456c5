import type { HouseholdDoc, OrderDoc } from '../../typings/entities';
import { timerContext } from '../../localcloud/invoke';
import { startTestCloud, type TestCloud } from '../helpers/cloud';
import { crashedPlacement, quotaUsed, setRoundClosesAt, setStock, shopDoc, shopItem } from '../helpers/shop';

let t: TestCloud;
let residents: Array<{ openid: string; household: HouseholdDoc }>;
let seq = 0;
const rid = () => `req-${String((seq += 1)).padStart(8, '0')}`;

beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 3, households: 120, joinedShare: 1, at: new Date() } });
  const households = (await t.db.collection('households').orderBy('_id', 'asc').limit(1000).get())
    .data as HouseholdDoc[];
  residents = households
    .filter((h) => h.memberOpenids.length > 0)
    .map((h) => ({ openid: h.memberOpenids[0] as string, household: h }));
});
afterAll(() => t.close());

const resident = (i: number) => residents[i] as { openid: string; household: HouseholdDoc };
const item = (id: string) => shopItem(t, id);

describe('catalogue', () => {
  it('shows the open round and what this household may still order, in explicit units', async () => {
    const cat = await t.ok(resident(0).openid, 'order.catalog', {});
    expect(cat.round).toMatchObject({ name: '第1批次', open: true });
    const bag = cat.items.find((i) => i.category === 'loveBag');
    expect(bag).toMatchObject({ unit: '份', priceFen: 0, remaining: 1, soldOut: false });
    expect(cat.items.every((i) => i.unit.length > 0)).toBe(true);
    expect(JSON.stringify(cat)).not.toContain('holds');
  });

  it('is only for members of a household', async () => {
    expect(await t.call('stranger', 'order.catalog', {})).toMatchObject({ ok: false, code: 'AUTH.NOT_MEMBER' });
  });
});

describe('placing an order', () => {
  it('gives one free 爱心菜包 per household per round', async () => {
    const r = resident(0);
    const order = await t.ok(r.openid, 'order.place', { kind: 'loveBag', payment: 'free', contactless: true }, rid());
    expect(order).toMatchObject({
      status: 'submitted',
      kind: 'loveBag',
      totalFen: 0,
      payment: 'free',
      contactless: true,
      canCancel: true,
    });
    expect(
      await t.call(r.openid, 'order.place', { kind: 'loveBag', payment: 'free', contactless: true }, rid()),
    ).toMatchObject({
      ok: false,
      code: 'ORDER.QUOTA_EXCEEDED',
    });
  });

  it('makes one order of a retried tap, taking stock once', async () => {
    const r = resident(1);
    const before = (await item('item-002')).stock;
    const requestId = rid();
    const input = {
      kind: 'grocery' as const,
      lines: [{ itemId: 'item-002', qty: 1 }],
      payment: 'cashOnDelivery' as const,
      contactless: true,
    };
    const answers = await Promise.all([
      t.call(r.openid, 'order.place', input, requestId),
      t.call(r.openid, 'order.place', input, requestId),
    ]);
    const again = await t.ok(r.openid, 'order.place', input, requestId);
    const ids = new Set([...answers.filter((a) => a.ok).map((a) => (a.ok ? a.data.id : '')), again.id]);
    expect(ids.size).toBe(1);
    for (const a of answers.filter((x) => !x.ok)) expect(a).toMatchObject({ code: 'COMMON.CONFLICT' });
    expect(
      (await t.db.collection('orders').where({ householdId: r.household._id, kind: 'grocery' }).count()).total,
    ).toBe(1);
    expect((await item('item-002')).stock).toBe(before - 1);
    expect(again.totalFen).toBe(4500);
  });

  it('sells exactly the last 10 when 50 households order at once', async () => {
    await setStock(t, 'item-008', 10);
    const buyers = residents.slice(10, 60);
    const results = await Promise.all(
      buyers.map((b) =>
        t.call(
          b.openid,
          'order.place',
          { kind: 'grocery', lines: [{ itemId: 'item-008', qty: 1 }], payment: 'transfer', contactless: true },
          rid(),
        ),
      ),
    );
    const ok = results.filter((r) => r.ok);
    expect(ok).toHaveLength(10);
    for (const r of results.filter((x) => !x.ok)) expect(r).toMatchObject({ code: 'ORDER.OUT_OF_STOCK' });
    const stored = await item('item-008');
    expect(stored.stock).toBe(0);
    // Nothing left in flight on the shop: every marker cleared once its order was written.
    expect((await shopDoc(t)).placing).toEqual({});
    expect(
      (await t.db.collection('orders').where({ 'lines.itemId': 'item-008', status: 'submitted' }).count()).total,
    ).toBe(10);
    // Nobody's quota was spent by an order that did not happen.
    const quotas = (
      await t.db
        .collection('households')
        .where({ 'ordering.used.item-008': t.db.command.gt(0) })
        .count()
    ).total;
    expect(quotas).toBe(10);
  });

  it('enforces the per-household limit across orders of the round', async () => {
    const r = resident(2);
    const place = (qty: number) =>
      t.call(
        r.openid,
        'order.place',
        { kind: 'grocery', lines: [{ itemId: 'item-005', qty }], payment: 'cashOnDelivery', contactless: false },
        rid(),
      );
    expect(await place(1)).toMatchObject({ ok: true });
    expect(await place(1)).toMatchObject({ ok: false, code: 'ORDER.QUOTA_EXCEEDED' });
  });

  it('flags orders of special-needs households as priority', async () => {
    const needy = residents.find((x) => x.household.priority);
    expect(needy).toBeDefined();
    const order = await t.ok(
      needy!.openid,
      'order.place',
      {
        kind: 'medicine',
        medicine: { description: '硝苯地平 2盒', urgency: 'urgent' },
        payment: 'cashOnDelivery',
        contactless: true,
      },
      rid(),
    );
    expect(order).toMatchObject({
      priority: true,
      kind: 'medicine',
      medicine: { urgency: 'urgent', prescriptionFileId: null },
    });
  });

  it('takes a gas refill as two legs', async () => {
    const order = await t.ok(
      resident(3).openid,
      'order.place',
      { kind: 'gas', gasCylinders: 1, payment: 'cashOnDelivery', contactless: false },
      rid(),
    );
    expect(order.gas).toEqual({ collectEmpty: 'pending', returnFull: 'pending' });
    expect(order.lines[0]).toMatchObject({ unit: '罐', qty: 1, priceFen: 11000 });
  });

  it('refuses bad input with clear codes', async () => {
    const r = resident(4);
    const bad = [
      [{ kind: 'grocery', lines: [], payment: 'transfer', contactless: true }, 'COMMON.INVALID_INPUT'],
      [
        { kind: 'grocery', lines: [{ itemId: 'item-002', qty: 1 }], payment: 'free', contactless: true },
        'COMMON.INVALID_INPUT',
      ],
      [
        { kind: 'grocery', lines: [{ itemId: 'item-001', qty: 1 }], payment: 'free', contactless: true },
        'COMMON.INVALID_INPUT',
      ],
      [
        { kind: 'grocery', lines: [{ itemId: 'nope', qty: 1 }], payment: 'transfer', contactless: true },
        'ORDER.ITEM_UNAVAILABLE',
      ],
      [
        { kind: 'grocery', lines: [{ itemId: 'item-002', qty: 0 }], payment: 'transfer', contactless: true },
        'COMMON.INVALID_INPUT',
      ],
      [{ kind: 'medicine', payment: 'free', contactless: true }, 'COMMON.INVALID_INPUT'],
    ] as const;
    for (const [input, code] of bad)
      expect(await t.call(r.openid, 'order.place', input as never, rid())).toMatchObject({ ok: false, code });
    expect(
      await t.call(r.openid, 'order.place', { kind: 'loveBag', payment: 'free', contactless: true }),
    ).toMatchObject({ ok: false, code: 'COMMON.INVALID_INPUT' });
  });

  it('lets a gridworker order for a household of their grid (代下单), and only their grid', async () => {
    const elder = residents.find((x) => x.household.gridId === 'g-01' && x !== resident(0)) as {
      household: HouseholdDoc;
    };
    const order = await t.ok(
      'dev-gw-01',
      'order.place',
      { kind: 'loveBag', payment: 'free', contactless: true, forHouseholdId: elder.household._id },
      rid(),
    );
    expect(order.onBehalf).toBe(true);
    const other = residents.find((x) => x.household.gridId === 'g-02') as { household: HouseholdDoc };
    expect(
      await t.call(
        'dev-gw-01',
        'order.place',
        { kind: 'loveBag', payment: 'free', contactless: true, forHouseholdId: other.household._id },
        rid(),
      ),
    ).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_GRIDWORKER',
    });
  });

  it('refuses orders outside the round', async () => {
    await setRoundClosesAt(t, 'round-001', new Date(Date.now() - 1000).toISOString());
    expect(
      await t.call(resident(5).openid, 'order.place', { kind: 'loveBag', payment: 'free', contactless: true }, rid()),
    ).toMatchObject({
      ok: false,
      code: 'ORDER.ROUND_CLOSED',
    });
    await setRoundClosesAt(t, 'round-001', new Date(Date.now() + 86400_000).toISOString());
  });
});

describe('keeping the catalogue', () => {
  it('lets the community admin add and restock items, and nobody else', async () => {
    const added = await t.ok('dev-admin', 'order.saveItem', {
      name: '白萝卜',
      category: 'vegetable',
      unit: '斤',
      priceFen: 150,
      stock: 40,
      perHouseholdLimit: 5,
      active: true,
    });
    expect(added).toMatchObject({ name: '白萝卜', unit: '斤', stock: 40, soldOut: false });
    const cat = await t.ok(resident(80).openid, 'order.catalog', {});
    expect(cat.items.find((i) => i.id === added.id)).toMatchObject({ remaining: 5 });
    const restocked = await t.ok('dev-admin', 'order.saveItem', {
      id: added.id,
      name: '白萝卜',
      category: 'vegetable',
      unit: '斤',
      priceFen: 150,
      stock: 0,
      perHouseholdLimit: 5,
      active: true,
    });
    expect(restocked.soldOut).toBe(true);
    expect(
      await t.call('dev-gw-01', 'order.saveItem', {
        name: 'x',
        category: 'daily',
        unit: '个',
        priceFen: 1,
        perHouseholdLimit: 1,
        active: true,
      }),
    ).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_ADMIN',
    });
    expect(
      await t.call('dev-admin', 'order.saveItem', {
        name: 'x',
        category: 'daily',
        unit: 'kg' as never,
        priceFen: 1,
        perHouseholdLimit: 1,
        active: true,
      }),
    ).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
    });
  });

  it('opens a new ordering round for the community', async () => {
    const now = Date.now();
    const round = await t.ok('dev-admin', 'order.openRound', {
      name: '第2批次',
      opensAt: new Date(now).toISOString(),
      closesAt: new Date(now + 3600_000).toISOString(),
    });
    expect(round).toMatchObject({ name: '第2批次', open: true });
    expect((await t.ok(resident(81).openid, 'order.catalog', {})).round?.name).toBe('第2批次');
    expect(
      await t.call('dev-admin', 'order.openRound', {
        name: 'bad',
        opensAt: new Date(now).toISOString(),
        closesAt: new Date(now - 1).toISOString(),
      }),
    ).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
    });
  });
});

describe('following an order', () => {
  it('lists my orders newest first, and hides other households’ orders', async () => {
    const r = resident(6);
    const first = await t.ok(r.openid, 'order.place', { kind: 'loveBag', payment: 'free', contactless: true }, rid());
    const second = await t.ok(
      r.openid,
      'order.place',
      {
        kind: 'medicine',
        medicine: { description: '布洛芬 1盒', urgency: 'normal' },
        payment: 'cashOnDelivery',
        contactless: true,
      },
      rid(),
    );
    const mine = await t.ok(r.openid, 'order.mine', {});
    expect(mine.items.map((o) => o.id)).toEqual([second.id, first.id]);
    expect(mine).toMatchObject({ total: 2, nextCursor: null });
    expect(await t.call(resident(7).openid, 'order.detail', { orderId: first.id })).toMatchObject({
      ok: false,
      code: 'COMMON.NOT_FOUND',
    });
    expect(await t.call('dev-gw-03', 'order.detail', { orderId: first.id })).toMatchObject(
      r.household.gridId === 'g-03' ? { ok: true } : { ok: false, code: 'COMMON.NOT_FOUND' },
    );
    const detail = await t.ok(r.openid, 'order.detail', { orderId: first.id });
    expect(detail.history.map((h) => h.status)).toEqual(['submitted']);
    expect(detail.contacts[0]).toMatchObject({ role: 'gridworker' });
  });

  it('cancels before pickup, giving stock and quota back; not after pickup', async () => {
    const r = resident(8);
    const stockBefore = (await item('item-001')).stock;
    const order = await t.ok(r.openid, 'order.place', { kind: 'loveBag', payment: 'free', contactless: true }, rid());
    expect((await item('item-001')).stock).toBe(stockBefore - 1);
    const cancelled = await t.ok(r.openid, 'order.cancel', { orderId: order.id });
    expect(cancelled.status).toBe('cancelled');
    expect((await item('item-001')).stock).toBe(stockBefore);
    expect(await t.ok(r.openid, 'order.cancel', { orderId: order.id })).toMatchObject({ status: 'cancelled' });
    expect((await item('item-001')).stock).toBe(stockBefore);
    const again = await t.ok(r.openid, 'order.place', { kind: 'loveBag', payment: 'free', contactless: true }, rid());
    await t.db.collection('orders').doc(again.id).update({ status: 'pickedUp' });
    expect(await t.call(r.openid, 'order.cancel', { orderId: again.id })).toMatchObject({
      ok: false,
      code: 'ORDER.CANNOT_CANCEL',
    });
  });

  it('confirms receipt only once delivered, and auto-confirms after a day', async () => {
    const r = resident(9);
    const order = await t.ok(r.openid, 'order.place', { kind: 'loveBag', payment: 'free', contactless: true }, rid());
    expect(await t.call(r.openid, 'order.confirm', { orderId: order.id })).toMatchObject({
      ok: false,
      code: 'ORDER.BAD_STATE',
    });
    await t.db.collection('orders').doc(order.id).update({ status: 'delivered' });
    expect(await t.ok(r.openid, 'order.confirm', { orderId: order.id })).toMatchObject({
      status: 'received',
      canConfirm: false,
    });

    const other = await t.ok(
      resident(11).openid,
      'order.place',
      { kind: 'loveBag', payment: 'free', contactless: true },
      rid(),
    );
    await t.db
      .collection('orders')
      .doc(other.id)
      .update({ status: 'delivered', updatedAt: new Date(Date.now() - 25 * 3600_000).toISOString() });
    const { main } = await import('../../server/functions/order');
    expect(await main({ Type: 'Timer', TriggerName: 'autoConfirm' }, timerContext('order'))).toMatchObject({
      ok: true,
      data: { confirmed: 1 },
    });
    const stored = (await t.db.collection('orders').doc(other.id).get()).data[0] as OrderDoc;
    expect(stored.status).toBe('received');
    expect(stored.history.at(-1)).toMatchObject({ by: 'system', note: '超时自动确认收货' });
  });

  it('undoes a placement cut off by a crash: stock and quota come back', async () => {
    const r = resident(70);
    const stockBefore = (await item('item-003')).stock;
    // What a crash after taking stock and quota leaves behind: the shop's marker and the household's journal, no order.
    const old = new Date(Date.now() - 10 * 60_000).toISOString();
    await crashedPlacement(t, {
      orderId: 'crashed-order',
      householdId: r.household._id,
      lines: { 'item-003': 2 },
      at: old,
    });
    expect((await item('item-003')).stock).toBe(stockBefore - 2);
    expect((await quotaUsed(t, r.household._id))['item-003']).toBe(2);
    const { main } = await import('../../server/functions/order');
    expect(await main({ Type: 'Timer', TriggerName: 'sweepPlacing' }, timerContext('order'))).toMatchObject({
      ok: true,
      data: { undone: 1 },
    });
    expect((await item('item-003')).stock).toBe(stockBefore);
    expect((await shopDoc(t)).placing['crashed-order']).toBeUndefined();
    const cat = await t.ok(r.openid, 'order.catalog', {});
    expect(cat.items.find((i) => i.id === 'item-003')?.remaining).toBe(2);
    expect((await t.db.collection('orders').doc('crashed-order').get()).data).toEqual([]);
  });

  it('tells the household when a gridworker cancels (subscribe message via the outbox)', async () => {
    const r = residents.find((x) => x.household.gridId === 'g-02') as { openid: string; household: HouseholdDoc };
    const order = await t.ok(
      r.openid,
      'order.place',
      { kind: 'gas', payment: 'cashOnDelivery', contactless: true },
      rid(),
    );
    await t.ok('dev-gw-02', 'order.cancel', { orderId: order.id, reason: '气站今日停供' });
    const msgs = (await t.db.collection('outbox').where({ openid: r.openid, template: 'orderStatus' }).get()).data;
    expect(msgs[0]).toMatchObject({ sentAt: null, data: { status: '已取消', note: '气站今日停供' } });
  });
});
