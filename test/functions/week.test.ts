/** @jest-environment node */
/**
 * A grid office's first week (issue 12), through the functions as the pages call them, on a clock
 * that moves (only `Date` is faked: every function's `now` and every test's "tomorrow" agree).
 *
 * Ordering: the admin closes the demo round early and opens 第2批次 → residents order, the
 * gridworker orders for a household without WeChat (代下单) → the admin closes the round early →
 * the gridworker accepts → dispatch.run → volunteers grab, pick up, deliver with the 取货码 (the
 * slip's code for the household without WeChat) → residents confirm (the timer for the one who
 * cannot) → 第3批次 opens → orders again. Testing: a round opens → sampled by scanning a personal
 * code and by picking a member → results (one 阳性, seen only by the admin and that grid's
 * gridworker) → a resident books 明日预约 → the gridworker claims, knocks, closes → the round closes.
 * At each step the home page's counts (`user.home`) show the work; at the end stock and quota
 * agree with the orders and no order is lost.
 */
import { runTimer } from '../../localcloud/invoke';
import type { HomeCounts } from '../../typings/api';
import type { HouseholdDoc, OrderDoc, VolunteerDoc } from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';
import { shopDoc, stockOf } from '../helpers/shop';

const HOUR = 3600_000;
/** Monday 2022-08-22, 08:30 China time. */
const T0 = Date.parse('2022-08-22T00:30:00Z');
/** Sets the clock to `hours` after T0. */
const at = (hours: number) => jest.setSystemTime(new Date(T0 + hours * HOUR));
const iso = (hours: number) => new Date(T0 + hours * HOUR).toISOString();

let t: TestCloud;
let seq = 0;
const rid = () => `req-week-${String((seq += 1)).padStart(6, '0')}`;

const ADMIN = 'dev-admin';
const GW = 'dev-gw-01';
const VOLS = ['week-vol-1', 'week-vol-2'];
const SAMPLER = 'week-sampler';
/** Three households of 第1网格 with WeChat, one without. */
let A: HouseholdDoc, B: HouseholdDoc, C: HouseholdDoc, D: HouseholdDoc;
const resident = (h: HouseholdDoc) => h.memberOpenids[0]!;

const home = (openid: string) => t.ok(openid, 'user.home', {});
const grids = async (openid: string) => (await home(openid)).grids as NonNullable<HomeCounts['grids']>;
const orderDoc = async (id: string) => (await t.db.collection('orders').doc(id).get()).data[0] as OrderDoc;

