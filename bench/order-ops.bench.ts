/**
 * Database requests per order, as CloudBase bills them (every read, every write, every transaction
 * call), driving three-line orders from placed to delivered through the real functions on the
 * local cloud, with nothing read behind the meter's back:
 *   place      — the resident places a three-line grocery order (`order.db_ops_place_per_order`);
 *   subscribe  — and, asked in the same tap, accepts the order-status message (`user.subscribe`:
 *                one grant, so the pickup message below is really sent);
 *   pool       — the gridworker pages through the grid's pool;
 *   accept     — the gridworker accepts them (batches of 200);
 *   dispatch   — the gridworker runs the dispatch of the grid;
 *   jobs       — each volunteer lists their jobs and opens each; open jobs are listed and grabbed;
 *   pickup     — each job is counted at pickup;
 *   code       — the resident opens the order to show the handover code (`order.detail`);
 *   deliver    — door by door with that code;
 *   timer      — the order function's every-minute trigger (sweeper, auto-confirm, messages)
 *                until the outbox holds nothing it could still send.
 * `order.db_ops_per_order` is the sum of all of them over the orders; one breakdown line per step.
 */
import { startLocalCloud, type LocalCloud } from '../localcloud/app';
import { callAction, runTimer } from '../localcloud/invoke';
import { database } from '../server/lib/cloud';
import type { ActionName, Req, Res } from '../typings/api';
import type { Grid, HouseholdDoc, JobDoc, OutboxDoc } from '../typings/entities';
import { report } from './stats';

let seq = 0;
/** Function invocations (actions and timer runs): what CloudBase bills as calls and GB-s. */
let calls = 0;
const rid = (what: string) => `bench-${what}-${String((seq += 1)).padStart(6, '0')}`;

async function ok<A extends ActionName>(openid: string, action: A, payload: Req<A>): Promise<Res<A>> {
  calls += 1;
  const res = await callAction(openid, action, payload, rid(action.replace(/\W/g, '-')));
  if (!res.ok) throw new Error(`${action}: ${res.code} ${res.message}`);
  return res.data;
}

const TX_ACTIONS = new Set(['database.startTransaction', 'database.commitTransaction', 'database.abortTransaction']);

/**
 * The meter: the local service's DbRead + DbWrite counts, plus transaction calls (start, commit,
 * abort), which CloudBase bills as requests too (counted here unless the service already does).
 * Requests the local WeChat stand-ins make to check a message (WeChat's own work, no database
 * request on CloudBase) are left out, and counted apart.
 */
type ByCollection = Record<string, number>;

function meter(cloud: LocalCloud): {
  now(): { reads: number; writes: number; tx: number; byCollection: ByCollection };
  standIn(): number;
} {
  let tx = 0;
  let standIn = { reads: 0, writes: 0 };
  const standInBy: ByCollection = {};
  const total = (s: { byCollection: Record<string, { reads: number; writes: number }> }, c: string) =>
    (s.byCollection[c]?.reads ?? 0) + (s.byCollection[c]?.writes ?? 0);
  const handle = cloud.db.handle.bind(cloud.db);
  cloud.db.handle = (body: unknown) => {
    const action = (body as { action?: unknown } | null)?.action;
    if (typeof action === 'string' && TX_ACTIONS.has(action)) tx += 1;
    const before = cloud.db.stats();
    const answer = handle(body);
    if (/[\\/]localcloud[\\/]wechat[\\/]/.test(new Error().stack ?? '')) {
      const after = cloud.db.stats();
      standIn = {
        reads: standIn.reads + after.reads - before.reads,
        writes: standIn.writes + after.writes - before.writes,
      };
      for (const c of Object.keys(after.byCollection))
        standInBy[c] = (standInBy[c] ?? 0) + total(after, c) - total(before, c);
    }
    return answer;
  };
  return {
    now() {
      const s = cloud.db.stats();
      const txCounted = [...TX_ACTIONS].some((a) => Object.hasOwn(s.byAction, a));
      const byCollection = Object.fromEntries(
        Object.keys(s.byCollection).map((c) => [c, total(s, c) - (standInBy[c] ?? 0)]),
      );
      return {
        reads: s.reads - standIn.reads,
        writes: s.writes - standIn.writes,
        tx: txCounted ? 0 : tx,
        byCollection,
      };
    },
    standIn: () => standIn.reads + standIn.writes,
  };
}

