/** Automatic dispatch: accepted orders to on-duty delivery volunteers through the pure planner; the grid's board. */
import { randomUUID } from 'node:crypto';
import { transition } from '../../lib/transition';
import { ACTIVE_JOB_S, deliveryDeadlineS, PICKUP_GRACE_MS } from '../../../core/policy';
import { planDispatch, type DispatchOrder, type DispatchPlan } from '../../../core/dispatch';
import {
  carryText,
  gasReadyToReturn,
  gasStage,
  groupOpenTrips,
  jobTitle,
  orderWeightKg,
  stopLabel,
} from '../../../core/jobs';
import { ORDER_STATUS_TEXT, shownStatus } from '../../../core/order/labels';
import { ORDER_TRANSITIONS } from '../../../core/order/state-machine';
import type { BoardView, DispatchRunView } from '../../../typings/api';
import type {
  Grid,
  JobDoc,
  OrderDoc,
  JobEventRecord,
  JobStatus,
  JobStop,
  OrderEventRecord,
  ShortLine,
} from '../../../typings/entities';
import { getByIds, requireGridStaff } from '../../lib/access';
import { type CallContext, defineActions } from '../../lib/define-function';
import { all } from '../../lib/query';
import { z } from '../../lib/validate';
import { maskPhone } from '../../../core/mask';
import { naturalCompare } from '../../../core/natural-sort';
import { id, staffVolunteerName, volunteerNames, roundOf } from './shared';
import { cardView } from './views';

/**
 * Collection rounds (leg 1 of a gas swap) are planned beside deliveries by the same planner, under
 * a building id of their own, so a trip never mixes empties coming down with goods going up.
 */
const COLLECT = '#collect';
const LIVE_JOB: JobStatus[] = ['open', 'assigned', 'pickedUp'];

/** The job's orders claimed: deliveries move `accepted` → `assigned`; a collection round marks `gas.collectJobId`. */
async function claimOrders(
  ctx: CallContext,
  ids: string[],
  gridId: string,
  jobId: string,
  collect: { staleJobIds: string[] } | null,
  by: string,
): Promise<number> {
  const _ = ctx.db.command;
  const now = ctx.now.toISOString();
  if (collect) {
    // Not a status move: the order stays accepted while its empty is collected; one conditional update.
    const event: OrderEventRecord = { status: 'accepted', at: now, by, note: '已安排志愿者上门取空瓶' };
    const res = await ctx.db
      .collection('orders')
      .where(
        _.and([
          { _id: _.in(ids), gridId, kind: 'gas', status: 'accepted', 'gas.collectEmpty': 'pending' },
          _.or([{ 'gas.collectJobId': _.exists(false) }, { 'gas.collectJobId': _.in([null, ...collect.staleJobIds]) }]),
        ]),
      )
      .update({ 'gas.collectJobId': jobId, updatedAt: now, history: _.push([event]) });
    return Number(res.updated ?? 0);
  }
  const event: OrderEventRecord = { status: 'assigned', at: now, by };
  const res = await transition(ctx.db, 'orders', { _id: _.in(ids), gridId }, ORDER_TRANSITIONS, 'assign', 'system', {
    jobId,
    updatedAt: now,
    history: _.push([event]),
  });
  return res.updated;
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
 * id) and answers the job with the orders it really got, to be written with the run's other jobs
 * in one request. Two runs racing over the same orders split them; an order is never in two jobs
 * (a crash before the jobs are written leaves claimed orders the dispatch sweeper frees).
 */
async function claimJob(
  ctx: CallContext,
  base: Omit<JobDoc, '_id' | 'orderIds' | 'pending' | 'weightKg' | 'title' | 'buildingIds' | 'buildingNames' | 'codes'>,
  buildingNames: ReadonlyMap<string, string>,
  codeOf: ReadonlyMap<string, string>,
  by: string,
  staleCollectJobs: string[] = [],
): Promise<JobDoc | null> {
  const _ = ctx.db.command;
  const jobId = randomUUID().replace(/-/g, '');
  const ids = base.stops.map((s) => s.orderId);
  const collect = base.leg === 'collectEmpty';
  const claimed = await claimOrders(
    ctx,
    ids,
    base.gridId,
    jobId,
    collect ? { staleJobIds: staleCollectJobs } : null,
    by,
  );
  if (claimed === 0) return null;
  let stops = base.stops;
  if (claimed < ids.length) {
    const mine = new Set(
      (
        await all(ctx, 'orders', collect ? { _id: _.in(ids), 'gas.collectJobId': jobId } : { _id: _.in(ids), jobId })
      ).map((o) => o._id),
    );
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
    buildingNames: buildingIds.map((b) => buildingNames.get(b) ?? '（未命名楼栋）'),
    title: `${collect ? '收空瓶 · ' : ''}${jobTitle(
      buildingIds.map((b) => buildingNames.get(b) ?? '（未命名楼栋）'),
      stops,
    )}`,
    weightKg: Math.round(stops.reduce((kg, s) => kg + s.weightKg, 0) * 10) / 10,
    // The doors' 取货码, so the handover is checked on the job alone (issue 16); none to collect an empty.
    codes: Object.fromEntries(
      collect
        ? []
        : stops.flatMap((s) => {
            const code = codeOf.get(s.orderId);
            return code ? [[s.orderId, code] as const] : [];
          }),
    ),
  };
  return job;
}

