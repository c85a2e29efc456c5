/** Staff's side: the list, review of registrations and changes, contact, statistics. */
import { VOLUNTEER_STATUSES } from '../../../typings/values';
import { AppError } from '../../../core/errors';
import { maskPhone } from '../../../core/mask';
import { toChinaIso } from '../../../core/time';
import { carryText } from '../../../core/jobs/carry';
import { TEAM_TEXT } from '../../../core/volunteer/labels';
import { approvalIssues, mayManage } from '../../../core/volunteer/registration';
import { isIdle, volunteerStatsOfGroups, type VolunteerGroup } from '../../../core/volunteer/stats';
import type { PendingVolunteerChange, VolunteerAdminView } from '../../../typings/api';
import type { VolunteerDoc } from '../../../typings/entities';
import { mustGet } from '../../lib/access';
import { logAccess } from '../../lib/access-log';
import { defineActions } from '../../lib/define-function';
import { releaseJobsOf } from '../../lib/jobs';
import { enqueue } from '../../lib/outbox';
import { aggregateAll, aggregateOps, all } from '../../lib/query';
import { findUser } from '../../lib/users';
import { note, z } from '../../lib/validate';
import { gridNames, id, invalid, staffScope, team } from './shared';

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
    gridNames: v.gridIds.map((g) => names.get(g) ?? '（已撤销的网格）'),
    teamsWished: v.teamsWished,
    skills: v.skills,
    slots: v.slots,
    team: v.team,
    buildingIds: v.buildingIds,
    capacityKg: v.capacityKg,
    carryText: carryText(v.carry, v.capacityKg),
    rejectReason: v.rejectReason,
    onDuty: v.onDuty,
    idle: isIdle(v),
    createdAt: v.createdAt,
    pendingChange: pendingView(v, names),
  };
}

/** A change of grids or teams waiting for review, with the grids' names. */
export function pendingView(v: VolunteerDoc, names: ReadonlyMap<string, string>): PendingVolunteerChange | null {
  const c = v.pendingChange;
  return c
    ? {
        gridIds: c.gridIds,
        gridNames: c.gridIds.map((g) => names.get(g) ?? '（已撤销的网格）'),
        teamsWished: c.teamsWished,
        requestedAt: c.requestedAt,
      }
    : null;
}

