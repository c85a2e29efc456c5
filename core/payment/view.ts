/** The payment of an order as each viewer sees it (issue 19). */
import type { OrderPayView, PayBadgeView, RefundView } from '../../typings/api';
import type { OrderDoc, RefundDoc } from '../../typings/entities';
import { PAY_STATE_LABELS, PAYMENT_MODE_LABELS, REFUND_REASON_LABELS, REFUND_STATE_LABELS } from '../../typings/values';

/** Who looks: staff see the platform's ids. */
export interface PayViewer {
  staff: boolean;
  /** The viewer may pay this order (its household's resident). */
  mayPay: boolean;
  now: Date;
}

/** A WeChat Pay order that can still be paid now. */
export function payable(o: Pick<OrderDoc, 'payment' | 'pay' | 'status'>, now: Date): boolean {
  return (
    o.payment === 'wechatPay' &&
    o.pay?.state === 'awaiting' &&
    o.status === 'submitted' &&
    Date.parse(o.pay.expiresAt) > now.getTime()
  );
}

/** Whether a gridworker may accept the order (issue 19: WeChat Pay ones once paid). */
export function acceptable(o: Pick<OrderDoc, 'payment' | 'pay'>): boolean {
  return o.payment !== 'wechatPay' || o.pay?.state === 'paid' || o.pay?.state === 'partlyRefunded';
}

export function refundView(r: RefundDoc, staff: boolean): RefundView {
  return {
    id: r._id,
    amountFen: r.amountFen,
    reason: r.reason,
    reasonLabel: REFUND_REASON_LABELS[r.reason],
    reasonText: r.reasonText,
    state: r.state,
    stateText: REFUND_STATE_LABELS[r.state],
    at: r.createdAt,
    doneAt: r.doneAt,
    refundId: staff ? r.refundId : null,
  };
}

export function payBadge(o: Pick<OrderDoc, 'payment' | 'pay' | 'totalFen'>, staff: boolean): PayBadgeView {
  const pay = o.payment === 'wechatPay' ? o.pay : undefined;
  return {
    mode: o.payment,
    modeText: PAYMENT_MODE_LABELS[o.payment],
    state: pay?.state ?? null,
    stateText: pay ? PAY_STATE_LABELS[pay.state] : PAYMENT_MODE_LABELS[o.payment],
    amountFen: pay?.amountFen ?? o.totalFen,
    refundedFen: pay?.refundedFen ?? 0,
    transactionId: staff ? (pay?.transactionId ?? null) : null,
    acceptable: acceptable(o),
  };
}

export function payView(
  o: Pick<OrderDoc, 'payment' | 'pay' | 'totalFen' | 'status'>,
  refunds: readonly RefundDoc[],
  viewer: PayViewer,
): OrderPayView {
  const badge = payBadge(o, viewer.staff);
  const pay = o.payment === 'wechatPay' ? o.pay : undefined;
  return {
    mode: badge.mode,
    modeText: badge.modeText,
    state: badge.state,
    stateText: badge.stateText,
    amountFen: badge.amountFen,
    refundedFen: badge.refundedFen,
    paidAt: pay?.paidAt ?? null,
    expiresAt: pay?.state === 'awaiting' ? pay.expiresAt : null,
    transactionId: badge.transactionId,
    canPay: viewer.mayPay && payable(o, viewer.now),
    refunds: [...refunds]
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .map((r) => refundView(r, viewer.staff)),
  };
}

/** A room as a relative paying for it sees it: the door number's floor digit kept, the rest masked (`1-101` → `1-1**`). */
export function maskRoom(room: string): string {
  const trimmed = room.trim();
  const door = /\d+$/.exec(trimmed);
  if (door && door[0].length >= 2) return `${trimmed.slice(0, door.index + 1)}${'*'.repeat(door[0].length - 1)}`;
  const chars = Array.from(trimmed);
  if (chars.length <= 1) return '*';
  const keep = Math.ceil(chars.length / 2);
  return `${chars.slice(0, keep).join('')}${'*'.repeat(chars.length - keep)}`;
}
