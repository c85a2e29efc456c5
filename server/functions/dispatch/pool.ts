/** The order pool of a grid: listing, accepting or refusing orders, requeueing failed ones. */
import { ORDER_KINDS, ORDER_STATUSES } from '../../../typings/values';
import { randomInt } from 'node:crypto';
import { next as nextStatusOf } from '../../../core/state/machine';
import { transition } from '../../lib/transition';
import { AppError } from '../../../core/errors';
import { gasSwapView, makeHandoverCode, orderWeightKg } from '../../../core/jobs';
import { maskName, maskPhone } from '../../../core/mask';
import { ORDER_STATUS_TEXT, shownStatus } from '../../../core/order/labels';
import { ORDER_TRANSITIONS } from '../../../core/order/state-machine';
import { acceptable, payBadge } from '../../../core/payment/view';
import { refundOnEnd } from '../../lib/refunds';
import type { Page, PoolOrderView, PoolView } from '../../../typings/api';
import type { HouseholdDoc, OrderDoc, OrderEventRecord, OrderStatus } from '../../../typings/entities';
import { getByIds, mustGet, requireGridStaff } from '../../lib/access';
import { logAccess } from '../../lib/access-log';
import { enqueue, orderStatusMessages } from '../../lib/outbox';
import {
  aggregateAll,
  aggregateOps,
  all,
  LIST_DEFAULT,
  LIST_MAX,
  mapPage,
  pageFields,
  pageOf,
  type SortKey,
} from '../../lib/query';
import { note, z } from '../../lib/validate';
import { finishRelease, releasePatch } from '../../lib/holds';
import { defineActions, type UserContext } from '../../lib/define-function';
import { naturalCompare } from '../../../core/natural-sort';
import { gridWithWork, gridWork, workCount } from '../../lib/staff-grids';
import { id, staffGrids } from './shared';

/** Statuses the pool shows: all of them (a placement still being written, `placing`, is not one: nobody's business yet). */
const POOL_STATUSES = ORDER_STATUSES;

/** The pool's order: special needs first, then first come first served. */
const POOL_ORDER: SortKey[] = [
  { field: 'priority', dir: 'desc' },
  { field: 'createdAt', dir: 'asc' },
];

/**
 * Tabs of live work, read in walking order (issue 18): special needs and urgent medicine (急需)
 * first, then by building and
 * room in natural order (`1-201` < `1-302` < `1-1301`). Their orders are few (a grid's current
 * work); the finished tabs (已送达, 未受理) grow with every round and keep the keyset order above.
 */
const ROOM_ORDER_TABS: readonly OrderStatus[] = ['submitted', 'accepted', 'assigned', 'pickedUp', 'failed'];

/** An order's place in a room-ordered tab: special needs or urgent (1 first), building name, room, id. */
type RoomKey = [priority: number, building: string, room: string, id: string];

function compareRoomKeys(a: RoomKey, b: RoomKey): number {
  return (
    b[0] - a[0] || naturalCompare(a[1], b[1]) || naturalCompare(a[2], b[2]) || (a[3] < b[3] ? -1 : a[3] > b[3] ? 1 : 0)
  );
}

function badPoolCursor(): never {
  throw new AppError('COMMON.INVALID_INPUT', '翻页位置无效，请刷新列表后重试', [
    { path: 'cursor', message: '翻页位置无效' },
  ]);
}

function decodeRoomKey(cursor: string): RoomKey {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    badPoolCursor();
  }
  if (
    !Array.isArray(value) ||
    value.length !== 4 ||
    (value[0] !== 0 && value[0] !== 1) ||
    !value.slice(1).every((v) => typeof v === 'string')
  )
    badPoolCursor();
  return value as RoomKey;
}

/**
 * One page of a live tab in room order. Only the keys (priority, building, room) of the tab's
 * orders are read and sorted here; the cursor is the last order's key, so an order added or
 * removed between pages never makes a page skip or repeat one that stays.
 */
