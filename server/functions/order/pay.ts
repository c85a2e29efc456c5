/**
 * Paying an order with WeChat Pay (issue 19): the household's resident pays, or a relative through
 * a pay link (代付) the household or the gridworker who placed a 代下单 order shares. The client
 * never says "paid": `order.syncPayment` makes the server ask the platform, and the `payment`
 * function (the platform's callback) does the same; only server/lib/payments.ts marks an order paid.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../../core/errors';
import { PAY_LINK_MS } from '../../../core/policy';
import { maskRoom, payable, payView } from '../../../core/payment/view';
import type { PayCardView } from '../../../typings/api';
import type { OrderDoc } from '../../../typings/entities';
import { PAY_STATE_LABELS } from '../../../typings/values';
import { getDoc, requireGridStaff } from '../../lib/access';
import { defineActions, type UserContext } from '../../lib/define-function';
import { prepay, settlePayment } from '../../lib/payments';
import { refundLatePayment } from '../../lib/refunds';
import { all } from '../../lib/query';
import { findUser } from '../../lib/users';
import { z } from '../../lib/validate';
import { id } from './shared';

/** The mini-program page a pay link opens (the relative's 代付 card). */
export const PAY_PAGE = 'pages/pay/index';

const token = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,64}$/, '代付链接无效')
  .describe('pay link token');

const notFound = () => new AppError('COMMON.NOT_FOUND', '没有找到该订单');

/** A WeChat Pay order and how the caller relates to it: its household's member, or its grid's staff. */
async function payOrder(
  ctx: UserContext,
  orderId: string,
): Promise<{ order: OrderDoc; member: boolean; staff: boolean; placer: boolean }> {
  const order = await getDoc(ctx, 'orders', orderId);
  if (!order || order.status === 'placing') throw notFound();
  const placer = order.placedBy === ctx.caller.openid;
  if (placer && !order.onBehalf) return { order, member: true, staff: false, placer };
  const user = await findUser(ctx);
  if (user?.householdId === order.householdId) return { order, member: true, staff: false, placer };
  await requireGridStaff(ctx, order.gridId).catch(() => {
    throw notFound();
  });
  return { order, member: false, staff: true, placer };
}

function wechatPayOrder(order: OrderDoc): asserts order is OrderDoc & { pay: NonNullable<OrderDoc['pay']> } {
  if (order.payment !== 'wechatPay' || !order.pay)
    throw new AppError('ORDER.BAD_STATE', '这笔订单不是微信支付订单，无需在线支付');
}

const hashOf = (t: string): string => createHash('sha256').update(`paylink\u0000${t}`).digest('hex');

/** The order a valid pay link names, or PAY.LINK_INVALID (unknown order, wrong or replaced token, expired). */
async function linkedOrder(ctx: UserContext, orderId: string, t: string): Promise<OrderDoc> {
  const order = await getDoc(ctx, 'orders', orderId);
  const link = order?.pay?.link;
  if (!order || order.payment !== 'wechatPay' || !link) throw new AppError('PAY.LINK_INVALID');
  const a = Buffer.from(hashOf(t), 'hex');
  const b = Buffer.from(link.tokenHash, 'hex');
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new AppError('PAY.LINK_INVALID');
  if (Date.parse(link.expiresAt) <= ctx.now.getTime()) throw new AppError('PAY.LINK_INVALID');
  return order;
}

export const payActions = defineActions('order', {
  'order.pay': {
    input: z.object({ orderId: id }).strict(),
    async handle(ctx, input) {
      const { order, member } = await payOrder(ctx, input.orderId);
      if (!member) throw new AppError('AUTH.FORBIDDEN', '请由本户居民支付，或把代付链接发给家人');
      wechatPayOrder(order);
      return prepay(ctx, order, ctx.caller.openid, refundLatePayment);
    },
  },

  'order.syncPayment': {
    input: z.object({ orderId: id }).strict(),
    async handle(ctx, input) {
      const { order, member, staff } = await payOrder(ctx, input.orderId);
      wechatPayOrder(order);
      let current: OrderDoc = order;
      if (order.pay.state === 'awaiting') current = (await settlePayment(ctx, order, refundLatePayment)).order;
      const refunds = await all(ctx, 'refunds', { orderId: order._id });
      return { orderId: order._id, ...payView(current, refunds, { staff, mayPay: member, now: ctx.now }) };
    },
  },

  'order.payLink': {
    input: z.object({ orderId: id }).strict(),
    async handle(ctx, input) {
      const { order, member, placer } = await payOrder(ctx, input.orderId);
      if (!member && !(placer && order.onBehalf))
        throw new AppError('AUTH.FORBIDDEN', '只有本户居民或代下单的网格员可以分享代付链接');
      wechatPayOrder(order);
      if (!payable(order, ctx.now)) {
        throw order.pay.state === 'awaiting' || order.pay.state === 'closed'
          ? new AppError('PAY.EXPIRED')
          : new AppError('ORDER.BAD_STATE', '这笔订单已经支付过了');
      }
      const t = randomBytes(18).toString('base64url');
      const expiresAt = new Date(
        Math.min(ctx.now.getTime() + PAY_LINK_MS, Date.parse(order.pay.expiresAt)),
      ).toISOString();
      const res = await ctx.db
        .collection('orders')
        .where({ _id: order._id, 'pay.state': 'awaiting' })
        .update({ 'pay.link': { tokenHash: hashOf(t), expiresAt, by: ctx.caller.openid } });
      if (!res.updated) throw new AppError('ORDER.BAD_STATE', '订单状态已变化，请刷新后查看');
      return {
        orderId: order._id,
        token: t,
        path: `${PAY_PAGE}?orderId=${encodeURIComponent(order._id)}&token=${t}`,
        totalFen: order.pay.amountFen,
        expiresAt,
      };
    },
  },

  'order.payCard': {
    input: z.object({ orderId: id, token }).strict(),
    async handle(ctx, input): Promise<PayCardView> {
      const order = await linkedOrder(ctx, input.orderId, input.token);
      const p = order.pay as NonNullable<OrderDoc['pay']>;
      return {
        orderId: order._id,
        kind: order.kind,
        totalFen: p.amountFen,
        lines: order.lines.map((l) => ({ name: l.name, unit: l.unit, qty: l.qty, priceFen: l.priceFen })),
        roomMasked: maskRoom(order.room),
        state: p.state,
        stateText: PAY_STATE_LABELS[p.state],
        expiresAt: p.expiresAt,
        canPay: payable(order, ctx.now),
      };
    },
  },

  'order.payFor': {
    input: z.object({ orderId: id, token }).strict(),
    async handle(ctx, input) {
      const order = await linkedOrder(ctx, input.orderId, input.token);
      return prepay(ctx, order, ctx.caller.openid, refundLatePayment);
    },
  },
});
