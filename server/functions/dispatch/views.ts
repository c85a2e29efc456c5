/** Jobs as volunteers and staff see them (addresses and phones only to whoever holds the job). */
import { AppError } from '../../../core/errors';
import { HANDOVER_TRIES, JOB_STATUS_TEXT, totalsOf } from '../../../core/jobs';
import { maskName, maskPhone } from '../../../core/mask';
import { ORDER_STATUS_TEXT, shownStatus } from '../../../core/order/labels';
import type { JobCardView, JobDetailView, JobStopView } from '../../../typings/api';
import type { HouseholdDoc, JobDoc, OrderDoc } from '../../../typings/entities';
import { getDoc, staffOf } from '../../lib/access';
import { logAccess } from '../../lib/access-log';
import { type UserContext } from '../../lib/define-function';
import { findUser } from '../../lib/users';
import { staffVolunteerName, volunteerName } from './shared';

/** Where a delivery volunteer collects groceries (物资不落地: counted there, carried to the doors). */
export const PICKUP_PLACE = '社区物资中转站';
/** Where a volunteer buys a medicine order (the community has no pharmacy of its own). */
export const PHARMACY_PLACE = '就近药店';

/**
 * The dispatch's explanation of a job, in a gridworker's words: one short line, and the reasons
 * behind it (shown on tap). The planner writes for the record ("第一波…；同楼3–8层4单合并一趟…；
 * 该志愿者负责这栋楼；…（全体志愿者16–45分钟内送完）"); people read "先送 · 4户一趟 · 约25分钟".
 */
export function jobReason(
  job: Pick<JobDoc, 'reason' | 'status' | 'stops'>,
  who: string | null,
): { short: string; details: string[] } {
  const reason = job.reason ?? '';
  const parts = reason
    .split(/[；;]/)
    .map((p) => p.trim())
    .filter(Boolean);
  const doors = job.stops.length;
  // Doors the dispatch could not place say why, in plain words (the gridworker assigns them by hand).
  const unplaced = [...new Set(job.stops.flatMap((s) => (s.unplaced ? [s.unplaced] : [])))];
  // Nobody on duty who could take it: it waits for a grab (the planner's words as the detail).
  if (job.status === 'open' && unplaced.length && unplaced.every((u) => /没有在岗/.test(u)))
    return { short: '还没有人接，等在岗志愿者抢单', details: unplaced };
  if (job.status === 'open' && unplaced.length)
    return {
      short: unplaced.length === 1 ? (unplaced[0] as string) : reason,
      details: unplaced.length > 1 ? unplaced : [],
    };
  if (job.status === 'open' || /等待志愿者抢单/.test(reason))
    return { short: '还没有人接，等在岗志愿者抢单', details: ['派单时没有空闲、背得动的在岗配送志愿者'] };
  const byHand = /^网格员(改派|指派)/.exec(reason);
  if (byHand) return { short: `网格员${byHand[1]}`, details: [] };
  if (/抢单/.test(reason) && parts.length === 1) return { short: '志愿者自己抢的单', details: [] };
  if (!/合并一趟|分钟送完/.test(reason)) return { short: reason, details: [] };
  const first = parts.some((p) => p.startsWith('第一波'));
  const minutes = /约(\d+)分钟送完/.exec(reason)?.[1];
  const short = [first ? '优先送' : '', `${doors}户一趟`, minutes ? `约${minutes}分钟送完` : '']
    .filter(Boolean)
    .join(' · ');
  const person = who === '我' ? '你' : who || '这位志愿者';
  const details = parts
    .map((p) => {
      if (p.startsWith('第一波')) return '先送：有特殊需求、药品或限时送达的订单';
      const trip = /^同楼(.+?)(\d+)单合并一趟，共([\d.]+)kg$/.exec(p);
      if (trip) return `同一栋楼${trip[1]}的${trip[2]}户一趟送，共约${Number(trip[3])}公斤`;
      if (p === '该志愿者负责这栋楼') return `这栋楼是${person}负责的楼`;
      const load = /^载重(\d+)kg装得下(?:（能背这么重的在岗志愿者只有(\d+)位）)?$/.exec(p);
      if (load)
        return `${person}一次能背${load[1]}公斤，装得下${load[2] ? `（在岗的人里只有${load[2]}位背得动）` : ''}`;
      const total = /^共分到(\d+)趟，约(\d+)分钟送完（全体志愿者(.+?)内送完）$/.exec(p);
      if (total) return `${person}这次共${total[1]}趟，约${total[2]}分钟送完；大家${total[3]}内都能送完`;
      return p.replace(/该志愿者/g, person).replace(/(\d+)分(?!钟)/g, '$1分钟');
    })
    .filter(Boolean);
  return { short, details };
}

