import ExcelJS from 'exceljs';
import { chinaDay } from '../../core/time';
import type { ReviewVolunteerInput, VolunteerInput } from '../../typings/api';
import type { Building, ShiftDoc, UserDoc, VolunteerDoc } from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';

let t: TestCloud;
let buildings: Building[];

beforeAll(async () => {
  // 3 grids, 120 households, volunteers dev-vol-001…015 (vol i serves grid i % 3; dev-vol-008 pending).
  t = await startTestCloud({ seed: { grids: 3, households: 120 } });
  buildings = (await t.db.collection('buildings').limit(1000).get()).data as Building[];
}, 60_000);
afterAll(() => t.close());

const form = (over: Partial<VolunteerInput> = {}): VolunteerInput => ({
  name: '次仁卓玛',
  phone: '13912345678',
  partyMember: true,
  partyBranch: '幸福新村社区第一党支部',
  workUnit: '城关区教育局',
  communityId: 'c-xingfu',
  gridIds: ['g-01'],
  teamsWished: ['checkpoint', 'delivery'],
  skills: ['interpreting'],
  slots: ['morning'],
  health: { noSymptoms: true, noRiskContact: true, promise: true },
  ...over,
});
const buildingOf = (gridId: string) => buildings.find((b) => b.gridId === gridId)!._id;
const volunteerDoc = async (id: string) =>
  ((await t.db.collection('volunteers').doc(id).get()).data as VolunteerDoc[])[0];
const userDoc = async (id: string) => ((await t.db.collection('users').doc(id).get()).data as UserDoc[])[0];
const tomorrow = () => chinaDay(new Date(Date.now() + 24 * 3600_000));

/** Registers and approves new volunteers (through the real actions). */
async function approved(
  ids: string[],
  review: Omit<ReviewVolunteerInput, 'volunteerId' | 'approve'>,
  over: Partial<VolunteerInput> = {},
) {
  await Promise.all(ids.map((id) => t.ok(id, 'volunteer.register', form(over))));
  await Promise.all(
    ids.map((id) => t.ok('dev-admin', 'volunteer.review', { volunteerId: id, approve: true, ...review })),
  );
}

async function shift(over: Partial<Parameters<typeof t.ok<'volunteer.createShift'>>[2]> = {}) {
  return t.ok('dev-admin', 'volunteer.createShift', {
    team: 'checkpoint',
    title: '卡点值守（早班）',
    place: '北门3号卡点',
    date: tomorrow(),
    start: '08:00',
    end: '14:00',
    capacity: 4,
    qualifications: [],
    cancelBeforeHours: 2,
    ...over,
  });
}

describe('registration (报到)', () => {
  it('refuses an invalid form with a clear Chinese message per field', async () => {
    const bad = await t.call(
      'reg-bad',
      'volunteer.register',
      form({ phone: '1391234', partyBranch: '', health: { noSymptoms: false, noRiskContact: true, promise: true } }),
    );
    expect(bad).toMatchObject({ ok: false, code: 'COMMON.INVALID_INPUT', message: '请填写11位手机号' });
    const paths = bad.ok ? [] : (bad.issues ?? []).map((i) => i.path);
    expect(paths).toEqual(['phone', 'partyBranch', 'health.noSymptoms']);
    expect(await t.call('reg-bad', 'volunteer.register', form({ gridIds: ['g-99'] }))).toMatchObject({
      ok: false,
      message: '所选网格不属于该社区',
    });
    expect(await t.call('reg-bad', 'volunteer.register', form({ teamsWished: [] }))).toMatchObject({
      ok: false,
      message: '请至少选择一个意向服务队',
    });
    expect(await t.call('reg-bad', 'volunteer.register', form({ name: 'x1' }))).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
    });
    expect(await volunteerDoc('reg-bad')).toBeUndefined();
  });

  it('registers as pending; registering again updates the one record', async () => {
    const first = await t.ok('reg-a', 'volunteer.register', form());
    expect(first).toMatchObject({
      status: 'pending',
      statusText: '待审核',
      communityName: '幸福新村社区',
      gridNames: ['第1网格'],
      phoneMasked: '139****5678',
      team: null,
    });
    const again = await t.ok(
      'reg-a',
      'volunteer.register',
      form({ phone: undefined, workUnit: '西藏大学', partyMember: false, partyBranch: '党支部不该留下' }),
    );
    expect(again).toMatchObject({
      status: 'pending',
      workUnit: '西藏大学',
      partyBranch: null,
      phoneMasked: '139****5678',
    });
    expect((await t.db.collection('volunteers').where({ _id: 'reg-a' }).count()).total).toBe(1);
    expect(await t.ok('reg-a', 'volunteer.me', {})).toMatchObject({ workUnit: '西藏大学' });
    expect(await t.ok('nobody-yet', 'volunteer.me', {})).toBeNull();
    expect(await t.call(null, 'volunteer.me', {})).toMatchObject({ ok: false, code: 'AUTH.NO_IDENTITY' });
  });
});

