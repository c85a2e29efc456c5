import type { OrderActor, OrderEvent, OrderStatus } from '../../typings/entities';

/** One allowed transition: where it leads and who may cause it. */
export interface Transition {
  to: OrderStatus;
  by: readonly OrderActor[];
}

/**
 * Every allowed move of an order. Anything not listed is refused, so a stale tap or a raced
 * actor can never push an order backwards or skip a step.
 */
export const ORDER_TRANSITIONS: Record<OrderStatus, Partial<Record<OrderEvent, Transition>>> = {
  submitted: {
    accept: { to: 'accepted', by: ['gridworker', 'system'] },
    reject: { to: 'rejected', by: ['gridworker'] },
    // The system: a WeChat Pay order unpaid past its expiry (issue 19, server/lib/refunds.ts).
    cancel: { to: 'cancelled', by: ['resident', 'gridworker', 'system'] },
  },
  // Accepted orders are on the purchase and packing lists: from here on only the gridworker cancels
  // (the resident asks them), so nothing already bought or packed is dropped by a tap.
  accepted: {
    assign: { to: 'assigned', by: ['gridworker', 'volunteer', 'system'] },
    reject: { to: 'rejected', by: ['gridworker'] },
    cancel: { to: 'cancelled', by: ['gridworker'] },
  },
  assigned: {
    // The system finishes a pickup a crash cut off after the job's own write.
    pickUp: { to: 'pickedUp', by: ['volunteer', 'system'] },
    unassign: { to: 'accepted', by: ['gridworker', 'volunteer', 'system'] },
    cancel: { to: 'cancelled', by: ['gridworker'] },
  },
  pickedUp: {
    deliver: { to: 'delivered', by: ['volunteer'] },
    fail: { to: 'failed', by: ['volunteer'] },
  },
  failed: {
    requeue: { to: 'accepted', by: ['gridworker', 'system'] },
    cancel: { to: 'cancelled', by: ['gridworker'] },
  },
  delivered: {
    confirm: { to: 'received', by: ['resident', 'system'] },
  },
  rejected: {},
  cancelled: {},
  received: {},
};

/** Statuses an order never leaves. */
export const FINAL_STATUSES: readonly OrderStatus[] = (Object.keys(ORDER_TRANSITIONS) as OrderStatus[]).filter(
  (s) => Object.keys(ORDER_TRANSITIONS[s]).length === 0,
);

/** The status an event leads to, or null when this actor may not do it from this status. */
export function nextStatus(from: OrderStatus, event: OrderEvent, actor: OrderActor): OrderStatus | null {
  const move = ORDER_TRANSITIONS[from][event];
  return move && move.by.includes(actor) ? move.to : null;
}

/** Statuses from which an event is possible (the `where` of a conditional update). */
export function statusesAllowing(event: OrderEvent, actor: OrderActor): OrderStatus[] {
  return (Object.keys(ORDER_TRANSITIONS) as OrderStatus[]).filter((s) => nextStatus(s, event, actor) !== null);
}
