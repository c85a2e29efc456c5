import { AppError } from '../../../core/errors';
import { AUTO_CONFIRM_MS, PLACING_TIMEOUT_MS } from '../../../core/policy';
import { next } from '../../../core/state/machine';
import { transition } from '../../lib/transition';
import { ORDER_STATUS_TEXT, shownStatus } from '../../../core/order/labels';
import { planOrder, roundIsOpen, type OrderPlan } from '../../../core/order/placement';
import { ORDER_TRANSITIONS, statusesAllowing } from '../../../core/order/state-machine';
import type { CatalogItemView, ContactView, OrderView, PlaceOrderInput, RoundView } from '../../../typings/api';
import type { CatalogItem, Grid, HouseholdDoc, OrderDoc, OrderStatus, RoundDoc, UserDoc } from '../../../typings/entities';
import { getDoc, mustGet, requireGridStaff, requireResident } from '../../lib/access';
import { isDuplicateError } from '../../lib/db-errors';
import { defineFunction, type CallContext, type UserContext } from '../../lib/define-function';
import { requestKey } from '../../lib/idempotency';
import { drainOutbox, enqueue, orderStatusMessages } from '../../lib/outbox';
import { all, mapPage, PAGE, pageFields, pageOf } from '../../lib/query';
import { findUser } from '../../lib/users';
import { idString, text, note, multiline, instant, z } from '../../lib/validate';

const id = idString();
const RESIDENT_CANCELLABLE = statusesAllowing('cancel', 'resident');

interface QuotaDoc {
  _id: string;
  roundId: string;
  householdId: string;
  used: Record<string, number>;
  orders: string[];
}

const quotaId = (roundId: string, householdId: string) => `${roundId}:${householdId}`;

function roundView(r: RoundDoc, now: Date): RoundView {
  return { id: r._id, name: r.name, opensAt: r.opensAt, closesAt: r.closesAt, open: roundIsOpen(r, now) };
}

/** An order as its household and gridworkers see it. */
function orderView(o: OrderDoc): OrderView {
  const status = shownStatus(o.status);
  return {
    id: o._id,
    kind: o.kind,
    status,
    statusText: ORDER_STATUS_TEXT[o.status],
    roundId: o.roundId,
    lines: o.lines,
    medicine: o.medicine,
    gas: o.gas,
    totalFen: o.totalFen,
    payment: o.payment,
    contactless: o.contactless,
    note: o.note,
    priority: o.priority,
    onBehalf: o.onBehalf,
    room: o.room,
    rejectReason: o.rejectReason,
    createdAt: o.createdAt,
    canCancel: RESIDENT_CANCELLABLE.includes(status),
    canConfirm: status === 'delivered',
  };
}

/** A catalogue item as pages see it (without the household's remaining quota). */
function catalogueView(item: CatalogItem): Omit<CatalogItemView, 'remaining'> {
  return {
    id: item._id,
    name: item.name,
    category: item.category,
    unit: item.unit,
    priceFen: item.priceFen,
    stock: item.stock,
    perHouseholdLimit: item.perHouseholdLimit,
    soldOut: item.stock <= 0,
  };
}

/** The round taking orders now, if any. */
async function currentRound(ctx: CallContext, communityId: string): Promise<RoundDoc | null> {
  const _ = ctx.db.command;
  const now = ctx.now.toISOString();
  const res = await ctx.db
    .collection('rounds')
    .where({ communityId, opensAt: _.lte(now), closesAt: _.gt(now) })
    .orderBy('opensAt', 'desc')
    .limit(1)
    .get();
  return ((res.data as RoundDoc[])[0] ?? null) as RoundDoc | null;
}

async function activeCatalogue(ctx: CallContext, communityId: string): Promise<CatalogItem[]> {
  // Every active item (not a first 1,000), without the holds (order ids) nobody needs to see.
  const out: CatalogItem[] = [];
  for (let skip = 0; ; skip += PAGE) {
    const res = await ctx.db.collection('catalog').where({ communityId, active: true }).field({ holds: false }).orderBy('_id', 'asc').skip(skip).limit(PAGE).get();
    out.push(...(res.data as CatalogItem[]));
    if (res.data.length < PAGE) return out;
  }
}

/** The household an order is for, and who is acting: the resident, or a gridworker (代下单). */
async function orderingHousehold(ctx: UserContext, forHouseholdId: string | undefined): Promise<{ household: HouseholdDoc; onBehalf: boolean }> {
  if (!forHouseholdId) return { household: (await requireResident(ctx)).household, onBehalf: false };
  const household = await mustGet<HouseholdDoc>(ctx, 'households', forHouseholdId, '住户');
  await requireGridStaff(ctx, household.gridId);
  return { household, onBehalf: true };
}

