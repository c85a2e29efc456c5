/**
 * The local cloud's own costs: a cloud-function call through the real SDK and the local database
 * service, and the database requests (CloudBase DbRead/DbWrite) one call makes; then order
 * placement (`order.place`, a three-line order, wall clock) at 10 and 50 in flight on a file-backed
 * store that is empty, holds 1k orders and holds 100k orders (seeded straight into the store's
 * files), and the store's reopening after the process is killed (SIGKILL) in a burst of placements,
 * checking that every acknowledged placement is there.
 *
 * `npm run bench -- "local cloud"` runs this section alone. The crash runs this file as a child:
 * `tsx bench/local-cloud.bench.ts crash-child <dataDir>`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startLocalCloud, type LocalCloud } from '../localcloud/app';
import { createDbService } from '../localcloud/db';
import { Store, type Write } from '../localcloud/db/store';
import { idKey, type Doc } from '../localcloud/db/wire';
import { callAction, invokeFunction } from '../localcloud/invoke';
import { demoCommunity } from '../localcloud/seed/demo-community';
import { FUNCTIONS } from '../server/functions/registry';
import { database, resetCloudApp } from '../server/lib/cloud';
import { COLLECTIONS, INDEXES } from '../server/lib/schema';
import type { PlaceOrderInput } from '../typings/api';
import type { HouseholdDoc, OrderDoc } from '../typings/entities';
import { percentile, report, timeMs } from './stats';

/** The order every placement makes: three lines, as `order.db_ops_place_per_order` counts. */
const ORDER: PlaceOrderInput = {
  kind: 'grocery',
  lines: ['item-009', 'item-010', 'item-011'].map((itemId) => ({ itemId, qty: 1 })),
  payment: 'cashOnDelivery',
  contactless: false,
};
/** Households of the benchmark's community (all joined): a household orders at most 3 times a store. */
const HOUSEHOLDS = 1000;
const ROOT = join(__dirname, '..');

/** Runs the section and prints its lines. */
export async function run(): Promise<void> {
  await userMe();
  await placement();
}

async function userMe(): Promise<void> {
  const cloud = await startLocalCloud({ dataDir: null, port: 0, seed: true });
  try {
    const call = () => invokeFunction('user', FUNCTIONS.user, { action: 'user.me', payload: {} }, 'dev-res-0001');
    for (let i = 0; i < 50; i += 1) await call(); // warm up
    cloud.db.resetStats();
    const samples: number[] = [];
    const n = 500;
    for (let i = 0; i < n; i += 1) samples.push(await timeMs(call));
    const stats = cloud.db.stats();
    report('localcloud.user_me_p50_ms', percentile(samples, 50));
    report('localcloud.user_me_p95_ms', percentile(samples, 95));
    report('localcloud.user_me_db_reads_per_call', stats.reads / n);
    report('localcloud.user_me_db_writes_per_call', stats.writes / n);

    const parallel = 200;
    const burst = await timeMs(() => Promise.all(Array.from({ length: parallel }, call)));
    report('localcloud.user_me_throughput_per_s', (parallel / burst) * 1000);
  } finally {
    await cloud.close();
  }
}

// ── placement ────────────────────────────────────────────────────────────────────────────────

/** Every numeric `stock` raised, so the benchmark measures placing orders, not selling out. */
function ampleStock<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => ampleStock(v)) as T;
  if (!value || typeof value !== 'object' || value instanceof Date) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, k === 'stock' && typeof v === 'number' ? 100_000_000 : ampleStock(v)]),
  ) as T;
}

/** The benchmark's community, for a store made at `at` (its ordering round open from an hour before). */
function community(at: number) {
  return ampleStock(demoCommunity({ grids: 20, households: HOUSEHOLDS, joinedShare: 1, at: new Date(at - 3600_000) }));
}

/** Writes a store's files directly: the community, and `orders` (placed before, in older rounds). */
function writeStore(dir: string, docs: Record<string, Doc[]>, orders: readonly Doc[]): void {
  const store = Store.open(dir);
  const put = (collection: string, list: readonly Doc[]) => {
    store.create(collection);
    for (let i = 0; i < list.length; i += 1000) {
      store.commit(list.slice(i, i + 1000).map((doc): Write => ({ collection, id: idKey(doc._id), doc })));
    }
  };
  for (const name of COLLECTIONS) store.create(name);
  for (const [name, list] of Object.entries(docs)) put(name, list);
  put('orders', orders);
  store.close();
}

/**
 * `count` orders as placement writes them, made from real placed orders (`templates`): spread over
 * the households, 50 older rounds and the statuses of a finished round.
 */
