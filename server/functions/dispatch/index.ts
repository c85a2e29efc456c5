import { randomInt, randomUUID } from 'node:crypto';
import { next as nextStatusOf } from '../../../core/state/machine';
import { transition } from '../../lib/transition';
import { ACTIVE_JOB_S, deliveryDeadlineS, ORPHAN_MS, PICKUP_GRACE_MS } from '../../../core/policy';
import { planDispatch, type DispatchOrder, type DispatchPlan } from '../../../core/dispatch';
import { AppError } from '../../../core/errors';
import {
  HANDOVER_TRIES,
  JOB_STATUS_TEXT,
  groupOpenTrips,
  holdClaim,
  holdRefusal,
  jobLimitsOf,
  jobOfClaim,
  jobTitle,
  makeHandoverCode,
  orderWeightKg,
  shortfall,
  totalsOf,
  JOB_TRANSITIONS,
} from '../../../core/jobs';
import { maskName, maskPhone } from '../../../core/mask';
import { ORDER_STATUS_TEXT, shownStatus } from '../../../core/order/labels';
import { ORDER_TRANSITIONS, statusesAllowing } from '../../../core/order/state-machine';
import type {
  BoardView,
  DispatchRunView,
  JobCardView,
  JobDetailView,
  JobStopView,
  PackingListView,
  PickupView,
  PoolOrderView,
  PoolView,
  PurchaseListView,
  StopResultView,
} from '../../../typings/api';
import type {
  Building,
  Community,
  Grid,
  HouseholdDoc,
  JobDoc,
  JobEventRecord,
  JobStop,
  OrderDoc,
  OrderEventRecord,
  OrderStatus,
  RoundDoc,
  ShortLine,
  UserDoc,
  VolunteerDoc,
} from '../../../typings/entities';
import { getDoc, mustGet, requireGridStaff, staffOf } from '../../lib/access';
import { defineFunction, type CallContext, type UserContext } from '../../lib/define-function';
import { workbook } from '../../lib/excel';
import { releaseJob, returnOrdersOf } from '../../lib/jobs';
import { enqueue, orderStatusMessages } from '../../lib/outbox';
import { all, mapPage, pageFields, pageOf, pageOfSegments, type SortKey } from '../../lib/query';
import { findUser } from '../../lib/users';
import { idString, text, note, z } from '../../lib/validate';
import { release as releaseHolds } from '../order';


const id = idString();
/** Statuses whose goods are still to be bought and packed. */
const LIVE_STATUSES: OrderStatus[] = ['submitted', 'accepted', 'assigned', 'pickedUp', 'failed', 'delivered', 'received'];

/** Statuses the pool shows (a placement still being written is nobody's business yet). */
const POOL_STATUSES = ['submitted', 'accepted', 'rejected', 'assigned', 'pickedUp', 'delivered', 'failed', 'cancelled', 'received'] as const satisfies readonly OrderStatus[];
/** The pool's order: special needs first, then first come first served. */
const POOL_ORDER: SortKey[] = [
  { field: 'priority', dir: 'desc' },
  { field: 'createdAt', dir: 'asc' },
];

const cryptoRng = () => randomInt(0, 1_000_000) / 1_000_000;


/** Documents by id (any number; 500 ids a request). */
async function getByIds<T extends { _id: string }>(ctx: CallContext, collection: string, ids: readonly string[]): Promise<T[]> {
  const unique = [...new Set(ids)];
  const _ = ctx.db.command;
  const out: T[] = [];
  for (let i = 0; i < unique.length; i += 500) {
    out.push(...(await all<T>(ctx, collection, { _id: _.in(unique.slice(i, i + 500)) })));
  }
  return out;
}

/** Grids the caller looks after: their own as gridworker/group leader, all of the community as its admin. */
async function staffGrids(ctx: UserContext): Promise<{ user: UserDoc; grids: Grid[] }> {
  const user = await findUser(ctx);
  if (!user?.communityId) throw new AppError('AUTH.NOT_GRIDWORKER');
  const _ = ctx.db.command;
  const where = user.roles.includes('communityAdmin') ? { communityId: user.communityId } : { _id: _.in(user.adminGridIds) };
  const grids = (await all<Grid>(ctx, 'grids', where)).filter((g) => staffOf(user, g)).sort((a, b) => a.name.localeCompare(b.name, 'zh'));
  if (grids.length === 0) throw new AppError('AUTH.NOT_GRIDWORKER');
  return { user, grids };
}

/** The caller as an approved delivery volunteer. */
async function requireDeliveryVolunteer(ctx: UserContext): Promise<VolunteerDoc> {
  const v = await getDoc<VolunteerDoc>(ctx, 'volunteers', ctx.caller.openid);
  if (!v || v.status !== 'approved' || v.team !== 'delivery') throw new AppError('AUTH.NOT_VOLUNTEER', '此操作仅限已通过审核的配送组志愿者');
  return v;
}

const volunteerName = (v: Pick<VolunteerDoc, '_id'> & { name?: string }) => (v.name ? maskName(v.name) : `志愿者${v._id.slice(-4)}`);

function linesText(lines: ReadonlyArray<{ name: string; qty: number; unit: string }>): string {
  return lines.map((l) => `${l.name}×${l.qty}${l.unit}`).join('，');
}

function poolView(o: OrderDoc, household: HouseholdDoc | undefined, buildingName: string): PoolOrderView {
  const status = shownStatus(o.status);
  return {
    id: o._id,
    kind: o.kind,
    status,
    statusText: ORDER_STATUS_TEXT[status],
    roundId: o.roundId,
    buildingId: o.buildingId,
    buildingName,
    room: o.room,
    headMasked: household ? maskName(household.headName) : '',
    phoneMasked: household ? maskPhone(household.phone) : '',
    lines: o.lines.map((l) => ({ itemId: l.itemId, name: l.name, unit: l.unit, qty: l.qty })),
    medicine: o.medicine ? `${o.medicine.urgency === 'urgent' ? '【急】' : ''}${o.medicine.description}` : null,
    priority: o.priority,
    contactless: o.contactless,
    note: o.note,
    weightKg: orderWeightKg(o),
    rejectReason: o.rejectReason,
    jobId: o.jobId ?? null,
    shortfall: o.shortfall ?? [],
    failReason: o.failReason ?? null,
    createdAt: o.createdAt,
  };
}

function cardView(job: JobDoc, me: string | null, names: ReadonlyMap<string, string>): JobCardView {
  return {
    id: job._id,
    title: job.title,
    status: job.status,
    statusText: JOB_STATUS_TEXT[job.status],
    buildingNames: job.buildingNames,
    stopCount: job.stops.length,
    pendingCount: job.status === 'pickedUp' ? job.pending.length : ['open', 'assigned'].includes(job.status) ? job.stops.length : 0,
    weightKg: job.weightKg,
    priority: job.stops.some((s) => s.priority),
    medicine: job.stops.some((s) => s.medicine),
    reason: job.reason,
    volunteerId: job.volunteerId,
    volunteerName: job.volunteerId ? (names.get(job.volunteerId) ?? null) : null,
    mine: me !== null && job.volunteerId === me,
    pickupBy: job.pickupBy,
    pickupShortfall: job.pickupShortfall,
  };
}

/** Whether the job is the caller's now: only then are addresses and phones shown. */
const holds = (job: JobDoc, openid: string) => job.volunteerId === openid && (job.status === 'assigned' || job.status === 'pickedUp');

