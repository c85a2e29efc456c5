/** @jest-environment node */
/**
 * The dashboards count in the database (aggregation) since issue 20: their figures must equal the
 * figures counted from the raw documents, on the seeded community with a day of activity.
 */
import { chinaDay, chinaWallClock } from '../../core/time';
import { addDays } from '../../core/org/dashboard';
import type { Grid, HouseholdDoc, JobDoc, OrderDoc, SampleDoc, VolunteerDoc } from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';

let t: TestCloud;
beforeAll(async () => {
  t = await startTestCloud({ seed: true });
}, 60_000);
afterAll(() => t.close());

async function every<T>(collection: string): Promise<T[]> {
  const out: T[] = [];
  for (let skip = 0; ; skip += 1000) {
    const page = (await t.db.collection(collection).orderBy('_id', 'asc').skip(skip).limit(1000).get()).data as T[];
    out.push(...page);
    if (page.length < 1000) return out;
  }
}

it('counts what the raw documents count: grid and community dashboards, volunteer statistics, coverage', async () => {
  const now = new Date();
  const day = chinaDay(now);
  const start = chinaWallClock(day, '00:00').toISOString();
  const end = chinaWallClock(addDays(day, 1), '00:00').toISOString();
  const before = new Date(Date.parse(start) - 3_600_000).toISOString();
  const at = (i: number) =>
    new Date(Date.parse(start) + ((i * 7919) % (Date.parse(end) - Date.parse(start)))).toISOString();
  const grids = await every<Grid>('grids');
  const households = await every<HouseholdDoc>('households');
  const communityId = grids[0]?.communityId as string;

  // A day of activity: consents (two households without needs too), orders of every status (some
  // placed yesterday, some still placing), deliveries, jobs, a sampled round, contacts, knocks.
  const needy = households.filter((h) => h.members.some((m) => m.needs.length > 0));
  for (const h of [...needy.filter((_, i) => i % 4 !== 0), ...households.slice(0, 2)])
    await t.db.collection('households').doc(h._id).update({ sensitiveConsentAt: before });
  const statuses = [
    'placing',
    'submitted',
    'accepted',
    'rejected',
    'assigned',
    'pickedUp',
    'delivered',
    'failed',
    'cancelled',
    'received',
  ] as const;
  for (let i = 0; i < 160; i += 1) {
    const h = households[(i * 37) % households.length] as HouseholdDoc;
    const status = statuses[i % statuses.length] as OrderDoc['status'];
    const created = i % 9 === 0 ? before : at(i);
    const history = [
      { status: 'submitted', at: created, by: 'x' },
      ...(i % 3 === 0 ? [{ status: 'delivered', at: i % 6 === 0 ? before : at(i + 1), by: 'x' }] : []),
    ];
    await t.db.collection('orders').add({
      _id: `agg-o-${i}`,
      communityId,
      gridId: h.gridId,
      buildingId: h.buildingId,
      householdId: h._id,
      room: h.room,
      status,
      history,
      createdAt: created,
      updatedAt: i % 13 === 0 ? before : at(i + 2),
    });
  }
  for (const [g, grid] of grids.entries()) {
    for (let j = 0; j < 6; j += 1) {
      const status = (['assigned', 'pickedUp', 'done', 'done', 'open', 'released'] as const)[(j + g) % 6];
      await t.db.collection('jobs').add({
        _id: `agg-j-${g}-${j}`,
        communityId,
        gridId: grid._id,
        status,
        updatedAt: j === 3 ? before : at(j),
      } as Partial<JobDoc>);
    }
  }
  const round = {
    _id: 'agg-round',
    communityId,
    code: 'A1',
    name: '聚合核对轮',
    date: day,
    points: [],
    validHours: 48,
    status: 'open',
    openedAt: now.toISOString(),
    closedAt: null,
    createdBy: 'dev-admin',
  };
  await t.db.collection('testRounds').add(round);
  let n = 0;
  for (const h of households) {
    for (const m of h.members) {
      if ((n += 1) % 3 === 0) continue;
      await t.db.collection('samples').add({
        _id: `agg-s-${m.id}`,
        roundId: round._id,
        communityId,
        gridId: h.gridId,
        buildingId: h.buildingId,
        householdId: h._id,
        memberId: m.id,
        sampledAt: at(n),
      } as Partial<SampleDoc>);
    }
    if (n % 5 === 0)
      await t.db.collection('contacts').add({
        _id: `agg-c-${h._id}`,
        gridId: h.gridId,
        householdId: h._id,
        day,
        method: 'phone',
        note: '',
        by: 'x',
        at: at(n),
      });
    if (n % 10 === 0)
      await t.db.collection('contacts').add({
        _id: `agg-c2-${h._id}`,
        gridId: h.gridId,
        householdId: h._id,
        day,
        method: 'visit',
        note: '',
        by: 'x',
        at: at(n),
      });
  }
  // A sample of a member not in the grid it was taken in is not counted there.
  const moved = households[0] as HouseholdDoc;
  const other = grids.find((g) => g._id !== moved.gridId) as Grid;
  await t.db.collection('samples').add({
    _id: 'agg-s-stray',
    roundId: round._id,
    communityId,
    gridId: other._id,
    buildingId: moved.buildingId,
    householdId: moved._id,
    memberId: moved.members[0]?.id,
    sampledAt: at(1),
  } as Partial<SampleDoc>);
  const vols = await every<VolunteerDoc>('volunteers');
  for (const [i, v] of vols.entries())
    if (i % 4 === 0)
      await t.db
        .collection('volunteers')
        .doc(v._id)
        .update({ lastActiveAt: i % 8 === 0 ? now.toISOString() : null, onDuty: i % 3 === 0 });

  // Counted from the raw documents.
  const hs = await every<HouseholdDoc>('households');
  const orders = await every<OrderDoc>('orders');
  const jobs = await every<JobDoc>('jobs');
  const samples = (await every<SampleDoc>('samples')).filter((s) => s.roundId === round._id);
  const contacts = (await every<{ gridId: string; householdId: string; day: string }>('contacts')).filter(
    (c) => c.day === day,
  );
  const expected = (grid: Grid) => {
    const mine = hs.filter((h) => h.gridId === grid._id);
    const os = orders.filter((o) => o.gridId === grid._id && o.updatedAt >= start);
    const today = os.filter((o) => o.createdAt >= start && o.createdAt < end && o.status !== 'placing');
    const ordersToday: Record<string, number> = {};
    for (const o of today) ordersToday[o.status] = (ordersToday[o.status] ?? 0) + 1;
    const memberIds = new Set(mine.flatMap((h) => h.members.map((m) => m.id)));
    const contacted = new Set(contacts.filter((c) => grids.some((g) => g._id === c.gridId)).map((c) => c.householdId));
    const shown = mine.filter((h) => h.sensitiveConsentAt && h.members.some((m) => m.needs.length > 0));
    return {
      households: mine.length,
      joined: mine.filter((h) => h.memberOpenids.length > 0).length,
      ordersToday,
      ordersTodayTotal: today.length,
      deliveredToday: os.filter((o) => o.history.some((e) => e.status === 'delivered' && e.at >= start && e.at < end))
        .length,
      jobs: {
        active: jobs.filter((j) => j.gridId === grid._id && ['assigned', 'pickedUp'].includes(j.status)).length,
        doneToday: jobs.filter((j) => j.gridId === grid._id && j.status === 'done' && j.updatedAt >= start).length,
      },
      testing: {
        roundId: round._id,
        roundName: round.name,
        sampled: samples.filter((s) => s.gridId === grid._id && memberIds.has(s.memberId)).length,
        total: memberIds.size,
      },
      specialNeeds: shown.flatMap((h) => h.members.filter((m) => m.needs.length > 0)).length,
      contactedToday: mine.filter((h) => contacted.has(h._id)).length,
      notContacted: shown.filter((h) => !contacted.has(h._id)).length,
    };
  };

  const org = await t.ok('dev-admin', 'org.dashboard', {});
  expect(org.grids).toHaveLength(grids.length);
  for (const grid of grids) {
    const want = expected(grid);
    const row = org.grids.find((r) => r.gridId === grid._id);
    expect(row).toMatchObject(want);
    const dash = await t.ok('dev-admin', 'grid.dashboard', { gridId: grid._id });
    const { notContacted, ...counts } = want;
    expect(dash).toMatchObject(counts);
    expect(dash.notContacted).toHaveLength(notContacted);
    expect(dash.buildings.reduce((s, b) => s + b.households, 0)).toBe(want.households);
  }
  expect(org.totals.households).toBe(hs.length);
  expect(org.grids.reduce((s, g) => s + g.testing!.sampled, 0)).toBe(samples.length - 1); // all but the stray one

  // Volunteer statistics and one grid's coverage, against the documents.
  const stats = await t.ok('dev-admin', 'volunteer.stats', {});
  const vs = await every<VolunteerDoc>('volunteers');
  const approved = vs.filter((v) => v.status === 'approved');
  expect(stats.total).toBe(vs.length);
  expect(stats.byStatus.approved).toBe(approved.length);
  expect(stats.partyMembers).toBe(approved.filter((v) => v.partyMember).length);
  expect(stats.onDutyNow).toBe(approved.filter((v) => v.onDuty).length);
  expect(stats.byTeam.reduce((s, x) => s + x.approved, 0)).toBe(approved.filter((v) => v.team).length);
  const idle = approved.filter((v) => !v.lastActiveAt).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  expect(stats.idle.map((v) => v.id)).toEqual(idle.map((v) => v._id));

  const grid = grids[0] as Grid;
  const coverage = await t.ok('dev-gw-01', 'testing.coverage', { roundId: round._id, gridId: grid._id });
  const inGrid = hs.filter((h) => h.gridId === grid._id);
  const sampledKeys = new Set(
    samples.filter((s) => s.gridId === grid._id).map((s) => `${s.householdId}:${s.memberId}`),
  );
  expect(coverage.total).toBe(inGrid.reduce((s, h) => s + h.members.length, 0));
  expect(coverage.sampled).toBe(
    inGrid.reduce((s, h) => s + h.members.filter((m) => sampledKeys.has(`${h._id}:${m.id}`)).length, 0),
  );
  expect(coverage.pending).toHaveLength(
    inGrid.filter((h) => h.members.some((m) => !sampledKeys.has(`${h._id}:${m.id}`))).length,
  );
}, 120_000);