async function roomOrderPage(
  ctx: UserContext,
  where: Record<string, unknown>,
  /** The grid's building names (read alongside the keys). */
  names: Promise<ReadonlyMap<string, string>>,
  request: { cursor?: string; limit?: number },
): Promise<Page<OrderDoc>> {
  const limit = Math.min(LIST_MAX, Math.max(1, request.limit ?? LIST_DEFAULT));
  const after = request.cursor ? decodeRoomKey(request.cursor) : null;
  const [rows, buildingNames] = await Promise.all([
    all(ctx, 'orders', where, { priority: true, medicine: true, buildingId: true, room: true }),
    names,
  ]);
  const keys = rows
    .map((o): RoomKey => [
      o.priority || o.medicine?.urgency === 'urgent' ? 1 : 0,
      buildingNames.get(o.buildingId) ?? '',
      o.room,
      o._id,
    ])
    .sort(compareRoomKeys);
  const rest = after ? keys.filter((k) => compareRoomKeys(k, after) > 0) : keys;
  const chosen = rest.slice(0, limit);
  const docs = new Map(
    (
      await getByIds(
        ctx,
        'orders',
        chosen.map((k) => k[3]),
      )
    ).map((o) => [o._id, o]),
  );
  const items = chosen.map((k) => docs.get(k[3])).filter((o): o is OrderDoc => o !== undefined);
  const last = chosen.at(-1);
  return {
    items,
    nextCursor: rest.length > limit && last ? Buffer.from(JSON.stringify(last)).toString('base64url') : null,
    total: keys.length,
  };
}

const cryptoRng = () => randomInt(0, 1_000_000) / 1_000_000;

function poolView(
  o: OrderDoc,
  household: HouseholdDoc | undefined,
  buildingName: string,
  liveJobs: ReadonlySet<string> = new Set(),
): PoolOrderView {
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
    medicine: o.medicine ? o.medicine.description : null,
    urgent: o.medicine?.urgency === 'urgent',
    priority: o.priority,
    contactless: o.contactless,
    note: o.note,
    weightKg: orderWeightKg(o),
    rejectReason: o.rejectReason,
    jobId: o.jobId ?? null,
    shortfall: o.shortfall ?? [],
    failReason: o.failReason ?? null,
    createdAt: o.createdAt,
    gas: o.gas ? gasSwapView(o.gas, liveJobs.has(o.gas.collectJobId ?? '')) : null,
    pay: payBadge(o, true),
  };
}

/** Orders accepted without a 取货码 (placed by an older version): one code per door, sharing a live one. */
async function codeless(ctx: UserContext, accepted: readonly OrderDoc[]): Promise<void> {
  const missing = accepted.filter((o) => !o.handoverCode);
  if (missing.length === 0) return;
  const _ = ctx.db.command;
  const live = await all(ctx, 'orders', {
    householdId: _.in([...new Set(missing.map((o) => o.householdId))]),
    status: _.in(['accepted', 'assigned', 'pickedUp']),
    handoverCode: _.exists(true),
  });
  const codeOf = new Map<string, string>();
  for (const o of live) if (o.handoverCode && !codeOf.has(o.householdId)) codeOf.set(o.householdId, o.handoverCode);
  for (const o of missing) {
    if (!codeOf.has(o.householdId)) codeOf.set(o.householdId, makeHandoverCode(cryptoRng));
    await ctx.db
      .collection('orders')
      .where({ _id: o._id, status: 'accepted', handoverCode: null })
      .update({ handoverCode: codeOf.get(o.householdId) });
  }
}

