/**
 * Refunds that follow an order's changes (issue 19), and the order timer's part of WeChat Pay.
 *
 * A refund is decided once: its RefundDoc's `_id` is the outRefundNo (core/payment/ids.ts,
 * deterministic per order and change), its amount is counted into the order's `pay.refundedFen`
 * once (`pay.refundIds`, conditional on the amount read), never past what was paid; then the
 * platform is asked (`cloudPay.refund`, the same outRefundNo on every retry, as WeChat Pay requires)
 * and asked again (`queryRefund`) until it confirms, with backoff, from the order function's timer.
 *
 * The hooks (`refundOnEnd`, `refundShortfall`) never fail the change they follow: the change is
 * already written; what the platform refused is retried by `payTimer`, which also cancels unpaid
 * orders past their expiry (after asking the platform: a payment that arrived is kept) and catches
 * any ended, paid order a hook missed.
 */
import { REFUND_RETRY_MAX_MS, REFUND_RETRY_MS } from '../../core/policy';
import { refundFen, shortfallFen } from '../../core/payment/amount';
import { outRefundNo } from '../../core/payment/ids';
import { stateAfterRefund } from '../../core/payment/state';
import { ORDER_TRANSITIONS } from '../../core/order/state-machine';
import type { OrderDoc, RefundDoc, RefundReason } from '../../typings/entities';
import { REFUND_REASON_LABELS } from '../../typings/values';
import { getDoc } from './access';
import { isDuplicateError } from './db-errors';
import type { CallContext } from './define-function';
import { finishRelease, releasePatch } from './holds';
import {
  closeTrade,
  nonce,
  payConfig,
  PAY_CALLBACK_FUNCTION,
  queryTrade,
  settlePayment,
  tradeMatches,
} from './payments';
import { enqueue, orderStatusMessages } from './outbox';
import { all } from './query';
import { transition } from './transition';
import { callWxPay } from './wechat';

/** How many refunds or expired orders one timer run handles at most (the rest next minute). */
const BATCH = 50;

const log = (what: string, error: unknown) => console.error(`[gridlink] ${what}`, error);

function backoff(attempts: number): number {
  return Math.min(REFUND_RETRY_MS * 2 ** Math.max(0, attempts - 1), REFUND_RETRY_MAX_MS);
}

// ── deciding a refund ──

/**
 * Counts a refund into its order's `pay.refundedFen` exactly once, never past the paid amount.
 * Answers false when the order cannot take it (nothing paid, or it would exceed what is left).
 */
async function reserve(ctx: CallContext, refund: RefundDoc): Promise<boolean> {
  for (let tries = 0; tries < 4; tries += 1) {
    const order = await getDoc(ctx, 'orders', refund.orderId);
    const p = order?.pay;
    if (!order || !p || !p.transactionId) return false;
    if ((p.refundIds ?? []).includes(refund._id)) return true;
    if (p.refundedFen + refund.amountFen > p.amountFen) return false;
    const to = p.state === 'closed' ? 'refunded' : stateAfterRefund(p.amountFen, p.refundedFen, refund.amountFen);
    const _ = ctx.db.command;
    const res = await ctx.db
      .collection('orders')
      .where({ _id: order._id, 'pay.refundedFen': p.refundedFen, 'pay.transactionId': p.transactionId })
      .update({
        'pay.refundedFen': p.refundedFen + refund.amountFen,
        'pay.state': to,
        'pay.refundIds': _.push([refund._id]),
        updatedAt: ctx.now.toISOString(),
      });
    if (res.updated) return true;
  }
  return false;
}

/** Writes (or finds) a refund, counts it into the order once, and asks the platform. */
async function decide(
  ctx: CallContext,
  order: OrderDoc,
  reason: RefundReason,
  amountFen: number,
  key: string,
  reasonText: string,
): Promise<RefundDoc | null> {
  const p = order.pay;
  if (!p || amountFen <= 0) return null;
  const now = ctx.now.toISOString();
  const doc: RefundDoc = {
    _id: outRefundNo(order._id, reason, key),
    communityId: order.communityId,
    orderId: order._id,
    roundId: order.roundId,
    householdId: order.householdId,
    outTradeNo: p.outTradeNo,
    totalFen: p.amountFen,
    amountFen,
    reason,
    reasonText: reasonText.slice(0, 200),
    state: 'pending',
    refundId: null,
    attempts: 0,
    nextAttemptAt: now,
    lastError: null,
    createdAt: now,
    doneAt: null,
  };
  let refund = doc;
  try {
    await ctx.db.collection('refunds').add(doc);
  } catch (error) {
    if (!isDuplicateError(error)) throw error;
    refund = (await getDoc(ctx, 'refunds', doc._id)) ?? doc;
  }
  if (!(await reserve(ctx, refund))) {
    // Only a race can bring this here (each amount is computed from what is left): never over-refund.
    await ctx.db
      .collection('refunds')
      .where({ _id: refund._id, state: 'pending', refundId: null })
      .update({ state: 'failed', nextAttemptAt: null, lastError: '超过可退金额，未退款' });
    return (await getDoc(ctx, 'refunds', refund._id)) ?? refund;
  }
  return submitRefund(ctx, refund);
}

