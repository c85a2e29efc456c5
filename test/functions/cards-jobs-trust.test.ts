/** Issue 10, "Cards, roles and jobs": holes an outside test found, each pinned by a test. */
import type { HouseholdDoc, JobDoc, OrderDoc, SampleDoc, VolunteerDoc } from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';

let t: TestCloud;
let households: HouseholdDoc[];
let seq = 0;
const rid = () => `req-cjt-${String((seq += 1)).padStart(8, '0')}`;

beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 5, households: 200, joinedShare: 1, at: new Date() } });
  households = (
    (await t.db.collection('households').orderBy('_id', 'asc').limit(1000).get()).data as HouseholdDoc[]
  ).filter((h) => h.memberOpenids.length > 0);
}, 60_000);
afterAll(() => t.close());

const gridId = (grid: number) => `g-${String(grid).padStart(2, '0')}`;
const gw = (grid: number) => `dev-gw-${String(grid).padStart(2, '0')}`;
const inGrid = (grid: number) => households.filter((h) => h.gridId === gridId(grid));
const volunteer = async (id: string) => (await t.db.collection('volunteers').doc(id).get()).data[0] as VolunteerDoc;

async function addVolunteer(id: string, grid: number, over: Partial<VolunteerDoc> = {}): Promise<void> {
  await t.db.collection('users').add({
    _id: id,
    nickName: id,
    roles: ['volunteer'],
    communityId: 'c-xingfu',
    adminGridIds: [],
    householdId: null,
    createdAt: new Date().toISOString(),
  });
  await t.db.collection('volunteers').add({
    _id: id,
    communityId: 'c-xingfu',
    gridIds: [gridId(grid)],
    status: 'approved',
    team: 'delivery',
    buildingIds: [],
    onDuty: true,
    capacityKg: 15,
    name: '王小明',
    phone: '13800001111',
    partyMember: false,
    partyBranch: null,
    workUnit: '退休',
    teamsWished: ['delivery'],
    skills: [],
    slots: ['morning'],
    health: { noSymptoms: true, noRiskContact: true, promise: true, declaredAt: new Date().toISOString() },
    rejectReason: null,
    reviewedBy: 'dev-admin',
    reviewedAt: new Date().toISOString(),
    dutySince: null,
    lastActiveAt: null,
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    leftAt: null,
    ...over,
  } as VolunteerDoc);
}

/** An open job of one stop (a household of the grid), written straight to the store. */
async function openJob(grid: number, weightKg: number, tag: string): Promise<string> {
  const h = inGrid(grid)[0] as HouseholdDoc;
  const now = new Date().toISOString();
  const job: JobDoc = {
    _id: `job-${tag}`,
    communityId: 'c-xingfu',
    gridId: gridId(grid),
    roundId: null,
    buildingIds: [h.buildingId],
    buildingNames: ['楼'],
    title: `测试任务 ${tag}`,
    stops: [
      {
        orderId: `ord-${tag}`,
        householdId: h._id,
        buildingId: h.buildingId,
        room: h.room,
        floor: h.floor,
        weightKg,
        priority: false,
        medicine: false,
        lines: [],
        notify: [],
      },
    ],
    orderIds: [`ord-${tag}`],
    pending: [`ord-${tag}`],
    weightKg,
    status: 'open',
    volunteerId: null,
    reason: '',
    assignedAt: null,
    pickupBy: null,
    pickedUpAt: null,
    pickupShortfall: [],
    history: [],
    createdAt: now,
    updatedAt: now,
  };
  await t.db.collection('jobs').add(job);
  return job._id;
}

