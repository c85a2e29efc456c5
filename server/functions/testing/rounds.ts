/** Testing rounds: opening, closing, listing. */
import { next } from '../../../core/state/machine';
import { ROUND_MACHINE } from '../../../core/state/machines';
import { transition } from '../../lib/transition';
import { AppError } from '../../../core/errors';
import type { TestRoundDoc } from '../../../typings/entities';
import { getDoc, mustGet } from '../../lib/access';
import { defineActions } from '../../lib/define-function';
import { findUser, requireAdmin } from '../../lib/users';
import { text, dateString, z } from '../../lib/validate';
import { id, roundView } from './shared';

export const roundActions = defineActions('testing', {
  'testing.openRound': {
    input: z
      .object({
        name: text(30),
        date: dateString(),
        points: z.array(text(30)).min(1).max(30),
        validHours: z.number().int().min(1).max(24 * 14),
      })
      .strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const count = await ctx.db.collection('testRounds').where({ communityId: admin.communityId }).count();
      const round: Omit<TestRoundDoc, '_id'> = {
        communityId: admin.communityId,
        code: `R${(count.total ?? 0) + 1}`,
        name: input.name,
        date: input.date,
        points: input.points,
        validHours: input.validHours,
        status: 'open',
        openedAt: ctx.now.toISOString(),
        closedAt: null,
        createdBy: ctx.caller.openid,
      };
      const { id: roundId } = (await ctx.db.collection('testRounds').add(round)) as { id: string };
      return roundView({ _id: roundId, ...round });
    },
  },

  'testing.closeRound': {
    input: z.object({ roundId: id }).strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const round = await mustGet(ctx, 'testRounds', input.roundId, '检测轮次');
      if (round.communityId !== admin.communityId) throw new AppError('AUTH.NOT_ADMIN');
      // Closing a closed round answers it as it is (a retried tap).
      if (!next(ROUND_MACHINE, round.status, 'close', 'staff')) return roundView(round);
      const closedAt = ctx.now.toISOString();
      const moved = await transition(ctx.db, 'testRounds', { _id: round._id }, ROUND_MACHINE, 'close', 'staff', { closedAt });
      return roundView(moved.updated ? { ...round, status: moved.to, closedAt } : ((await getDoc(ctx, 'testRounds', round._id)) ?? round));
    },
  },

  'testing.rounds': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const user = await findUser(ctx);
      if (!user?.communityId) throw new AppError('AUTH.NOT_MEMBER');
      const res = await ctx.db.collection('testRounds').where({ communityId: user.communityId }).orderBy('openedAt', 'desc').limit(100).get();
      return (res.data as TestRoundDoc[]).map(roundView);
    },
  },
});
