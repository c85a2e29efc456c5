/** Taking and giving back jobs: open and own jobs, grabbing (within what one volunteer may hold), releasing, reassigning. */
import { randomUUID } from 'node:crypto';
import { transition } from '../../lib/transition';
import { PICKUP_GRACE_MS } from '../../../core/policy';
import { AppError } from '../../../core/errors';
import {
  carryRefusal,
  HANDOVER_TRIES,
  holdClaim,
  holdRefusal,
  jobLimitsOf,
  jobOfClaim,
  JOB_TRANSITIONS,
} from '../../../core/jobs';
import type { JobEventRecord, VolunteerDoc } from '../../../typings/entities';
import { getByIds, getDoc, mustGet, requireGridStaff } from '../../lib/access';
import { type CallContext, defineActions } from '../../lib/define-function';
import { releaseJob } from '../../lib/jobs';
import { all, mapPage, pageFields, pageOfSegments } from '../../lib/query';
import { text, z } from '../../lib/validate';
import { id, requireDeliveryVolunteer, staffVolunteerName, volunteerName } from './shared';
import { cardView, detailView, visibleJob } from './views';

/**
 * Takes a place for one more job in what a volunteer holds (`holding`, `heldKg` on the volunteer
 * document), within the community's limits. First brings the list in line with the jobs really
 * held (planner-assigned ones counted, finished or released ones dropped; claims of grabs in
 * flight kept), then adds the claim by compare-and-set on the list: concurrent grabs by the same
 * volunteer take places one at a time and never more than the cap.
 */
async function claimHold(ctx: CallContext, v: VolunteerDoc, claim: string, weightKg: number): Promise<void> {
  const _ = ctx.db.command;
  const volunteers = ctx.db.collection('volunteers');
  const community = await getDoc(ctx, 'communities', v.communityId);
  const limits = jobLimitsOf(community?.jobLimits);
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const me = await getDoc(ctx, 'volunteers', v._id);
    if (!me || me.status !== 'approved' || me.team !== 'delivery')
      throw new AppError('AUTH.NOT_VOLUNTEER', '此操作仅限已通过审核的配送组志愿者');
    if (!me.onDuty) throw new AppError('JOB.NOT_ON_DUTY');
    const listed = me.holding;
    const held = await all(ctx, 'jobs', { volunteerId: v._id, status: _.in(['assigned', 'pickedUp']) });
    const heldIds = new Set(held.map((j) => j._id));
    const claimed = [...new Set((listed ?? []).map(jobOfClaim))].filter((j) => !heldIds.has(j));
    const inFlight = new Map(
      (await getByIds(ctx, 'jobs', claimed)).filter((j) => j.status === 'open').map((j) => [j._id, j]),
    );
    const keep = (listed ?? []).filter((c) => heldIds.has(jobOfClaim(c)) || inFlight.has(jobOfClaim(c)));
    const represented = new Set(keep.map(jobOfClaim));
    const desired = [...keep, ...held.filter((j) => !represented.has(j._id)).map((j) => holdClaim(j._id, 'held'))];
    const jobs = new Map<string, number>([...held, ...inFlight.values()].map((j) => [j._id, j.weightKg]));
    const counted = [...new Set(desired.map(jobOfClaim))];
    const kg = Math.round(counted.reduce((n, j) => n + (jobs.get(j) ?? 0), 0) * 10) / 10;
    const same = listed !== undefined && desired.length === listed.length && desired.every((c, i) => c === listed[i]);
    // Every change of the list bumps its version: the compare-and-set is on the version.
    let version = me.holdVersion ?? 0;
    if (!same || me.heldKg !== kg) {
      const res = await volunteers
        .where({ _id: v._id, holdVersion: me.holdVersion === undefined ? _.exists(false) : me.holdVersion })
        .update({ holding: desired, heldKg: kg, holdVersion: version + 1 });
      if (!res.updated) continue;
      version += 1;
    }
    const refusal = holdRefusal({ jobs: counted.length, kg }, weightKg, limits);
    if (refusal) throw new AppError('JOB.LIMIT_REACHED', refusal);
    const res = await volunteers
      .where({ _id: v._id, status: 'approved', team: 'delivery', onDuty: true, holdVersion: version })
      .update({ holding: _.push([claim]), heldKg: _.inc(weightKg), holdVersion: _.inc(1) });
    if (res.updated) return;
  }
  throw new AppError('COMMON.CONFLICT', '接单的人较多，请稍后再试');
}

/** Gives back a claim of a grab that did not get the job (only if the claim is still listed). */
async function dropHold(ctx: CallContext, volunteerId: string, claim: string, weightKg: number): Promise<void> {
  const _ = ctx.db.command;
  await ctx.db
    .collection('volunteers')
    .where({ _id: volunteerId, holding: claim })
    .update({ holding: _.pull(claim), heldKg: _.inc(-weightKg), holdVersion: _.inc(1) });
}

