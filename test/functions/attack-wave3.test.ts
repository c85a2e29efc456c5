/** @jest-environment node */
/**
 * Issue 12's new actions probed from outside over the local cloud's HTTP API, by every role with
 * other people's ids: the gas legs (`dispatch.collectEmpty`, `dispatch.gasRefilled`, the return
 * leg), the rounds (`order.extendRound`, `order.closeRound`, `order.roundFill`) with impossible and
 * hostile dates, and `user.home`, whose counts never include another grid's or community's numbers.
 */
import type { HouseholdDoc, OrderDoc, VolunteerDoc } from '../../typings/entities';
import { DEV_TOKEN_HEADER } from '../../localcloud/dev-token';
import { startTestCloud, type TestCloud } from '../helpers/cloud';

let t: TestCloud;
let households: HouseholdDoc[];
let seq = 0;
const rid = () => `atk-w3-${String((seq += 1)).padStart(8, '0')}`;
const CHINESE = /[\u4e00-\u9fa5]/;
const DAY = 86_400_000;
const NOW = new Date().toISOString();

beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 2, households: 40, joinedShare: 1, at: new Date() } });
  households = (
    (await t.db.collection('households').orderBy('_id', 'asc').limit(1000).get()).data as HouseholdDoc[]
  ).filter((h) => h.memberOpenids.length > 0);
  await t.db
    .collection('volunteers')
    .where({ _id: t.db.command.exists(true) })
    .remove();
  const user = (id: string, patch: object) =>
    t.db.collection('users').add({
      _id: id,
      nickName: id,
      roles: [],
      communityId: null,
      adminGridIds: [],
      householdId: null,
      createdAt: NOW,
      ...patch,
    });
  // Another community with a grid, its admin and its gridworker, and a gridworker of 第1网格 whose grant
  // to that other grid is stale (it must count for nothing).
  await t.db.collection('communities').add({ _id: 'c-other', name: '别的社区', createdAt: NOW });
  await t.db
    .collection('grids')
    .add({ _id: 'g-other', communityId: 'c-other', name: '别处网格', gridworkerIds: ['atk-gw-other'], createdAt: NOW });
  await user('atk-admin-other', { roles: ['communityAdmin'], communityId: 'c-other' });
  await user('atk-gw-other', { roles: ['gridworker'], communityId: 'c-other', adminGridIds: ['g-other'] });
  await user('atk-gw-stale', { roles: ['gridworker'], communityId: 'c-xingfu', adminGridIds: ['g-01', 'g-other'] });
  await user('atk-volunteer', { roles: ['volunteer'], communityId: 'c-xingfu' });
  // Work in the other community: five orders waiting, two join requests, a round.
  for (let i = 0; i < 5; i += 1)
    await t.db.collection('orders').add({
      _id: `o-other-${i}`,
      communityId: 'c-other',
      gridId: 'g-other',
      householdId: `h-other-${i}`,
      roundId: 'round-other',
      kind: 'grocery',
      status: 'submitted',
      lines: [],
      history: [],
      createdAt: NOW,
      updatedAt: NOW,
    });
  for (let i = 0; i < 2; i += 1)
    await t.db
      .collection('joinRequests')
      .add({ _id: `jr-other-${i}`, gridId: 'g-other', status: 'pending', createdAt: NOW });
  await t.db.collection('households').add({ _id: 'h-other-0', gridId: 'g-other', memberOpenids: [], room: '1-101' });
  await t.db.collection('rounds').add({
    _id: 'round-other',
    communityId: 'c-other',
    name: '别的社区批次',
    opensAt: NOW,
    closesAt: new Date(Date.now() + 2 * DAY).toISOString(),
    createdBy: 'atk-admin-other',
  });
}, 60_000);
afterAll(() => t.close());

function headers(openid: string | null): Record<string, string> {
  const h: Record<string, string> = { 'content-type': 'application/json' };
  if (openid) h['x-gridlink-user'] = openid;
  if (t.cloud.token) h[DEV_TOKEN_HEADER] = t.cloud.token;
  return h;
}

