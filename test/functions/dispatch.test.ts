import { runTimer } from '../../localcloud/invoke';
import { releaseJobsOf } from '../../server/lib/jobs';
import { database } from '../../server/lib/cloud';
import type { HouseholdDoc, JobDoc, OrderDoc, VolunteerDoc } from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';
import { stockOf } from '../helpers/shop';
import { naturalCompare } from '../../core/natural-sort';

let t: TestCloud;
let households: HouseholdDoc[];
let seq = 0;
const rid = () => `req-dsp-${String((seq += 1)).padStart(8, '0')}`;

beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 5, households: 200, joinedShare: 1, at: new Date() } });
  households = (
    (await t.db.collection('households').orderBy('_id', 'asc').limit(1000).get()).data as HouseholdDoc[]
  ).filter((h) => h.memberOpenids.length > 0);
  // Volunteers come from the test, not the demo seed.
  await t.db
    .collection('volunteers')
    .where({ _id: t.db.command.exists(true) })
    .remove();
});
afterAll(() => t.close());

const gw = (grid: number) => `dev-gw-${String(grid).padStart(2, '0')}`;
const gridId = (grid: number) => `g-${String(grid).padStart(2, '0')}`;
const inGrid = (grid: number) => households.filter((h) => h.gridId === gridId(grid));

async function addVolunteer(id: string, grid: number, over: Partial<VolunteerDoc> = {}): Promise<void> {
  const doc: VolunteerDoc & { name: string } = {
    _id: id,
    communityId: 'c-xingfu',
    gridIds: [gridId(grid)],
    status: 'approved',
    team: 'delivery',
    buildingIds: [],
    onDuty: true,
    capacityKg: 15,
    name: `志愿者${id}`,
    ...over,
  } as VolunteerDoc & { name: string };
  await t.db.collection('volunteers').add(doc);
}

/** Residents of a grid place grocery orders (potatoes), one each; answers the order ids. */
async function place(grid: number, from: number, count: number, qty = 2): Promise<string[]> {
  const people = inGrid(grid).slice(from, from + count);
  const ids: string[] = [];
  for (const h of people) {
    const o = await t.ok(
      h.memberOpenids[0] as string,
      'order.place',
      { kind: 'grocery', lines: [{ itemId: 'item-009', qty }], payment: 'cashOnDelivery', contactless: false },
      rid(),
    );
    ids.push(o.id);
  }
  return ids;
}

async function placeAccepted(grid: number, from: number, count: number, qty = 2): Promise<string[]> {
  const ids = await place(grid, from, count, qty);
  expect(await t.ok(gw(grid), 'dispatch.review', { orderIds: ids, accept: true })).toEqual({
    changed: ids.length,
    skipped: 0,
  });
  return ids;
}

const order = async (id: string) => (await t.db.collection('orders').doc(id).get()).data[0] as OrderDoc;
const job = async (id: string) => (await t.db.collection('jobs').doc(id).get()).data[0] as JobDoc;
const jobsOf = async (ids: string[]) =>
  (
    await t.db
      .collection('jobs')
      .where({ orderIds: t.db.command.in(ids) })
      .get()
  ).data as JobDoc[];
const sweep = () => runTimer('dispatch', 'sweepJobs');