export const jobActions = defineActions('dispatch', {
  'dispatch.reassign': {
    input: z.object({ jobId: id, volunteerId: id, fromVolunteerId: id.nullable() }).strict(),
    async handle(ctx, input) {
      const job = await mustGet(ctx, 'jobs', input.jobId, '任务');
      await requireGridStaff(ctx, job.gridId);
      const v = await getDoc(ctx, 'volunteers', input.volunteerId);
      if (!v || v.status !== 'approved' || v.team !== 'delivery' || !v.onDuty || !v.gridIds.includes(job.gridId)) {
        throw new AppError('JOB.NOT_ON_DUTY', '只能改派给本网格在岗的配送志愿者');
      }
      // What the volunteer declared they can carry binds a hand assignment too (a 15 kg cylinder, the whole trip).
      const tooHeavy = job.volunteerId === v._id ? null : carryRefusal(staffVolunteerName(v), v, job.stops);
      if (tooHeavy) throw new AppError('JOB.LIMIT_REACHED', tooHeavy);
      const _ = ctx.db.command;
      // The per-volunteer cap binds staff too: what the volunteer holds, counted from the jobs themselves.
      if (job.volunteerId !== v._id) {
        const held = await all(ctx, 'jobs', { volunteerId: v._id, status: _.in(['assigned', 'pickedUp']) });
        const community = await getDoc(ctx, 'communities', v.communityId);
        const refusal = holdRefusal(
          { jobs: held.length, kg: held.reduce((n, j) => n + j.weightKg, 0) },
          job.weightKg,
          jobLimitsOf(community?.jobLimits),
        );
        if (refusal)
          throw new AppError(
            'JOB.LIMIT_REACHED',
            refusal
              .replace(/^你手上/, `${staffVolunteerName(v)}手上`)
              .replace('请先送完再接单', '请改派给其他志愿者')
              .replace('请先送完手上的任务', '请改派给其他志愿者'),
          );
      }
      const now = ctx.now.toISOString();
      const reason = `网格员${job.status === 'open' ? '指派' : '改派'}给${volunteerName(v)}`;
      const event: JobEventRecord = { status: 'assigned', at: now, by: ctx.caller.openid, note: reason };
      // From open it is an assignment, from assigned a reassignment: the same conditional write either way.
      const res = await transition(
        ctx.db,
        'jobs',
        { _id: job._id, volunteerId: input.fromVolunteerId },
        JOB_TRANSITIONS,
        job.status === 'open' ? 'assign' : 'reassign',
        'gridworker',
        {
          volunteerId: v._id,
          reason,
          assignedAt: now,
          pickupBy: new Date(ctx.now.getTime() + PICKUP_GRACE_MS).toISOString(),
          updatedAt: now,
          history: _.push([event]),
        },
      );
      if (!res.updated) throw new AppError('JOB.BAD_STATE', '任务已被接走、取货或改派，请刷新后再试');
      const fresh = await mustGet(ctx, 'jobs', job._id, '任务');
      return cardView(fresh, null, new Map([[v._id, staffVolunteerName(v)]]));
    },
  },

  'dispatch.unlockCode': {
    input: z.object({ jobId: id }).strict(),
    async handle(ctx, input) {
      const job = await mustGet(ctx, 'jobs', input.jobId, '任务');
      await requireGridStaff(ctx, job.gridId);
      // Too many wrong 取货码: the gridworker, having reached the resident by phone, lets the volunteer try again.
      if (job.status !== 'pickedUp' || (job.codeTries ?? 0) < HANDOVER_TRIES)
        throw new AppError('JOB.BAD_STATE', '这个任务的取货码没有被锁定');
      const _ = ctx.db.command;
      const now = ctx.now.toISOString();
      const event: JobEventRecord = {
        status: 'pickedUp',
        at: now,
        by: ctx.caller.openid,
        note: '网格员核实后重置取货码次数',
      };
      await ctx.db
        .collection('jobs')
        .where({ _id: job._id, status: 'pickedUp', codeTries: _.gte(HANDOVER_TRIES) })
        .update({ codeTries: 0, updatedAt: now, history: _.push([event]) });
      const fresh = await mustGet(ctx, 'jobs', job._id, '任务');
      const v = fresh.volunteerId ? await getDoc(ctx, 'volunteers', fresh.volunteerId) : null;
      return cardView(fresh, null, new Map(v ? [[v._id, staffVolunteerName(v)]] : []));
    },
  },

  'dispatch.openJobs': {
    input: z.object({ ...pageFields }).strict(),
    async handle(ctx, input) {
      const v = await requireDeliveryVolunteer(ctx);
      const _ = ctx.db.command;
      const base = { gridId: _.in(v.gridIds), status: 'open' };
      // Special needs and medicine first, then the oldest: every open job exactly once across pages.
      const page = await pageOfSegments(
        ctx,
        'jobs',
        [
          _.and([base, _.or([{ 'stops.priority': true }, { 'stops.medicine': true }])]),
          _.and([base, { 'stops.priority': _.neq(true), 'stops.medicine': _.neq(true) }]),
        ],
        input,
        [{ field: 'createdAt', dir: 'asc' }],
      );
      return mapPage(page, (j) => cardView(j, ctx.caller.openid, new Map()));
    },
  },

  'dispatch.myJobs': {
    input: z.object({ ...pageFields }).strict(),
    async handle(ctx, input) {
      const me = ctx.caller.openid;
      // On the way first, then to pick up, then done (newest first within each).
      const page = await pageOfSegments(
        ctx,
        'jobs',
        (['pickedUp', 'assigned', 'done'] as const).map((status) => ({ volunteerId: me, status })),
        input,
        [{ field: 'updatedAt', dir: 'desc' }],
      );
      return mapPage(page, (j) => cardView(j, me, new Map([[me, '我']])));
    },
  },

  'dispatch.grab': {
    input: z.object({ jobId: id }).strict(),
    async handle(ctx, input) {
      const v = await requireDeliveryVolunteer(ctx);
      if (!v.onDuty) throw new AppError('JOB.NOT_ON_DUTY');
      const _ = ctx.db.command;
      const now = ctx.now.toISOString();
      const before = await getDoc(ctx, 'jobs', input.jobId);
      if (!before || !v.gridIds.includes(before.gridId)) throw new AppError('COMMON.NOT_FOUND', '没有找到该任务');
      // A retry of a grab that already won answers it again.
      if (before.volunteerId === v._id && before.status === 'assigned') return detailView(ctx, before, false);
      if (before.status !== 'open') throw new AppError('JOB.TAKEN');
      // Heavy items only to those who can carry them (a trip itself may take two rounds from the depot).
      const tooHeavy = carryRefusal('你', v, before.stops, false);
      if (tooHeavy)
        throw new AppError(
          'JOB.LIMIT_REACHED',
          tooHeavy.replace('请指派有推车或车辆的志愿者', '请留给有推车或车辆的志愿者'),
        );
      // A place within what one volunteer may hold first; given back if the job is lost.
      const claim = holdClaim(before._id, randomUUID().slice(0, 8));
      await claimHold(ctx, v, claim, before.weightKg);
      const event: JobEventRecord = { status: 'assigned', at: now, by: v._id, note: '志愿者抢单' };
      const res = await transition(
        ctx.db,
        'jobs',
        { _id: input.jobId, gridId: _.in(v.gridIds) },
        JOB_TRANSITIONS,
        'grab',
        'volunteer',
        {
          volunteerId: v._id,
          reason: '志愿者主动抢单',
          assignedAt: now,
          pickupBy: new Date(ctx.now.getTime() + PICKUP_GRACE_MS).toISOString(),
          updatedAt: now,
          history: _.push([event]),
        },
      );
      if (!res.updated) await dropHold(ctx, v._id, claim, before.weightKg);
      const job = await getDoc(ctx, 'jobs', input.jobId);
      if (!job || !v.gridIds.includes(job.gridId)) throw new AppError('COMMON.NOT_FOUND', '没有找到该任务');
      // Lost the race (or a concurrent grab of ours won it: then answer it).
      if (!res.updated && !(job.volunteerId === v._id && job.status === 'assigned')) throw new AppError('JOB.TAKEN');
      return detailView(ctx, job, false);
    },
  },

  'dispatch.job': {
    input: z.object({ jobId: id }).strict(),
    async handle(ctx, input) {
      const { job, asStaff } = await visibleJob(ctx, input.jobId);
      return detailView(ctx, job, asStaff);
    },
  },

  'dispatch.release': {
    input: z.object({ jobId: id, reason: text(100, 2, '请写明原因') }).strict(),
    async handle(ctx, input) {
      const job = await mustGet(ctx, 'jobs', input.jobId, '任务');
      const asVolunteer = job.volunteerId === ctx.caller.openid;
      if (!asVolunteer) await requireGridStaff(ctx, job.gridId);
      const done = await releaseJob(ctx, job._id, {
        by: ctx.caller.openid,
        reason: input.reason,
        ...(asVolunteer ? { volunteerId: ctx.caller.openid, statuses: ['assigned' as const] } : {}),
      });
      if (!done && job.status !== 'released') throw new AppError('JOB.BAD_STATE', '任务已取货或已退回，不能再退回');
      return { jobId: job._id };
    },
  },
});