describe('review', () => {
  it('is for the community admin or a gridworker of the volunteer’s grids only', async () => {
    await t.ok('rev-a', 'volunteer.register', form({ gridIds: ['g-02'] }));
    const approve = {
      volunteerId: 'rev-a',
      approve: true,
      team: 'delivery' as const,
      buildingIds: [buildingOf('g-02')],
      capacityKg: 15,
    };
    expect(await t.call('dev-vol-001', 'volunteer.review', approve)).toMatchObject({
      ok: false,
      code: 'AUTH.FORBIDDEN',
    });
    expect(await t.call('dev-gw-01', 'volunteer.review', approve)).toMatchObject({ ok: false, code: 'AUTH.FORBIDDEN' });
    expect(await t.call('dev-gl-02', 'volunteer.review', approve)).toMatchObject({ ok: false, code: 'AUTH.FORBIDDEN' });
    expect(
      await t.call('dev-gw-02', 'volunteer.review', { ...approve, buildingIds: [buildingOf('g-01')] }),
    ).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
      message: '所选楼栋不在该志愿者服务的网格内',
    });
    expect(await t.call('dev-gw-02', 'volunteer.review', { ...approve, team: undefined })).toMatchObject({
      ok: false,
      message: '请为志愿者分配服务队',
    });
    const done = await t.ok('dev-gw-02', 'volunteer.review', approve);
    expect(done).toMatchObject({
      status: 'approved',
      team: 'delivery',
      buildingIds: [buildingOf('g-02')],
      capacityKg: 15,
      idle: true,
    });
    // Approval grants the role, and the community to someone who had none.
    expect(await userDoc('rev-a')).toMatchObject({ roles: ['volunteer'], communityId: 'c-xingfu' });
    const me = await t.ok('rev-a', 'volunteer.me', {});
    expect(me).toMatchObject({
      status: 'approved',
      team: 'delivery',
      buildingNames: [buildings.find((b) => b._id === buildingOf('g-02'))!.name],
    });
  });

  it('rejects with a reason the volunteer sees; a decided registration is not rejected again', async () => {
    await t.ok('rev-b', 'volunteer.register', form());
    expect(await t.call('dev-admin', 'volunteer.review', { volunteerId: 'rev-b', approve: false })).toMatchObject({
      ok: false,
      message: '请填写不通过的原因，志愿者会看到',
    });
    await t.ok('dev-admin', 'volunteer.review', { volunteerId: 'rev-b', approve: false, reason: '请先完成核酸检测' });
    expect(await t.ok('rev-b', 'volunteer.me', {})).toMatchObject({
      status: 'rejected',
      rejectReason: '请先完成核酸检测',
    });
    const told = (await t.db.collection('outbox').where({ openid: 'rev-b' }).get()).data as Array<{
      template: string;
      data: Record<string, string>;
    }>;
    expect(told).toEqual([
      expect.objectContaining({
        template: 'joinResult',
        data: { subject: '志愿者报到', result: '未通过', note: '请先完成核酸检测' },
      }),
    ]);
    expect(
      await t.call('dev-admin', 'volunteer.review', { volunteerId: 'rev-b', approve: false, reason: 'x' }),
    ).toMatchObject({ ok: false, code: 'VOLUNTEER.NOT_PENDING' });
    expect(
      await t.call('dev-admin', 'volunteer.review', { volunteerId: 'rev-b', approve: true, team: 'checkpoint' }),
    ).toMatchObject({ ok: false, code: 'VOLUNTEER.NOT_PENDING' });
    // Registering again after a rejection starts a new review.
    expect(await t.ok('rev-b', 'volunteer.register', form())).toMatchObject({ status: 'pending', rejectReason: null });
  });

  it('an approved volunteer editing their details stays approved with their team', async () => {
    await approved(['rev-c'], { team: 'checkpoint' });
    expect(await t.ok('rev-c', 'volunteer.register', form({ slots: ['evening'] }))).toMatchObject({
      status: 'approved',
      team: 'checkpoint',
      slots: ['evening'],
    });
  });
});