/** A job with its stops as the caller may see them. */
async function detailView(ctx: UserContext, job: JobDoc, asStaff: boolean): Promise<JobDetailView> {
  const mine = holds(job, ctx.caller.openid);
  const [orders, households] = await Promise.all([
    getByIds<OrderDoc>(ctx, 'orders', job.orderIds),
    mine || asStaff ? getByIds<HouseholdDoc>(ctx, 'households', job.stops.map((s) => s.householdId)) : Promise.resolve([] as HouseholdDoc[]),
  ]);
  const byOrder = new Map(orders.map((o) => [o._id, o]));
  const byHousehold = new Map(households.map((h) => [h._id, h]));
  const buildingNames = new Map(job.buildingIds.map((b, i) => [b, job.buildingNames[i] ?? '']));
  const names = new Map<string, string>();
  if (job.volunteerId === ctx.caller.openid) names.set(job.volunteerId, '我');
  else if (job.volunteerId) {
    const v = await getDoc<VolunteerDoc>(ctx, 'volunteers', job.volunteerId);
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
async function visibleJob(ctx: UserContext, jobId: string): Promise<{ job: JobDoc; asStaff: boolean }> {
  const job = await getDoc<JobDoc>(ctx, 'jobs', jobId);
  if (!job) throw new AppError('COMMON.NOT_FOUND', '没有找到该任务');
  if (job.volunteerId === ctx.caller.openid) return { job, asStaff: false };
  const [user, volunteer] = await Promise.all([findUser(ctx), getDoc<VolunteerDoc>(ctx, 'volunteers', ctx.caller.openid)]);
  if (staffOf(user, { _id: job.gridId, communityId: job.communityId })) return { job, asStaff: true };
  if (volunteer?.status === 'approved' && volunteer.team === 'delivery' && volunteer.gridIds.includes(job.gridId)) return { job, asStaff: false };
  throw new AppError('COMMON.NOT_FOUND', '没有找到该任务');
}

/** The round: of the caller's community. */
async function roundOf(ctx: CallContext, roundId: string, communityId: string): Promise<RoundDoc> {
  const round = await mustGet<RoundDoc>(ctx, 'rounds', roundId, '批次');
  if (round.communityId !== communityId) throw new AppError('COMMON.NOT_FOUND', '没有找到该批次');
  return round;
}

async function purchaseList(ctx: UserContext, roundId: string, gridId: string | undefined): Promise<PurchaseListView> {
  const { user, grids } = await staffGrids(ctx);
  const _ = ctx.db.command;
  let scopeGrids = grids;
  if (gridId) {
    const grid = grids.find((g) => g._id === gridId);
    if (!grid) throw new AppError('AUTH.NOT_GRIDWORKER');
    scopeGrids = [grid];
  }
  const round = await roundOf(ctx, roundId, user.communityId as string);
  const orders = await all<OrderDoc>(ctx, 'orders', { roundId, gridId: _.in(scopeGrids.map((g) => g._id)), status: _.in(LIVE_STATUSES) });
  const items = new Map<string, PurchaseListView['items'][number]>();
  for (const o of orders) {
    for (const l of o.lines) {
      const key = `${l.itemId}\u0000${l.unit}`;
      const seen = items.get(key);
      if (seen) {
        seen.qty += l.qty;
        seen.orders += 1;
      } else items.set(key, { itemId: l.itemId, name: l.name, unit: l.unit, qty: l.qty, orders: 1 });
    }
  }
  const wholeCommunity = !gridId && user.roles.includes('communityAdmin');
  return {
    roundId,
    roundName: round.name,
    scope: wholeCommunity ? '全社区' : scopeGrids.map((g) => g.name).join('、'),
    orderCount: orders.length,
    items: [...items.values()].sort((a, b) => a.name.localeCompare(b.name, 'zh')),
    medicine: orders.filter((o) => o.kind === 'medicine').length,
    gas: orders.filter((o) => o.kind === 'gas').length,
  };
}

async function packingList(ctx: UserContext, roundId: string, gridId: string): Promise<PackingListView> {
  const { user, grid } = await requireGridStaff(ctx, gridId);
  const _ = ctx.db.command;
  const round = await roundOf(ctx, roundId, user.communityId ?? grid.communityId);
  const orders = await all<OrderDoc>(ctx, 'orders', { roundId, gridId, status: _.in(LIVE_STATUSES) });
  const [households, buildings] = await Promise.all([
    getByIds<HouseholdDoc>(ctx, 'households', orders.map((o) => o.householdId)),
    all<Building>(ctx, 'buildings', { gridId }),
  ]);
  const byHousehold = new Map(households.map((h) => [h._id, h]));
  const roomOrder = (a: OrderDoc, b: OrderDoc) => a.room.localeCompare(b.room, 'zh', { numeric: true });
  return {
    roundId,
    roundName: round.name,
    gridName: grid.name,
    buildings: buildings
      .sort((a, b) => a.name.localeCompare(b.name, 'zh', { numeric: true }))
      .map((b) => ({
        buildingId: b._id,
        buildingName: b.name,
        rooms: orders
          .filter((o) => o.buildingId === b._id)
          .sort(roomOrder)
          .map((o) => {
            const h = byHousehold.get(o.householdId);
            return {
              orderId: o._id,
              room: o.room,
              headMasked: h ? maskName(h.headName) : '',
              phoneMasked: h ? maskPhone(h.phone) : '',
              priority: o.priority,
              contactless: o.contactless,
              lines: o.medicine ? `药品：${o.medicine.description}` : o.kind === 'gas' ? '液化气换瓶' : linesText(o.lines),
              note: o.note,
            };
          }),
      }))
      .filter((b) => b.rooms.length > 0),
  };
}

/** What a run changes, for the caller's answer. */
interface RunResult {
  jobs: JobDoc[];
  skipped: number;
  unassigned: Array<{ orderId: string; room: string; reason: string }>;
  assignedOrders: number;
  openOrders: number;
}

/**
 * Claims orders for a new job (one conditional update: `accepted` → `assigned` carrying the job
 * id), then writes the job with the orders it really got. Two runs racing over the same orders
 * split them; an order is never in two jobs.
 */
async function createJob(ctx: CallContext, base: Omit<JobDoc, '_id' | 'orderIds' | 'pending' | 'weightKg' | 'title' | 'buildingIds' | 'buildingNames'>, buildingNames: ReadonlyMap<string, string>, by: string): Promise<JobDoc | null> {
  const _ = ctx.db.command;
  const jobId = randomUUID().replace(/-/g, '');
  const now = ctx.now.toISOString();
  const ids = base.stops.map((s) => s.orderId);
  const event: OrderEventRecord = { status: 'assigned', at: now, by };
  const res = await transition(ctx.db, 'orders', { _id: _.in(ids), gridId: base.gridId }, ORDER_TRANSITIONS, 'assign', 'system', { jobId, updatedAt: now, history: _.push([event]) });
  const claimed = res.updated;
  if (claimed === 0) return null;
  let stops = base.stops;
  if (claimed < ids.length) {
    const mine = new Set((await all<OrderDoc>(ctx, 'orders', { _id: _.in(ids), jobId })).map((o) => o._id));
    stops = stops.filter((s) => mine.has(s.orderId));
  }
  const buildingIds = [...new Set(stops.map((s) => s.buildingId))];
  const job: JobDoc = {
    ...base,
    _id: jobId,
    stops,
    orderIds: stops.map((s) => s.orderId),
    pending: stops.map((s) => s.orderId),
    buildingIds,
    buildingNames: buildingIds.map((b) => buildingNames.get(b) ?? b),
    title: jobTitle(buildingIds.map((b) => buildingNames.get(b) ?? b), stops),
    weightKg: Math.round(stops.reduce((kg, s) => kg + s.weightKg, 0) * 10) / 10,
  };
  await ctx.db.collection('jobs').add(job);
  return job;
}

/**
 * One dispatch of a grid: accepted orders (optionally only some) to its on-duty delivery
 * volunteers through the pure planner; orders nobody can take become open jobs to grab.
 */
async function runDispatch(
  ctx: CallContext,
  grid: Grid,
  opts: { by: string; roundId?: string; orderIds?: readonly string[]; excludeVolunteers?: ReadonlySet<string> },
): Promise<RunResult> {
  const _ = ctx.db.command;
  const where: Record<string, unknown> = { gridId: grid._id, status: 'accepted' };
  if (opts.roundId) where.roundId = opts.roundId;
  if (opts.orderIds) where._id = _.in([...opts.orderIds]);
  const [orders, volunteerDocs, buildings, active] = await Promise.all([
    all<OrderDoc>(ctx, 'orders', where),
    all<VolunteerDoc>(ctx, 'volunteers', { gridIds: grid._id, status: 'approved', team: 'delivery', onDuty: true }),
    all<Building>(ctx, 'buildings', { gridId: grid._id }),
    all<JobDoc>(ctx, 'jobs', { gridId: grid._id, status: _.in(['assigned', 'pickedUp']) }),
  ]);
  const result: RunResult = { jobs: [], skipped: 0, unassigned: [], assignedOrders: 0, openOrders: 0 };
  if (orders.length === 0) return result;
  const households = await getByIds<HouseholdDoc>(ctx, 'households', orders.map((o) => o.householdId));
  const byHousehold = new Map(households.map((h) => [h._id, h]));
  const buildingNames = new Map(buildings.map((b) => [b._id, b.name]));
  const volunteers = volunteerDocs.filter((v) => !opts.excludeVolunteers?.has(v._id));
  const busy = new Map<string, number>();
  for (const j of active) if (j.volunteerId) busy.set(j.volunteerId, (busy.get(j.volunteerId) ?? 0) + ACTIVE_JOB_S);

  const nowMs = ctx.now.getTime();
  const stopOf = new Map<string, JobStop>();
  const input: DispatchOrder[] = [];
  for (const o of orders) {
    const h = byHousehold.get(o.householdId);
    const stop: JobStop = {
      orderId: o._id,
      householdId: o.householdId,
      buildingId: o.buildingId,
      room: o.room,
      floor: Math.max(1, h?.floor ?? 1),
      weightKg: orderWeightKg(o),
      priority: o.priority,
      medicine: o.kind === 'medicine',
      lines: o.lines.map((l) => ({ itemId: l.itemId, name: l.name, unit: l.unit, qty: l.qty })),
      notify: h?.memberOpenids ?? [],
    };
    stopOf.set(o._id, stop);
    input.push({
      id: o._id,
      buildingId: o.buildingId,
      floor: stop.floor,
      weightKg: stop.weightKg,
      priority: o.priority,
      medicine: stop.medicine,
      deadlineS: deliveryDeadlineS(o),
      placedAtS: Math.min(0, Math.round((Date.parse(o.createdAt) - nowMs) / 1000)),
    });
  }
  const plan: DispatchPlan = planDispatch({
    orders: input,
    buildings: buildings.map((b) => ({ id: b._id, distanceM: b.distanceM, floors: b.floors, hasLift: b.hasLift })),
    volunteers: volunteers.map((v) => ({ id: v._id, capacityKg: v.capacityKg, buildingIds: v.buildingIds, busyUntilS: busy.get(v._id) ?? 0 })),
  });

  const now = ctx.now.toISOString();
  const base = (stops: JobStop[], volunteerId: string | null, reason: string, startS: number) => ({
    communityId: grid.communityId,
    gridId: grid._id,
    roundId: opts.roundId ?? orders[0]?.roundId ?? null,
    stops,
    status: volunteerId ? ('assigned' as const) : ('open' as const),
    volunteerId,
    reason,
    assignedAt: volunteerId ? now : null,
    pickupBy: volunteerId ? new Date(nowMs + startS * 1000 + PICKUP_GRACE_MS).toISOString() : null,
    pickedUpAt: null,
    pickupShortfall: [] as ShortLine[],
    history: [{ status: volunteerId ? ('assigned' as const) : ('open' as const), at: now, by: opts.by, note: reason }] as JobEventRecord[],
    createdAt: now,
    updatedAt: now,
  });
  const pending: Array<Promise<JobDoc | null>> = [];
  for (const trip of plan.trips) {
    const stops = trip.orderIds.map((oid) => stopOf.get(oid)).filter((s): s is JobStop => Boolean(s));
    pending.push(createJob(ctx, base(stops, trip.volunteerId, trip.reason, trip.startS), buildingNames, opts.by));
  }
  const left = plan.unassigned.map((u) => stopOf.get(u.orderId)).filter((s): s is JobStop => Boolean(s));
  for (const stops of groupOpenTrips(left)) {
    pending.push(createJob(ctx, base(stops, null, '暂无可派的在岗志愿者，等待志愿者抢单', 0), buildingNames, opts.by));
  }
  const jobs = (await Promise.all(pending)).filter((j): j is JobDoc => j !== null);
  const placed = jobs.reduce((n, j) => n + j.orderIds.length, 0);
  result.jobs = jobs;
  result.assignedOrders = jobs.filter((j) => j.status === 'assigned').reduce((n, j) => n + j.orderIds.length, 0);
  result.openOrders = placed - result.assignedOrders;
  result.skipped = orders.length - placed;
  const roomOf = new Map(orders.map((o) => [o._id, o.room]));
  result.unassigned = plan.unassigned.map((u) => ({ orderId: u.orderId, room: roomOf.get(u.orderId) ?? '', reason: u.reason }));
  return result;
}

/** Names of volunteers by id (masked). */
async function volunteerNames(ctx: CallContext, ids: readonly (string | null)[]): Promise<Map<string, string>> {
  const docs = await getByIds<VolunteerDoc>(ctx, 'volunteers', ids.filter((x): x is string => Boolean(x)));
  return new Map(docs.map((v) => [v._id, volunteerName(v)]));
}

/**
 * Settles one stop of a picked-up job: takes it off the job's pending list; the last one
 * finishes the job. Both writes are conditional on the order still being pending, so a retry
 * changes nothing.
 */
async function settleStop(ctx: CallContext, jobId: string, orderId: string, by: string): Promise<'pickedUp' | 'done'> {
  const _ = ctx.db.command;
  const now = ctx.now.toISOString();
  const jobs = ctx.db.collection('jobs');
  const more = await jobs.where({ _id: jobId, status: 'pickedUp', pending: orderId, 'pending.1': _.exists(true) }).update({ pending: _.pull(orderId), updatedAt: now });
  if (more.updated) return 'pickedUp';
  const event: JobEventRecord = { status: 'done', at: now, by };
  const last = await transition(ctx.db, 'jobs', { _id: jobId, pending: [orderId] }, JOB_TRANSITIONS, 'finish', 'volunteer', { pending: [], updatedAt: now, history: _.push([event]) });
  if (last.updated) return 'done';
  const job = await getDoc<JobDoc>(ctx, 'jobs', jobId);
  return job?.status === 'done' ? 'done' : 'pickedUp';
}

/**
 * Takes a place for one more job in what a volunteer holds (`holding`, `heldKg` on the volunteer
 * document), within the community's limits. First brings the list in line with the jobs really
 * held (planner-assigned ones counted, finished or released ones dropped; claims of grabs in
 * flight kept), then adds the claim by compare-and-set on the list: concurrent grabs by the same
 * volunteer take places one at a time and never more than the cap.
 */
async function claimHold(ctx: CallContext, v: VolunteerDoc, claim: string, weightKg: number): Promise<void> {
  const _ = ctx.db.command;
  const volunteers = ctx.db.collection('volunteers');
  const community = await getDoc<Community>(ctx, 'communities', v.communityId);
  const limits = jobLimitsOf(community?.jobLimits);
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const me = await getDoc<VolunteerDoc>(ctx, 'volunteers', v._id);
    if (!me || me.status !== 'approved' || me.team !== 'delivery') throw new AppError('AUTH.NOT_VOLUNTEER', '此操作仅限已通过审核的配送组志愿者');
    if (!me.onDuty) throw new AppError('JOB.NOT_ON_DUTY');
    const listed = me.holding;
    const held = await all<JobDoc>(ctx, 'jobs', { volunteerId: v._id, status: _.in(['assigned', 'pickedUp']) });
    const heldIds = new Set(held.map((j) => j._id));
    const claimed = [...new Set((listed ?? []).map(jobOfClaim))].filter((j) => !heldIds.has(j));
    const inFlight = new Map((await getByIds<JobDoc>(ctx, 'jobs', claimed)).filter((j) => j.status === 'open').map((j) => [j._id, j]));
    const keep = (listed ?? []).filter((c) => heldIds.has(jobOfClaim(c)) || inFlight.has(jobOfClaim(c)));
    const represented = new Set(keep.map(jobOfClaim));
    const desired = [...keep, ...held.filter((j) => !represented.has(j._id)).map((j) => holdClaim(j._id, 'held'))];
    const jobs = new Map<string, number>([...held, ...inFlight.values()].map((j) => [j._id, j.weightKg]));
    const counted = [...new Set(desired.map(jobOfClaim))];
    const kg = Math.round(counted.reduce((n, j) => n + (jobs.get(j) ?? 0), 0) * 10) / 10;
    const same = listed !== undefined && desired.length === listed.length && desired.every((c, i) => c === listed[i]);
    // Every change of the list bumps its version: the compare-and-set is on the version.
    let version = me.holdVersion ?? 0;
    if (!same || me.heldKg !== kg) {
      const res = await volunteers
        .where({ _id: v._id, holdVersion: me.holdVersion === undefined ? _.exists(false) : me.holdVersion })
        .update({ holding: desired, heldKg: kg, holdVersion: version + 1 });
      if (!res.updated) continue;
      version += 1;
    }
    const refusal = holdRefusal({ jobs: counted.length, kg }, weightKg, limits);
    if (refusal) throw new AppError('JOB.LIMIT_REACHED', refusal);
    const res = await volunteers
      .where({ _id: v._id, status: 'approved', team: 'delivery', onDuty: true, holdVersion: version })
      .update({ holding: _.push([claim]), heldKg: _.inc(weightKg), holdVersion: _.inc(1) });
    if (res.updated) return;
  }
  throw new AppError('COMMON.CONFLICT', '接单的人较多，请稍后再试');
}

/**
 * Takes one handover-code try of a job held by `me`; answers how many are left after it, or
 * refuses with JOB.CODE_LOCKED when none is left (then a photo or the gridworker completes it).
 */
async function takeCodeTry(ctx: CallContext, jobId: string, me: string): Promise<number> {
  const _ = ctx.db.command;
  const jobs = ctx.db.collection('jobs');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const res = await jobs.where({ _id: jobId, volunteerId: me, codeTries: _.lt(HANDOVER_TRIES) }).update({ codeTries: _.inc(1) });
    const job = await getDoc<JobDoc>(ctx, 'jobs', jobId);
    if (!job || job.volunteerId !== me) throw new AppError('JOB.NOT_YOURS');
    if (res.updated) return Math.max(0, HANDOVER_TRIES - (job.codeTries ?? HANDOVER_TRIES));
    if (job.codeTries !== undefined) throw new AppError('JOB.CODE_LOCKED');
    // A job written before tries were counted starts at none.
    await jobs.where({ _id: jobId, codeTries: _.exists(false) }).update({ codeTries: 0 });
  }
  throw new AppError('JOB.CODE_LOCKED');
}

