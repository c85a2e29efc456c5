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
import { wrongCodeTries } from '../../lib/jobs';
import { type CallContext, defineActions, type UserContext } from '../../lib/define-function';
import { enqueue, orderStatusMessages } from '../../lib/outbox';
import { idString, text, z } from '../../lib/validate';
import { id } from './shared';
import { cardView } from './views';

/**
 * Settles one stop of a picked-up job without its code (a photo, or failed): takes it off the
 * job's pending list, counting it among the doors settled otherwise; the last one finishes the job.
 * Both writes are conditional on the order still being pending, so a retry changes nothing.
 */
async function settleStop(ctx: CallContext, jobId: string, orderId: string, by: string): Promise<'pickedUp' | 'done'> {
  const _ = ctx.db.command;
  const now = ctx.now.toISOString();
  const jobs = ctx.db.collection('jobs');
  const more = await jobs
    .where({ _id: jobId, status: 'pickedUp', pending: orderId, 'pending.1': _.exists(true) })
    .update({ pending: _.pull(orderId), otherSettled: _.inc(1), updatedAt: now });
  if (more.updated) return 'pickedUp';
  const event: JobEventRecord = { status: 'done', at: now, by };
  const last = await transition(
    ctx.db,
    'jobs',
    { _id: jobId, pending: [orderId] },
    JOB_TRANSITIONS,
    'finish',
    'volunteer',
    { pending: [], otherSettled: _.inc(1), updatedAt: now, history: _.push([event]) },
  );
  if (last.updated) return 'done';
  const job = await getDoc(ctx, 'jobs', jobId);
  return job ? finishIfEmpty(ctx, job, by) : 'pickedUp';
}

/** A picked-up job whose doors are all settled is done (once); answers its status. */
async function finishIfEmpty(ctx: CallContext, job: JobDoc, by: string): Promise<'pickedUp' | 'done'> {
  if (job.status === 'done') return 'done';
  if (job.status !== 'pickedUp' || job.pending.length > 0) return 'pickedUp';
  const _ = ctx.db.command;
  const now = ctx.now.toISOString();
  const event: JobEventRecord = { status: 'done', at: now, by };
  const res = await transition(ctx.db, 'jobs', { _id: job._id, pending: [] }, JOB_TRANSITIONS, 'finish', 'volunteer', {
    updatedAt: now,
    history: _.push([event]),
  });
  if (res.updated) return 'done';
  return (await getDoc(ctx, 'jobs', job._id))?.status === 'done' ? 'done' : 'pickedUp';
}

/** The history note of a delivery: how it was handed over, and what was short. */
function doorNote(how: string, short: readonly ShortLine[]): string {
  const shortText = short.length
    ? `短缺：${short.map((x) => `${x.name}少${x.expected - x.counted}${x.unit}`).join('，')}`
    : '';
  return [how, shortText].filter(Boolean).join('；');
}

/** A try at a door older than this was cut short (no invocation runs that long): its door goes back. */
const TRY_STALE_MS = 60_000;

/**
 * The where-clause of a try: fewer than HANDOVER_TRIES wrong codes on the job, counted in the
 * database as `wrongCodeTries` counts them.
 */
function triesLeft(ctx: CallContext): object {
  const _ = ctx.db.command;
  const $ = _.aggregate as unknown as Record<'add' | 'subtract' | 'size' | 'ifNull' | 'lt', (arg: unknown) => object>;
  const taken = $.add([$.ifNull(['$codeTries', 0]), $.ifNull(['$otherSettled', 0]), $.size('$pending')]);
  return _.expr($.lt([$.subtract([taken, $.size('$stops')]), HANDOVER_TRIES]));
}

/**
 * Delivers a door by the resident's code: two writes and no read (and the job's finish at its last
 * door). One conditional update of the job takes a try before the code is compared, takes the door
 * off the job's pending list and answers the job with its doors' codes: many guesses at once still
 * get no more than HANDOVER_TRIES comparisons, and a right code is settled by that same update (a
 * wrong one puts the door back, its try kept). Then the order is delivered.
 */
