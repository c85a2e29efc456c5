/** @jest-environment node */
import ExcelJS from 'exceljs';
import { chinaDay } from '../../core/time';
import type { Grid, HouseholdDoc, OrderDoc, UserDoc } from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';

let t: TestCloud;
beforeAll(async () => {
  t = await startTestCloud({ seed: true });
}, 60_000);
afterAll(() => t.close());

const csv = (rows: string[][]) => Buffer.from(rows.map((r) => r.join(',')).join('\n')).toString('base64');
const HEADER = ['网格', '楼栋', '单元', '房号', '户主', '电话', '人数'];
const count = async (collection: string, where: Record<string, unknown> = {}) =>
  (await t.db.collection(collection).where(where).count()).total ?? 0;

describe('structure', () => {
  it('is the admin’s to see and edit; others are refused', async () => {
    expect(await t.call('dev-gw-01', 'org.structure', {})).toMatchObject({ ok: false, code: 'AUTH.NOT_ADMIN' });
    expect(await t.call(null, 'org.structure', {})).toMatchObject({ ok: false, code: 'AUTH.NO_IDENTITY' });
    const s = await t.ok('dev-admin', 'org.structure', {});
    expect(s.grids).toHaveLength(15);
    expect(s.grids.reduce((n, g) => n + g.householdCount, 0)).toBe(500);
    expect(s.grids[0]?.gridworkers[0]?.openid).toBe('dev-gw-01');
  });

  it('adds a grid and a building; names are unique in the community', async () => {
    const after = await t.ok('dev-admin', 'org.saveGrid', { name: '第16网格' });
    const grid = after.grids.find((g) => g.name === '第16网格');
    expect(grid).toBeDefined();
    expect(await t.call('dev-admin', 'org.saveGrid', { name: '第16网格' })).toMatchObject({
      ok: false,
      code: 'COMMON.CONFLICT',
    });
    const withBuilding = await t.ok('dev-admin', 'org.saveBuilding', {
      gridId: grid!.id,
      name: '新1号楼',
      floors: 6,
      hasLift: false,
      distanceM: 120,
    });
    expect(withBuilding.grids.find((g) => g.id === grid!.id)?.buildings.map((b) => b.name)).toEqual(['新1号楼']);
    expect(
      await t.call('dev-admin', 'org.saveBuilding', {
        gridId: grid!.id,
        name: '1号楼',
        floors: 6,
        hasLift: false,
        distanceM: 1,
      }),
    ).toMatchObject({ ok: false, code: 'COMMON.CONFLICT' });
  });
});