describe('privacy of volunteers’ data', () => {
  it('staff see only their grids, phones masked; the whole number only on request, in scope', async () => {
    const gw = await t.ok('dev-gw-01', 'volunteer.list', {});
    expect(gw.length).toBeGreaterThan(0);
    expect(gw.every((v) => v.gridIds.includes('g-01'))).toBe(true);
    expect(gw.every((v) => /^\d{3}\*{4}\d{4}$/.test(v.phoneMasked))).toBe(true);
    expect(JSON.stringify(gw)).not.toMatch(/"phone"/);
    expect(await t.call('dev-gw-01', 'volunteer.list', { gridId: 'g-02' })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_GRIDWORKER',
    });
    const pending = await t.ok('dev-admin', 'volunteer.list', { status: 'pending' });
    expect(pending.map((v) => v.id)).toContain('dev-vol-008');
    expect(pending.every((v) => v.status === 'pending')).toBe(true);

    for (const outsider of ['dev-vol-001', 'dev-res-0001', 'dev-gl-01']) {
      expect(await t.call(outsider, 'volunteer.list', {})).toMatchObject({ ok: false, code: 'AUTH.FORBIDDEN' });
      expect(await t.call(outsider, 'volunteer.stats', {})).toMatchObject({ ok: false, code: 'AUTH.FORBIDDEN' });
      expect(await t.call(outsider, 'volunteer.contact', { volunteerId: 'dev-vol-002' })).toMatchObject({
        ok: false,
        code: 'AUTH.FORBIDDEN',
      });
    }
    const phone = (await volunteerDoc('dev-vol-002'))!.phone;
    expect(await t.ok('dev-admin', 'volunteer.contact', { volunteerId: 'dev-vol-002' })).toEqual({ phone });
    // dev-vol-002 serves g-02: not the g-01 gridworker's to call.
    expect(await t.call('dev-gw-01', 'volunteer.contact', { volunteerId: 'dev-vol-002' })).toMatchObject({
      ok: false,
      code: 'AUTH.FORBIDDEN',
    });
  });
});

