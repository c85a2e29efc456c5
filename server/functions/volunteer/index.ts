import { AppError } from '../../../core/errors';
import { next } from '../../../core/state/machine';
import { SHIFT_MACHINE, VOLUNTEER_MACHINE } from '../../../core/state/machines';
import { transition } from '../../lib/transition';
import { maskName, maskPhone } from '../../../core/mask';
import { chinaDay, chinaWallClock, toChinaIso } from '../../../core/time';
import { signVolunteerCard, verifyVolunteerCard } from '../../../core/volunteer/card';
import { decimalHours, hoursText, sessionMinutes, totalMinutes } from '../../../core/volunteer/hours';
import { SKILL_TEXT, TEAM_TEXT, VOLUNTEER_STATUS_TEXT } from '../../../core/volunteer/labels';
import { applyRegistration, approvalIssues, mayManage, registrationIssues } from '../../../core/volunteer/registration';
import { cancelDeadline, mayCancel, shiftIssues, signUpRefusal } from '../../../core/volunteer/shifts';
import { isIdle, volunteerStats } from '../../../core/volunteer/stats';
import type { MyVolunteerView, PendingVolunteerChange, ShiftView, VolunteerAdminView } from '../../../typings/api';
import type { Building, Community, DutyLogDoc, Grid, JobStatus, ShiftDoc, ShiftSignupDoc, UserDoc, VolunteerDoc } from '../../../typings/entities';
import type { FieldIssue } from '../../../typings/errors';
import { getDoc, mustGet } from '../../lib/access';
import { cardKeys } from '../../lib/card-keys';
import { defineFunction, type CallContext, type UserContext } from '../../lib/define-function';
import { workbook } from '../../lib/excel';
import { releaseJobsOf } from '../../lib/jobs';
import { enqueue } from '../../lib/outbox';
import { all, mapPage, pageFields, pageOf, qrDataUrl } from '../../lib/query';
import { ensureUser, findUser, requireAdmin } from '../../lib/users';
import { dateString, idString, note, text, timeOfDay, z } from '../../lib/validate';

const id = idString();
const team = z.enum(['checkpoint', 'testing', 'supplies', 'disinfection', 'delivery', 'counselling']);
const skill = z.enum(['medical', 'driving', 'interpreting']);
const slot = z.enum(['morning', 'afternoon', 'evening', 'night']);
const day = dateString();
/** A volunteer card is valid this long after it is shown; the checkpoint also checks the status online. */
const CARD_VALID_SECONDS = 24 * 3600;
const DONE: JobStatus = 'done';

const VERIFY_TEXT = {
  valid: '有效：本社区在岗志愿者',
  expired: '已过期：请志愿者重新打开志愿者证',
  revoked: '无效：该志愿者已退出或未通过审核',
  invalid: '无效：不是本系统签发的志愿者证',
} as const;



function invalid(issues: FieldIssue[]): never {
  const first = issues[0] as FieldIssue;
  throw new AppError('COMMON.INVALID_INPUT', first.message, issues);
}

/** The caller's registration, or VOLUNTEER.NOT_REGISTERED. */
async function mine(ctx: UserContext): Promise<VolunteerDoc> {
  const v = await getDoc<VolunteerDoc>(ctx, 'volunteers', ctx.caller.openid);
  if (!v) throw new AppError('VOLUNTEER.NOT_REGISTERED');
  return v;
}

/** The caller as an approved volunteer. */
async function approvedMe(ctx: UserContext): Promise<VolunteerDoc> {
  const v = await mine(ctx);
  if (v.status !== 'approved') throw new AppError('AUTH.NOT_VOLUNTEER');
  return v;
}

/** Staff who look after volunteers: the community's admin (all of it) or gridworkers (their grids). */
interface Scope {
  user: UserDoc;
  communityId: string;
  admin: boolean;
  /** The database filter of the volunteers this user may see. */
  where: Record<string, unknown>;
}

