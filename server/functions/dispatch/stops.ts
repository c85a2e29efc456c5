/** On the way: picking up (counted against the job), delivering by handover code or photo, failing a stop. */
import { transition } from '../../lib/transition';
import { AppError } from '../../../core/errors';
import { HANDOVER_TRIES, handoverCodeMatches, shortfall, totalsOf, JOB_TRANSITIONS } from '../../../core/jobs';
import { moveFor } from '../../../core/state/machine';
import { ORDER_STATUS_TEXT } from '../../../core/order/labels';
import { ORDER_TRANSITIONS } from '../../../core/order/state-machine';
import type { PickupView, StopResultView } from '../../../typings/api';
import type { JobDoc, JobEventRecord, JobStop, OrderEventRecord, ShortLine } from '../../../typings/entities';
import { getByIds, getDoc } from '../../lib/access';
import { refundShortfall } from '../../lib/refunds';
import { type CallContext, defineActions, type UserContext } from '../../lib/define-function';
import { enqueue, orderStatusMessages } from '../../lib/outbox';
import { idString, text, z } from '../../lib/validate';
import { settleStop, finishIfEmpty } from './doors';
import { returnLeg } from './gas';
import { id } from './shared';
import { cardView } from './views';

/** The history note of a delivery: how it was handed over, and what was short. */
function doorNote(how: string, short: readonly ShortLine[]): string {
  const shortText = short.length
    ? `短缺：${short.map((x) => `${x.name}少${x.expected - x.counted}${x.unit}`).join('，')}`
    : '';
  return [how, shortText].filter(Boolean).join('；');
}

/** Fewer than HANDOVER_TRIES wrong codes on the job (a job of an older version may have no count yet). */
function triesLeft(ctx: CallContext): object {
  const _ = ctx.db.command;
  return _.or([{ codeTries: _.lt(HANDOVER_TRIES) }, { codeTries: _.exists(false) }]);
}

/**
 * A wrong code: one try taken (only while tries are left), and the answer says how many are left.
 * Many guesses at once still get no more than HANDOVER_TRIES wrong answers: each is given only
 * after its try was taken by a conditional update.
 */
async function wrongCode(ctx: UserContext, jobId: string): Promise<never> {
  const _ = ctx.db.command;
  const res = (await ctx.db
    .collection('jobs')
    .where(_.and([{ _id: jobId, volunteerId: ctx.caller.openid, status: 'pickedUp' }, triesLeft(ctx)]))
    .updateAndReturn({ codeTries: _.inc(1) })) as { updated?: number; doc?: JobDoc | null };
  const left = res.updated && res.doc ? Math.max(0, HANDOVER_TRIES - (res.doc.codeTries ?? HANDOVER_TRIES)) : 0;
  if (left === 0) throw new AppError('JOB.CODE_LOCKED', '取货码不对，错误次数已达上限：请拍照留证，或请网格员确认交付');
  throw new AppError('JOB.WRONG_CODE', `取货码不对，请核对居民出示的取货码（还可以再试 ${left} 次）`);
}

/**
 * Delivers a door by the resident's code: the job read (the caller's, picked up, not locked —
 * refused before any write otherwise; it holds its doors' codes), then the door settled on the job
 * (conditional on tries being left, so a right code too waits behind a lock) and the order
 * delivered: one read and two writes. A wrong code takes a try and is answered only after.
 */