beforeAll(async () => {
  jest.useFakeTimers({
    now: T0,
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
  t = await startTestCloud({ seed: { grids: 2, households: 40, joinedShare: 0.8, at: new Date(T0) } });
  const g1 = (await t.db.collection('households').where({ gridId: 'g-01' }).orderBy('_id', 'asc').limit(100).get())
    .data as HouseholdDoc[];
  [A, B, C] = g1.filter((h) => h.memberOpenids.length > 0) as [HouseholdDoc, HouseholdDoc, HouseholdDoc];
  D = g1.find((h) => h.memberOpenids.length === 0)!;
  expect([A, B, C, D].every(Boolean)).toBe(true);
  // The week's volunteers and sampler come from the test, not the demo seed.
  await t.db
    .collection('volunteers')
    .where({ _id: t.db.command.exists(true) })
    .remove();
  const base = { communityId: 'c-xingfu', householdId: null, adminGridIds: [], createdAt: iso(0) };
  for (const v of VOLS)
    await t.db
      .collection('users')
      .doc(v)
      .set({ ...base, nickName: `志愿者${v}`, roles: ['volunteer'] });
  await t.db
    .collection('users')
    .doc(SAMPLER)
    .set({ ...base, nickName: '采样员', roles: ['sampler'] });
}, 120_000);
afterAll(async () => {
  await t.close();
  jest.useRealTimers();
});

/** A volunteer of 第1网格's delivery team comes on duty. */
async function onDuty(id: string): Promise<void> {
  const doc = {
    _id: id,
    communityId: 'c-xingfu',
    gridIds: ['g-01'],
    status: 'approved',
    team: 'delivery',
    buildingIds: [],
    onDuty: true,
    capacityKg: 30,
    name: `志愿者${id}`,
  } as unknown as VolunteerDoc;
  await t.db.collection('volunteers').add(doc);
}

describe('a week of ordering', () => {
  const orders: Record<'A' | 'B' | 'C' | 'D', string> = { A: '', B: '', C: '', D: '' };
  let round2 = '';
  let before: NonNullable<HomeCounts['grids']>;
  let loveBagStock = 0;
  let potatoStock = 0;

  it('Mon: the admin closes the demo round early and opens 第2批次', async () => {
    at(1);
    before = await grids(GW);
    loveBagStock = await stockOf(t, 'item-001');
    potatoStock = await stockOf(t, 'item-009');
    const closed = await t.ok(ADMIN, 'order.closeRound', { roundId: 'round-001' });
    expect(closed.open).toBe(false);
    const round = await t.ok(
      ADMIN,
      'order.openRound',
      { name: '第2批次', opensAt: iso(1), closesAt: iso(59.5) }, // Wed 20:00
      rid(),
    );
    expect(round.open).toBe(true);
    round2 = round.id;
  });

  it('Mon–Tue: residents order, the gridworker orders for the household without WeChat (代下单)', async () => {
    at(2);
    const loveBag = { kind: 'loveBag' as const, lines: [{ itemId: 'item-001', qty: 1 }], payment: 'free' as const };
    const potatoes = (qty: number) => ({
      kind: 'grocery' as const,
      lines: [{ itemId: 'item-009', qty }],
      payment: 'cashOnDelivery' as const,
    });
    orders.A = (await t.ok(resident(A), 'order.place', { ...loveBag, contactless: true }, rid())).id;
    at(5);
    orders.B = (await t.ok(resident(B), 'order.place', { ...potatoes(2), contactless: false }, rid())).id;
    at(26);
    orders.C = (await t.ok(resident(C), 'order.place', { ...potatoes(3), contactless: true }, rid())).id;
    const forD = await t.ok(GW, 'order.place', { ...loveBag, contactless: false, forHouseholdId: D._id }, rid());
    orders.D = forD.id;
    expect(forD.onBehalf).toBeTruthy();
    for (const id of Object.values(orders)) expect((await orderDoc(id)).roundId).toBe(round2);
    // The gridworker's home: four orders to accept.
    expect((await grids(GW)).submitted).toBe(before.submitted + 4);
    expect((await grids(ADMIN)).submitted).toBeGreaterThanOrEqual(before.submitted + 4);
    expect((await home(resident(A))).resident?.activeOrders).toBe(1);
    const fill = await t.ok(ADMIN, 'order.roundFill', { roundIds: [round2] });
    expect(fill[0]).toMatchObject({ orders: 4, households: 4 });
  });

  it('Tue: the admin closes 第2批次 early; no more orders, those placed stay', async () => {
    at(30);
    expect((await t.ok(ADMIN, 'order.closeRound', { roundId: round2 })).open).toBe(false);
    const late = await t.call(
      resident(A),
      'order.place',
      { kind: 'grocery', lines: [{ itemId: 'item-009', qty: 1 }], payment: 'cashOnDelivery', contactless: true },
      rid(),
    );
    expect(late.ok ? 'ok' : late.code).toBe('ORDER.ROUND_CLOSED');
    for (const id of Object.values(orders)) expect((await orderDoc(id)).status).toBe('submitted');
  });

  it('Tue: the gridworker accepts and dispatches; volunteers see the jobs to grab', async () => {
    at(31);
    expect(await t.ok(GW, 'dispatch.review', { orderIds: Object.values(orders), accept: true })).toEqual({
      changed: 4,
      skipped: 0,
    });
    let g = await grids(GW);
    expect(g.submitted).toBe(before.submitted);
    expect(g.accepted).toBe(before.accepted + 4);
    // Nobody on duty yet: the run leaves open jobs for volunteers to grab.
    const run = await t.ok(GW, 'dispatch.run', { gridId: 'g-01' });
    expect(run.openOrders).toBeGreaterThanOrEqual(4);
    g = await grids(GW);
    expect(g.accepted).toBe(before.accepted);
    for (const v of VOLS) await onDuty(v);
    const counts = (await home(VOLS[0]!)).volunteer!;
    expect(counts.myJobs).toBe(0);
    expect(counts.openJobs).toBeGreaterThan(0);
  });

  it('Tue–Wed: volunteers grab, pick up and deliver with the 取货码 (the slip’s for the household without WeChat)', async () => {
    at(32);
    const open = (await t.ok(VOLS[0]!, 'dispatch.openJobs', {})).items;
    const mineIds = new Set(Object.values(orders));
    let turn = 0;
    for (const job of open) {
      const v = VOLS[turn++ % VOLS.length]!;
      const detail = await t.ok(v, 'dispatch.grab', { jobId: job.id });
      expect((await home(v)).volunteer!.myJobs).toBeGreaterThan(0);
      await t.ok(v, 'dispatch.pickUp', { jobId: job.id, counts: {} });
      at(33 + turn);
      for (const stop of detail.stops) {
        const o = await orderDoc(stop.orderId);
        let code = o.handoverCode as string;
        if (o.householdId === D._id) {
          // The gridworker's printed slip carries the code the volunteer is given at the door.
          const slips = await t.ok(GW, 'testing.orderSlips', { gridId: 'g-01', orderId: o._id });
          expect(slips.items[0]?.code).toBe(o.handoverCode);
          code = slips.items[0]!.code as string;
        }
        await t.ok(v, 'dispatch.deliver', { jobId: job.id, orderId: o._id, code });
      }
    }
    for (const id of mineIds) expect((await orderDoc(id)).status).toBe('delivered');
    for (const v of VOLS) expect((await home(v)).volunteer!.myJobs).toBe(0);
  });

  it('Wed–Thu: residents confirm; the household without WeChat is confirmed by the timer a day later', async () => {
    at(40);
    for (const h of [A, B, C] as const) {
      const key = h === A ? 'A' : h === B ? 'B' : 'C';
      expect((await t.ok(resident(h), 'order.confirm', { orderId: orders[key] })).status).toBe('received');
    }
    expect((await home(resident(A))).resident?.activeOrders).toBe(0);
    at(64);
    await runTimer('order', 'autoConfirm');
    expect((await orderDoc(orders.D)).status).toBe('received');
  });

  it('Thu: 第3批次 opens and residents order again (a fresh quota per round)', async () => {
    at(72);
    const round3 = await t.ok(
      ADMIN,
      'order.openRound',
      { name: '第3批次', opensAt: iso(72), closesAt: iso(96) },
      rid(),
    );
    const again = await t.ok(
      resident(A),
      'order.place',
      { kind: 'loveBag', lines: [{ itemId: 'item-001', qty: 1 }], payment: 'free', contactless: true },
      rid(),
    );
    expect(again.roundId).toBe(round3.id);
    expect((await home(resident(A))).resident?.activeOrders).toBe(1);
    expect((await grids(GW)).submitted).toBe(before.submitted + 1);
    const fills = await t.ok(ADMIN, 'order.roundFill', { roundIds: [round2, round3.id] });
    expect(fills.map((f) => [f.orders, f.households])).toEqual([
      [4, 4],
      [1, 1],
    ]);
  });

  it('at the end: no order lost, stock and quota agree with the orders', async () => {
    const all = (
      await t.db
        .collection('orders')
        .where({ roundId: t.db.command.in([round2]) })
        .get()
    ).data as OrderDoc[];
    expect(all.map((o) => o._id).sort()).toEqual(Object.values(orders).sort());
    expect(all.every((o) => o.status === 'received')).toBe(true);
    // Three 爱心菜包 (A twice, D once) and five 斤 of potatoes left the shelf.
    expect(await stockOf(t, 'item-001')).toBe(loveBagStock - 3);
    expect(await stockOf(t, 'item-009')).toBe(potatoStock - 5);
    const shop = await shopDoc(t);
    expect(Object.keys(shop.placing)).toEqual([]);
    const a = (await t.db.collection('households').doc(A._id).get()).data[0] as HouseholdDoc;
    expect(a.ordering?.used).toEqual({ 'item-001': 1 });
  });
});

describe('a week of testing', () => {
  let roundId = '';
  let total = 0;

  it('Fri: the admin opens a testing round; every household of the grid is still to test', async () => {
    at(97); // Fri 09:30
    total = (await t.db.collection('households').where({ gridId: 'g-01' }).count()).total;
    expect((await grids(GW)).untested).toBeNull();
    roundId = (
      await t.ok(ADMIN, 'testing.openRound', {
        name: '第1轮',
        date: '2022-08-26',
        points: ['1号采样点', '上门'],
        validHours: 48,
      })
    ).id;
    expect((await grids(GW)).untested).toBe(total);
  });

  it('samples by scanning a personal code and by picking a member of a household without a phone', async () => {
    at(98);
    const codes = await t.ok(resident(A), 'testing.personCodes', {});
    const scanned = await t.ok(SAMPLER, 'testing.record', { roundId, point: '1号采样点', personCode: codes[0]!.token });
    expect(scanned.duplicate).toBe(false);
    const picked = await t.ok(GW, 'testing.record', {
      roundId,
      point: '上门',
      householdId: D._id,
      memberId: D.members[0]!.id,
    });
    expect(picked.duplicate).toBe(false);
    expect((await grids(GW)).untested).toBe(total - 2);
  });

  it('records results; the 阳性 is seen by the admin and that grid’s gridworker only', async () => {
    at(104);
    await t.ok(GW, 'testing.recordResult', {
      roundId,
      householdId: A._id,
      memberId: A.members[0]!.id,
      result: 'negative',
    });
    await t.ok(ADMIN, 'testing.recordResult', {
      roundId,
      householdId: D._id,
      memberId: D.members[0]!.id,
      result: 'positive',
    });
    for (const who of [ADMIN, GW]) {
      const positives = await t.ok(who, 'testing.results', { roundId, gridId: 'g-01', result: 'positive' });
      expect(positives.items.map((r) => r.householdId)).toEqual([D._id]);
    }
    for (const who of ['dev-gw-02', SAMPLER, resident(B)]) {
      const res = await t.call(who, 'testing.results', { roundId, gridId: 'g-01', result: 'positive' });
      expect(res.ok ? 'ok' : res.code.split('.')[0]).toBe('AUTH');
    }
  });

  it('a resident books 明日预约; the gridworker claims, knocks and closes it; the homes follow', async () => {
    at(105);
    const before = (await grids(GW)).bookings;
    await t.ok(resident(B), 'testing.book', { date: '2022-08-27', memberIds: [B.members[0]!.id], reason: 'returnee' });
    expect((await grids(GW)).bookings).toBe(before + 1);
    expect((await home(resident(B))).resident?.booking).toEqual({ date: '2022-08-27', status: 'booked' });
    const bookingId = (await t.ok(resident(B), 'testing.myBookings', {}))[0]!.id;
    expect((await t.ok(GW, 'testing.claimBooking', { bookingId })).status).toBe('claimed');
    expect((await grids(GW)).bookings).toBe(before);
    at(121); // Sat 09:30
    await t.ok(GW, 'testing.knockBooking', { bookingId, status: 'notHome' });
    at(122);
    expect((await t.ok(GW, 'testing.closeBooking', { bookingId, outcome: 'sampled' })).status).toBe('closed');
    expect((await home(resident(B))).resident?.booking).toEqual({ date: '2022-08-27', status: 'closed' });
  });

  it('Sat: the admin closes the testing round; the home no longer counts households to test', async () => {
    at(126);
    expect((await t.ok(ADMIN, 'testing.closeRound', { roundId })).status).toBe('closed');
    expect((await grids(GW)).untested).toBeNull();
    const admin = await home(ADMIN);
    expect(admin.admin).toEqual({ volunteers: expect.any(Number), outboxFailed: expect.any(Number) });
  });
});