// ── asking the platform ──

interface RefundStatus {
  status: string;
  refundId: string;
}

async function queryRefund(outRefundNoValue: string): Promise<RefundStatus | null> {
  const { subMchId } = payConfig();
  const res = (await callWxPay('cloudPay.queryRefund', {
    sub_mch_id: subMchId,
    nonce_str: nonce(),
    out_refund_no: outRefundNoValue,
  })) as Record<string, unknown> & { errcode: number };
  if (res.errcode !== 0 || res.returnCode !== 'SUCCESS' || res.resultCode !== 'SUCCESS') return null;
  const nos = Array.isArray(res.outRefundNoList) ? (res.outRefundNoList as unknown[]) : [];
  const i = nos.indexOf(outRefundNoValue);
  if (i < 0) return null;
  const pick = (k: string) => (Array.isArray(res[k]) ? String((res[k] as unknown[])[i] ?? '') : '');
  return { status: pick('refundStatusList'), refundId: pick('refundIdList') };
}

/**
 * Asks the platform to refund (or, once it accepted, whether it is done), and writes what it said.
 * The same outRefundNo every time: the platform refunds it once however often it is asked.
 */
export async function submitRefund(ctx: CallContext, refund: RefundDoc): Promise<RefundDoc> {
  if (refund.state === 'done') return refund;
  const refunds = ctx.db.collection('refunds');
  const now = ctx.now.toISOString();
  const attempts = refund.attempts + 1;
  const later = new Date(ctx.now.getTime() + backoff(attempts)).toISOString();
  const { subMchId, envId } = payConfig();
  let error = '';
  let refundId = refund.refundId;
  if (!refundId) {
    const res = (await callWxPay('cloudPay.refund', {
      sub_mch_id: subMchId,
      nonce_str: nonce(),
      out_trade_no: refund.outTradeNo,
      out_refund_no: refund._id,
      total_fee: refund.totalFen,
      refund_fee: refund.amountFen,
      refund_desc: REFUND_REASON_LABELS[refund.reason],
      envId,
      functionName: PAY_CALLBACK_FUNCTION,
    })) as Record<string, unknown> & { errcode: number; errmsg: string };
    if (res.errcode === 0 && res.returnCode === 'SUCCESS' && res.resultCode === 'SUCCESS') {
      refundId = String(res.refundId ?? '') || null;
    } else {
      error = String(res.errCodeDes ?? res.returnMsg ?? res.errmsg ?? 'refund refused').slice(0, 200);
    }
  }
  let status: RefundStatus | null = null;
  if (!error) {
    status = await queryRefund(refund._id);
    if (status?.refundId) refundId = status.refundId;
  }
  let patch: Partial<RefundDoc>;
  if (status?.status === 'SUCCESS') {
    patch = { state: 'done', refundId, doneAt: now, nextAttemptAt: null, lastError: null, attempts };
  } else if (error || status?.status === 'CHANGE' || status?.status === 'REFUNDCLOSE') {
    patch = { state: 'failed', nextAttemptAt: later, lastError: error || `平台退款状态：${status?.status}`, attempts };
  } else {
    patch = { state: 'processing', refundId, nextAttemptAt: later, lastError: null, attempts };
  }
  const wrote = await refunds.where({ _id: refund._id, state: refund.state, attempts: refund.attempts }).update(patch);
  if (wrote.updated && patch.state === 'done') await announceRefund(ctx, refund);
  return (await getDoc(ctx, 'refunds', refund._id)) ?? { ...refund, ...patch };
}

/**
 * Tells the household the money is back (once: only the write that made the refund done calls
 * this), with how much and why — the same words the order detail shows.
 */
async function announceRefund(ctx: CallContext, refund: RefundDoc): Promise<void> {
  const order = await getDoc(ctx, 'orders', refund.orderId);
  const household = order ? await getDoc(ctx, 'households', order.householdId) : null;
  if (!order || !household || order.status === 'placing') return;
  const yuan = (refund.amountFen / 100).toFixed(2);
  await enqueue(
    ctx,
    orderStatusMessages(
      household.memberOpenids,
      { id: order._id, lines: order.lines, kind: order.kind, communityId: order.communityId },
      order.status,
      `已退款¥${yuan}：${REFUND_REASON_LABELS[refund.reason]}`,
    ),
  );
}

