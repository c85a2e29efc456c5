/** Following an order: the household's list, details, cancelling, confirming receipt. */
import { AppError } from '../../../core/errors';
import { next } from '../../../core/state/machine';
import { transition } from '../../lib/transition';
import { ORDER_STATUS_TEXT } from '../../../core/order/labels';
import { ORDER_TRANSITIONS } from '../../../core/order/state-machine';
import type { ContactView } from '../../../typings/api';
import type { OrderDoc, OrderStatus, UserDoc } from '../../../typings/entities';
import { getDoc, mustGet, requireGridStaff, requireResident } from '../../lib/access';
import { releaseHolds } from '../../lib/holds';
import { defineActions, type CallContext, type UserContext } from '../../lib/define-function';
import { enqueue, orderStatusMessages } from '../../lib/outbox';
import { all, mapPage, pageFields, pageOf } from '../../lib/query';
import { findUser } from '../../lib/users';
import { note, z } from '../../lib/validate';
import { id, orderView } from './shared';

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
): Promise<{ order: OrderDoc; asStaff: boolean; user: UserDoc | null }> {
  const order = await getDoc(ctx, 'orders', orderId);
  if (!order || order.status === 'placing') throw new AppError('COMMON.NOT_FOUND', '没有找到该订单');
  const user = await findUser(ctx);
  if (user?.householdId === order.householdId) return { order, asStaff: false, user };
  await requireGridStaff(ctx, order.gridId).catch(() => {
    throw new AppError('COMMON.NOT_FOUND', '没有找到该订单');
  });
  return { order, asStaff: true, user };
}

export const followActions = defineActions('order', {
  'order.mine': {
    input: z.object({ ...pageFields }).strict(),
    async handle(ctx, input) {
      const { household } = await requireResident(ctx);
      const _ = ctx.db.command;
      // Newest first; orders placed in the same millisecond are told apart by id (no skips between pages).
      const page = await pageOf(ctx, 'orders', { householdId: household._id, status: _.neq('placing') }, input, [
        { field: 'createdAt', dir: 'desc' },
      ]);
      return mapPage(page, orderView);
    },
  },

  'order.detail': {
    input: z.object({ orderId: id }).strict(),
    async handle(ctx, input) {
      const { order, asStaff } = await visibleOrder(ctx, input.orderId);
      const _ = ctx.db.command;
      const grid = await mustGet(ctx, 'grids', order.gridId, '网格');
      const staff = grid.gridworkerIds.length ? await all(ctx, 'users', { _id: _.in(grid.gridworkerIds) }) : [];
      const contacts: ContactView[] = staff.map((u) => ({
        role: 'gridworker',
        name: u.nickName,
        phone: u.phone ?? null,
      }));
      return {
        ...orderView(order),
        history: order.history
          .filter((h) => h.status !== 'placing')
          .map((h) => ({ ...h, text: ORDER_STATUS_TEXT[h.status] })),
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
      if (order.status === 'cancelled') return orderView(order);
      if (!next(ORDER_TRANSITIONS, order.status, 'cancel', actor)) throw new AppError('ORDER.CANNOT_CANCEL');
      const _ = ctx.db.command;
      const now = ctx.now.toISOString();
      const event = {
        status: 'cancelled' as const,
        at: now,
        by: ctx.caller.openid,
        note: input.reason ?? (asStaff ? '网格员取消' : '居民取消'),
      };
      const moved = await transition(ctx.db, 'orders', { _id: order._id }, ORDER_TRANSITIONS, 'cancel', actor, {
        updatedAt: now,
        history: _.push([event]),
      });
      if (!moved.updated) throw new AppError('ORDER.CANNOT_CANCEL');
      await releaseHolds(ctx, order);
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
