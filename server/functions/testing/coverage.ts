/** Coverage of a grid in a round, and its Excel export. */
import { AppError } from '../../../core/errors';
import { KNOCK_TEXT, NEED_TEXT } from '../../../core/labels';
import { maskName } from '../../../core/mask';
import type { CoverageView } from '../../../typings/api';
import type { Grid, TestRoundDoc } from '../../../typings/entities';
import { mustGet, requireGridStaff } from '../../lib/access';
import { logAccess } from '../../lib/access-log';
import { workbook } from '../../lib/excel';
import { defineActions, type UserContext } from '../../lib/define-function';
import { aggregateAll, aggregateOps, all } from '../../lib/query';
import { z } from '../../lib/validate';
import { id } from './shared';

/** Coverage of a grid in a round, for its staff: counts per building and who is missing. */
async function coverageOf(
  ctx: UserContext,
  roundId: string,
  gridId: string,
): Promise<{ view: CoverageView; round: TestRoundDoc; grid: Grid }> {
  const { grid } = await requireGridStaff(ctx, gridId);
  const round = await mustGet(ctx, 'testRounds', roundId, '检测轮次');
  if (round.communityId !== grid.communityId) throw new AppError('COMMON.NOT_FOUND', '没有找到该检测轮次');
  const $ = aggregateOps(ctx);
  const [households, samples, knocks, buildings] = await Promise.all([
    all(ctx, 'households', { gridId: grid._id }, { buildingId: true, room: true, members: true }),
    // Only who was sampled, per household, gathered in the database (not every sample whole).
    aggregateAll<{ _id: string; memberIds: string[] }>(ctx, 'samples', [
      { match: { roundId: round._id, gridId: grid._id } },
      { group: { _id: '$householdId', memberIds: $.addToSet('$memberId') } },
    ]),
    all(ctx, 'knocks', { roundId: round._id, gridId: grid._id }),
    all(ctx, 'buildings', { gridId: grid._id }),
  ]);
  const sampledMembers = new Set(samples.flatMap((s) => s.memberIds.map((m) => `${s._id}:${m}`)));
  const knockOf = new Map(knocks.map((k) => [k.householdId, k.status]));
  const names = new Map(buildings.map((b) => [b._id, b.name]));
  const perBuilding = new Map<string, { sampled: number; total: number }>();
  const pending: CoverageView['pending'] = [];
  let total = 0;
  let sampled = 0;
  for (const h of households) {
    const counts = perBuilding.get(h.buildingId) ?? { sampled: 0, total: 0 };
    const missing = h.members.filter((m) => !sampledMembers.has(`${h._id}:${m.id}`));
    counts.total += h.members.length;
    counts.sampled += h.members.length - missing.length;
    perBuilding.set(h.buildingId, counts);
    total += h.members.length;
    sampled += h.members.length - missing.length;
    if (missing.length) {
      pending.push({
        householdId: h._id,
        buildingName: names.get(h.buildingId) ?? '',
        room: h.room,
        members: missing.map((m) => ({ memberId: m.id, nameMasked: maskName(m.name), needs: m.needs })),
        knock: knockOf.get(h._id) ?? null,
      });
    }
  }
  // Special needs first: they are the ones a gridworker goes door to door for.
  pending.sort((a, b) => Number(b.members.some((m) => m.needs.length)) - Number(a.members.some((m) => m.needs.length)));
  const view: CoverageView = {
    roundId: round._id,
    gridId: grid._id,
    sampled,
    total,
    buildings: [...perBuilding].map(([buildingId, c]) => ({
      buildingId,
      buildingName: names.get(buildingId) ?? '',
      ...c,
    })),
    pending,
  };
  return { view, round, grid };
}

export const coverageActions = defineActions('testing', {
  'testing.coverage': {
    input: z.object({ roundId: id, gridId: id }).strict(),
    async handle(ctx, input) {
      const { view, grid } = await coverageOf(ctx, input.roundId, input.gridId);
      await logAccess(ctx, {
        view: 'testing.coverage',
        communityId: grid.communityId,
        subject: grid.name,
        rows: view.pending.length,
      });
      return view;
    },
  },

  'testing.exportCoverage': {
    input: z.object({ roundId: id, gridId: id }).strict(),
    async handle(ctx, input) {
      const { view, round, grid } = await coverageOf(ctx, input.roundId, input.gridId);
      await logAccess(ctx, {
        view: 'testing.exportCoverage',
        communityId: grid.communityId,
        subject: grid.name,
        rows: view.pending.length,
      });
      return workbook(`${round.name}-${grid.name}-采样统计.xlsx`, [
        {
          name: '分楼栋',
          title: `${round.name} ${grid.name} 采样统计（已采 ${view.sampled} / 应采 ${view.total}）`,
          columns: [
            { header: '楼栋', width: 14 },
            { header: '已采样', width: 10 },
            { header: '应采样', width: 10 },
            { header: '未采样', width: 10 },
          ],
          rows: view.buildings.map((b) => [b.buildingName, b.sampled, b.total, b.total - b.sampled]),
        },
        {
          name: '未采样名单',
          title: `${round.name} ${grid.name} 未采样名单`,
          columns: [
            { header: '楼栋', width: 12 },
            { header: '房号', width: 10 },
            { header: '姓名', width: 12 },
            { header: '特殊人群', width: 16 },
            { header: '敲门情况', width: 14 },
          ],
          rows: view.pending.flatMap((p) =>
            p.members.map((m) => [
              p.buildingName,
              p.room,
              m.nameMasked,
              m.needs.map((n) => NEED_TEXT[n]).join('、'),
              p.knock ? KNOCK_TEXT[p.knock] : '',
            ]),
          ),
        },
      ]);
    },
  },
});