async function deliverByCode(
  ctx: UserContext,
  input: { jobId: string; orderId: string; counts?: Record<string, number> },
  code: string,
  again = true,
): Promise<StopResultView> {
  const me = ctx.caller.openid;
  const _ = ctx.db.command;
  const now = ctx.now.toISOString();
  const jobs = ctx.db.collection('jobs');
  const trying = `trying.${input.orderId}`;
  const tried = (await jobs
    .where(_.and([{ _id: input.jobId, volunteerId: me, status: 'pickedUp', pending: input.orderId }, triesLeft(ctx)]))
    .updateAndReturn({ codeTries: _.inc(1), pending: _.pull(input.orderId), [trying]: now, updatedAt: now })) as {
    updated?: number;
    doc?: JobDoc | null;
  };
  const job = tried.updated ? tried.doc : null;
  if (!job) return explainCode(ctx, input, code, again);
  // This try's door back on the list (only while this try is the door's last).
  const putBack = () =>
    jobs
      .where({ _id: job._id, status: 'pickedUp', pending: _.neq(input.orderId), [trying]: now })
      .update({ pending: _.push([input.orderId]) });
  const stop = job.stops.find((x) => x.orderId === input.orderId);
  // Jobs dispatched before the codes were kept on the job read the order's.
  const expected = job.codes?.[input.orderId] ?? (await getDoc(ctx, 'orders', input.orderId))?.handoverCode;
  if (!stop || !handoverCodeMatches(expected, code)) {
    await putBack();
    if (!stop) throw new AppError('JOB.NOT_YOURS');
    const left = Math.max(0, HANDOVER_TRIES - (wrongCodeTries(job) + 1));
    if (left === 0)
      throw new AppError('JOB.CODE_LOCKED', '取货码不对，错误次数已达上限：请拍照留证，或请网格员确认交付');
    throw new AppError('JOB.WRONG_CODE', `取货码不对，请核对居民出示的取货码（还可以再试 ${left} 次）`);
  }
  const short = shortfall(stop.lines, input.counts);
  const event: OrderEventRecord = { status: 'delivered', at: now, by: me, note: doorNote('凭取货码交付', short) };
  const res = await transition(
    ctx.db,
    'orders',
    { _id: input.orderId, jobId: input.jobId, volunteerId: me, handoverCode: code },
    ORDER_TRANSITIONS,
    'deliver',
    'volunteer',
    { shortfall: short, proofFileId: null, updatedAt: now, history: _.push([event]) },
  );
  if (!res.updated) {
    const order = await getDoc(ctx, 'orders', input.orderId);
    // Delivered already (the same tap twice): the answer is the same.
    if (!(order?.status === 'delivered' && order.volunteerId === me && order.jobId === input.jobId)) {
      await putBack();
      await explainStop(ctx, input.jobId, input.orderId);
    }
  }
  const jobStatus = await finishIfEmpty(ctx, job, me);
  return { orderId: input.orderId, status: 'delivered', shortfall: short, jobStatus };
}

/**
 * Why no try could be taken: not my job, the code locked, not picked up yet — or the door off the
 * list already: delivered (a retry: the same answer), or a try at it in flight (another tap: its
 * outcome is awaited a moment, never compared here) or cut short (its door goes back, then one try).
 */
