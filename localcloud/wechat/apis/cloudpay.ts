/**
 * Stand-in for CloudBase's cloud payment (云开发 微信支付, issue 19), reached as `wx.wxPayApi` through
 * the SDK's `callWxPayApi` (server/lib/wechat.ts `callWxPay`): `cloudPay.unifiedOrder`,
 * `cloudPay.queryOrder`, `cloudPay.closeOrder`, `cloudPay.refund`, `cloudPay.queryRefund`.
 *
 * Parameters are checked as the documentation gives them — unifiedOrder in camelCase (`body`
 * String(128), `outTradeNo` String(32) of [0-9A-Za-z_-], `totalFee` a positive Int, `spbillCreateIp`,
 * `subMchId` String(32), `nonceStr` String(32), `envId`, `functionName`, `tradeType` JSAPI with the
 * payer's `openid`); the order and refund calls in snake_case (`sub_mch_id`, `nonce_str`,
 * `out_trade_no`, `out_refund_no` String(64), `total_fee`, `refund_fee`). A missing or malformed
 * field answers `returnCode: FAIL` with the reason; the business refusals answer `resultCode: FAIL`
 * with WeChat Pay's `errCode`: INVALID_REQUEST (an order number already used with other
 * parameters; a refund of another amount under the same refund number, or more than is left),
 * ORDERPAID, ORDERCLOSED, ORDERNOTEXIST, REFUNDNOTEXIST, TRADE_STATE_ERROR, SYSTEMERROR (injected).
 *
 * The merchant bound to the environment is GRIDLINK_PAY_SUB_MCH_ID (or the local example number):
 * another `subMchId` is refused as the platform does (`sub_mch_id与sub_appid不匹配`).
 *
 * Paying happens outside: `payTrade` (the dev endpoint `POST /dev/pay/:outTradeNo`, the tests) marks
 * a platform order paid and queues the notification the platform would send to `functionName`;
 * notifications (payments, and refunds once done) are delivered by `deliverNotifications` — in
 * order, reversed, or repeated — through the function's `main` with a context that carries no user,
 * as the platform calls it. The payment function believes none of it before asking queryOrder here.
 */
import { createHash, randomBytes } from 'node:crypto';
import { LOCAL_SUB_MCH_ID } from '../../../server/lib/payments';
import { defineWxApi, type WxAnswer, type WxContext } from '../index';

const OUT_NO = /^[0-9A-Za-z_-]{1,32}$/;
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;
const IP = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]{2,39})$/;

/** A platform order as the stand-in keeps it. */
export interface StandInTrade {
  outTradeNo: string;
  subMchId: string;
  totalFee: number;
  openid: string;
  body: string;
  attach: string;
  envId: string;
  functionName: string;
  prepayId: string;
  state: 'NOTPAY' | 'SUCCESS' | 'REFUND' | 'CLOSED';
  transactionId: string | null;
  timeEnd: string | null;
  refunds: Map<string, StandInRefund>;
}

/** A refund as the stand-in keeps it. */
export interface StandInRefund {
  outRefundNo: string;
  refundId: string;
  refundFee: number;
  /** SUCCESS once refunded; PROCESSING while `holdRefunds` is on. */
  status: 'PROCESSING' | 'SUCCESS';
}

/** A notification the platform would send to a callback function. */
export interface Notification {
  functionName: string;
  event: Record<string, unknown>;
}

const TRADES = new Map<string, StandInTrade>();
const QUEUE: Notification[] = [];
const FAULTS: Array<{ api: string; code: string; times: number }> = [];
let holdRefunds = false;

/** Forgets every platform order, queued notification and fault (tests). */
export function resetCloudPay(): void {
  TRADES.clear();
  QUEUE.length = 0;
  FAULTS.length = 0;
  holdRefunds = false;
}

/** The platform orders (tests, `/dev/pay`). */
export function cloudPayTrades(): StandInTrade[] {
  return [...TRADES.values()];
}

/** Makes the next `times` calls of `api` answer `resultCode: FAIL` with `code` (default SYSTEMERROR). */
export function failCloudPay(api: string, times = 1, code = 'SYSTEMERROR'): void {
  FAULTS.push({ api, code, times });
}

/** Refunds stay PROCESSING (as the platform's are for a while) until `settleRefunds`. */
export function holdCloudPayRefunds(on: boolean): void {
  holdRefunds = on;
}

const boundMerchant = (): string => (process.env.GRIDLINK_PAY_SUB_MCH_ID ?? '').trim() || LOCAL_SUB_MCH_ID;