describe('order pool', () => {
  it('shows a gridworker the orders of their grid, filtered, phones masked', async () => {
    const ids = await place(1, 0, 4);
    const pool = await t.ok(gw(1), 'dispatch.pool', { gridId: 'g-01', status: 'submitted' });
    expect(pool.gridId).toBe('g-01');
    expect(pool.grids).toEqual([{ id: 'g-01', name: '第1网格', waiting: 4 }]);
    expect(pool.items.map((o) => o.id).sort()).toEqual([...ids].sort());
    expect(pool.counts.submitted).toBe(4);
    const first = pool.items[0];
    expect(first?.phoneMasked).toMatch(/^\d{3}\*{4}\d{4}$/);
    expect(first?.lines[0]).toMatchObject({ name: '土豆', unit: '斤', qty: 2 });
    const building = first?.buildingId as string;
    const byBuilding = await t.ok(gw(1), 'dispatch.pool', { gridId: 'g-01', buildingId: building });
    expect(byBuilding.items.every((o) => o.buildingId === building)).toBe(true);
    expect((await t.ok(gw(1), 'dispatch.pool', { gridId: 'g-01', kind: 'medicine' })).items).toEqual([]);
  });

  it('is closed to gridworkers of other grids and to residents; the admin sees every grid', async () => {
    expect(await t.call(gw(2), 'dispatch.pool', { gridId: 'g-01' })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_GRIDWORKER',
    });
    expect(await t.call(inGrid(1)[0]?.memberOpenids[0] as string, 'dispatch.pool', {})).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_GRIDWORKER',
    });
    const admin = await t.ok('dev-admin', 'dispatch.pool', { gridId: 'g-02' });
    expect(admin.grids).toHaveLength(5);
    expect(admin.gridId).toBe('g-02');
  });

  it('accepts (with a handover code) and rejects with a reason the resident sees; stock comes back', async () => {
    const [a, b] = await place(1, 4, 2);
    const stock = () => stockOf(t, 'item-009');
    const before = await stock();
    expect(await t.ok(gw(1), 'dispatch.review', { orderIds: [a as string], accept: true })).toEqual({
      changed: 1,
      skipped: 0,
    });
    expect((await order(a as string)).handoverCode).toMatch(/^\d{4}$/);
    expect(await t.call(gw(1), 'dispatch.review', { orderIds: [b as string], accept: false })).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
    });
    expect(
      await t.ok(gw(1), 'dispatch.review', { orderIds: [b as string], accept: false, reason: '土豆今日缺货' }),
    ).toEqual({ changed: 1, skipped: 0 });
    expect(await stock()).toBe(before + 2);
    const resident = inGrid(1)[5]?.memberOpenids[0] as string;
    expect(await t.ok(resident, 'order.detail', { orderId: b as string })).toMatchObject({
      status: 'rejected',
      rejectReason: '土豆今日缺货',
    });
    const msg = (await t.db.collection('outbox').where({ openid: resident }).get()).data[0];
    expect(msg).toMatchObject({ template: 'orderStatus', data: { status: '未受理', note: '土豆今日缺货' } });
    // A second tap changes nothing; other grids' orders are refused.
    expect(await t.ok(gw(1), 'dispatch.review', { orderIds: [a as string], accept: true })).toEqual({
      changed: 0,
      skipped: 1,
    });
    expect(
      await t.call(gw(2), 'dispatch.review', { orderIds: [a as string], accept: false, reason: '不是本网格' }),
    ).toMatchObject({ ok: false, code: 'AUTH.NOT_GRIDWORKER' });
  });
});

