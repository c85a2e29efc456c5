/**
 * The community's time rules, in one place: how long things may sit before the system acts.
 * Cloud functions and timers read them from here; nothing restates a duration.
 */

/** A job must be picked up this long after its planned start, else it returns to the pool. */
export const PICKUP_GRACE_MS = 30 * 60_000;

/** Orders claimed by a job that never got written (a crash between the two writes) are freed after this. */
export const ORPHAN_MS = 2 * 60_000;

/** Work a volunteer's active job is assumed to take when balancing a new run, seconds. */
export const ACTIVE_JOB_S = 15 * 60;

/**
 * An order still 'placing' after this long was cut off by a crash (a placement takes well under
 * the functions' 20 s timeout); the sweeper, run every minute, undoes it: what a crash held is
 * free again within 2 minutes.
 */
export const PLACING_TIMEOUT_MS = 60_000;

/**
 * A WeChat Pay order unpaid this long is cancelled by the sweeper (stock and quota go back); the
 * platform order is closed first, so a payment cannot land after (issue 19).
 */
export const PAY_TIMEOUT_MS = 15 * 60_000;

/** A pay link (代付) a relative holds is good this long (never past the order's own payment expiry). */
export const PAY_LINK_MS = 15 * 60_000;

/** A refund the platform has not confirmed is asked about or retried after this, doubling per attempt up to REFUND_RETRY_MAX_MS. */
export const REFUND_RETRY_MS = 60_000;
export const REFUND_RETRY_MAX_MS = 60 * 60_000;

/** A delivered order the resident has not confirmed is confirmed after this long. */
export const AUTO_CONFIRM_MS = 24 * 3600_000;

/** An urgent medicine request should be at the door within the hour (seconds from dispatch). */
export const URGENT_MEDICINE_DEADLINE_S = 3600;

/** The delivery deadline of an order, seconds from dispatch, or null when it has none. */
export function deliveryDeadlineS(order: { medicine?: { urgency?: string } | null }): number | null {
  return order.medicine?.urgency === 'urgent' ? URGENT_MEDICINE_DEADLINE_S : null;
}