describe('sampling: only samplers record, keyed by household + member', () => {
  let roundId: string;
  beforeAll(async () => {
    roundId = (
      await t.ok('dev-admin', 'testing.openRound', {
        name: '采样权限测试',
        date: '2022-08-20',
        points: ['1号采样点'],
        validHours: 48,
      })
    ).id;
  });

  it('refuses a volunteer of another team; a 核酸检测 volunteer or a granted sampler records', async () => {
    const [a, b, c] = inGrid(1);
    await addVolunteer('vol-delivery-1', 1, { team: 'delivery' });
    await addVolunteer('vol-testing-1', 1, { team: 'testing', teamsWished: ['testing'] });
    const refused = await t.call('vol-delivery-1', 'testing.record', {
      roundId,
      point: '1号采样点',
      householdId: a!._id,
      memberId: a!.members[0]!.id,
    });
    expect(refused).toMatchObject({ ok: false, code: 'AUTH.FORBIDDEN' });
    expect((await t.db.collection('samples').where({ householdId: a!._id }).count()).total).toBe(0);
    expect(
      await t.ok('vol-testing-1', 'testing.record', {
        roundId,
        point: '1号采样点',
        householdId: a!._id,
        memberId: a!.members[0]!.id,
      }),
    ).toMatchObject({ duplicate: false });
    // A sampler role granted by the admin.
    await t.db.collection('users').add({
      _id: 'sampler-1',
      nickName: '采样员',
      roles: [],
      communityId: null,
      adminGridIds: [],
      householdId: null,
      createdAt: new Date().toISOString(),
    });
    await t.ok('dev-admin', 'org.grantRole', { openid: 'sampler-1', role: 'sampler' });
    expect(
      await t.ok('sampler-1', 'testing.record', {
        roundId,
        point: '1号采样点',
        householdId: b!._id,
        memberId: b!.members[0]!.id,
      }),
    ).toMatchObject({ duplicate: false });
    // A pending (not approved) testing volunteer does not.
    await addVolunteer('vol-testing-pending', 1, { team: null, status: 'pending', teamsWished: ['testing'] });
    expect(
      await t.call('vol-testing-pending', 'testing.record', {
        roundId,
        point: '1号采样点',
        householdId: c!._id,
        memberId: c!.members[0]!.id,
      }),
    ).toMatchObject({ ok: false, code: 'AUTH.FORBIDDEN' });
  });

  it('keeps members of two households apart even when their member ids are equal; results name the household', async () => {
    const [x, y] = inGrid(2).slice(5, 7) as [HouseholdDoc, HouseholdDoc];
    const shared = 'm-shared-1';
    for (const h of [x, y]) {
      await t.db
        .collection('households')
        .doc(h._id)
        .update({ members: [{ ...h.members[0]!, id: shared }, ...h.members.slice(1)] });
    }
    const first = await t.ok(gw(2), 'testing.record', {
      roundId,
      point: '1号采样点',
      householdId: x._id,
      memberId: shared,
    });
    const second = await t.ok(gw(2), 'testing.record', {
      roundId,
      point: '1号采样点',
      householdId: y._id,
      memberId: shared,
    });
    expect(second.duplicate).toBe(false);
    expect(second.card.serial).not.toBe(first.card.serial);
    const samples = (await t.db.collection('samples').where({ roundId, memberId: shared }).get()).data as SampleDoc[];
    expect(samples.map((s) => s.householdId).sort()).toEqual([x._id, y._id].sort());
    // A member id that is not of the household named.
    expect(
      await t.call(gw(2), 'testing.record', {
        roundId,
        point: '1号采样点',
        householdId: x._id,
        memberId: y.members[1]?.id ?? 'nobody',
      }),
    ).toMatchObject({ ok: false, code: 'COMMON.NOT_FOUND' });
    // A result is for one household's member.
    expect(
      await t.ok('dev-admin', 'testing.recordResult', {
        roundId,
        householdId: y._id,
        memberId: shared,
        result: 'negative',
      }),
    ).toMatchObject({ result: 'negative' });
    const after = (await t.db.collection('samples').where({ roundId, memberId: shared }).get()).data as SampleDoc[];
    expect(after.find((s) => s.householdId === x._id)?.result).toBeNull();
    expect(after.find((s) => s.householdId === y._id)?.result).toBe('negative');
    const outsider = inGrid(3)[0]!;
    expect(
      await t.call('dev-admin', 'testing.recordResult', {
        roundId,
        householdId: outsider._id,
        memberId: shared,
        result: 'negative',
      }),
    ).toMatchObject({ ok: false, code: 'COMMON.NOT_FOUND' });
  });
});

