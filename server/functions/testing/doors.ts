/** Door to door: knocks, and the day's bookings of home sampling at a glance (bookings.ts: booking, claiming, closing). */
import { KNOCK_STATUSES } from '../../../typings/values';
import { AppError } from '../../../core/errors';
import { maskName } from '../../../core/mask';
import { chinaDay } from '../../../core/time';
import { mustGet, requireGridStaff } from '../../lib/access';
import { defineActions } from '../../lib/define-function';
import { all } from '../../lib/query';
import { note, dateString, z } from '../../lib/validate';
import { id } from './shared';

export const doorActions = defineActions('testing', {
  'testing.knock': {
    input: z
      .object({ roundId: id, householdId: id, status: z.enum(KNOCK_STATUSES), note: note(100).optional() })
      .strict(),
    async handle(ctx, input) {
      const household = await mustGet(ctx, 'households', input.householdId, '住户');
      await requireGridStaff(ctx, household.gridId);
      const round = await mustGet(ctx, 'testRounds', input.roundId, '检测轮次');
      if (round.communityId !== household.communityId) throw new AppError('COMMON.NOT_FOUND', '没有找到该检测轮次');
      await ctx.db
        .collection('knocks')
        .doc(`${input.roundId}:${household._id}`)
        .set({
          roundId: input.roundId,
          gridId: household.gridId,
          householdId: household._id,
          status: input.status,
          note: input.note ?? '',
          by: ctx.caller.openid,
          at: ctx.now.toISOString(),
          day: chinaDay(ctx.now),
        });
      return { householdId: household._id, status: input.status };
    },
  },

  'testing.bookings': {
    input: z.object({ gridId: id, date: dateString() }).strict(),
    async handle(ctx, input) {
      const { grid } = await requireGridStaff(ctx, input.gridId);
      const bookings = await all(ctx, 'bookings', { gridId: grid._id, date: input.date });
      if (bookings.length === 0) return [];
      const _ = ctx.db.command;
      const ids = [...new Set(bookings.map((b) => b.householdId))];
      const [households, buildings] = await Promise.all([
        all(ctx, 'households', { _id: _.in(ids) }),
        all(ctx, 'buildings', { gridId: grid._id }),
      ]);
      const byId = new Map(households.map((h) => [h._id, h]));
      const names = new Map(buildings.map((b) => [b._id, b.name]));
      return bookings.map((b) => {
        const h = byId.get(b.householdId);
        const member = h?.members.find((m) => m.id === b.memberId);
        return {
          householdId: b.householdId,
          buildingName: names.get(b.buildingId) ?? '',
          room: h?.room ?? '',
          nameMasked: maskName(member?.name ?? ''),
          needs: member?.needs ?? [],
          id: b._id,
          reason: b.reason ?? 'other',
          status: b.status ?? 'booked',
        };
      });
    },
  },
});