function pastOrders(templates: readonly OrderDoc[], households: readonly HouseholdDoc[], count: number, at: number) {
  const statuses = ['delivered', 'delivered', 'delivered', 'delivered', 'cancelled', 'rejected', 'failed'] as const;
  return Array.from({ length: count }, (_, i): OrderDoc => {
    const t = templates[i % templates.length] as OrderDoc;
    const h = households[(i * 7) % households.length] as HouseholdDoc;
    const day = 50 - (i % 50);
    const createdAt = new Date(at - day * 86_400_000 + (i % 86_400) * 1000).toISOString();
    return {
      ...t,
      _id: `past${i.toString(16).padStart(28, '0')}`,
      communityId: h.communityId,
      gridId: h.gridId,
      buildingId: h.buildingId,
      householdId: h._id,
      room: h.room,
      roundId: `${t.roundId}-past-${day}`,
      status: statuses[i % statuses.length] as OrderDoc['status'],
      createdAt,
      updatedAt: createdAt,
    };
  });
}

interface Burst {
  perS: number;
  /** CPU time of this process (the functions, the SDK and the database service) per placement, ms. */
  cpuMs: number;
  p50: number;
  p95: number;
  /** Each placement's wall time, ms. */
  samples: number[];
}

/** Places `n` orders with `inFlight` at a time (households from `offset` on); throws on any refusal. */
async function burst(
  residents: readonly string[],
  n: number,
  inFlight: number,
  tag: string,
  offset = 0,
): Promise<Burst> {
  const samples: number[] = [];
  let next = 0;
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let i = next++; i < n; i = next++) {
        const who = residents[(offset + i) % residents.length] as string;
        const t0 = process.hrtime.bigint();
        const res = await callAction(who, 'order.place', ORDER, `bench-${tag}-${String(i).padStart(5, '0')}`);
        samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (!res.ok) throw new Error(`order.place (${tag}): ${res.code} ${res.message}`);
      }
    }),
  );
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  return {
    perS: (n / wallMs) * 1000,
    cpuMs: (used.user + used.system) / 1000 / n,
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    samples,
  };
}

const residentsOf = (docs: Record<string, Doc[]>) =>
  (docs.households as unknown as HouseholdDoc[]).map((h) => h.memberOpenids[0]).filter((o): o is string => !!o);

/** Points the functions of this process at a local cloud's database (nothing may be in flight). */
function use(cloud: LocalCloud): void {
  process.env.GRIDLINK_DB_URL = cloud.dbUrl;
  resetCloudApp();
}

/** Opens a local cloud over a store's files; answers it with the seconds until it serves and until its indexes are built. */
async function open(dir: string): Promise<{ cloud: LocalCloud; serving: number; indexed: number }> {
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  const cloud = await startLocalCloud({ dataDir: dir, port: 0, seed: false });
  const serving = seconds();
  while (!cloud.db.indexesReady()) await new Promise((r) => setTimeout(r, 5));
  return { cloud, serving, indexed: seconds() };
}

