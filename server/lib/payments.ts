/**
 * WeChat Pay through CloudBase's cloud payment (issue 19): the platform calls (`cloudPay.*` through
 * server/lib/wechat.ts `callWxPay`), getting payment parameters for an order, and believing the
 * platform only. An order becomes paid in one place, `settlePayment`, and only after the server
 * itself asked the platform (`queryOrder`) and checked the order number, the amount, the merchant
 * and the trade state; the write is conditional, so repeated or racing callbacks mark it once.
 * Money that arrives for an order already closed (expired or cancelled unpaid) is refunded whole.
 */
import { randomBytes } from 'node:crypto';
import { AppError } from '../../core/errors';
import { MAX_PAY_ATTEMPTS, outTradeNo as tradeNoOf } from '../../core/payment/ids';
import { isPaid } from '../../core/payment/state';
import { payable } from '../../core/payment/view';
import type { PayParamsView, WxPaymentParams } from '../../typings/api';
import type { OrderDoc, OrderPay } from '../../typings/entities';
import { getDoc } from './access';
import { isLocal } from './cloud';
import type { CallContext } from './define-function';
import { callWxPay, WX_TRANSPORT_ERROR } from './wechat';

/** The function CloudBase calls with payment and refund notifications. */
export const PAY_CALLBACK_FUNCTION = 'payment';

/** The merchant example number the local stand-in is configured with when none is set. */
export const LOCAL_SUB_MCH_ID = '1900000109';

/** The merchant number bound to the environment (云开发控制台 → 微信支付配置) and the environment id. */
export function payConfig(): { subMchId: string; envId: string } {
  const subMchId = (process.env.GRIDLINK_PAY_SUB_MCH_ID ?? '').trim() || (isLocal() ? LOCAL_SUB_MCH_ID : '');
  const envId = process.env.TCB_ENV || process.env.SCF_NAMESPACE || 'gridlink-local';
  return { subMchId, envId };
}

function requireSubMch(): string {
  const { subMchId } = payConfig();
  if (!subMchId) throw new AppError('PAY.UNAVAILABLE', '社区还没有开通微信支付，请选择货到付现金或转账');
  return subMchId;
}

/** A nonce for one platform call (≤32 characters). */
export const nonce = (): string => randomBytes(16).toString('hex');

/** What the platform's answer says, uniformly: communication, business result, WeChat Pay's error code. */
interface PayAnswer {
  /** Reached the platform and it answered (returnCode SUCCESS). */
  reached: boolean;
  /** The business result (resultCode SUCCESS). */
  ok: boolean;
  /** WeChat Pay's err_code (ORDERPAID, ORDERCLOSED, ORDERNOTEXIST, …), or '' */
  code: string;
  message: string;
  raw: Record<string, unknown>;
}

async function pay(apiName: string, request: Record<string, unknown>): Promise<PayAnswer> {
  const res = (await callWxPay(apiName, request)) as Record<string, unknown> & { errcode: number; errmsg: string };
  const reached = res.errcode === 0 && res.returnCode === 'SUCCESS';
  // WeChat Pay's err_code (camel-cased `errCode`; the SDK's own `errCode` is 0 on a call that went through).
  const raw = res.err_code ?? res.errCode;
  const code = raw === undefined || raw === null || raw === 0 ? '' : String(raw);
  return {
    reached,
    ok: reached && res.resultCode === 'SUCCESS',
    code: reached ? code : res.errcode === WX_TRANSPORT_ERROR ? 'TRANSPORT' : String(res.errcode),
    message: String(res.errCodeDes ?? res.returnMsg ?? res.errmsg ?? ''),
    raw: res,
  };
}

// ── the platform's calls ──

/** The platform's view of one platform order. */
export interface PlatformTrade {
  outTradeNo: string;
  /** SUCCESS, REFUND, NOTPAY, CLOSED, USERPAYING, PAYERROR, … */
  tradeState: string;
  totalFee: number;
  subMchId: string;
  transactionId: string;
  timeEnd: string;
}

