/**
 * Issue 10 — lists that page, placements that leave nothing, references that exist.
 * Every list answers pages (`items`, `nextCursor`, `total`) in a stable order: paging through a
 * list bigger than a page returns every item exactly once. A refused placement leaves no order,
 * stock or quota behind; a placement cut off by a crash is undone within 2 minutes.
 */
import { PLACING_TIMEOUT_MS } from '../../core/policy';
import { sweepPlacing } from '../../server/functions/order';
import { TIMERS } from '../../server/functions/registry';
import { database } from '../../server/lib/cloud';
import type { ActionName, CallResult, Page, Req } from '../../typings/api';
import type { HouseholdDoc, JobDoc, JobStop, JoinRequestDoc, OrderDoc, VolunteerDoc } from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';
import { crashedPlacement, quotaUsed, setStock, shopDoc, shopItem } from '../helpers/shop';

let t: TestCloud;
let households: HouseholdDoc[];
let seq = 0;
const rid = () => `req-lpt-${String((seq += 1)).padStart(8, '0')}`;
const base = Date.parse('2026-12-01T02:00:00.000Z');
const at = (s: number) => new Date(base + s * 1000).toISOString();

beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 3, households: 120, joinedShare: 1, at: new Date() } });
  households = (
    (await t.db.collection('households').orderBy('_id', 'asc').limit(1000).get()).data as HouseholdDoc[]
  ).filter((h) => h.memberOpenids.length > 0);
});
afterAll(() => t.close());

/** Pages through a list action to its end; answers every item and the totals seen. */
async function everyPage<A extends ActionName, T extends { id: string }>(
  openid: string,
  action: A,
  payload: Req<A>,
  limit: number,
): Promise<{ ids: string[]; pages: number; totals: number[] }> {
  const ids: string[] = [];
  const totals: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = (await t.call(openid, action, {
      ...payload,
      limit,
      ...(cursor ? { cursor } : {}),
    } as Req<A>)) as CallResult<A>;
    if (!res.ok) throw new Error(`${action}: ${res.code} ${res.message}`);
    const page = res.data as unknown as Page<T>;
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items.map((i) => i.id));
    totals.push(page.total);
    cursor = page.nextCursor;
    pages += 1;
    if (pages > 100) throw new Error('paging never ends');
  } while (cursor);
  return { ids, pages, totals };
}

function orderDoc(i: number, over: Partial<OrderDoc> = {}): OrderDoc {
  const h = households.filter((x) => x.gridId === 'g-01')[i % 20] as HouseholdDoc;
  return {
    _id: `lpt-o-${String(i).padStart(4, '0')}`,
    communityId: h.communityId,
    gridId: h.gridId,
    buildingId: h.buildingId,
    householdId: h._id,
    room: h.room,
    roundId: 'round-001',
    kind: 'grocery',
    lines: [{ itemId: 'item-009', name: '土豆', unit: '斤', qty: 2, priceFen: 200 }],
    medicine: null,
    gas: null,
    totalFen: 400,
    payment: 'cashOnDelivery',
    contactless: false,
    note: '',
    priority: i % 7 === 0,
    status: 'submitted',
    placedBy: h.memberOpenids[0] as string,
    onBehalf: false,
    rejectReason: null,
    history: [],
    // Many share a createdAt: the order must still be total (ties broken by id).
    createdAt: at(Math.floor(i / 4)),
    updatedAt: at(Math.floor(i / 4)),
    ...over,
  } as OrderDoc;
}

function jobDoc(id: string, over: Partial<JobDoc> & { urgent?: boolean } = {}): JobDoc {
  const { urgent, ...rest } = over;
  const stop: JobStop = {
    orderId: `${id}-o`,
    householdId: 'h-x',
    buildingId: 'b-001',
    room: '1-101',
    floor: 1,
    weightKg: 1,
    priority: Boolean(urgent),
    medicine: false,
    lines: [],
    notify: [],
  };
  return {
    _id: id,
    communityId: 'c-xingfu',
    gridId: 'g-02',
    roundId: 'round-001',
    buildingIds: ['b-001'],
    buildingNames: ['1号楼'],
    title: id,
    stops: [stop],
    orderIds: [stop.orderId],
    pending: [stop.orderId],
    weightKg: 1,
    status: 'open',
    volunteerId: null,
    reason: '',
    assignedAt: null,
    pickupBy: null,
    pickedUpAt: null,
    pickupShortfall: [],
    history: [],
    createdAt: at(0),
    updatedAt: at(0),
    ...rest,
  };
}

