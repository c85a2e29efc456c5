/**
 * A door of a running job settled: taken off the job's pending list, the last one finishing the job
 * (once). Deliveries (stops.ts) and gas collection rounds (gas.ts) settle their doors the same way.
 */
import { JOB_TRANSITIONS } from '../../../core/jobs';
import type { JobDoc, JobEventRecord } from '../../../typings/entities';
import { getDoc } from '../../lib/access';
import type { CallContext } from '../../lib/define-function';
import { transition } from '../../lib/transition';

/**
 * Settles one stop of a picked-up job: takes it off the job's pending list; the last one
 * finishes the job. Both writes are conditional on the order still being pending, so a retry
 * changes nothing.
 */
export async function settleStop(
  ctx: CallContext,
  jobId: string,
  orderId: string,
  by: string,
  /** The job's last step in words (a gas round: 空瓶已收完). */
  note?: string,
): Promise<'pickedUp' | 'done'> {
  const _ = ctx.db.command;
  const now = ctx.now.toISOString();
  const jobs = ctx.db.collection('jobs');
  const more = await jobs
    .where({ _id: jobId, status: 'pickedUp', pending: orderId, 'pending.1': _.exists(true) })
    .update({ pending: _.pull(orderId), updatedAt: now });
  if (more.updated) return 'pickedUp';
  const event: JobEventRecord = { status: 'done', at: now, by, ...(note ? { note } : {}) };
  const last = await transition(
    ctx.db,
    'jobs',
    { _id: jobId, pending: [orderId] },
    JOB_TRANSITIONS,
    'finish',
    'volunteer',
    { pending: [], updatedAt: now, history: _.push([event]) },
  );
  if (last.updated) return 'done';
  const job = await getDoc(ctx, 'jobs', jobId);
  return job ? finishIfEmpty(ctx, job, by, note) : 'pickedUp';
}

/** A picked-up job whose doors are all settled is done (once); answers its status. */
export async function finishIfEmpty(
  ctx: CallContext,
  job: JobDoc,
  by: string,
  note?: string,
): Promise<'pickedUp' | 'done'> {
  if (job.status === 'done') return 'done';
  if (job.status !== 'pickedUp' || job.pending.length > 0) return 'pickedUp';
  const _ = ctx.db.command;
  const now = ctx.now.toISOString();
  const event: JobEventRecord = { status: 'done', at: now, by, ...(note ? { note } : {}) };
  const res = await transition(ctx.db, 'jobs', { _id: job._id, pending: [] }, JOB_TRANSITIONS, 'finish', 'volunteer', {
    updatedAt: now,
    history: _.push([event]),
  });
  if (res.updated) return 'done';
  return (await getDoc(ctx, 'jobs', job._id))?.status === 'done' ? 'done' : 'pickedUp';
}
