/**
 * The catalogue of the round and placing an order: idempotent per tap, atomic on stock and quota,
 * and no document growing with the number of orders (server/lib/holds.ts says how).
 *
 * A three-line grocery order costs five database requests: the caller's household (one read),
 * the stock of every line taken at once on the community's shop (one conditional update that
 * answers the shop: round, prices, limits), the household's quota (one conditional update, which
 * also journals the placement), the order (one insert), and the shop's marker cleared.
 */
import { MEDICINE_URGENCIES, ORDER_KINDS, PAYMENT_MODES } from '../../../typings/values';
import { AppError } from '../../../core/errors';
import { planOrder, type OrderPlan } from '../../../core/order/placement';
import { newPay } from '../../../core/payment/state';
import { payConfig } from '../../lib/payments';
import type { CatalogItemView, PlaceOrderInput } from '../../../typings/api';
import type { HouseholdDoc, OrderDoc, ShopDoc, ShopRound, StockHold } from '../../../typings/entities';
import { getDoc, mustGet, requireGridStaff } from '../../lib/access';
import { isDuplicateError } from '../../lib/db-errors';
import { getShop, linesQty, quotaMoves, shopItem, shopItems, stockMoves, usedIn } from '../../lib/holds';
import { defineActions, type UserContext } from '../../lib/define-function';
import { requestKey } from '../../lib/idempotency';
import { idString, note, multiline, z } from '../../lib/validate';
import { catalogueView, id, myHousehold, newDoorCode, openRound, orderView, shopRoundView } from './shared';

/** The household an order is for, and who is acting: the resident, or a gridworker (代下单). */
async function orderingHousehold(
  ctx: UserContext,
  forHouseholdId: string | undefined,
): Promise<{ household: HouseholdDoc; onBehalf: boolean }> {
  if (!forHouseholdId) return { household: await myHousehold(ctx), onBehalf: false };
  const household = await mustGet(ctx, 'households', forHouseholdId, '住户');
  await requireGridStaff(ctx, household.gridId);
  return { household, onBehalf: true };
}

/** What one placement attempt works with. */
interface Attempt {
  ctx: UserContext;
  household: HouseholdDoc;
  orderId: string;
  /** This attempt (its invocation): written on the stock marker, the journal and the order. */
  nonce: string;
  qty: Record<string, number>;
}

const busy = () => new AppError('COMMON.CONFLICT', '上一次提交正在处理，请稍候查看结果');
const householdBusy = () => new AppError('COMMON.CONFLICT', '你家还有一笔订单正在提交，请稍候再试');

/** Gives back the stock this attempt took (only if its marker is still there) and clears the marker. */
async function undoStock(a: Attempt): Promise<void> {
  const _ = a.ctx.db.command;
  const key = `placing.${a.orderId}`;
  await a.ctx.db
    .collection('shops')
    .where({ _id: a.household.communityId, [`${key}.nonce`]: a.nonce })
    .update({ ...stockMoves(a.ctx, a.qty, 1), [key]: _.remove() });
}

/** Gives back the quota this attempt took (only while its journal entry is there). */
async function undoQuota(a: Attempt): Promise<void> {
  await a.ctx.db
    .collection('households')
    .where({ _id: a.household._id, 'ordering.placing.orderId': a.orderId, 'ordering.placing.nonce': a.nonce })
    .update({ ...quotaMoves(a.ctx, a.qty, -1), 'ordering.placing': null });
}

/** The stock marker of this attempt, written with the stock it takes. */
function holdOf(a: Attempt): StockHold {
  return { at: a.ctx.now.toISOString(), householdId: a.household._id, nonce: a.nonce, lines: a.qty };
}

/** Why taking stock failed: the round, an item, or the stock (read once, only on refusal). */
function explainStock(shop: ShopDoc | null, a: Attempt, input: PlaceOrderInput): never {
  if (!openRound(shop, a.ctx.now)) throw new AppError('ORDER.ROUND_CLOSED', '现在不在下单时间内，请留意网格通知');
  if (shop?.placing?.[a.orderId]) throw busy();
  const items = shopItems(shop);
  planOrder(input, items); // refuses a missing or hidden item, a wrong kind, a line over the limit
  for (const [itemId, q] of Object.entries(a.qty)) {
    const item = shopItem(shop, itemId);
    if (item && item.stock < q)
      throw new AppError('ORDER.OUT_OF_STOCK', `「${item.name}」库存不足，仅剩 ${Math.max(0, item.stock)}${item.unit}`);
  }
  throw new AppError('COMMON.CONFLICT', '下单人数较多，请稍后重试');
}