/** An action over HTTP, as a page (or anyone with curl) calls it. */
async function http(openid: string | null, action: string, payload: unknown, requestId?: string): Promise<any> {
  const res = await fetch(`${t.cloud.url}/fn/${action.split('.')[0] as string}`, {
    method: 'POST',
    headers: headers(openid),
    body: JSON.stringify({ action, payload, requestId }),
  });
  expect(res.status).toBe(200);
  return res.json();
}

/** A refusal: not ok, a specific code (never COMMON.INTERNAL), a Chinese message, no data. */
function refused(res: any, code?: string | RegExp) {
  expect(res.ok).toBe(false);
  expect(res.code).not.toBe('COMMON.INTERNAL');
  if (typeof code === 'string') expect(res.code).toBe(code);
  else if (code) expect(res.code).toMatch(code);
  expect(res.message).toMatch(CHINESE);
  expect(res.data).toBeUndefined();
}

const order = async (id: string) => (await t.db.collection('orders').doc(id).get()).data[0] as OrderDoc;
const inGrid = (gridId: string) => households.filter((h) => h.gridId === gridId);
const residentOf = (gridId: string, i = 0) => inGrid(gridId)[i]?.memberOpenids[0] as string;

async function addVolunteer(id: string, gridId: string) {
  await t.db.collection('volunteers').add({
    _id: id,
    communityId: 'c-xingfu',
    gridIds: [gridId],
    status: 'approved',
    team: 'delivery',
    buildingIds: [],
    onDuty: true,
    capacityKg: 45,
    carry: { handKg: 20, aid: 'trolley' },
    name: `志愿者${id}`,
  } satisfies Partial<VolunteerDoc> as never);
  const existing = (await t.db.collection('users').doc(id).get()).data[0];
  if (!existing)
    await t.db.collection('users').add({
      _id: id,
      nickName: id,
      roles: ['volunteer'],
      communityId: 'c-xingfu',
      adminGridIds: [],
      householdId: null,
      createdAt: NOW,
    });
}

