/** Following an order: the household's list, details, cancelling, confirming receipt. */
import { AppError } from '../../../core/errors';
import { next } from '../../../core/state/machine';
import { transition } from '../../lib/transition';
import { ORDER_STATUS_TEXT } from '../../../core/order/labels';
import { ORDER_TRANSITIONS } from '../../../core/order/state-machine';
import type { ContactView } from '../../../typings/api';
import type { Grid, OrderDoc, OrderEventRecord, OrderStatus, UserDoc } from '../../../typings/entities';
import { getDoc, requireGridStaff } from '../../lib/access';
import { finishRelease, releasePatch } from '../../lib/holds';
import { refundOnEnd } from '../../lib/refunds';
import { defineActions, type CallContext, type UserContext } from '../../lib/define-function';
import { enqueue, orderStatusMessages } from '../../lib/outbox';
import { all, mapPage, pageFields, pageOf } from '../../lib/query';
import { findUser } from '../../lib/users';
import { note, z } from '../../lib/validate';
import { id, myHousehold, orderView } from './shared';

/** Tells the household's members about a status change (through the outbox). */
async function notifyHousehold(ctx: CallContext, order: OrderDoc, status: OrderStatus, note = ''): Promise<void> {
  const household = await getDoc(ctx, 'households', order.householdId);
  await enqueue(
    ctx,
    orderStatusMessages(
      household?.memberOpenids ?? [],
      { id: order._id, lines: order.lines, kind: order.kind },
      status,
      note,
    ),
  );
}

/** The order, if the caller may see it: its household's members and its grid's staff. */
async function visibleOrder(
  ctx: UserContext,
  orderId: string,
  /** The order when the caller read it already (`undefined`: read it here). */
  read?: OrderDoc | null,
): Promise<{ order: OrderDoc; asStaff: boolean; user: UserDoc | null }> {
  const order = read === undefined ? await getDoc(ctx, 'orders', orderId) : read;
  if (!order || order.status === 'placing') throw new AppError('COMMON.NOT_FOUND', '没有找到该订单');
  // The member who placed it (themselves, not a gridworker for them) needs no second read.
  if (!order.onBehalf && order.placedBy === ctx.caller.openid) return { order, asStaff: false, user: null };
  const user = await findUser(ctx);
  if (user?.householdId === order.householdId) return { order, asStaff: false, user };
  await requireGridStaff(ctx, order.gridId).catch(() => {
    throw new AppError('COMMON.NOT_FOUND', '没有找到该订单');
  });
  return { order, asStaff: true, user };
}

/**
 * An order with the gridworkers of its grid to contact, in one request: the order joined in the
 * database with its grid and their user records (not the order, then the grid, then the users).
 */
async function orderWithContacts(
  ctx: CallContext,
  orderId: string,
): Promise<{ order: OrderDoc | null; contacts: ContactView[] }> {
  const rows = (
    await ctx.db
      .collection('orders')
      .aggregate()
      .match({ _id: orderId })
      .lookup({ from: 'grids', localField: 'gridId', foreignField: '_id', as: 'grid' })
      .unwind({ path: '$grid', preserveNullAndEmptyArrays: true })
      .lookup({ from: 'users', localField: 'grid.gridworkerIds', foreignField: '_id', as: 'staff' })
      .end()
  ).data as Array<OrderDoc & { grid?: Grid; staff?: UserDoc[] }>;
  const row = rows[0];
  if (!row) return { order: null, contacts: [] };
  const { grid, staff, ...order } = row;
  const mine = new Set(grid?.gridworkerIds ?? []);
  const contacts = (staff ?? [])
    .filter((u) => mine.has(u._id))
    .sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0))
    .map((u): ContactView => ({ role: 'gridworker', name: u.nickName, phone: u.phone ?? null }));
  return { order: order as OrderDoc, contacts };
}

/**
 * The order's timeline in words. A step that keeps the status (a gas swap's 已取空瓶 while the order
 * stays accepted) reads as what happened, not as the status again.
 */
