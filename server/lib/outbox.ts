/**
 * Subscribe messages go through an outbox: a status change writes its messages (one request for
 * all of them) next to the change, and a timer sends them, spending one of the user's
 * one-time grants per message. Nothing is sent to a user who has not accepted the template.
 * In the local cloud the outbox is where tests and developers read what would have been sent.
 */
import { ORDER_STATUS_TEXT } from '../../core/order/labels';
import type { OrderLine, OrderStatus, OutboxDoc, UserDoc } from '../../typings/entities';
import { cloudApp, isLocal } from './cloud';
import type { CallContext } from './define-function';

/** A message to queue. */
export type OutgoingMessage = Pick<OutboxDoc, 'openid' | 'template' | 'page' | 'data'>;

/** Template ids of the mini-program's subscribe messages (set in the function's environment). */
const TEMPLATE_IDS: Record<OutboxDoc['template'], string | undefined> = {
  orderStatus: process.env.GRIDLINK_TPL_ORDER_STATUS,
  joinResult: process.env.GRIDLINK_TPL_JOIN_RESULT,
  notice: process.env.GRIDLINK_TPL_NOTICE,
};

/** The order-status message for each member of a household, opening the order's detail page. */
export function orderStatusMessages(
  openids: readonly string[],
  order: { id: string; lines: readonly Pick<OrderLine, 'name'>[]; kind?: string },
  status: OrderStatus,
  note = '',
): OutgoingMessage[] {
  const name = order.lines[0]?.name ?? (order.kind === 'medicine' ? '药品' : '订单');
  return openids.map((openid) => ({
    openid,
    template: 'orderStatus' as const,
    page: `pages/resident/order-detail/index?id=${order.id}`,
    data: { order: name, status: ORDER_STATUS_TEXT[status], note },
  }));
}

/** Queues messages (one database request, whatever their number). */
export async function enqueue(ctx: CallContext, messages: readonly OutgoingMessage[]): Promise<void> {
  if (messages.length === 0) return;
  const createdAt = ctx.now.toISOString();
  await ctx.db.collection('outbox').add(messages.map((m) => ({ ...m, createdAt, sentAt: null, error: null })));
}

/** Sends queued messages through WeChat (CloudBase only); answers how many were sent. */
export async function drainOutbox(ctx: CallContext, batch = 50): Promise<{ sent: number; skipped: number }> {
  if (isLocal()) return { sent: 0, skipped: 0 };
  const _ = ctx.db.command;
  const queued = (
    await ctx.db.collection('outbox').where({ sentAt: null }).orderBy('createdAt', 'asc').limit(batch).get()
  ).data as OutboxDoc[];
  let sent = 0;
  let skipped = 0;
  for (const msg of queued) {
    const templateId = TEMPLATE_IDS[msg.template];
    // Spend one grant; no grant (or no template configured) means the user did not agree.
    const grant = templateId
      ? await ctx.db
          .collection('users')
          .where({ _id: msg.openid, [`subscriptions.${msg.template}`]: _.gt(0) })
          .update({ [`subscriptions.${msg.template}`]: _.inc(-1) } as Partial<UserDoc>)
      : { updated: 0 };
    let error: string | null = grant.updated ? null : 'not subscribed';
    if (grant.updated) {
      try {
        await cloudApp().callWxOpenApi({
          apiName: 'subscribeMessage.send',
          requestData: {
            touser: msg.openid,
            template_id: templateId,
            page: msg.page,
            data: Object.fromEntries(Object.entries(msg.data).map(([k, v]) => [k, { value: v }])),
          },
        });
        sent += 1;
      } catch (e) {
        error = String((e as Error).message ?? e).slice(0, 200);
      }
    }
    if (error) skipped += 1;
    await ctx.db
      .collection('outbox')
      .where({ _id: msg._id, sentAt: null })
      .update({ sentAt: ctx.now.toISOString(), error });
  }
  return { sent, skipped };
}
