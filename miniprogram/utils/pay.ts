/**
 * WeChat Pay on the phone (issue 19): `wx.requestPayment` with the parameters a cloud function got
 * from the platform, then the server asks the platform (`order.syncPayment`) — the phone never says
 * "paid" itself. Words come from the catalogue (resident pages, both languages).
 */
import type { OrderPayView, PayParamsView, RefundView } from '../../typings/api';
import { t } from '../i18n/index';
import { call } from '../services/api';
import { chinaTime, yuan } from './format';

/** How `wx.requestPayment` ended: paid (the platform still confirms), cancelled by the payer, or failed. */
export type PayOutcome = 'paid' | 'cancelled' | 'failed';

/** Opens WeChat's payment sheet with the server's parameters. */
export function requestPayment(params: PayParamsView): Promise<PayOutcome> {
  const p = params.payment;
  return new Promise((resolve) => {
    wx.requestPayment({
      timeStamp: p.timeStamp,
      nonceStr: p.nonceStr,
      package: p.package,
      signType: p.signType as 'MD5',
      paySign: p.paySign,
      success: () => resolve('paid'),
      fail: (e: { errMsg?: string }) => resolve(/cancel/.test(e?.errMsg ?? '') ? 'cancelled' : 'failed'),
    });
  });
}

/** Waits between asking the server again (the platform's notification may take a moment). */
export const SYNC_DELAYS_MS = [0, 800, 1500, 2500];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Asks the server (which asks the platform) a few times until the order is paid; answers the last answer. */
export async function syncUntilPaid(orderId: string): Promise<OrderPayView & { orderId: string }> {
  let last: (OrderPayView & { orderId: string }) | null = null;
  for (const delay of SYNC_DELAYS_MS) {
    if (delay) await sleep(delay);
    last = await call('order.syncPayment', { orderId }, { retry: true });
    if (last.state !== 'awaiting') return last;
  }
  return last as OrderPayView & { orderId: string };
}

/** One word for the payment, in the resident's language: 待支付 / 已支付 / … or the mode (货到付现金). */
export function payStateWord(pay: Pick<OrderPayView, 'mode' | 'state'>): string {
  return pay.state ? t(`pay.state.${pay.state}`) : t(`payment.${pay.mode}`);
}

/** The tag's colour for a payment state. */
export function payTheme(pay: Pick<OrderPayView, 'state'>): string {
  switch (pay.state) {
    case 'awaiting':
      return 'default';
    case 'paid':
      return 'success';
    case 'partlyRefunded':
    case 'refunded':
      return 'warning';
    case 'closed':
      return 'default';
    default:
      return 'primary';
  }
}

/** A refund as a row: amount, reason (and what changed), state. */
export function refundRow(r: RefundView): { id: string; title: string; reason: string; state: string } {
  return {
    id: r.id,
    title: t('pay.refundAmount', { amount: yuan(r.amountFen) }),
    // What changed, unless it only repeats the reason (订单已取消 · 订单已取消).
    reason: [...new Set([t(`pay.reason.${r.reason}`), r.reasonText].filter(Boolean))].join(' · '),
    state: `${t(`pay.refundState.${r.state}`)} · ${chinaTime(r.doneAt ?? r.at)}`,
  };
}

/** The payment as the order's pages show it. */
export function payRows(pay: OrderPayView) {
  return {
    word: payStateWord(pay),
    theme: payTheme(pay),
    wechat: pay.mode === 'wechatPay',
    expiresText: pay.state === 'awaiting' && pay.expiresAt ? t('pay.expires', { time: chinaTime(pay.expiresAt) }) : '',
    paidText: pay.paidAt ? t('pay.paidAt', { time: chinaTime(pay.paidAt) }) : '',
    refundedText: pay.refundedFen > 0 ? t('pay.refunded', { amount: yuan(pay.refundedFen) }) : '',
    refunds: pay.refunds.map(refundRow),
    canPay: pay.canPay,
  };
}