/**
 * Takes the stock of every line in one conditional update, with the placement's marker; answers
 * the shop as it is after the update. `shop` given: the caller read it already (its round checked).
 */
async function takeStock(a: Attempt, input: PlaceOrderInput, read: ShopDoc | null): Promise<ShopDoc> {
  const _ = a.ctx.db.command;
  const now = a.ctx.now.toISOString();
  const where: Record<string, unknown> = {
    _id: a.household.communityId,
    rounds: _.elemMatch({ opensAt: _.lte(now), closesAt: _.gt(now) }),
    [`placing.${a.orderId}`]: _.exists(false),
  };
  for (const [itemId, q] of Object.entries(a.qty)) {
    where[`items.${itemId}.active`] = true;
    where[`items.${itemId}.stock`] = _.gte(q);
  }
  const change = { ...stockMoves(a.ctx, a.qty, -1), [`placing.${a.orderId}`]: holdOf(a) };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const res = (await a.ctx.db.collection('shops').where(where).updateAndReturn(change)) as {
      updated?: number;
      doc?: ShopDoc | null;
    };
    if (res.updated && res.doc) return res.doc;
    const shop = read && attempt === 0 ? read : await getShop(a.ctx, a.household.communityId);
    read = null;
    try {
      explainStock(shop, a, input);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'COMMON.CONFLICT' || attempt === 2) throw error;
      if (shop?.placing?.[a.orderId]) throw error;
    }
  }
  throw new AppError('COMMON.CONFLICT', '下单人数较多，请稍后重试');
}

/**
 * Takes the household's quota for every line in one conditional update that also journals the
 * placement (`ordering.placing`, one slot). The slot may only be taken over from a placement that
 * is settled (its stock marker gone); a placement of the same household still in flight refuses
 * this one for a moment. Answers the household's door code for the round.
 */
async function takeQuota(a: Attempt, shop: ShopDoc, round: ShopRound, plan: OrderPlan): Promise<string> {
  const _ = a.ctx.db.command;
  const limits = new Map(plan.lines.map((l) => [l.itemId, shopItem(shop, l.itemId)?.perHouseholdLimit ?? 0]));
  let household = a.household;
  let seen = shop;
  const entry = { orderId: a.orderId, nonce: a.nonce, at: a.ctx.now.toISOString() };
  for (let attempt = 0; attempt < 4; attempt += 1) {
    const o = household.ordering;
    const journal = o?.placing ?? null;
    if (journal?.orderId === a.orderId) throw busy(); // another attempt of this tap got here first
    if (journal && seen.placing?.[journal.orderId]) throw householdBusy();
    const cas = journal
      ? { 'ordering.placing.orderId': journal.orderId, 'ordering.placing.nonce': journal.nonce }
      : { 'ordering.placing': null };
    const sameRound = o?.roundId === round.id;
    let res: { updated?: number };
    if (sameRound) {
      const fits = Object.entries(a.qty).map(([itemId, q]) =>
        _.or([
          { [`ordering.used.${itemId}`]: _.lte((limits.get(itemId) ?? 0) - q) },
          { [`ordering.used.${itemId}`]: _.exists(false) },
        ]),
      );
      res = await a.ctx.db
        .collection('households')
        .where(_.and([{ _id: household._id, 'ordering.roundId': round.id, ...cas }, ...fits]))
        .update({ ...quotaMoves(a.ctx, a.qty, 1), 'ordering.placing': entry });
    } else {
      // The household's first order of this round: its quota starts afresh, with a new door code.
      const fresh = { roundId: round.id, used: a.qty, code: newDoorCode(), placing: entry };
      res = await a.ctx.db
        .collection('households')
        .where(
          o
            ? { _id: household._id, 'ordering.roundId': o.roundId, ...cas }
            : { _id: household._id, ordering: _.exists(false) },
        )
        .update({ ordering: _.set(fresh) });
      if (res.updated) return fresh.code;
    }
    if (res.updated) return (o as NonNullable<typeof o>).code;
    // Refused: over the quota, or the household's ordering changed meanwhile (read both again).
    household = await mustGet(a.ctx, 'households', household._id, '住户');
    const used = usedIn(household.ordering, round.id);
    const over = plan.lines.find((l) => (used[l.itemId] ?? 0) + l.qty > (limits.get(l.itemId) ?? 0));
    if (over) {
      const left = Math.max(0, (limits.get(over.itemId) ?? 0) - (used[over.itemId] ?? 0));
      throw new AppError(
        'ORDER.QUOTA_EXCEEDED',
        left ? `「${over.name}」本批次还可买 ${left}${over.unit}` : `「${over.name}」本批次已达每户限购数量`,
      );
    }
    const other = household.ordering?.placing;
    if (other && other.orderId !== a.orderId) seen = (await getShop(a.ctx, shop._id)) ?? seen;
  }
  throw new AppError('COMMON.CONFLICT', '下单人数较多，请稍后重试');
}