async function placement(): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'gridlink-bench-'));
  try {
    // An empty store (the community only): 10 then 50 in flight, once this process has warmed up
    // (its first few hundred placements run two to three times slower) on a throwaway store.
    const at = Date.now();
    const docs = community(at) as unknown as Record<string, Doc[]>;
    const residents = residentsOf(docs);
    const warm = join(base, 'warm');
    writeStore(warm, docs, []);
    {
      const { cloud } = await open(warm);
      await burst(residents, 400, 10, 'warm', 0).finally(() => cloud.close());
    }
    const empty = join(base, 'empty');
    writeStore(empty, docs, []);
    let templates: OrderDoc[];
    {
      const { cloud } = await open(empty);
      try {
        const c10 = await burst(residents, 400, 10, 'c10', 0);
        const c50 = await burst(residents, 800, 50, 'c50', 400);
        report('localcloud.place_per_s_c10', c10.perS, '≥ 110 (goal)');
        report('localcloud.place_per_s_c50', c50.perS, '≥ 110 (goal)');
        report('localcloud.place_p50_ms_c50', c50.p50);
        report('localcloud.place_p95_ms_c50', c50.p95);
        // What the wall-clock figures cannot show on a shared machine: the CPU one placement costs
        // this process, and the rate one core would sustain at that cost (load average beside).
        report('localcloud.place_cpu_ms_c10', c10.cpuMs);
        report('localcloud.place_per_cpu_s_c10', 1000 / c10.cpuMs, '≥ 110 (goal, one core)');
        report('localcloud.loadavg_1m', loadavg()[0] ?? Number.NaN);
        templates = (await database().collection('orders').limit(100).get()).data as OrderDoc[];
      } finally {
        await cloud.close();
      }
    }

    // Stores holding 1k and 100k orders placed before, open side by side: p50 at 10 in flight,
    // measured in alternating bursts of 100 (so a change in the machine's load hits both alike).
    const households = docs.households as unknown as HouseholdDoc[];
    const small = join(base, '1k');
    const big = join(base, '100k');
    writeStore(small, docs, pastOrders(templates, households, 1000, at) as unknown as Doc[]);
    writeStore(big, docs, pastOrders(templates, households, 100_000, at) as unknown as Doc[]);
    const k1 = await open(small);
    const k100 = await open(big);
    try {
      report('localcloud.open_100k_s', k100.serving);
      report('localcloud.open_100k_indexed_s', k100.indexed);
      const samples = { small: [] as number[], big: [] as number[] };
      for (const cloud of [k1.cloud, k100.cloud]) {
        use(cloud);
        await burst(residents, 30, 10, 'warm', 900);
      }
      const pair = [
        [k1.cloud, 'small'],
        [k100.cloud, 'big'],
      ] as const;
      for (let round = 0; round < 4; round += 1) {
        // Each goes first every other round.
        for (const [cloud, tag] of round % 2 ? [...pair].reverse() : pair) {
          use(cloud);
          samples[tag].push(...(await burst(residents, 100, 10, `alt${round}`, round * 100)).samples);
        }
      }
      const p1k = percentile(samples.small, 50);
      const p100k = percentile(samples.big, 50);
      report('localcloud.place_p50_ms_1k', p1k);
      report('localcloud.place_p50_ms_100k', p100k);
      report('localcloud.place_slowdown_100k', p100k / p1k, '≤ 1.5');

      use(k100.cloud);
      const c10 = await burst(residents, 400, 10, 'c10', 400);
      const c50 = await burst(residents, 800, 50, 'c50', 800);
      report('localcloud.place_per_s_c10_100k', c10.perS, '≥ 110 (goal)');
      report('localcloud.place_per_s_c50_100k', c50.perS, '≥ 110 (goal)');
      report('localcloud.place_p95_ms_c50_100k', c50.p95);
      report('localcloud.place_cpu_ms_c10_100k', c10.cpuMs);
      report('localcloud.place_per_cpu_s_c10_100k', 1000 / c10.cpuMs, '≥ 110 (goal, one core)');
      report('localcloud.loadavg_1m_100k', loadavg()[0] ?? Number.NaN);
    } finally {
      await k1.cloud.close();
      await k100.cloud.close();
    }

    await crash(big);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

// ── a crash in a burst of placements ─────────────────────────────────────────────────────────

/** Kills a child placing orders on the 100k store mid-burst, reopens the store, checks what it acknowledged. */
async function crash(dir: string): Promise<void> {
  const acked = await new Promise<string[]>((resolve, reject) => {
    // tsx as a loader of the child itself (tsx's CLI would put the process the kill must reach in a grandchild).
    const loader = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
    const child = spawn(process.execPath, ['--import', loader, __filename, 'crash-child', dir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const ids: string[] = [];
    let text = '';
    let errors = '';
    let killAt: number | null = null;
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const lines = text.split('\n');
      text = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('ack ')) ids.push(line.slice(4));
        if (line === 'burst') killAt = Date.now() + 1000;
      }
      // Killed in full flight: a second into the burst and 100 placements acknowledged, 50 more under way.
      if (killAt !== null && Date.now() >= killAt && ids.length >= 100) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.on('exit', (_code, signal) =>
      signal === 'SIGKILL' ? resolve(ids) : reject(new Error(`crash child exited by itself: ${errors}`)),
    );
  });

  // Reopened as the local cloud opens it: the store's files, then its collections and indexes.
  const started = process.hrtime.bigint();
  const reopened = await createDbService({ dataDir: dir });
  for (const name of COLLECTIONS) reopened.createCollection(name);
  reopened.ensureIndexes(INDEXES);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  while (!reopened.indexesReady()) await new Promise((r) => setTimeout(r, 5));
  const indexed = Number(process.hrtime.bigint() - started) / 1e9;
  const lost = acked.filter((id) => {
    const res = reopened.handle({
      action: 'database.getDocument',
      collectionName: 'orders',
      queryType: 'DOC',
      query: JSON.stringify({ _id: id }),
    }) as { data?: { list?: string[] } };
    const doc = res.data?.list?.[0];
    return !doc || (JSON.parse(doc) as { status?: string }).status === 'placing';
  }).length;
  await reopened.close();
  report('localcloud.reopen_after_crash_100k_s', seconds, '≤ 10');
  report('localcloud.reopen_after_crash_100k_indexed_s', indexed);
  report('localcloud.crash_acked', acked.length);
  report('localcloud.crash_acked_lost', lost, '0');
}

/** The child: the 100k store served as `npm start` serves it, placing 50 at a time until killed. */
async function crashChild(dir: string): Promise<void> {
  const cloud = await startLocalCloud({ dataDir: dir, port: 0, seed: false });
  const households = (await database().collection('households').limit(1000).get()).data as HouseholdDoc[];
  const residents = households.map((h) => h.memberOpenids[0]).filter((o): o is string => !!o);
  process.stdout.write('burst\n');
  let i = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      for (;;) {
        const n = (i += 1);
        const who = residents[(n + 500) % residents.length] as string;
        const res = await callAction(who, 'order.place', ORDER, `bench-crash-${String(n).padStart(6, '0')}`);
        if (res.ok) process.stdout.write(`ack ${res.data.id}\n`);
      }
    }),
  );
  await cloud.close();
}

if (process.argv[2] === 'crash-child' && process.argv[3]) {
  crashChild(process.argv[3]).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