async function addAll(collection: string, docs: object[]): Promise<void> {
  for (const d of docs) await t.db.collection(collection).add(d);
}

const sorted = (ids: string[]) => [...ids].sort();

describe('lists page: every item exactly once, with a total', () => {
  it('dispatch.pool pages 120 waiting orders, special needs first, never a placing one', async () => {
    const docs = Array.from({ length: 120 }, (_, i) => orderDoc(i));
    await addAll('orders', [...docs, orderDoc(999, { _id: 'lpt-o-placing', status: 'placing' })]);
    const seen = await everyPage('dev-gw-01', 'dispatch.pool', { gridId: 'g-01', status: 'submitted' }, 50);
    expect(seen.ids).toHaveLength(120);
    expect(new Set(seen.ids).size).toBe(120);
    expect(sorted(seen.ids)).toEqual(sorted(docs.map((d) => d._id)));
    expect(seen.pages).toBe(3);
    expect(seen.totals.every((n) => n === 120)).toBe(true);
    // Special needs first, across pages.
    const priority = docs.filter((d) => d.priority).map((d) => d._id);
    expect(sorted(seen.ids.slice(0, priority.length))).toEqual(sorted(priority));

    const first = await t.ok('dev-gw-01', 'dispatch.pool', { gridId: 'g-01', status: 'submitted' });
    expect(first.items.length).toBeLessThanOrEqual(50);
    expect(first.nextCursor).not.toBeNull();
    expect(first.total).toBe(120);
    expect(first.counts.submitted).toBe(120);
  });

  it('dispatch.pool neither skips nor repeats when orders leave the list between pages', async () => {
    const p1 = await t.ok('dev-gw-01', 'dispatch.pool', { gridId: 'g-01', status: 'submitted', limit: 40 });
    // The gridworker accepts the first page; the rest must all still come.
    await t.ok('dev-gw-01', 'dispatch.review', { orderIds: p1.items.map((o) => o.id), accept: true });
    const rest: string[] = [];
    let cursor = p1.nextCursor;
    while (cursor) {
      const p = await t.ok('dev-gw-01', 'dispatch.pool', { gridId: 'g-01', status: 'submitted', limit: 40, cursor });
      rest.push(...p.items.map((o) => o.id));
      cursor = p.nextCursor;
    }
    expect(rest).toHaveLength(80);
    expect(rest.filter((id) => p1.items.some((o) => o.id === id))).toEqual([]);
  });

  it('refuses a forged cursor or an oversized page as bad input', async () => {
    expect(await t.call('dev-gw-01', 'dispatch.pool', { gridId: 'g-01', cursor: 'not-a-cursor' })).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
    });
    expect(await t.call('dev-gw-01', 'dispatch.pool', { gridId: 'g-01', limit: 5000 })).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
    });
    expect(
      await t.call('dev-gw-01', 'grid.joinRequests', {
        gridId: 'g-01',
        cursor: Buffer.from('[1,2,3,4]').toString('base64url'),
      }),
    ).toMatchObject({ ok: false, code: 'COMMON.INVALID_INPUT' });
  });

  it('grid.joinRequests pages 230 pending requests', async () => {
    const docs: JoinRequestDoc[] = Array.from({ length: 230 }, (_, i) => ({
      _id: `lpt-j-${String(i).padStart(4, '0')}`,
      openid: `lpt-joiner-${i}`,
      communityId: 'c-xingfu',
      gridId: 'g-03',
      buildingId: 'b-001',
      room: `9-${1000 + i}`,
      headName: '测试',
      phone: '13900001111',
      via: 'manual',
      status: 'pending',
      reason: null,
      householdId: null,
      createdAt: at(Math.floor(i / 10)),
      reviewedBy: null,
      reviewedAt: null,
    }));
    await addAll('joinRequests', docs);
    const seen = await everyPage('dev-gw-03', 'grid.joinRequests', { gridId: 'g-03' }, 100);
    const mine = seen.ids.filter((id) => id.startsWith('lpt-j-'));
    expect(mine).toHaveLength(230);
    expect(new Set(seen.ids).size).toBe(seen.ids.length);
    expect(seen.totals[0]).toBe(seen.ids.length);
    // Newest first.
    expect(mine[0]).toMatch(/^lpt-j-02[2-9]/);
  });

  it('dispatch.openJobs pages 130 open jobs, urgent ones first', async () => {
    const vol: VolunteerDoc = {
      _id: 'lpt-vol',
      communityId: 'c-xingfu',
      gridIds: ['g-02'],
      status: 'approved',
      team: 'delivery',
      buildingIds: [],
      onDuty: true,
      capacityKg: 15,
    } as unknown as VolunteerDoc;
    await t.db.collection('volunteers').add(vol);
    const jobs = Array.from({ length: 130 }, (_, i) =>
      jobDoc(`lpt-job-${String(i).padStart(4, '0')}`, { urgent: i % 9 === 0, createdAt: at(i % 13) }),
    );
    await addAll('jobs', jobs);
    const seen = await everyPage('lpt-vol', 'dispatch.openJobs', {}, 50);
    expect(seen.ids).toHaveLength(130);
    expect(sorted(seen.ids)).toEqual(sorted(jobs.map((j) => j._id)));
    expect(seen.totals.every((n) => n === 130)).toBe(true);
    const urgent = jobs.filter((j) => j.stops[0]?.priority).map((j) => j._id);
    expect(sorted(seen.ids.slice(0, urgent.length))).toEqual(sorted(urgent));
  });

  it('dispatch.myJobs pages 75 jobs of one volunteer: on the way, then to pick up, then done', async () => {
    const statuses = ['done', 'assigned', 'pickedUp'] as const;
    const jobs = Array.from({ length: 75 }, (_, i) =>
      jobDoc(`lpt-mine-${String(i).padStart(4, '0')}`, {
        status: statuses[i % 3],
        volunteerId: 'lpt-mine',
        updatedAt: at(i % 5),
      }),
    );
    await addAll('jobs', jobs);
    const seen = await everyPage('lpt-mine', 'dispatch.myJobs', {}, 20);
    expect(seen.ids).toHaveLength(75);
    expect(new Set(seen.ids).size).toBe(75);
    const statusOf = new Map(jobs.map((j) => [j._id, j.status]));
    const rank = { pickedUp: 0, assigned: 1, done: 2 } as Record<string, number>;
    const ranks = seen.ids.map((id) => rank[statusOf.get(id) as string]);
    expect(ranks).toEqual([...ranks].sort((a, b) => (a as number) - (b as number)));
  });
});