export function historyView(
  history: readonly OrderEventRecord[],
  awaitingPay = false,
): Array<OrderEventRecord & { text: string }> {
  const shown = history.filter((h) => h.status !== 'placing');
  return shown.map((h, i) => {
    const repeat = i > 0 && shown[i - 1]?.status === h.status && Boolean(h.note);
    // A WeChat Pay order not paid yet waits for the payment, not for the gridworker.
    if (awaitingPay && h.status === 'submitted' && !repeat) return { ...h, text: '已下单，待支付' };
    if (!repeat) return { ...h, text: ORDER_STATUS_TEXT[h.status] };
    const { note, ...rest } = h;
    return { ...rest, text: note as string };
  });
}

export const followActions = defineActions('order', {
  'order.mine': {
    input: z.object({ ...pageFields }).strict(),
    async handle(ctx, input) {
      const household = await myHousehold(ctx);
      const _ = ctx.db.command;
      // Newest first; orders placed in the same millisecond are told apart by id (no skips between pages).
      const page = await pageOf(ctx, 'orders', { householdId: household._id, status: _.neq('placing') }, input, [
        { field: 'createdAt', dir: 'desc' },
      ]);
      return mapPage(page, (o) => orderView(o, { mayPay: true, now: ctx.now }));
    },
  },

  'order.detail': {
    input: z.object({ orderId: id }).strict(),
    async handle(ctx, input) {
      const read = await orderWithContacts(ctx, input.orderId);
      const { order, asStaff } = await visibleOrder(ctx, input.orderId, read.order);
      const { contacts } = read;
      return {
        // Its payment with the refunds and their reasons (issue 19); the platform's ids to staff only.
        ...orderView(order, {
          refunds: order.payment === 'wechatPay' ? await all(ctx, 'refunds', { orderId: order._id }) : [],
          staff: asStaff,
          mayPay: !asStaff,
          now: ctx.now,
        }),
        history: historyView(order.history, order.pay?.state === 'awaiting'),
        contacts,
        // 取货码 (issue 4): only the household sees it, while the order is on its way.
        handoverCode:
          !asStaff && (order.status === 'assigned' || order.status === 'pickedUp')
            ? (order.handoverCode ?? null)
            : null,
      };
    },
  },

  'order.cancel': {
    input: z.object({ orderId: id, reason: note(100).optional() }).strict(),
    async handle(ctx, input) {
      const { order, asStaff } = await visibleOrder(ctx, input.orderId);
      const actor = asStaff ? 'gridworker' : 'resident';
      if (order.status === 'cancelled') {
        if (order.release?.state === 'pending') await finishRelease(ctx, order);
        return orderView(order);
      }
      if (!next(ORDER_TRANSITIONS, order.status, 'cancel', actor)) throw new AppError('ORDER.CANNOT_CANCEL');
      const _ = ctx.db.command;
      const now = ctx.now.toISOString();
      const event = {
        status: 'cancelled' as const,
        at: now,
        by: ctx.caller.openid,
        note: input.reason ?? (asStaff ? '网格员取消' : '居民取消'),
      };
      const release = releasePatch(order, now);
      const moved = await transition(ctx.db, 'orders', { _id: order._id }, ORDER_TRANSITIONS, 'cancel', actor, {
        updatedAt: now,
        history: _.push([event]),
        ...release,
      });
      if (!moved.updated) throw new AppError('ORDER.CANNOT_CANCEL');
      // Stock and quota go back exactly once (a release cut short is finished by the sweeper).
      await finishRelease(ctx, { ...order, ...release });
      // WeChat Pay (issue 19): the money goes back, or the unpaid platform order is closed (never fails the cancel).
      if (order.payment === 'wechatPay')
        await refundOnEnd(ctx, order._id, order.status === 'failed' ? 'failedDelivery' : 'cancelled', input.reason);
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
      const moved = await transition(ctx.db, 'orders', { _id: order._id }, ORDER_TRANSITIONS, 'confirm', 'resident', {
        updatedAt: now,
        history: _.push([event]),
      });
      if (!moved.updated) throw notYet();
      return orderView({ ...order, status: 'received', history: [...order.history, event] });
    },
  },
});