describe('spreadsheet import', () => {
  it('reports every bad row and writes nothing', async () => {
    const before = await count('households');
    const report = await t.ok('dev-admin', 'org.import', {
      fileName: '住户.csv',
      dryRun: false,
      base64: csv([
        HEADER,
        ['导入网格A', 'A1栋', '1', '101', '张三', '13812345678', '3'],
        ['导入网格A', 'A1栋', '1', '102', '', '138', '2'],
      ]),
    });
    expect(report.applied).toBe(false);
    expect(report.errors).toEqual([
      { row: 3, column: '户主', message: '请填写户主姓名' },
      { row: 3, column: '电话', message: expect.stringContaining('11 位手机号') },
    ]);
    expect(await count('households')).toBe(before);
    expect(await count('grids', { name: '导入网格A' })).toBe(0);
  });

  it('previews, then imports once: importing again (or twice at once) creates nothing twice', async () => {
    const rows = [HEADER];
    for (let i = 1; i <= 40; i += 1)
      rows.push([
        i <= 20 ? '导入网格B' : '导入网格C',
        i <= 20 ? 'B1栋' : 'C1栋',
        String(1 + (i % 2)),
        `${100 + i}`,
        `户主${i}`,
        `139${String(i).padStart(8, '0')}`,
        String(1 + (i % 4)),
      ]);
    // One row in an existing building of the demo (1号楼 of 第1网格) is matched, not duplicated.
    const h1 = ((await t.db.collection('households').doc('h-0001').get()).data as HouseholdDoc[])[0]!;
    rows.push(['第1网格', '1号楼', '', h1.room, h1.headName, '13800000000', '1']);
    const base64 = csv(rows);
    const preview = await t.ok('dev-admin', 'org.import', { fileName: 'x.csv', dryRun: true, base64 });
    expect(preview).toMatchObject({
      applied: false,
      errors: [],
      grids: { created: 2, existing: 1 },
      buildings: { created: 2, existing: 1 },
      households: { created: 40, existing: 1 },
    });
    expect(await count('grids', { name: '导入网格B' })).toBe(0);

    const [a, b] = await Promise.all([
      t.ok('dev-admin', 'org.import', { fileName: 'x.csv', dryRun: false, base64 }),
      t.ok('dev-admin', 'org.import', { fileName: 'x.csv', dryRun: false, base64 }),
    ]);
    expect(a.applied && b.applied).toBe(true);
    const again = await t.ok('dev-admin', 'org.import', { fileName: 'x.csv', dryRun: false, base64 });
    expect(again.households).toEqual({ created: 0, existing: 41 });
    const grid = ((await t.db.collection('grids').where({ name: '导入网格B' }).get()).data as Grid[])[0]!;
    expect(await count('grids', { name: '导入网格B' })).toBe(1);
    expect(await count('households', { gridId: grid._id })).toBe(20);
    expect(grid.householdCount).toBe(20);
    expect(grid.buildingIds).toHaveLength(1);
    const sample = (
      (await t.db.collection('households').where({ gridId: grid._id, headName: '户主3' }).get()).data as HouseholdDoc[]
    )[0]!;
    expect(sample).toMatchObject({ room: '2-103', phone: '13900000003', floor: 1, memberOpenids: [] });
    expect(sample.members).toHaveLength(4);
  });

  it('reads Excel files too', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('住户');
    ws.addRow(['幸福新村社区住户登记表']);
    ws.addRow(HEADER);
    ws.addRow(['导入网格D', 'D1栋', 1, 501, '格桑', 13812340000, 2]);
    ws.addRow(['导入网格D', 'D1栋', 1, 502, '卓玛', 1381234, 2]);
    const base64 = Buffer.from(await wb.xlsx.writeBuffer()).toString('base64');
    const bad = await t.ok('dev-admin', 'org.import', { fileName: '住户.xlsx', dryRun: true, base64 });
    expect(bad.errors).toEqual([{ row: 4, column: '电话', message: expect.any(String) }]);
    expect(
      await t.call('dev-admin', 'org.import', { fileName: 'a.pdf', dryRun: true, base64: 'aGVsbG8=' }),
    ).toMatchObject({ ok: false, code: 'COMMON.INVALID_INPUT' });
    // The template the page offers reads back cleanly.
    const template = await t.ok('dev-admin', 'org.importTemplate', {});
    const back = await t.ok('dev-admin', 'org.import', {
      fileName: template.fileName,
      dryRun: true,
      base64: template.base64,
    });
    expect(back.errors).toEqual([]);
    expect(back.households.created + back.households.existing).toBe(2);
    expect(await t.call('dev-gw-01', 'org.import', { fileName: 'a.csv', dryRun: true, base64 })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_ADMIN',
    });
  });
});

