/** Ordering's timers: finish or undo placements and releases a crash cut short, confirm receipt nobody confirmed, send queued messages. */
import { AUTO_CONFIRM_MS, PLACING_TIMEOUT_MS } from '../../../core/policy';
import { transition } from '../../lib/transition';
import { ORDER_TRANSITIONS } from '../../../core/order/state-machine';
import { type CallContext } from '../../lib/define-function';
import { sweepHolds } from '../../lib/holds';
import { drainOutbox, enqueue, orderStatusMessages } from '../../lib/outbox';
import { getByIds } from '../../lib/access';
import { updateLiveMessages } from '../../lib/live-message';
import { payTimer } from '../../lib/refunds';

/**
 * Undoes placements a crash cut short (stock and quota go back; the order never existed), finishes
 * releases of cancelled or rejected orders cut short, and clears markers nobody needs any more.
 */
export async function sweepPlacing(ctx: CallContext): Promise<{ undone: number; settled: number; released: number }> {
  return sweepHolds(ctx, PLACING_TIMEOUT_MS);
}

/** Confirms receipt of orders delivered a day ago that nobody confirmed. */
export async function autoConfirm(ctx: CallContext): Promise<{ confirmed: number }> {
  const _ = ctx.db.command;
  const now = ctx.now.toISOString();
  const cutoff = new Date(ctx.now.getTime() - AUTO_CONFIRM_MS).toISOString();
  const event = { status: 'received' as const, at: now, by: 'system', note: '超时自动确认收货' };
  const moved = await transition(
    ctx.db,
    'orders',
    { updatedAt: _.lt(cutoff) },
    ORDER_TRANSITIONS,
    'confirm',
    'system',
    { updatedAt: now, history: _.push([event]) },
  );
  return { confirmed: moved.updated };
}

/** Sends queued subscribe messages. */
export const sendMessages = (ctx: CallContext) => drainOutbox(ctx);

/**
 * WeChat Pay (issue 19): cancels unpaid orders past their expiry (after asking the platform), retries
 * and confirms refunds; the households of orders cancelled for not being paid are told (outbox).
 */
export async function payments(ctx: CallContext): Promise<{ expired: number; kept: number; refunds: number }> {
  const { cancelled, ...counts } = await payTimer(ctx);
  if (cancelled.length) {
    const households = await getByIds(
      ctx,
      'households',
      cancelled.map((o) => o.householdId),
    );
    const members = new Map(households.map((h) => [h._id, h.memberOpenids]));
    await enqueue(
      ctx,
      cancelled.flatMap((o) =>
        orderStatusMessages(
          members.get(o.householdId) ?? [],
          { id: o._id, lines: o.lines, kind: o.kind },
          'cancelled',
          '超时未支付，订单已自动取消',
        ),
      ),
    );
  }
  return counts;
}

/**
 * The order function's one timer trigger (the platform allows one per function): each part runs
 * on its own, so one failing never stops the others; the first failure is rethrown after all ran.
 */
export async function everyMinute(ctx: CallContext): Promise<{ undone: number; confirmed: number; sent: unknown }> {
  await updateLiveMessages(ctx).catch((error: unknown) => console.error('[gridlink] live group messages', error));
  const parts = await Promise.allSettled([sweepPlacing(ctx), autoConfirm(ctx), sendMessages(ctx), payments(ctx)]);
  const failed = parts.find((p): p is PromiseRejectedResult => p.status === 'rejected');
  if (failed) throw failed.reason;
  const [swept, confirmed, sent] = parts as [
    PromiseFulfilledResult<{ undone: number }>,
    PromiseFulfilledResult<{ confirmed: number }>,
    PromiseFulfilledResult<unknown>,
    PromiseFulfilledResult<unknown>,
  ];
  return { undone: swept.value.undone, confirmed: confirmed.value.confirmed, sent: sent.value };
}
