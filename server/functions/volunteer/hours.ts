/** Hours: one's own, and the community's export. */
import { chinaDay, chinaWallClock, toChinaIso } from '../../../core/time';
import { decimalHours, hoursText, sessionMinutes, totalMinutes } from '../../../core/volunteer/hours';
import { SKILL_TEXT, TEAM_TEXT, VOLUNTEER_STATUS_TEXT } from '../../../core/volunteer/labels';
import { defineActions } from '../../lib/define-function';
import { workbook } from '../../lib/excel';
import { all } from '../../lib/query';
import { z } from '../../lib/validate';
import { day, DONE, gridNames, jobsDone, mine, staffScope } from './shared';

export const hourActions = defineActions('volunteer', {
  'volunteer.myHours': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const v = await mine(ctx);
      const _ = ctx.db.command;
      const [logs, jobs, served] = await Promise.all([
        // Every session counts towards the hours (not a first 1,000).
        all(ctx, 'dutyLogs', { volunteerId: v._id }),
        ctx.db.collection('jobs').where({ volunteerId: v._id, status: DONE }).count(),
        ctx.db
          .collection('shiftSignups')
          .where({ volunteerId: v._id, status: 'active', startAt: _.lte(ctx.now.toISOString()) })
          .count(),
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

  'volunteer.exportHours': {
    input: z.object({ from: day.optional(), to: day.optional() }).strict(),
    async handle(ctx, input) {
      const scope = await staffScope(ctx);
      const volunteers = (await all(ctx, 'volunteers', scope.where)).filter(
        (v) => v.status === 'approved' || v.status === 'left',
      );
      const from = input.from ? chinaWallClock(input.from, '00:00').toISOString() : undefined;
      const to = input.to
        ? new Date(chinaWallClock(input.to, '00:00').getTime() + 24 * 3600_000).toISOString()
        : undefined;
      const ids = new Set(volunteers.map((v) => v._id));
      const [logs, jobs, names] = await Promise.all([
        all(ctx, 'dutyLogs', { communityId: scope.communityId }),
        jobsDone(ctx, { communityId: scope.communityId }),
        gridNames(ctx, scope.communityId),
      ]);
      const sessions = new Map<string, Array<{ startAt: string; endAt: string | null }>>();
      for (const l of logs)
        if (ids.has(l.volunteerId)) sessions.set(l.volunteerId, [...(sessions.get(l.volunteerId) ?? []), l]);
      const jobCount = new Map<string, number>();
      for (const j of jobs) jobCount.set(j.volunteerId, (jobCount.get(j.volunteerId) ?? 0) + 1);
      const rows = volunteers
        .map((v) => {
          const own = [
            ...(sessions.get(v._id) ?? []),
            ...(v.onDuty && v.dutySince ? [{ startAt: v.dutySince, endAt: null }] : []),
          ];
          const minutes = totalMinutes(own, ctx.now, { from, to });
          return {
            v,
            minutes,
            count: own.filter((s) => (!from || s.startAt >= from) && (!to || s.startAt < to)).length,
          };
        })
        .sort((a, b) => b.minutes - a.minutes);
      const period =
        input.from || input.to
          ? `${input.from ?? '开始'} 至 ${input.to ?? chinaDay(ctx.now)}`
          : `截至 ${chinaDay(ctx.now)}`;
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
            v.gridIds.map((g) => names.get(g) ?? '（已撤销的网格）').join('、'),
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
});
