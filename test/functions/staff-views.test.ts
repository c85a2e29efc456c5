/** @jest-environment node */
/**
 * What staff see, from the functions: grids by name in natural order and the one with work first;
 * households in walking order across pages; people found by name or phone to grant a role (phones
 * masked); the dispatcher seeing whom they assign; a medicine stop saying what to buy, with the
 * prescription to the buyer only; the household seeing its volunteer (masked); a sampler's own
 * count; a volunteer registration filled from what the app knows; the head's card first.
 */
import { naturalCompare } from '../../core/natural-sort';
import type { HouseholdDoc, OrderDoc, VolunteerDoc } from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';

let t: TestCloud;
let households: HouseholdDoc[];
let seq = 0;
const rid = () => `req-staff-${String((seq += 1)).padStart(8, '0')}`;

beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 15, households: 450, joinedShare: 1, at: new Date() } });
  households = (await t.db.collection('households').limit(1000).get()).data as HouseholdDoc[];
  // Volunteers come from the test, not the demo seed.
  await t.db
    .collection('volunteers')
    .where({ _id: t.db.command.exists(true) })
    .remove();
}, 120_000);
afterAll(() => t.close());

const joinedIn = (gridId: string) => households.filter((h) => h.gridId === gridId && h.memberOpenids.length > 0);
const member = (h: HouseholdDoc) => h.memberOpenids[0] as string;

async function placeIn(gridId: string, count: number, from = 0): Promise<string[]> {
  const ids: string[] = [];
  for (const h of joinedIn(gridId).slice(from, from + count)) {
    const o = await t.ok(
      member(h),
      'order.place',
      { kind: 'grocery', lines: [{ itemId: 'item-009', qty: 1 }], payment: 'transfer', contactless: true },
      rid(),
    );
    ids.push(o.id);
  }
  return ids;
}

async function addVolunteer(id: string, gridId: string, over: Partial<VolunteerDoc> = {}): Promise<void> {
  await t.db.collection('volunteers').add({
    _id: id,
    communityId: 'c-xingfu',
    gridIds: [gridId],
    status: 'approved',
    team: 'delivery',
    buildingIds: [],
    onDuty: true,
    capacityKg: 20,
    name: '次仁旺堆平措',
    phone: '13912345678',
    ...over,
  });
}

describe('grids by name, in natural order, opening on the one with work', () => {
  it('lists the admin’s 15 grids 第1 … 第15 and opens the pool on the grid whose orders wait', async () => {
    await placeIn('g-03', 2);
    const view = await t.ok('dev-admin', 'grid.staffGrids', {});
    expect(view.grids.map((g) => g.name)).toEqual(Array.from({ length: 15 }, (_, i) => `第${i + 1}网格`));
    expect(view.grids.find((g) => g.id === 'g-03')).toMatchObject({ submitted: 2, waiting: 2 });
    expect(view.withOrders).toBe('g-03');
    const pool = await t.ok('dev-admin', 'dispatch.pool', {});
    expect(pool.gridId).toBe('g-03');
    expect(pool.items).toHaveLength(2);
    expect(pool.grids.map((g) => g.name)[9]).toBe('第10网格');
    expect(pool.grids.find((g) => g.id === 'g-03')?.waiting).toBe(2);
    // A gridworker sees only their own grid.
    expect((await t.ok('dev-gw-05', 'grid.staffGrids', {})).grids.map((g) => g.name)).toEqual(['第5网格']);
    expect(await t.call(member(joinedIn('g-01')[0]!), 'grid.staffGrids', {})).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_GRIDWORKER',
    });
  });

  it('sorts the structure, the dashboard and the staff list naturally', async () => {
    const structure = await t.ok('dev-admin', 'org.structure', {});
    expect(structure.grids.map((g) => g.name)).toEqual(Array.from({ length: 15 }, (_, i) => `第${i + 1}网格`));
    for (const g of structure.grids) {
      const names = g.buildings.map((b) => b.name);
      expect(names).toEqual([...names].sort(naturalCompare));
    }
    const dash = await t.ok('dev-admin', 'org.dashboard', {});
    expect(dash.grids.map((g) => g.gridName)[1]).toBe('第2网格');
    // Nicknames are names: no "网格员杨桂兰" doubling the role the page adds.
    expect(dash.grids.flatMap((g) => g.gridworkers).some((n) => /^(网格员|组长|志愿者)/.test(n))).toBe(false);
    const staff = await t.ok('dev-admin', 'org.staff', {});
    const admin = staff.find((s) => s.openid === 'dev-admin');
    expect(admin?.gridNames.slice(0, 3)).toEqual(['第1网格', '第2网格', '第3网格']);
  });
});