describe('purchase and packing lists', () => {
  it('totals items with units across the grid and packs per building then room, as Excel too', async () => {
    const round = 'round-001';
    const ordersWhere = async (statuses: string[]) =>
      (
        await t.db
          .collection('orders')
          .where({ gridId: 'g-01', roundId: round, status: t.db.command.in(statuses) })
          .get()
      ).data as OrderDoc[];
    const accepted = await ordersWhere(['accepted', 'assigned', 'pickedUp', 'failed', 'delivered', 'received']);
    const waiting = await ordersWhere(['submitted']);
    // By default only accepted orders are bought and packed; the list says so and how many 待接单 it leaves out.
    const purchase = await t.ok(gw(1), 'dispatch.purchaseList', { roundId: round, gridId: 'g-01' });
    expect(purchase).toMatchObject({
      orderCount: accepted.length,
      withSubmitted: false,
      submittedLeftOut: waiting.length,
      basis: '已接单的订单（不含待接单）',
    });
    const potatoesIn = (list: OrderDoc[]) => list.filter((o) => o.lines.some((l) => l.itemId === 'item-009'));
    const qtyOf = (list: OrderDoc[]) =>
      list.reduce((n, o) => n + (o.lines.find((l) => l.itemId === 'item-009')?.qty ?? 0), 0);
    if (potatoesIn(accepted).length)
      expect(purchase.items.find((i) => i.itemId === 'item-009')).toMatchObject({
        unit: '斤',
        qty: qtyOf(accepted),
        orders: potatoesIn(accepted).length,
      });
    const live = [...accepted, ...waiting];
    const everything = await t.ok(gw(1), 'dispatch.purchaseList', {
      roundId: round,
      gridId: 'g-01',
      withSubmitted: true,
    });
    expect(everything).toMatchObject({ orderCount: live.length, withSubmitted: true, submittedLeftOut: 0 });
    expect(everything.items.find((i) => i.itemId === 'item-009')).toMatchObject({
      unit: '斤',
      qty: qtyOf(live),
      orders: potatoesIn(live).length,
    });
    const packing = await t.ok(gw(1), 'dispatch.packingList', { roundId: round, gridId: 'g-01', withSubmitted: true });
    const rooms = packing.buildings.flatMap((b) => b.rooms);
    expect(rooms).toHaveLength(live.length);
    expect(rooms.every((r) => /\*{4}/.test(r.phoneMasked))).toBe(true);
    for (const b of packing.buildings) {
      const sorted = [...b.rooms].sort((x, y) => naturalCompare(x.room, y.room));
      expect(b.rooms.map((r) => r.room)).toEqual(sorted.map((r) => r.room));
    }
    expect(
      (await t.ok(gw(1), 'dispatch.packingList', { roundId: round, gridId: 'g-01' })).buildings.flatMap((b) => b.rooms),
    ).toHaveLength(accepted.length);
    for (const list of ['purchase', 'packing'] as const) {
      const file = await t.ok(gw(1), 'dispatch.exportLists', { roundId: round, gridId: 'g-01', list });
      expect(file.fileName).toMatch(/\.xlsx$/);
      expect(Buffer.from(file.base64, 'base64').subarray(0, 2).toString()).toBe('PK');
    }
    const whole = await t.ok('dev-admin', 'dispatch.purchaseList', { roundId: round });
    expect(whole.scope).toBe('全社区');
    expect(whole.orderCount).toBeGreaterThanOrEqual(purchase.orderCount);
    expect((await t.ok('dev-admin', 'dispatch.exportLists', { roundId: round, list: 'purchase' })).fileName).toContain(
      '全社区',
    );
    expect(await t.call(gw(1), 'dispatch.exportLists', { roundId: round, list: 'packing' })).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
    });
    expect(await t.call(gw(2), 'dispatch.packingList', { roundId: round, gridId: 'g-01' })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_GRIDWORKER',
    });
  });
});