describe('verification checks the current open round by default', () => {
  it('a card of a closed round is not valid without a named round; the answer names the round; no open round is said so', async () => {
    const rounds = await t.ok('dev-admin', 'testing.rounds', { status: 'open', limit: 100 });
    for (const r of rounds.items) await t.ok('dev-admin', 'testing.closeRound', { roundId: r.id });
    const old = await t.ok('dev-admin', 'testing.openRound', {
      name: '旧一轮',
      date: '2022-08-21',
      points: ['1号采样点'],
      validHours: 48,
    });
    const h = inGrid(4)[0]!;
    const { card } = await t.ok(gw(4), 'testing.record', {
      roundId: old.id,
      point: '1号采样点',
      householdId: h._id,
      memberId: h.members[0]!.id,
    });
    // While the round is open and current, the card is valid and the answer says which round.
    expect(await t.ok(gw(4), 'testing.verify', { token: card.token })).toMatchObject({
      status: 'valid',
      checkedRoundId: old.id,
      checkedRoundName: '旧一轮',
    });
    await t.ok('dev-admin', 'testing.closeRound', { roundId: old.id });
    // No open round: not valid, and said so.
    const none = await t.ok(gw(4), 'testing.verify', { token: card.token });
    expect(none).toMatchObject({ status: 'noRound', checkedRoundId: null });
    expect(none.text).toContain('没有进行中的检测轮次');
    const fresh = await t.ok('dev-admin', 'testing.openRound', {
      name: '新一轮',
      date: '2022-08-22',
      points: ['1号采样点'],
      validHours: 48,
    });
    expect(await t.ok(gw(4), 'testing.verify', { token: card.token })).toMatchObject({
      status: 'otherRound',
      checkedRoundId: fresh.id,
      checkedRoundName: '新一轮',
    });
    // Naming a round checks that one.
    expect(await t.ok(gw(4), 'testing.verify', { token: card.token, roundId: old.id })).toMatchObject({
      status: 'valid',
      checkedRoundId: old.id,
      checkedRoundName: '旧一轮',
    });
  });
});

describe('re-registering with more grids goes back to review', () => {
  it('keeps what was approved in force; new grids only after the reviewer approves the change', async () => {
    await addVolunteer('vol-rereg', 1, { onDuty: true });
    const far = await openJob(3, 5, 'rereg-g3');
    const v = await volunteer('vol-rereg');
    const me = await t.ok('vol-rereg', 'volunteer.register', {
      name: v.name,
      partyMember: false,
      workUnit: '退休',
      communityId: 'c-xingfu',
      gridIds: ['g-01', 'g-03'],
      teamsWished: ['delivery', 'testing'],
      skills: [],
      slots: ['morning'],
      health: { noSymptoms: true, noRiskContact: true, promise: true },
    });
    expect(me.status).toBe('approved');
    expect(me.gridIds).toEqual(['g-01']);
    expect(me.pendingChange).toMatchObject({ gridIds: ['g-01', 'g-03'], teamsWished: ['delivery', 'testing'] });
    const stored = await volunteer('vol-rereg');
    expect(stored.gridIds).toEqual(['g-01']);
    expect((await t.ok('vol-rereg', 'dispatch.openJobs', {})).items.map((j) => j.id)).not.toContain(far);
    expect(await t.call('vol-rereg', 'dispatch.grab', { jobId: far })).toMatchObject({
      ok: false,
      code: 'COMMON.NOT_FOUND',
    });
    expect(await t.call('vol-rereg', 'dispatch.job', { jobId: far })).toMatchObject({ ok: false });
    // The gridworker of the new grid sees and approves the change.
    await t.ok(gw(3), 'volunteer.review', { volunteerId: 'vol-rereg', approve: true, team: 'delivery' });
    const approved = await volunteer('vol-rereg');
    expect(approved.gridIds.sort()).toEqual(['g-01', 'g-03']);
    expect(approved.pendingChange ?? null).toBeNull();
    expect(await t.ok('vol-rereg', 'dispatch.grab', { jobId: far })).toMatchObject({ id: far, mine: true });
  });
});