/**
 * One dispatch of a grid: accepted orders (optionally only some) to its on-duty delivery
 * volunteers through the pure planner; orders nobody can take become open jobs to grab.
 */
export async function runDispatch(
  ctx: CallContext,
  grid: Grid,
  opts: { by: string; roundId?: string; orderIds?: readonly string[]; excludeVolunteers?: ReadonlySet<string> },
): Promise<RunResult> {
  const _ = ctx.db.command;
  const where: Record<string, unknown> = { gridId: grid._id, status: 'accepted' };
  if (opts.roundId) where.roundId = opts.roundId;
  if (opts.orderIds) where._id = _.in([...opts.orderIds]);
  const [accepted, volunteerDocs, buildings, active] = await Promise.all([
    all(ctx, 'orders', where),
    all(ctx, 'volunteers', { gridIds: grid._id, status: 'approved', team: 'delivery', onDuty: true }),
    all(ctx, 'buildings', { gridId: grid._id }),
    all(ctx, 'jobs', { gridId: grid._id, status: _.in(['assigned', 'pickedUp']) }),
  ]);
  const result: RunResult = { jobs: [], skipped: 0, unassigned: [], assignedOrders: 0, openOrders: 0 };
  // A gas order waits for its empty to be collected (leg 1), then for the full one to be back from
  // the station; only then is it delivered (leg 2). Collection rounds whose job is gone (released)
  // give their orders back.
  const collectIds = [
    ...new Set(
      accepted.flatMap((o) => (o.gas?.collectEmpty === 'pending' && o.gas.collectJobId ? [o.gas.collectJobId] : [])),
    ),
  ];
  const collectJobs = new Map((await getByIds(ctx, 'jobs', collectIds)).map((j) => [j._id, j.status]));
  const liveCollect = (o: OrderDoc) => LIVE_JOB.includes(collectJobs.get(o.gas?.collectJobId ?? '') ?? 'released');
  const toCollect = (o: OrderDoc) => o.kind === 'gas' && o.gas?.collectEmpty === 'pending';
  const orders = accepted.filter((o) => (toCollect(o) ? !liveCollect(o) : gasReadyToReturn(o.gas)));
  const staleCollect = collectIds.filter((j) => !LIVE_JOB.includes(collectJobs.get(j) ?? 'released'));
  if (orders.length === 0) return result;
  const households = await getByIds(
    ctx,
    'households',
    orders.map((o) => o.householdId),
  );
  const byHousehold = new Map(households.map((h) => [h._id, h]));
  const buildingNames = new Map(buildings.map((b) => [b._id, b.name]));
  const volunteers = volunteerDocs.filter((v) => !opts.excludeVolunteers?.has(v._id));
  const busy = new Map<string, number>();
  for (const j of active) if (j.volunteerId) busy.set(j.volunteerId, (busy.get(j.volunteerId) ?? 0) + ACTIVE_JOB_S);

  const nowMs = ctx.now.getTime();
  const stopOf = new Map<string, JobStop>();
  const input: DispatchOrder[] = [];
  const collecting = new Set<string>();
  for (const o of orders) {
    const h = byHousehold.get(o.householdId);
    const collect = toCollect(o);
    if (collect) collecting.add(o.buildingId);
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
      ...(o.kind === 'gas' && o.gas ? { gasLeg: collect ? ('collectEmpty' as const) : ('returnFull' as const) } : {}),
    };
    stopOf.set(o._id, stop);
    input.push({
      id: o._id,
      buildingId: collect ? `${o.buildingId}${COLLECT}` : o.buildingId,
      floor: stop.floor,
      weightKg: stop.weightKg,
      priority: o.priority,
      medicine: stop.medicine,
      deadlineS: deliveryDeadlineS(o),
      placedAtS: Math.min(0, Math.round((Date.parse(o.createdAt) - nowMs) / 1000)),
      ...(stop.gasLeg ? { label: stopLabel(stop) } : {}),
    });
  }
  const planned = buildings.map((b) => ({ id: b._id, distanceM: b.distanceM, floors: b.floors, hasLift: b.hasLift }));
  const plan: DispatchPlan = planDispatch({
    orders: input,
    buildings: [
      ...planned,
      ...planned.filter((b) => collecting.has(b.id)).map((b) => ({ ...b, id: `${b.id}${COLLECT}` })),
    ],
    volunteers: volunteers.map((v) => ({
      id: v._id,
      capacityKg: v.capacityKg,
      buildingIds: v.buildingIds.flatMap((b) => [b, `${b}${COLLECT}`]),
      busyUntilS: busy.get(v._id) ?? 0,
    })),
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
    history: [
      { status: volunteerId ? ('assigned' as const) : ('open' as const), at: now, by: opts.by, note: reason },
    ] as JobEventRecord[],
    createdAt: now,
    updatedAt: now,
    ...(stops.some((s) => s.gasLeg === 'collectEmpty') ? { leg: 'collectEmpty' as const } : {}),
  });
  const codeOf = new Map(orders.flatMap((o) => (o.handoverCode ? [[o._id, o.handoverCode] as const] : [])));
  const pending: Array<Promise<JobDoc | null>> = [];
  for (const trip of plan.trips) {
    const stops = trip.orderIds.map((oid) => stopOf.get(oid)).filter((s): s is JobStop => Boolean(s));
    const reason = stops.some((s) => s.gasLeg === 'collectEmpty') ? `上门取空瓶；${trip.reason}` : trip.reason;
    pending.push(
      claimJob(ctx, base(stops, trip.volunteerId, reason, trip.startS), buildingNames, codeOf, opts.by, staleCollect),
    );
  }
  // What the planner could not place becomes open jobs (collection rounds apart), each door with
  // its reason in plain words for the gridworker, who may assign it by hand.
  const left = plan.unassigned.flatMap((u) => {
    const stop = stopOf.get(u.orderId);
    return stop ? [{ ...stop, unplaced: u.reason }] : [];
  });
  for (const group of [
    left.filter((s) => s.gasLeg === 'collectEmpty'),
    left.filter((s) => s.gasLeg !== 'collectEmpty'),
  ]) {
    for (const stops of groupOpenTrips(group)) {
      const reasons = [...new Set(stops.map((s) => s.unplaced))];
      const reason =
        reasons.length === 1 && reasons[0]
          ? reasons[0]
          : `${stops.length}户未能自动派出（原因见各户），等待志愿者抢单或网格员指派`;
      pending.push(claimJob(ctx, base(stops, null, reason, 0), buildingNames, codeOf, opts.by, staleCollect));
    }
  }
  const jobs = (await Promise.all(pending)).filter((j): j is JobDoc => j !== null);
  // Every job of the run in one request.
  if (jobs.length) await ctx.db.collection('jobs').add(jobs);
  const placed = jobs.reduce((n, j) => n + j.orderIds.length, 0);
  result.jobs = jobs;
  result.assignedOrders = jobs.filter((j) => j.status === 'assigned').reduce((n, j) => n + j.orderIds.length, 0);
  result.openOrders = placed - result.assignedOrders;
  result.skipped = orders.length - placed;
  const roomOf = new Map(orders.map((o) => [o._id, o.room]));
  result.unassigned = plan.unassigned.map((u) => ({
    orderId: u.orderId,
    room: roomOf.get(u.orderId) ?? '',
    reason: u.reason,
  }));
  return result;
}