async function deliverByCode(
  ctx: UserContext,
  input: { jobId: string; orderId: string; counts?: Record<string, number> },
  code: string,
  again = true,
): Promise<StopResultView> {
  if (again) {
    const settled = await settleDoorByCode(ctx, input, code);
    if (settled) return deliverOrder(ctx, input, code, settled.stop, settled.jobStatus);
  }
  const me = ctx.caller.openid;
  const _ = ctx.db.command;
  const now = ctx.now.toISOString();
  const { job, stop } = await myStop(ctx, input.jobId, input.orderId);
  if (job.status !== 'pickedUp') {
    // A retry of the job's last door, after that door finished the job: the same answer.
    const last = job.status === 'done' ? await getDoc(ctx, 'orders', input.orderId) : null;
    if (last?.status === 'delivered' && last.jobId === input.jobId && last.volunteerId === me)
      return { orderId: input.orderId, status: 'delivered', shortfall: last.shortfall ?? [], jobStatus: 'done' };
    return explainStop(ctx, input.jobId, input.orderId);
  }
  const pending = job.pending.includes(input.orderId);
  // A door settled already: a retry answers the same (whatever code it carries); the order's
  // half cut short is finished below with a right code.
  const order = pending ? null : await getDoc(ctx, 'orders', input.orderId);
  const byMe = order?.jobId === input.jobId && order.volunteerId === me;
  if (order && byMe && order.status === 'delivered')
    return {
      orderId: input.orderId,
      status: 'delivered',
      shortfall: order.shortfall ?? [],
      jobStatus: await finishIfEmpty(ctx, job, me),
    };
  if (!pending && !(order && byMe && order.status === 'pickedUp'))
    return explainStop(ctx, input.jobId, input.orderId, code);
  if ((job.codeTries ?? 0) >= HANDOVER_TRIES) throw new AppError('JOB.CODE_LOCKED');
  // Jobs dispatched before the codes were kept on the job read the order's.
  const expected = job.codes?.[input.orderId] ?? (order ?? (await getDoc(ctx, 'orders', input.orderId)))?.handoverCode;
  if (!handoverCodeMatches(expected, code)) return wrongCode(ctx, input.jobId);

  let jobStatus: 'pickedUp' | 'done' = 'pickedUp';
  if (pending) {
    const last = job.pending.length === 1;
    const finish = moveFor(JOB_TRANSITIONS, 'finish', 'volunteer');
    const done: JobEventRecord = { status: 'done', at: now, by: me };
    const settled = last
      ? await ctx.db
          .collection('jobs')
          .where(
            _.and([
              { _id: job._id, volunteerId: me, status: _.in(finish.from), pending: [input.orderId] },
              triesLeft(ctx),
            ]),
          )
          .update({ status: finish.to, pending: [], updatedAt: now, history: _.push([done]) })
      : await ctx.db
          .collection('jobs')
          .where(
            _.and([
              {
                _id: job._id,
                volunteerId: me,
                status: 'pickedUp',
                pending: input.orderId,
                'pending.1': _.exists(true),
              },
              triesLeft(ctx),
            ]),
          )
          .update({ pending: _.pull(input.orderId), updatedAt: now });
    // The job changed in between (another door, a lock): read it again, once.
    if (!settled.updated) {
      if (again) return deliverByCode(ctx, input, code, false);
      throw new AppError('COMMON.CONFLICT', '这一户正在确认交付，请稍候再试');
    }
    if (last) jobStatus = 'done';
  } else {
    jobStatus = await finishIfEmpty(ctx, job, me);
  }
  return deliverOrder(ctx, input, code, stop, jobStatus);
}