export function cardView(job: JobDoc, me: string | null, names: ReadonlyMap<string, string>): JobCardView {
  const volunteerName = job.volunteerId ? (names.get(job.volunteerId) ?? null) : null;
  const reason = jobReason(job, volunteerName);
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
    reasonShort: reason.short,
    reasonDetails: reason.details,
    volunteerId: job.volunteerId,
    volunteerName,
    mine: me !== null && job.volunteerId === me,
    pickupBy: job.pickupBy,
    pickupShortfall: job.pickupShortfall,
    codeLocked: job.status === 'pickedUp' && (job.codeTries ?? 0) >= HANDOVER_TRIES,
    collect: job.leg === 'collectEmpty',
  };
}

/** Whether the job is the caller's now: only then are addresses and phones shown. */
const holds = (job: JobDoc, openid: string) =>
  job.volunteerId === openid && (job.status === 'assigned' || job.status === 'pickedUp');

/**
 * A job's orders and, when they are shown, their households: one request (the orders joined with
 * their households in the database) instead of one for each collection (issue 16).
 */
async function ordersWithHouseholds(
  ctx: UserContext,
  job: JobDoc,
  withHouseholds: boolean,
): Promise<[OrderDoc[], HouseholdDoc[]]> {
  if (job.orderIds.length === 0) return [[], []];
  const _ = ctx.db.command;
  let chain = ctx.db
    .collection('orders')
    .aggregate()
    .match({ _id: _.in(job.orderIds) });
  if (withHouseholds)
    chain = chain.lookup({ from: 'households', localField: 'householdId', foreignField: '_id', as: 'household' });
  const rows = (await chain.limit(1000).end()).data as Array<OrderDoc & { household?: HouseholdDoc[] }>;
  return [rows.map(({ household: _h, ...o }) => o as OrderDoc), rows.flatMap((r) => r.household ?? [])];
}

/** A job with its stops as the caller may see them. */
export async function detailView(ctx: UserContext, job: JobDoc, asStaff: boolean): Promise<JobDetailView> {
  const mine = holds(job, ctx.caller.openid);
  const [orders, households] = await ordersWithHouseholds(ctx, job, mine || asStaff);
  const byOrder = new Map(orders.map((o) => [o._id, o]));
  const byHousehold = new Map(households.map((h) => [h._id, h]));
  const buildingNames = new Map(job.buildingIds.map((b, i) => [b, job.buildingNames[i] ?? '']));
  const names = new Map<string, string>();
  if (job.volunteerId === ctx.caller.openid) names.set(job.volunteerId, '我');
  else if (job.volunteerId) {
    const v = await getDoc(ctx, 'volunteers', job.volunteerId);
    // Staff see whom they assigned in full; other volunteers, a masked name.
    if (v) names.set(v._id, asStaff ? staffVolunteerName(v) : volunteerName(v));
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
      // What to buy, only to whoever holds the job (and staff): the prescription photo to the buyer.
      medicineText: s.medicine && visible && o?.medicine ? o.medicine.description : null,
      urgent: o?.medicine?.urgency === 'urgent',
      prescriptionFileId: mine && o?.medicine ? o.medicine.prescriptionFileId : null,
      contactless: o?.contactless ?? false,
      note: visible ? (o?.note ?? '') : '',
      weightKg: s.weightKg,
      shortfall: o?.shortfall ?? [],
      failReason: o?.failReason ?? null,
      gasLeg: s.gasLeg ?? null,
      legDone: Boolean(s.gasLeg && o?.gas?.[s.gasLeg] === 'done'),
      legText: !s.gasLeg
        ? ''
        : s.gasLeg === 'returnFull'
          ? o?.gas?.returnFull === 'done'
            ? '已送满瓶'
            : '送满瓶'
          : o?.gas?.collectEmpty === 'done'
            ? '已取空瓶'
            : o?.gas?.collectJobId === job._id
              ? '待取空瓶'
              : '空瓶未取到，下次再取',
    };
  });
  const purchases = job.stops
    .filter((s) => s.medicine)
    .map((s) => {
      const o = byOrder.get(s.orderId);
      const visible = mine || asStaff;
      return {
        orderId: s.orderId,
        place: visible ? `${buildingNames.get(s.buildingId) ?? ''} ${s.room}`.trim() : `${s.floor} 层`,
        what: visible ? (o?.medicine?.description ?? '药品') : '药品（接单后显示）',
        where: PHARMACY_PLACE,
        urgent: o?.medicine?.urgency === 'urgent',
        prescriptionFileId: mine ? (o?.medicine?.prescriptionFileId ?? null) : null,
      };
    });
  await logAccess(ctx, {
    view: 'dispatch.job',
    communityId: job.communityId,
    subject: job.title,
    rows: mine || asStaff ? stops.length : 0,
    shown: mine ? ['phone', 'address'] : ['address'],
  });
  return {
    ...cardView(job, ctx.caller.openid, names),
    totals: totalsOf(job.stops),
    pickupPlace: PICKUP_PLACE,
    purchases,
    stops,
  };
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