describe('automatic dispatch', () => {
  it('turns accepted orders into jobs for on-duty delivery volunteers, with reasons, once', async () => {
    await addVolunteer('vol-a1', 1);
    await addVolunteer('vol-a2', 1, { capacityKg: 20 });
    await addVolunteer('vol-a-off', 1, { onDuty: false });
    await addVolunteer('vol-a-test', 1, { team: 'testing' });
    const accepted = (
      (await t.db.collection('orders').where({ gridId: 'g-01', status: 'accepted' }).get()).data as OrderDoc[]
    ).map((o) => o._id);
    const ids = [...accepted, ...(await placeAccepted(1, 8, 10))];
    const run = await t.ok(gw(1), 'dispatch.run', { gridId: 'g-01' });
    expect(run.assignedOrders).toBe(ids.length);
    expect(run.jobs.length).toBeGreaterThan(0);
    expect(new Set(run.jobs.map((j) => j.volunteerId))).toEqual(new Set(['vol-a1', 'vol-a2']));
    for (const j of run.jobs) expect(j.reason.length).toBeGreaterThan(0);
    for (const id of ids) {
      const o = await order(id);
      expect(o.status).toBe('assigned');
      expect(run.jobs.map((j) => j.id)).toContain(o.jobId);
    }
    const again = await t.ok(gw(1), 'dispatch.run', { gridId: 'g-01' });
    expect(again).toMatchObject({ jobs: [], assignedOrders: 0 });
    const jobs = await jobsOf(ids);
    expect(jobs.reduce((n, j) => n + j.orderIds.length, 0)).toBe(ids.length);
    const board = await t.ok(gw(1), 'dispatch.board', { gridId: 'g-01' });
    expect(board.jobs.length).toBe(run.jobs.length);
    expect(board.volunteers.map((v) => v.id).sort()).toEqual(['vol-a1', 'vol-a2']);
    expect(await t.call(gw(2), 'dispatch.run', { gridId: 'g-01' })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_GRIDWORKER',
    });
  });

  it('never puts an order in two jobs when two dispatches race', async () => {
    await addVolunteer('vol-r1', 4);
    await addVolunteer('vol-r2', 4);
    const ids = await placeAccepted(4, 0, 12);
    const runs = await Promise.all([
      t.ok(gw(4), 'dispatch.run', { gridId: 'g-04' }),
      t.ok(gw(4), 'dispatch.run', { gridId: 'g-04' }),
      t.ok(gw(4), 'dispatch.run', { gridId: 'g-04' }),
    ]);
    expect(runs.reduce((n, r) => n + r.assignedOrders + r.openOrders, 0)).toBe(ids.length);
    const jobs = await jobsOf(ids);
    const all = jobs.flatMap((j) => j.orderIds);
    expect(all.sort()).toEqual([...ids].sort());
    for (const id of ids) {
      const o = await order(id);
      expect(jobs.find((j) => j._id === o.jobId)?.orderIds).toContain(id);
    }
  });

  it('lets the gridworker reassign a job to another on-duty volunteer, conditionally', async () => {
    const board = await t.ok(gw(1), 'dispatch.board', { gridId: 'g-01' });
    const target = board.jobs.find((j) => j.volunteerId === 'vol-a1' && j.status === 'assigned');
    expect(target).toBeDefined();
    const moved = await t.ok(gw(1), 'dispatch.reassign', {
      jobId: target?.id as string,
      volunteerId: 'vol-a2',
      fromVolunteerId: 'vol-a1',
    });
    expect(moved).toMatchObject({ volunteerId: 'vol-a2', status: 'assigned' });
    expect(moved.reason).toContain('改派');
    // A stale board (still showing vol-a1) cannot undo it by accident.
    expect(
      await t.call(gw(1), 'dispatch.reassign', {
        jobId: target?.id as string,
        volunteerId: 'vol-a1',
        fromVolunteerId: 'vol-a1',
      }),
    ).toMatchObject({ ok: false, code: 'JOB.BAD_STATE' });
    expect(
      await t.call(gw(1), 'dispatch.reassign', {
        jobId: target?.id as string,
        volunteerId: 'vol-a-off',
        fromVolunteerId: 'vol-a2',
      }),
    ).toMatchObject({ ok: false, code: 'JOB.NOT_ON_DUTY' });
    expect(
      await t.call(gw(2), 'dispatch.reassign', {
        jobId: target?.id as string,
        volunteerId: 'vol-a1',
        fromVolunteerId: 'vol-a2',
      }),
    ).toMatchObject({ ok: false, code: 'AUTH.NOT_GRIDWORKER' });
  });
});

