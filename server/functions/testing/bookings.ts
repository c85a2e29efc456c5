/**
 * Next-day bookings (明日预约, Taiyuan): a resident books home sampling for household members with
 * a reason; the grid's staff see the day's list in walking order, claim (认领) a booking — once,
 * two racing gridworkers cannot both have it — knock, and close it. Every status write goes
 * through BOOKING_MACHINE (server/lib/transition.ts). The resident sees where their booking stands.
 */
import { next } from '../../../core/state/machine';
import { BOOKING_MACHINE } from '../../../core/state/machines';
import { AppError } from '../../../core/errors';
import { maskName } from '../../../core/mask';
import { chinaDay } from '../../../core/time';
import type { BookingItemView, MyBookingView } from '../../../typings/api';
import type { BookingDoc, HouseholdDoc, UserDoc } from '../../../typings/entities';
import {
  BOOKING_OUTCOMES,
  BOOKING_REASONS,
  BOOKING_STATUSES,
  KNOCK_STATUSES,
  type BookingStatus,
} from '../../../typings/values';
import { getByIds, getDoc, requireGridStaff, requireResident } from '../../lib/access';
import { isDuplicateError } from '../../lib/db-errors';
import { defineActions, type UserContext } from '../../lib/define-function';
import { transition } from '../../lib/transition';
import { all, pageFields } from '../../lib/query';
import { dateString, note, z } from '../../lib/validate';
import { id, keyPage, walkingCompare } from './shared';

const DAY_MS = 86_400_000;

const tomorrowOf = (now: Date) => chinaDay(new Date(now.getTime() + DAY_MS));

/** A booking's view for staff, with its household's room and the member's masked name. */
async function itemViews(ctx: UserContext, docs: BookingDoc[]): Promise<BookingItemView[]> {
  if (docs.length === 0) return [];
  const households = await getByIds(
    ctx,
    'households',
    docs.map((b) => b.householdId),
  );
  const buildings = await getByIds(
    ctx,
    'buildings',
    docs.map((b) => b.buildingId),
  );
  const claimers = await getByIds(
    ctx,
    'users',
    docs.map((b) => b.claimedBy).filter((x): x is string => Boolean(x)),
  );
  const byId = new Map(households.map((h) => [h._id, h]));
  const names = new Map(buildings.map((b) => [b._id, b.name]));
  const who = new Map(claimers.map((u) => [u._id, u.nickName]));
  return docs.map((b) => {
    const member = byId.get(b.householdId)?.members.find((m) => m.id === b.memberId);
    return {
      id: b._id,
      date: b.date,
      householdId: b.householdId,
      memberId: b.memberId,
      buildingName: names.get(b.buildingId) ?? '',
      room: byId.get(b.householdId)?.room ?? '',
      nameMasked: maskName(member?.name ?? ''),
      needs: member?.needs ?? [],
      reason: b.reason ?? 'other',
      note: b.note ?? '',
      status: b.status ?? 'booked',
      mine: b.claimedBy === ctx.caller.openid,
      claimedBy: b.claimedBy ? maskName(who.get(b.claimedBy) ?? '网格员') : null,
      knock: b.knock ?? null,
      knockAt: b.knockAt ?? null,
      outcome: b.outcome ?? null,
    };
  });
}

function myView(b: BookingDoc, household: HouseholdDoc): MyBookingView {
  return {
    id: b._id,
    date: b.date,
    memberId: b.memberId,
    nameMasked: maskName(household.members.find((m) => m.id === b.memberId)?.name ?? ''),
    reason: b.reason ?? 'other',
    status: b.status ?? 'booked',
    knock: b.knock ?? null,
    outcome: b.outcome ?? null,
  };
}

/** The booking and the caller as staff of its grid (another grid's staff: AUTH.NOT_GRIDWORKER). */
async function staffBooking(ctx: UserContext, bookingId: string): Promise<{ booking: BookingDoc; user: UserDoc }> {
  const booking = await getDoc(ctx, 'bookings', bookingId);
  if (!booking) throw new AppError('COMMON.NOT_FOUND', '没有找到该预约');
  const { user } = await requireGridStaff(ctx, booking.gridId);
  return { booking, user };
}