describe('grid.households pages', () => {
  it('pages every household of a grid exactly once, with the total and how many joined', async () => {
    const stored = (await t.db.collection('households').where({ gridId: 'g-02' }).get()).data as HouseholdDoc[];
    const seen = await everyPage('dev-gw-02', 'grid.households', { gridId: 'g-02' }, 7);
    expect(seen.ids).toHaveLength(stored.length);
    expect(sorted(seen.ids)).toEqual(sorted(stored.map((h) => h._id)));
    expect(seen.pages).toBe(Math.ceil(stored.length / 7));
    const first = await t.ok('dev-gw-02', 'grid.households', { gridId: 'g-02', limit: 7 });
    expect(first.total).toBe(stored.length);
    expect(first.joined).toBe(stored.filter((h) => h.memberOpenids.length > 0).length);
  });
});

describe('the other lists page too', () => {
  it('order.mine pages a household’s 60 orders, newest first, never a placing one', async () => {
    const h = households[60] as HouseholdDoc;
    const docs = Array.from({ length: 60 }, (_, i) =>
      orderDoc(i, {
        _id: `lpt-mine-o-${String(i).padStart(3, '0')}`,
        householdId: h._id,
        createdAt: at(1000 + Math.floor(i / 3)),
      }),
    );
    await addAll('orders', [
      ...docs,
      orderDoc(0, { _id: 'lpt-mine-placing', householdId: h._id, status: 'placing', createdAt: at(5000) }),
    ]);
    const seen = await everyPage(h.memberOpenids[0] as string, 'order.mine', {}, 25);
    expect(seen.ids).toHaveLength(60);
    expect(sorted(seen.ids)).toEqual(sorted(docs.map((d) => d._id)));
    expect(seen.totals.every((n) => n === 60)).toBe(true);
  });

  it('org.codes pages 130 codes', async () => {
    await addAll(
      'roleCodes',
      Array.from({ length: 130 }, (_, i) => ({
        _id: `LPTC${String(i).padStart(4, '0')}`,
        communityId: 'c-xingfu',
        role: 'volunteer',
        gridId: null,
        maxUses: 1,
        used: 0,
        redeemers: {},
        revoked: false,
        createdBy: 'dev-admin',
        createdAt: at(i % 10),
        expiresAt: at(999_999),
      })),
    );
    const res = await t.ok('dev-admin', 'org.codes', { limit: 100 });
    const ids: string[] = res.items.map((c) => c.code);
    let cursor = res.nextCursor;
    while (cursor) {
      const next = await t.ok('dev-admin', 'org.codes', { limit: 100, cursor });
      ids.push(...next.items.map((c) => c.code));
      cursor = next.nextCursor;
    }
    expect(ids.filter((c) => c.startsWith('LPTC'))).toHaveLength(130);
    expect(new Set(ids).size).toBe(ids.length);
    expect(res.total).toBe(ids.length);
  });

  it('volunteer.shifts pages 230 upcoming shifts', async () => {
    const day = new Date(Date.now() + 3 * 24 * 3600_000).toISOString().slice(0, 10);
    await addAll(
      'shifts',
      Array.from({ length: 230 }, (_, i) => ({
        _id: `lpt-shift-${String(i).padStart(4, '0')}`,
        communityId: 'c-xingfu',
        team: 'checkpoint',
        title: `卡点${i}`,
        place: '北门',
        date: day,
        start: '08:00',
        end: '12:00',
        startAt: `${day}T00:00:00.000Z`,
        endAt: `${day}T04:00:00.000Z`,
        capacity: 4,
        taken: 0,
        seats: {},
        qualifications: [],
        cancelBeforeHours: 2,
        status: 'open',
        createdBy: 'dev-admin',
        createdAt: at(0),
      })),
    );
    const seen = await everyPage('dev-admin', 'volunteer.shifts', {}, 100);
    expect(seen.ids.filter((id) => id.startsWith('lpt-shift-'))).toHaveLength(230);
    expect(new Set(seen.ids).size).toBe(seen.ids.length);
  });
});