describe('shifts', () => {
  it('are defined by the community admin only, with checked times', async () => {
    expect(
      await t.call('dev-gw-01', 'volunteer.createShift', {
        team: 'checkpoint',
        title: 'x',
        place: 'y',
        date: tomorrow(),
        start: '08:00',
        end: '14:00',
        capacity: 4,
        qualifications: [],
        cancelBeforeHours: 2,
      }),
    ).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_ADMIN',
    });
    expect(
      await t.call('dev-admin', 'volunteer.createShift', {
        team: 'checkpoint',
        title: 'x',
        place: 'y',
        date: tomorrow(),
        start: '14:00',
        end: '08:00',
        capacity: 4,
        qualifications: [],
        cancelBeforeHours: 2,
      }),
    ).toMatchObject({
      ok: false,
      message: '结束时间应晚于开始时间',
    });
    const s = await shift();
    expect(s).toMatchObject({
      teamText: '卡点值守',
      taken: 0,
      capacity: 4,
      status: 'open',
      start: '08:00',
      end: '14:00',
    });
    expect(s.cancelBy).toBe(`${tomorrow()}T06:00:00+08:00`);
  });

  it('a race of many volunteers for the seats yields exactly the capacity', async () => {
    const racers = Array.from({ length: 24 }, (_, i) => `race-${String(i + 1).padStart(2, '0')}`);
    await approved(racers, { team: 'checkpoint' });
    const s = await shift({ capacity: 4 });
    const results = await Promise.all(racers.map((id) => t.call(id, 'volunteer.signUp', { shiftId: s.id })));
    expect(results.filter((r) => r.ok)).toHaveLength(4);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.code === 'VOLUNTEER.SHIFT_FULL')).toBe(true);
    const stored = ((await t.db.collection('shifts').doc(s.id).get()).data as ShiftDoc[])[0]!;
    expect(stored.taken).toBe(4);
    expect(Object.keys(stored.seats)).toHaveLength(4);
    expect((await t.db.collection('shiftSignups').where({ shiftId: s.id, status: 'active' }).count()).total).toBe(4);
    const roster = await t.ok('dev-admin', 'volunteer.roster', { shiftId: s.id });
    expect(roster.people.map((p) => p.id).sort()).toEqual(Object.keys(stored.seats).sort());
    expect(roster.people[0]).toMatchObject({ name: '次仁卓玛', phoneMasked: '139****5678' });

    // One of them gives the seat back; one of those turned away takes it.
    const winner = roster.people[0]!.id;
    const loser = racers.find((id) => !(id in stored.seats))!;
    expect(await t.ok(winner, 'volunteer.cancelSignup', { shiftId: s.id })).toMatchObject({
      taken: 3,
      mine: false,
      canSignUp: true,
    });
    expect(await t.ok(loser, 'volunteer.signUp', { shiftId: s.id })).toMatchObject({
      taken: 4,
      mine: true,
      canCancel: true,
    });
    expect(await t.call(winner, 'volunteer.signUp', { shiftId: s.id })).toMatchObject({
      ok: false,
      code: 'VOLUNTEER.SHIFT_FULL',
    });
  });

  it('a volunteer tapping sign-up many times at once holds one seat', async () => {
    await approved(['dbl-1'], { team: 'checkpoint' });
    const s = await shift({ capacity: 3 });
    const results = await Promise.all(
      Array.from({ length: 8 }, () => t.call('dbl-1', 'volunteer.signUp', { shiftId: s.id })),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    const stored = ((await t.db.collection('shifts').doc(s.id).get()).data as ShiftDoc[])[0]!;
    expect(stored).toMatchObject({ taken: 1, seats: { 'dbl-1': expect.any(String) } });
    // Cancelling twice gives back one seat.
    await Promise.all([
      t.ok('dbl-1', 'volunteer.cancelSignup', { shiftId: s.id }),
      t.ok('dbl-1', 'volunteer.cancelSignup', { shiftId: s.id }),
    ]);
    expect(((await t.db.collection('shifts').doc(s.id).get()).data as ShiftDoc[])[0]).toMatchObject({
      taken: 0,
      seats: {},
    });
  });

  it('checks team, qualifications and review state; refuses shifts started or cancelled', async () => {
    await approved(['q-1'], { team: 'supplies' }, { teamsWished: ['supplies'], skills: [] });
    const testing = await shift({ team: 'testing', title: '核酸采样', qualifications: ['medical'] });
    const views = (await t.ok('q-1', 'volunteer.shifts', {})).items;
    expect(views.find((v) => v.id === testing.id)).toMatchObject({
      canSignUp: false,
      whyNot: '该班次只接受核酸检测队的志愿者',
    });
    expect(await t.call('q-1', 'volunteer.signUp', { shiftId: testing.id })).toMatchObject({
      ok: false,
      code: 'VOLUNTEER.NOT_QUALIFIED',
    });
    await approved(['q-2'], { team: 'testing' }, { teamsWished: ['testing'], skills: ['interpreting'] });
    expect(await t.call('q-2', 'volunteer.signUp', { shiftId: testing.id })).toMatchObject({
      ok: false,
      code: 'VOLUNTEER.NOT_QUALIFIED',
      message: '该班次需要：医护',
    });
    await approved(['q-3'], { team: 'testing' }, { teamsWished: ['testing'], skills: ['medical'] });
    expect(await t.ok('q-3', 'volunteer.signUp', { shiftId: testing.id })).toMatchObject({ mine: true });
    // dev-vol-008 is still pending review.
    expect(await t.call('dev-vol-008', 'volunteer.signUp', { shiftId: testing.id })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_VOLUNTEER',
    });
    expect(await t.call('dev-res-0001', 'volunteer.signUp', { shiftId: testing.id })).toMatchObject({
      ok: false,
      code: 'VOLUNTEER.NOT_REGISTERED',
    });

    const started = {
      ...testing,
      _id: 'shift-started',
      communityId: 'c-xingfu',
      qualifications: [],
      seats: {},
      taken: 0,
      startAt: new Date(Date.now() - 3600_000).toISOString(),
      endAt: new Date(Date.now() + 3600_000).toISOString(),
      cancelBeforeHours: 0,
    };
    const { _id, id: _ignored, ...rest } = started as typeof started & { id?: string };
    await t.db.collection('shifts').doc(_id).set(rest);
    expect(await t.call('q-3', 'volunteer.signUp', { shiftId: 'shift-started' })).toMatchObject({
      ok: false,
      code: 'VOLUNTEER.SHIFT_CLOSED',
    });
    const cancelled = await shift();
    await t.ok('dev-admin', 'volunteer.cancelShift', { shiftId: cancelled.id });
    expect(await t.call('race-01', 'volunteer.signUp', { shiftId: cancelled.id })).toMatchObject({
      ok: false,
      code: 'VOLUNTEER.SHIFT_CLOSED',
    });
  });

  it('a seat may be given back only before the deadline', async () => {
    await approved(['late-1'], { team: 'checkpoint' });
    // Starts tomorrow; cancelling closes 72 hours before, which has passed.
    const s = await shift({ cancelBeforeHours: 72 });
    expect(await t.ok('late-1', 'volunteer.signUp', { shiftId: s.id })).toMatchObject({ mine: true, canCancel: false });
    expect(await t.call('late-1', 'volunteer.cancelSignup', { shiftId: s.id })).toMatchObject({
      ok: false,
      code: 'VOLUNTEER.CANCEL_CLOSED',
    });
    expect(((await t.db.collection('shifts').doc(s.id).get()).data as ShiftDoc[])[0]?.taken).toBe(1);
  });

  it('rosters are for staff of the community; a gridworker sees their grids’ volunteers only', async () => {
    await approved(['ros-1'], { team: 'checkpoint' }, { gridIds: ['g-01'] });
    await approved(['ros-2'], { team: 'checkpoint' }, { gridIds: ['g-03'] });
    const s = await shift();
    await t.ok('ros-1', 'volunteer.signUp', { shiftId: s.id });
    await t.ok('ros-2', 'volunteer.signUp', { shiftId: s.id });
    expect((await t.ok('dev-admin', 'volunteer.roster', { shiftId: s.id })).people).toHaveLength(2);
    expect((await t.ok('dev-gw-03', 'volunteer.roster', { shiftId: s.id })).people.map((p) => p.id)).toEqual(['ros-2']);
    expect(await t.call('ros-1', 'volunteer.roster', { shiftId: s.id })).toMatchObject({
      ok: false,
      code: 'AUTH.FORBIDDEN',
    });
  });
});