/**
 * Takes the household's quota for every line in one conditional write, recording the order on
 * the quota document so a resumed placement never takes it twice.
 */
async function reserveQuota(ctx: CallContext, order: OrderDoc, limits: ReadonlyMap<string, number>): Promise<void> {
  if (order.lines.length === 0) return;
  const _ = ctx.db.command;
  const quotas = ctx.db.collection('quotas');
  const qid = quotaId(order.roundId, order.householdId);
  for (let attempt = 0; attempt < 4; attempt += 1) {
    const fits = order.lines.map((l) => {
      const room = (limits.get(l.itemId) ?? 0) - l.qty;
      return _.or([{ [`used.${l.itemId}`]: _.lte(room) }, { [`used.${l.itemId}`]: _.exists(false) }]);
    });
    const res = await quotas
      .where(_.and([{ _id: qid, orders: _.neq(order._id) }, ...fits]))
      .update({ orders: _.push([order._id]), used: Object.fromEntries(order.lines.map((l) => [l.itemId, _.inc(l.qty)])) });
    if (res.updated) return;
    const doc = await getDoc<QuotaDoc>(ctx, 'quotas', qid);
    if (doc?.orders.includes(order._id)) return; // taken by an earlier attempt of this order
    if (!doc) {
      try {
        await quotas.add({
          _id: qid,
          roundId: order.roundId,
          householdId: order.householdId,
          used: Object.fromEntries(order.lines.map((l) => [l.itemId, l.qty])),
          orders: [order._id],
        });
        return;
      } catch (error) {
        if (!isDuplicateError(error)) throw error;
        continue; // another order of this household created it first: try the conditional again
      }
    }
    const over = order.lines.find((l) => (doc.used[l.itemId] ?? 0) + l.qty > (limits.get(l.itemId) ?? 0));
    if (over) {
      const left = Math.max(0, (limits.get(over.itemId) ?? 0) - (doc.used[over.itemId] ?? 0));
      throw new AppError('ORDER.QUOTA_EXCEEDED', left ? `「${over.name}」本批次还可买 ${left}${over.unit}` : `「${over.name}」本批次已达每户限购数量`);
    }
  }
  throw new AppError('COMMON.CONFLICT', '下单人数较多，请稍后重试');
}

/** Gives back whatever this order took (quota and stock); safe to repeat. */
export async function release(ctx: CallContext, order: Pick<OrderDoc, '_id' | 'roundId' | 'householdId' | 'lines'>): Promise<void> {
  if (order.lines.length === 0) return;
  const _ = ctx.db.command;
  await Promise.all([
    ctx.db
      .collection('quotas')
      .where({ _id: quotaId(order.roundId, order.householdId), orders: order._id })
      .update({ orders: _.pull(order._id), used: Object.fromEntries(order.lines.map((l) => [l.itemId, _.inc(-l.qty)])) }),
    ...order.lines.map((l) =>
      ctx.db.collection('catalog').where({ _id: l.itemId, holds: order._id }).update({ stock: _.inc(l.qty), holds: _.pull(order._id) }),
    ),
  ]);
}

/** Undoes a placement that did not finish: gives back what it held, then removes the order (only while still 'placing'). */
async function undoPlacement(ctx: CallContext, order: OrderDoc): Promise<void> {
  await release(ctx, order);
  await ctx.db.collection('orders').where({ _id: order._id, status: 'placing' }).remove();
}

/** Takes stock for each line, atomically per item; the first short line refuses the whole order (the caller undoes it). */
async function reserveStock(ctx: CallContext, order: OrderDoc): Promise<void> {
  const _ = ctx.db.command;
  for (const line of order.lines) {
    const res = await ctx.db
      .collection('catalog')
      .where({ _id: line.itemId, stock: _.gte(line.qty), holds: _.neq(order._id) })
      .update({ stock: _.inc(-line.qty), holds: _.push([order._id]) });
    if (res.updated) continue;
    const item = await getDoc<CatalogItem & { holds?: string[] }>(ctx, 'catalog', line.itemId);
    if (item?.holds?.includes(order._id)) continue; // taken by an earlier attempt of this order
    throw new AppError('ORDER.OUT_OF_STOCK', `「${line.name}」库存不足${item ? `，仅剩 ${item.stock}${line.unit}` : ''}`);
  }
}