describe('gas legs: other people’s jobs and orders', () => {
  it('only the volunteer holding the collection round marks an empty; nobody else, no other order, no other leg', async () => {
    await addVolunteer('atk-vol-gas', 'g-02');
    const ids: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const placed = await http(
        residentOf('g-02', i),
        'order.place',
        { kind: 'gas', gasCylinders: 1, payment: 'cashOnDelivery', contactless: true },
        rid(),
      );
      expect(placed).toMatchObject({ ok: true });
      ids.push(placed.data.id);
    }
    const grocery = await http(
      residentOf('g-02', 3),
      'order.place',
      { kind: 'grocery', lines: [{ itemId: 'item-009', qty: 1 }], payment: 'cashOnDelivery', contactless: true },
      rid(),
    );
    expect(grocery).toMatchObject({ ok: true });
    expect(
      await http('dev-gw-02', 'dispatch.review', { orderIds: [...ids, grocery.data.id], accept: true }),
    ).toMatchObject({ ok: true });
    const run = await http('dev-gw-02', 'dispatch.run', { gridId: 'g-02' });
    expect(run).toMatchObject({ ok: true });
    const collect = run.data.jobs.find((j: any) => j.collect);
    const delivery = run.data.jobs.find((j: any) => !j.collect);
    expect(collect).toBeDefined();
    const [a, b] = ids as [string, string];

    // Everyone but the holder, on the holder's round: refused, nothing marked.
    await addVolunteer('atk-vol-other', 'g-02');
    for (const who of [
      'atk-vol-other',
      'atk-volunteer',
      'dev-gw-02',
      'dev-gw-01',
      'atk-gw-other',
      'atk-admin-other',
      'dev-admin',
      residentOf('g-02', 0),
      'atk-visitor',
    ])
      refused(await http(who, 'dispatch.collectEmpty', { jobId: collect.id, orderId: a }), /^(JOB\.NOT_YOURS|AUTH\.)/);
    refused(await http(null, 'dispatch.collectEmpty', { jobId: collect.id, orderId: a }), /^AUTH\./);
    expect((await order(a)).gas?.collectEmpty).toBe('pending');

    // The holder, with an order not on this round (the grocery order, another grid's, a made-up one).
    for (const orderId of [grocery.data.id, 'o-other-0', 'o-nowhere', '__proto__'])
      refused(
        await http('atk-vol-gas', 'dispatch.collectEmpty', { jobId: collect.id, orderId }),
        /^(JOB\.NOT_YOURS|COMMON\.INVALID_INPUT)$/,
      );
    // The holder of a delivery job cannot mark a gas leg with it (a leg on a non-collection round).
    expect(delivery).toBeDefined();
    const deliverer = (await t.db.collection('jobs').doc(delivery.id).get()).data[0].volunteerId as string;
    refused(
      await http(deliverer, 'dispatch.collectEmpty', { jobId: delivery.id, orderId: grocery.data.id }),
      'JOB.BAD_STATE',
    );
    expect((await order(grocery.data.id)).gas ?? null).toBeNull();
    // Hostile input.
    for (const payload of [
      { jobId: collect.id, orderId: a, missed: '' },
      { jobId: collect.id, orderId: a, missed: 'x'.repeat(500) },
      { jobId: collect.id, orderId: a, missed: 42 },
      { jobId: collect.id, orderId: a, extra: true },
      { jobId: { $ne: null }, orderId: a },
    ])
      refused(await http('atk-vol-gas', 'dispatch.collectEmpty', payload), 'COMMON.INVALID_INPUT');

    // Repeated taps at once: marked once.
    const taps = await Promise.all(
      Array.from({ length: 5 }, () =>
        http('atk-vol-gas', 'dispatch.collectEmpty', { jobId: collect.id, orderId: a }, rid()),
      ),
    );
    expect(taps.every((x) => x.ok)).toBe(true);
    expect((await order(a)).history.filter((h) => h.note === '已取空瓶')).toHaveLength(1);
    // Missed after it was collected: refused, the leg stays done.
    refused(
      await http('atk-vol-gas', 'dispatch.collectEmpty', { jobId: collect.id, orderId: a, missed: '门口没有' }),
      'JOB.BAD_STATE',
    );
    expect((await order(a)).gas?.collectEmpty).toBe('done');
    // A missed empty, then a "collected" tap on the same round: the door is no longer on it.
    await http('atk-vol-gas', 'dispatch.collectEmpty', { jobId: collect.id, orderId: b, missed: '门口没有空瓶' });
    refused(await http('atk-vol-gas', 'dispatch.collectEmpty', { jobId: collect.id, orderId: b }), 'JOB.BAD_STATE');
    expect((await order(b)).gas).toMatchObject({ collectEmpty: 'pending', collectJobId: null });

    // The truck is back: only that grid's staff say so, and only for that grid.
    for (const who of [
      'dev-gw-01',
      'atk-gw-other',
      'atk-admin-other',
      'atk-vol-gas',
      residentOf('g-02', 0),
      'atk-visitor',
    ])
      refused(await http(who, 'dispatch.gasRefilled', { gridId: 'g-02' }), /^AUTH\./);
    refused(
      await http('atk-gw-other', 'dispatch.gasRefilled', { gridId: '__proto__' }),
      /^(COMMON\.NOT_FOUND|COMMON\.INVALID_INPUT)$/,
    );
    expect((await order(a)).gas?.fullReadyAt ?? null).toBeNull();
    const refill = await Promise.all(
      Array.from({ length: 3 }, () => http('dev-gw-02', 'dispatch.gasRefilled', { gridId: 'g-02' })),
    );
    expect(refill.map((x) => x.data.changed).reduce((s: number, n: number) => s + n, 0)).toBe(1);
    expect((await order(b)).gas?.fullReadyAt ?? null).toBeNull();

    // The return leg: only the holder of the delivery, with the 取货码.
    const back = await http('dev-gw-02', 'dispatch.run', { gridId: 'g-02' });
    const returnJob = back.data.jobs.find((j: any) => !j.collect && j.id !== delivery?.id);
    expect(returnJob).toBeDefined();
    const holder = (await t.db.collection('jobs').doc(returnJob.id).get()).data[0].volunteerId as string;
    await http(holder, 'dispatch.pickUp', { jobId: returnJob.id, counts: {} });
    const code = (await order(a)).handoverCode as string;
    const stranger = holder === 'atk-vol-gas' ? 'atk-vol-other' : 'atk-vol-gas';
    refused(
      await http(stranger, 'dispatch.deliver', { jobId: returnJob.id, orderId: a, code }),
      /^(JOB\.NOT_YOURS|AUTH\.)/,
    );
    expect((await order(a)).gas?.returnFull).toBe('pending');
    const done = await Promise.all(
      Array.from({ length: 3 }, () =>
        http(holder, 'dispatch.deliver', { jobId: returnJob.id, orderId: a, code }, rid()),
      ),
    );
    expect(done.every((x) => x.ok)).toBe(true);
    const after = await order(a);
    expect(after.gas).toMatchObject({ collectEmpty: 'done', returnFull: 'done' });
    expect(after.history.filter((h) => h.status === 'delivered')).toHaveLength(1);
  });
});

