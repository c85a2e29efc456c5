/** @jest-environment node */
/**
 * Gas swaps (issue 12): two legs on two jobs — the empty collected by a collection round (已取空瓶),
 * the full one delivered with the 取货码 (已送满瓶) once the gridworker says the fulls are back —
 * each marked once under races; and what volunteers can carry: a 15 kg cylinder never goes to one
 * who declared 10 kg by hand, what cannot be placed says why, and a hand assignment checks the caps.
 */
import { COLLECT_NOTE } from '../../server/functions/dispatch/gas';
import type { HouseholdDoc, JobDoc, OrderDoc, VolunteerDoc } from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';

let t: TestCloud;
let households: HouseholdDoc[];
let seq = 0;
const rid = () => `req-gas-${String((seq += 1)).padStart(8, '0')}`;

beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 4, households: 120, joinedShare: 1, at: new Date() } });
  households = (
    (await t.db.collection('households').orderBy('_id', 'asc').limit(1000).get()).data as HouseholdDoc[]
  ).filter((h) => h.memberOpenids.length > 0);
  await t.db
    .collection('volunteers')
    .where({ _id: t.db.command.exists(true) })
    .remove();
});
afterAll(() => t.close());

const gw = (grid: number) => `dev-gw-${String(grid).padStart(2, '0')}`;
const gridId = (grid: number) => `g-${String(grid).padStart(2, '0')}`;
const inGrid = (grid: number) => households.filter((h) => h.gridId === gridId(grid));
const order = async (id: string) => (await t.db.collection('orders').doc(id).get()).data[0] as OrderDoc;
const job = async (id: string) => (await t.db.collection('jobs').doc(id).get()).data[0] as JobDoc;

async function addVolunteer(id: string, grid: number, carry: VolunteerDoc['carry'], capacityKg: number) {
  await t.db.collection('volunteers').add({
    _id: id,
    communityId: 'c-xingfu',
    gridIds: [gridId(grid)],
    status: 'approved',
    team: 'delivery',
    buildingIds: [],
    onDuty: true,
    capacityKg,
    carry,
    name: `志愿者${id}`,
  });
}

/** Residents of a grid order a cylinder swap each; the gridworker accepts. */
async function gasOrders(grid: number, from: number, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (const h of inGrid(grid).slice(from, from + count)) {
    const o = await t.ok(
      h.memberOpenids[0] as string,
      'order.place',
      { kind: 'gas', gasCylinders: 1, payment: 'cashOnDelivery', contactless: true },
      rid(),
    );
    ids.push(o.id);
  }
  await t.ok(gw(grid), 'dispatch.review', { orderIds: ids, accept: true });
  return ids;
}

const residentOf = async (orderId: string) => {
  const o = await order(orderId);
  return households.find((h) => h._id === o.householdId)?.memberOpenids[0] as string;
};