describe('households in walking order', () => {
  it('pages through a grid building by building, rooms by floor (1-101 < 1-901 < 1-1001), none skipped', async () => {
    const gridId = 'g-02';
    const seen: Array<{ buildingName: string; room: string; id: string }> = [];
    let cursor: string | undefined;
    do {
      const page = await t.ok('dev-gw-02', 'grid.households', { gridId, limit: 7, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((h) => ({ buildingName: h.buildingName, room: h.room, id: h.id })));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const all = households.filter((h) => h.gridId === gridId);
    expect(seen).toHaveLength(all.length);
    expect(new Set(seen.map((h) => h.id)).size).toBe(all.length);
    const sorted = [...seen].sort(
      (a, b) => naturalCompare(a.buildingName, b.buildingName) || naturalCompare(a.room, b.room),
    );
    expect(seen.map((h) => h.id)).toEqual(sorted.map((h) => h.id));
    expect(await t.call('dev-gw-02', 'grid.households', { gridId, cursor: 'not-a-cursor' })).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
    });
  });
});

describe('granting a role to someone found by name or phone', () => {
  it('finds community members by name and by phone digits, masked; an outsider only by the whole number', async () => {
    const h = joinedIn('g-04')[0]!;
    const byName = await t.ok('dev-admin', 'org.findUsers', { query: h.headName });
    const found = byName.find((u) => u.openid === member(h));
    expect(found).toMatchObject({ inCommunity: true, phoneMasked: expect.stringMatching(/^\d{3}\*{4}\d{4}$/) });
    expect(found?.place).toMatch(/号楼 \d+-\d+$/);
    expect(JSON.stringify(byName)).not.toContain(h.phone);
    const byPhone = await t.ok('dev-admin', 'org.findUsers', { query: h.phone.slice(-4) });
    expect(byPhone.some((u) => u.openid === member(h))).toBe(true);
    // Someone who opened the mini-program but joined no community: found by the whole number only.
    await t.db.collection('users').add({
      _id: 'outsider-1',
      nickName: '欧阳德吉白玛',
      roles: [],
      communityId: null,
      adminGridIds: [],
      householdId: null,
      phone: '13700001234',
      createdAt: new Date().toISOString(),
    });
    expect(
      (await t.ok('dev-admin', 'org.findUsers', { query: '0001234' })).some((u) => u.openid === 'outsider-1'),
    ).toBe(false);
    const whole = await t.ok('dev-admin', 'org.findUsers', { query: '13700001234' });
    expect(whole.find((u) => u.openid === 'outsider-1')).toMatchObject({
      inCommunity: false,
      phoneMasked: '137****1234',
    });
    // Search words are text, not patterns.
    expect(await t.ok('dev-admin', 'org.findUsers', { query: '.*' })).toEqual([]);
    expect(await t.call('dev-gw-01', 'org.findUsers', { query: '卓玛' })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_ADMIN',
    });
  });
});

