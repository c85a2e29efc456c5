/** Jobs as volunteers and staff see them (addresses and phones only to whoever holds the job). */
import { AppError } from '../../../core/errors';
import { HANDOVER_TRIES, JOB_STATUS_TEXT, totalsOf } from '../../../core/jobs';
import { maskName, maskPhone } from '../../../core/mask';
import { ORDER_STATUS_TEXT, shownStatus } from '../../../core/order/labels';
import type { JobCardView, JobDetailView, JobStopView } from '../../../typings/api';
import type { HouseholdDoc, JobDoc } from '../../../typings/entities';
import { getByIds, getDoc, staffOf } from '../../lib/access';
import { type UserContext } from '../../lib/define-function';
import { findUser } from '../../lib/users';
import { volunteerName } from './shared';

export function cardView(job: JobDoc, me: string | null, names: ReadonlyMap<string, string>): JobCardView {
  return {
    id: job._id,
    title: job.title,
    status: job.status,
    statusText: JOB_STATUS_TEXT[job.status],
    buildingNames: job.buildingNames,
    stopCount: job.stops.length,
    pendingCount:
      job.status === 'pickedUp' ? job.pending.length : ['open', 'assigned'].includes(job.status) ? job.stops.length : 0,
    weightKg: job.weightKg,
    priority: job.stops.some((s) => s.priority),
    medicine: job.stops.some((s) => s.medicine),
    reason: job.reason,
    volunteerId: job.volunteerId,
    volunteerName: job.volunteerId ? (names.get(job.volunteerId) ?? null) : null,
    mine: me !== null && job.volunteerId === me,
    pickupBy: job.pickupBy,
    pickupShortfall: job.pickupShortfall,
    codeLocked: job.status === 'pickedUp' && (job.codeTries ?? 0) >= HANDOVER_TRIES,
  };
}

/** Whether the job is the caller's now: only then are addresses and phones shown. */
const holds = (job: JobDoc, openid: string) =>
  job.volunteerId === openid && (job.status === 'assigned' || job.status === 'pickedUp');

/** A job with its stops as the caller may see them. */
export async function detailView(ctx: UserContext, job: JobDoc, asStaff: boolean): Promise<JobDetailView> {
  const mine = holds(job, ctx.caller.openid);
  const [orders, households] = await Promise.all([
    getByIds(ctx, 'orders', job.orderIds),
    mine || asStaff
      ? getByIds(
          ctx,
          'households',
          job.stops.map((s) => s.householdId),
        )
      : Promise.resolve([] as HouseholdDoc[]),
  ]);
  const byOrder = new Map(orders.map((o) => [o._id, o]));
  const byHousehold = new Map(households.map((h) => [h._id, h]));
  const buildingNames = new Map(job.buildingIds.map((b, i) => [b, job.buildingNames[i] ?? '']));
  const names = new Map<string, string>();
  if (job.volunteerId === ctx.caller.openid) names.set(job.volunteerId, '我');
  else if (job.volunteerId) {
    const v = await getDoc(ctx, 'volunteers', job.volunteerId);
    if (v) names.set(v._id, volunteerName(v));
  }
  const stops: JobStopView[] = job.stops.map((s) => {
    const o = byOrder.get(s.orderId);
    const h = byHousehold.get(s.householdId);
    const status = o ? shownStatus(o.status) : 'cancelled';
    const visible = mine || asStaff;
    return {
      orderId: s.orderId,
      floor: s.floor,
      status,
      statusText: ORDER_STATUS_TEXT[status],
      address: visible ? `${buildingNames.get(s.buildingId) ?? ''} ${s.room}`.trim() : null,
      phone: mine && h ? h.phone : asStaff && h ? maskPhone(h.phone) : null,
      headName: mine && h ? h.headName : asStaff && h ? maskName(h.headName) : null,
      lines: s.lines,
      priority: s.priority,
      medicine: s.medicine,
      contactless: o?.contactless ?? false,
      note: visible ? (o?.note ?? '') : '',
      weightKg: s.weightKg,
      shortfall: o?.shortfall ?? [],
      failReason: o?.failReason ?? null,
    };
  });
  return { ...cardView(job, ctx.caller.openid, names), totals: totalsOf(job.stops), stops };
}

/** Loads a job the caller may look at: its volunteer, a delivery volunteer of its grid, or its grid's staff. */
export async function visibleJob(ctx: UserContext, jobId: string): Promise<{ job: JobDoc; asStaff: boolean }> {
  const job = await getDoc(ctx, 'jobs', jobId);
  if (!job) throw new AppError('COMMON.NOT_FOUND', '没有找到该任务');
  if (job.volunteerId === ctx.caller.openid) return { job, asStaff: false };
  const [user, volunteer] = await Promise.all([findUser(ctx), getDoc(ctx, 'volunteers', ctx.caller.openid)]);
  if (staffOf(user, { _id: job.gridId, communityId: job.communityId })) return { job, asStaff: true };
  if (volunteer?.status === 'approved' && volunteer.team === 'delivery' && volunteer.gridIds.includes(job.gridId))
    return { job, asStaff: false };
  throw new AppError('COMMON.NOT_FOUND', '没有找到该任务');
}
