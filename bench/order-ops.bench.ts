/**
 * Database requests (CloudBase DbRead/DbWrite, as billed) per order, driving orders from placed
 * to delivered through the real functions on the local cloud: the gridworker views the pool,
 * accepts (in batches), runs the dispatch; each volunteer lists their jobs, opens each, counts
 * it at pickup and hands over door by door with the resident's code; open jobs are grabbed.
 * The placement itself is measured apart (`order.db_ops_place_per_order`).
 */
import { startLocalCloud, type LocalCloud } from '../localcloud/app';
import { callAction } from '../localcloud/invoke';
import { database } from '../server/lib/cloud';
import type { ActionName, Req, Res } from '../typings/api';
import type { Grid, HouseholdDoc, JobDoc, OrderDoc } from '../typings/entities';
import { report } from './stats';

let seq = 0;

async function ok<A extends ActionName>(
  openid: string,
  action: A,
  payload: Req<A>,
  requestId?: string,
): Promise<Res<A>> {
  const res = await callAction(openid, action, payload, requestId);
  if (!res.ok) throw new Error(`${action}: ${res.code} ${res.message}`);
  return res.data;
}

/** DbRead + DbWrite so far. */
function ops(cloud: LocalCloud): number {
  const s = cloud.db.stats();
  return s.reads + s.writes;
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
  try {
    // Volunteers of this benchmark: 4 on-duty delivery volunteers per grid, 10–20 kg a trip.
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

    // Placement (measured apart).
    cloud.db.resetStats();
    const orderIds: string[] = [];
    for (const [i, h] of households.entries()) {
      const lines = [9, 10, 11, 12, 13]
        .slice(0, 1 + (i % 3))
        .map((n, k) => ({ itemId: `item-${String(n).padStart(3, '0')}`, qty: 1 + ((i + k) % 3) }));
      const placed = await ok(
        h.memberOpenids[0] as string,
        'order.place',
        { kind: 'grocery', lines, payment: 'cashOnDelivery', contactless: false },
        `bench-place-${String((seq += 1)).padStart(6, '0')}`,
      );
      orderIds.push(placed.id);
    }
    const placeOps = ops(cloud);

    cloud.db.resetStats();
    let uncounted = 0;
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
      for (let i = 0; i < ids.length; i += 200)
        await ok(gw, 'dispatch.review', { orderIds: ids.slice(i, i + 200), accept: true });
      await ok(gw, 'dispatch.run', { gridId: grid._id });
    }
    // The resident shows the code at the door; the benchmark reads it straight from the store (not counted).
    const before = ops(cloud);
    const codes = new Map<string, string>();
    for (let i = 0; i < orderIds.length; i += 500) {
      const page = (
        await db
          .collection('orders')
          .where({ _id: _.in(orderIds.slice(i, i + 500)) })
          .limit(1000)
          .get()
      ).data as OrderDoc[];
      for (const o of page) codes.set(o._id, o.handoverCode ?? '');
    }
    const jobs = (
      await db
        .collection('jobs')
        .where({ status: _.in(['open', 'assigned']) })
        .limit(1000)
        .get()
    ).data as JobDoc[];
    uncounted += ops(cloud) - before;

    const deliverJob = async (volunteer: string, jobId: string, detailKnown: boolean) => {
      const detail = detailKnown ? null : await ok(volunteer, 'dispatch.job', { jobId });
      const job = jobs.find((j) => j._id === jobId) as JobDoc;
      const totals = detail?.totals ?? [];
      const counts = Object.fromEntries(totals.map((t) => [t.itemId, t.qty]));
      await ok(volunteer, 'dispatch.pickUp', { jobId, counts });
      for (const stop of job.stops)
        await ok(volunteer, 'dispatch.deliver', { jobId, orderId: stop.orderId, code: codes.get(stop.orderId) ?? '' });
    };
    const byVolunteer = new Map<string, JobDoc[]>();
    for (const j of jobs.filter((x) => x.status === 'assigned'))
      byVolunteer.set(j.volunteerId as string, [...(byVolunteer.get(j.volunteerId as string) ?? []), j]);
    for (const [volunteer, mine] of byVolunteer) {
      await ok(volunteer, 'dispatch.myJobs', {});
      for (const j of mine) await deliverJob(volunteer, j._id, false);
    }
    const open = jobs.filter((x) => x.status === 'open');
    for (const j of open) {
      const volunteer = `bench-vol-${grids.findIndex((g) => g._id === j.gridId)}-0`;
      await ok(volunteer, 'dispatch.openJobs', {});
      await ok(volunteer, 'dispatch.grab', { jobId: j._id });
      await deliverJob(volunteer, j._id, true);
    }
    const flowOps = ops(cloud) - uncounted;
    const delivered =
      (
        await db
          .collection('orders')
          .where({ _id: _.in(orderIds.slice(0, 500)), status: 'delivered' })
          .count()
      ).total ?? 0;
    const stats = cloud.db.stats();

    report('order.db_ops_per_order', flowOps / orderIds.length);
    report('order.db_ops_place_per_order', placeOps / orderIds.length);
    report('order.db_ops_placed_incl_per_order', (flowOps + placeOps) / orderIds.length);
    report('order.bench_orders', orderIds.length);
    report('order.bench_jobs', jobs.length);
    report('order.bench_orders_per_job', orderIds.length / Math.max(1, jobs.length));
    report('order.bench_delivered_share_pct', (100 * delivered) / Math.min(500, orderIds.length));
    report('order.bench_db_reads', stats.reads - uncounted);
    report('order.bench_db_writes', stats.writes);
  } finally {
    await cloud.close();
  }
}
