import { FINAL_STATUSES, nextStatus, ORDER_TRANSITIONS, statusesAllowing } from '../../core/order/state-machine';
import type { OrderStatus } from '../../typings/entities';

describe('order state machine', () => {
  it('walks the happy path from tap to door', () => {
    const path: Array<[Parameters<typeof nextStatus>[1], Parameters<typeof nextStatus>[2], OrderStatus]> = [
      ['accept', 'gridworker', 'accepted'],
      ['assign', 'system', 'assigned'],
      ['pickUp', 'volunteer', 'pickedUp'],
      ['deliver', 'volunteer', 'delivered'],
      ['confirm', 'resident', 'received'],
    ];
    let status: OrderStatus = 'submitted';
    for (const [event, actor, expected] of path) {
      const next = nextStatus(status, event, actor);
      expect(next).toBe(expected);
      status = next as OrderStatus;
    }
  });

  it('lets a resident cancel only until the gridworker accepts (packing begins); the gridworker until pickup', () => {
    expect(statusesAllowing('cancel', 'resident')).toEqual(['submitted']);
    expect(nextStatus('accepted', 'cancel', 'resident')).toBeNull();
    expect(nextStatus('assigned', 'cancel', 'gridworker')).toBe('cancelled');
    expect(nextStatus('pickedUp', 'cancel', 'resident')).toBeNull();
  });

  it('refuses actors who may not act', () => {
    expect(nextStatus('submitted', 'accept', 'resident')).toBeNull();
    expect(nextStatus('assigned', 'pickUp', 'gridworker')).toBeNull();
    expect(nextStatus('delivered', 'confirm', 'volunteer')).toBeNull();
  });

  it('sends a failed delivery back to the pool', () => {
    expect(nextStatus('failed', 'requeue', 'system')).toBe('accepted');
  });

  it('has final statuses that lead nowhere and are reachable', () => {
    expect([...FINAL_STATUSES].sort()).toEqual(['cancelled', 'received', 'rejected']);
    const targets = new Set(Object.values(ORDER_TRANSITIONS).flatMap((m) => Object.values(m).map((t) => t?.to)));
    for (const s of FINAL_STATUSES) expect(targets.has(s)).toBe(true);
  });
});