describe('how much one volunteer holds at once', () => {
  it('never more than the cap, even with 40 grabs at once', async () => {
    await addVolunteer('vol-greedy', 5);
    const ids: string[] = [];
    for (let i = 0; i < 40; i += 1) ids.push(await openJob(5, 15, `greedy-${i}`));
    const results = await Promise.all(ids.map((jobId) => t.call('vol-greedy', 'dispatch.grab', { jobId })));
    const won = results.filter((r) => r.ok);
    const held = (await t.db.collection('jobs').where({ volunteerId: 'vol-greedy', status: 'assigned' }).get())
      .data as JobDoc[];
    expect(held.length).toBe(won.length);
    expect(held.length).toBeGreaterThanOrEqual(1);
    expect(held.length).toBeLessThanOrEqual(3);
    expect(held.reduce((kg, j) => kg + j.weightKg, 0)).toBeLessThanOrEqual(45);
    const refused = results.find((r) => !r.ok);
    expect(refused).toMatchObject({ ok: false, code: 'JOB.LIMIT_REACHED' });
    // Releasing one frees a place.
    const before = held.length;
    await t.ok('vol-greedy', 'dispatch.release', { jobId: held[0]!._id, reason: '临时有事' });
    const next = ids.find((j) => !held.some((h) => h._id === j)) as string;
    if (before === 3) expect(await t.ok('vol-greedy', 'dispatch.grab', { jobId: next })).toMatchObject({ mine: true });
  });

  it('binds the gridworker too: no reassigning beyond the cap', async () => {
    await addVolunteer('vol-full', 3);
    const held: string[] = [];
    for (let i = 0; i < 3; i += 1) held.push(await openJob(3, 2, `full-${i}`));
    for (const jobId of held) await t.ok('vol-full', 'dispatch.grab', { jobId });
    const extra = await openJob(3, 2, 'full-extra');
    const refused = await t.call(gw(3), 'dispatch.reassign', {
      jobId: extra,
      volunteerId: 'vol-full',
      fromVolunteerId: null,
    });
    expect(refused).toMatchObject({ ok: false, code: 'JOB.LIMIT_REACHED' });
    expect(((await t.db.collection('jobs').doc(extra).get()).data[0] as JobDoc).volunteerId ?? null).toBeNull();
  });

  it('follows the community setting', async () => {
    await t.db
      .collection('communities')
      .doc('c-xingfu')
      .update({ jobLimits: { maxJobs: 1, maxKg: 20 } });
    await addVolunteer('vol-one', 4);
    const a = await openJob(4, 2, 'one-a');
    const b = await openJob(4, 2, 'one-b');
    await t.ok('vol-one', 'dispatch.grab', { jobId: a });
    expect(await t.call('vol-one', 'dispatch.grab', { jobId: b })).toMatchObject({
      ok: false,
      code: 'JOB.LIMIT_REACHED',
    });
    await t.db
      .collection('communities')
      .doc('c-xingfu')
      .update({ jobLimits: { maxJobs: 3, maxKg: 45 } });
  });
});