/** The door code of an order that takes no quota (medicine): the household's of the round, made if need be. */
async function doorCode(a: Attempt, round: ShopRound): Promise<string> {
  const o = a.household.ordering;
  if (o?.roundId === round.id) return o.code;
  const _ = a.ctx.db.command;
  const fresh = { roundId: round.id, used: {}, code: newDoorCode(), placing: o?.placing ?? null };
  const res = await a.ctx.db
    .collection('households')
    .where(
      o ? { _id: a.household._id, 'ordering.roundId': o.roundId } : { _id: a.household._id, ordering: _.exists(false) },
    )
    .update({ ordering: _.set(fresh) });
  if (res.updated) return fresh.code;
  const again = await mustGet(a.ctx, 'households', a.household._id, '住户');
  return again.ordering?.roundId === round.id ? again.ordering.code : fresh.code;
}

/** The order document of a placement. */
function orderDoc(
  a: Attempt,
  input: PlaceOrderInput,
  plan: OrderPlan,
  round: ShopRound,
  code: string,
  onBehalf: boolean,
): OrderDoc {
  const h = a.household;
  const now = a.ctx.now.toISOString();
  return {
    _id: a.orderId,
    communityId: h.communityId,
    gridId: h.gridId,
    buildingId: h.buildingId,
    householdId: h._id,
    room: h.room,
    roundId: round.id,
    kind: input.kind,
    lines: plan.lines,
    medicine: plan.medicine,
    gas: input.kind === 'gas' ? { collectEmpty: 'pending', returnFull: 'pending' } : null,
    totalFen: plan.totalFen,
    payment: plan.payment,
    contactless: input.contactless,
    note: input.note ?? '',
    priority: h.priority,
    status: 'submitted',
    placedBy: a.ctx.caller.openid,
    onBehalf,
    rejectReason: null,
    history: [{ status: 'submitted', at: now, by: a.ctx.caller.openid, note: onBehalf ? '网格员代下单' : undefined }],
    createdAt: now,
    updatedAt: now,
    handoverCode: code,
    placeNonce: a.nonce,
    // WeChat Pay (issue 19): stock and quota stay held until paid or PAY_TIMEOUT_MS passes.
    ...(plan.payment === 'wechatPay' ? { pay: newPay(a.orderId, plan.totalFen, a.ctx.now) } : {}),
  };
}

/**
 * Writes the order and clears the stock marker. An order already there under this id (a retry of
 * a tap whose placement finished long ago) is the answer: what this attempt took goes back.
 */
async function writeOrder(a: Attempt, order: OrderDoc, held: boolean): Promise<OrderDoc> {
  try {
    await a.ctx.db.collection('orders').add(order);
  } catch (error) {
    if (!isDuplicateError(error)) throw error;
    const existing = await mustGet(a.ctx, 'orders', order._id, '订单');
    if (existing.placeNonce !== a.nonce && held) await Promise.all([undoQuota(a), undoStock(a)]);
    return existing;
  }
  if (held) {
    const _ = a.ctx.db.command;
    const key = `placing.${a.orderId}`;
    // Settled: the order says what it holds now. (Cut short here, the sweeper clears the marker.)
    await a.ctx.db
      .collection('shops')
      .where({ _id: order.communityId, [`${key}.nonce`]: a.nonce })
      .update({ [key]: _.remove() })
      .catch(() => undefined);
  }
  return order;
}

/**
 * Finishes a placement of this tap that a crash or a timeout cut short after it took stock and
 * quota (the household's journal names it), or answers the order it wrote. A placement the sweeper
 * is undoing is not resumed.
 */
