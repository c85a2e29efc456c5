/** Shifts: creating and cancelling, signing up (one seat, one conditional write), the roster. */
import { AppError } from '../../../core/errors';
import { SHIFT_MACHINE } from '../../../core/state/machines';
import { transition } from '../../lib/transition';
import { maskPhone } from '../../../core/mask';
import { chinaDay, chinaWallClock, toChinaIso } from '../../../core/time';
import { TEAM_TEXT } from '../../../core/volunteer/labels';
import { mayManage } from '../../../core/volunteer/registration';
import { cancelDeadline, mayCancel, shiftIssues, signUpRefusal } from '../../../core/volunteer/shifts';
import type { ShiftView } from '../../../typings/api';
import type { ShiftDoc, ShiftSignupDoc, VolunteerDoc } from '../../../typings/entities';
import { getDoc, mustGet } from '../../lib/access';
import { type CallContext, defineActions } from '../../lib/define-function';
import { all, mapPage, pageFields, pageOf } from '../../lib/query';
import { findUser, requireAdmin } from '../../lib/users';
import { text, timeOfDay, z } from '../../lib/validate';
import { day, id, invalid, mine, skill, staffScope, team } from './shared';

function shiftView(s: ShiftDoc, v: VolunteerDoc | null, now: Date): ShiftView {
  const mine = Boolean(v && v._id in s.seats);
  const refusal = v ? signUpRefusal(v, s, now) : { message: '只有志愿者可以报名' };
  return {
    id: s._id,
    team: s.team,
    teamText: TEAM_TEXT[s.team],
    title: s.title,
    place: s.place,
    date: s.date,
    start: s.start,
    end: s.end,
    capacity: s.capacity,
    taken: s.taken,
    qualifications: s.qualifications,
    status: s.status,
    cancelBy: toChinaIso(cancelDeadline(s)),
    mine,
    ownTeam: !v || v.team === s.team || v.teamsWished.includes(s.team),
    canSignUp: !mine && refusal === null,
    whyNot: mine ? null : (refusal?.message ?? null),
    canCancel: mine && s.status === 'open' && mayCancel(s, now),
  };
}

/** Gives a seat back: one conditional update removes the holder and the count together. */
export async function freeSeat(ctx: CallContext, shiftId: string, openid: string): Promise<boolean> {
  const _ = ctx.db.command;
  const res = await ctx.db
    .collection('shifts')
    .where({ _id: shiftId, [`seats.${openid}`]: _.exists(true) })
    .update({ taken: _.inc(-1), [`seats.${openid}`]: _.remove() });
  await ctx.db
    .collection('shiftSignups')
    .where({ _id: `${shiftId}:${openid}`, status: 'active' })
    .update({ status: 'cancelled', cancelledAt: ctx.now.toISOString() });
  return Boolean(res.updated);
}

