/**
 * Leg 1 of a gas swap at the door (core/jobs/gas.ts explains the two legs): the collection round's
 * volunteer marks 已取空瓶, or that the empty was not there (the door is collected again later).
 * Leg 2 (已送满瓶) is marked by the delivery itself (stops.ts, `returnLeg`).
 */
import { AppError } from '../../../core/errors';
import { GAS_LEG_MACHINE, JOB_TRANSITIONS, legField } from '../../../core/jobs';
import { moveFor } from '../../../core/state/machine';
import type { StopResultView } from '../../../typings/api';
import type { JobEventRecord, JobStop, OrderEventRecord } from '../../../typings/entities';
import { getDoc } from '../../lib/access';
import { enqueue, orderStatusMessages } from '../../lib/outbox';
import { type CallContext, defineActions } from '../../lib/define-function';
import { transition } from '../../lib/transition';
import { settleStop } from './doors';
import { text, z } from '../../lib/validate';
import { id } from './shared';

/**
 * The `where` and `patch` that mark leg 2 done with the delivery of a gas order's full cylinder:
 * the same conditional update as the order's `deliver`, so the leg is marked once, with it.
 */
export function returnLeg(ctx: CallContext, stop: Pick<JobStop, 'gasLeg'>): { where: object; patch: object } {
  if (stop.gasLeg !== 'returnFull') return { where: {}, patch: {} };
  const move = moveFor(GAS_LEG_MACHINE, 'finish', 'volunteer');
  const _ = ctx.db.command;
  return {
    where: { [legField('returnFull')]: _.in(move.from) },
    patch: { [legField('returnFull')]: move.to, 'gas.returnedAt': ctx.now.toISOString() },
  };
}

/** The collection round's last step. */
const ROUND_DONE = '空瓶已收完';

/** What a gas round's households are told when the volunteer sets out. */
export const COLLECT_NOTE = '志愿者已出发收空瓶，请把空瓶放在门口';

export const gasActions = defineActions('dispatch', {
  'dispatch.collectEmpty': {
    input: z.object({ jobId: id, orderId: id, missed: text(100, 2, '请写明没取到空瓶的原因').optional() }).strict(),
    async handle(ctx, input): Promise<StopResultView> {
      const me = ctx.caller.openid;
      const _ = ctx.db.command;
      const now = ctx.now.toISOString();
      // Read first: a round that is not there or not mine is refused before any write.
      const job = await getDoc(ctx, 'jobs', input.jobId);
      const stop = job?.stops.find((s) => s.orderId === input.orderId);
      if (!job || !stop || job.volunteerId !== me) throw new AppError('JOB.NOT_YOURS');
      if (job.leg !== 'collectEmpty') throw new AppError('JOB.BAD_STATE', '这不是收空瓶任务，请凭取货码送达');
      if (job.status !== 'assigned' && job.status !== 'pickedUp' && job.status !== 'done')
        throw new AppError('JOB.BAD_STATE', '任务已退回或已改派，请刷新');
      // The first door starts the round (no goods to pick up at the depot): assigned → on the way.
      if (job.status === 'assigned') {
        const started: JobEventRecord = { status: 'pickedUp', at: now, by: me, note: '开始上门取空瓶' };
        const began = await transition(
          ctx.db,
          'jobs',
          { _id: job._id, volunteerId: me },
          JOB_TRANSITIONS,
          'pickUp',
          'volunteer',
          { pickedUpAt: now, updatedAt: now, history: _.push([started]) },
        );
        // The round's households are told once, by the write that started it: put the empty out.
        if (began.updated)
          await enqueue(
            ctx,
            job.stops.flatMap((s) =>
              orderStatusMessages(
                s.notify,
                { id: s.orderId, lines: s.lines, kind: 'gas', communityId: job.communityId },
                'accepted',
                COLLECT_NOTE,
              ),
            ),
          );
      }
      const mine = { _id: input.orderId, status: 'accepted', 'gas.collectJobId': job._id };
      const move = moveFor(GAS_LEG_MACHINE, 'finish', 'volunteer');
      const event: OrderEventRecord = {
        status: 'accepted',
        at: now,
        by: me,
        note: input.missed ? `空瓶未取到：${input.missed}` : '已取空瓶',
      };
      // Each a conditional update on the leg: two taps, a retry or a race mark it once.
      const res = input.missed
        ? await ctx.db
            .collection('orders')
            .where({ ...mine, [legField('collectEmpty')]: 'pending' })
            .update({ 'gas.collectJobId': null, updatedAt: now, history: _.push([event]) })
        : await ctx.db
            .collection('orders')
            .where({ ...mine, [legField('collectEmpty')]: _.in(move.from) })
            .update({
              [legField('collectEmpty')]: move.to,
              'gas.collectedAt': now,
              updatedAt: now,
              history: _.push([event]),
            });
      if (!res.updated) {
        const order = await getDoc(ctx, 'orders', input.orderId);
        const collectedHere = order?.gas?.collectEmpty === 'done' && order.gas.collectJobId === job._id;
        const missedBefore = Boolean(input.missed) && order?.gas?.collectEmpty === 'pending';
        // 未取到 after 已取空瓶 is not a retry: the empty is recorded collected, and stays so.
        if (input.missed && collectedHere)
          throw new AppError('JOB.BAD_STATE', '这一户的空瓶已标记为已取，不能再标记未取到');
        if (!collectedHere && !missedBefore) {
          if (order?.status === 'cancelled') {
            await settleStop(ctx, job._id, input.orderId, me, ROUND_DONE);
            throw new AppError('JOB.BAD_STATE', '该订单已被取消，不用再取空瓶');
          }
          throw new AppError('JOB.BAD_STATE', '这一户的空瓶已不在你的任务里，请刷新');
        }
      }
      const jobStatus = await settleStop(ctx, job._id, input.orderId, me, ROUND_DONE);
      return { orderId: input.orderId, status: 'accepted', shortfall: [], jobStatus };
    },
  },
});