describe('on duty, off duty and hours', () => {
  it('checks in once, checks out into the duty log, and hands back delivery jobs not picked up', async () => {
    await approved(['duty-1'], { team: 'delivery', buildingIds: [buildingOf('g-01')] });
    const on = await t.ok('duty-1', 'volunteer.setDuty', { onDuty: true });
    expect(on.onDuty).toBe(true);
    const again = await t.ok('duty-1', 'volunteer.setDuty', { onDuty: true });
    expect(again.dutySince).toBe(on.dutySince);
    expect(await volunteerDoc('duty-1')).toMatchObject({ onDuty: true, lastActiveAt: on.dutySince });

    const job = (id: string, status: string) => ({
      communityId: 'c-xingfu',
      gridId: 'g-01',
      volunteerId: 'duty-1',
      status,
      pending: [],
      history: [],
      orderIds: [],
      createdAt: on.dutySince,
      updatedAt: on.dutySince,
    });
    await t.db.collection('jobs').doc('job-held').set(job('job-held', 'assigned'));
    await t.db.collection('jobs').doc('job-carried').set(job('job-carried', 'pickedUp'));
    const off = await t.ok('duty-1', 'volunteer.setDuty', { onDuty: false });
    expect(off).toEqual({ onDuty: false, dutySince: null, releasedJobs: 1 });
    const jobs = (await t.db.collection('jobs').where({ volunteerId: 'duty-1' }).get()).data as Array<{
      _id: string;
      status: string;
    }>;
    expect(Object.fromEntries(jobs.map((j) => [j._id, j.status]))).toEqual({
      'job-held': 'released',
      'job-carried': 'pickedUp',
    });
    expect(await volunteerDoc('duty-1')).toMatchObject({ onDuty: false, dutySince: null });
    const logs = (await t.db.collection('dutyLogs').where({ volunteerId: 'duty-1' }).get()).data as Array<{
      startAt: string;
    }>;
    expect(logs.map((l) => l.startAt)).toEqual([on.dutySince]);
    // Checking out again changes nothing.
    expect(await t.ok('duty-1', 'volunteer.setDuty', { onDuty: false })).toMatchObject({ releasedJobs: 0 });
    expect((await t.db.collection('dutyLogs').where({ volunteerId: 'duty-1' }).count()).total).toBe(1);
    expect(await t.call('dev-vol-008', 'volunteer.setDuty', { onDuty: true })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_VOLUNTEER',
    });
  });

  it('moving a delivery volunteer to another team hands back the jobs they have not picked up', async () => {
    await approved(['duty-2'], { team: 'delivery' });
    await t.db.collection('jobs').doc('job-held-2').set({
      communityId: 'c-xingfu',
      gridId: 'g-01',
      volunteerId: 'duty-2',
      status: 'assigned',
      pending: [],
      history: [],
      orderIds: [],
    });
    await t.ok('dev-admin', 'volunteer.review', { volunteerId: 'duty-2', approve: true, team: 'checkpoint' });
    expect(((await t.db.collection('jobs').doc('job-held-2').get()).data as Array<{ status: string }>)[0]?.status).toBe(
      'released',
    );
  });

  it('counts hours from check-in/out and completed jobs; the admin exports them to Excel', async () => {
    await approved(['hrs-1'], { team: 'delivery' }, { name: '扎西平措' });
    const start = new Date(Date.now() - 5 * 3600_000);
    await t.db
      .collection('dutyLogs')
      .doc(`hrs-1:${start.getTime()}`)
      .set({
        volunteerId: 'hrs-1',
        communityId: 'c-xingfu',
        startAt: start.toISOString(),
        endAt: new Date(start.getTime() + 150 * 60_000).toISOString(),
        minutes: 150,
      });
    await t.db
      .collection('jobs')
      .doc('job-done-1')
      .set({ communityId: 'c-xingfu', gridId: 'g-01', volunteerId: 'hrs-1', status: 'done', pending: [], history: [] });
    await t.ok('hrs-1', 'volunteer.setDuty', { onDuty: true });
    const hours = await t.ok('hrs-1', 'volunteer.myHours', {});
    expect(hours).toMatchObject({ totalMinutes: 150, totalHoursText: '2小时30分钟', jobsDelivered: 1 });
    expect(hours.sessions).toHaveLength(2);
    expect(hours.sessions[0]?.endAt).toBeNull();

    expect(await t.call('hrs-1', 'volunteer.exportHours', {})).toMatchObject({ ok: false, code: 'AUTH.FORBIDDEN' });
    const file = await t.ok('dev-admin', 'volunteer.exportHours', {});
    expect(file.fileName).toMatch(/^志愿服务时长-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(file.base64, 'base64') as unknown as ArrayBuffer);
    const rows = wb.worksheets[0]!.getSheetValues().filter(Boolean) as unknown[][];
    const row = rows.find((r) => r.includes('扎西平措'))!;
    expect(row.slice(1)).toEqual([
      '扎西平措',
      '送货配送',
      '是',
      '幸福新村社区第一党支部',
      '第1网格',
      2,
      2.5,
      1,
      '藏汉双语翻译',
      '已通过',
    ]);
    // Nobody else's hours leak into a gridworker's export of other grids.
    const gw = await t.ok('dev-gw-02', 'volunteer.exportHours', {});
    const wb2 = new ExcelJS.Workbook();
    await wb2.xlsx.load(Buffer.from(gw.base64, 'base64') as unknown as ArrayBuffer);
    expect(JSON.stringify(wb2.worksheets[0]!.getSheetValues())).not.toContain('扎西平措');
  });
});