/** Runs the section and prints its lines. */
export async function run(): Promise<void> {
  const cloud = await startLocalCloud({
    dataDir: null,
    port: 0,
    seed: { grids: 5, households: 300, joinedShare: 1, at: new Date() },
  });
  const db = database();
  const _ = db.command;
  const m = meter(cloud);
  const steps: Array<{
    name: string;
    reads: number;
    writes: number;
    tx: number;
    calls: number;
    byCollection: ByCollection;
  }> = [];
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const before = m.now();
    const callsBefore = calls;
    const out = await work();
    const after = m.now();
    steps.push({
      name,
      reads: after.reads - before.reads,
      writes: after.writes - before.writes,
      tx: after.tx - before.tx,
      calls: calls - callsBefore,
      byCollection: Object.fromEntries(
        Object.keys(after.byCollection)
          .map((c) => [c, (after.byCollection[c] ?? 0) - (before.byCollection[c] ?? 0)] as const)
          .filter(([, v]) => v > 0),
      ),
    });
    return out;
  };
  const opsOf = (s: { reads: number; writes: number; tx: number }) => s.reads + s.writes + s.tx;
  try {
    // Set-up (not counted): 4 on-duty delivery volunteers per grid, 10–20 kg a trip.
    await db
      .collection('volunteers')
      .where({ _id: _.exists(true) })
      .remove();
    const grids = (await db.collection('grids').limit(100).get()).data as Grid[];
    for (const [g, grid] of grids.entries()) {
      for (let v = 0; v < 4; v += 1) {
        await db.collection('volunteers').add({
          _id: `bench-vol-${g}-${v}`,
          communityId: grid.communityId,
          gridIds: [grid._id],
          status: 'approved',
          team: 'delivery',
          buildingIds: [],
          onDuty: true,
          capacityKg: 10 + ((g + v * 3) % 11),
          name: `配送志愿者${g}${v}`,
        });
      }
    }
    const households = ((await db.collection('households').limit(1000).get()).data as HouseholdDoc[]).filter(
      (h) => h.memberOpenids.length > 0,
    );
    const residentOf = new Map<string, string>();
    const jobsBefore = new Set(((await db.collection('jobs').limit(1000).get()).data as JobDoc[]).map((j) => j._id));

    // Every order has three lines (three of five vegetables, 1–2 of each); stock enough for all.
    await db
      .collection('shops')
      .doc(grids[0]?.communityId as string)
      .update(
        Object.fromEntries([9, 10, 11, 12, 13].map((n) => [`items.item-${String(n).padStart(3, '0')}.stock`, 100_000])),
      );
    const orderIds = await step('place', async () => {
      const ids: string[] = [];
      for (const [i, h] of households.entries()) {
        const lines = [9, 10, 11, 12, 13]
          .filter((_n, k) => k !== i % 5 && k !== (i + 2) % 5)
          .map((n, k) => ({ itemId: `item-${String(n).padStart(3, '0')}`, qty: 1 + ((i + k) % 2) }));
        const resident = h.memberOpenids[0] as string;
        const placed = await ok(resident, 'order.place', {
          kind: 'grocery',
          lines,
          payment: 'cashOnDelivery',
          contactless: false,
        });
        residentOf.set(placed.id, resident);
        ids.push(placed.id);
      }
      return ids;
    });

    // The order page asks for the order-status message in the placing tap; the resident accepts.
    await step('subscribe', async () => {
      for (const resident of residentOf.values()) await ok(resident, 'user.subscribe', { templates: ['orderStatus'] });
    });

    const pools = await step('pool', async () => {
      const out = new Map<string, string[]>();
      for (const grid of grids) {
        const gw = grid.gridworkerIds[0] as string;
        const ids: string[] = [];
        for (let cursor: string | null | undefined; cursor !== null;) {
          const pool = await ok(gw, 'dispatch.pool', {
            gridId: grid._id,
            status: 'submitted',
            limit: 100,
            ...(cursor ? { cursor } : {}),
          });
          ids.push(...pool.items.map((o) => o.id));
          cursor = pool.nextCursor;
        }
        out.set(grid._id, ids);
      }
      return out;
    });

    await step('accept', async () => {
      for (const grid of grids) {
        const ids = pools.get(grid._id) ?? [];
        for (let i = 0; i < ids.length; i += 200)
          await ok(grid.gridworkerIds[0] as string, 'dispatch.review', {
            orderIds: ids.slice(i, i + 200),
            accept: true,
          });
      }
    });

    const runs = await step('dispatch', async () => {
      const out: Array<{ grid: Grid; jobs: Res<'dispatch.run'>['jobs'] }> = [];
      for (const grid of grids)
        out.push({
          grid,
          jobs: (await ok(grid.gridworkerIds[0] as string, 'dispatch.run', { gridId: grid._id })).jobs,
        });
      return out;
    });

    // What the volunteers do, in the order they would: look at their list, open each job; grab open ones.
    const held = new Map<string, { volunteer: string; jobId: string; stops: string[] }>();
    await step('jobs', async () => {
      const byVolunteer = new Map<string, string[]>();
      for (const { jobs } of runs)
        for (const j of jobs)
          if (j.volunteerId) byVolunteer.set(j.volunteerId, [...(byVolunteer.get(j.volunteerId) ?? []), j.id]);
      for (const [volunteer, mine] of byVolunteer) {
        await ok(volunteer, 'dispatch.myJobs', {});
        for (const jobId of mine) {
          const detail = await ok(volunteer, 'dispatch.job', { jobId });
          held.set(jobId, { volunteer, jobId, stops: detail.stops.map((s) => s.orderId) });
        }
      }
    });
    await step('grab', async () => {
      for (const [g, { jobs }] of runs.entries()) {
        for (const j of jobs.filter((x) => !x.volunteerId)) {
          const volunteer = `bench-vol-${g}-0`;
          await ok(volunteer, 'dispatch.openJobs', {});
          const detail = await ok(volunteer, 'dispatch.grab', { jobId: j.id });
          held.set(j.id, { volunteer, jobId: j.id, stops: detail.stops.map((s) => s.orderId) });
        }
      }
    });

    await step('pickup', async () => {
      for (const { volunteer, jobId } of held.values()) await ok(volunteer, 'dispatch.pickUp', { jobId, counts: {} });
    });

    // The resident opens the order on their phone to show the code at the door.
    const codes = await step('code', async () => {
      const out = new Map<string, string>();
      for (const orderId of orderIds) {
        const detail = await ok(residentOf.get(orderId) as string, 'order.detail', { orderId });
        out.set(orderId, detail.handoverCode ?? '');
      }
      return out;
    });

    await step('deliver', async () => {
      for (const { volunteer, jobId, stops } of held.values())
        for (const orderId of stops)
          await ok(volunteer, 'dispatch.deliver', { jobId, orderId, code: codes.get(orderId) ?? '' });
    });

    // The order function's every-minute trigger, run until it has nothing left it could send.
    let timerRuns = 0;
    await step('timer', async () => {
      for (; timerRuns < 100;) {
        calls += 1;
        const res = (await runTimer('order', 'everyMinute')) as {
          ok?: boolean;
          data?: { sent?: { sent?: number; skipped?: number; retried?: number } };
        };
        timerRuns += 1;
        const sent = res.data?.sent ?? {};
        if (!(sent.sent ?? 0) && !(sent.skipped ?? 0) && !(sent.retried ?? 0)) break;
      }
    });

    // Checks (not counted): every order delivered, what the outbox still holds.
    const n = orderIds.length;
    let delivered = 0;
    for (let i = 0; i < n; i += 500)
      delivered +=
        (
          await db
            .collection('orders')
            .where({ _id: _.in(orderIds.slice(i, i + 500)), status: 'delivered' })
            .count()
        ).total ?? 0;
    const outbox = (await db.collection('outbox').limit(1000).get()).data as OutboxDoc[];
    const jobCount = ((await db.collection('jobs').limit(1000).get()).data as JobDoc[]).filter(
      (j) => !jobsBefore.has(j._id),
    ).length;
    const sum = (k: 'reads' | 'writes' | 'tx') => steps.reduce((s, x) => s + x[k], 0);
    const place = steps.find((s) => s.name === 'place');

    report('order.db_ops_place_per_order', place ? opsOf(place) / n : Number.NaN, '≤ 6, a three-line order');
    report('order.db_ops_per_order', (sum('reads') + sum('writes') + sum('tx')) / n, '≤ 12, placed → delivered, all');
    // One line per step: requests per order (reads / writes / transaction calls).
    for (const s of steps)
      report(
        `order.db_ops_step.${s.name}`,
        `${+(opsOf(s) / n).toFixed(3)}  (r ${+(s.reads / n).toFixed(3)} / w ${+(s.writes / n).toFixed(3)} / tx ${+(s.tx / n).toFixed(3)}; ${Object.entries(
          s.byCollection,
        )
          .map(([c, v]) => `${c} ${+(v / n).toFixed(3)}`)
          .join(', ')})`,
      );
    // Which collections carry the requests (per order, all steps; transaction calls not included).
    const byCollection: ByCollection = {};
    for (const s of steps)
      for (const [c, v] of Object.entries(s.byCollection)) byCollection[c] = (byCollection[c] ?? 0) + v;
    report(
      'order.db_ops_by_collection',
      Object.entries(byCollection)
        .sort((a, b) => b[1] - a[1])
        .map(([c, v]) => `${c} ${+(v / n).toFixed(3)}`)
        .join(', '),
    );
    report('order.fn_calls_per_order', steps.reduce((t, x) => t + x.calls, 0) / n);
    report('order.bench_db_reads_per_order', sum('reads') / n);
    report('order.bench_db_writes_per_order', sum('writes') / n);
    report('order.bench_db_tx_calls_per_order', sum('tx') / n);
    report('order.bench_orders', n);
    report('order.bench_jobs', jobCount);
    report('order.bench_orders_per_job', n / Math.max(1, jobCount));
    report('order.bench_delivered_share_pct', (100 * delivered) / n);
    report('order.bench_messages_per_order', outbox.length / n);
    report('order.bench_messages_sent', outbox.filter((o) => o.status === 'sent').length);
    report('order.bench_timer_runs', timerRuns);
    report('order.bench_wechat_standin_requests', m.standIn());
  } finally {
    await cloud.close();
  }
}
