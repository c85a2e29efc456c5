/** Testing rounds: opening, closing, listing. */
import { next } from '../../../core/state/machine';
import { ROUND_MACHINE } from '../../../core/state/machines';
import { transition } from '../../lib/transition';
import { AppError } from '../../../core/errors';
import type { TestRoundDoc } from '../../../typings/entities';
import { getDoc, mustGet } from '../../lib/access';
import { isDuplicateError } from '../../lib/db-errors';
import { requestKey } from '../../lib/idempotency';
import { defineActions } from '../../lib/define-function';
import { mapPage, pageFields, pageOf } from '../../lib/query';
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
        validHours: z
          .number()
          .int()
          .min(1)
          .max(24 * 14),
      })
      .strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      // With a request id (the page sends one per intent), a retried tap answers the round it opened.
      if (ctx.requestId) {
        const roundId = requestKey(ctx, 'testing.openRound');
        const opened = await getDoc(ctx, 'testRounds', roundId);
        if (opened) return roundView(opened);
      }
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
      if (ctx.requestId) {
        const _id = requestKey(ctx, 'testing.openRound');
        try {
          await ctx.db.collection('testRounds').add({ _id, ...round });
        } catch (error) {
          if (!isDuplicateError(error)) throw error;
          return roundView(await mustGet(ctx, 'testRounds', _id, '检测轮次'));
        }
        return roundView({ _id, ...round });
      }
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
      const moved = await transition(ctx.db, 'testRounds', { _id: round._id }, ROUND_MACHINE, 'close', 'staff', {
        closedAt,
      });
      return roundView(
        moved.updated
          ? { ...round, status: moved.to, closedAt }
          : ((await getDoc(ctx, 'testRounds', round._id)) ?? round),
      );
    },
  },

  'testing.rounds': {
    input: z.object({ status: z.enum(['open', 'closed']).optional(), ...pageFields }).strict(),
    async handle(ctx, input) {
      const user = await findUser(ctx);
      if (!user?.communityId) throw new AppError('AUTH.NOT_MEMBER');
      const where = input.status
        ? { communityId: user.communityId, status: input.status }
        : { communityId: user.communityId };
      // Newest first, every round reachable page by page (a long lockdown has many).
      return mapPage(await pageOf(ctx, 'testRounds', where, input, [{ field: 'openedAt', dir: 'desc' }]), roundView);
    },
  },
});