describe('the volunteer card', () => {
  it('carries a signed QR the checkpoint verifies; leaving revokes it; a forged one fails', async () => {
    await approved(['card-1'], { team: 'checkpoint' });
    const card = await t.ok('card-1', 'volunteer.card', {});
    expect(card).toMatchObject({
      name: '次仁卓玛',
      teamText: '卡点值守',
      communityName: '幸福新村社区',
      statusText: '已通过',
    });
    expect(card.qr).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(await t.ok('dev-vol-002', 'volunteer.verifyCard', { token: card.token })).toEqual({
      status: 'valid',
      text: '有效：本社区在岗志愿者',
      nameMasked: '次**玛',
      teamText: '卡点值守',
      communityName: '幸福新村社区',
      onDuty: false,
    });
    expect(await t.call('dev-res-0001', 'volunteer.verifyCard', { token: card.token })).toMatchObject({
      ok: false,
      code: 'AUTH.FORBIDDEN',
    });
    const [body, sig] = card.token.split('.');
    const forged = Buffer.from(Buffer.from(body!, 'base64url').toString().replace('card-1', 'card-2')).toString(
      'base64url',
    );
    expect(await t.ok('dev-gw-01', 'volunteer.verifyCard', { token: `${forged}.${sig}` })).toMatchObject({
      status: 'invalid',
      nameMasked: null,
    });

    // A person code of the testing card is signed with the same key but is not a volunteer card.
    const h = (
      (
        await t.db
          .collection('households')
          .where({ memberOpenids: t.db.command.size(1) })
          .limit(1)
          .get()
      ).data as Array<{ memberOpenids: string[] }>
    )[0]!;
    const codes = await t.ok(h.memberOpenids[0]!, 'testing.personCodes', {});
    expect(await t.ok('dev-gw-01', 'volunteer.verifyCard', { token: codes[0]!.token })).toMatchObject({
      status: 'invalid',
    });

    await t.ok('card-1', 'volunteer.leave', {});
    expect(await t.ok('dev-gw-01', 'volunteer.verifyCard', { token: card.token })).toMatchObject({
      status: 'revoked',
      text: '无效：该志愿者已退出或未通过审核',
    });
  });
});