describe('rounds: other communities, other roles, impossible dates', () => {
  const later = (days: number) => new Date(Date.now() + days * DAY).toISOString();

  it('refuses every role but the community’s own admin, with a clear code and no data', async () => {
    for (const [who, code] of [
      ['dev-gw-01', 'AUTH.NOT_ADMIN'],
      ['atk-gw-stale', 'AUTH.NOT_ADMIN'],
      ['atk-volunteer', 'AUTH.NOT_ADMIN'],
      [residentOf('g-01'), 'AUTH.NOT_ADMIN'],
      ['atk-visitor', 'AUTH.NOT_ADMIN'],
      [null, /^AUTH\./],
      ['atk-admin-other', 'COMMON.NOT_FOUND'],
    ] as Array<[string | null, string | RegExp]>) {
      refused(await http(who, 'order.extendRound', { roundId: 'round-001', closesAt: later(5) }), code);
      refused(await http(who, 'order.closeRound', { roundId: 'round-001' }), code);
    }
    // The other admin's fill of our round: nothing (not even zeros); ours of theirs: nothing.
    expect(await http('atk-admin-other', 'order.roundFill', { roundIds: ['round-001'] })).toEqual({
      ok: true,
      data: [],
    });
    expect(await http('dev-admin', 'order.roundFill', { roundIds: ['round-other'] })).toEqual({ ok: true, data: [] });
    refused(await http('dev-gw-01', 'order.roundFill', { roundIds: ['round-001'] }), 'AUTH.NOT_ADMIN');
    refused(await http('dev-admin', 'order.closeRound', { roundId: 'round-other' }), 'COMMON.NOT_FOUND');
    const theirs = (await t.db.collection('rounds').doc('round-other').get()).data[0];
    expect(Date.parse(theirs.closesAt)).toBeGreaterThan(Date.now());
    // Their admin sees their own round fill with their own numbers only.
    const fill = await http('atk-admin-other', 'order.roundFill', { roundIds: ['round-other', 'round-001'] });
    expect(fill.data).toEqual([{ roundId: 'round-other', orders: 5, households: 5, householdsTotal: 1 }]);
  });

  it('refuses impossible, past, unbounded and non-ISO closes as input', async () => {
    const bad: unknown[] = [
      '2026-02-30T10:00:00+08:00',
      '2027-13-01T10:00:00+08:00',
      '2027-02-29T10:00:00+08:00',
      '2027-01-01T24:30:00+08:00',
      '2027-01-01',
      '2027-01-01T10:00:00',
      'tomorrow',
      '明天',
      '',
      ' 2027-01-01T10:00:00+08:00',
      '+275760-09-13T00:00:00Z',
      '2101-01-01T00:00:00+08:00',
      '1999-01-01T00:00:00+08:00',
      Date.now() + DAY,
      null,
      { $gt: '' },
      ['2027-01-01T10:00:00+08:00'],
    ];
    for (const closesAt of bad)
      refused(await http('dev-admin', 'order.extendRound', { roundId: 'round-001', closesAt }), 'COMMON.INVALID_INPUT');
    // In the past, or not later than now.
    refused(
      await http('dev-admin', 'order.extendRound', {
        roundId: 'round-001',
        closesAt: new Date(Date.now() - DAY).toISOString(),
      }),
      'COMMON.INVALID_INPUT',
    );
    for (const roundIds of [
      [],
      Array.from({ length: 21 }, (_, i) => `r-${i}`),
      ['__proto__', 'constructor'],
      [{ $ne: 1 }],
      'round-001',
    ]) {
      const res = await http('dev-admin', 'order.roundFill', { roundIds });
      if (res.ok) expect(res.data).toEqual([]);
      else refused(res, 'COMMON.INVALID_INPUT');
    }
    for (const roundId of ['__proto__', 'constructor', 'x'.repeat(500), '', 7])
      refused(await http('dev-admin', 'order.closeRound', { roundId }), /^COMMON\.(NOT_FOUND|INVALID_INPUT)$/);
    // Nothing moved.
    const round = (await t.db.collection('rounds').doc('round-001').get()).data[0];
    expect(Date.parse(round.closesAt)).toBeGreaterThan(Date.now());
  });

  it('extends and closes under racing taps to one outcome, shop and round agreeing', async () => {
    const round = (await t.db.collection('rounds').doc('round-001').get()).data[0];
    const to = new Date(Date.parse(round.closesAt) + 3 * DAY).toISOString();
    const other = new Date(Date.parse(round.closesAt) + 4 * DAY).toISOString();
    const answers = await Promise.all([
      ...Array.from({ length: 3 }, () =>
        http('dev-admin', 'order.extendRound', { roundId: 'round-001', closesAt: to }),
      ),
      http('dev-admin', 'order.extendRound', { roundId: 'round-001', closesAt: other }),
    ]);
    for (const a of answers) if (!a.ok) expect(a.code).toMatch(/^COMMON\.(CONFLICT|INVALID_INPUT)$/);
    const now = (await t.db.collection('rounds').doc('round-001').get()).data[0].closesAt;
    expect([to, other]).toContain(now);
    const shop = (await t.db.collection('shops').doc('c-xingfu').get()).data[0];
    expect(shop.rounds.find((r: any) => r.id === 'round-001').closesAt).toBe(now);
    const closes = await Promise.all(
      Array.from({ length: 3 }, () => http('dev-admin', 'order.closeRound', { roundId: 'round-001' })),
    );
    for (const c of closes) if (!c.ok) expect(c.code).toBe('COMMON.CONFLICT');
    expect(closes.some((c) => c.ok)).toBe(true);
    const closed = (await t.db.collection('rounds').doc('round-001').get()).data[0].closesAt;
    expect(Date.parse(closed)).toBeLessThanOrEqual(Date.now());
    refused(
      await http('dev-admin', 'order.extendRound', { roundId: 'round-001', closesAt: later(3) }),
      'ORDER.ROUND_CLOSED',
    );
  });
});

