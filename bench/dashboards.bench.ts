/**
 * Database requests (CloudBase DbRead/DbWrite, as billed) and wall-clock time of the dashboards and
 * statistics on a big community: 15 grids of 800 households (12,000 households, 1,500 volunteers),
 * 3,000 orders placed today, a testing round sampled at about 70 %, contacts, care notes and jobs.
 * The seed documents are written straight to the store; each action is called as its staff through
 * the real function, everything it reads counted (identity and access checks included).
 */
import { startLocalCloud, type LocalCloud } from '../localcloud/app';
import { callAction } from '../localcloud/invoke';
import { DEMO_OPENIDS } from '../localcloud/seed/demo-community';
import { insertAll } from '../localcloud/seed/seed';
import { database } from '../server/lib/cloud';
import { ORDER_STATUSES } from '../typings/values';
import type { ActionName, Req, Res } from '../typings/api';
import type {
  CareDoc,
  ContactDoc,
  Grid,
  HouseholdDoc,
  JobDoc,
  KnockDoc,
  OrderDoc,
  SampleDoc,
  TestRoundDoc,
} from '../typings/entities';
import { percentile, report, timeMs } from './stats';

const GRIDS = 15;
const PER_GRID = 800;
const ORDERS = 3000;
const RUNS = 5;

async function ok<A extends ActionName>(openid: string, action: A, payload: Req<A>): Promise<Res<A>> {
  const res = await callAction(openid, action, payload);
  if (!res.ok) throw new Error(`${action}: ${res.code} ${res.message}`);
  return res.data;
}

/** Deterministic pseudo-random numbers (the bench seeds the same community every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Adds today's activity to the seeded community: orders, a sampled testing round, contacts, cares, jobs, knocks. */
async function activity(now: Date): Promise<{ grids: Grid[]; round: TestRoundDoc }> {
  const db = database();
  const rand = rng(20);
  const grids = (await db.collection('grids').limit(100).get()).data as Grid[];
  const households: HouseholdDoc[] = [];
  for (let skip = 0; ; skip += 1000) {
    const page = (await db.collection('households').orderBy('_id', 'asc').skip(skip).limit(1000).get())
      .data as HouseholdDoc[];
    households.push(...page);
    if (page.length < 1000) break;
  }
  const iso = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000).toISOString();
  const communityId = grids[0]?.communityId ?? 'c-xingfu';

  // Consent for a share of the households with special needs (the ledger shows only those).
  const needy = households.filter((h) => h.members.some((m) => m.needs.length > 0));
  const consented = needy.filter(() => rand() < 0.8);
  for (const h of consented) h.sensitiveConsentAt = iso(60 * 24 * 3);
  await insertAll(db, 'households', consented, 64);

  const statuses = ORDER_STATUSES;
  const orders: OrderDoc[] = [];
  for (let i = 0; i < ORDERS; i += 1) {
    const h = households[Math.floor(rand() * households.length)] as HouseholdDoc;
    const status = statuses[Math.floor(rand() * statuses.length)] as OrderDoc['status'];
    const created = iso(5 + Math.floor(rand() * 300));
    const history: OrderDoc['history'] = [{ status: 'submitted', at: created, by: h.memberOpenids[0] ?? 'dev-gw-01' }];
    if (status !== 'submitted') history.push({ status, at: iso(1 + Math.floor(rand() * 4)), by: 'dev-gw-01' });
    orders.push({
      _id: `bench-o-${String(i).padStart(5, '0')}`,
      communityId,
      gridId: h.gridId,
      buildingId: h.buildingId,
      householdId: h._id,
      room: h.room,
      roundId: 'r-bench',
      kind: 'grocery',
      lines: [
        { itemId: 'item-009', name: '土豆', unit: 'kg', qty: 2, priceFen: 300 } as unknown as OrderDoc['lines'][number],
      ],
      medicine: null,
      gas: null,
      totalFen: 600,
      payment: 'cashOnDelivery',
      contactless: rand() < 0.5,
      note: '',
      priority: false,
      status,
      placedBy: h.memberOpenids[0] ?? 'dev-gw-01',
      onBehalf: false,
      rejectReason: null,
      history,
      createdAt: created,
      updatedAt: history.at(-1)?.at ?? created,
    } as OrderDoc);
  }
  await insertAll(db, 'orders', orders, 64);

  const round: TestRoundDoc = {
    _id: 'tr-bench',
    communityId,
    code: 'R1',
    name: '第1轮全员核酸',
    date: now.toISOString().slice(0, 10),
    points: ['1号采样点'],
    validHours: 48,
    status: 'open',
    openedAt: iso(240),
    closedAt: null,
    createdBy: DEMO_OPENIDS.admin,
  } as TestRoundDoc;
  await insertAll(db, 'testRounds', [round]);
  const samples: SampleDoc[] = [];
  const knocks: KnockDoc[] = [];
  const contacts: ContactDoc[] = [];
  const cares: CareDoc[] = [];
  const day = new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  for (const h of households) {
    for (const m of h.members) {
      if (rand() < 0.7) {
        samples.push({
          _id: `bench-s-${m.id}`,
          roundId: round._id,
          communityId,
          gridId: h.gridId,
          buildingId: h.buildingId,
          householdId: h._id,
          memberId: m.id,
          serial: `S${samples.length}`,
          sampledAt: iso(60),
          point: '1号采样点',
          sampler: 'dev-gw-01',
          token: 'x',
          result: null,
        } as SampleDoc);
      }
    }
    if (rand() < 0.05)
      knocks.push({
        _id: `bench-k-${h._id}`,
        roundId: round._id,
        gridId: h.gridId,
        householdId: h._id,
        status: 'notHome',
        note: '',
        by: 'dev-gw-01',
        at: iso(30),
        day,
      });
    if (h.sensitiveConsentAt && rand() < 0.5)
      contacts.push({
        _id: `bench-c-${h._id}`,
        gridId: h.gridId,
        householdId: h._id,
        day,
        method: 'phone',
        note: '',
        by: 'dev-gw-01',
        at: iso(20),
      });
    if (h.sensitiveConsentAt && h.members.some((m) => m.needs.includes('dialysis'))) {
      const m = h.members.find((x) => x.needs.includes('dialysis'));
      cares.push({
        _id: `bench-care-${h._id}`,
        communityId,
        gridId: h.gridId,
        householdId: h._id,
        memberId: m?.id ?? '',
        dialysisWeekdays: [1, 3, 5],
        refillEveryDays: 7,
        lastRefillOn: day,
        note: '',
        updatedBy: 'dev-gw-01',
        updatedAt: iso(100),
      });
    }
  }
  await insertAll(db, 'samples', samples, 64);
  await insertAll(db, 'knocks', knocks, 64);
  await insertAll(db, 'contacts', contacts, 64);
  await insertAll(db, 'careNeeds', cares, 64);
  const jobs: JobDoc[] = [];
  for (const [g, grid] of grids.entries()) {
    for (let j = 0; j < 20; j += 1) {
      const status = (['assigned', 'pickedUp', 'done', 'done', 'open'] as const)[j % 5];
      jobs.push({
        _id: `bench-j-${g}-${j}`,
        communityId,
        gridId: grid._id,
        roundId: null,
        buildingIds: [],
        buildingNames: [],
        title: `第${j + 1}单`,
        stops: [],
        orderIds: [],
        pending: [],
        weightKg: 8,
        status,
        volunteerId: null,
        reason: '',
        assignedAt: null,
        pickupBy: null,
        pickedUpAt: null,
        pickupShortfall: [],
        history: [],
        createdAt: iso(200),
        updatedAt: iso(10),
      } as unknown as JobDoc);
    }
  }
  await insertAll(db, 'jobs', jobs, 64);
  return { grids, round };
}

