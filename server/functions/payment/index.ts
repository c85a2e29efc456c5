/**
 * WeChat Pay's callback (issue 19): CloudBase calls this function — named as `functionName` in
 * `cloudPay.unifiedOrder` and `cloudPay.refund` — with the platform's payment and refund
 * notifications. Its event is the platform's notification, never a page's CallEvent, and nothing
 * in it is believed: the order is found by its platform order number, and the server asks the
 * platform itself (`queryOrder`, `queryRefund`) before anything is written (server/lib/payments.ts
 * `settlePayment`: number, amount, merchant, trade state; paid exactly once by a conditional update).
 * Notifications repeat and arrive out of order: each is answered the same way every time.
 *
 * The answer: `{errcode: 0, errmsg: ''}` once handled (anything else makes the platform retry for
 * up to two days) — also for a notification about nothing we know. Only a failure to reach the
 * platform answers non-zero, so the platform tries again. A call with a user's identity (a
 * mini-program calling it directly) is never the platform: refused, nothing read or written.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../../../core/errors';
import { database } from '../../lib/cloud';
import { ACTION_TABLES, type CallContext, type CloudMain } from '../../lib/define-function';
import { invocationFrom } from '../../lib/identity';
import { settlePayment } from '../../lib/payments';
import { confirmRefund, refundLatePayment } from '../../lib/refunds';
import { all } from '../../lib/query';

/** What the platform needs back. */
export interface CallbackAnswer {
  errcode: number;
  errmsg: string;
}

const HANDLED: CallbackAnswer = { errcode: 0, errmsg: '' };

// No client actions: listed with an empty table, so whatever enumerates the functions' actions sees none here.
ACTION_TABLES.set('payment', {});

const NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;

function field(source: unknown, key: string): string | null {
  if (!source || typeof source !== 'object' || Array.isArray(source) || !Object.hasOwn(source, key)) return null;
  const v = (source as Record<string, unknown>)[key];
  return typeof v === 'string' && NO.test(v) ? v : null;
}

/** The refund number of a refund notification (top level, or inside its decrypted `reqInfo`), or null. */
function refundNoOf(event: unknown): string | null {
  return field(event, 'outRefundNo') ?? field((event as Record<string, unknown> | null)?.reqInfo, 'outRefundNo');
}

/** Handles one notification; throws only when the platform could not be asked (the platform retries). */
export async function handleNotification(ctx: CallContext, event: unknown): Promise<string> {
  const refundNo = refundNoOf(event);
  if (refundNo) return (await confirmRefund(ctx, refundNo)) ? 'refund confirmed' : 'refund not confirmed';
  const outTradeNo = field(event, 'outTradeNo');
  if (!outTradeNo || outTradeNo.length > 32) return 'not a notification';
  const [order] = await all(ctx, 'orders', { 'pay.outTradeNo': outTradeNo });
  if (!order) return 'unknown order';
  const settled = await settlePayment(ctx, order, refundLatePayment);
  return settled.result;
}

/**
 * What is not a notification gets the app's error envelope too (the platform reads only `errcode`:
 * 0, so a stray event is not retried; a client's call is refused).
 */
function refusal(code: 'AUTH.FORBIDDEN' | 'COMMON.INVALID_INPUT', message: string, errcode: number) {
  return { ok: false as const, code, message, errcode, errmsg: message };
}

export const main: CloudMain = async (event, context) => {
  const invocation = invocationFrom(context);
  // A mini-program user calling the function directly is not the platform.
  if (invocation.caller) return refusal('AUTH.FORBIDDEN', '支付结果只接受微信支付平台的通知', 403);
  const ctx: CallContext = {
    caller: null,
    requestId: null,
    now: new Date(),
    db: database(),
    invocationId: randomUUID(),
  };
  try {
    const what = await handleNotification(ctx, event);
    if (what === 'not a notification') return refusal('COMMON.INVALID_INPUT', '这不是支付平台的通知', 0);
    if (what === 'mismatch') console.error('[gridlink] payment notification does not match its order');
    return HANDLED;
  } catch (error) {
    // Non-zero: the platform sends the notification again later.
    if (error instanceof AppError && error.code === 'PAY.UNAVAILABLE') {
      return { ok: false, code: error.code, message: error.message, errcode: 1, errmsg: 'platform unavailable, retry' };
    }
    console.error('[gridlink] payment notification failed', error);
    return {
      ok: false,
      code: 'PAY.UNAVAILABLE',
      message: '处理失败，平台会重新通知',
      errcode: 1,
      errmsg: 'failed, retry',
    };
  }
};