describe('placement leaves nothing behind', () => {
  const resident = (i: number) => households[i] as HouseholdDoc;
  const item = (id: string) => shopItem(t, id);
  const ordersOf = async (householdId: string) =>
    (await t.db.collection('orders').where({ householdId }).get()).data as OrderDoc[];

  it('a placement refused for quota writes no order and holds no stock or quota', async () => {
    const h = resident(40);
    const openid = h.memberOpenids[0] as string;
    // 菜籽油 (item-005): 1 per household.
    const first = await t.ok(
      openid,
      'order.place',
      { kind: 'grocery', lines: [{ itemId: 'item-005', qty: 1 }], payment: 'cashOnDelivery', contactless: false },
      rid(),
    );
    const stock = (await item('item-005')).stock;
    const stock9 = (await item('item-009')).stock;
    const before = await ordersOf(h._id);
    const refused = await t.call(
      openid,
      'order.place',
      {
        kind: 'grocery',
        lines: [
          { itemId: 'item-009', qty: 2 },
          { itemId: 'item-005', qty: 1 },
        ],
        payment: 'cashOnDelivery',
        contactless: false,
      },
      rid(),
    );
    expect(refused).toMatchObject({ ok: false, code: 'ORDER.QUOTA_EXCEEDED' });
    const after = await ordersOf(h._id);
    expect(after.map((o) => o._id)).toEqual(before.map((o) => o._id));
    expect(after.some((o) => o.status === 'placing')).toBe(false);
    expect((await item('item-005')).stock).toBe(stock);
    expect((await item('item-009')).stock).toBe(stock9);
    expect(after.map((o) => o._id)).toEqual([first.id]);
    expect(await quotaUsed(t, h._id)).toMatchObject({ 'item-005': 1 });
    expect((await quotaUsed(t, h._id))['item-009'] ?? 0).toBe(0);
    expect((await shopDoc(t)).placing).toEqual({});
  });

  it('a placement refused for stock gives the quota back and writes no order', async () => {
    const h = resident(41);
    const openid = h.memberOpenids[0] as string;
    await setStock(t, 'item-008', 1);
    const stock9 = (await item('item-009')).stock;
    const refused = await t.call(
      openid,
      'order.place',
      {
        kind: 'grocery',
        lines: [
          { itemId: 'item-009', qty: 3 },
          { itemId: 'item-008', qty: 2 },
        ],
        payment: 'cashOnDelivery',
        contactless: false,
      },
      rid(),
    );
    expect(refused).toMatchObject({ ok: false, code: 'ORDER.OUT_OF_STOCK' });
    expect(await ordersOf(h._id)).toEqual([]);
    expect((await item('item-009')).stock).toBe(stock9);
    expect(Object.values(await quotaUsed(t, h._id)).every((n) => n === 0)).toBe(true);
    expect((await shopDoc(t)).placing).toEqual({});
  });

  it('the sweeper runs every minute and undoes a crashed placement within 2 minutes', async () => {
    const spec = TIMERS.find((x) => x.fn === 'order');
    expect(spec?.trigger).toBe('everyMinute');
    expect(spec?.everyMs).toBeLessThanOrEqual(60_000);
    expect(spec?.cron).toBe('0 */1 * * * * *');
    expect(PLACING_TIMEOUT_MS + (spec?.everyMs ?? Infinity)).toBeLessThanOrEqual(120_000);

    const h = resident(42);
    const crashedAt = new Date();
    const stock = (await item('item-003')).stock;
    const used = (await quotaUsed(t, h._id))['item-003'] ?? 0;
    await crashedPlacement(t, {
      orderId: 'lpt-crashed',
      householdId: h._id,
      lines: { 'item-003': 2 },
      at: crashedAt.toISOString(),
    });
    const ctxAt = (ms: number) => ({
      caller: null,
      requestId: null,
      now: new Date(crashedAt.getTime() + ms),
      db: database(),
      invocationId: `sweep-${ms}`,
    });

    // Still being placed 20 s later (a live placement): left alone.
    await sweepPlacing(ctxAt(20_000));
    expect((await shopDoc(t)).placing['lpt-crashed']).toBeDefined();
    expect((await item('item-003')).stock).toBe(stock - 2);
    // The sweep after the 2-minute mark at the latest frees it.
    expect((await sweepPlacing(ctxAt(120_000 - 60_000 + 1))).undone).toBeGreaterThanOrEqual(1);
    expect((await item('item-003')).stock).toBe(stock);
    expect((await shopDoc(t)).placing['lpt-crashed']).toBeUndefined();
    expect((await quotaUsed(t, h._id))['item-003'] ?? 0).toBe(used);
    expect((await t.db.collection('orders').doc('lpt-crashed').get()).data).toEqual([]);
    // Swept again: nothing more comes back.
    await sweepPlacing(ctxAt(200_000));
    expect((await item('item-003')).stock).toBe(stock);
  });

  it('the sweeper undoes every stale placement, not a first batch', async () => {
    const old = new Date(Date.now() - 10 * 60_000).toISOString();
    const stock = (await item('item-004')).stock;
    for (let i = 0; i < 130; i += 1)
      await crashedPlacement(t, {
        orderId: `lpt-stale-${i}`,
        householdId: resident(50 + (i % 20))._id,
        lines: { 'item-004': 1 },
        at: old,
      });
    expect((await item('item-004')).stock).toBe(stock - 130);
    const res = await sweepPlacing({
      caller: null,
      requestId: null,
      now: new Date(),
      db: database(),
      invocationId: 'sweep-all',
    });
    expect(res.undone).toBeGreaterThanOrEqual(130);
    expect((await shopDoc(t)).placing).toEqual({});
    expect((await item('item-004')).stock).toBe(stock);
  });
});

describe('ids that reference something must exist', () => {
  it('dispatch.run with a round that does not exist is NOT_FOUND', async () => {
    expect(await t.call('dev-gw-01', 'dispatch.run', { gridId: 'g-01', roundId: 'no-such-round' })).toMatchObject({
      ok: false,
      code: 'COMMON.NOT_FOUND',
    });
  });

  it('dispatch.review of an order that does not exist is NOT_FOUND and changes nothing', async () => {
    const [one] = (await t.ok('dev-gw-01', 'dispatch.pool', { gridId: 'g-01', status: 'submitted', limit: 1 })).items;
    expect(
      await t.call('dev-gw-01', 'dispatch.review', { orderIds: [one?.id as string, 'no-such-order'], accept: true }),
    ).toMatchObject({ ok: false, code: 'COMMON.NOT_FOUND' });
    expect(
      (
        (
          await t.db
            .collection('orders')
            .doc(one?.id as string)
            .get()
        ).data[0] as OrderDoc
      ).status,
    ).toBe('submitted');
  });
});