async function explainCode(
  ctx: UserContext,
  input: { jobId: string; orderId: string; counts?: Record<string, number> },
  code: string,
  again: boolean,
): Promise<StopResultView> {
  const me = ctx.caller.openid;
  const { job } = await myStop(ctx, input.jobId, input.orderId);
  if (job.status === 'pickedUp' && job.pending.includes(input.orderId)) {
    if (wrongCodeTries(job) >= HANDOVER_TRIES) throw new AppError('JOB.CODE_LOCKED');
    if (again) return deliverByCode(ctx, input, code, false); // the job changed in between
  }
  const delivered = async () => {
    const order = await getDoc(ctx, 'orders', input.orderId);
    return { order, done: order?.status === 'delivered' && order.volunteerId === me && order.jobId === input.jobId };
  };
  let { order, done } = await delivered();
  const inFlight = () =>
    job.status === 'pickedUp' &&
    !job.pending.includes(input.orderId) &&
    order?.status === 'pickedUp' &&
    order.jobId === input.jobId &&
    order.volunteerId === me;
  if (!done && inFlight()) {
    const at = job.trying?.[input.orderId];
    if (at && Date.parse(at) < ctx.now.getTime() - TRY_STALE_MS && again) {
      const _ = ctx.db.command;
      await ctx.db
        .collection('jobs')
        .where({ _id: job._id, status: 'pickedUp', pending: _.neq(input.orderId), [`trying.${input.orderId}`]: at })
        .update({ pending: _.push([input.orderId]) });
      return deliverByCode(ctx, input, code, false);
    }
    // Another tap's try is being compared: wait for its outcome (delivered, or the door back).
    for (let i = 0; i < 10 && !done; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ({ order, done } = await delivered());
      if (done) break;
      const now = await getDoc(ctx, 'jobs', job._id);
      if (now?.status === 'pickedUp' && now.pending.includes(input.orderId)) {
        if (wrongCodeTries(now) >= HANDOVER_TRIES) throw new AppError('JOB.CODE_LOCKED');
        if (again) return deliverByCode(ctx, input, code, false);
        break;
      }
    }
    if (!done) throw new AppError('COMMON.CONFLICT', '这一户正在确认交付，请稍候再试');
  }
  if (done && order) {
    const fresh = (await getDoc(ctx, 'jobs', job._id)) ?? job;
    return {
      orderId: input.orderId,
      status: 'delivered',
      shortfall: order.shortfall ?? [],
      jobStatus: await finishIfEmpty(ctx, fresh, me),
    };
  }
  return explainStop(ctx, input.jobId, input.orderId, code);
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
      const _ = ctx.db.command;
      const now = ctx.now.toISOString();
      const jobs = ctx.db.collection('jobs');
      // One conditional update that also answers the job (no read first); only the holder moves it.
      const move = moveFor(JOB_TRANSITIONS, 'pickUp', 'volunteer');
      const event: JobEventRecord = { status: 'pickedUp', at: now, by: me, note: '取货数量已核对' };
      const res = (await jobs
        .where({ _id: input.jobId, volunteerId: me, status: move.from.length === 1 ? move.from[0] : _.in(move.from) })
        .updateAndReturn({
          status: move.to,
          pickedUpAt: now,
          pickupShortfall: [],
          updatedAt: now,
          history: _.push([event]),
        })) as { updated?: number; doc?: JobDoc | null };
      const moved = Boolean(res.updated && res.doc);
      let fresh: JobDoc;
      if (moved) {
        fresh = res.doc as JobDoc;
        const short = shortfall(totalsOf(fresh.stops), input.counts);
        if (short.length) {
          // Counted short: the shortfall and why, on the event just written.
          const note = `取货短缺：${short.map((x) => `${x.name}少${x.expected - x.counted}${x.unit}`).join('，')}`;
          await jobs
            .doc(fresh._id)
            .update({ pickupShortfall: short, [`history.${fresh.history.length - 1}.note`]: note });
          fresh = { ...fresh, pickupShortfall: short };
        }
      } else {
        const job = await getDoc(ctx, 'jobs', input.jobId);
        if (!job) throw new AppError('COMMON.NOT_FOUND', '没有找到该任务');
        if (job.volunteerId !== me) throw new AppError('JOB.NOT_YOURS');
        // A retry after the job moved on only finishes the orders' half.
        if (job.status !== 'pickedUp') throw new AppError('JOB.BAD_STATE', '任务已退回或已改派，请刷新');
        fresh = job;
      }
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
          await jobs
            .where({ _id: fresh._id, status: 'pickedUp' })
            .update({ pending: _.pullAll(gone), otherSettled: _.inc(gone.length) });
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
      const res = await transition(
        ctx.db,
        'orders',
        { _id: input.orderId, jobId: input.jobId, volunteerId: me },
        ORDER_TRANSITIONS,
        'deliver',
        'volunteer',
        { shortfall: short, proofFileId: input.photoFileId ?? null, updatedAt: now, history: _.push([event]) },
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