function chinaTime(now: Date): string {
  const t = new Date(now.getTime() + 8 * 3600_000).toISOString();
  return t.slice(0, 19).replace(/[-T:]/g, '');
}

const fail = (api: string, returnMsg: string): WxAnswer => ({
  errcode: 0,
  errmsg: 'ok',
  errCode: 0,
  errMsg: `${api}:ok`,
  returnCode: 'FAIL',
  returnMsg,
});

/** A business refusal: WeChat Pay's err_code, camel-cased as the platform answers it (`errCode`). */
const refuse = (api: string, errCode: string, errCodeDes: string): WxAnswer => ({
  errcode: 0,
  errmsg: 'ok',
  errMsg: `${api}:ok`,
  returnCode: 'SUCCESS',
  returnMsg: 'OK',
  resultCode: 'FAIL',
  errCode,
  errCodeDes,
});

const success = (api: string, fields: Record<string, unknown>): WxAnswer => ({
  errcode: 0,
  errmsg: 'ok',
  errCode: 0,
  errMsg: `${api}:ok`,
  returnCode: 'SUCCESS',
  returnMsg: 'OK',
  resultCode: 'SUCCESS',
  ...fields,
});

function fault(api: string): WxAnswer | null {
  const f = FAULTS.find((x) => x.api === api && x.times > 0);
  if (!f) return null;
  f.times -= 1;
  return refuse(api, f.code, '系统繁忙，请稍后再试');
}

type Check = string | null;
function str(v: unknown, name: string, max: number, required = true): Check {
  if (v === undefined || v === null || v === '') return required ? `缺少参数 ${name}` : null;
  if (typeof v !== 'string') return `${name} 必须是字符串`;
  if (Array.from(v).length > max) return `${name} 长度不能超过 ${max}`;
  return null;
}
function int(v: unknown, name: string): Check {
  if (v === undefined || v === null) return `缺少参数 ${name}`;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) return `${name} 必须是正整数（单位：分）`;
  return null;
}
const first = (...checks: Check[]): string | null => checks.find((c) => c !== null) ?? null;

function sign(fields: Record<string, string>): string {
  const text = Object.keys(fields)
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('&');
  return createHash('md5').update(`${text}&key=gridlink-local`).digest('hex').toUpperCase();
}

function paymentParams(prepayId: string, now: Date): Record<string, string> {
  const base = {
    appId: 'wx-gridlink-local',
    timeStamp: String(Math.floor(now.getTime() / 1000)),
    nonceStr: randomBytes(16).toString('hex'),
    package: `prepay_id=${prepayId}`,
    signType: 'MD5',
  };
  return { ...base, paySign: sign(base) };
}

function merchantCheck(api: string, subMchId: unknown): WxAnswer | null {
  return subMchId === boundMerchant() ? null : fail(api, 'sub_mch_id与sub_appid不匹配');
}

// ── unifiedOrder ──

export function unifiedOrder(r: Record<string, unknown>, ctx: WxContext): WxAnswer {
  const api = 'cloudPay.unifiedOrder';
  const bad = first(
    str(r.functionName, 'functionName', 64),
    str(r.envId, 'envId', 64),
    str(r.subMchId, 'subMchId', 32),
    str(r.nonceStr, 'nonceStr', 32),
    str(r.body, 'body', 128),
    str(r.attach, 'attach', 127, false),
    str(r.outTradeNo, 'outTradeNo', 32),
    int(r.totalFee, 'totalFee'),
    str(r.spbillCreateIp, 'spbillCreateIp', 64),
    str(r.tradeType, 'tradeType', 16, false),
  );
  if (bad) return fail(api, bad);
  if (!OUT_NO.test(r.outTradeNo as string)) return fail(api, 'outTradeNo 只能是数字、大小写字母_-');
  if (!IP.test(r.spbillCreateIp as string)) return fail(api, 'spbillCreateIp 格式不正确');
  const tradeType = (r.tradeType as string | undefined) ?? 'JSAPI';
  if (!['JSAPI', 'NATIVE', 'APP'].includes(tradeType)) return fail(api, 'tradeType 不正确');
  const openid = (r.openid ?? r.subOpenid) as unknown;
  if (tradeType === 'JSAPI' && (typeof openid !== 'string' || !openid)) return fail(api, 'JSAPI 支付必须传 openid');
  const wrongMerchant = merchantCheck(api, r.subMchId);
  if (wrongMerchant) return wrongMerchant;
  const f = fault(api);
  if (f) return f;
  const existing = TRADES.get(r.outTradeNo as string);
  if (existing) {
    if (existing.state === 'SUCCESS' || existing.state === 'REFUND') return refuse(api, 'ORDERPAID', '该订单已支付');
    if (existing.state === 'CLOSED') return refuse(api, 'ORDERCLOSED', '该订单已关闭');
    if (existing.totalFee !== r.totalFee || existing.openid !== openid)
      return refuse(api, 'INVALID_REQUEST', '201 商户订单号重复');
    return success(api, {
      subMchId: existing.subMchId,
      nonceStr: randomBytes(8).toString('hex'),
      tradeType,
      prepayId: existing.prepayId,
      payment: paymentParams(existing.prepayId, ctx.now),
    });
  }
  const trade: StandInTrade = {
    outTradeNo: r.outTradeNo as string,
    subMchId: r.subMchId as string,
    totalFee: r.totalFee as number,
    openid: openid as string,
    body: r.body as string,
    attach: (r.attach as string | undefined) ?? '',
    envId: r.envId as string,
    functionName: r.functionName as string,
    prepayId: `wx${randomBytes(14).toString('hex')}`,
    state: 'NOTPAY',
    transactionId: null,
    timeEnd: null,
    refunds: new Map(),
  };
  TRADES.set(trade.outTradeNo, trade);
  return success(api, {
    subMchId: trade.subMchId,
    nonceStr: randomBytes(8).toString('hex'),
    tradeType,
    prepayId: trade.prepayId,
    payment: paymentParams(trade.prepayId, ctx.now),
  });
}

