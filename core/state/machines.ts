/**
 * The state machines of the things that are not orders or jobs (those live with their domain:
 * core/order/state-machine.ts, core/jobs). Each is the single rule for its status writes.
 */
import type { BookingStatus, JoinStatus, VolunteerStatus } from '../../typings/values';
import type { Machine } from './machine';

/** Who acts on a join request, a volunteer registration or a round. */
export type StaffActor = 'resident' | 'volunteer' | 'staff' | 'system';

/** A resident's request to join a grid: the gridworker decides once. */
export type JoinEvent = 'approve' | 'reject';
export const JOIN_MACHINE: Machine<JoinStatus, JoinEvent, StaffActor> = {
  pending: {
    approve: { to: 'approved', by: ['staff'] },
    reject: { to: 'rejected', by: ['staff'] },
  },
  approved: {},
  rejected: {},
};

/**
 * A volunteer's registration: reviewed once; a rejected volunteer may register again (back to
 * review); a volunteer may withdraw (leave) at any time before, and staff may end an approved
 * one's service (revoking the role); a left one may register again.
 */
export type VolunteerEvent = 'approve' | 'reject' | 'leave' | 'reapply';
export const VOLUNTEER_MACHINE: Machine<VolunteerStatus, VolunteerEvent, StaffActor> = {
  pending: {
    approve: { to: 'approved', by: ['staff'] },
    reject: { to: 'rejected', by: ['staff'] },
    reapply: { to: 'pending', by: ['volunteer'] },
    leave: { to: 'left', by: ['volunteer'] },
  },
  approved: {
    leave: { to: 'left', by: ['volunteer', 'staff'] },
  },
  rejected: {
    reapply: { to: 'pending', by: ['volunteer'] },
    leave: { to: 'left', by: ['volunteer'] },
  },
  left: {
    reapply: { to: 'pending', by: ['volunteer'] },
  },
};

/** A volunteer shift: open for sign-ups until the admin cancels it. */
export type ShiftStatus = 'open' | 'cancelled';
export type ShiftEvent = 'cancel';
export const SHIFT_MACHINE: Machine<ShiftStatus, ShiftEvent, StaffActor> = {
  open: { cancel: { to: 'cancelled', by: ['staff'] } },
  cancelled: {},
};

/** A testing round: opened by the admin, closed once. */
export type RoundStatus = 'open' | 'closed';
export type RoundEvent = 'close';
export const ROUND_MACHINE: Machine<RoundStatus, RoundEvent, StaffActor> = {
  open: { close: { to: 'closed', by: ['staff', 'system'] } },
  closed: {},
};

/**
 * A next-day booking (明日预约): a gridworker of the grid claims it (认领, once — two racing, one
 * wins), knocks (as often as needed) and closes it; the resident may cancel it until it is closed,
 * and book the same day again after cancelling.
 */
export type BookingEvent = 'claim' | 'knock' | 'close' | 'cancel' | 'rebook';
export const BOOKING_MACHINE: Machine<BookingStatus, BookingEvent, StaffActor> = {
  booked: { claim: { to: 'claimed', by: ['staff'] }, cancel: { to: 'cancelled', by: ['resident'] } },
  claimed: {
    knock: { to: 'visited', by: ['staff'] },
    close: { to: 'closed', by: ['staff'] },
    cancel: { to: 'cancelled', by: ['resident'] },
  },
  visited: {
    knock: { to: 'visited', by: ['staff'] },
    close: { to: 'closed', by: ['staff'] },
    cancel: { to: 'cancelled', by: ['resident'] },
  },
  closed: {},
  cancelled: { rebook: { to: 'booked', by: ['resident'] } },
};