describe('grabbing and the life of a job', () => {
  let jobId = '';
  let orderIds: string[] = [];

  it('makes open jobs when nobody is on duty; exactly one of ten volunteers grabs a job', async () => {
    // 6 orders of 10 斤 (5 kg): more than one trip.
    orderIds = await placeAccepted(2, 0, 6, 10);
    const run = await t.ok(gw(2), 'dispatch.run', { gridId: 'g-02' });
    expect(run).toMatchObject({ assignedOrders: 0, openOrders: 6 });
    const grabbers = Array.from({ length: 10 }, (_, i) => `vol-g${i}`);
    for (const v of grabbers) await addVolunteer(v, 2);
    const open = (await t.ok('vol-g0', 'dispatch.openJobs', {})).items;
    expect(open.length).toBeGreaterThan(0);
    jobId = open[0]?.id as string;
    const results = await Promise.all(grabbers.map((v) => t.call(v, 'dispatch.grab', { jobId })));
    const won = results.filter((r) => r.ok);
    expect(won).toHaveLength(1);
    for (const r of results.filter((x) => !x.ok))
      expect(r).toMatchObject({ ok: false, code: 'JOB.TAKEN', message: expect.stringContaining('已被其他志愿者接走') });
    const stored = await job(jobId);
    expect(stored.status).toBe('assigned');
    expect(grabbers).toContain(stored.volunteerId);
    orderIds = stored.orderIds;
  });

  it('refuses grabs from volunteers off duty, of other teams or other grids', async () => {
    await addVolunteer('vol-g-off', 2, { onDuty: false });
    await addVolunteer('vol-g-other', 5);
    const open = (await t.ok('vol-g1', 'dispatch.openJobs', {})).items.filter((j) => j.id !== jobId);
    const free = open[0]?.id as string;
    expect(await t.call('vol-g-off', 'dispatch.grab', { jobId: free })).toMatchObject({
      ok: false,
      code: 'JOB.NOT_ON_DUTY',
    });
    expect(await t.call('vol-a-test', 'dispatch.grab', { jobId: free })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_VOLUNTEER',
    });
    expect(await t.call('vol-g-other', 'dispatch.grab', { jobId: free })).toMatchObject({ ok: false });
    expect((await job(free)).status).toBe('open');
  });

  it('shows the address and phone only to the volunteer holding the job', async () => {
    const holder = (await job(jobId)).volunteerId as string;
    const other = holder === 'vol-g1' ? 'vol-g2' : 'vol-g1';
    const mine = await t.ok(holder, 'dispatch.job', { jobId });
    const firstOrder = await order(mine.stops[0]?.orderId as string);
    const h = households.find((x) => x._id === firstOrder.householdId) as HouseholdDoc;
    expect(mine.stops[0]?.phone).toBe(h.phone);
    expect(mine.stops[0]?.address).toContain(h.room);
    const theirs = await t.ok(other, 'dispatch.job', { jobId });
    expect(theirs.stops.every((s) => s.phone === null && s.address === null && s.headName === null)).toBe(true);
    expect(JSON.stringify(theirs)).not.toContain(h.phone);
    // An open job shows floors and weights, never doors.
    const open = (await t.ok(other, 'dispatch.openJobs', {})).items[0];
    const openDetail = await t.ok(other, 'dispatch.job', { jobId: open?.id as string });
    expect(openDetail.stops.every((s) => s.phone === null && s.address === null)).toBe(true);
    expect(await t.call('vol-g-other', 'dispatch.job', { jobId })).toMatchObject({
      ok: false,
      code: 'COMMON.NOT_FOUND',
    });
  });

  it('picks up with a count: a shortfall is recorded; a retried pickup changes nothing', async () => {
    const holder = (await job(jobId)).volunteerId as string;
    expect(await t.call('vol-g-other', 'dispatch.pickUp', { jobId, counts: {} })).toMatchObject({
      ok: false,
      code: 'JOB.NOT_YOURS',
    });
    // Delivering before pickup is refused.
    expect(
      await t.call(holder, 'dispatch.deliver', { jobId, orderId: orderIds[0] as string, code: '0000' }),
    ).toMatchObject({ ok: false, code: 'JOB.BAD_STATE' });
    const totals = (await t.ok(holder, 'dispatch.job', { jobId })).totals;
    const potatoes = totals.find((x) => x.itemId === 'item-009');
    const counts = { 'item-009': (potatoes?.qty ?? 0) - 1 };
    const [a, b] = await Promise.all([
      t.call(holder, 'dispatch.pickUp', { jobId, counts }),
      t.call(holder, 'dispatch.pickUp', { jobId, counts }),
    ]);
    expect(a.ok && b.ok).toBe(true);
    const stored = await job(jobId);
    expect(stored.status).toBe('pickedUp');
    expect(stored.pickupShortfall).toEqual([
      { itemId: 'item-009', name: '土豆', unit: '斤', expected: potatoes?.qty, counted: (potatoes?.qty ?? 0) - 1 },
    ]);
    expect(stored.history.filter((e) => e.status === 'pickedUp')).toHaveLength(1);
    for (const id of orderIds) expect(await order(id)).toMatchObject({ status: 'pickedUp', volunteerId: holder });
    const board = await t.ok(gw(2), 'dispatch.board', { gridId: 'g-02' });
    expect(board.jobs.find((j) => j.id === jobId)?.pickupShortfall).toHaveLength(1);
    const residentOf = async (id: string) => {
      const householdId = (await order(id)).householdId;
      return households.find((h) => h._id === householdId)?.memberOpenids[0] as string;
    };
    const detail = await t.ok(await residentOf(orderIds[0] as string), 'order.detail', {
      orderId: orderIds[0] as string,
    });
    expect(detail.handoverCode).toBe((await order(orderIds[0] as string)).handoverCode);
    expect((await t.ok(gw(2), 'order.detail', { orderId: orderIds[0] as string })).handoverCode).toBeNull();
  });

  it("delivers with the resident's code, a photo, or fails with a reason; each once; the last finishes the job", async () => {
    const holder = (await job(jobId)).volunteerId as string;
    const [first, second, ...rest] = orderIds as [string, string, ...string[]];
    const code = (await order(first)).handoverCode as string;
    const wrong = code === '0000' ? '1111' : '0000';
    expect(await t.call(holder, 'dispatch.deliver', { jobId, orderId: first, code: wrong })).toMatchObject({
      ok: false,
      code: 'JOB.WRONG_CODE',
    });
    expect(await t.call('vol-g-other', 'dispatch.deliver', { jobId, orderId: first, code })).toMatchObject({
      ok: false,
      code: 'JOB.NOT_YOURS',
    });
    const twice = await Promise.all([
      t.call(holder, 'dispatch.deliver', { jobId, orderId: first, code }),
      t.call(holder, 'dispatch.deliver', { jobId, orderId: first, code }),
    ]);
    expect(twice.every((r) => r.ok)).toBe(true);
    expect((await order(first)).history.filter((e) => e.status === 'delivered')).toHaveLength(1);
    expect((await job(jobId)).pending).not.toContain(first);

    // Counted at the door: one short, recorded and shown to the gridworker.
    const shortRes = await t.ok(holder, 'dispatch.deliver', {
      jobId,
      orderId: second,
      photoFileId: 'cloud://proof/1.jpg',
      counts: { 'item-009': 1 },
    });
    expect(shortRes.shortfall).toEqual([{ itemId: 'item-009', name: '土豆', unit: '斤', expected: 10, counted: 1 }]);
    expect(await order(second)).toMatchObject({ status: 'delivered', proofFileId: 'cloud://proof/1.jpg' });
    const board = await t.ok(gw(2), 'dispatch.board', { gridId: 'g-02' });
    expect(board.jobs.find((j) => j.id === jobId)?.stops.find((s) => s.orderId === second)?.shortfall).toHaveLength(1);

    const failed = rest[0];
    let last = shortRes.jobStatus;
    if (failed) {
      const res = await t.ok(holder, 'dispatch.fail', { jobId, orderId: failed, reason: '敲门无人，电话不通' });
      expect(res).toMatchObject({ status: 'failed' });
      last = res.jobStatus;
      expect(await order(failed)).toMatchObject({ status: 'failed', failReason: '敲门无人，电话不通' });
    }
    for (const id of rest.slice(1)) {
      last = (
        await t.ok(holder, 'dispatch.deliver', { jobId, orderId: id, code: (await order(id)).handoverCode as string })
      ).jobStatus;
    }
    expect(last).toBe('done');
    const done = await job(jobId);
    expect(done).toMatchObject({ status: 'done', pending: [] });
    // Once the job is over, its doors and phones are hidden again.
    const after = await t.ok(holder, 'dispatch.job', { jobId });
    expect(after.stops.every((s) => s.phone === null && s.address === null)).toBe(true);
    if (failed) {
      // A failed order goes back to the pool when the gridworker says so.
      expect(await t.call(gw(2), 'dispatch.requeue', { orderId: first })).toMatchObject({
        ok: false,
        code: 'ORDER.BAD_STATE',
      });
      await t.ok(gw(2), 'dispatch.requeue', { orderId: failed });
      expect(await order(failed)).toMatchObject({ status: 'accepted', jobId: null });
    }
  });
});