describe('roles and invitation codes', () => {
  it('a counted code is taken at most maxUses times, once per person, even all at once', async () => {
    const code = await t.ok('dev-admin', 'org.createCode', {
      role: 'groupLeader',
      gridId: 'g-03',
      maxUses: 2,
      days: 7,
    });
    expect(code).toMatchObject({ role: 'groupLeader', gridName: '第3网格', used: 0 });
    const people = ['new-a', 'new-b', 'new-c', 'new-d', 'new-e'];
    const callers = [...people, 'new-a'];
    const results = await Promise.all(
      callers.map((p) => t.call(p, 'org.redeemCode', { code: code.code.toLowerCase() })),
    );
    const winners = new Set(callers.filter((_, i) => results[i]!.ok));
    expect(winners.size).toBe(2);
    expect(results.filter((r) => r.ok && r.data.fresh)).toHaveLength(2);
    for (const r of results.filter((x) => !x.ok)) expect(r).toMatchObject({ ok: false, code: 'ORG.CODE_INVALID' });
    const codes = (await t.ok('dev-admin', 'org.codes', {})).items;
    expect(codes.find((c) => c.code === code.code)?.used).toBe(2);
    const winner = [...winners][0]!;
    // Redeeming again is recognised, not counted; the role works at once.
    expect(await t.ok(winner, 'org.redeemCode', { code: code.code })).toMatchObject({
      fresh: false,
      role: 'groupLeader',
      gridId: 'g-03',
    });
    expect((await t.ok(winner, 'grid.dashboard', { gridId: 'g-03' })).gridId).toBe('g-03');
    expect(await t.call(winner, 'grid.dashboard', { gridId: 'g-04' })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_GRIDWORKER',
    });
    const grid = ((await t.db.collection('grids').doc('g-03').get()).data as Grid[])[0]!;
    expect(grid.groupLeaderIds).toContain(winner);
  });

  it('a revoked code is refused; the admin grants and revokes directly', async () => {
    const code = await t.ok('dev-admin', 'org.createCode', { role: 'volunteer', maxUses: 10, days: 1 });
    await t.ok('dev-admin', 'org.revokeCode', { code: code.code });
    expect(await t.call('new-f', 'org.redeemCode', { code: code.code })).toMatchObject({
      ok: false,
      code: 'ORG.CODE_INVALID',
      message: '邀请码已被管理员作废',
    });
    expect(await t.call('dev-gw-01', 'org.createCode', { role: 'volunteer', maxUses: 1, days: 1 })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_ADMIN',
    });
    expect(await t.call('dev-admin', 'org.createCode', { role: 'gridworker', maxUses: 1, days: 1 })).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
    });

    await t.ok('new-g', 'user.me', {});
    const granted = await t.ok('dev-admin', 'org.grantRole', {
      openid: 'new-g',
      role: 'gridworker',
      gridIds: ['g-05'],
    });
    expect(granted).toMatchObject({ roles: ['gridworker'], gridIds: ['g-05'] });
    await t.ok('new-g', 'grid.dashboard', { gridId: 'g-05' });
    const revoked = await t.ok('dev-admin', 'org.revokeRole', { openid: 'new-g', role: 'gridworker' });
    expect(revoked).toMatchObject({ roles: [], gridIds: [] });
    expect(await t.call('new-g', 'grid.dashboard', { gridId: 'g-05' })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_GRIDWORKER',
    });
    const grid = ((await t.db.collection('grids').doc('g-05').get()).data as Grid[])[0]!;
    expect(grid.gridworkerIds).not.toContain('new-g');
    expect(await t.call('dev-admin', 'org.revokeRole', { openid: 'dev-admin', role: 'communityAdmin' })).toMatchObject({
      ok: false,
      code: 'COMMON.CONFLICT',
    });
    // Revoking a volunteer ends their approved registration too: the volunteer functions refuse them.
    expect((await t.ok('dev-vol-001', 'volunteer.me', {}))?.status).toBe('approved');
    await t.ok('dev-admin', 'org.revokeRole', { openid: 'dev-vol-001', role: 'volunteer' });
    expect((await t.ok('dev-vol-001', 'volunteer.me', {}))?.status).toBe('left');
    expect(await t.call('dev-vol-001', 'dispatch.openJobs', {})).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_VOLUNTEER',
    });
    const staff = await t.ok('dev-admin', 'org.staff', {});
    expect(staff[0]?.roles).toContain('communityAdmin');
    expect(staff.find((s) => s.openid === 'dev-gw-01')).toMatchObject({
      capacity: 120,
      phoneMasked: expect.stringMatching(/^\d{3}\*{4}\d{4}$/),
    });
  });
});