// ── queryOrder, closeOrder ──

function orderRequest(api: string, r: Record<string, unknown>): WxAnswer | StandInTrade | null {
  const bad = first(
    str(r.sub_mch_id, 'sub_mch_id', 32),
    str(r.nonce_str, 'nonce_str', 32),
    str(r.out_trade_no, 'out_trade_no', 32, false),
    str(r.transaction_id, 'transaction_id', 32, false),
  );
  if (bad) return fail(api, bad);
  if (!r.out_trade_no && !r.transaction_id) return fail(api, 'out_trade_no 与 transaction_id 须填一个');
  if (r.out_trade_no && !OUT_NO.test(r.out_trade_no as string))
    return fail(api, 'out_trade_no 只能是数字、大小写字母_-');
  const wrongMerchant = merchantCheck(api, r.sub_mch_id);
  if (wrongMerchant) return wrongMerchant;
  const f = fault(api);
  if (f) return f;
  const trade = r.out_trade_no
    ? TRADES.get(r.out_trade_no as string)
    : [...TRADES.values()].find((t) => t.transactionId === r.transaction_id);
  return trade ?? null;
}

const isAnswer = (v: WxAnswer | StandInTrade | null): v is WxAnswer => v !== null && !(v as StandInTrade).refunds;

export function queryOrder(r: Record<string, unknown>): WxAnswer {
  const api = 'cloudPay.queryOrder';
  const t = orderRequest(api, r);
  if (isAnswer(t)) return t;
  if (!t) return refuse(api, 'ORDERNOTEXIST', '订单不存在');
  return success(api, {
    subMchId: t.subMchId,
    nonceStr: randomBytes(8).toString('hex'),
    openid: t.openid,
    tradeType: 'JSAPI',
    tradeState: t.state,
    tradeStateDesc: { NOTPAY: '未支付', SUCCESS: '支付成功', REFUND: '转入退款', CLOSED: '已关闭' }[t.state],
    totalFee: t.totalFee,
    cashFee: t.totalFee,
    feeType: 'CNY',
    outTradeNo: t.outTradeNo,
    attach: t.attach,
    ...(t.transactionId ? { transactionId: t.transactionId, timeEnd: t.timeEnd, bankType: 'OTHERS' } : {}),
  });
}

export function closeOrder(r: Record<string, unknown>): WxAnswer {
  const api = 'cloudPay.closeOrder';
  const t = orderRequest(api, r);
  if (isAnswer(t)) return t;
  if (!t) return refuse(api, 'ORDERNOTEXIST', '订单不存在');
  if (t.state === 'SUCCESS' || t.state === 'REFUND') return refuse(api, 'ORDERPAID', '订单已支付，不能关闭');
  if (t.state === 'CLOSED') return refuse(api, 'ORDERCLOSED', '订单已关闭');
  t.state = 'CLOSED';
  return success(api, { subMchId: t.subMchId, nonceStr: randomBytes(8).toString('hex') });
}