/** Gives back a claim of a grab that did not get the job (only if the claim is still listed). */
async function dropHold(ctx: CallContext, volunteerId: string, claim: string, weightKg: number): Promise<void> {
  const _ = ctx.db.command;
  await ctx.db.collection('volunteers').where({ _id: volunteerId, holding: claim }).update({ holding: _.pull(claim), heldKg: _.inc(-weightKg), holdVersion: _.inc(1) });
}

/** Why a stop could not be settled: answers with the most useful error. */
async function explainStop(ctx: UserContext, jobId: string, orderId: string, code?: string, triesLeft?: number): Promise<never> {
  const order = await getDoc<OrderDoc>(ctx, 'orders', orderId);
  if (order?.status === 'cancelled' && order.jobId === jobId) throw new AppError('JOB.BAD_STATE', '该订单已被取消，请把物资交回网格员');
  if (!order || order.jobId !== jobId || order.volunteerId !== ctx.caller.openid) {
    if (order?.status === 'assigned' && order.jobId === jobId) throw new AppError('JOB.BAD_STATE', '请先核对数量并确认取货');
    throw new AppError('JOB.NOT_YOURS');
  }
  if (order.status !== 'pickedUp') throw new AppError('JOB.BAD_STATE', `该订单${ORDER_STATUS_TEXT[order.status]}`);
  if (code !== undefined) {
    if (triesLeft === 0) throw new AppError('JOB.CODE_LOCKED', '取货码不对，错误次数已达上限：请拍照留证，或请网格员确认交付');
    throw new AppError('JOB.WRONG_CODE', triesLeft === undefined ? undefined : `取货码不对，请核对居民出示的取货码（还可以再试 ${triesLeft} 次）`);
  }
  throw new AppError('JOB.BAD_STATE');
}

