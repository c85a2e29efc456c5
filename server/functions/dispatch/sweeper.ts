/** The dispatch's timer: jobs not picked up in time or whose volunteer left go back to the pool and out again. */
import { transition } from '../../lib/transition';
import { ORPHAN_MS } from '../../../core/policy';
import { ORDER_TRANSITIONS } from '../../../core/order/state-machine';
import type { OrderEventRecord } from '../../../typings/entities';
import { getByIds, getDoc } from '../../lib/access';
import { type CallContext } from '../../lib/define-function';
import { releaseJob, returnOrdersOf } from '../../lib/jobs';
import { all } from '../../lib/query';
import { runDispatch } from './plan';

/**
 * Returns to the pool the jobs not picked up in time and those whose volunteer went off
 * duty, frees orders a crash left claimed by a job never written, then dispatches the
 * returned orders again (to other volunteers).
 */
export async function sweepJobs(ctx: CallContext): Promise<{ released: number; freed: number; redispatched: number }> {
  const _ = ctx.db.command;
  const now = ctx.now.toISOString();
  const assigned = await all(ctx, 'jobs', { status: 'assigned' });
  const volunteers = await getByIds(
    ctx,
    'volunteers',
    assigned.map((j) => j.volunteerId ?? ''),
  );
  const available = new Set(
    volunteers.filter((v) => v.onDuty && v.status === 'approved' && v.team === 'delivery').map((v) => v._id),
  );
  const releasedByGrid = new Map<string, { orderIds: string[]; volunteers: Set<string> }>();
  let released = 0;
  for (const job of assigned) {
    const late = job.pickupBy !== null && job.pickupBy < now;
    const gone = !job.volunteerId || !available.has(job.volunteerId);
    if (!late && !gone) continue;
    const reason = gone ? '志愿者已下岗，任务退回重新派单' : '超时未取货，任务退回重新派单';
    if (
      !(await releaseJob(ctx, job._id, { by: 'system', reason, volunteerId: job.volunteerId, statuses: ['assigned'] }))
    )
      continue;
    released += 1;
    const entry = releasedByGrid.get(job.gridId) ?? { orderIds: [], volunteers: new Set<string>() };
    entry.orderIds.push(...job.orderIds);
    if (job.volunteerId) entry.volunteers.add(job.volunteerId);
    releasedByGrid.set(job.gridId, entry);
  }

  // Orders claimed by a job that was never written, or left behind by a release cut short.
  const cutoff = new Date(ctx.now.getTime() - ORPHAN_MS).toISOString();
  const stuck = await all(ctx, 'orders', { status: 'assigned', updatedAt: _.lt(cutoff) });
  const jobIds = [...new Set(stuck.map((o) => o.jobId ?? ''))].filter(Boolean);
  const found = new Map((await getByIds(ctx, 'jobs', jobIds)).map((j) => [j._id, j]));
  // A pickup cut off after the job's write: its orders are in the volunteer's hands.
  for (const job of [...found.values()].filter((j) => j.status === 'pickedUp')) {
    const event: OrderEventRecord = { status: 'pickedUp', at: now, by: 'system', note: '补记取货' };
    await transition(ctx.db, 'orders', { jobId: job._id }, ORDER_TRANSITIONS, 'pickUp', 'system', {
      volunteerId: job.volunteerId,
      updatedAt: now,
      history: _.push([event]),
    });
  }
  const orphans = jobIds.filter((j) => !['open', 'assigned', 'pickedUp'].includes(found.get(j)?.status ?? 'missing'));
  const freed = await returnOrdersOf(ctx, orphans, 'system', '派单未完成，退回待派');

  let redispatched = 0;
  for (const [gridId, entry] of releasedByGrid) {
    const grid = await getDoc(ctx, 'grids', gridId);
    if (!grid) continue;
    const run = await runDispatch(ctx, grid, {
      by: 'system',
      orderIds: entry.orderIds,
      excludeVolunteers: entry.volunteers,
    });
    redispatched += run.assignedOrders + run.openOrders;
  }
  return { released, freed, redispatched };
}