describe('races between actors', () => {
  it("a grab and a gridworker's assignment of the same open job: exactly one wins", async () => {
    await t.db.collection('volunteers').where({ gridIds: 'g-05' }).update({ onDuty: false });
    const ids = await placeAccepted(5, 0, 2);
    await t.ok(gw(5), 'dispatch.run', { gridId: 'g-05' });
    const [open] = await jobsOf(ids);
    expect(open?.status).toBe('open');
    await addVolunteer('vol-race-1', 5);
    await addVolunteer('vol-race-2', 5);
    const [grab, assign] = await Promise.all([
      t.call('vol-race-1', 'dispatch.grab', { jobId: open?._id as string }),
      t.call(gw(5), 'dispatch.reassign', {
        jobId: open?._id as string,
        volunteerId: 'vol-race-2',
        fromVolunteerId: null,
      }),
    ]);
    expect([grab.ok, assign.ok].filter(Boolean)).toHaveLength(1);
    const stored = await job(open?._id as string);
    expect(stored.volunteerId).toBe(grab.ok ? 'vol-race-1' : 'vol-race-2');
    expect(stored.history.filter((e) => e.status === 'assigned')).toHaveLength(1);
  });

  it('an order the gridworker cancels while waiting for pickup leaves the trip; the rest finish the job', async () => {
    await t.db.collection('volunteers').where({ gridIds: 'g-05' }).update({ onDuty: false });
    await addVolunteer('vol-race-3', 5);
    const ids = await placeAccepted(5, 2, 3);
    await t.ok(gw(5), 'dispatch.run', { gridId: 'g-05' });
    const jobs = await jobsOf(ids);
    const j = jobs.find((x) => x.orderIds.length >= 2) as JobDoc;
    expect(j.volunteerId).toBe('vol-race-3');
    const [gone, ...kept] = j.orderIds as [string, ...string[]];
    const householdId = (await order(gone)).householdId;
    const resident = households.find((h) => h._id === householdId)?.memberOpenids[0] as string;
    // Packing has begun: the resident can no longer cancel; the gridworker (asked by them) can.
    expect(await t.call(resident, 'order.cancel', { orderId: gone })).toMatchObject({
      ok: false,
      code: 'ORDER.CANNOT_CANCEL',
    });
    await t.ok(gw(5), 'order.cancel', { orderId: gone, reason: '居民来电取消' });
    const picked = await t.ok('vol-race-3', 'dispatch.pickUp', { jobId: j._id, counts: {} });
    expect(picked.pickedUp.sort()).toEqual([...kept].sort());
    expect(
      await t.call('vol-race-3', 'dispatch.deliver', {
        jobId: j._id,
        orderId: gone,
        code: (await order(gone)).handoverCode as string,
      }),
    ).toMatchObject({ ok: false, code: 'JOB.BAD_STATE' });
    let last = '';
    for (const id of kept)
      last = (
        await t.ok('vol-race-3', 'dispatch.deliver', {
          jobId: j._id,
          orderId: id,
          code: (await order(id)).handoverCode as string,
        })
      ).jobStatus;
    expect(last).toBe('done');
  });
});