describe('leaving', () => {
  it('ends duty, frees seats still to come, drops the role', async () => {
    await approved(['leave-1'], { team: 'checkpoint' });
    const s = await shift();
    await t.ok('leave-1', 'volunteer.signUp', { shiftId: s.id });
    await t.ok('leave-1', 'volunteer.setDuty', { onDuty: true });
    const left = await t.ok('leave-1', 'volunteer.leave', {});
    expect(left).toMatchObject({ status: 'left', statusText: '已退出', onDuty: false });
    expect(((await t.db.collection('shifts').doc(s.id).get()).data as ShiftDoc[])[0]).toMatchObject({ taken: 0 });
    expect((await userDoc('leave-1'))?.roles).not.toContain('volunteer');
    expect((await t.db.collection('dutyLogs').where({ volunteerId: 'leave-1' }).count()).total).toBe(1);
    expect(await t.call('leave-1', 'volunteer.setDuty', { onDuty: true })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_VOLUNTEER',
    });
  });
});

describe('statistics for admins', () => {
  it('count teams, party members, on duty now and idle volunteers from the records', async () => {
    const all = (await t.db.collection('volunteers').limit(1000).get()).data as VolunteerDoc[];
    const ok = all.filter((v) => v.status === 'approved');
    const stats = await t.ok('dev-admin', 'volunteer.stats', {});
    expect(stats.total).toBe(all.length);
    expect(stats.pending).toBe(all.filter((v) => v.status === 'pending').length);
    expect(stats.onDutyNow).toBe(ok.filter((v) => v.onDuty).length);
    expect(stats.partyShare).toBeCloseTo(ok.filter((v) => v.partyMember).length / ok.length);
    expect(stats.byTeam.find((b) => b.team === 'delivery')).toMatchObject({
      text: '送货配送',
      approved: ok.filter((v) => v.team === 'delivery').length,
    });
    expect(stats.idle.map((i) => i.id).sort()).toEqual(
      ok
        .filter((v) => !v.lastActiveAt)
        .map((v) => v._id)
        .sort(),
    );
    expect(stats.idle.map((i) => i.id)).toContain('rev-c');
    expect(stats.idle.map((i) => i.id)).not.toContain('race-01');
    // A gridworker's statistics cover their grids only.
    const gw = await t.ok('dev-gw-03', 'volunteer.stats', {});
    expect(gw.total).toBe(all.filter((v) => v.gridIds.includes('g-03')).length);
  });
});
