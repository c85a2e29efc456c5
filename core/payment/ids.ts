/**
 * The platform's order and refund numbers (issue 19): at most 32 characters of [0-9A-Za-z_-], and
 * deterministic — the same order (and attempt) always gives the same outTradeNo, the same change of
 * an order always the same outRefundNo — so a retried call never charges or refunds twice.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { RefundReason } from '../../typings/values';

/** What the platform accepts as an out_trade_no / out_refund_no. */
export const OUT_NO = /^[0-9A-Za-z_-]{1,32}$/;

const digest = (text: string, n: number): string => bytesToHex(sha256(utf8ToBytes(text))).slice(0, n);

/** Attempts an order may be re-ordered under (a closed platform order cannot be paid again). */
export const MAX_PAY_ATTEMPTS = 99;

/** `GL` + 26 hex of the order id's hash + `P` + the attempt (2 digits): 31 characters. */
export function outTradeNo(orderId: string, attempt: number): string {
  if (!Number.isInteger(attempt) || attempt < 1 || attempt > MAX_PAY_ATTEMPTS) throw new RangeError('attempt');
  return `GL${digest(`order\u0000${orderId}`, 26)}P${String(attempt).padStart(2, '0')}`;
}

const REASON_CODE: Record<RefundReason, string> = {
  rejected: 'J',
  cancelled: 'C',
  shortfall: 'S',
  failedDelivery: 'F',
  expired: 'E',
};

/**
 * `GR` + 24 hex of (order, reason, key) + the reason's letter: 27 characters. `key` tells apart
 * two changes of one reason (a shortfall's cumulative amount: a larger shortfall is a new refund
 * of the difference, the same count retried is the same refund); whole refunds use the attempt's
 * outTradeNo, so there is one per paid platform order.
 */
export function outRefundNo(orderId: string, reason: RefundReason, key: string): string {
  return `GR${digest(`refund\u0000${orderId}\u0000${reason}\u0000${key}`, 24)}${REASON_CODE[reason]}`;
}
