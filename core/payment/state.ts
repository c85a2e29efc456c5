/**
 * Where a WeChat Pay order's money is (issue 19). Only the platform's word moves it to paid (the
 * callback checked by a query, or the server's own query); refunds move it on by what they decided.
 */
import type { Machine } from '../state/machine';
import type { OrderPay } from '../../typings/entities';
import type { PayState } from '../../typings/values';
import { PAY_TIMEOUT_MS } from '../policy';
import { outTradeNo } from './ids';

/** `latePay`: money that arrived for a closed order (expired or cancelled unpaid): it is refunded whole at once. */
export type PayEvent = 'pay' | 'close' | 'refundPart' | 'refundAll' | 'latePay';
/** `platform`: a payment the server confirmed with the platform; `system`: timers and the order's changes. */
export type PayActor = 'platform' | 'system';

export const PAY_MACHINE: Machine<PayState, PayEvent, PayActor> = {
  awaiting: {
    pay: { to: 'paid', by: ['platform'] },
    close: { to: 'closed', by: ['system'] },
  },
  paid: {
    refundPart: { to: 'partlyRefunded', by: ['system'] },
    refundAll: { to: 'refunded', by: ['system'] },
  },
  partlyRefunded: {
    refundPart: { to: 'partlyRefunded', by: ['system'] },
    refundAll: { to: 'refunded', by: ['system'] },
  },
  refunded: {},
  // A payment that arrives for a closed order is refunded whole (never re-opened).
  closed: {
    latePay: { to: 'refunded', by: ['platform'] },
  },
};

/** Whether money was taken (and may be given back). */
export const isPaid = (state: PayState | null | undefined): boolean => state === 'paid' || state === 'partlyRefunded';

/** The state after refunding `refundFen` more of an order paid `amountFen` with `refundedFen` back already. */
export function stateAfterRefund(amountFen: number, refundedFen: number, refundFen: number): PayState {
  return refundedFen + refundFen >= amountFen ? 'refunded' : 'partlyRefunded';
}

/** The payment of a WeChat Pay order just placed: awaiting, first attempt, expiring PAY_TIMEOUT_MS from now. */
export function newPay(orderId: string, amountFen: number, now: Date): OrderPay {
  return {
    state: 'awaiting',
    outTradeNo: outTradeNo(orderId, 1),
    attempt: 1,
    amountFen,
    transactionId: null,
    paidAt: null,
    expiresAt: new Date(now.getTime() + PAY_TIMEOUT_MS).toISOString(),
    refundedFen: 0,
    payerOpenid: null,
    prepayId: null,
    refundIds: [],
  };
}