/** Asks the platform about an order number: its trade, `null` when the platform has none, or throws PAY.UNAVAILABLE. */
export async function queryTrade(outTradeNo: string): Promise<PlatformTrade | null> {
  const subMchId = requireSubMch();
  const a = await pay('cloudPay.queryOrder', { sub_mch_id: subMchId, out_trade_no: outTradeNo, nonce_str: nonce() });
  if (a.reached && a.code === 'ORDERNOTEXIST') return null;
  if (!a.ok) throw new AppError('PAY.UNAVAILABLE', `微信支付查询失败，请稍后再试（${a.code || a.message}）`);
  return {
    outTradeNo: String(a.raw.outTradeNo ?? ''),
    tradeState: String(a.raw.tradeState ?? ''),
    totalFee: Number(a.raw.totalFee),
    subMchId: String(a.raw.subMchId ?? ''),
    transactionId: String(a.raw.transactionId ?? ''),
    timeEnd: String(a.raw.timeEnd ?? ''),
  };
}

/** Closes an unpaid platform order: `closed`, or `paid` when the money arrived first. */
export async function closeTrade(outTradeNo: string): Promise<'closed' | 'paid'> {
  const subMchId = requireSubMch();
  const a = await pay('cloudPay.closeOrder', { sub_mch_id: subMchId, out_trade_no: outTradeNo, nonce_str: nonce() });
  if (a.ok || a.code === 'ORDERCLOSED' || a.code === 'ORDERNOTEXIST') return 'closed';
  if (a.code === 'ORDERPAID') return 'paid';
  throw new AppError('PAY.UNAVAILABLE', `微信支付关单失败（${a.code || a.message}）`);
}

/** Whether the platform's trade is exactly this order's payment: number, amount, merchant, state. */
export function tradeMatches(order: Pick<OrderDoc, 'pay'>, trade: PlatformTrade | null): boolean {
  const p = order.pay;
  return Boolean(
    p &&
    trade &&
    trade.outTradeNo === p.outTradeNo &&
    (trade.tradeState === 'SUCCESS' || trade.tradeState === 'REFUND') &&
    trade.totalFee === p.amountFen &&
    trade.subMchId === payConfig().subMchId &&
    trade.transactionId,
  );
}