export const planActions = defineActions('dispatch', {
  'dispatch.run': {
    input: z.object({ gridId: id, roundId: id.optional() }).strict(),
    async handle(ctx, input) {
      const { grid } = await requireGridStaff(ctx, input.gridId);
      if (input.roundId) await roundOf(ctx, input.roundId, grid.communityId);
      const run = await runDispatch(ctx, grid, { by: ctx.caller.openid, roundId: input.roundId });
      const names = await volunteerNames(
        ctx,
        run.jobs.map((j) => j.volunteerId),
        true,
      );
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
      const [jobs, volunteers, waiting, gasOrders] = await Promise.all([
        all(
          ctx,
          'jobs',
          _.or([
            { gridId: grid._id, status: _.in(['open', 'assigned', 'pickedUp']) },
            { gridId: grid._id, status: 'done', updatedAt: _.gte(since) },
          ]),
        ),
        all(ctx, 'volunteers', { gridIds: grid._id, status: 'approved', team: 'delivery', onDuty: true }),
        ctx.db.collection('orders').where({ gridId: grid._id, status: 'accepted' }).count(),
        all(ctx, 'orders', { gridId: grid._id, kind: 'gas', status: 'accepted' }),
      ]);
      const live = new Set(jobs.filter((j) => j.status !== 'done').map((j) => j._id));
      const gas = { toCollect: 0, collecting: 0, atStation: 0, toReturn: 0 };
      for (const o of gasOrders) {
        if (!o.gas) continue;
        const stage = gasStage(o.gas, live.has(o.gas.collectJobId ?? ''));
        if (stage !== 'returned') gas[stage] += 1;
      }
      const [orders, names] = await Promise.all([
        getByIds(
          ctx,
          'orders',
          jobs.flatMap((j) => j.orderIds),
        ),
        volunteerNames(
          ctx,
          jobs.map((j) => j.volunteerId),
          true,
        ),
      ]);
      // Staff see whom they assign work to: names in full, phones masked.
      for (const v of volunteers) names.set(v._id, staffVolunteerName(v));
      const byOrder = new Map(orders.map((o) => [o._id, o]));
      const rank: Record<JobStatus, number> = { open: 0, assigned: 1, pickedUp: 2, done: 3, released: 4 };
      const view: BoardView = {
        gridId: grid._id,
        gridName: grid.name,
        jobs: jobs
          .sort((a, b) => rank[a.status] - rank[b.status] || a.createdAt.localeCompare(b.createdAt))
          .map((j) => ({
            ...cardView(j, null, names),
            stops: j.stops.map((s) => {
              const o = byOrder.get(s.orderId);
              const status = o ? shownStatus(o.status) : 'cancelled';
              return {
                orderId: s.orderId,
                room: s.room,
                status,
                statusText: ORDER_STATUS_TEXT[status],
                shortfall: o?.shortfall ?? [],
                failReason: o?.failReason ?? null,
                unplaced: j.status === 'open' ? (s.unplaced ?? null) : null,
                gasLeg: s.gasLeg ?? null,
              };
            }),
          })),
        volunteers: volunteers
          .map((v) => {
            const held = jobs.filter((j) => j.volunteerId === v._id && j.status !== 'done');
            return {
              id: v._id,
              name: staffVolunteerName(v),
              phoneMasked: v.phone ? maskPhone(v.phone) : '',
              capacityKg: v.capacityKg,
              activeJobs: held.length,
              carryingKg: Math.round(held.reduce((kg, j) => kg + j.weightKg, 0) * 10) / 10,
              doors: held.reduce((n, j) => n + (j.status === 'pickedUp' ? j.pending.length : j.stops.length), 0),
              carryText: carryText(v.carry, v.capacityKg),
            };
          })
          .sort((a, b) => a.activeJobs - b.activeJobs || naturalCompare(a.name, b.name)),
        acceptedWaiting: waiting.total ?? 0,
        gas,
      };
      return view;
    },
  },

  'dispatch.gasRefilled': {
    input: z.object({ gridId: id }).strict(),
    async handle(ctx, input) {
      const { grid } = await requireGridStaff(ctx, input.gridId);
      const _ = ctx.db.command;
      const now = ctx.now.toISOString();
      const event: OrderEventRecord = {
        status: 'accepted',
        at: now,
        by: ctx.caller.openid,
        note: '满瓶已运回，待送满瓶',
      };
      // Every empty collected and not yet back, at once (the truck brings them back together); a retry changes nothing.
      const res = await ctx.db
        .collection('orders')
        .where(
          _.and([
            { gridId: grid._id, kind: 'gas', status: 'accepted', 'gas.collectEmpty': 'done' },
            _.or([{ 'gas.fullReadyAt': _.exists(false) }, { 'gas.fullReadyAt': null }]),
          ]),
        )
        .update({ 'gas.fullReadyAt': now, updatedAt: now, history: _.push([event]) });
      return { changed: Number(res.updated ?? 0) };
    },
  },
});