describe('dispatch as staff and volunteers see it', () => {
  it('shows the dispatcher whom they assign, in full (phones masked), with load; the reason in plain words', async () => {
    await addVolunteer('vol-s1', 'g-06');
    const ids = await placeIn('g-06', 3);
    await t.ok('dev-gw-06', 'dispatch.review', { orderIds: ids, accept: true });
    await t.ok('dev-gw-06', 'dispatch.run', { gridId: 'g-06' });
    const board = await t.ok('dev-gw-06', 'dispatch.board', { gridId: 'g-06' });
    expect(board.volunteers).toEqual([
      expect.objectContaining({ name: '次仁旺堆平措', phoneMasked: '139****5678', activeJobs: expect.any(Number) }),
    ]);
    expect(board.volunteers[0]?.activeJobs).toBeGreaterThan(0);
    expect(board.volunteers[0]?.doors).toBe(3);
    const job = board.jobs[0]!;
    expect(job.volunteerName).toBe('次仁旺堆平措');
    expect(job.reasonShort).toMatch(/户一趟/);
    expect(`${job.reasonShort}${job.reasonDetails.join('')}`).not.toMatch(/该志愿者|全体志愿者|\d+分(?!钟)/);
    // Other volunteers still see a masked name.
    await addVolunteer('vol-s2', 'g-06', { name: '央金卓嘎', onDuty: false });
    expect((await t.ok('vol-s2', 'dispatch.job', { jobId: job.id })).volunteerName).toBe('次****措');
  });

  it('says what medicine to buy and where, with the prescription photo to the one who buys it', async () => {
    await addVolunteer('vol-m1', 'g-07');
    await addVolunteer('vol-m2', 'g-07', { name: '拉姆', onDuty: false });
    const h = joinedIn('g-07')[0]!;
    const o = await t.ok(
      member(h),
      'order.place',
      {
        kind: 'medicine',
        medicine: { description: '硝苯地平缓释片 一盒', urgency: 'urgent' },
        payment: 'cashOnDelivery',
        contactless: true,
      },
      rid(),
    );
    await t.db.collection('orders').doc(o.id).update({ 'medicine.prescriptionFileId': 'cloud://env/rx/1.jpg' });
    await t.ok('dev-gw-07', 'dispatch.review', { orderIds: [o.id], accept: true });
    await t.ok('dev-gw-07', 'dispatch.run', { gridId: 'g-07' });
    const jobId = ((await t.db.collection('orders').doc(o.id).get()).data[0] as OrderDoc).jobId as string;
    const mine = await t.ok('vol-m1', 'dispatch.job', { jobId });
    expect(mine.purchases).toEqual([
      expect.objectContaining({
        what: '硝苯地平缓释片 一盒',
        where: '就近药店',
        urgent: true,
        prescriptionFileId: 'cloud://env/rx/1.jpg',
      }),
    ]);
    expect(mine.stops[0]).toMatchObject({
      medicineText: '硝苯地平缓释片 一盒',
      prescriptionFileId: 'cloud://env/rx/1.jpg',
    });
    const other = await t.ok('vol-m2', 'dispatch.job', { jobId });
    expect(other.stops[0]).toMatchObject({ medicineText: null, prescriptionFileId: null });
    expect(other.purchases[0]?.prescriptionFileId).toBeNull();
    const staff = await t.ok('dev-gw-07', 'dispatch.job', { jobId });
    expect(staff.stops[0]).toMatchObject({ medicineText: '硝苯地平缓释片 一盒', prescriptionFileId: null });

    // The household sees who carries it: masked name and number (the number only to dial).
    const courier = await t.ok(member(h), 'dispatch.courier', { orderId: o.id });
    expect(courier).toMatchObject({ assigned: true, nameMasked: '次****措', phoneMasked: '139****5678' });
    expect(await t.call(member(joinedIn('g-07')[1]!), 'dispatch.courier', { orderId: o.id })).toMatchObject({
      ok: false,
      code: 'COMMON.NOT_FOUND',
    });
  });
});

describe('testing and volunteers', () => {
  it('counts the sampler’s own records in the round; the household head’s card comes first', async () => {
    const round = await t.ok('dev-admin', 'testing.openRound', {
      name: '全员核酸',
      date: '2022-08-20',
      points: ['1号采样点'],
      validHours: 48,
    });
    const h = joinedIn('g-08').find((x) => x.members.length >= 2)!;
    const codes = await t.ok(member(h), 'testing.personCodes', {});
    // The other member first, then the head: the cards still list the head first.
    for (const code of [...codes].reverse())
      await t.ok('dev-gw-08', 'testing.record', { roundId: round.id, point: '1号采样点', personCode: code.token });
    expect(await t.ok('dev-gw-08', 'testing.myRecords', { roundId: round.id })).toEqual({
      roundId: round.id,
      recorded: codes.length,
    });
    expect((await t.ok('dev-gw-09', 'testing.myRecords', { roundId: round.id })).recorded).toBe(0);
    const cards = await t.ok(member(h), 'testing.myCards', {});
    expect(cards[0]?.nameMasked).toBe(codes[0]?.nameMasked);
    expect(Date.parse(cards[0]!.validUntil) - Date.parse(cards[0]!.sampledAt)).toBe(48 * 3600_000);
  });

  it('fills a first volunteer registration from what the app knows, and keeps the known phone', async () => {
    const h = joinedIn('g-09')[0]!;
    const openid = member(h);
    const known = await t.ok(openid, 'volunteer.prefill', {});
    expect(known).toMatchObject({
      communityId: 'c-xingfu',
      gridId: 'g-09',
      phoneMasked: expect.stringMatching(/\*{4}/),
    });
    expect(known.name).toBeTruthy();
    const me = await t.ok(openid, 'volunteer.register', {
      name: known.name,
      partyMember: false,
      workUnit: '退休',
      communityId: 'c-xingfu',
      gridIds: ['g-09'],
      teamsWished: ['delivery'],
      skills: [],
      slots: ['morning'],
      health: { noSymptoms: true, noRiskContact: true, promise: true },
    });
    expect(me.phoneMasked).toBe(known.phoneMasked);
  });
});