describe('back to the pool', () => {
  it("releases a volunteer's jobs not yet picked up (off duty), their orders back to accepted", async () => {
    await addVolunteer('vol-t1', 3);
    const ids = await placeAccepted(3, 0, 4);
    await t.ok(gw(3), 'dispatch.run', { gridId: 'g-03' });
    const jobs = await jobsOf(ids);
    expect(jobs.every((j) => j.volunteerId === 'vol-t1' && j.status === 'assigned')).toBe(true);
    const ctx = { caller: null, requestId: null, now: new Date(), db: database(), invocationId: 'test' };
    const [n, again] = await Promise.all([
      releaseJobsOf(ctx, 'vol-t1', '志愿者下岗'),
      releaseJobsOf(ctx, 'vol-t1', '志愿者下岗'),
    ]);
    expect(n + again).toBe(jobs.length);
    for (const j of jobs) expect((await job(j._id)).status).toBe('released');
    for (const id of ids) expect(await order(id)).toMatchObject({ status: 'accepted', jobId: null });
  });

  it('the timer returns jobs not picked up in time or of volunteers gone off duty, and dispatches them again', async () => {
    await addVolunteer('vol-t2', 3);
    const accepted = (
      (await t.db.collection('orders').where({ gridId: 'g-03', status: 'accepted' }).get()).data as OrderDoc[]
    ).map((o) => o._id);
    await t.ok(gw(3), 'dispatch.run', { gridId: 'g-03' });
    const jobs = await jobsOf(accepted);
    const late = jobs.find((j) => j.status === 'assigned') as JobDoc;
    expect(late).toBeDefined();
    const lateVolunteer = late.volunteerId as string;
    const otherVolunteer = lateVolunteer === 'vol-t1' ? 'vol-t2' : 'vol-t1';
    await t.db
      .collection('jobs')
      .doc(late._id)
      .update({ pickupBy: new Date(Date.now() - 60_000).toISOString() });
    const res = (await sweep()) as { ok: boolean; data: { released: number; redispatched: number } };
    expect(res.ok).toBe(true);
    expect(res.data.released).toBeGreaterThanOrEqual(1);
    expect((await job(late._id)).status).toBe('released');
    // Its orders went to the other volunteer, not back to the one who let them wait.
    for (const id of late.orderIds) {
      const o = await order(id);
      expect(o.status).toBe('assigned');
      const next = await job(o.jobId as string);
      expect(next.volunteerId).toBe(otherVolunteer);
    }

    // Off duty: their assigned jobs go back too.
    await t.db.collection('volunteers').doc(otherVolunteer).update({ onDuty: false });
    const held = (await t.db.collection('jobs').where({ volunteerId: otherVolunteer, status: 'assigned' }).get())
      .data as JobDoc[];
    expect(held.length).toBeGreaterThan(0);
    await sweep();
    for (const j of held) expect((await job(j._id)).status).toBe('released');
    // A sweep with nothing to do changes nothing.
    expect(await sweep()).toMatchObject({ ok: true, data: { released: 0 } });
  });

  it('frees orders a crash left claimed by a job that was never written', async () => {
    const [id] = await placeAccepted(3, 10, 1);
    const old = new Date(Date.now() - 10 * 60_000).toISOString();
    await t.db
      .collection('orders')
      .doc(id as string)
      .update({ status: 'assigned', jobId: 'never-written', updatedAt: old });
    await t.db.collection('volunteers').doc('vol-t1').update({ onDuty: false });
    expect(await sweep()).toMatchObject({ ok: true, data: { freed: 1 } });
    expect(await order(id as string)).toMatchObject({ status: 'accepted', jobId: null });
  });

  it("finishes a pickup cut off between the job's write and its orders'", async () => {
    await t.db.collection('volunteers').doc('vol-t1').update({ onDuty: true });
    const ids = await placeAccepted(3, 13, 1);
    await t.ok(gw(3), 'dispatch.run', { gridId: 'g-03' });
    const [j] = await jobsOf(ids);
    const old = new Date(Date.now() - 10 * 60_000).toISOString();
    // What a crash leaves: the job picked up, its order still 'assigned'.
    await t.db
      .collection('jobs')
      .doc(j?._id as string)
      .update({ status: 'pickedUp' });
    await t.db
      .collection('orders')
      .doc(ids[0] as string)
      .update({ updatedAt: old });
    await sweep();
    expect(await order(ids[0] as string)).toMatchObject({
      status: 'pickedUp',
      volunteerId: j?.volunteerId,
      jobId: j?._id,
    });
  });

  it('a volunteer may give back a job they cannot do before pickup', async () => {
    await t.db.collection('volunteers').doc('vol-t1').update({ onDuty: true });
    const ids = await placeAccepted(3, 11, 2);
    await t.ok(gw(3), 'dispatch.run', { gridId: 'g-03' });
    const [j] = await jobsOf(ids);
    const holder = j?.volunteerId as string;
    expect(
      await t.call('vol-t-nobody', 'dispatch.release', { jobId: j?._id as string, reason: '临时有事' }),
    ).toMatchObject({ ok: false });
    await t.ok(holder, 'dispatch.release', { jobId: j?._id as string, reason: '临时有事' });
    expect((await job(j?._id as string)).status).toBe('released');
    for (const id of j?.orderIds ?? []) expect((await order(id)).status).toBe('accepted');
  });
});
