/** On the way: picking up (counted against the job), delivering by handover code or photo, failing a stop. */
import { transition } from '../../lib/transition';
import { AppError } from '../../../core/errors';
import { HANDOVER_TRIES, shortfall, totalsOf, JOB_TRANSITIONS } from '../../../core/jobs';
import { ORDER_STATUS_TEXT } from '../../../core/order/labels';
import { ORDER_TRANSITIONS } from '../../../core/order/state-machine';
import type { PickupView, StopResultView } from '../../../typings/api';
import type { JobDoc, JobEventRecord, JobStop, OrderEventRecord } from '../../../typings/entities';
import { getByIds, getDoc, mustGet } from '../../lib/access';
import { type CallContext, defineActions, type UserContext } from '../../lib/define-function';
import { enqueue, orderStatusMessages } from '../../lib/outbox';
import { idString, text, z } from '../../lib/validate';
import { id } from './shared';
import { cardView } from './views';

/**
 * Settles one stop of a picked-up job: takes it off the job's pending list; the last one
 * finishes the job. Both writes are conditional on the order still being pending, so a retry
 * changes nothing.
 */
async function settleStop(ctx: CallContext, jobId: string, orderId: string, by: string): Promise<'pickedUp' | 'done'> {
  const _ = ctx.db.command;
  const now = ctx.now.toISOString();
  const jobs = ctx.db.collection('jobs');
  const more = await jobs
    .where({ _id: jobId, status: 'pickedUp', pending: orderId, 'pending.1': _.exists(true) })
    .update({ pending: _.pull(orderId), updatedAt: now });
  if (more.updated) return 'pickedUp';
  const event: JobEventRecord = { status: 'done', at: now, by };
  const last = await transition(
    ctx.db,
    'jobs',
    { _id: jobId, pending: [orderId] },
    JOB_TRANSITIONS,
    'finish',
    'volunteer',
    { pending: [], updatedAt: now, history: _.push([event]) },
  );
  if (last.updated) return 'done';
  const job = await getDoc(ctx, 'jobs', jobId);
  return job?.status === 'done' ? 'done' : 'pickedUp';
}

/**
 * Takes one handover-code try of a job held by `me`; answers how many are left after it, or
 * refuses with JOB.CODE_LOCKED when none is left (then a photo or the gridworker completes it).
 */
async function takeCodeTry(ctx: CallContext, jobId: string, me: string): Promise<number> {
  const _ = ctx.db.command;
  const jobs = ctx.db.collection('jobs');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const res = await jobs
      .where({ _id: jobId, volunteerId: me, codeTries: _.lt(HANDOVER_TRIES) })
      .update({ codeTries: _.inc(1) });
    const job = await getDoc(ctx, 'jobs', jobId);
    if (!job || job.volunteerId !== me) throw new AppError('JOB.NOT_YOURS');
    if (res.updated) return Math.max(0, HANDOVER_TRIES - (job.codeTries ?? HANDOVER_TRIES));
    if (job.codeTries !== undefined) throw new AppError('JOB.CODE_LOCKED');
    // A job written before tries were counted starts at none.
    await jobs.where({ _id: jobId, codeTries: _.exists(false) }).update({ codeTries: 0 });
  }
  throw new AppError('JOB.CODE_LOCKED');
}

/** Why a stop could not be settled: answers with the most useful error. */
async function explainStop(
  ctx: UserContext,
  jobId: string,
  orderId: string,
  code?: string,
  triesLeft?: number,
): Promise<never> {
  const order = await getDoc(ctx, 'orders', orderId);
  if (order?.status === 'cancelled' && order.jobId === jobId)
    throw new AppError('JOB.BAD_STATE', '该订单已被取消，请把物资交回网格员');
  if (!order || order.jobId !== jobId || order.volunteerId !== ctx.caller.openid) {
    if (order?.status === 'assigned' && order.jobId === jobId)
      throw new AppError('JOB.BAD_STATE', '请先核对数量并确认取货');
    throw new AppError('JOB.NOT_YOURS');
  }
  if (order.status !== 'pickedUp') throw new AppError('JOB.BAD_STATE', `该订单${ORDER_STATUS_TEXT[order.status]}`);
  if (code !== undefined) {
    if (triesLeft === 0)
      throw new AppError('JOB.CODE_LOCKED', '取货码不对，错误次数已达上限：请拍照留证，或请网格员确认交付');
    throw new AppError(
      'JOB.WRONG_CODE',
      triesLeft === undefined ? undefined : `取货码不对，请核对居民出示的取货码（还可以再试 ${triesLeft} 次）`,
    );
  }
  throw new AppError('JOB.BAD_STATE');
}