/** A refund the platform says is done (its callback, verified by `queryRefund`). */
export async function confirmRefund(ctx: CallContext, outRefundNoValue: string): Promise<boolean> {
  const refund = await getDoc(ctx, 'refunds', outRefundNoValue);
  if (!refund) return false;
  if (refund.state === 'done') return true;
  const status = await queryRefund(refund._id);
  if (status?.status !== 'SUCCESS') return false;
  const now = ctx.now.toISOString();
  const wrote = await ctx.db
    .collection('refunds')
    .where({ _id: refund._id, state: ctx.db.command.neq('done') })
    .update({
      state: 'done',
      refundId: status.refundId || refund.refundId,
      doneAt: now,
      nextAttemptAt: null,
      lastError: null,
    });
  if (wrote.updated) await announceRefund(ctx, refund);
  return true;
}

// ── the changes that refund ──

/** Why an order that ended gives the money back. */
export type EndReason = Extract<RefundReason, 'rejected' | 'cancelled' | 'failedDelivery' | 'expired'>;

/** The reason of an order that ended, from its last status and the event that ended it. */
export function endReasonOf(order: Pick<OrderDoc, 'status' | 'history'>, previous?: string): EndReason {
  if (order.status === 'rejected') return 'rejected';
  const last = order.history[order.history.length - 1];
  if (last?.by === 'system' && last.note === EXPIRED_NOTE) return 'expired';
  if (previous === 'failed' || order.history.some((h) => h.status === 'failed')) return 'failedDelivery';
  return 'cancelled';
}

/** The timeline note of an order cancelled because it was not paid in time. */
export const EXPIRED_NOTE = '支付超时，自动取消';

/**
 * An order ended without delivery (rejected, cancelled, cancelled after a failed delivery, expired):
 * unpaid, its platform order is closed (a payment that got there first is refunded); paid, what is
 * left of the payment goes back. Never throws: what fails is retried by the timer.
 */
export async function refundOnEnd(ctx: CallContext, orderId: string, reason?: EndReason, text?: string): Promise<void> {
  try {
    const order = await getDoc(ctx, 'orders', orderId);
    if (!order || order.payment !== 'wechatPay' || !order.pay) return;
    if (order.status !== 'cancelled' && order.status !== 'rejected') return;
    const why = reason ?? endReasonOf(order);
    const p = order.pay;
    if (p.state === 'awaiting') {
      const closed = await closeTrade(p.outTradeNo);
      if (closed === 'paid') {
        await settlePayment(ctx, order, refundLatePayment);
        return;
      }
      await ctx.db
        .collection('orders')
        .where({ _id: order._id, 'pay.outTradeNo': p.outTradeNo, 'pay.state': 'awaiting' })
        .update({ 'pay.state': 'closed', updatedAt: ctx.now.toISOString() });
      // The money may have landed between our close and our write: settle checks with the platform.
      return;
    }
    if (!p.transactionId) return;
    const left = refundFen(p, { reason: why === 'expired' ? 'expired' : why });
    const label = REFUND_REASON_LABELS[why];
    await decide(ctx, order, why, left, p.outTradeNo, text ? `${label}：${text}` : label);
  } catch (error) {
    log(`refund of ${orderId} (${reason ?? 'end'})`, error);
  }
}

/** A payment that arrived for an order already closed or ended: all of it goes back. */
export async function refundLatePayment(ctx: CallContext, order: OrderDoc): Promise<void> {
  const p = order.pay;
  if (!p?.transactionId) return;
  const why: EndReason = order.status === 'rejected' ? 'rejected' : endReasonOf(order);
  const left = refundFen(p, { reason: why });
  await decide(ctx, order, why, left, p.outTradeNo, `${REFUND_REASON_LABELS[why]}，已付款项原路退回`);
}

/**
 * A shortfall counted at the door (the order's `shortfall`): exactly what is missing (short lines ×
 * unit price) minus what earlier shortfall refunds of the order gave back. Never throws.
 */
export async function refundShortfall(ctx: CallContext, orderId: string): Promise<void> {
  try {
    const order = await getDoc(ctx, 'orders', orderId);
    if (!order || order.payment !== 'wechatPay' || !order.pay?.transactionId) return;
    const short = order.shortfall ?? [];
    if (!short.length) return;
    const worth = shortfallFen(order.lines, short);
    // What earlier shortfall refunds of the order took (those counted into the order's refunded amount).
    const counted = new Set(order.pay.refundIds ?? []);
    const earlier = await all(ctx, 'refunds', { orderId, reason: 'shortfall' });
    const already = earlier.filter((r) => counted.has(r._id)).reduce((s, r) => s + r.amountFen, 0);
    const amount = refundFen(order.pay, { reason: 'shortfall', shortfallFen: worth, alreadyFen: already });
    const text = short.map((s) => `${s.name}少${s.expected - s.counted}${s.unit}`).join('，');
    await decide(ctx, order, 'shortfall', amount, String(worth), `缺货：${text}`);
  } catch (error) {
    log(`shortfall refund of ${orderId}`, error);
  }
}