/** yyyyMMddHHmmss (China time) → ISO; anything else: `fallback`. */
function timeEndIso(timeEnd: string, fallback: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(timeEnd);
  if (!m) return fallback;
  const t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+08:00`);
  return Number.isNaN(t) ? fallback : new Date(t).toISOString();
}

// ── believing the platform ──

/** What settling a payment did. */
export type Settled = 'paid' | 'alreadyPaid' | 'latePaymentRefunded' | 'notPaid' | 'mismatch' | 'unknownOrder';

/**
 * The one way an order becomes paid: asks the platform about the order's current platform order,
 * checks it, and marks it paid with a conditional update (awaiting → paid, once). A payment for an
 * order closed meanwhile is recorded and refunded whole (`onLatePayment`, server/lib/refunds.ts).
 */
export async function settlePayment(
  ctx: CallContext,
  order: OrderDoc,
  onLatePayment: (ctx: CallContext, order: OrderDoc) => Promise<void>,
  known?: PlatformTrade | null,
): Promise<{ result: Settled; order: OrderDoc }> {
  const p = order.pay;
  if (order.payment !== 'wechatPay' || !p) return { result: 'unknownOrder', order };
  if (p.transactionId) return { result: 'alreadyPaid', order };
  const trade = known !== undefined ? known : await queryTrade(p.outTradeNo);
  const now = ctx.now.toISOString();
  if (!trade || trade.tradeState === 'NOTPAY' || trade.tradeState === 'USERPAYING' || trade.tradeState === 'CLOSED') {
    await ctx.db
      .collection('orders')
      .where({ _id: order._id, 'pay.outTradeNo': p.outTradeNo })
      .update({ 'pay.checkedAt': now });
    return { result: 'notPaid', order };
  }
  if (!trade || !tradeMatches(order, trade)) {
    console.error(`[gridlink] payment of ${order._id} does not match the order`, {
      outTradeNo: trade.outTradeNo,
      tradeState: trade.tradeState,
      totalFee: trade.totalFee,
      expected: p.amountFen,
    });
    return { result: 'mismatch', order };
  }
  const paidAt = timeEndIso(trade.timeEnd, now);
  const orders = ctx.db.collection('orders');
  const paid = await orders
    .where({ _id: order._id, 'pay.outTradeNo': p.outTradeNo, 'pay.state': 'awaiting', 'pay.transactionId': null })
    .update({
      'pay.state': 'paid',
      'pay.transactionId': trade.transactionId,
      'pay.paidAt': paidAt,
      'pay.checkedAt': now,
      updatedAt: now,
    });
  if (paid.updated) {
    // The order as it is now: `order` may be a snapshot read before a cancel or rejection landed.
    const current = (await getDoc(ctx, 'orders', order._id)) ?? order;
    const fresh: OrderDoc = {
      ...current,
      pay: { ...(current.pay ?? p), state: 'paid', transactionId: trade.transactionId, paidAt },
    };
    // Paid, but the order ended meanwhile (a cancel raced the payment): the money goes back.
    if (fresh.status === 'cancelled' || fresh.status === 'rejected') await onLatePayment(ctx, fresh);
    return { result: 'paid', order: fresh };
  }
  // Closed before the money arrived (expired, cancelled): record the payment, then refund it whole.
  const late = await orders
    .where({ _id: order._id, 'pay.outTradeNo': p.outTradeNo, 'pay.state': 'closed', 'pay.transactionId': null })
    .update({ 'pay.transactionId': trade.transactionId, 'pay.paidAt': paidAt, 'pay.checkedAt': now, updatedAt: now });
  const again = (await getDoc(ctx, 'orders', order._id)) ?? order;
  if (late.updated || (again.pay?.state === 'closed' && again.pay.transactionId)) {
    await onLatePayment(ctx, again);
    return { result: 'latePaymentRefunded', order: (await getDoc(ctx, 'orders', order._id)) ?? again };
  }
  return { result: 'alreadyPaid', order: again };
}

// ── paying ──

function payBody(order: OrderDoc): string {
  const first = order.lines[0]?.name ?? '订单';
  const text = order.lines.length > 1 ? `网格通-${first}等${order.lines.length}件` : `网格通-${first}`;
  return text.slice(0, 40);
}

function paramsOf(raw: Record<string, unknown>): WxPaymentParams | null {
  const p = raw.payment as Record<string, unknown> | undefined;
  if (!p || typeof p !== 'object') return null;
  const keys = ['timeStamp', 'nonceStr', 'package', 'signType', 'paySign'] as const;
  if (!keys.every((k) => typeof p[k] === 'string' && p[k])) return null;
  return {
    timeStamp: String(p.timeStamp),
    nonceStr: String(p.nonceStr),
    package: String(p.package),
    signType: String(p.signType),
    paySign: String(p.paySign),
  };
}

/** Moves an order to its next platform order number (the current one is closed), once per attempt. */
async function nextAttempt(ctx: CallContext, order: OrderDoc, payer: string): Promise<OrderDoc> {
  const p = order.pay as OrderPay;
  if (p.attempt >= MAX_PAY_ATTEMPTS) throw new AppError('PAY.UNAVAILABLE', '支付尝试次数过多，请联系网格员');
  const attempt = p.attempt + 1;
  const outTradeNo = tradeNoOf(order._id, attempt);
  await ctx.db
    .collection('orders')
    .where({ _id: order._id, 'pay.outTradeNo': p.outTradeNo, 'pay.state': 'awaiting' })
    .update({ 'pay.attempt': attempt, 'pay.outTradeNo': outTradeNo, 'pay.payerOpenid': payer, 'pay.prepayId': null });
  const fresh = await getDoc(ctx, 'orders', order._id);
  if (!fresh?.pay) throw new AppError('COMMON.NOT_FOUND', '没有找到该订单');
  return fresh;
}

/**
 * Payment parameters for `payer` (the platform context's openid). Same payer and platform order:
 * the platform answers the same prepay (fresh signature); another payer, or a platform order closed:
 * the current one is closed and the next number ordered. Anything paid meanwhile is settled first.
 */
export async function prepay(
  ctx: CallContext,
  order: OrderDoc,
  payer: string,
  onLatePayment: (ctx: CallContext, order: OrderDoc) => Promise<void>,
): Promise<PayParamsView> {
  if (order.payment !== 'wechatPay' || !order.pay)
    throw new AppError('ORDER.BAD_STATE', '这笔订单不是微信支付订单，无需在线支付');
  if (isPaid(order.pay.state) || order.pay.state === 'refunded')
    throw new AppError('ORDER.BAD_STATE', '这笔订单已经支付过了');
  if (!payable(order, ctx.now)) {
    throw order.pay.state === 'closed' ||
      order.status === 'cancelled' ||
      Date.parse(order.pay.expiresAt) <= ctx.now.getTime()
      ? new AppError('PAY.EXPIRED')
      : new AppError('ORDER.BAD_STATE', '订单状态已变化，不能再支付');
  }
  const subMchId = requireSubMch();
  const { envId } = payConfig();
  let current = order;
  /** Closes the current platform order (money that got there first is settled) and moves to the next number. */
  const retire = async (o: OrderDoc): Promise<OrderDoc> => {
    if ((await closeTrade((o.pay as OrderPay).outTradeNo)) === 'paid') {
      await settlePayment(ctx, o, onLatePayment);
      throw new AppError('ORDER.BAD_STATE', '这笔订单已经支付过了');
    }
    return nextAttempt(ctx, o, payer);
  };
  for (let round = 0; round < 3; round += 1) {
    const p = current.pay as OrderPay;
    if (p.payerOpenid && p.payerOpenid !== payer && p.prepayId) {
      // Another payer's prepay: close it first (a platform order belongs to one openid).
      current = await retire(current);
      continue;
    }
    if (p.payerOpenid !== payer) {
      await ctx.db
        .collection('orders')
        .where({ _id: current._id, 'pay.outTradeNo': p.outTradeNo, 'pay.state': 'awaiting' })
        .update({ 'pay.payerOpenid': payer });
    }
    const a = await pay('cloudPay.unifiedOrder', {
      body: payBody(current),
      outTradeNo: p.outTradeNo,
      spbillCreateIp: '127.0.0.1',
      subMchId,
      totalFee: p.amountFen,
      envId,
      functionName: PAY_CALLBACK_FUNCTION,
      nonceStr: nonce(),
      tradeType: 'JSAPI',
      openid: payer,
      attach: current._id.slice(0, 127),
    });
    const params = a.ok ? paramsOf(a.raw) : null;
    if (params) {
      const prepayId = String(a.raw.prepayId ?? params.package.replace(/^prepay_id=/, ''));
      await ctx.db
        .collection('orders')
        .where({ _id: current._id, 'pay.outTradeNo': p.outTradeNo, 'pay.state': 'awaiting' })
        .update({ 'pay.prepayId': prepayId, 'pay.payerOpenid': payer });
      return { orderId: current._id, payment: params, totalFen: p.amountFen, expiresAt: p.expiresAt };
    }
    if (a.code === 'ORDERPAID') {
      await settlePayment(ctx, current, onLatePayment);
      throw new AppError('ORDER.BAD_STATE', '这笔订单已经支付过了');
    }
    if (a.code === 'ORDERCLOSED') {
      current = await nextAttempt(ctx, current, payer);
      continue;
    }
    if (a.code === 'OUT_TRADE_NO_USED' || a.code === 'INVALID_REQUEST') {
      // This number was ordered with other parameters (a prepay we did not record): close it, then the next number.
      current = await retire(current);
      continue;
    }
    throw new AppError('PAY.UNAVAILABLE', `微信支付下单失败，请稍后再试（${a.code || a.message}）`);
  }
  throw new AppError('PAY.UNAVAILABLE', '微信支付下单失败，请稍后再试');
}
