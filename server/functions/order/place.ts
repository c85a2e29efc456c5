/** The catalogue of the round and placing an order (idempotent, atomic on stock and quota). */
import { MEDICINE_URGENCIES, ORDER_KINDS, PAYMENT_MODES } from '../../../typings/values';
import { AppError } from '../../../core/errors';
import { planOrder, type OrderPlan } from '../../../core/order/placement';
import type { CatalogItemView, PlaceOrderInput } from '../../../typings/api';
import type { HouseholdDoc, OrderDoc } from '../../../typings/entities';
import { getDoc, mustGet, requireGridStaff, requireResident } from '../../lib/access';
import { isDuplicateError } from '../../lib/db-errors';
import { quotaId, releaseHolds } from '../../lib/holds';
import { defineActions, type CallContext, type UserContext } from '../../lib/define-function';
import { requestKey } from '../../lib/idempotency';
import { idString, note, multiline, z } from '../../lib/validate';
import { activeCatalogue, catalogueView, currentRound, id, orderView, roundView } from './shared';

/** The household an order is for, and who is acting: the resident, or a gridworker (代下单). */
async function orderingHousehold(
  ctx: UserContext,
  forHouseholdId: string | undefined,
): Promise<{ household: HouseholdDoc; onBehalf: boolean }> {
  if (!forHouseholdId) return { household: (await requireResident(ctx)).household, onBehalf: false };
  const household = await mustGet(ctx, 'households', forHouseholdId, '住户');
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
    const res = await quotas.where(_.and([{ _id: qid, orders: _.neq(order._id) }, ...fits])).update({
      orders: _.push([order._id]),
      used: Object.fromEntries(order.lines.map((l) => [l.itemId, _.inc(l.qty)])),
    });
    if (res.updated) return;
    const doc = await getDoc(ctx, 'quotas', qid);
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
      throw new AppError(
        'ORDER.QUOTA_EXCEEDED',
        left ? `「${over.name}」本批次还可买 ${left}${over.unit}` : `「${over.name}」本批次已达每户限购数量`,
      );
    }
  }
  throw new AppError('COMMON.CONFLICT', '下单人数较多，请稍后重试');
}

/** Undoes a placement that did not finish: gives back what it held, then removes the order (only while still 'placing'). */
export async function undoPlacement(ctx: CallContext, order: OrderDoc): Promise<void> {
  await releaseHolds(ctx, order);
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
    const item = await getDoc(ctx, 'catalog', line.itemId);
    if (item?.holds?.includes(order._id)) continue; // taken by an earlier attempt of this order
    throw new AppError(
      'ORDER.OUT_OF_STOCK',
      `「${line.name}」库存不足${item ? `，仅剩 ${item.stock}${line.unit}` : ''}`,
    );
  }
}

const placeInput = z
  .object({
    kind: z.enum(ORDER_KINDS),
    lines: z
      .array(z.object({ itemId: id, qty: z.number().int().min(1).max(50) }).strict())
      .max(30)
      .optional(),
    medicine: z
      .object({
        description: multiline(300, 2, '请写明药品名称和数量'),
        urgency: z.enum(MEDICINE_URGENCIES),
        prescriptionFileId: idString(512).optional(),
      })
      .strict()
      .optional(),
    gasCylinders: z.number().int().min(1).max(3).optional(),
    payment: z.enum(PAYMENT_MODES),
    contactless: z.boolean(),
    note: note(200).optional(),
    forHouseholdId: id.optional(),
  })
  .strict() satisfies z.ZodType<PlaceOrderInput>;

export const placeActions = defineActions('order', {
  'order.catalog': {
    input: z.object({ forHouseholdId: id.optional() }).strict(),
    async handle(ctx, input) {
      const { household } = await orderingHousehold(ctx, input.forHouseholdId);
      const [round, items] = await Promise.all([
        currentRound(ctx, household.communityId),
        activeCatalogue(ctx, household.communityId),
      ]);
      const quota = round ? await getDoc(ctx, 'quotas', quotaId(round._id, household._id)) : null;
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
        const placed = await getDoc(ctx, 'orders', orderId);
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
        order = await mustGet(ctx, 'orders', orderId, '订单');
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
      const history = {
        status: 'submitted' as const,
        at: now,
        by: ctx.caller.openid,
        note: onBehalf ? '网格员代下单' : undefined,
      };
      const _ = ctx.db.command;
      await orders
        .where({ _id: orderId, status: 'placing' })
        .update({ status: 'submitted', updatedAt: now, history: _.push([history]) });
      return orderView({ ...order, status: 'submitted', history: [...order.history, history] });
    },
  },
});