async function staffScope(ctx: UserContext): Promise<Scope> {
  const user = await findUser(ctx);
  if (!user?.communityId) throw new AppError('AUTH.FORBIDDEN', '此操作仅限社区管理员和网格员');
  const _ = ctx.db.command;
  if (user.roles.includes('communityAdmin')) return { user, communityId: user.communityId, admin: true, where: { communityId: user.communityId } };
  if (user.roles.includes('gridworker') && user.adminGridIds.length) {
    return { user, communityId: user.communityId, admin: false, where: { communityId: user.communityId, gridIds: _.in(user.adminGridIds) } };
  }
  throw new AppError('AUTH.FORBIDDEN', '此操作仅限社区管理员和网格员');
}


async function gridNames(ctx: CallContext, communityId: string): Promise<Map<string, string>> {
  const grids = await all<Grid>(ctx, 'grids', { communityId });
  return new Map(grids.map((g) => [g._id, g.name]));
}

async function myView(ctx: CallContext, v: VolunteerDoc): Promise<MyVolunteerView> {
  const _ = ctx.db.command;
  const [community, names, buildings] = await Promise.all([
    getDoc<Community>(ctx, 'communities', v.communityId),
    gridNames(ctx, v.communityId),
    v.buildingIds.length ? all<Building>(ctx, 'buildings', { _id: _.in(v.buildingIds) }) : Promise.resolve([]),
  ]);
  return {
    status: v.status,
    statusText: VOLUNTEER_STATUS_TEXT[v.status],
    name: v.name,
    phoneMasked: maskPhone(v.phone),
    partyMember: v.partyMember,
    partyBranch: v.partyBranch,
    workUnit: v.workUnit,
    communityId: v.communityId,
    communityName: community?.name ?? '',
    gridIds: v.gridIds,
    gridNames: v.gridIds.map((g) => names.get(g) ?? g),
    teamsWished: v.teamsWished,
    skills: v.skills,
    slots: v.slots,
    team: v.team,
    buildingNames: buildings.map((b) => b.name),
    pendingChange: pendingView(v, names),
    capacityKg: v.capacityKg,
    rejectReason: v.rejectReason,
    onDuty: v.onDuty,
    dutySince: v.dutySince,
  };
}

function adminView(v: VolunteerDoc, names: ReadonlyMap<string, string>): VolunteerAdminView {
  return {
    id: v._id,
    status: v.status,
    name: v.name,
    phoneMasked: maskPhone(v.phone),
    partyMember: v.partyMember,
    partyBranch: v.partyBranch,
    workUnit: v.workUnit,
    gridIds: v.gridIds,
    gridNames: v.gridIds.map((g) => names.get(g) ?? g),
    teamsWished: v.teamsWished,
    skills: v.skills,
    slots: v.slots,
    team: v.team,
    buildingIds: v.buildingIds,
    capacityKg: v.capacityKg,
    rejectReason: v.rejectReason,
    onDuty: v.onDuty,
    idle: isIdle(v),
    createdAt: v.createdAt,
    pendingChange: pendingView(v, names),
  };
}

/** A change of grids or teams waiting for review, with the grids' names. */
function pendingView(v: VolunteerDoc, names: ReadonlyMap<string, string>): PendingVolunteerChange | null {
  const c = v.pendingChange;
  return c ? { gridIds: c.gridIds, gridNames: c.gridIds.map((g) => names.get(g) ?? g), teamsWished: c.teamsWished, requestedAt: c.requestedAt } : null;
}

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
    canSignUp: !mine && refusal === null,
    whyNot: mine ? null : (refusal?.message ?? null),
    canCancel: mine && s.status === 'open' && mayCancel(s, now),
  };
}