describe('rounds: extend and close racing', () => {
  it('the shop’s copy (what ordering reads) always ends equal to the round', async () => {
    for (let i = 0; i < 6; i += 1) {
      const opened = await http(
        'dev-admin',
        'order.openRound',
        {
          name: `抢跑批次${i}`,
          opensAt: new Date(Date.now() - 60_000).toISOString(),
          closesAt: new Date(Date.now() + DAY).toISOString(),
        },
        rid(),
      );
      expect(opened).toMatchObject({ ok: true });
      const roundId = opened.data.id as string;
      const answers = await Promise.all([
        http('dev-admin', 'order.extendRound', { roundId, closesAt: new Date(Date.now() + 3 * DAY).toISOString() }),
        http('dev-admin', 'order.closeRound', { roundId }),
        http('dev-admin', 'order.extendRound', { roundId, closesAt: new Date(Date.now() + 5 * DAY).toISOString() }),
        http('dev-admin', 'order.closeRound', { roundId }),
      ]);
      for (const a of answers)
        if (!a.ok) expect(a.code).toMatch(/^(COMMON\.(CONFLICT|INVALID_INPUT)|ORDER\.ROUND_CLOSED)$/);
      const round = (await t.db.collection('rounds').doc(roundId).get()).data[0];
      const shop = (await t.db.collection('shops').doc('c-xingfu').get()).data[0];
      const copy = shop.rounds.find((r: any) => r.id === roundId);
      if (Date.parse(round.closesAt) > Date.now()) expect(copy?.closesAt).toBe(round.closesAt);
      else if (copy) expect(Date.parse(copy.closesAt)).toBeLessThanOrEqual(Date.now());
    }
  });
});