// ── refund, queryRefund ──

function refundedSoFar(t: StandInTrade, except?: string): number {
  let sum = 0;
  for (const r of t.refunds.values()) if (r.outRefundNo !== except) sum += r.refundFee;
  return sum;
}

export function refund(r: Record<string, unknown>, ctx: WxContext): WxAnswer {
  const api = 'cloudPay.refund';
  const bad = first(
    str(r.sub_mch_id, 'sub_mch_id', 32),
    str(r.nonce_str, 'nonce_str', 32),
    str(r.out_trade_no, 'out_trade_no', 32, false),
    str(r.transaction_id, 'transaction_id', 32, false),
    str(r.out_refund_no, 'out_refund_no', 64),
    int(r.total_fee, 'total_fee'),
    int(r.refund_fee, 'refund_fee'),
    str(r.refund_desc, 'refund_desc', 80, false),
  );
  if (bad) return fail(api, bad);
  if (!r.out_trade_no && !r.transaction_id) return fail(api, 'out_trade_no 与 transaction_id 须填一个');
  if (!OUT_REFUND_NO.test(r.out_refund_no as string)) return fail(api, 'out_refund_no 只能是数字、大小写字母_-|*@');
  const wrongMerchant = merchantCheck(api, r.sub_mch_id);
  if (wrongMerchant) return wrongMerchant;
  const f = fault(api);
  if (f) return f;
  const t = r.out_trade_no
    ? TRADES.get(r.out_trade_no as string)
    : [...TRADES.values()].find((x) => x.transactionId === r.transaction_id);
  if (!t) return refuse(api, 'ORDERNOTEXIST', '订单不存在');
  if (t.state !== 'SUCCESS' && t.state !== 'REFUND') return refuse(api, 'TRADE_STATE_ERROR', '订单未支付，不能退款');
  if (r.total_fee !== t.totalFee) return refuse(api, 'INVALID_REQUEST', '订单金额与支付金额不一致');
  const no = r.out_refund_no as string;
  const fee = r.refund_fee as number;
  const known = t.refunds.get(no);
  if (known) {
    if (known.refundFee !== fee) return refuse(api, 'INVALID_REQUEST', '同一退款单号的退款金额与之前请求不一致');
  } else {
    if (refundedSoFar(t) + fee > t.totalFee) return refuse(api, 'INVALID_REQUEST', '退款金额大于可退金额');
    if (t.refunds.size >= 50) return refuse(api, 'INVALID_REQUEST', '部分退款次数不能超过50次');
    const made: StandInRefund = {
      outRefundNo: no,
      refundId: `50${randomBytes(13).toString('hex')}`.slice(0, 28),
      refundFee: fee,
      status: holdRefunds ? 'PROCESSING' : 'SUCCESS',
    };
    t.refunds.set(no, made);
    t.state = 'REFUND';
    if (made.status === 'SUCCESS') queueRefundNotice(t, made, ctx.now);
  }
  const made = t.refunds.get(no) as StandInRefund;
  return success(api, {
    subMchId: t.subMchId,
    nonceStr: randomBytes(8).toString('hex'),
    transactionId: t.transactionId,
    outTradeNo: t.outTradeNo,
    outRefundNo: no,
    refundId: made.refundId,
    refundFee: made.refundFee,
    totalFee: t.totalFee,
    cashFee: t.totalFee,
  });
}

export function queryRefund(r: Record<string, unknown>): WxAnswer {
  const api = 'cloudPay.queryRefund';
  const bad = first(
    str(r.sub_mch_id, 'sub_mch_id', 32),
    str(r.nonce_str, 'nonce_str', 32),
    str(r.out_refund_no, 'out_refund_no', 64, false),
    str(r.out_trade_no, 'out_trade_no', 32, false),
    str(r.refund_id, 'refund_id', 32, false),
  );
  if (bad) return fail(api, bad);
  if (!r.out_refund_no && !r.out_trade_no && !r.refund_id)
    return fail(api, '须填 out_refund_no、out_trade_no 或 refund_id');
  const wrongMerchant = merchantCheck(api, r.sub_mch_id);
  if (wrongMerchant) return wrongMerchant;
  const f = fault(api);
  if (f) return f;
  const t = [...TRADES.values()].find(
    (x) =>
      (r.out_trade_no && x.outTradeNo === r.out_trade_no) ||
      [...x.refunds.values()].some((y) => y.outRefundNo === r.out_refund_no || y.refundId === r.refund_id),
  );
  const list = t
    ? [...t.refunds.values()].filter(
        (y) => (!r.out_refund_no || y.outRefundNo === r.out_refund_no) && (!r.refund_id || y.refundId === r.refund_id),
      )
    : [];
  if (!t || list.length === 0) return refuse(api, 'REFUNDNOTEXIST', '退款不存在');
  return success(api, {
    subMchId: t.subMchId,
    nonceStr: randomBytes(8).toString('hex'),
    transactionId: t.transactionId,
    outTradeNo: t.outTradeNo,
    totalFee: t.totalFee,
    cashFee: t.totalFee,
    refundCount: list.length,
    outRefundNoList: list.map((y) => y.outRefundNo),
    refundIdList: list.map((y) => y.refundId),
    refundFeeList: list.map((y) => y.refundFee),
    refundStatusList: list.map((y) => y.status),
  });
}