/** Order ids that can name a field of the job's `codes` (anything else takes the read path). */
const FIELD_SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The usual door in one request: the door taken off the job by a conditional update that itself
 * checks the holder, the job's state, the tries left and the code kept on the job, and answers
 * the job as it now is (the door's lines and what is left). The last door then finishes the job
 * (once, conditional on nothing pending). Anything else — a wrong code, a retry, a lock, a job
 * without codes — matches nothing here and takes the read path, which explains or counts the try:
 * a right code is accepted here only while tries are left, exactly as on the read path.
 */
async function settleDoorByCode(
  ctx: UserContext,
  input: { jobId: string; orderId: string },
  code: string,
): Promise<{ stop: JobStop; jobStatus: 'pickedUp' | 'done' } | null> {
  if (!FIELD_SAFE_ID.test(input.orderId) || !code) return null;
  const me = ctx.caller.openid;
  const _ = ctx.db.command;
  const res = (await ctx.db
    .collection('jobs')
    .where(
      _.and([
        {
          _id: input.jobId,
          volunteerId: me,
          status: 'pickedUp',
          pending: input.orderId,
          [`codes.${input.orderId}`]: code,
          leg: _.neq('collectEmpty'),
        },
        triesLeft(ctx),
      ]),
    )
    .updateAndReturn({ pending: _.pull(input.orderId), updatedAt: ctx.now.toISOString() })) as {
    updated?: number;
    doc?: JobDoc | null;
  };
  const job = res.updated ? res.doc : null;
  const stop = job?.stops.find((s) => s.orderId === input.orderId);
  if (!job || !stop) return null;
  return { stop, jobStatus: job.pending.length ? 'pickedUp' : await finishIfEmpty(ctx, job, me) };
}

/** The order of a door settled on its job: delivered (with a gas order's full cylinder), once. */
async function deliverOrder(
  ctx: UserContext,
  input: { jobId: string; orderId: string; counts?: Record<string, number> },
  code: string,
  stop: JobStop,
  jobStatus: 'pickedUp' | 'done',
): Promise<StopResultView> {
  const me = ctx.caller.openid;
  const _ = ctx.db.command;
  const now = ctx.now.toISOString();
  const short = shortfall(stop.lines, input.counts);
  const event: OrderEventRecord = { status: 'delivered', at: now, by: me, note: doorNote('凭取货码交付', short) };
  // A gas order's full cylinder: 已送满瓶 (leg 2) in the same conditional update.
  const leg = returnLeg(ctx, stop);
  const res = await transition(
    ctx.db,
    'orders',
    { _id: input.orderId, jobId: input.jobId, volunteerId: me, handoverCode: code, ...leg.where },
    ORDER_TRANSITIONS,
    'deliver',
    'volunteer',
    { shortfall: short, proofFileId: null, updatedAt: now, history: _.push([event]), ...leg.patch },
  );
  if (!res.updated) {
    const now2 = await getDoc(ctx, 'orders', input.orderId);
    // Delivered by the same tap sent twice: the answer is the same.
    if (!(now2?.status === 'delivered' && now2.volunteerId === me && now2.jobId === input.jobId))
      await explainStop(ctx, input.jobId, input.orderId);
  }
  // Short at the door: a WeChat Pay order gets exactly the difference back (issue 19; once, never failing the delivery).
  if (short.length) await refundShortfall(ctx, input.orderId);
  return { orderId: input.orderId, status: 'delivered', shortfall: short, jobStatus };
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
  if (job.leg === 'collectEmpty') throw new AppError('JOB.BAD_STATE', '这是收空瓶任务，请在每户点“已取空瓶”');
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
      const _ = ctx.db.command;
      const now = ctx.now.toISOString();
      // Read first: a job that is not there or not mine is refused before any write.
      const job = await getDoc(ctx, 'jobs', input.jobId);
      if (!job) throw new AppError('COMMON.NOT_FOUND', '没有找到该任务');
      if (job.volunteerId !== me) throw new AppError('JOB.NOT_YOURS');
      if (job.leg === 'collectEmpty') throw new AppError('JOB.BAD_STATE', '收空瓶任务不用取货，请直接上门点“已取空瓶”');
      const short = shortfall(totalsOf(job.stops), input.counts);
      const note = short.length
        ? `取货短缺：${short.map((x) => `${x.name}少${x.expected - x.counted}${x.unit}`).join('，')}`
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
      const moved = res.updated > 0;
      let fresh: JobDoc = moved
        ? { ...job, status: 'pickedUp', pickedUpAt: now, pickupShortfall: short }
        : ((await getDoc(ctx, 'jobs', job._id)) ?? job);
      // A retry after the job moved on only finishes the orders' half.
      if (!moved && !(fresh.status === 'pickedUp' && fresh.volunteerId === me))
        throw new AppError('JOB.BAD_STATE', '任务已退回或已改派，请刷新');
      const orderEvent: OrderEventRecord = { status: 'pickedUp', at: now, by: me };
      const orders = await transition(
        ctx.db,
        'orders',
        { jobId: fresh._id },
        ORDER_TRANSITIONS,
        'pickUp',
        'volunteer',
        {
          volunteerId: me,
          updatedAt: now,
          history: _.push([orderEvent]),
        },
      );
      if (moved && orders.updated < fresh.orderIds.length) {
        // Some orders were cancelled while waiting: they are not on this trip any more.
        const gone = (await getByIds(ctx, 'orders', fresh.orderIds))
          .filter((o) => o.status !== 'pickedUp')
          .map((o) => o._id);
        if (gone.length) {
          await ctx.db
            .collection('jobs')
            .where({ _id: fresh._id, status: 'pickedUp' })
            .update({ pending: _.pullAll(gone) });
          fresh = { ...fresh, pending: fresh.pending.filter((p) => !gone.includes(p)) };
        }
      }
      if (moved) {
        await enqueue(
          ctx,
          fresh.stops.flatMap((x) =>
            orderStatusMessages(
              x.notify,
              { id: x.orderId, lines: x.lines, communityId: fresh.communityId },
              'pickedUp',
              '请准备好取货码',
            ),
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
      const code = input.code?.replace(/\s+/g, '');
      if (code) return deliverByCode(ctx, input, code);
      const me = ctx.caller.openid;
      const _ = ctx.db.command;
      const now = ctx.now.toISOString();
      // Nobody answered: a photo at the door. Read first: a job that is not mine is refused before any write.
      const { stop } = await myStop(ctx, input.jobId, input.orderId);
      const short = shortfall(stop.lines, input.counts);
      const event: OrderEventRecord = {
        status: 'delivered',
        at: now,
        by: me,
        note: doorNote('无人应答，拍照放门口', short),
      };
      const leg = returnLeg(ctx, stop);
      const res = await transition(
        ctx.db,
        'orders',
        { _id: input.orderId, jobId: input.jobId, volunteerId: me, ...leg.where },
        ORDER_TRANSITIONS,
        'deliver',
        'volunteer',
        {
          shortfall: short,
          proofFileId: input.photoFileId ?? null,
          updatedAt: now,
          history: _.push([event]),
          ...leg.patch,
        },
      );
      if (!res.updated) {
        const order = await getDoc(ctx, 'orders', input.orderId);
        // A retry of a delivery that went through answers the same.
        if (!(order?.status === 'delivered' && order.volunteerId === me && order.jobId === input.jobId))
          await explainStop(ctx, input.jobId, input.orderId);
      }
      const jobStatus = await settleStop(ctx, input.jobId, input.orderId, me);
      if (res.updated) {
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
      if (short.length) await refundShortfall(ctx, input.orderId);
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