/** Closes the caller's running on-duty session into the duty log; safe to repeat. */
async function endDuty(ctx: CallContext, v: VolunteerDoc): Promise<void> {
  if (!v.onDuty || !v.dutySince) return;
  const endAt = ctx.now.toISOString();
  const log: Omit<DutyLogDoc, '_id'> = {
    volunteerId: v._id,
    communityId: v.communityId,
    startAt: v.dutySince,
    endAt,
    minutes: sessionMinutes(v.dutySince, endAt),
  };
  // The log's id is the session's: a repeated check-out rewrites the same record.
  await ctx.db.collection('dutyLogs').doc(`${v._id}:${Date.parse(v.dutySince)}`).set(log);
  await ctx.db.collection('volunteers').where({ _id: v._id, onDuty: true, dutySince: v.dutySince }).update({ onDuty: false, dutySince: null, updatedAt: endAt });
}

/** Gives a seat back: one conditional update removes the holder and the count together. */
async function freeSeat(ctx: CallContext, shiftId: string, openid: string): Promise<boolean> {
  const _ = ctx.db.command;
  const res = await ctx.db
    .collection('shifts')
    .where({ _id: shiftId, [`seats.${openid}`]: _.exists(true) })
    .update({ taken: _.inc(-1), [`seats.${openid}`]: _.remove() });
  await ctx.db.collection('shiftSignups').where({ _id: `${shiftId}:${openid}`, status: 'active' }).update({ status: 'cancelled', cancelledAt: ctx.now.toISOString() });
  return Boolean(res.updated);
}

/** How many delivery jobs a volunteer finished (the dispatch's jobs). */
async function jobsDone(ctx: CallContext, where: Record<string, unknown>): Promise<Array<{ volunteerId: string }>> {
  return all<{ volunteerId: string }>(ctx, 'jobs', { ...where, status: DONE });
}