/** A door of a job the caller holds, or JOB.NOT_YOURS. */
async function myStop(ctx: UserContext, jobId: string, orderId: string): Promise<{ job: JobDoc; stop: JobStop }> {
  const job = await getDoc(ctx, 'jobs', jobId);
  const stop = job?.stops.find((s) => s.orderId === orderId);
  if (!job || !stop || job.volunteerId !== ctx.caller.openid) throw new AppError('JOB.NOT_YOURS');
  return { job, stop };
}

export const stopActions = defineActions('dispatch', {
  'dispatch.pickUp': {
    input: z
      .object({
        jobId: id,
        counts: z
          .record(idString(), z.number().int().min(0).max(10_000))
          .refine((c) => Object.keys(c).length <= 200, '商品种类不能超过 200 种'),
      })
      .strict(),
    async handle(ctx, input) {
      const me = ctx.caller.openid;
      const job = await getDoc(ctx, 'jobs', input.jobId);
      if (!job) throw new AppError('COMMON.NOT_FOUND', '没有找到该任务');
      if (job.volunteerId !== me) throw new AppError('JOB.NOT_YOURS');
      const _ = ctx.db.command;
      const now = ctx.now.toISOString();
      const short = shortfall(totalsOf(job.stops), input.counts);
      const note = short.length
        ? `取货短缺：${short.map((s) => `${s.name}少${s.expected - s.counted}${s.unit}`).join('，')}`
        : '取货数量已核对';
      const event: JobEventRecord = { status: 'pickedUp', at: now, by: me, note };
      const res = await transition(
        ctx.db,
        'jobs',
        { _id: job._id, volunteerId: me },
        JOB_TRANSITIONS,
        'pickUp',
        'volunteer',
        { pickedUpAt: now, pickupShortfall: short, updatedAt: now, history: _.push([event]) },
      );
      const fresh = res.updated
        ? { ...job, status: 'pickedUp' as const, pickedUpAt: now, pickupShortfall: short }
        : await mustGet(ctx, 'jobs', job._id, '任务');
      // A retry after the job moved on only finishes the orders' half.
      if (!res.updated && !(fresh.status === 'pickedUp' && fresh.volunteerId === me))
        throw new AppError('JOB.BAD_STATE', '任务已退回或已改派，请刷新');
      const orderEvent: OrderEventRecord = { status: 'pickedUp', at: now, by: me };
      const moved = await transition(ctx.db, 'orders', { jobId: job._id }, ORDER_TRANSITIONS, 'pickUp', 'volunteer', {
        volunteerId: me,
        updatedAt: now,
        history: _.push([orderEvent]),
      });
      if (res.updated && moved.updated < job.orderIds.length) {
        // Some orders were cancelled while waiting: they are not on this trip any more.
        const gone = (await getByIds(ctx, 'orders', job.orderIds))
          .filter((o) => o.status !== 'pickedUp')
          .map((o) => o._id);
        if (gone.length) {
          await ctx.db
            .collection('jobs')
            .where({ _id: job._id, status: 'pickedUp' })
            .update({ pending: _.pullAll(gone) });
          fresh.pending = fresh.pending.filter((p) => !gone.includes(p));
        }
      }
      if (res.updated) {
        await enqueue(
          ctx,
          job.stops.flatMap((s) =>
            orderStatusMessages(s.notify, { id: s.orderId, lines: s.lines }, 'pickedUp', '请准备好取货码'),
          ),
        );
      }
      const view: PickupView = { job: cardView(fresh, me, new Map([[me, '我']])), pickedUp: fresh.pending };
      return view;
    },
  },

  'dispatch.deliver': {
    input: z
      .object({
        jobId: id,
        orderId: id,
        code: text(8, 4).optional(),
        photoFileId: idString(512).optional(),
        counts: z
          .record(idString(), z.number().int().min(0).max(10_000))
          .refine((c) => Object.keys(c).length <= 200, '商品种类不能超过 200 种')
          .optional(),
      })
      .strict()
      .refine((v) => Boolean(v.code) !== Boolean(v.photoFileId), {
        message: '请输入居民的取货码，或无人应答时拍照留证',
        path: ['code'],
      }),
    async handle(ctx, input) {
      const me = ctx.caller.openid;
      const _ = ctx.db.command;
      const now = ctx.now.toISOString();
      // Read first: a job that is not mine, or a door whose code is locked, is refused before any write.
      const { job, stop } = await myStop(ctx, input.jobId, input.orderId);
      if (input.code && (job.codeTries ?? 0) >= HANDOVER_TRIES) throw new AppError('JOB.CODE_LOCKED');
      const short = stop ? shortfall(stop.lines, input.counts) : [];
      const note = [
        input.photoFileId ? '无人应答，拍照放门口' : '凭取货码交付',
        short.length ? `短缺：${short.map((s) => `${s.name}少${s.expected - s.counted}${s.unit}`).join('，')}` : '',
      ]
        .filter(Boolean)
        .join('；');
      const event: OrderEventRecord = { status: 'delivered', at: now, by: me, note };
      const where: Record<string, unknown> = { _id: input.orderId, jobId: input.jobId, volunteerId: me };
      const code = input.code?.replace(/\s+/g, '');
      const jobs = ctx.db.collection('jobs');
      let triesLeft: number | undefined;
      if (code) {
        where.handoverCode = code;
        // A try is taken before the code is compared (one conditional update): many guesses at
        // once still get no more than HANDOVER_TRIES comparisons. A right code gives it back.
        triesLeft = await takeCodeTry(ctx, input.jobId, me);
      }
      const res = await transition(ctx.db, 'orders', where, ORDER_TRANSITIONS, 'deliver', 'volunteer', {
        shortfall: short,
        proofFileId: input.photoFileId ?? null,
        updatedAt: now,
        history: _.push([event]),
      });
      if (!res.updated) {
        const order = await getDoc(ctx, 'orders', input.orderId);
        if (code && order?.handoverCode === code)
          await jobs.where({ _id: input.jobId, codeTries: _.gt(0) }).update({ codeTries: _.inc(-1) });
        // A retry of a delivery that went through answers the same.
        if (!(order?.status === 'delivered' && order.volunteerId === me && order.jobId === input.jobId))
          await explainStop(ctx, input.jobId, input.orderId, input.code, triesLeft);
      } else if (code) {
        await jobs.where({ _id: input.jobId, codeTries: _.gt(0) }).update({ codeTries: _.inc(-1) });
      }
      const jobStatus = await settleStop(ctx, input.jobId, input.orderId, me);
      if (res.updated && stop && input.photoFileId) {
        await enqueue(
          ctx,
          orderStatusMessages(
            stop.notify,
            { id: stop.orderId, lines: stop.lines },
            'delivered',
            '无人应答，已放门口并拍照',
          ),
        );
      }
      const result: StopResultView = { orderId: input.orderId, status: 'delivered', shortfall: short, jobStatus };
      return result;
    },
  },

  'dispatch.fail': {
    input: z.object({ jobId: id, orderId: id, reason: text(100, 2, '请写明未送达的原因') }).strict(),
    async handle(ctx, input) {
      const me = ctx.caller.openid;
      const _ = ctx.db.command;
      const now = ctx.now.toISOString();
      const { stop } = await myStop(ctx, input.jobId, input.orderId);
      const event: OrderEventRecord = { status: 'failed', at: now, by: me, note: input.reason };
      const res = await transition(
        ctx.db,
        'orders',
        { _id: input.orderId, jobId: input.jobId, volunteerId: me },
        ORDER_TRANSITIONS,
        'fail',
        'volunteer',
        { failReason: input.reason, updatedAt: now, history: _.push([event]) },
      );
      if (!res.updated) {
        const order = await getDoc(ctx, 'orders', input.orderId);
        if (!(order?.status === 'failed' && order.jobId === input.jobId))
          await explainStop(ctx, input.jobId, input.orderId);
      }
      const jobStatus = await settleStop(ctx, input.jobId, input.orderId, me);
      if (res.updated) {
        await enqueue(
          ctx,
          orderStatusMessages(stop.notify, { id: stop.orderId, lines: stop.lines }, 'failed', input.reason),
        );
      }
      const result: StopResultView = { orderId: input.orderId, status: 'failed', shortfall: [], jobStatus };
      return result;
    },
  },
});