describe('gridworker assignment', () => {
  it('covers every grid, explains itself, keeps pins, and applies once', async () => {
    const plan = await t.ok('dev-admin', 'org.planAssignment', { pins: [] });
    const withBuildings = plan.grids.filter((g) => g.households > 0);
    for (const g of withBuildings) {
      expect(g.workers.length).toBeGreaterThan(0);
      expect(g.reason).not.toBe('');
      expect(g.reason).not.toMatch(/\bb-\d{3}\b/);
    }
    expect(plan.uncovered).toEqual([]);
    expect(plan.maxLoad).toBeGreaterThanOrEqual(plan.averageLoad);
    expect(plan.maxLoad).toBe(Math.max(...plan.workers.map((w) => w.load)));
    // A worker's load is the sum of their parts; no one is over their capacity.
    for (const w of plan.workers) {
      const parts = plan.grids.flatMap((g) => g.workers.filter((x) => x.workerId === w.workerId));
      expect(parts.reduce((n, p) => n + p.load, 0)).toBeCloseTo(w.load, 1);
      if (w.capacity !== null) expect(w.load).toBeLessThanOrEqual(w.capacity);
    }
    // Every building of a covered grid is held by exactly one worker.
    const held = plan.grids.flatMap((g) => g.workers.flatMap((w) => w.buildingIds));
    expect(new Set(held).size).toBe(held.length);

    const pinned = await t.ok('dev-admin', 'org.planAssignment', { pins: [{ gridId: 'g-07', workerId: 'dev-gw-01' }] });
    expect(pinned.grids.find((g) => g.gridId === 'g-07')?.workers.map((w) => [w.workerId, w.pinned])).toEqual([
      ['dev-gw-01', true],
    ]);

    const parts = pinned.grids.flatMap((g) =>
      g.workers.map((w) => ({ gridId: g.gridId, workerId: w.workerId, buildingIds: w.buildingIds })),
    );
    expect(await t.call('dev-gw-01', 'org.applyAssignment', { basis: pinned.basis, parts })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_ADMIN',
    });
    const applied = await t.ok('dev-admin', 'org.applyAssignment', { basis: pinned.basis, parts });
    expect(applied.changed).toBe(true);
    const g7 = ((await t.db.collection('grids').doc('g-07').get()).data as Grid[])[0]!;
    expect(g7.gridworkerIds).toEqual(['dev-gw-01']);
    const gw1 = ((await t.db.collection('users').doc('dev-gw-01').get()).data as UserDoc[])[0]!;
    expect(gw1.adminGridIds).toContain('g-07');
    expect((await t.ok('dev-gw-01', 'grid.dashboard', { gridId: 'g-07' })).gridId).toBe('g-07');
    // Applying the same plan again changes nothing; a plan made on the old state is refused.
    expect(await t.ok('dev-admin', 'org.applyAssignment', { basis: pinned.basis, parts })).toMatchObject({
      changed: false,
    });
    expect(
      await t.call('dev-admin', 'org.applyAssignment', {
        basis: plan.basis,
        parts: parts.filter((p) => p.gridId !== 'g-07'),
      }),
    ).toMatchObject({ ok: false, code: 'COMMON.CONFLICT' });
    // An apply cut short (crash after some grids were written) is finished by applying again.
    await t.db.collection('assignRuns').doc('assign:c-xingfu').update({ state: 'applying' });
    await t.db.collection('grids').doc('g-07').update({ gridworkerIds: [] });
    expect(await t.ok('dev-admin', 'org.applyAssignment', { basis: pinned.basis, parts })).toMatchObject({
      changed: true,
    });
    expect(((await t.db.collection('grids').doc('g-07').get()).data as Grid[])[0]!.gridworkerIds).toEqual([
      'dev-gw-01',
    ]);
  });

  it('keeps a worker’s home, capacity and must-not grids', async () => {
    expect(
      await t.call('dev-admin', 'org.saveStaffProfile', {
        openid: 'dev-gw-02',
        capacity: 50,
        homeBuildingId: null,
        mustGridIds: ['g-02'],
        mustNotGridIds: ['g-02'],
      }),
    ).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
    });
    await t.ok('dev-admin', 'org.saveStaffProfile', {
      openid: 'dev-gw-02',
      capacity: 500,
      homeBuildingId: null,
      mustGridIds: [],
      mustNotGridIds: ['g-02'],
    });
    const plan = await t.ok('dev-admin', 'org.planAssignment', { pins: [] });
    expect(plan.workers.find((w) => w.workerId === 'dev-gw-02')?.gridIds).not.toContain('g-02');
    expect(plan.workers.find((w) => w.workerId === 'dev-gw-02')?.capacity).toBe(500);
  });
});

