/**
 * Delivery jobs shared by the dispatch function and others (the volunteers function releases a
 * volunteer's jobs when they go off duty). Every change is one conditional update on the job,
 * then the orders follow with one conditional update keyed by the job id.
 */
import { JOB_TRANSITIONS } from '../../core/jobs';
import { ORDER_TRANSITIONS } from '../../core/order/state-machine';
import type { JobEventRecord, JobStatus, OrderEventRecord } from '../../typings/entities';
import type { CallContext } from './define-function';
import { all } from './query';
import { transition } from './transition';

/** Orders of a job go back to the pool: `assigned` (carrying this job) → `accepted`, no job. */
export async function returnOrdersOf(
  ctx: CallContext,
  jobIds: readonly string[],
  by: string,
  note: string,
): Promise<number> {
  if (jobIds.length === 0) return 0;
  const _ = ctx.db.command;
  const now = ctx.now.toISOString();
  const event: OrderEventRecord = { status: 'accepted', at: now, by, note };
  const res = await transition(
    ctx.db,
    'orders',
    { jobId: _.in([...jobIds]) },
    ORDER_TRANSITIONS,
    'unassign',
    'system',
    { jobId: null, volunteerId: null, updatedAt: now, history: _.push([event]) },
  );
  return res.updated;
}

/**
 * Releases one job not yet picked up (open or assigned, held by `volunteerId` when given):
 * the job becomes `released` and its orders go back to the pool. False when it had moved on
 * (picked up, or released by someone else first).
 */
export async function releaseJob(
  ctx: CallContext,
  jobId: string,
  opts: { by: string; reason: string; volunteerId?: string | null; statuses?: JobStatus[] },
): Promise<boolean> {
  const _ = ctx.db.command;
  const now = ctx.now.toISOString();
  const event: JobEventRecord = { status: 'released', at: now, by: opts.by, note: opts.reason };
  const where: Record<string, unknown> = { _id: jobId };
  if (opts.volunteerId !== undefined) where.volunteerId = opts.volunteerId;
  const res = await transition(
    ctx.db,
    'jobs',
    where,
    JOB_TRANSITIONS,
    'release',
    'system',
    { pending: [], updatedAt: now, history: _.push([event]) },
    opts.statuses,
  );
  if (!res.updated) return false;
  await returnOrdersOf(ctx, [jobId], opts.by, opts.reason);
  return true;
}

/**
 * Returns a volunteer's assigned-but-not-picked-up jobs to the pool (their orders back to
 * `accepted`), e.g. when they go off duty; answers how many jobs were released. Jobs already
 * picked up stay with the volunteer: the goods are in their hands.
 */
export async function releaseJobsOf(ctx: CallContext, volunteerOpenid: string, reason: string): Promise<number> {
  const held = await all(ctx, 'jobs', { volunteerId: volunteerOpenid, status: 'assigned' });
  let released = 0;
  for (const job of held) {
    if (await releaseJob(ctx, job._id, { by: 'system', reason, volunteerId: volunteerOpenid, statuses: ['assigned'] }))
      released += 1;
  }
  return released;
}