describe('what a volunteer can carry', () => {
  it('is declared on registering, editable, and becomes the capacity per trip', async () => {
    const me = 'vol-reg-carry';
    const form = {
      name: '卓玛',
      phone: '13912345678',
      partyMember: false,
      workUnit: '无',
      communityId: 'c-xingfu',
      gridIds: [gridId(1)],
      teamsWished: ['delivery' as const],
      skills: [],
      slots: ['morning' as const],
      health: { noSymptoms: true, noRiskContact: true, promise: true },
    };
    const first = await t.ok(me, 'volunteer.register', { ...form, carry: { handKg: 10, aid: 'none' } });
    expect(first.carry).toEqual({ handKg: 10, aid: 'none' });
    expect(first.capacityKg).toBe(10);
    const later = await t.ok(me, 'volunteer.register', {
      ...form,
      phone: undefined,
      carry: { handKg: 10, aid: 'trolley' },
    });
    expect(later.carry).toEqual({ handKg: 10, aid: 'trolley' });
    expect(later.capacityKg).toBeGreaterThanOrEqual(15);
    // Registering again without the fields keeps what was declared.
    expect((await t.ok(me, 'volunteer.register', { ...form, phone: undefined })).carry).toEqual({
      handKg: 10,
      aid: 'trolley',
    });
    // The gridworker reviewing the registration reads it in words.
    const listed = await t.ok('dev-admin', 'volunteer.list', { status: 'pending' });
    expect(listed.find((v) => v.id === me)?.carryText).toBe('徒手10公斤，有小推车');
    expect(await t.call(me, 'volunteer.register', { ...form, carry: { handKg: 0, aid: 'none' } })).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
    });
  });

  it('never gives a 15 kg cylinder to a volunteer who declared 10 kg by hand; says why; hand assignment is checked', async () => {
    await addVolunteer('vol-weak', 2, { handKg: 10, aid: 'none' }, 10);
    const [id] = await gasOrders(2, 0, 1);
    const run = await t.ok(gw(2), 'dispatch.run', { gridId: gridId(2) });
    expect(run.assignedOrders).toBe(0);
    expect(run.unassigned).toEqual([
      expect.objectContaining({
        orderId: id,
        reason: expect.stringMatching(/^15公斤空煤气罐：当前在岗志愿者都无法搬运.*请指派有推车的志愿者$/),
      }),
    ]);
    const board = await t.ok(gw(2), 'dispatch.board', { gridId: gridId(2) });
    const open = board.jobs.find((j) => j.stops.some((s) => s.orderId === id));
    expect(open).toMatchObject({ status: 'open', collect: true });
    expect(open?.reasonShort).toMatch(/当前在岗志愿者都无法搬运/);
    expect(open?.stops[0]?.unplaced).toMatch(/请指派有推车的志愿者/);
    expect(board.volunteers[0]).toMatchObject({ name: '志愿者vol-weak', carryText: '徒手10公斤' });
    // Grabbing and assigning by hand are refused with a clear reason.
    expect(await t.call('vol-weak', 'dispatch.grab', { jobId: open?.id as string })).toMatchObject({
      ok: false,
      code: 'JOB.LIMIT_REACHED',
      message: expect.stringMatching(/搬不动15公斤空煤气罐/),
    });
    expect(
      await t.call(gw(2), 'dispatch.reassign', {
        jobId: open?.id as string,
        volunteerId: 'vol-weak',
        fromVolunteerId: null,
      }),
    ).toMatchObject({
      ok: false,
      code: 'JOB.LIMIT_REACHED',
      message: expect.stringMatching(/^志愿者vol-weak登记的搬运能力是徒手10公斤，搬不动/),
    });
    // A volunteer with a trolley comes on duty: the gridworker assigns it by hand.
    await addVolunteer('vol-trolley', 2, { handKg: 10, aid: 'trolley' }, 45);
    const card = await t.ok(gw(2), 'dispatch.reassign', {
      jobId: open?.id as string,
      volunteerId: 'vol-trolley',
      fromVolunteerId: null,
    });
    expect(card).toMatchObject({ status: 'assigned', volunteerName: '志愿者vol-trolley', reasonShort: '网格员指派' });
    expect((await job(open?.id as string)).volunteerId).toBe('vol-trolley');
  });

  it('plans heavy orders only onto volunteers who can carry them', async () => {
    await addVolunteer('vol-g3-weak', 3, { handKg: 10, aid: 'none' }, 10);
    await addVolunteer('vol-g3-car', 3, { handKg: 20, aid: 'car' }, 100);
    const ids = await gasOrders(3, 0, 3);
    const run = await t.ok(gw(3), 'dispatch.run', { gridId: gridId(3) });
    expect(run.unassigned).toEqual([]);
    expect(run.assignedOrders).toBe(3);
    const jobs = (
      await t.db
        .collection('jobs')
        .where({ gridId: gridId(3) })
        .get()
    ).data as JobDoc[];
    expect(jobs.flatMap((j) => j.orderIds).sort()).toEqual([...ids].sort());
    expect(jobs.every((j) => j.volunteerId === 'vol-g3-car' && j.leg === 'collectEmpty')).toBe(true);
  });
});

