/** Money of an order in fen (integers only): what is charged, and what each change gives back (issue 19). */
import type { OrderLine, ShortLine } from '../../typings/entities';
import type { RefundReason } from '../../typings/values';

/** The amount of an order's lines, fen. */
export function amountFen(lines: ReadonlyArray<Pick<OrderLine, 'qty' | 'priceFen'>>): number {
  let sum = 0;
  for (const l of lines) {
    if (!Number.isInteger(l.qty) || !Number.isInteger(l.priceFen) || l.qty < 0 || l.priceFen < 0) {
      throw new RangeError('order lines must be whole, non-negative quantities and fen');
    }
    sum += l.qty * l.priceFen;
  }
  return sum;
}

/** What the missing goods of a shortfall are worth: (expected − counted) × the line's unit price, fen. */
export function shortfallFen(
  lines: ReadonlyArray<Pick<OrderLine, 'itemId' | 'priceFen'>>,
  shortfall: ReadonlyArray<Pick<ShortLine, 'itemId' | 'expected' | 'counted'>>,
): number {
  const price = new Map(lines.map((l) => [l.itemId, l.priceFen]));
  let sum = 0;
  for (const s of shortfall) {
    const missing = Math.max(0, s.expected - Math.max(0, s.counted));
    sum += missing * (price.get(s.itemId) ?? 0);
  }
  return sum;
}

/** What has been paid and given back so far. */
export interface PaidSoFar {
  amountFen: number;
  refundedFen: number;
}

/** A change that gives money back. */
export type RefundChange =
  | { reason: Exclude<RefundReason, 'shortfall'> }
  /** `alreadyFen`: shortfall refunds already decided for this order (so only the new difference goes back). */
  | { reason: 'shortfall'; shortfallFen: number; alreadyFen: number };

/**
 * The refund a change calls for, fen: exactly the difference for a shortfall (its worth minus what
 * earlier shortfall refunds gave back), the whole remaining paid amount when the order ends without
 * delivery (rejected, cancelled, expired, failed delivery) — never more than paid − refunded, never
 * negative.
 */
export function refundFen(paid: PaidSoFar, change: RefundChange): number {
  const remaining = Math.max(0, paid.amountFen - paid.refundedFen);
  const wanted = change.reason === 'shortfall' ? Math.max(0, change.shortfallFen - change.alreadyFen) : remaining;
  return Math.min(wanted, remaining);
}