// ── paying, and the platform's notifications ──

function queueRefundNotice(t: StandInTrade, r: StandInRefund, now: Date): void {
  QUEUE.push({
    functionName: t.functionName,
    event: {
      returnCode: 'SUCCESS',
      appid: 'wx-gridlink-local',
      mchId: '1800000000',
      subMchId: t.subMchId,
      nonceStr: randomBytes(8).toString('hex'),
      reqInfo: {
        transactionId: t.transactionId,
        outTradeNo: t.outTradeNo,
        refundId: r.refundId,
        outRefundNo: r.outRefundNo,
        totalFee: t.totalFee,
        refundFee: r.refundFee,
        settlementRefundFee: r.refundFee,
        refundStatus: 'SUCCESS',
        successTime: chinaTime(now),
      },
    },
  });
}

/**
 * Pays a platform order as the payer would in WeChat (the preview's "pay", the tests) and queues the
 * platform's notification. Answers the trade, or why it cannot be paid.
 */
export function payTrade(outTradeNo: string, now: Date): { trade: StandInTrade } | { error: string } {
  const t = TRADES.get(outTradeNo);
  if (!t) return { error: '平台没有这笔订单（先调用 order.pay 下单）' };
  if (t.state === 'CLOSED') return { error: '订单已关闭，不能支付' };
  if (t.state === 'NOTPAY') {
    t.state = 'SUCCESS';
    t.transactionId = `42${randomBytes(13).toString('hex')}`.slice(0, 28);
    t.timeEnd = chinaTime(now);
  }
  QUEUE.push({ functionName: t.functionName, event: paymentNotice(t) });
  return { trade: t };
}

/** The payment notification of a paid platform order (its fields as the platform's callback carries them). */
export function paymentNotice(t: StandInTrade): Record<string, unknown> {
  return {
    returnCode: 'SUCCESS',
    appid: 'wx-gridlink-local',
    mchId: '1800000000',
    subAppid: 'wx-gridlink-local',
    subMchId: t.subMchId,
    nonceStr: randomBytes(8).toString('hex'),
    resultCode: 'SUCCESS',
    openid: t.openid,
    subOpenid: t.openid,
    isSubscribe: 'N',
    subIsSubscribe: 'N',
    tradeType: 'JSAPI',
    bankType: 'OTHERS',
    totalFee: t.totalFee,
    feeType: 'CNY',
    cashFee: t.totalFee,
    transactionId: t.transactionId,
    outTradeNo: t.outTradeNo,
    attach: t.attach,
    timeEnd: t.timeEnd,
  };
}

/** Refunds held PROCESSING become SUCCESS (their notifications are queued). */
export function settleRefunds(now: Date): number {
  let n = 0;
  for (const t of TRADES.values())
    for (const r of t.refunds.values())
      if (r.status === 'PROCESSING') {
        r.status = 'SUCCESS';
        queueRefundNotice(t, r, now);
        n += 1;
      }
  return n;
}

/** Takes the queued notifications: oldest first, or newest first (`reverse`, out of order). */
export function takeNotifications(reverse = false): Notification[] {
  const out = QUEUE.splice(0, QUEUE.length);
  return reverse ? out.reverse() : out;
}

/** The notifications waiting to be delivered. */
export function queuedNotifications(): readonly Notification[] {
  return QUEUE;
}

defineWxApi('cloudPay.unifiedOrder', unifiedOrder);
defineWxApi('cloudPay.queryOrder', (r) => queryOrder(r));
defineWxApi('cloudPay.closeOrder', (r) => closeOrder(r));
defineWxApi('cloudPay.refund', refund);
defineWxApi('cloudPay.queryRefund', (r) => queryRefund(r));