// ── the timer ──

/**
 * Cancels one unpaid order past its expiry, exactly once, as the system — after asking the platform:
 * paid meanwhile, it is kept (and marked paid); otherwise the platform order is closed first, so no
 * payment can land after, and stock and quota go back once.
 */
export async function expireUnpaid(ctx: CallContext, order: OrderDoc): Promise<'paid' | 'cancelled' | 'skipped'> {
  const p = order.pay;
  if (!p || p.state !== 'awaiting' || Date.parse(p.expiresAt) > ctx.now.getTime()) return 'skipped';
  // Ended another way meanwhile (a round closed, a gridworker cancelled): only the platform order is closed.
  if (order.status !== 'submitted') {
    await refundOnEnd(ctx, order._id);
    return 'skipped';
  }
  const trade = await queryTrade(p.outTradeNo);
  if (tradeMatches(order, trade)) {
    const s = await settlePayment(ctx, order, refundLatePayment, trade);
    return s.result === 'paid' || s.result === 'alreadyPaid' ? 'paid' : 'skipped';
  }
  if ((await closeTrade(p.outTradeNo)) === 'paid') {
    const s = await settlePayment(ctx, order, refundLatePayment);
    return s.result === 'paid' ? 'paid' : 'skipped';
  }
  const _ = ctx.db.command;
  const now = ctx.now.toISOString();
  const release = releasePatch(order, now);
  const event = { status: 'cancelled' as const, at: now, by: 'system', note: EXPIRED_NOTE };
  const moved = await transition(
    ctx.db,
    'orders',
    { _id: order._id, 'pay.state': 'awaiting', 'pay.outTradeNo': p.outTradeNo },
    ORDER_TRANSITIONS,
    'cancel',
    'system',
    { 'pay.state': 'closed', updatedAt: now, history: _.push([event]), ...release },
  );
  if (!moved.updated) return 'skipped';
  await finishRelease(ctx, { ...order, ...release });
  return 'cancelled';
}

/**
 * The order timer's WeChat Pay part (every minute): expires unpaid orders, retries and confirms
 * refunds, and refunds ended paid orders a hook missed. Each item on its own: one failing stops none.
 */
export async function payTimer(
  ctx: CallContext,
): Promise<{ expired: number; kept: number; refunds: number; cancelled: OrderDoc[] }> {
  const _ = ctx.db.command;
  const now = ctx.now.toISOString();
  const out = { expired: 0, kept: 0, refunds: 0, cancelled: [] as OrderDoc[] };
  if (!payConfig().subMchId) return out;

  const due = await all(ctx, 'orders', { 'pay.state': 'awaiting', 'pay.expiresAt': _.lte(now) });
  for (const order of due.slice(0, BATCH)) {
    try {
      const r = await expireUnpaid(ctx, order);
      if (r === 'cancelled') {
        out.expired += 1;
        out.cancelled.push(order);
      }
      if (r === 'paid') out.kept += 1;
    } catch (error) {
      log(`expiring ${order._id}`, error);
    }
  }

  const retry = await all(ctx, 'refunds', {
    state: _.in(['pending', 'processing', 'failed']),
    nextAttemptAt: _.lte(now),
  });
  for (const refund of retry.slice(0, BATCH)) {
    try {
      if (!(await reserve(ctx, refund))) continue;
      await submitRefund(ctx, refund);
      out.refunds += 1;
    } catch (error) {
      log(`refund ${refund._id}`, error);
    }
  }

  // Ended with money left and no refund decided, or unpaid with the platform order open: a hook cut
  // short (crash, platform down) or a path without one (a round closed).
  const ended = await all(ctx, 'orders', {
    'pay.state': _.in(['awaiting', 'paid', 'partlyRefunded']),
    status: _.in(['cancelled', 'rejected']),
  });
  for (const order of ended.slice(0, BATCH)) await refundOnEnd(ctx, order._id);
  // Closed unpaid orders whose payment was recorded but not yet refunded.
  const late = await all(ctx, 'orders', { 'pay.state': 'closed', 'pay.transactionId': _.neq(null) });
  for (const order of late.slice(0, BATCH)) {
    try {
      await refundLatePayment(ctx, order);
    } catch (error) {
      log(`late payment of ${order._id}`, error);
    }
  }
  return out;
}