/** Tells the household's members about a status change (through the outbox). */
async function notifyHousehold(ctx: CallContext, order: OrderDoc, status: OrderStatus, note = ''): Promise<void> {
  const household = await getDoc<HouseholdDoc>(ctx, 'households', order.householdId);
  await enqueue(ctx, orderStatusMessages(household?.memberOpenids ?? [], { id: order._id, lines: order.lines, kind: order.kind }, status, note));
}

/** The order, if the caller may see it: its household's members and its grid's staff. */
async function visibleOrder(ctx: UserContext, orderId: string): Promise<{ order: OrderDoc; asStaff: boolean; user: UserDoc | null }> {
  const order = await getDoc<OrderDoc>(ctx, 'orders', orderId);
  if (!order || order.status === 'placing') throw new AppError('COMMON.NOT_FOUND', '没有找到该订单');
  const user = await findUser(ctx);
  if (user?.householdId === order.householdId) return { order, asStaff: false, user };
  await requireGridStaff(ctx, order.gridId).catch(() => {
    throw new AppError('COMMON.NOT_FOUND', '没有找到该订单');
  });
  return { order, asStaff: true, user };
}

const placeInput = z
  .object({
    kind: z.enum(['grocery', 'loveBag', 'medicine', 'gas']),
    lines: z.array(z.object({ itemId: id, qty: z.number().int().min(1).max(50) }).strict()).max(30).optional(),
    medicine: z
      .object({
        description: multiline(300, 2, '请写明药品名称和数量'),
        urgency: z.enum(['normal', 'urgent']),
        prescriptionFileId: idString(512).optional(),
      })
      .strict()
      .optional(),
    gasCylinders: z.number().int().min(1).max(3).optional(),
    payment: z.enum(['free', 'cashOnDelivery', 'transfer']),
    contactless: z.boolean(),
    note: note(200).optional(),
    forHouseholdId: id.optional(),
  })
  .strict() satisfies z.ZodType<PlaceOrderInput>;

/** Undoes placements a crash cut off (quota and stock go back; the order never existed). Every one, not a first batch. */
export async function sweepPlacing(ctx: CallContext): Promise<{ undone: number }> {
  const _ = ctx.db.command;
  const cutoff = new Date(ctx.now.getTime() - PLACING_TIMEOUT_MS).toISOString();
  const stale = await all<OrderDoc>(ctx, 'orders', { status: 'placing', createdAt: _.lt(cutoff) });
  for (const order of stale) await undoPlacement(ctx, order);
  return { undone: stale.length };
}