export const shiftActions = defineActions('volunteer', {
  'volunteer.createShift': {
    input: z
      .object({
        team,
        title: text(30, 1, '请填写班次名称'),
        place: text(40, 1, '请填写地点，例如 3号卡点'),
        date: day,
        start: timeOfDay(),
        end: timeOfDay(),
        capacity: z.number().int().min(1, '人数应为 1–200 人').max(200, '人数应为 1–200 人'),
        qualifications: z.array(skill).max(3),
        cancelBeforeHours: z.number().min(0).max(72, '取消截止应为开始前 0–72 小时'),
      })
      .strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const issues = shiftIssues(input);
      if (issues.length) invalid(issues);
      const startAt = chinaWallClock(input.date, input.start);
      if (startAt.getTime() <= ctx.now.getTime()) invalid([{ path: 'date', message: '班次开始时间应晚于现在' }]);
      const shift: Omit<ShiftDoc, '_id'> = {
        communityId: admin.communityId,
        team: input.team,
        title: input.title,
        place: input.place,
        date: input.date,
        start: input.start,
        end: input.end,
        startAt: startAt.toISOString(),
        endAt: chinaWallClock(input.date, input.end).toISOString(),
        capacity: input.capacity,
        taken: 0,
        seats: {},
        qualifications: [...new Set(input.qualifications)],
        cancelBeforeHours: input.cancelBeforeHours,
        status: 'open',
        createdBy: ctx.caller.openid,
        createdAt: ctx.now.toISOString(),
      };
      const { id: shiftId } = (await ctx.db.collection('shifts').add(shift)) as { id: string };
      return shiftView({ _id: shiftId, ...shift }, null, ctx.now);
    },
  },

  'volunteer.cancelShift': {
    input: z.object({ shiftId: id }).strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const shift = await mustGet(ctx, 'shifts', input.shiftId, '班次');
      if (shift.communityId !== admin.communityId) throw new AppError('AUTH.NOT_ADMIN');
      await transition(ctx.db, 'shifts', { _id: shift._id }, SHIFT_MACHINE, 'cancel', 'staff');
      return shiftView({ ...shift, status: 'cancelled' }, null, ctx.now);
    },
  },

  'volunteer.shifts': {
    input: z.object({ from: day.optional(), ...pageFields }).strict(),
    async handle(ctx, input) {
      const [v, user] = await Promise.all([getDoc(ctx, 'volunteers', ctx.caller.openid), findUser(ctx)]);
      const staff =
        user && (user.roles.includes('communityAdmin') || user.roles.includes('gridworker')) ? user.communityId : null;
      const communityId = v?.status === 'approved' ? v.communityId : staff;
      if (!communityId) throw new AppError('AUTH.NOT_VOLUNTEER');
      const _ = ctx.db.command;
      const page = await pageOf(ctx, 'shifts', { communityId, date: _.gte(input.from ?? chinaDay(ctx.now)) }, input, [
        { field: 'startAt', dir: 'asc' },
      ]);
      const me = v?.status === 'approved' && v.communityId === communityId ? v : null;
      return mapPage(page, (s) => shiftView(s, me, ctx.now));
    },
  },

  'volunteer.signUp': {
    input: z.object({ shiftId: id }).strict(),
    async handle(ctx, input) {
      const v = await mine(ctx);
      const shift = await mustGet(ctx, 'shifts', input.shiftId, '班次');
      const openid = v._id;
      const refusal = signUpRefusal(v, shift, ctx.now);
      if (refusal) throw new AppError(refusal.code, refusal.message);
      let current = shift;
      if (!(openid in shift.seats)) {
        const _ = ctx.db.command;
        const at = ctx.now.toISOString();
        // Capacity and "not seated yet" checked and the seat taken in one conditional update:
        // many volunteers racing for the last seats get exactly the seats there are.
        const res = await ctx.db
          .collection('shifts')
          .where({ _id: shift._id, status: 'open', taken: _.lt(shift.capacity), [`seats.${openid}`]: _.exists(false) })
          .update({ taken: _.inc(1), [`seats.${openid}`]: at });
        current = await mustGet(ctx, 'shifts', shift._id, '班次');
        if (!res.updated && !(openid in current.seats)) {
          const again = signUpRefusal(v, current, ctx.now);
          throw again ? new AppError(again.code, again.message) : new AppError('VOLUNTEER.SHIFT_FULL');
        }
      }
      // The sign-up record (for "my shifts" and hours) has the seat's id: a retry rewrites it.
      const signup: Omit<ShiftSignupDoc, '_id'> = {
        shiftId: shift._id,
        volunteerId: openid,
        communityId: shift.communityId,
        startAt: shift.startAt,
        status: 'active',
        signedAt: current.seats[openid] ?? ctx.now.toISOString(),
        cancelledAt: null,
      };
      await ctx.db.collection('shiftSignups').doc(`${shift._id}:${openid}`).set(signup);
      await ctx.db.collection('volunteers').doc(openid).update({ lastActiveAt: ctx.now.toISOString() });
      return shiftView(current, v, ctx.now);
    },
  },

  'volunteer.cancelSignup': {
    input: z.object({ shiftId: id }).strict(),
    async handle(ctx, input) {
      const v = await mine(ctx);
      const shift = await mustGet(ctx, 'shifts', input.shiftId, '班次');
      if (v._id in shift.seats) {
        if (!mayCancel(shift, ctx.now))
          throw new AppError(
            'VOLUNTEER.CANCEL_CLOSED',
            `取消截止时间为开始前 ${shift.cancelBeforeHours} 小时，如有急事请联系社区管理员`,
          );
      }
      // Also when the seat is already free: a cancel cut off before the record was updated finishes.
      await freeSeat(ctx, shift._id, v._id);
      return shiftView(await mustGet(ctx, 'shifts', shift._id, '班次'), v.status === 'approved' ? v : null, ctx.now);
    },
  },

  'volunteer.roster': {
    input: z.object({ shiftId: id }).strict(),
    async handle(ctx, input) {
      const scope = await staffScope(ctx);
      const shift = await mustGet(ctx, 'shifts', input.shiftId, '班次');
      if (shift.communityId !== scope.communityId) throw new AppError('AUTH.FORBIDDEN', '只能查看本社区的班次');
      const _ = ctx.db.command;
      const holders = Object.keys(shift.seats);
      const people = holders.length ? await all(ctx, 'volunteers', { _id: _.in(holders) }) : [];
      return {
        shift: shiftView(shift, null, ctx.now),
        people: people
          // A gridworker sees the volunteers of their grids only.
          .filter((p) => mayManage(scope.user, p))
          .map((p) => ({
            id: p._id,
            name: p.name,
            phoneMasked: maskPhone(p.phone),
            team: p.team,
            signedAt: toChinaIso(new Date(shift.seats[p._id] as string)),
            onDuty: p.onDuty,
          }))
          .sort((a, b) => a.signedAt.localeCompare(b.signedAt)),
      };
    },
  },
});