describe('dashboards', () => {
  const day = chinaDay(new Date());
  let households: HouseholdDoc[];
  beforeAll(async () => {
    households = (await t.db.collection('households').where({ gridId: 'g-09' }).limit(1000).get())
      .data as HouseholdDoc[];
    const now = new Date().toISOString();
    const order = (i: number, status: OrderDoc['status'], history: OrderDoc['history']): Partial<OrderDoc> => ({
      communityId: 'c-xingfu',
      gridId: 'g-09',
      buildingId: households[i]!.buildingId,
      householdId: households[i]!._id,
      status,
      history,
      createdAt: now,
      updatedAt: now,
    });
    await t.db.collection('orders').add([
      { _id: 'dash-o1', ...order(0, 'submitted', [{ status: 'submitted', at: now, by: 'x' }]) },
      { _id: 'dash-o2', ...order(1, 'submitted', [{ status: 'submitted', at: now, by: 'x' }]) },
      { _id: 'dash-o3', ...order(2, 'delivered', [{ status: 'delivered', at: now, by: 'x' }]) },
      { _id: 'dash-o4', ...order(3, 'placing', []) },
    ]);
  });

  it('shows the gridworker their grid: 入群率 per building, orders today, testing, ledger, contacts', async () => {
    // Run by the grid's current staff (the admin too).
    const dash = await t.ok('dev-admin', 'grid.dashboard', { gridId: 'g-09' });
    expect(dash.households).toBe(households.length);
    expect(dash.joined).toBe(households.filter((h) => h.memberOpenids.length).length);
    expect(dash.buildings.reduce((n, b) => n + b.households, 0)).toBe(households.length);
    expect(dash.ordersToday).toEqual({ submitted: 2, delivered: 1 });
    expect(dash.deliveredToday).toBe(1);
    expect(dash.jobs).toEqual({ active: 0, doneToday: 0 });
    expect(dash.day).toBe(day);
    const needy = households.filter((h) => h.sensitiveConsentAt && h.members.some((m) => m.needs.length));
    expect(dash.ledger).toHaveLength(needy.flatMap((h) => h.members.filter((m) => m.needs.length)).length);
    expect(dash.notContacted).toHaveLength(needy.length);
    for (const row of dash.ledger)
      expect(needy.flatMap((h) => h.members.map((m) => m.name))).not.toContain(row.nameMasked);

    expect(needy.length).toBeGreaterThan(0);
    {
      const h = needy[0]!;
      const m = h.members.find((x) => x.needs.length)!;
      await t.ok('dev-admin', 'grid.recordContact', { householdId: h._id, method: 'phone' });
      await t.ok('dev-admin', 'grid.recordContact', { householdId: h._id, method: 'visit', note: '送药' });
      const care = await t.ok('dev-admin', 'grid.saveCare', {
        householdId: h._id,
        memberId: m.id,
        dialysisWeekdays: [1, 2, 3, 4, 5, 6, 7],
        refillEveryDays: 30,
        lastRefillOn: day,
      });
      expect(care).toMatchObject({ dialysisToday: true, refillInDays: 30 });
      const after = await t.ok('dev-admin', 'grid.dashboard', { gridId: 'g-09' });
      expect(after.contactedToday).toBe(1);
      expect(after.notContacted.map((x) => x.householdId)).not.toContain(h._id);
      expect(after.ledger[0]).toMatchObject({ householdId: h._id, dialysisToday: true });
    }
    const noConsent = households.find((h) => !h.sensitiveConsentAt)!;
    expect(
      await t.call('dev-admin', 'grid.saveCare', {
        householdId: noConsent._id,
        memberId: noConsent.members[0]!.id,
        dialysisWeekdays: [1],
        refillEveryDays: 0,
        lastRefillOn: null,
      }),
    ).toMatchObject({
      ok: false,
      code: 'PRIVACY.CONSENT_REQUIRED',
    });
  });

  it('counts the latest testing round', async () => {
    const round = await t.ok('dev-admin', 'testing.openRound', {
      name: '看板测试轮',
      date: day,
      points: ['上门'],
      validHours: 48,
    });
    const h = households[0]!;
    await t.ok('dev-admin', 'testing.record', {
      roundId: round.id,
      point: '上门',
      householdId: h._id,
      memberId: h.members[0]!.id,
    });
    const dash = await t.ok('dev-admin', 'grid.dashboard', { gridId: 'g-09' });
    expect(dash.testing).toEqual({
      roundId: round.id,
      roundName: '看板测试轮',
      sampled: 1,
      total: households.reduce((n, x) => n + x.members.length, 0),
    });
  });

  it('keeps gridworkers to their grids and gives the admin the whole community', async () => {
    await t.ok('new-h', 'user.me', {});
    await t.ok('dev-admin', 'org.grantRole', { openid: 'new-h', role: 'gridworker', gridIds: ['g-01'] });
    expect((await t.ok('new-h', 'grid.dashboard', { gridId: 'g-01' })).gridId).toBe('g-01');
    expect(await t.call('new-h', 'grid.dashboard', { gridId: 'g-10' })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_GRIDWORKER',
    });
    expect(
      await t.call('new-h', 'grid.recordContact', { householdId: households[0]!._id, method: 'phone' }),
    ).toMatchObject({ ok: false, code: 'AUTH.NOT_GRIDWORKER' });
    expect(await t.call('dev-res-0001', 'org.dashboard', {})).toMatchObject({ ok: false, code: 'AUTH.NOT_ADMIN' });
    const all = await t.ok('dev-admin', 'org.dashboard', {});
    const totalHouseholds = await count('households', { communityId: 'c-xingfu' });
    expect(all.totals.households).toBe(totalHouseholds);
    expect(all.grids.reduce((n, r) => n + r.households, 0)).toBe(totalHouseholds);
    expect(all.grids.find((r) => r.gridId === 'g-09')?.ordersToday).toEqual({ submitted: 2, delivered: 1 });
    expect(all.totals.ordersTodayTotal).toBe(3);
  });
});