export const reviewActions = defineActions('volunteer', {
  'volunteer.list': {
    input: z.object({ status: z.enum(VOLUNTEER_STATUSES).optional(), gridId: id.optional() }).strict(),
    async handle(ctx, input) {
      const scope = await staffScope(ctx);
      if (input.gridId && !scope.admin && !scope.user.adminGridIds.includes(input.gridId))
        throw new AppError('AUTH.NOT_GRIDWORKER');
      const where: Record<string, unknown> = { ...scope.where };
      if (input.status) where.status = input.status;
      if (input.gridId) where.gridIds = input.gridId;
      const [volunteers, names] = await Promise.all([all(ctx, 'volunteers', where), gridNames(ctx, scope.communityId)]);
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
      const [user, v] = await Promise.all([findUser(ctx), mustGet(ctx, 'volunteers', input.volunteerId, '志愿者报名')]);
      if (!mayManage(user, v)) throw new AppError('AUTH.FORBIDDEN', '只有社区管理员或该志愿者所在网格的网格员可以审核');
      const _ = ctx.db.command;
      const at = ctx.now.toISOString();
      const review = { reviewedBy: ctx.caller.openid, reviewedAt: at, updatedAt: at };
      let next: VolunteerDoc;
      // Approving an approved volunteer with a pending change approves the change (new grids, teams).
      const pendingChange = v.status === 'approved' ? (v.pendingChange ?? null) : null;
      // Refused before any write when the registration is plainly not reviewable; the conditional updates still decide races.
      const reviewable = input.approve
        ? v.status === 'pending' || v.status === 'approved'
        : v.status === 'pending' || pendingChange !== null;
      if (!reviewable) throw new AppError('VOLUNTEER.NOT_PENDING');
      if (input.approve) {
        const gridIds = pendingChange ? pendingChange.gridIds : v.gridIds;
        const buildings = await all(ctx, 'buildings', { gridId: _.in(gridIds) });
        const issues = approvalIssues(
          input,
          buildings.map((b) => b._id),
        );
        if (issues.length) invalid(issues);
        const change = {
          status: 'approved' as const,
          team: input.team ?? null,
          buildingIds: [...new Set(input.buildingIds ?? [])],
          capacityKg: input.capacityKg ?? v.capacityKg,
          rejectReason: null,
          ...(pendingChange
            ? { gridIds: pendingChange.gridIds, teamsWished: pendingChange.teamsWished, pendingChange: null }
            : {}),
          ...review,
        };
        // Approving again (an approved volunteer) re-assigns team and buildings. A change is
        // approved only as it was read (registering again meanwhile makes the reviewer look again).
        const where: Record<string, unknown> = pendingChange
          ? { _id: v._id, status: 'approved', updatedAt: v.updatedAt }
          : { _id: v._id, status: _.in(['pending', 'approved']) };
        const res = await ctx.db.collection('volunteers').where(where).update(change);
        if (!res.updated) throw new AppError('VOLUNTEER.NOT_PENDING');
        // Approval grants the role; a volunteer with no community yet belongs to this one.
        await ctx.db
          .collection('users')
          .where({ _id: v._id })
          .update({ roles: _.addToSet('volunteer') });
        await ctx.db
          .collection('users')
          .where({ _id: v._id, communityId: null })
          .update({ communityId: v.communityId });
        // Moved off the delivery team: deliveries they hold but have not picked up go back to the pool.
        if (v.team === 'delivery' && change.team !== 'delivery') await releaseJobsOf(ctx, v._id, '志愿者调整服务队');
        next = { ...v, ...change };
      } else {
        if (!input.reason) invalid([{ path: 'reason', message: '请填写不通过的原因，志愿者会看到' }]);
        if (pendingChange) {
          // Refusing a change: the volunteer keeps serving as approved before.
          const change = { pendingChange: null, rejectReason: input.reason, ...review };
          const res = await ctx.db
            .collection('volunteers')
            .where({ _id: v._id, status: 'approved', updatedAt: v.updatedAt })
            .update(change);
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
          data: {
            subject: '志愿者报到',
            result: next.status === 'approved' ? '已通过' : '未通过',
            note: next.team ? `服务队：${TEAM_TEXT[next.team]}` : (next.rejectReason ?? ''),
          },
          communityId: v.communityId,
        },
      ]);
      return adminView(next, await gridNames(ctx, v.communityId));
    },
  },

  'volunteer.contact': {
    input: z.object({ volunteerId: id }).strict(),
    async handle(ctx, input) {
      const [user, v] = await Promise.all([findUser(ctx), mustGet(ctx, 'volunteers', input.volunteerId, '志愿者')]);
      if (!mayManage(user, v)) throw new AppError('AUTH.FORBIDDEN', '只能查看本社区或本网格志愿者的电话');
      await logAccess(ctx, {
        view: 'volunteer.contact',
        communityId: v.communityId,
        subject: `志愿者 ${maskPhone(v.phone)}`,
        rows: 1,
      });
      return { phone: v.phone };
    },
  },

  'volunteer.stats': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const scope = await staffScope(ctx);
      const $ = aggregateOps(ctx);
      // Counted in the database; only the idle volunteers come back whole (the rest as one null per group).
      const idleOf = $.and([$.eq(['$status', 'approved']), $.eq([$.ifNull(['$lastActiveAt', '']), ''])]);
      const rows = await aggregateAll<
        VolunteerGroup & {
          idle: Array<Pick<VolunteerDoc, '_id' | 'name' | 'phone' | 'teamsWished' | 'createdAt'> | null>;
        }
      >(ctx, 'volunteers', [
        { match: scope.where },
        {
          group: {
            _id: { status: '$status', team: '$team', partyMember: '$partyMember', onDuty: '$onDuty' },
            count: $.sum(1),
            idle: $.addToSet(
              $.cond([
                idleOf,
                { _id: '$_id', name: '$name', phone: '$phone', teamsWished: '$teamsWished', createdAt: '$createdAt' },
                null,
              ]),
            ),
          },
        },
      ]);
      const stats = volunteerStatsOfGroups(
        rows,
        rows.flatMap((r) => r.idle.filter((v) => v !== null)),
      );
      return {
        total: stats.total,
        byStatus: stats.byStatus,
        byTeam: stats.byTeam.map((t) => ({ ...t, text: TEAM_TEXT[t.team] })),
        partyMembers: stats.partyMembers,
        partyShare: stats.partyShare,
        onDutyNow: stats.onDutyNow,
        idle: stats.idle.map((v) => ({
          id: v._id,
          name: v.name,
          phoneMasked: maskPhone(v.phone),
          teamsWished: v.teamsWished,
          since: toChinaIso(new Date(v.createdAt)),
        })),
        pending: stats.byStatus.pending,
      };
    },
  },
});