export const poolActions = defineActions('dispatch', {
  'dispatch.pool': {
    input: z
      .object({
        gridId: id.optional(),
        roundId: id.optional(),
        kind: z.enum(ORDER_KINDS).optional(),
        buildingId: id.optional(),
        status: z.enum(POOL_STATUSES).optional(),
        priority: z.boolean().optional(),
        ...pageFields,
      })
      .strict(),
    async handle(ctx, input) {
      const { user, grids } = await staffGrids(ctx);
      const work = await gridWork(ctx, grids);
      // Without a grid named, the pool opens on the first grid (in natural order) that has orders waiting.
      const grid = input.gridId ? grids.find((g) => g._id === input.gridId) : gridWithWork(grids, work);
      if (!grid) throw new AppError('AUTH.NOT_GRIDWORKER');
      const _ = ctx.db.command;
      const where: Record<string, unknown> = { gridId: grid._id };
      if (input.roundId) where.roundId = input.roundId;
      if (input.kind) where.kind = input.kind;
      if (input.buildingId) where.buildingId = input.buildingId;
      if (input.priority !== undefined) where.priority = input.priority;
      const $ = aggregateOps(ctx);
      const buildingsRead = all(ctx, 'buildings', { gridId: grid._id });
      const namesRead = buildingsRead.then((bs) => new Map(bs.map((b) => [b._id, b.name])));
      const listed = { ...where, status: input.status ?? _.neq('placing') };
      const [page, tallies, rounds, buildings, names] = await Promise.all([
        input.status && ROOM_ORDER_TABS.includes(input.status)
          ? roomOrderPage(ctx, listed, namesRead, input)
          : pageOf(ctx, 'orders', listed, input, POOL_ORDER),
        // Every status counted in one request (issue 16), not one count per status.
        aggregateAll<{ _id: OrderStatus | 'placing'; n: number }>(ctx, 'orders', [
          { match: where },
          { group: { _id: '$status', n: $.sum(1) } },
        ]),
        all(ctx, 'rounds', { communityId: user.communityId }),
        buildingsRead,
        namesRead,
      ]);
      const counts: Partial<Record<OrderStatus, number>> = {};
      for (const { _id: s, n } of tallies)
        if (n && (POOL_STATUSES as readonly string[]).includes(s)) counts[s as OrderStatus] = n;
      // The page's households, and the collection rounds its gas orders' empties are on (取空瓶中).
      const [households, collectJobs] = await Promise.all([
        getByIds(
          ctx,
          'households',
          page.items.map((o) => o.householdId),
        ),
        getByIds(
          ctx,
          'jobs',
          page.items.flatMap((o) => (o.gas?.collectJobId ? [o.gas.collectJobId] : [])),
        ),
      ]);
      const byHousehold = new Map(households.map((h) => [h._id, h]));
      const liveJobs = new Set(
        collectJobs.filter((j) => ['open', 'assigned', 'pickedUp'].includes(j.status)).map((j) => j._id),
      );
      const view: PoolView = {
        gridId: grid._id,
        grids: grids.map((g) => ({ id: g._id, name: g.name, waiting: workCount(work.get(g._id)) })),
        rounds: rounds.sort((a, b) => b.opensAt.localeCompare(a.opensAt)).map((r) => ({ id: r._id, name: r.name })),
        buildings: buildings.sort((a, b) => naturalCompare(a.name, b.name)).map((b) => ({ id: b._id, name: b.name })),
        counts,
        ...mapPage(page, (o) => poolView(o, byHousehold.get(o.householdId), names.get(o.buildingId) ?? '', liveJobs)),
      };
      await logAccess(ctx, {
        view: 'dispatch.pool',
        communityId: grid.communityId,
        subject: grid.name,
        rows: page.items.length,
      });
      return view;
    },
  },

  'dispatch.review': {
    input: z
      .object({ orderIds: z.array(id).min(1).max(200), accept: z.boolean(), reason: note(100).optional() })
      .strict()
      .refine((v) => v.accept || (v.reason ?? '').length >= 2, {
        message: '请填写不受理的原因（居民会看到）',
        path: ['reason'],
      }),
    async handle(ctx, input) {
      const { grids } = await staffGrids(ctx);
      const mine = new Set(grids.map((g) => g._id));
      const _ = ctx.db.command;
      const found = (await getByIds(ctx, 'orders', input.orderIds)).filter((o) => o.status !== 'placing');
      if (found.length < new Set(input.orderIds).size)
        throw new AppError('COMMON.NOT_FOUND', '没有找到部分订单，请刷新后重试');
      const orders = found.filter((o) => mine.has(o.gridId));
      if (orders.length < found.length) throw new AppError('AUTH.NOT_GRIDWORKER', '只能处理本网格的订单');
      const now = ctx.now.toISOString();
      const by = ctx.caller.openid;
      if (input.accept) {
        // WeChat Pay orders are accepted once paid (issue 19); cash and transfer ones as before.
        const unpaid = orders.filter((o) => !acceptable(o) && o.status === 'submitted');
        if (unpaid.length)
          throw new AppError(
            'PAY.NOT_PAID',
            `${unpaid.map((o) => o.room).join('、')} 的订单还没有完成微信支付，支付后才能接单`,
          );
        // One conditional update for the whole batch: each order already carries its door's
        // 取货码 from placement (orders of older versions get one here).
        const event: OrderEventRecord = { status: 'accepted', at: now, by };
        const res = orders.length
          ? await transition(
              ctx.db,
              'orders',
              {
                _id: _.in(orders.map((o) => o._id)),
                gridId: _.in([...mine]),
                // A WeChat Pay order only once paid (decided in the same write as the acceptance).
                'pay.state': _.or(_.exists(false), _.in(['paid', 'partlyRefunded'])),
              },
              ORDER_TRANSITIONS,
              'accept',
              'gridworker',
              { updatedAt: now, history: _.push([event]) },
            )
          : { updated: 0 };
        await codeless(ctx, orders);
        return { changed: res.updated, skipped: input.orderIds.length - res.updated };
      }
      const results = await Promise.all(
        orders.map(async (o) => {
          const event: OrderEventRecord = { status: 'rejected', at: now, by, note: input.reason };
          const release = releasePatch(o, now);
          const change = { rejectReason: input.reason, updatedAt: now, history: _.push([event]), ...release };
          const res = await transition(
            ctx.db,
            'orders',
            { _id: o._id },
            ORDER_TRANSITIONS,
            'reject',
            'gridworker',
            change,
          );
          return res.updated ? { ...o, ...release } : null;
        }),
      );
      const changed = results.filter((o): o is OrderDoc => o !== null);
      if (changed.length) {
        // Rejected orders give back their stock and quota (exactly once), and the household learns why.
        await Promise.all(changed.map((o) => finishRelease(ctx, o)));
        // WeChat Pay (issue 19): the money goes back (or the unpaid platform order is closed); never fails the rejection.
        for (const o of changed) if (o.payment === 'wechatPay') await refundOnEnd(ctx, o._id, 'rejected', input.reason);
        const households = await getByIds(
          ctx,
          'households',
          changed.map((o) => o.householdId),
        );
        const byHousehold = new Map(households.map((h) => [h._id, h]));
        await enqueue(
          ctx,
          changed.flatMap((o) =>
            orderStatusMessages(
              byHousehold.get(o.householdId)?.memberOpenids ?? [],
              { id: o._id, lines: o.lines },
              'rejected',
              input.reason ?? '',
            ),
          ),
        );
      }
      return { changed: changed.length, skipped: input.orderIds.length - changed.length };
    },
  },

  'dispatch.requeue': {
    input: z.object({ orderId: id }).strict(),
    async handle(ctx, input) {
      const order = await mustGet(ctx, 'orders', input.orderId, '订单');
      await requireGridStaff(ctx, order.gridId);
      // Refused before any write when the order is plainly not failed; the conditional update still decides races.
      if (!nextStatusOf(ORDER_TRANSITIONS, order.status, 'requeue', 'gridworker'))
        throw new AppError('ORDER.BAD_STATE', '只有配送未成功的订单可以重新安排');
      const _ = ctx.db.command;
      const now = ctx.now.toISOString();
      const event: OrderEventRecord = {
        status: 'accepted',
        at: now,
        by: ctx.caller.openid,
        note: '网格员重新安排配送',
      };
      const res = await transition(ctx.db, 'orders', { _id: order._id }, ORDER_TRANSITIONS, 'requeue', 'gridworker', {
        jobId: null,
        volunteerId: null,
        updatedAt: now,
        history: _.push([event]),
      });
      if (!res.updated) throw new AppError('ORDER.BAD_STATE', '只有配送未成功的订单可以重新安排');
      return { orderId: order._id };
    },
  },
});