/** Why a booking cannot move (someone else claimed it, the resident cancelled, it is closed). */
function refusal(b: BookingDoc, me: string): AppError {
  if (b.status === 'cancelled') return new AppError('COMMON.CONFLICT', '居民已取消这个预约');
  if (b.status === 'closed') return new AppError('COMMON.CONFLICT', '这个预约已办结');
  if (b.status === 'booked') return new AppError('COMMON.CONFLICT', '请先认领这个预约');
  if (b.claimedBy && b.claimedBy !== me) return new AppError('COMMON.CONFLICT', '这个预约已被其他网格员认领');
  return new AppError('COMMON.CONFLICT', '预约状态已变化，请刷新后重试');
}

/** Staff acting on a claimed booking: the claimer, or the community admin. */
const actsFor = (user: UserDoc, b: BookingDoc) =>
  b.claimedBy === user._id || (user.roles.includes('communityAdmin') && user.communityId !== null);

export const bookingActions = defineActions('testing', {
  'testing.book': {
    input: z
      .object({
        date: dateString(),
        memberIds: z.array(id).min(1).max(12),
        reason: z.enum(BOOKING_REASONS).optional(),
        note: note(100).optional(),
      })
      .strict(),
    async handle(ctx, input) {
      const { household } = await requireResident(ctx);
      if (input.date <= chinaDay(ctx.now)) throw new AppError('COMMON.INVALID_INPUT', '只能预约明天及以后的采样');
      if (input.date > chinaDay(new Date(ctx.now.getTime() + 7 * DAY_MS)))
        throw new AppError('COMMON.INVALID_INPUT', '只能预约七天以内的采样');
      const members = input.memberIds.map((m) => household.members.find((x) => x.id === m));
      if (members.some((m) => !m)) throw new AppError('COMMON.NOT_FOUND', '没有这位家庭成员');
      const reason = input.reason ?? 'other';
      const noteText = input.note ?? '';
      const bookings = ctx.db.collection('bookings');
      // One booking per person per day: booking again keeps a claimed one as it is, updates the reason
      // of one not yet claimed, and books a cancelled one again.
      for (const memberId of [...new Set(input.memberIds)]) {
        const _id = `${input.date}:${household._id}:${memberId}`;
        const fresh: BookingDoc = {
          _id,
          date: input.date,
          gridId: household.gridId,
          buildingId: household.buildingId,
          householdId: household._id,
          memberId,
          bookedBy: ctx.caller.openid,
          at: ctx.now.toISOString(),
          reason,
          note: noteText,
          status: 'booked',
          claimedBy: null,
          claimedAt: null,
          knock: null,
          knockAt: null,
          outcome: null,
          closedBy: null,
          closedAt: null,
        };
        try {
          await bookings.add(fresh);
          continue;
        } catch (error) {
          if (!isDuplicateError(error)) throw error;
        }
        await bookings.where({ _id, status: 'booked' }).update({ reason, note: noteText });
        await transition(ctx.db, 'bookings', { _id }, BOOKING_MACHINE, 'rebook', 'resident', {
          reason,
          note: noteText,
          bookedBy: ctx.caller.openid,
          at: ctx.now.toISOString(),
          claimedBy: null,
          claimedAt: null,
          knock: null,
          knockAt: null,
          outcome: null,
          closedBy: null,
          closedAt: null,
        });
      }
      return { date: input.date, booked: input.memberIds.length };
    },
  },

  'testing.bookingList': {
    input: z
      .object({ gridId: id, date: dateString().optional(), status: z.enum(BOOKING_STATUSES).optional(), ...pageFields })
      .strict(),
    async handle(ctx, input) {
      const { grid } = await requireGridStaff(ctx, input.gridId);
      const date = input.date ?? tomorrowOf(ctx.now);
      // A grid's bookings of one day are a few hundred at most: read whole, sorted in walking order.
      const docs = await all(ctx, 'bookings', { gridId: grid._id, date });
      const counts = Object.fromEntries(BOOKING_STATUSES.map((s) => [s, 0])) as Record<BookingStatus, number>;
      for (const d of docs) counts[d.status ?? 'booked'] += 1;
      const views = await itemViews(
        ctx,
        docs.filter((d) => !input.status || (d.status ?? 'booked') === input.status),
      );
      const keyOf = (v: BookingItemView) => [v.buildingName, v.room, v.householdId, v.memberId];
      const sorted = [...views].sort((a, b) => walkingCompare(keyOf(a), keyOf(b)));
      return { ...keyPage(sorted, keyOf, walkingCompare, input), gridId: grid._id, date, counts };
    },
  },

  'testing.claimBooking': {
    input: z.object({ bookingId: id }).strict(),
    async handle(ctx, input) {
      const { booking } = await staffBooking(ctx, input.bookingId);
      const me = ctx.caller.openid;
      // The conditional update is the claim: of two gridworkers at once, only one moves it.
      const moved = await transition(ctx.db, 'bookings', { _id: booking._id }, BOOKING_MACHINE, 'claim', 'staff', {
        claimedBy: me,
        claimedAt: ctx.now.toISOString(),
      });
      const now = (await getDoc(ctx, 'bookings', booking._id)) ?? booking;
      // A retried claim of one's own booking answers it as it is.
      if (!moved.updated && !(now.claimedBy === me && (now.status === 'claimed' || now.status === 'visited'))) {
        if (now.status === 'claimed' || now.status === 'visited')
          throw new AppError('COMMON.CONFLICT', '这个预约已被其他网格员认领');
        throw refusal(now, me);
      }
      return (await itemViews(ctx, [now]))[0] as BookingItemView;
    },
  },

  'testing.knockBooking': {
    input: z.object({ bookingId: id, status: z.enum(KNOCK_STATUSES), note: note(100).optional() }).strict(),
    async handle(ctx, input) {
      const { booking, user } = await staffBooking(ctx, input.bookingId);
      const me = ctx.caller.openid;
      if (!next(BOOKING_MACHINE, booking.status, 'knock', 'staff') || !actsFor(user, booking))
        throw refusal(booking, me);
      const where = user.roles.includes('communityAdmin') ? { _id: booking._id } : { _id: booking._id, claimedBy: me };
      const moved = await transition(ctx.db, 'bookings', where, BOOKING_MACHINE, 'knock', 'staff', {
        knock: input.status,
        knockAt: ctx.now.toISOString(),
        ...(input.note ? { note: input.note } : {}),
      });
      const now = (await getDoc(ctx, 'bookings', booking._id)) ?? booking;
      if (!moved.updated) throw refusal(now, me);
      return (await itemViews(ctx, [now]))[0] as BookingItemView;
    },
  },

  'testing.closeBooking': {
    input: z.object({ bookingId: id, outcome: z.enum(BOOKING_OUTCOMES), note: note(100).optional() }).strict(),
    async handle(ctx, input) {
      const { booking, user } = await staffBooking(ctx, input.bookingId);
      const me = ctx.caller.openid;
      // Closing again what one closed answers it as it is (a retried tap).
      if (booking.status === 'closed' && booking.closedBy === me) return (await itemViews(ctx, [booking]))[0]!;
      if (!next(BOOKING_MACHINE, booking.status, 'close', 'staff') || !actsFor(user, booking))
        throw refusal(booking, me);
      const where = user.roles.includes('communityAdmin') ? { _id: booking._id } : { _id: booking._id, claimedBy: me };
      const moved = await transition(ctx.db, 'bookings', where, BOOKING_MACHINE, 'close', 'staff', {
        outcome: input.outcome,
        closedBy: me,
        closedAt: ctx.now.toISOString(),
        ...(input.note ? { note: input.note } : {}),
      });
      const now = (await getDoc(ctx, 'bookings', booking._id)) ?? booking;
      if (!moved.updated && !(now.status === 'closed' && now.closedBy === me)) throw refusal(now, me);
      return (await itemViews(ctx, [now]))[0] as BookingItemView;
    },
  },

  'testing.myBookings': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const { household } = await requireResident(ctx);
      const _ = ctx.db.command;
      const since = chinaDay(new Date(ctx.now.getTime() - 7 * DAY_MS));
      const docs = await all(ctx, 'bookings', { householdId: household._id, date: _.gte(since) });
      return docs
        .sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : a._id < b._id ? -1 : 1))
        .map((b) => myView(b, household));
    },
  },

  'testing.cancelBooking': {
    input: z.object({ bookingId: id }).strict(),
    async handle(ctx, input) {
      const { household } = await requireResident(ctx);
      const booking = await getDoc(ctx, 'bookings', input.bookingId);
      // Another household's booking is not found (its existence is not told).
      if (!booking || booking.householdId !== household._id) throw new AppError('COMMON.NOT_FOUND', '没有找到该预约');
      if (booking.status === 'cancelled') return myView(booking, household);
      const moved = await transition(ctx.db, 'bookings', { _id: booking._id }, BOOKING_MACHINE, 'cancel', 'resident');
      const now = (await getDoc(ctx, 'bookings', booking._id)) ?? booking;
      if (!moved.updated && now.status !== 'cancelled')
        throw new AppError('COMMON.CONFLICT', '这个预约已办结，无法取消');
      return myView(now, household);
    },
  },
});