describe('notices', () => {
  it('a gridworker posts to their grid; only subscribed residents of it get a message', async () => {
    const g = ((await t.db.collection('grids').doc('g-11').get()).data as Grid[])[0]!;
    const gw = g.gridworkerIds[0]!;
    const hs = (
      (await t.db.collection('households').where({ gridId: 'g-11' }).limit(1000).get()).data as HouseholdDoc[]
    ).filter((h) => h.memberOpenids.length);
    const subscriber = hs[0]!.memberOpenids[0]!;
    const other = hs[1]!.memberOpenids[0]!;
    await t.ok(subscriber, 'user.subscribe', { templates: ['notice'] });
    const notice = await t.ok(gw, 'grid.postNotice', {
      gridId: 'g-11',
      title: '明日全员核酸',
      body: '请于 8:00 到 1 号采样点',
    });
    expect(notice.scope).toBe('grid');
    const outbox = (await t.db.collection('outbox').where({ template: 'notice' }).get()).data as Array<{
      openid: string;
      data: Record<string, string>;
    }>;
    expect(outbox.map((m) => m.openid)).toEqual([subscriber]);
    expect(outbox[0]?.data.title).toBe('明日全员核酸');
    expect(outbox.map((m) => m.openid)).not.toContain(other);
    const mine = await t.ok(other, 'grid.mine', {});
    expect(mine.notices[0]?.title).toBe('明日全员核酸');
    expect(await t.call(gw, 'grid.postNotice', { gridId: null, title: 'x', body: 'y' })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_ADMIN',
    });
    const dash = await t.ok(gw, 'grid.dashboard', { gridId: 'g-11' });
    expect(dash.notices[0]?.title).toBe('明日全员核酸');
  });
});