/** The dispatch: order pool, purchase and packing lists, automatic dispatch, and the life of delivery jobs. */
export const main = defineFunction(
  'dispatch',
  {
    'dispatch.pool': {
      input: z
        .object({
          gridId: id.optional(),
          roundId: id.optional(),
          kind: z.enum(['grocery', 'loveBag', 'medicine', 'gas']).optional(),
          buildingId: id.optional(),
          status: z.enum(POOL_STATUSES).optional(),
          priority: z.boolean().optional(),
          ...pageFields,
        })
        .strict(),
      async handle(ctx, input) {
        const { user, grids } = await staffGrids(ctx);
        const grid = input.gridId ? grids.find((g) => g._id === input.gridId) : grids[0];
        if (!grid) throw new AppError('AUTH.NOT_GRIDWORKER');
        const _ = ctx.db.command;
        const where: Record<string, unknown> = { gridId: grid._id };
        if (input.roundId) where.roundId = input.roundId;
        if (input.kind) where.kind = input.kind;
        if (input.buildingId) where.buildingId = input.buildingId;
        if (input.priority !== undefined) where.priority = input.priority;
        const orders = ctx.db.collection('orders');
        const [page, tallies, rounds, buildings] = await Promise.all([
          pageOf<OrderDoc>(ctx, 'orders', { ...where, status: input.status ?? _.neq('placing') }, input, POOL_ORDER),
          Promise.all(POOL_STATUSES.map(async (s) => [s, (await orders.where({ ...where, status: s }).count()).total ?? 0] as const)),
          all<RoundDoc>(ctx, 'rounds', { communityId: user.communityId }),
          all<Building>(ctx, 'buildings', { gridId: grid._id }),
        ]);
        const counts: Partial<Record<OrderStatus, number>> = {};
        for (const [s, n] of tallies) if (n) counts[s] = n;
        const households = await getByIds<HouseholdDoc>(ctx, 'households', page.items.map((o) => o.householdId));
        const byHousehold = new Map(households.map((h) => [h._id, h]));
        const names = new Map(buildings.map((b) => [b._id, b.name]));
        const view: PoolView = {
          gridId: grid._id,
          grids: grids.map((g) => ({ id: g._id, name: g.name })),
          rounds: rounds.sort((a, b) => b.opensAt.localeCompare(a.opensAt)).map((r) => ({ id: r._id, name: r.name })),
          buildings: buildings.sort((a, b) => a.name.localeCompare(b.name, 'zh', { numeric: true })).map((b) => ({ id: b._id, name: b.name })),
          counts,
          ...mapPage(page, (o) => poolView(o, byHousehold.get(o.householdId), names.get(o.buildingId) ?? '')),
        };
        return view;
      },
    },

    'dispatch.review': {
      input: z
        .object({ orderIds: z.array(id).min(1).max(200), accept: z.boolean(), reason: note(100).optional() })
        .strict()
        .refine((v) => v.accept || (v.reason ?? '').length >= 2, { message: '请填写不受理的原因（居民会看到）', path: ['reason'] }),
      async handle(ctx, input) {
        const { grids } = await staffGrids(ctx);
        const mine = new Set(grids.map((g) => g._id));
        const _ = ctx.db.command;
        const found = (await getByIds<OrderDoc>(ctx, 'orders', input.orderIds)).filter((o) => o.status !== 'placing');
        if (found.length < new Set(input.orderIds).size) throw new AppError('COMMON.NOT_FOUND', '没有找到部分订单，请刷新后重试');
        const orders = found.filter((o) => mine.has(o.gridId));
        if (orders.length < found.length) throw new AppError('AUTH.NOT_GRIDWORKER', '只能处理本网格的订单');
        const now = ctx.now.toISOString();
        const by = ctx.caller.openid;
        // One 取货码 per door: a household's orders on their way share the code it already has.
        const codeOf = new Map<string, string>();
        if (input.accept && orders.length) {
          const live = await all<OrderDoc>(ctx, 'orders', { householdId: _.in([...new Set(orders.map((o) => o.householdId))]), status: _.in(['accepted', 'assigned', 'pickedUp']) });
          for (const o of live) if (o.handoverCode && !codeOf.has(o.householdId)) codeOf.set(o.householdId, o.handoverCode);
          for (const o of orders) if (!codeOf.has(o.householdId)) codeOf.set(o.householdId, makeHandoverCode(cryptoRng));
        }
        const results = await Promise.all(
          orders.map(async (o) => {
            const event: OrderEventRecord = input.accept
              ? { status: 'accepted', at: now, by }
              : { status: 'rejected', at: now, by, note: input.reason };
            const change = input.accept
              ? { handoverCode: codeOf.get(o.householdId), updatedAt: now, history: _.push([event]) }
              : { rejectReason: input.reason, updatedAt: now, history: _.push([event]) };
            const res = await transition(ctx.db, 'orders', { _id: o._id }, ORDER_TRANSITIONS, input.accept ? 'accept' : 'reject', 'gridworker', change);
            return res.updated ? o : null;
          }),
        );
        const changed = results.filter((o): o is OrderDoc => o !== null);
        if (!input.accept && changed.length) {
          // Rejected orders give back their stock and quota, and the household learns why.
          await Promise.all(changed.map((o) => releaseHolds(ctx, o)));
          const households = await getByIds<HouseholdDoc>(ctx, 'households', changed.map((o) => o.householdId));
          const byHousehold = new Map(households.map((h) => [h._id, h]));
          await enqueue(
            ctx,
            changed.flatMap((o) =>
              orderStatusMessages(byHousehold.get(o.householdId)?.memberOpenids ?? [], { id: o._id, lines: o.lines }, 'rejected', input.reason ?? ''),
            ),
          );
        }
        return { changed: changed.length, skipped: input.orderIds.length - changed.length };
      },
    },

    'dispatch.requeue': {
      input: z.object({ orderId: id }).strict(),
      async handle(ctx, input) {
        const order = await mustGet<OrderDoc>(ctx, 'orders', input.orderId, '订单');
        await requireGridStaff(ctx, order.gridId);
        // Refused before any write when the order is plainly not failed; the conditional update still decides races.
        if (!nextStatusOf(ORDER_TRANSITIONS, order.status, 'requeue', 'gridworker')) throw new AppError('ORDER.BAD_STATE', '只有配送未成功的订单可以重新安排');
        const _ = ctx.db.command;
        const now = ctx.now.toISOString();
        const event: OrderEventRecord = { status: 'accepted', at: now, by: ctx.caller.openid, note: '网格员重新安排配送' };
        const res = await transition(ctx.db, 'orders', { _id: order._id }, ORDER_TRANSITIONS, 'requeue', 'gridworker', { jobId: null, volunteerId: null, updatedAt: now, history: _.push([event]) });
        if (!res.updated) throw new AppError('ORDER.BAD_STATE', '只有配送未成功的订单可以重新安排');
        return { orderId: order._id };
      },
    },

    'dispatch.purchaseList': {
      input: z.object({ roundId: id, gridId: id.optional() }).strict(),
      handle: (ctx, input) => purchaseList(ctx, input.roundId, input.gridId),
    },

    'dispatch.packingList': {
      input: z.object({ roundId: id, gridId: id }).strict(),
      handle: (ctx, input) => packingList(ctx, input.roundId, input.gridId),
    },

    'dispatch.exportLists': {
      input: z
        .object({ roundId: id, gridId: id.optional(), list: z.enum(['purchase', 'packing']) })
        .strict()
        .refine((v) => v.list === 'purchase' || Boolean(v.gridId), { message: '分拣单请先选择网格', path: ['gridId'] }),
      async handle(ctx, input) {
        if (input.list === 'purchase') {
          const view = await purchaseList(ctx, input.roundId, input.gridId);
          return workbook(`${view.roundName}-${view.scope}-采购汇总.xlsx`, [
            {
              name: '采购汇总',
              title: `${view.roundName} ${view.scope} 采购汇总（${view.orderCount} 单）`,
              columns: [
                { header: '商品', width: 20 },
                { header: '数量', width: 10 },
                { header: '单位', width: 8 },
                { header: '订单数', width: 10 },
              ],
              rows: [
                ...view.items.map((i) => [i.name, i.qty, i.unit, i.orders]),
                ...(view.medicine ? [['代购药品（另见分拣单）', view.medicine, '单', view.medicine]] : []),
                ...(view.gas ? [['液化气换瓶', view.gas, '瓶', view.gas]] : []),
              ],
            },
          ]);
        }
        const view = await packingList(ctx, input.roundId, input.gridId as string);
        return workbook(`${view.roundName}-${view.gridName}-分拣单.xlsx`, [
          {
            name: '分拣单',
            title: `${view.roundName} ${view.gridName} 分拣单（按楼栋、房号）`,
            columns: [
              { header: '楼栋', width: 12 },
              { header: '房号', width: 10 },
              { header: '户主', width: 10 },
              { header: '电话', width: 14 },
              { header: '物资', width: 40 },
              { header: '备注', width: 20 },
            ],
            rows: view.buildings.flatMap((b) =>
              b.rooms.map((r) => [
                b.buildingName,
                r.room,
                r.headMasked,
                r.phoneMasked,
                r.lines,
                [r.priority ? '特殊需求优先' : '', r.contactless ? '无接触' : '', r.note].filter(Boolean).join('；'),
              ]),
            ),
          },
        ]);
      },
    },

    'dispatch.run': {
      input: z.object({ gridId: id, roundId: id.optional() }).strict(),
      async handle(ctx, input) {
        const { grid } = await requireGridStaff(ctx, input.gridId);
        if (input.roundId) await roundOf(ctx, input.roundId, grid.communityId);
        const run = await runDispatch(ctx, grid, { by: ctx.caller.openid, roundId: input.roundId });
        const names = await volunteerNames(ctx, run.jobs.map((j) => j.volunteerId));
        const view: DispatchRunView = {
          jobs: run.jobs.map((j) => cardView(j, null, names)),
          assignedOrders: run.assignedOrders,
          openOrders: run.openOrders,
          skipped: run.skipped,
          unassigned: run.unassigned,
        };
        return view;
      },
    },

    'dispatch.board': {
      input: z.object({ gridId: id }).strict(),
      async handle(ctx, input) {
        const { grid } = await requireGridStaff(ctx, input.gridId);
        const _ = ctx.db.command;
        const since = new Date(ctx.now.getTime() - 24 * 3600_000).toISOString();
        const [jobs, volunteers, waiting] = await Promise.all([
          all<JobDoc>(ctx, 'jobs', _.or([{ gridId: grid._id, status: _.in(['open', 'assigned', 'pickedUp']) }, { gridId: grid._id, status: 'done', updatedAt: _.gte(since) }])),
          all<VolunteerDoc>(ctx, 'volunteers', { gridIds: grid._id, status: 'approved', team: 'delivery', onDuty: true }),
          ctx.db.collection('orders').where({ gridId: grid._id, status: 'accepted' }).count(),
        ]);
        const [orders, names] = await Promise.all([
          getByIds<OrderDoc>(ctx, 'orders', jobs.flatMap((j) => j.orderIds)),
          volunteerNames(ctx, jobs.map((j) => j.volunteerId)),
        ]);
        for (const v of volunteers) names.set(v._id, volunteerName(v));
        const byOrder = new Map(orders.map((o) => [o._id, o]));
        const rank: Record<string, number> = { open: 0, assigned: 1, pickedUp: 2, done: 3, released: 4 };
        const view: BoardView = {
          gridId: grid._id,
          gridName: grid.name,
          jobs: jobs
            .sort((a, b) => (rank[a.status] ?? 9) - (rank[b.status] ?? 9) || a.createdAt.localeCompare(b.createdAt))
            .map((j) => ({
              ...cardView(j, null, names),
              stops: j.stops.map((s) => {
                const o = byOrder.get(s.orderId);
                const status = o ? shownStatus(o.status) : 'cancelled';
                return { orderId: s.orderId, room: s.room, status, statusText: ORDER_STATUS_TEXT[status], shortfall: o?.shortfall ?? [], failReason: o?.failReason ?? null };
              }),
            })),
          volunteers: volunteers
            .map((v) => ({ id: v._id, name: volunteerName(v), capacityKg: v.capacityKg, activeJobs: jobs.filter((j) => j.volunteerId === v._id && j.status !== 'done').length }))
            .sort((a, b) => a.activeJobs - b.activeJobs || a.name.localeCompare(b.name, 'zh')),
          acceptedWaiting: waiting.total ?? 0,
        };
        return view;
      },
    },

    'dispatch.reassign': {
      input: z.object({ jobId: id, volunteerId: id, fromVolunteerId: id.nullable() }).strict(),
      async handle(ctx, input) {
        const job = await mustGet<JobDoc>(ctx, 'jobs', input.jobId, '任务');
        await requireGridStaff(ctx, job.gridId);
        const v = await getDoc<VolunteerDoc>(ctx, 'volunteers', input.volunteerId);
        if (!v || v.status !== 'approved' || v.team !== 'delivery' || !v.onDuty || !v.gridIds.includes(job.gridId)) {
          throw new AppError('JOB.NOT_ON_DUTY', '只能改派给本网格在岗的配送志愿者');
        }
        const _ = ctx.db.command;
        const now = ctx.now.toISOString();
        const reason = `网格员改派给${volunteerName(v)}`;
        const event: JobEventRecord = { status: 'assigned', at: now, by: ctx.caller.openid, note: reason };
        // From open it is an assignment, from assigned a reassignment: the same conditional write either way.
        const res = await transition(ctx.db, 'jobs', { _id: job._id, volunteerId: input.fromVolunteerId }, JOB_TRANSITIONS, job.status === 'open' ? 'assign' : 'reassign', 'gridworker', {
          volunteerId: v._id,
          reason,
          assignedAt: now,
          pickupBy: new Date(ctx.now.getTime() + PICKUP_GRACE_MS).toISOString(),
          updatedAt: now,
          history: _.push([event]),
        });
        if (!res.updated) throw new AppError('JOB.BAD_STATE', '任务已被接走、取货或改派，请刷新后再试');
        const fresh = await mustGet<JobDoc>(ctx, 'jobs', job._id, '任务');
        return cardView(fresh, null, new Map([[v._id, volunteerName(v)]]));
      },
    },

    'dispatch.openJobs': {
      input: z.object({ ...pageFields }).strict(),
      async handle(ctx, input) {
        const v = await requireDeliveryVolunteer(ctx);
        const _ = ctx.db.command;
        const base = { gridId: _.in(v.gridIds), status: 'open' };
        // Special needs and medicine first, then the oldest: every open job exactly once across pages.
        const page = await pageOfSegments<JobDoc>(
          ctx,
          'jobs',
          [
            _.and([base, _.or([{ 'stops.priority': true }, { 'stops.medicine': true }])]),
            _.and([base, { 'stops.priority': _.neq(true), 'stops.medicine': _.neq(true) }]),
          ],
          input,
          [{ field: 'createdAt', dir: 'asc' }],
        );
        return mapPage(page, (j) => cardView(j, ctx.caller.openid, new Map()));
      },
    },

    'dispatch.myJobs': {
      input: z.object({ ...pageFields }).strict(),
      async handle(ctx, input) {
        const me = ctx.caller.openid;
        // On the way first, then to pick up, then done (newest first within each).
        const page = await pageOfSegments<JobDoc>(
          ctx,
          'jobs',
          (['pickedUp', 'assigned', 'done'] as const).map((status) => ({ volunteerId: me, status })),
          input,
          [{ field: 'updatedAt', dir: 'desc' }],
        );
        return mapPage(page, (j) => cardView(j, me, new Map([[me, '我']])));
      },
    },

    'dispatch.grab': {
      input: z.object({ jobId: id }).strict(),
      async handle(ctx, input) {
        const v = await requireDeliveryVolunteer(ctx);
        if (!v.onDuty) throw new AppError('JOB.NOT_ON_DUTY');
        const _ = ctx.db.command;
        const now = ctx.now.toISOString();
        const before = await getDoc<JobDoc>(ctx, 'jobs', input.jobId);
        if (!before || !v.gridIds.includes(before.gridId)) throw new AppError('COMMON.NOT_FOUND', '没有找到该任务');
        // A retry of a grab that already won answers it again.
        if (before.volunteerId === v._id && before.status === 'assigned') return detailView(ctx, before, false);
        if (before.status !== 'open') throw new AppError('JOB.TAKEN');
        // A place within what one volunteer may hold first; given back if the job is lost.
        const claim = holdClaim(before._id, randomUUID().slice(0, 8));
        await claimHold(ctx, v, claim, before.weightKg);
        const event: JobEventRecord = { status: 'assigned', at: now, by: v._id, note: '志愿者抢单' };
        const res = await transition(ctx.db, 'jobs', { _id: input.jobId, gridId: _.in(v.gridIds) }, JOB_TRANSITIONS, 'grab', 'volunteer', {
          volunteerId: v._id,
          reason: '志愿者主动抢单',
          assignedAt: now,
          pickupBy: new Date(ctx.now.getTime() + PICKUP_GRACE_MS).toISOString(),
          updatedAt: now,
          history: _.push([event]),
        });
        if (!res.updated) await dropHold(ctx, v._id, claim, before.weightKg);
        const job = await getDoc<JobDoc>(ctx, 'jobs', input.jobId);
        if (!job || !v.gridIds.includes(job.gridId)) throw new AppError('COMMON.NOT_FOUND', '没有找到该任务');
        // Lost the race (or a concurrent grab of ours won it: then answer it).
        if (!res.updated && !(job.volunteerId === v._id && job.status === 'assigned')) throw new AppError('JOB.TAKEN');
        return detailView(ctx, job, false);
      },
    },

    'dispatch.job': {
      input: z.object({ jobId: id }).strict(),
      async handle(ctx, input) {
        const { job, asStaff } = await visibleJob(ctx, input.jobId);
        return detailView(ctx, job, asStaff);
      },
    },

    'dispatch.release': {
      input: z.object({ jobId: id, reason: text(100, 2, '请写明原因') }).strict(),
      async handle(ctx, input) {
        const job = await mustGet<JobDoc>(ctx, 'jobs', input.jobId, '任务');
        const asVolunteer = job.volunteerId === ctx.caller.openid;
        if (!asVolunteer) await requireGridStaff(ctx, job.gridId);
        const done = await releaseJob(ctx, job._id, {
          by: ctx.caller.openid,
          reason: input.reason,
          ...(asVolunteer ? { volunteerId: ctx.caller.openid, statuses: ['assigned' as const] } : {}),
        });
        if (!done && job.status !== 'released') throw new AppError('JOB.BAD_STATE', '任务已取货或已退回，不能再退回');
        return { jobId: job._id };
      },
    },

    'dispatch.pickUp': {
      input: z.object({ jobId: id, counts: z.record(idString(), z.number().int().min(0).max(10_000)) }).strict(),
      async handle(ctx, input) {
        const me = ctx.caller.openid;
        const job = await getDoc<JobDoc>(ctx, 'jobs', input.jobId);
        if (!job) throw new AppError('COMMON.NOT_FOUND', '没有找到该任务');
        if (job.volunteerId !== me) throw new AppError('JOB.NOT_YOURS');
        const _ = ctx.db.command;
        const now = ctx.now.toISOString();
        const short = shortfall(totalsOf(job.stops), input.counts);
        const note = short.length ? `取货短缺：${short.map((s) => `${s.name}少${s.expected - s.counted}${s.unit}`).join('，')}` : '取货数量已核对';
        const event: JobEventRecord = { status: 'pickedUp', at: now, by: me, note };
        const res = await transition(ctx.db, 'jobs', { _id: job._id, volunteerId: me }, JOB_TRANSITIONS, 'pickUp', 'volunteer', { pickedUpAt: now, pickupShortfall: short, updatedAt: now, history: _.push([event]) });
        const fresh = res.updated ? { ...job, status: 'pickedUp' as const, pickedUpAt: now, pickupShortfall: short } : await mustGet<JobDoc>(ctx, 'jobs', job._id, '任务');
        // A retry after the job moved on only finishes the orders' half.
        if (!res.updated && !(fresh.status === 'pickedUp' && fresh.volunteerId === me)) throw new AppError('JOB.BAD_STATE', '任务已退回或已改派，请刷新');
        const orderEvent: OrderEventRecord = { status: 'pickedUp', at: now, by: me };
        const moved = await transition(ctx.db, 'orders', { jobId: job._id }, ORDER_TRANSITIONS, 'pickUp', 'volunteer', { volunteerId: me, updatedAt: now, history: _.push([orderEvent]) });
        if (res.updated && moved.updated < job.orderIds.length) {
          // Some orders were cancelled while waiting: they are not on this trip any more.
          const gone = (await getByIds<OrderDoc>(ctx, 'orders', job.orderIds)).filter((o) => o.status !== 'pickedUp').map((o) => o._id);
          if (gone.length) {
            await ctx.db.collection('jobs').where({ _id: job._id, status: 'pickedUp' }).update({ pending: _.pullAll(gone) });
            fresh.pending = fresh.pending.filter((p) => !gone.includes(p));
          }
        }
        if (res.updated) {
          await enqueue(
            ctx,
            job.stops.flatMap((s) => orderStatusMessages(s.notify, { id: s.orderId, lines: s.lines }, 'pickedUp', '请准备好取货码')),
          );
        }
        const view: PickupView = { job: cardView(fresh, me, new Map([[me, '我']])), pickedUp: fresh.pending };
        return view;
      },
    },

    'dispatch.deliver': {
      input: z
        .object({
          jobId: id,
          orderId: id,
          code: text(8, 4).optional(),
          photoFileId: idString(512).optional(),
          counts: z.record(idString(), z.number().int().min(0).max(10_000)).optional(),
        })
        .strict()
        .refine((v) => Boolean(v.code) !== Boolean(v.photoFileId), { message: '请输入居民的取货码，或无人应答时拍照留证', path: ['code'] }),
      async handle(ctx, input) {
        const me = ctx.caller.openid;
        const _ = ctx.db.command;
        const now = ctx.now.toISOString();
        // Read first: a job that is not mine, or a door whose code is locked, is refused before any write.
        const job = await getDoc<JobDoc>(ctx, 'jobs', input.jobId);
        const stop = job?.stops.find((s) => s.orderId === input.orderId);
        if (!job || !stop || job.volunteerId !== me) throw new AppError('JOB.NOT_YOURS');
        if (input.code && (job.codeTries ?? 0) >= HANDOVER_TRIES) throw new AppError('JOB.CODE_LOCKED');
        const short = stop ? shortfall(stop.lines, input.counts) : [];
        const note = [input.photoFileId ? '无人应答，拍照放门口' : '凭取货码交付', short.length ? `短缺：${short.map((s) => `${s.name}少${s.expected - s.counted}${s.unit}`).join('，')}` : '']
          .filter(Boolean)
          .join('；');
        const event: OrderEventRecord = { status: 'delivered', at: now, by: me, note };
        const where: Record<string, unknown> = { _id: input.orderId, jobId: input.jobId, volunteerId: me };
        const code = input.code?.replace(/\s+/g, '');
        const jobs = ctx.db.collection('jobs');
        let triesLeft: number | undefined;
        if (code) {
          where.handoverCode = code;
          // A try is taken before the code is compared (one conditional update): many guesses at
          // once still get no more than HANDOVER_TRIES comparisons. A right code gives it back.
          triesLeft = await takeCodeTry(ctx, input.jobId, me);
        }
        const res = await transition(ctx.db, 'orders', where, ORDER_TRANSITIONS, 'deliver', 'volunteer', { shortfall: short, proofFileId: input.photoFileId ?? null, updatedAt: now, history: _.push([event]) });
        if (!res.updated) {
          const order = await getDoc<OrderDoc>(ctx, 'orders', input.orderId);
          if (code && order?.handoverCode === code) await jobs.where({ _id: input.jobId, codeTries: _.gt(0) }).update({ codeTries: _.inc(-1) });
          // A retry of a delivery that went through answers the same.
          if (!(order?.status === 'delivered' && order.volunteerId === me && order.jobId === input.jobId)) await explainStop(ctx, input.jobId, input.orderId, input.code, triesLeft);
        } else if (code) {
          await jobs.where({ _id: input.jobId, codeTries: _.gt(0) }).update({ codeTries: _.inc(-1) });
        }
        const jobStatus = await settleStop(ctx, input.jobId, input.orderId, me);
        if (res.updated && stop && input.photoFileId) {
          await enqueue(ctx, orderStatusMessages(stop.notify, { id: stop.orderId, lines: stop.lines }, 'delivered', '无人应答，已放门口并拍照'));
        }
        const result: StopResultView = { orderId: input.orderId, status: 'delivered', shortfall: short, jobStatus };
        return result;
      },
    },

    'dispatch.fail': {
      input: z.object({ jobId: id, orderId: id, reason: text(100, 2, '请写明未送达的原因') }).strict(),
      async handle(ctx, input) {
        const me = ctx.caller.openid;
        const _ = ctx.db.command;
        const now = ctx.now.toISOString();
        const job = await getDoc<JobDoc>(ctx, 'jobs', input.jobId);
        const stop = job?.stops.find((s) => s.orderId === input.orderId);
        if (!job || !stop || job.volunteerId !== me) throw new AppError('JOB.NOT_YOURS');
        const event: OrderEventRecord = { status: 'failed', at: now, by: me, note: input.reason };
        const res = await transition(ctx.db, 'orders', { _id: input.orderId, jobId: input.jobId, volunteerId: me }, ORDER_TRANSITIONS, 'fail', 'volunteer', { failReason: input.reason, updatedAt: now, history: _.push([event]) });
        if (!res.updated) {
          const order = await getDoc<OrderDoc>(ctx, 'orders', input.orderId);
          if (!(order?.status === 'failed' && order.jobId === input.jobId)) await explainStop(ctx, input.jobId, input.orderId);
        }
        const jobStatus = await settleStop(ctx, input.jobId, input.orderId, me);
        if (res.updated) {
          await enqueue(ctx, orderStatusMessages(stop.notify, { id: stop.orderId, lines: stop.lines }, 'failed', input.reason));
        }
        const result: StopResultView = { orderId: input.orderId, status: 'failed', shortfall: [], jobStatus };
        return result;
      },
    },
  },
  {
    timers: {
      /**
       * Returns to the pool the jobs not picked up in time and those whose volunteer went off
       * duty, frees orders a crash left claimed by a job never written, then dispatches the
       * returned orders again (to other volunteers).
       */
      async sweepJobs(ctx) {
        const _ = ctx.db.command;
        const now = ctx.now.toISOString();
        const assigned = await all<JobDoc>(ctx, 'jobs', { status: 'assigned' });
        const volunteers = await getByIds<VolunteerDoc>(ctx, 'volunteers', assigned.map((j) => j.volunteerId ?? ''));
        const available = new Set(volunteers.filter((v) => v.onDuty && v.status === 'approved' && v.team === 'delivery').map((v) => v._id));
        const releasedByGrid = new Map<string, { orderIds: string[]; volunteers: Set<string> }>();
        let released = 0;
        for (const job of assigned) {
          const late = job.pickupBy !== null && job.pickupBy < now;
          const gone = !job.volunteerId || !available.has(job.volunteerId);
          if (!late && !gone) continue;
          const reason = gone ? '志愿者已下岗，任务退回重新派单' : '超时未取货，任务退回重新派单';
          if (!(await releaseJob(ctx, job._id, { by: 'system', reason, volunteerId: job.volunteerId, statuses: ['assigned'] }))) continue;
          released += 1;
          const entry = releasedByGrid.get(job.gridId) ?? { orderIds: [], volunteers: new Set<string>() };
          entry.orderIds.push(...job.orderIds);
          if (job.volunteerId) entry.volunteers.add(job.volunteerId);
          releasedByGrid.set(job.gridId, entry);
        }

        // Orders claimed by a job that was never written, or left behind by a release cut short.
        const cutoff = new Date(ctx.now.getTime() - ORPHAN_MS).toISOString();
        const stuck = await all<OrderDoc>(ctx, 'orders', { status: 'assigned', updatedAt: _.lt(cutoff) });
        const jobIds = [...new Set(stuck.map((o) => o.jobId ?? ''))].filter(Boolean);
        const found = new Map((await getByIds<JobDoc>(ctx, 'jobs', jobIds)).map((j) => [j._id, j]));
        // A pickup cut off after the job's write: its orders are in the volunteer's hands.
        for (const job of [...found.values()].filter((j) => j.status === 'pickedUp')) {
          const event: OrderEventRecord = { status: 'pickedUp', at: now, by: 'system', note: '补记取货' };
          await transition(ctx.db, 'orders', { jobId: job._id }, ORDER_TRANSITIONS, 'pickUp', 'system', { volunteerId: job.volunteerId, updatedAt: now, history: _.push([event]) });
        }
        const orphans = jobIds.filter((j) => !['open', 'assigned', 'pickedUp'].includes(found.get(j)?.status ?? 'missing'));
        const freed = await returnOrdersOf(ctx, orphans, 'system', '派单未完成，退回待派');

        let redispatched = 0;
        for (const [gridId, entry] of releasedByGrid) {
          const grid = await getDoc<Grid>(ctx, 'grids', gridId);
          if (!grid) continue;
          const run = await runDispatch(ctx, grid, { by: 'system', orderIds: entry.orderIds, excludeVolunteers: entry.volunteers });
          redispatched += run.assignedOrders + run.openOrders;
        }
        return { released, freed, redispatched };
      },
    },
  },
);