async function resume(a: Attempt, input: PlaceOrderInput, onBehalf: boolean): Promise<OrderDoc> {
  const written = await getDoc(a.ctx, 'orders', a.orderId);
  if (written) return written;
  const shop = await getShop(a.ctx, a.household.communityId);
  const hold = shop?.placing?.[a.orderId];
  if (!shop || !hold || hold.undo) {
    const late = await getDoc(a.ctx, 'orders', a.orderId);
    if (late) return late;
    throw new AppError('COMMON.CONFLICT', '这次下单没有完成，请重新下单');
  }
  const _ = a.ctx.db.command;
  const key = `placing.${a.orderId}`;
  // Fenced against the sweeper: a placement touched now is not undone.
  const touched = await a.ctx.db
    .collection('shops')
    .where({ _id: shop._id, [`${key}.nonce`]: hold.nonce, [`${key}.undo`]: _.exists(false) })
    .update({ [`${key}.at`]: a.ctx.now.toISOString() });
  if (!touched.updated) throw busy();
  const round = openRound(shop, new Date(Date.parse(hold.at))) ?? openRound(shop, a.ctx.now);
  if (!round) throw new AppError('ORDER.ROUND_CLOSED', '现在不在下单时间内，请留意网格通知');
  const plan = planOrder(input, shopItems(shop));
  const code = a.household.ordering?.code ?? newDoorCode();
  const attempt = { ...a, nonce: hold.nonce, qty: hold.lines };
  return writeOrder(attempt, orderDoc(attempt, input, plan, round, code, onBehalf), true);
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

/** Places an order (see the file's comment). */
async function place(ctx: UserContext, input: PlaceOrderInput): Promise<OrderDoc> {
  const { household, onBehalf } = await orderingHousehold(ctx, input.forHouseholdId);
  const a: Attempt = {
    ctx,
    household,
    orderId: requestKey(ctx, `order.place:${household._id}`),
    nonce: ctx.invocationId,
    qty: {},
  };
  if (household.ordering?.placing?.orderId === a.orderId) return resume(a, input, onBehalf);

  let shop: ShopDoc | null;
  let plan: OrderPlan;
  if (input.kind === 'grocery' && input.lines?.length) {
    // Lines known up front: take their stock first, in the update that also reads the shop.
    a.qty = linesQty(input.lines);
    shop = await takeStock(a, input, null);
    try {
      plan = planOrder(input, shopItems(shop));
    } catch (error) {
      await undoStock(a);
      throw error;
    }
  } else {
    shop = await getShop(ctx, household.communityId);
    if (!openRound(shop, ctx.now)) {
      // A retry after the cutoff of an order placed in time still gets its answer.
      const placed = await getDoc(ctx, 'orders', a.orderId);
      if (placed && placed.status !== 'placing') return placed;
      throw new AppError('ORDER.ROUND_CLOSED', '现在不在下单时间内，请留意网格通知');
    }
    plan = planOrder(input, shopItems(shop));
    a.qty = linesQty(plan.lines);
    if (plan.lines.length) shop = await takeStock(a, input, shop);
  }
  const round = openRound(shop, ctx.now) as ShopRound;
  const held = plan.lines.length > 0;
  let code: string;
  try {
    code = held ? await takeQuota(a, shop as ShopDoc, round, plan) : await doorCode(a, round);
  } catch (error) {
    if (held) await undoStock(a);
    throw error;
  }
  return writeOrder(a, orderDoc(a, input, plan, round, code, onBehalf), held);
}

export const placeActions = defineActions('order', {
  'order.catalog': {
    input: z.object({ forHouseholdId: id.optional() }).strict(),
    async handle(ctx, input) {
      const { household } = await orderingHousehold(ctx, input.forHouseholdId);
      const shop = await getShop(ctx, household.communityId);
      const round = openRound(shop, ctx.now);
      const used = usedIn(household.ordering, round?.id);
      const views: CatalogItemView[] = shopItems(shop)
        .filter((item) => item.active)
        .map((item) => ({
          ...catalogueView(item),
          remaining: Math.max(0, item.perHouseholdLimit - (used[item._id] ?? 0)),
        }));
      return {
        round: round ? shopRoundView(round, ctx.now) : null,
        items: views,
        wechatPay: Boolean(payConfig().subMchId),
      };
    },
  },

  'order.place': {
    input: placeInput,
    async handle(ctx, input) {
      // WeChat Pay only where the community opened it (its merchant number is configured), issue 19.
      if (input.payment === 'wechatPay' && input.kind !== 'loveBag' && !payConfig().subMchId)
        throw new AppError('PAY.UNAVAILABLE', '社区还没有开通微信支付，请选择货到付现金或转账');
      const order = await place(ctx, input);
      return orderView(order, { mayPay: !order.onBehalf, now: ctx.now });
    },
  },
});