/** Runs the section and prints its lines. */
export async function run(): Promise<void> {
  const now = new Date();
  const cloud: LocalCloud = await startLocalCloud({
    dataDir: null,
    port: 0,
    seed: { grids: GRIDS, households: GRIDS * PER_GRID, joinedShare: 0.85, at: now },
  });
  try {
    const { grids, round } = await activity(now);
    const grid = grids[0] as Grid;
    const gw = grid.gridworkerIds[0] as string;
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['grid', () => ok(gw, 'grid.dashboard', { gridId: grid._id })],
      ['org', () => ok(DEMO_OPENIDS.admin, 'org.dashboard', {})],
      ['volunteer_stats', () => ok(DEMO_OPENIDS.admin, 'volunteer.stats', {})],
      ['coverage', () => ok(gw, 'testing.coverage', { roundId: round._id, gridId: grid._id })],
    ];
    for (const [name, call] of calls) {
      await call(); // warm (function bundle, caches)
      const ms: number[] = [];
      let requests = 0;
      let stats = cloud.db.stats();
      for (let i = 0; i < RUNS; i += 1) {
        cloud.db.resetStats();
        ms.push(await timeMs(call));
        stats = cloud.db.stats();
        requests = stats.reads + stats.writes;
      }
      report(`dashboard.${name}_db_requests`, requests);
      report(`dashboard.${name}_ms`, percentile(ms, 50));
      if (process.env.BENCH_VERBOSE) console.log(JSON.stringify(stats.byAction), JSON.stringify(stats.byCollection));
    }
    report('dashboard.bench_households', GRIDS * PER_GRID);
    report('dashboard.bench_orders_today', ORDERS);
  } finally {
    await cloud.close();
  }
}