describe('a gas swap in two legs', () => {
  it('collects the empty (once under a race), waits for the refill, returns the full (once), done only after both', async () => {
    await addVolunteer('vol-g4', 4, { handKg: 20, aid: 'trolley' }, 45);
    const [a, b] = (await gasOrders(4, 0, 2)) as [string, string];
    const run = await t.ok(gw(4), 'dispatch.run', { gridId: gridId(4) });
    expect(run.assignedOrders).toBe(2);
    const round = run.jobs[0];
    expect(round).toMatchObject({ collect: true, volunteerName: '志愿者vol-g4' });
    expect(round?.title).toMatch(/^收空瓶 · /);
    expect((await order(a)).status).toBe('accepted');
    expect((await order(a)).gas?.collectJobId).toBe(round?.id);
    const pool = await t.ok(gw(4), 'dispatch.pool', { gridId: gridId(4), kind: 'gas' });
    expect(pool.items.find((o) => o.id === a)?.gas?.stageText).toBe('取空瓶中');
    // The household sees who comes for the empty (masked; the number only to dial).
    expect(await t.ok(await residentOf(a), 'dispatch.courier', { orderId: a })).toMatchObject({
      assigned: true,
      nameMasked: expect.stringMatching(/^志\*+/),
    });

    // A collection round has nothing to pick up and no 取货码.
    expect(await t.call('vol-g4', 'dispatch.pickUp', { jobId: round?.id as string, counts: {} })).toMatchObject({
      ok: false,
      code: 'JOB.BAD_STATE',
    });
    expect(
      await t.call('vol-g4', 'dispatch.deliver', { jobId: round?.id as string, orderId: a, code: '0000' }),
    ).toMatchObject({
      ok: false,
      code: 'JOB.BAD_STATE',
    });
    // 已取空瓶 tapped twice at once (a retry racing the first): marked once.
    const both = await Promise.all([
      t.call('vol-g4', 'dispatch.collectEmpty', { jobId: round?.id as string, orderId: a }, rid()),
      t.call('vol-g4', 'dispatch.collectEmpty', { jobId: round?.id as string, orderId: a }, rid()),
    ]);
    expect(both.every((r) => r.ok)).toBe(true);
    const collected = await order(a);
    expect(collected.gas).toMatchObject({ collectEmpty: 'done', returnFull: 'pending' });
    expect(collected.history.filter((h) => h.note === '已取空瓶')).toHaveLength(1);
    expect(collected.status).toBe('accepted');
    // Setting out told each household of the round once to put the empty out.
    for (const o of [a, b]) {
      const told = (
        await t.db
          .collection('outbox')
          .where({ openid: await residentOf(o) })
          .get()
      ).data as Array<{
        data: Record<string, string>;
      }>;
      expect(told.filter((m) => m.data.note === COLLECT_NOTE)).toHaveLength(1);
    }
    // Another volunteer cannot mark it.
    await addVolunteer('vol-g4-other', 4, null, 15);
    expect(
      await t.call('vol-g4-other', 'dispatch.collectEmpty', { jobId: round?.id as string, orderId: b }),
    ).toMatchObject({
      ok: false,
      code: 'JOB.NOT_YOURS',
    });
    await t.db.collection('volunteers').doc('vol-g4-other').update({ onDuty: false });
    // The other empty was not at the door: it goes back to be collected again; the round is done.
    const missed = await t.ok('vol-g4', 'dispatch.collectEmpty', {
      jobId: round?.id as string,
      orderId: b,
      missed: '门口没有空瓶',
    });
    expect(missed.jobStatus).toBe('done');
    expect((await order(b)).gas).toMatchObject({ collectEmpty: 'pending', collectJobId: null });

    // The resident sees leg 1 done and the order not done.
    const resident = await residentOf(a);
    const detail = await t.ok(resident, 'order.detail', { orderId: a });
    expect(detail.status).toBe('accepted');
    expect(detail.gas).toMatchObject({ collectEmpty: 'done', returnFull: 'pending' });
    // The timeline says what happened, not 网格员已接单 again.
    expect(detail.history.map((h) => h.text)).toEqual([
      '已提交，等待网格员接单',
      '网格员已接单',
      '已安排志愿者上门取空瓶',
      '已取空瓶',
    ]);

    // Before the fulls are back, a dispatch sends only the empty still to collect.
    const again = await t.ok(gw(4), 'dispatch.run', { gridId: gridId(4) });
    expect(again.jobs.flatMap((j) => (j.collect ? [j.id] : []))).toHaveLength(1);
    expect((await order(a)).status).toBe('accepted');
    let board = await t.ok(gw(4), 'dispatch.board', { gridId: gridId(4) });
    expect(board.gas).toEqual({ toCollect: 0, collecting: 1, atStation: 1, toReturn: 0 });

    // The truck is back: once, whatever the retries.
    expect(await t.ok(gw(4), 'dispatch.gasRefilled', { gridId: gridId(4) })).toEqual({ changed: 1 });
    expect(await t.ok(gw(4), 'dispatch.gasRefilled', { gridId: gridId(4) })).toEqual({ changed: 0 });
    board = await t.ok(gw(4), 'dispatch.board', { gridId: gridId(4) });
    expect(board.gas?.toReturn).toBe(1);

    // Leg 2 is an ordinary delivery with the 取货码.
    const back = await t.ok(gw(4), 'dispatch.run', { gridId: gridId(4) });
    const delivery = back.jobs.find((j) => !j.collect);
    expect(delivery?.volunteerName).toBe('志愿者vol-g4');
    const detailJob = await t.ok('vol-g4', 'dispatch.job', { jobId: delivery?.id as string });
    expect(detailJob.stops[0]).toMatchObject({ orderId: a, gasLeg: 'returnFull', legDone: false });
    await t.ok('vol-g4', 'dispatch.pickUp', { jobId: delivery?.id as string, counts: {} });
    const code = (await order(a)).handoverCode as string;
    const delivered = await Promise.all([
      t.call('vol-g4', 'dispatch.deliver', { jobId: delivery?.id as string, orderId: a, code }, rid()),
      t.call('vol-g4', 'dispatch.deliver', { jobId: delivery?.id as string, orderId: a, code }, rid()),
    ]);
    expect(delivered.filter((r) => !r.ok)).toEqual([]);
    const done = await order(a);
    expect(done.status).toBe('delivered');
    expect(done.gas).toMatchObject({ collectEmpty: 'done', returnFull: 'done' });
    expect(done.history.filter((h) => h.status === 'delivered')).toHaveLength(1);
    expect((await t.ok(resident, 'order.detail', { orderId: a })).gas).toMatchObject({ returnFull: 'done' });
    const gwPool = await t.ok(gw(4), 'dispatch.pool', { gridId: gridId(4), kind: 'gas' });
    expect(gwPool.items.find((o) => o.id === a)?.gas?.legs.map((l) => [l.label, l.done])).toEqual([
      ['取空瓶', true],
      ['送满瓶', true],
    ]);
  });
});