/** Volunteers (报到, review, teams), shifts, on/off duty, hours, the volunteer card, statistics. */
export const main = defineFunction('volunteer', {
  'volunteer.register': {
    input: z
      .object({
        name: text(40, 1, '请填写真实姓名'),
        phone: note(20).optional(),
        partyMember: z.boolean(),
        partyBranch: note(40).optional(),
        workUnit: note(60),
        communityId: id,
        gridIds: z.array(id).max(30),
        teamsWished: z.array(team).max(6),
        skills: z.array(skill).max(3),
        slots: z.array(slot).max(4),
        health: z.object({ noSymptoms: z.boolean(), noRiskContact: z.boolean(), promise: z.boolean() }).strict(),
      })
      .strict(),
    async handle(ctx, input) {
      await ensureUser(ctx);
      const community = await getDoc<Community>(ctx, 'communities', input.communityId);
      if (!community) invalid([{ path: 'communityId', message: '请选择报到的社区' }]);
      const names = await gridNames(ctx, community._id);
      const existing = await getDoc<VolunteerDoc>(ctx, 'volunteers', ctx.caller.openid);
      const issues = registrationIssues(input, [...names.keys()], existing?.phone);
      if (issues.length) invalid(issues);
      const next = applyRegistration(existing, input, ctx.caller.openid, ctx.now);
      if (next.buildingIds.length) {
        // Buildings assigned before stay only if they are in the grids the volunteer still serves.
        const _ = ctx.db.command;
        const kept = await all<Building>(ctx, 'buildings', { _id: _.in(next.buildingIds), gridId: _.in(next.gridIds) });
        next.buildingIds = kept.map((b) => b._id);
      }
      const { _id, ...rest } = next;
      // One document per person (its id is the OPENID): registering again updates it.
      await ctx.db.collection('volunteers').doc(_id).set(rest);
      return myView(ctx, next);
    },
  },

  'volunteer.me': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const v = await getDoc<VolunteerDoc>(ctx, 'volunteers', ctx.caller.openid);
      return v ? myView(ctx, v) : null;
    },
  },

  'volunteer.leave': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const v = await mine(ctx);
      const _ = ctx.db.command;
      if (next(VOLUNTEER_MACHINE, v.status, 'leave', 'volunteer')) {
        await endDuty(ctx, v);
        const at = ctx.now.toISOString();
        await transition(ctx.db, 'volunteers', { _id: v._id }, VOLUNTEER_MACHINE, 'leave', 'volunteer', { onDuty: false, dutySince: null, leftAt: at, updatedAt: at });
        await ctx.db.collection('users').where({ _id: v._id }).update({ roles: _.pull('volunteer') });
      }
      // Whatever they held goes back: delivery jobs not picked up, seats of shifts still to come.
      await releaseJobsOf(ctx, v._id, '志愿者退出');
      const seats = await all<ShiftSignupDoc>(ctx, 'shiftSignups', { volunteerId: v._id, status: 'active', startAt: _.gt(ctx.now.toISOString()) });
      for (const s of seats) await freeSeat(ctx, s.shiftId, v._id);
      return myView(ctx, (await getDoc<VolunteerDoc>(ctx, 'volunteers', v._id)) ?? v);
    },
  },

  'volunteer.setDuty': {
    input: z.object({ onDuty: z.boolean() }).strict(),
    async handle(ctx, input) {
      const v = await approvedMe(ctx);
      const at = ctx.now.toISOString();
      if (input.onDuty) {
        if (!v.onDuty) {
          const res = await ctx.db
            .collection('volunteers')
            .where({ _id: v._id, status: 'approved', onDuty: false })
            .update({ onDuty: true, dutySince: at, lastActiveAt: at, updatedAt: at });
          // Checked in twice at once: the first check-in's time stands.
          if (!res.updated) {
            const now = await mine(ctx);
            return { onDuty: now.onDuty, dutySince: now.dutySince, releasedJobs: 0 };
          }
          return { onDuty: true, dutySince: at, releasedJobs: 0 };
        }
        return { onDuty: true, dutySince: v.dutySince, releasedJobs: 0 };
      }
      await endDuty(ctx, v);
      // Also when already off duty: a check-out cut off before this step hands the jobs back now.
      const releasedJobs = await releaseJobsOf(ctx, v._id, '志愿者下岗');
      return { onDuty: false, dutySince: null, releasedJobs };
    },
  },

  'volunteer.card': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const v = await mine(ctx);
      const keys = cardKeys();
      const community = await getDoc<Community>(ctx, 'communities', v.communityId);
      const expires = Math.floor(ctx.now.getTime() / 1000) + CARD_VALID_SECONDS;
      const token = signVolunteerCard({ k: keys.keyId, o: v._id, n: maskName(v.name), cm: v.communityId, e: expires }, keys.secret);
      return {
        name: v.name,
        team: v.team,
        teamText: v.team ? TEAM_TEXT[v.team] : '待分配',
        communityName: community?.name ?? '',
        status: v.status,
        statusText: VOLUNTEER_STATUS_TEXT[v.status],
        onDuty: v.onDuty,
        token,
        qr: await qrDataUrl(token),
        validUntil: toChinaIso(new Date(expires * 1000)),
      };
    },
  },

  'volunteer.verifyCard': {
    input: z.object({ token: idString(2000) }).strict(),
    async handle(ctx, input) {
      const user = await findUser(ctx);
      const checker = ['volunteer', 'gridworker', 'groupLeader', 'communityAdmin'] as const;
      if (!user || !checker.some((r) => user.roles.includes(r))) throw new AppError('AUTH.FORBIDDEN', '只有卡点值守人员可以查验志愿者证');
      const verdict = verifyVolunteerCard(input.token, cardKeys().publicKeys, ctx.now);
      if (verdict.status === 'invalid') {
        return { status: 'invalid', text: VERIFY_TEXT.invalid, nameMasked: null, teamText: null, communityName: null, onDuty: null };
      }
      const [v, community] = await Promise.all([
        getDoc<VolunteerDoc>(ctx, 'volunteers', verdict.claims.o),
        getDoc<Community>(ctx, 'communities', verdict.claims.cm),
      ]);
      // A signature proves who; the status online says whether they still serve.
      const status = v?.status !== 'approved' ? 'revoked' : verdict.status;
      return {
        status,
        text: VERIFY_TEXT[status],
        nameMasked: verdict.claims.n,
        teamText: v?.team ? TEAM_TEXT[v.team] : null,
        communityName: community?.name ?? null,
        onDuty: v ? v.onDuty : null,
      };
    },
  },

  'volunteer.myHours': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const v = await mine(ctx);
      const _ = ctx.db.command;
      const [logs, jobs, served] = await Promise.all([
        // Every session counts towards the hours (not a first 1,000).
        all<DutyLogDoc>(ctx, 'dutyLogs', { volunteerId: v._id }),
        ctx.db.collection('jobs').where({ volunteerId: v._id, status: DONE }).count(),
        ctx.db.collection('shiftSignups').where({ volunteerId: v._id, status: 'active', startAt: _.lte(ctx.now.toISOString()) }).count(),
      ]);
      const sessions: Array<{ startAt: string; endAt: string | null }> = logs
        .sort((a, b) => b.startAt.localeCompare(a.startAt))
        .map((l) => ({ startAt: l.startAt, endAt: l.endAt }));
      if (v.onDuty && v.dutySince) sessions.unshift({ startAt: v.dutySince, endAt: null });
      const total = totalMinutes(sessions, ctx.now);
      return {
        totalMinutes: total,
        totalHoursText: hoursText(total),
        sessions: sessions.map((s) => ({
          startAt: toChinaIso(new Date(s.startAt)),
          endAt: s.endAt ? toChinaIso(new Date(s.endAt)) : null,
          minutes: sessionMinutes(s.startAt, s.endAt ?? ctx.now.toISOString()),
        })),
        jobsDelivered: jobs.total ?? 0,
        shiftsServed: served.total ?? 0,
      };
    },
  },

  'volunteer.list': {
    input: z.object({ status: z.enum(['pending', 'approved', 'rejected', 'left']).optional(), gridId: id.optional() }).strict(),
    async handle(ctx, input) {
      const scope = await staffScope(ctx);
      if (input.gridId && !scope.admin && !scope.user.adminGridIds.includes(input.gridId)) throw new AppError('AUTH.NOT_GRIDWORKER');
      const where: Record<string, unknown> = { ...scope.where };
      if (input.status) where.status = input.status;
      if (input.gridId) where.gridIds = input.gridId;
      const [volunteers, names] = await Promise.all([all<VolunteerDoc>(ctx, 'volunteers', where), gridNames(ctx, scope.communityId)]);
      return volunteers.sort((a, b) => a.createdAt.localeCompare(b.createdAt)).map((v) => adminView(v, names));
    },
  },

  'volunteer.review': {
    input: z
      .object({
        volunteerId: id,
        approve: z.boolean(),
        reason: note(100).optional(),
        team: team.optional(),
        buildingIds: z.array(id).max(50).optional(),
        capacityKg: z.number().int().min(1).max(50, '单次配送重量应在 1–50 公斤之间').optional(),
      })
      .strict(),
    async handle(ctx, input) {
      const [user, v] = await Promise.all([findUser(ctx), mustGet<VolunteerDoc>(ctx, 'volunteers', input.volunteerId, '志愿者报名')]);
      if (!mayManage(user, v)) throw new AppError('AUTH.FORBIDDEN', '只有社区管理员或该志愿者所在网格的网格员可以审核');
      const _ = ctx.db.command;
      const at = ctx.now.toISOString();
      const review = { reviewedBy: ctx.caller.openid, reviewedAt: at, updatedAt: at };
      let next: VolunteerDoc;
      // Approving an approved volunteer with a pending change approves the change (new grids, teams).
      const pendingChange = v.status === 'approved' ? (v.pendingChange ?? null) : null;
      // Refused before any write when the registration is plainly not reviewable; the conditional updates still decide races.
      const reviewable = input.approve ? v.status === 'pending' || v.status === 'approved' : v.status === 'pending' || pendingChange !== null;
      if (!reviewable) throw new AppError('VOLUNTEER.NOT_PENDING');
      if (input.approve) {
        const gridIds = pendingChange ? pendingChange.gridIds : v.gridIds;
        const buildings = await all<Building>(ctx, 'buildings', { gridId: _.in(gridIds) });
        const issues = approvalIssues(input, buildings.map((b) => b._id));
        if (issues.length) invalid(issues);
        const change = {
          status: 'approved' as const,
          team: input.team ?? null,
          buildingIds: [...new Set(input.buildingIds ?? [])],
          capacityKg: input.capacityKg ?? v.capacityKg,
          rejectReason: null,
          ...(pendingChange ? { gridIds: pendingChange.gridIds, teamsWished: pendingChange.teamsWished, pendingChange: null } : {}),
          ...review,
        };
        // Approving again (an approved volunteer) re-assigns team and buildings. A change is
        // approved only as it was read (registering again meanwhile makes the reviewer look again).
        const where: Record<string, unknown> = pendingChange ? { _id: v._id, status: 'approved', updatedAt: v.updatedAt } : { _id: v._id, status: _.in(['pending', 'approved']) };
        const res = await ctx.db.collection('volunteers').where(where).update(change);
        if (!res.updated) throw new AppError('VOLUNTEER.NOT_PENDING');
        // Approval grants the role; a volunteer with no community yet belongs to this one.
        await ctx.db.collection('users').where({ _id: v._id }).update({ roles: _.addToSet('volunteer') });
        await ctx.db.collection('users').where({ _id: v._id, communityId: null }).update({ communityId: v.communityId });
        // Moved off the delivery team: deliveries they hold but have not picked up go back to the pool.
        if (v.team === 'delivery' && change.team !== 'delivery') await releaseJobsOf(ctx, v._id, '志愿者调整服务队');
        next = { ...v, ...change };
      } else {
        if (!input.reason) invalid([{ path: 'reason', message: '请填写不通过的原因，志愿者会看到' }]);
        if (pendingChange) {
          // Refusing a change: the volunteer keeps serving as approved before.
          const change = { pendingChange: null, rejectReason: input.reason, ...review };
          const res = await ctx.db.collection('volunteers').where({ _id: v._id, status: 'approved', updatedAt: v.updatedAt }).update(change);
          if (!res.updated) throw new AppError('VOLUNTEER.NOT_PENDING', '志愿者刚刚修改了报名信息，请刷新后再审核');
          next = { ...v, ...change };
        } else {
          const change = { status: 'rejected' as const, rejectReason: input.reason, ...review };
          const res = await ctx.db.collection('volunteers').where({ _id: v._id, status: 'pending' }).update(change);
          if (!res.updated) throw new AppError('VOLUNTEER.NOT_PENDING');
          next = { ...v, ...change };
        }
      }
      // The review's result, by the join-result template (sent only if the volunteer accepted it).
      await enqueue(ctx, [
        {
          openid: v._id,
          template: 'joinResult',
          page: 'pages/volunteer/me/index',
          data: { result: next.status === 'approved' ? '志愿者报到已通过' : '志愿者报到未通过', note: next.team ? `服务队：${TEAM_TEXT[next.team]}` : (next.rejectReason ?? '') },
        },
      ]);
      return adminView(next, await gridNames(ctx, v.communityId));
    },
  },

  'volunteer.contact': {
    input: z.object({ volunteerId: id }).strict(),
    async handle(ctx, input) {
      const [user, v] = await Promise.all([findUser(ctx), mustGet<VolunteerDoc>(ctx, 'volunteers', input.volunteerId, '志愿者')]);
      if (!mayManage(user, v)) throw new AppError('AUTH.FORBIDDEN', '只能查看本社区或本网格志愿者的电话');
      return { phone: v.phone };
    },
  },

  'volunteer.stats': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const scope = await staffScope(ctx);
      const stats = volunteerStats(await all<VolunteerDoc>(ctx, 'volunteers', scope.where));
      return {
        total: stats.total,
        byStatus: stats.byStatus,
        byTeam: stats.byTeam.map((t) => ({ ...t, text: TEAM_TEXT[t.team] })),
        partyMembers: stats.partyMembers,
        partyShare: stats.partyShare,
        onDutyNow: stats.onDutyNow,
        idle: stats.idle.map((v) => ({ id: v._id, name: v.name, phoneMasked: maskPhone(v.phone), teamsWished: v.teamsWished, since: toChinaIso(new Date(v.createdAt)) })),
        pending: stats.byStatus.pending,
      };
    },
  },

  'volunteer.exportHours': {
    input: z.object({ from: day.optional(), to: day.optional() }).strict(),
    async handle(ctx, input) {
      const scope = await staffScope(ctx);
      const volunteers = (await all<VolunteerDoc>(ctx, 'volunteers', scope.where)).filter((v) => v.status === 'approved' || v.status === 'left');
      const from = input.from ? chinaWallClock(input.from, '00:00').toISOString() : undefined;
      const to = input.to ? new Date(chinaWallClock(input.to, '00:00').getTime() + 24 * 3600_000).toISOString() : undefined;
      const ids = new Set(volunteers.map((v) => v._id));
      const [logs, jobs, names] = await Promise.all([
        all<DutyLogDoc>(ctx, 'dutyLogs', { communityId: scope.communityId }),
        jobsDone(ctx, { communityId: scope.communityId }),
        gridNames(ctx, scope.communityId),
      ]);
      const sessions = new Map<string, Array<{ startAt: string; endAt: string | null }>>();
      for (const l of logs) if (ids.has(l.volunteerId)) sessions.set(l.volunteerId, [...(sessions.get(l.volunteerId) ?? []), l]);
      const jobCount = new Map<string, number>();
      for (const j of jobs) jobCount.set(j.volunteerId, (jobCount.get(j.volunteerId) ?? 0) + 1);
      const rows = volunteers
        .map((v) => {
          const own = [...(sessions.get(v._id) ?? []), ...(v.onDuty && v.dutySince ? [{ startAt: v.dutySince, endAt: null }] : [])];
          const minutes = totalMinutes(own, ctx.now, { from, to });
          return { v, minutes, count: own.filter((s) => (!from || s.startAt >= from) && (!to || s.startAt < to)).length };
        })
        .sort((a, b) => b.minutes - a.minutes);
      const period = input.from || input.to ? `${input.from ?? '开始'} 至 ${input.to ?? chinaDay(ctx.now)}` : `截至 ${chinaDay(ctx.now)}`;
      return workbook(`志愿服务时长-${chinaDay(ctx.now)}.xlsx`, [
        {
          name: '服务时长',
          title: `志愿服务时长统计（${period}）`,
          columns: [
            { header: '姓名', width: 12 },
            { header: '服务队', width: 12 },
            { header: '党员', width: 8 },
            { header: '党支部', width: 18 },
            { header: '服务网格', width: 18 },
            { header: '上岗次数', width: 10 },
            { header: '服务时长（小时）', width: 16 },
            { header: '完成配送任务', width: 14 },
            { header: '技能', width: 18 },
            { header: '状态', width: 10 },
          ],
          rows: rows.map(({ v, minutes, count }) => [
            v.name,
            v.team ? TEAM_TEXT[v.team] : '',
            v.partyMember ? '是' : '否',
            v.partyBranch ?? '',
            v.gridIds.map((g) => names.get(g) ?? g).join('、'),
            count,
            decimalHours(minutes),
            jobCount.get(v._id) ?? 0,
            v.skills.map((s) => SKILL_TEXT[s]).join('、'),
            VOLUNTEER_STATUS_TEXT[v.status],
          ]),
        },
      ]);
    },
  },

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
      const shift = await mustGet<ShiftDoc>(ctx, 'shifts', input.shiftId, '班次');
      if (shift.communityId !== admin.communityId) throw new AppError('AUTH.NOT_ADMIN');
      await transition(ctx.db, 'shifts', { _id: shift._id }, SHIFT_MACHINE, 'cancel', 'staff');
      return shiftView({ ...shift, status: 'cancelled' }, null, ctx.now);
    },
  },

  'volunteer.shifts': {
    input: z.object({ from: day.optional(), ...pageFields }).strict(),
    async handle(ctx, input) {
      const [v, user] = await Promise.all([getDoc<VolunteerDoc>(ctx, 'volunteers', ctx.caller.openid), findUser(ctx)]);
      const staff = user && (user.roles.includes('communityAdmin') || user.roles.includes('gridworker')) ? user.communityId : null;
      const communityId = v?.status === 'approved' ? v.communityId : staff;
      if (!communityId) throw new AppError('AUTH.NOT_VOLUNTEER');
      const _ = ctx.db.command;
      const page = await pageOf<ShiftDoc>(ctx, 'shifts', { communityId, date: _.gte(input.from ?? chinaDay(ctx.now)) }, input, [{ field: 'startAt', dir: 'asc' }]);
      const me = v?.status === 'approved' && v.communityId === communityId ? v : null;
      return mapPage(page, (s) => shiftView(s, me, ctx.now));
    },
  },

  'volunteer.signUp': {
    input: z.object({ shiftId: id }).strict(),
    async handle(ctx, input) {
      const v = await mine(ctx);
      const shift = await mustGet<ShiftDoc>(ctx, 'shifts', input.shiftId, '班次');
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
        current = await mustGet<ShiftDoc>(ctx, 'shifts', shift._id, '班次');
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
      const shift = await mustGet<ShiftDoc>(ctx, 'shifts', input.shiftId, '班次');
      if (v._id in shift.seats) {
        if (!mayCancel(shift, ctx.now)) throw new AppError('VOLUNTEER.CANCEL_CLOSED', `取消截止时间为开始前 ${shift.cancelBeforeHours} 小时，如有急事请联系社区管理员`);
      }
      // Also when the seat is already free: a cancel cut off before the record was updated finishes.
      await freeSeat(ctx, shift._id, v._id);
      return shiftView(await mustGet<ShiftDoc>(ctx, 'shifts', shift._id, '班次'), v.status === 'approved' ? v : null, ctx.now);
    },
  },

  'volunteer.roster': {
    input: z.object({ shiftId: id }).strict(),
    async handle(ctx, input) {
      const scope = await staffScope(ctx);
      const shift = await mustGet<ShiftDoc>(ctx, 'shifts', input.shiftId, '班次');
      if (shift.communityId !== scope.communityId) throw new AppError('AUTH.FORBIDDEN', '只能查看本社区的班次');
      const _ = ctx.db.command;
      const holders = Object.keys(shift.seats);
      const people = holders.length ? await all<VolunteerDoc>(ctx, 'volunteers', { _id: _.in(holders) }) : [];
      return {
        shift: shiftView(shift, null, ctx.now),
        people: people
          // A gridworker sees the volunteers of their grids only.
          .filter((p) => mayManage(scope.user, p))
          .map((p) => ({ id: p._id, name: p.name, phoneMasked: maskPhone(p.phone), team: p.team, signedAt: toChinaIso(new Date(shift.seats[p._id] as string)), onDuty: p.onDuty }))
          .sort((a, b) => a.signedAt.localeCompare(b.signedAt)),
      };
    },
  },
});