describe('the 取货码', () => {
  async function placeThree(h: HouseholdDoc): Promise<string[]> {
    const ids: string[] = [];
    for (const qty of [1, 1, 1]) {
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
  const order = async (id: string) => (await t.db.collection('orders').doc(id).get()).data[0] as OrderDoc;

  it('is one code per door, and wrong tries are limited per job, saying how many are left', async () => {
    const h = inGrid(2)[20]!;
    const ids = await placeThree(h);
    await t.ok(gw(2), 'dispatch.review', { orderIds: ids, accept: true });
    const codes = await Promise.all(ids.map(async (id) => (await order(id)).handoverCode));
    expect(new Set(codes).size).toBe(1);

    await addVolunteer('vol-door', 2);
    await t.db
      .collection('volunteers')
      .where({ gridIds: 'g-02', _id: t.db.command.neq('vol-door') })
      .update({ onDuty: false });
    const run = await t.ok(gw(2), 'dispatch.run', { gridId: 'g-02' });
    const jobId = run.jobs.find((j) => j.volunteerId === 'vol-door')?.id ?? run.jobs[0]!.id;
    const job = (await t.db.collection('jobs').doc(jobId).get()).data[0] as JobDoc;
    const holder = job.volunteerId ?? 'vol-door';
    if (!job.volunteerId) await t.ok(holder, 'dispatch.grab', { jobId });
    await t.ok(holder, 'dispatch.pickUp', { jobId, counts: {} });
    // Once on its way, the resident sees the same code on each order of the door.
    for (const id of job.orderIds.filter((o) => ids.includes(o)))
      expect(await t.ok(h.memberOpenids[0] as string, 'order.detail', { orderId: id })).toMatchObject({
        handoverCode: codes[0],
      });
    const target = job.orderIds.find((o) => ids.includes(o)) as string;
    const right = codes[0] as string;
    const wrong = right === '0000' ? '1111' : '0000';
    for (let left = 4; left >= 0; left -= 1) {
      const r = await t.call(holder, 'dispatch.deliver', { jobId, orderId: target, code: wrong });
      expect(r).toMatchObject({ ok: false, code: left > 0 ? 'JOB.WRONG_CODE' : 'JOB.CODE_LOCKED' });
      if (left > 0 && !r.ok) expect(r.message).toContain(`${left}`);
    }
    // Locked: even the right code no longer works; a photo, or the gridworker's unlock, completes it.
    expect(await t.call(holder, 'dispatch.deliver', { jobId, orderId: target, code: right })).toMatchObject({
      ok: false,
      code: 'JOB.CODE_LOCKED',
    });
    const board = await t.ok(gw(2), 'dispatch.board', { gridId: 'g-02' });
    expect(board.jobs.find((j) => j.id === jobId)).toMatchObject({ codeLocked: true });
    expect(await t.call(holder, 'dispatch.unlockCode', { jobId })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_GRIDWORKER',
    });
    expect(await t.ok(gw(2), 'dispatch.unlockCode', { jobId })).toMatchObject({ id: jobId, codeLocked: false });
    expect(await t.call(gw(2), 'dispatch.unlockCode', { jobId })).toMatchObject({ ok: false, code: 'JOB.BAD_STATE' });
    expect(await t.ok(holder, 'dispatch.deliver', { jobId, orderId: target, code: right })).toMatchObject({
      status: 'delivered',
    });
    const another = job.orderIds.find((o) => ids.includes(o) && o !== target);
    if (another)
      expect(
        await t.ok(holder, 'dispatch.deliver', { jobId, orderId: another, photoFileId: 'cloud://proof.jpg' }),
      ).toMatchObject({ status: 'delivered' });
  });

  it('holds the limit under many guesses at once', async () => {
    const h = inGrid(1)[30]!;
    const [id] = await placeThree(h);
    await t.ok(gw(1), 'dispatch.review', { orderIds: [id as string], accept: true });
    await addVolunteer('vol-guess', 1);
    await t.db
      .collection('volunteers')
      .where({ gridIds: 'g-01', _id: t.db.command.neq('vol-guess') })
      .update({ onDuty: false });
    const run = await t.ok(gw(1), 'dispatch.run', { gridId: 'g-01' });
    const jobId = run.jobs.find((j) => (j.volunteerId ?? '') === 'vol-guess')?.id ?? run.jobs[0]!.id;
    const job = (await t.db.collection('jobs').doc(jobId).get()).data[0] as JobDoc;
    const holder = job.volunteerId ?? 'vol-guess';
    if (!job.volunteerId) await t.ok(holder, 'dispatch.grab', { jobId });
    await t.ok(holder, 'dispatch.pickUp', { jobId, counts: {} });
    const target = job.orderIds[0] as string;
    const guesses = Array.from({ length: 100 }, (_, i) => String((i * 97) % 10000).padStart(4, '0'));
    const results = await Promise.all(
      guesses.map((code) => t.call(holder, 'dispatch.deliver', { jobId, orderId: target, code })),
    );
    const wrongAnswers = results.filter((r) => !r.ok && r.code === 'JOB.WRONG_CODE').length;
    expect(wrongAnswers).toBeLessThanOrEqual(5);
    expect(results.filter((r) => !r.ok && r.code === 'JOB.CODE_LOCKED').length).toBeGreaterThanOrEqual(90);
  });
});
