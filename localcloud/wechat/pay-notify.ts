/**
 * The local cloud's side of the payment platform's notifications (issue 19): what the stand-in
 * (apis/cloudpay.ts) queued is delivered to the callback function named in `unifiedOrder`/`refund`,
 * through its `main` with a context that carries no user — in order, newest first (out of order), or
 * repeated, as the platform does. Dev endpoints (localcloud/app.ts, `handleDevPay`):
 *
 * - `POST /dev/pay/<outTradeNo>` `{deliver?: true, repeat?: 1, reverse?: false}` — the payer pays (the
 *   preview's 支付 button, the tests); `deliver: false` keeps the notification queued (delivered late);
 * - `POST /dev/pay/deliver` `{repeat?, reverse?}` — delivers what is queued;
 * - `POST /dev/pay/settle-refunds` — refunds held PROCESSING complete (their notifications are queued);
 * - `GET /dev/pay` — the platform's orders and the queue.
 */
import { FUNCTIONS } from '../../server/functions/registry';
import type { FunctionName } from '../../typings/api';
import { platformContext } from '../invoke';
import { cloudPayTrades, payTrade, queuedNotifications, settleRefunds, takeNotifications } from './apis/cloudpay';

/** One delivery and what the function answered. */
export interface Delivery {
  functionName: string;
  outTradeNo: string | null;
  outRefundNo: string | null;
  answer: unknown;
}

/** Delivers the queued notifications (each `repeat` times), oldest first or newest first. */
export async function deliverNotifications(options: { reverse?: boolean; repeat?: number } = {}): Promise<Delivery[]> {
  const repeat = Math.min(5, Math.max(1, Math.floor(options.repeat ?? 1)));
  const out: Delivery[] = [];
  for (const n of takeNotifications(options.reverse)) {
    const name = n.functionName as FunctionName;
    for (let i = 0; i < repeat; i += 1) {
      const answer = Object.hasOwn(FUNCTIONS, name)
        ? await FUNCTIONS[name](JSON.parse(JSON.stringify(n.event)), platformContext(name, null))
        : { errcode: -1, errmsg: `no function ${name}` };
      const reqInfo = (n.event.reqInfo ?? {}) as Record<string, unknown>;
      out.push({
        functionName: n.functionName,
        outTradeNo: String(n.event.outTradeNo ?? reqInfo.outTradeNo ?? '') || null,
        outRefundNo: String(reqInfo.outRefundNo ?? '') || null,
        answer,
      });
    }
  }
  return out;
}

/** The answer of a dev endpoint under /dev/pay, or null when the path is not one. */
export async function handleDevPay(
  method: string,
  path: string,
  body: Record<string, unknown>,
): Promise<{ status: number; body: unknown } | null> {
  if (method === 'GET' && path === '/dev/pay') {
    const trades = cloudPayTrades().map((t) => ({ ...t, refunds: [...t.refunds.values()] }));
    return { status: 200, body: { ok: true, data: { trades, queued: queuedNotifications().length } } };
  }
  if (method !== 'POST') return null;
  const reverse = body.reverse === true;
  const repeat = typeof body.repeat === 'number' ? body.repeat : 1;
  if (path === '/dev/pay/deliver') {
    return { status: 200, body: { ok: true, data: await deliverNotifications({ reverse, repeat }) } };
  }
  if (path === '/dev/pay/settle-refunds') {
    return { status: 200, body: { ok: true, data: { settled: settleRefunds(new Date()) } } };
  }
  const m = /^\/dev\/pay\/([0-9A-Za-z_-]{1,32})$/.exec(path);
  if (!m) return null;
  const paid = payTrade(m[1] as string, new Date());
  if ('error' in paid) return { status: 400, body: { ok: false, code: 'COMMON.INVALID_INPUT', message: paid.error } };
  const deliveries = body.deliver === false ? [] : await deliverNotifications({ reverse, repeat });
  return {
    status: 200,
    body: {
      ok: true,
      data: { outTradeNo: paid.trade.outTradeNo, transactionId: paid.trade.transactionId, deliveries },
    },
  };
}