/** Ordering: the catalogue of the round, placing (idempotent, atomic on stock and quota), following, cancelling, confirming. */
export const main = defineFunction(
  'order',
  {
    'order.catalog': {
      input: z.object({ forHouseholdId: id.optional() }).strict(),
      async handle(ctx, input) {
        const { household } = await orderingHousehold(ctx, input.forHouseholdId);
        const [round, items] = await Promise.all([currentRound(ctx, household.communityId), activeCatalogue(ctx, household.communityId)]);
        const quota = round ? await getDoc<QuotaDoc>(ctx, 'quotas', quotaId(round._id, household._id)) : null;
        const views: CatalogItemView[] = items.map((item) => ({
          ...catalogueView(item),
          remaining: Math.max(0, item.perHouseholdLimit - (quota?.used[item._id] ?? 0)),
        }));
        return { round: round ? roundView(round, ctx.now) : null, items: views };
      },
    },

    'order.place': {
      input: placeInput,
      async handle(ctx, input) {
        const { household, onBehalf } = await orderingHousehold(ctx, input.forHouseholdId);
        const orderId = requestKey(ctx, `order.place:${household._id}`);
        const orders = ctx.db.collection('orders');

        let order: OrderDoc;
        const round = await currentRound(ctx, household.communityId);
        if (!round) {
          // A retry after the cutoff of an order placed in time still gets its answer.
          const placed = await getDoc<OrderDoc>(ctx, 'orders', orderId);
          if (placed && placed.status !== 'placing') return orderView(placed);
          throw new AppError('ORDER.ROUND_CLOSED', '现在不在下单时间内，请留意网格通知');
        }
        const items = await activeCatalogue(ctx, household.communityId);
        const limits = new Map(items.map((i) => [i._id, i.perHouseholdLimit]));
        // Quota is enforced by the conditional write; the plan checks kinds, limits and prices.
        const plan: OrderPlan = planOrder(input, items);
        const now = ctx.now.toISOString();
        const fresh: OrderDoc = {
          _id: orderId,
          communityId: household.communityId,
          gridId: household.gridId,
          buildingId: household.buildingId,
          householdId: household._id,
          room: household.room,
          roundId: round._id,
          kind: input.kind,
          lines: plan.lines,
          medicine: plan.medicine,
          gas: input.kind === 'gas' ? { collectEmpty: 'pending', returnFull: 'pending' } : null,
          totalFen: plan.totalFen,
          payment: plan.payment,
          contactless: input.contactless,
          note: input.note ?? '',
          priority: household.priority,
          status: 'placing',
          placedBy: ctx.caller.openid,
          onBehalf,
          rejectReason: null,
          history: [{ status: 'placing', at: now, by: ctx.caller.openid }],
          createdAt: now,
          updatedAt: now,
        };
        try {
          await orders.add(fresh);
          order = fresh;
        } catch (error) {
          if (!isDuplicateError(error)) throw error;
          // A retry of a request we have seen: answer it, or finish what a crashed attempt began.
          order = await mustGet<OrderDoc>(ctx, 'orders', orderId, '订单');
          if (order.status !== 'placing') return orderView(order);
        }

        try {
          await reserveQuota(ctx, order, limits);
          await reserveStock(ctx, order);
        } catch (error) {
          // A refused (or failed) placement leaves nothing: no order, no held stock or quota.
          await undoPlacement(ctx, order).catch(() => undefined); // if this fails too, the sweeper finishes it
          throw error;
        }
        const history = { status: 'submitted' as const, at: now, by: ctx.caller.openid, note: onBehalf ? '网格员代下单' : undefined };
        const _ = ctx.db.command;
        await orders.where({ _id: orderId, status: 'placing' }).update({ status: 'submitted', updatedAt: now, history: _.push([history]) });
        return orderView({ ...order, status: 'submitted', history: [...order.history, history] });
      },
    },

    'order.mine': {
      input: z.object({ ...pageFields }).strict(),
      async handle(ctx, input) {
        const { household } = await requireResident(ctx);
        const _ = ctx.db.command;
        // Newest first; orders placed in the same millisecond are told apart by id (no skips between pages).
        const page = await pageOf<OrderDoc>(ctx, 'orders', { householdId: household._id, status: _.neq('placing') }, input, [{ field: 'createdAt', dir: 'desc' }]);
        return mapPage(page, orderView);
      },
    },

    'order.detail': {
      input: z.object({ orderId: id }).strict(),
      async handle(ctx, input) {
        const { order, asStaff } = await visibleOrder(ctx, input.orderId);
        const _ = ctx.db.command;
        const grid = await mustGet<Grid>(ctx, 'grids', order.gridId, '网格');
        const staff = grid.gridworkerIds.length ? await all<UserDoc>(ctx, 'users', { _id: _.in(grid.gridworkerIds) }) : [];
        const contacts: ContactView[] = staff.map((u) => ({ role: 'gridworker', name: u.nickName, phone: u.phone ?? null }));
        return {
          ...orderView(order),
          history: order.history.filter((h) => h.status !== 'placing').map((h) => ({ ...h, text: ORDER_STATUS_TEXT[h.status] })),
          contacts,
          // 取货码 (issue 4): only the household sees it, while the order is on its way.
          handoverCode: !asStaff && (order.status === 'assigned' || order.status === 'pickedUp') ? (order.handoverCode ?? null) : null,
        };
      },
    },

    'order.cancel': {
      input: z.object({ orderId: id, reason: note(100).optional() }).strict(),
      async handle(ctx, input) {
        const { order, asStaff } = await visibleOrder(ctx, input.orderId);
        const actor = asStaff ? 'gridworker' : 'resident';
        if (order.status === 'cancelled') return orderView(order);
        if (!next(ORDER_TRANSITIONS, order.status, 'cancel', actor)) throw new AppError('ORDER.CANNOT_CANCEL');
        const _ = ctx.db.command;
        const now = ctx.now.toISOString();
        const event = { status: 'cancelled' as const, at: now, by: ctx.caller.openid, note: input.reason ?? (asStaff ? '网格员取消' : '居民取消') };
        const moved = await transition(ctx.db, 'orders', { _id: order._id }, ORDER_TRANSITIONS, 'cancel', actor, { updatedAt: now, history: _.push([event]) });
        if (!moved.updated) throw new AppError('ORDER.CANNOT_CANCEL');
        await release(ctx, order);
        if (asStaff) await notifyHousehold(ctx, order, 'cancelled', event.note);
        return orderView({ ...order, status: 'cancelled', history: [...order.history, event] });
      },
    },

    'order.confirm': {
      input: z.object({ orderId: id }).strict(),
      async handle(ctx, input) {
        const { order, asStaff } = await visibleOrder(ctx, input.orderId);
        if (asStaff) throw new AppError('AUTH.FORBIDDEN', '只有本户居民可以确认收货');
        if (order.status === 'received') return orderView(order);
        const notYet = () => new AppError('ORDER.BAD_STATE', '订单还未送达，暂不能确认收货');
        if (!next(ORDER_TRANSITIONS, order.status, 'confirm', 'resident')) throw notYet();
        const _ = ctx.db.command;
        const now = ctx.now.toISOString();
        const event = { status: 'received' as const, at: now, by: ctx.caller.openid };
        const moved = await transition(ctx.db, 'orders', { _id: order._id }, ORDER_TRANSITIONS, 'confirm', 'resident', { updatedAt: now, history: _.push([event]) });
        if (!moved.updated) throw notYet();
        return orderView({ ...order, status: 'received', history: [...order.history, event] });
      },
    },

    'order.saveItem': {
      input: z
        .object({
          id: id.optional(),
          name: text(40, 1, '请填写商品名称'),
          category: z.enum(['vegetable', 'meat', 'staple', 'daily', 'medicine', 'gas', 'loveBag']),
          unit: z.enum(['斤', '份', '袋', '瓶', '罐', '盒', '箱', '个', '把', '桶']),
          priceFen: z.number().int().min(0).max(1_000_000),
          stock: z.number().int().min(0).max(1_000_000).optional(),
          perHouseholdLimit: z.number().int().min(1).max(100),
          active: z.boolean(),
        })
        .strict(),
      async handle(ctx, input) {
        const user = await findUser(ctx);
        if (!user?.roles.includes('communityAdmin') || !user.communityId) throw new AppError('AUTH.NOT_ADMIN');
        const { id: itemId, stock, ...fields } = input;
        if (itemId) {
          const item = await mustGet<CatalogItem>(ctx, 'catalog', itemId, '商品');
          if (item.communityId !== user.communityId) throw new AppError('AUTH.NOT_ADMIN');
          // Restocking sets the count; orders take from it with conditional writes, never from a stale copy.
          await ctx.db.collection('catalog').doc(itemId).update(stock === undefined ? fields : { ...fields, stock });
          const saved = { ...item, ...fields, ...(stock === undefined ? {} : { stock }) };
          return { ...catalogueView(saved), remaining: saved.perHouseholdLimit };
        }
        const fresh = { communityId: user.communityId, ...fields, stock: stock ?? 0, holds: [] as string[] };
        const { id: newId } = (await ctx.db.collection('catalog').add(fresh)) as { id: string };
        return { ...catalogueView({ _id: newId, ...fresh }), remaining: fresh.perHouseholdLimit };
      },
    },

    'order.openRound': {
      input: z
        .object({ name: text(30), opensAt: instant(), closesAt: instant() })
        .strict()
        .refine((v) => Date.parse(v.closesAt) > Date.parse(v.opensAt), { message: '截单时间要晚于开始时间', path: ['closesAt'] }),
      async handle(ctx, input) {
        const user = await findUser(ctx);
        if (!user?.roles.includes('communityAdmin') || !user.communityId) throw new AppError('AUTH.NOT_ADMIN');
        const round: Omit<RoundDoc, '_id'> = {
          communityId: user.communityId,
          name: input.name,
          opensAt: new Date(input.opensAt).toISOString(),
          closesAt: new Date(input.closesAt).toISOString(),
          createdBy: ctx.caller.openid,
        };
        const { id: roundId } = (await ctx.db.collection('rounds').add(round)) as { id: string };
        return roundView({ _id: roundId, ...round }, ctx.now);
      },
    },
  },
  {
    timers: {
      /** Undoes placements a crash cut off (quota and stock go back; the order never existed). */
      sweepPlacing,
      /** Confirms receipt of orders delivered a day ago that nobody confirmed. */
      async autoConfirm(ctx) {
        const _ = ctx.db.command;
        const now = ctx.now.toISOString();
        const cutoff = new Date(ctx.now.getTime() - AUTO_CONFIRM_MS).toISOString();
        const event = { status: 'received' as const, at: now, by: 'system', note: '超时自动确认收货' };
        const moved = await transition(ctx.db, 'orders', { updatedAt: _.lt(cutoff) }, ORDER_TRANSITIONS, 'confirm', 'system', { updatedAt: now, history: _.push([event]) });
        return { confirmed: moved.updated };
      },
      /** Sends queued subscribe messages. */
      sendMessages: (ctx) => drainOutbox(ctx),
    },
  },
);