describe('rounds: a close landing between an extension and its shop copy', () => {
  it('the extension’s late copy never reopens ordering the close ended', async () => {
    const opened = await http(
      'dev-admin',
      'order.openRound',
      {
        name: '夹击批次',
        opensAt: new Date(Date.now() - 60_000).toISOString(),
        closesAt: new Date(Date.now() + DAY).toISOString(),
      },
      rid(),
    );
    const roundId = opened.data.id as string;
    const to = new Date(Date.now() + 3 * DAY).toISOString();
    // Right after the extension's write to the round lands, the admin (another tap) closes the round,
    // all the way through its own copy to the shop; only then does the extension go on to its copy.
    const service = t.cloud.db as unknown as { handle: (body: unknown) => unknown };
    const original = service.handle;
    let armed = true;
    service.handle = (body: unknown) => {
      const answer = original.call(service, body);
      const text = JSON.stringify(body);
      if (armed && text.includes('rounds') && text.includes(to) && !text.includes('shops')) {
        armed = false;
        return (async () => {
          const closed = await http('dev-admin', 'order.closeRound', { roundId });
          expect(closed).toMatchObject({ ok: true });
          return answer;
        })();
      }
      return answer;
    };
    try {
      expect(await http('dev-admin', 'order.extendRound', { roundId, closesAt: to })).toMatchObject({ ok: true });
    } finally {
      service.handle = original;
    }
    expect(armed).toBe(false);
    const round = (await t.db.collection('rounds').doc(roundId).get()).data[0];
    const shop = (await t.db.collection('shops').doc('c-xingfu').get()).data[0];
    const copy = shop.rounds.find((r: any) => r.id === roundId);
    expect(Date.parse(round.closesAt)).toBeLessThanOrEqual(Date.now());
    // Whatever the shop keeps of it, ordering is closed.
    if (copy) expect(Date.parse(copy.closesAt)).toBeLessThanOrEqual(Date.now());
  });
});

describe('user.home never counts another grid’s or community’s work', () => {
  it('a stale grant to another community’s grid counts nothing; each admin counts their own', async () => {
    const mine = await http('dev-gw-01', 'user.home', {});
    const stale = await http('atk-gw-stale', 'user.home', {});
    expect(stale.data.grids).toEqual(mine.data.grids);
    const theirs = await http('atk-gw-other', 'user.home', {});
    expect(theirs.data.grids).toMatchObject({ submitted: 5, joins: 2, accepted: 0 });
    const otherAdmin = await http('atk-admin-other', 'user.home', {});
    expect(otherAdmin.data.grids).toMatchObject({ submitted: 5, joins: 2 });
    expect(otherAdmin.data.admin).toEqual({ volunteers: 0, outboxFailed: 0 });
    const ourAdmin = await http('dev-admin', 'user.home', {});
    const g1 = mine.data.grids;
    const g2 = (await http('dev-gw-02', 'user.home', {})).data.grids;
    expect(ourAdmin.data.grids.submitted).toBe(g1.submitted + g2.submitted);
    expect(ourAdmin.data.grids.joins).toBe(g1.joins + g2.joins);
    // Roles it does not have: nothing at all; a visitor sees no numbers.
    for (const who of ['atk-visitor-home', 'atk-volunteer', residentOf('g-01')]) {
      const res = await http(who, 'user.home', {});
      expect(res.ok).toBe(true);
      expect(res.data.grids).toBeNull();
      expect(res.data.admin).toBeNull();
    }
    refused(await http(null, 'user.home', {}), /^AUTH\./);
    refused(await http('dev-admin', 'user.home', { communityId: 'c-other' }), 'COMMON.INVALID_INPUT');
    refused(await http('dev-gw-01', 'user.home', { gridIds: ['g-other'] }), 'COMMON.INVALID_INPUT');
  });
});
