/** Test results: kept beside each sample, apart from "sampled"; seen and recorded only by the admin and that grid's gridworker. */
import { TEST_RESULTS } from '../../../typings/values';
import { AppError } from '../../../core/errors';
import { maskName } from '../../../core/mask';
import { toChinaIso } from '../../../core/time';
import type { SampledView } from '../../../typings/api';
import type { Grid, SampleDoc } from '../../../typings/entities';
import { getByIds, getDoc, mustGet } from '../../lib/access';
import { defineActions, type UserContext } from '../../lib/define-function';
import { all, pageFields, pageOf } from '../../lib/query';
import { findUser } from '../../lib/users';
import { idString, z } from '../../lib/validate';
import { id, maySeeResults, sampleIdOf } from './shared';

const NOT_YOURS = '检测结果仅限社区管理员和本网格的网格员';

/** The grids whose results the caller sees, in order: all of the community for its admin, a gridworker's own. */
export async function resultGrids(ctx: UserContext): Promise<Array<Pick<Grid, '_id' | 'name' | 'communityId'>>> {
  const user = await findUser(ctx);
  if (!user?.communityId || !(user.roles.includes('communityAdmin') || user.roles.includes('gridworker')))
    throw new AppError('AUTH.NOT_GRIDWORKER', NOT_YOURS);
  const grids = user.roles.includes('communityAdmin')
    ? await all(ctx, 'grids', { communityId: user.communityId }, { name: true, communityId: true })
    : await getByIds(ctx, 'grids', user.adminGridIds);
  return grids.filter((g) => maySeeResults(user, g)).sort((a, b) => a._id.localeCompare(b._id));
}

export const resultActions = defineActions('testing', {
  'testing.results': {
    input: z
      .object({
        roundId: id,
        gridId: id.optional(),
        serial: idString(40).optional(),
        result: z.enum(TEST_RESULTS).optional(),
        ...pageFields,
      })
      .strict(),
    async handle(ctx, input) {
      const grids = await resultGrids(ctx);
      const grid = input.gridId ? grids.find((g) => g._id === input.gridId) : grids[0];
      if (!grid) throw new AppError('AUTH.NOT_GRIDWORKER', NOT_YOURS);
      const round = await mustGet(ctx, 'testRounds', input.roundId, '检测轮次');
      if (round.communityId !== grid.communityId) throw new AppError('COMMON.NOT_FOUND', '没有找到该检测轮次');
      const base = { roundId: round._id, gridId: grid._id };
      const where = {
        ...base,
        ...(input.serial ? { serial: input.serial.trim().toUpperCase() } : {}),
        ...(input.result ? { result: input.result } : {}),
      };
      const samples = ctx.db.collection('samples');
      const [page, sampled, negative, positive] = await Promise.all([
        // By serial: the order of the tubes, and of the laboratory's report.
        pageOf(ctx, 'samples', where, input, [{ field: 'serial', dir: 'asc' }]),
        samples.where(base).count(),
        samples.where({ ...base, result: 'negative' }).count(),
        samples.where({ ...base, result: 'positive' }).count(),
      ]);
      const households = await getByIds(
        ctx,
        'households',
        page.items.map((s: SampleDoc) => s.householdId),
      );
      const buildings = page.items.length ? await all(ctx, 'buildings', { gridId: grid._id }, { name: true }) : [];
      const byId = new Map(households.map((h) => [h._id, h]));
      const names = new Map(buildings.map((b) => [b._id, b.name]));
      const items: SampledView[] = page.items.map((s) => {
        const h = byId.get(s.householdId);
        return {
          householdId: s.householdId,
          memberId: s.memberId,
          buildingName: names.get(s.buildingId) ?? '',
          room: h?.room ?? '',
          nameMasked: maskName(h?.members.find((m) => m.id === s.memberId)?.name ?? ''),
          serial: s.serial,
          sampledAt: toChinaIso(new Date(s.sampledAt)),
          result: s.result ?? null,
        };
      });
      const counts = {
        sampled: sampled.total ?? 0,
        negative: negative.total ?? 0,
        positive: positive.total ?? 0,
        none: 0,
      };
      counts.none = Math.max(0, counts.sampled - counts.negative - counts.positive);
      return {
        items,
        nextCursor: page.nextCursor,
        total: page.total,
        counts,
        gridId: grid._id,
        gridName: grid.name,
        grids: grids.map((g) => ({ id: g._id, name: g.name })),
      };
    },
  },

  'testing.recordResult': {
    input: z.object({ roundId: id, householdId: id, memberId: id, result: z.enum(TEST_RESULTS) }).strict(),
    async handle(ctx, input) {
      const user = await findUser(ctx);
      // Only the admin and gridworkers record results (which grid: once the sample is found).
      if (!user?.communityId || !(user.roles.includes('communityAdmin') || user.roles.includes('gridworker'))) {
        throw new AppError('AUTH.NOT_GRIDWORKER', NOT_YOURS);
      }
      const sample = await getDoc(ctx, 'samples', sampleIdOf(input.roundId, input.householdId, input.memberId));
      if (
        !sample ||
        sample.communityId !== user.communityId ||
        sample.householdId !== input.householdId ||
        sample.memberId !== input.memberId
      ) {
        throw new AppError('COMMON.NOT_FOUND', '没有找到该采样记录');
      }
      if (!maySeeResults(user, { _id: sample.gridId, communityId: sample.communityId }))
        throw new AppError('AUTH.NOT_GRIDWORKER', NOT_YOURS);
      // The result is kept beside the sample; the signed card only ever says "sampled".
      await ctx.db
        .collection('samples')
        .doc(sample._id)
        .update({ result: input.result, resultAt: ctx.now.toISOString(), resultBy: ctx.caller.openid });
      return { serial: sample.serial, result: input.result };
    },
  },
});
