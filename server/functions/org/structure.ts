/** The community's structure (grids, buildings) and its dashboard. */
import { AppError } from '../../../core/errors';
import { chinaDay } from '../../../core/time';
import { sumCounts } from '../../../core/org/dashboard';
import { naturalCompare } from '../../../core/natural-sort';
import { buildingIdFor, gridIdFor } from '../../../core/org/ids';
import type { StructureView } from '../../../typings/api';
import type { Building, Grid } from '../../../typings/entities';
import { mustGet } from '../../lib/access';
import { type CallContext, defineActions } from '../../lib/define-function';
import { requireAdmin } from '../../lib/users';
import { z } from '../../lib/validate';
import { all } from '../../lib/query';
import { loadStats } from '../../lib/stats';
import { addOnce, gridOf, id, name, recount, usersById } from './shared';

async function structureView(ctx: CallContext, communityId: string): Promise<StructureView> {
  const [community, grids, buildings, households] = await Promise.all([
    mustGet(ctx, 'communities', communityId, '社区'),
    all(ctx, 'grids', { communityId }),
    all(ctx, 'buildings', { communityId }),
    all(ctx, 'households', { communityId }, { buildingId: true }),
  ]);
  const staffIds = [...new Set(grids.flatMap((g) => [...g.gridworkerIds, ...g.groupLeaderIds]))];
  const staff = await usersById(ctx, staffIds);
  const perBuilding = new Map<string, number>();
  for (const h of households) perBuilding.set(h.buildingId, (perBuilding.get(h.buildingId) ?? 0) + 1);
  const person = (openid: string) => ({ openid, name: staff.get(openid)?.nickName ?? '（未登记姓名）' });
  return {
    community: { id: community._id, name: community.name, district: community.district },
    grids: [...grids]
      .sort((a, b) => naturalCompare(a.name, b.name))
      .map((g) => ({
        id: g._id,
        name: g.name,
        householdCount: buildings
          .filter((b) => b.gridId === g._id)
          .reduce((n, b) => n + (perBuilding.get(b._id) ?? 0), 0),
        gridworkers: g.gridworkerIds.map(person),
        groupLeaders: g.groupLeaderIds.map(person),
        buildings: buildings
          .filter((b) => b.gridId === g._id)
          .sort((a, b) => naturalCompare(a.name, b.name))
          .map((b) => ({
            id: b._id,
            name: b.name,
            floors: b.floors,
            hasLift: b.hasLift,
            distanceM: b.distanceM,
            households: perBuilding.get(b._id) ?? 0,
          })),
      })),
  };
}

export const structureActions = defineActions('org', {
  'org.structure': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const admin = await requireAdmin(ctx);
      return structureView(ctx, admin.communityId);
    },
  },

  'org.saveGrid': {
    input: z.object({ id: id.optional(), name }).strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const sameName = await ctx.db
        .collection('grids')
        .where({ communityId: admin.communityId, name: input.name })
        .limit(2)
        .get();
      if ((sameName.data as Grid[]).some((g) => g._id !== input.id))
        throw new AppError('COMMON.CONFLICT', '已有同名的网格');
      if (input.id) {
        await gridOf(ctx, admin.communityId, input.id);
        await ctx.db
          .collection('grids')
          .where({ _id: input.id, communityId: admin.communityId })
          .update({ name: input.name });
      } else {
        const fresh: Grid = {
          _id: gridIdFor(admin.communityId, input.name),
          communityId: admin.communityId,
          name: input.name,
          buildingIds: [],
          gridworkerIds: [],
          groupLeaderIds: [],
          householdCount: 0,
        };
        // The id comes from the name (so an import finds it); a grid renamed since may hold it.
        if (
          !(await addOnce(ctx, 'grids', fresh)) &&
          !(await addOnce(ctx, 'grids', {
            ...fresh,
            _id: gridIdFor(admin.communityId, `${input.name}#${ctx.invocationId}`),
          }))
        ) {
          throw new AppError('COMMON.CONFLICT', '已有同名的网格');
        }
      }
      return structureView(ctx, admin.communityId);
    },
  },

  'org.saveBuilding': {
    input: z
      .object({
        id: id.optional(),
        gridId: id,
        name,
        floors: z.number().int().min(1).max(100),
        hasLift: z.boolean(),
        distanceM: z.number().int().min(0).max(20_000),
      })
      .strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const _ = ctx.db.command;
      const grid = await gridOf(ctx, admin.communityId, input.gridId);
      const sameName = (
        await ctx.db.collection('buildings').where({ communityId: admin.communityId, name: input.name }).limit(2).get()
      ).data as Building[];
      if (sameName.some((b) => b._id !== input.id)) throw new AppError('COMMON.CONFLICT', '本社区已有同名的楼栋');
      const fields = { name: input.name, floors: input.floors, hasLift: input.hasLift, distanceM: input.distanceM };
      if (!input.id) {
        let fresh: Building = {
          _id: buildingIdFor(admin.communityId, input.name),
          communityId: admin.communityId,
          gridId: grid._id,
          ...fields,
        };
        if (!(await addOnce(ctx, 'buildings', fresh))) {
          // Held by a building renamed since: take a fresh id.
          fresh = { ...fresh, _id: buildingIdFor(admin.communityId, `${input.name}#${ctx.invocationId}`) };
          if (!(await addOnce(ctx, 'buildings', fresh))) throw new AppError('COMMON.CONFLICT', '本社区已有同名的楼栋');
        }
        await ctx.db
          .collection('grids')
          .doc(grid._id)
          .update({ buildingIds: _.addToSet(fresh._id) });
        return structureView(ctx, admin.communityId);
      }
      const building = await mustGet(ctx, 'buildings', input.id, '楼栋');
      if (building.communityId !== admin.communityId) throw new AppError('COMMON.NOT_FOUND', '本社区没有这个楼栋');
      await ctx.db
        .collection('buildings')
        .doc(building._id)
        .update({ ...fields, gridId: grid._id });
      if (building.gridId !== grid._id) {
        // Moving a building moves its households; every step is a set, so a retry completes it.
        await ctx.db
          .collection('grids')
          .doc(grid._id)
          .update({ buildingIds: _.addToSet(building._id) });
        await ctx.db
          .collection('grids')
          .doc(building.gridId)
          .update({ buildingIds: _.pull(building._id) });
        await ctx.db.collection('households').where({ buildingId: building._id }).update({ gridId: grid._id });
        await Promise.all([recount(ctx, grid._id), recount(ctx, building.gridId)]);
      }
      return structureView(ctx, admin.communityId);
    },
  },

  'org.dashboard': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const admin = await requireAdmin(ctx);
      const [community, grids] = await Promise.all([
        mustGet(ctx, 'communities', admin.communityId, '社区'),
        all(ctx, 'grids', { communityId: admin.communityId }),
      ]);
      const stats = await loadStats(ctx, admin.communityId, grids, ctx.now);
      const staff = await usersById(ctx, [...new Set(grids.flatMap((g) => g.gridworkerIds))]);
      const rows = [...grids]
        .sort((a, b) => naturalCompare(a.name, b.name))
        .map((g) => {
          const s = stats.get(g._id);
          if (!s) throw new Error(`no stats for ${g._id}`);
          const { buildings: _b, ledger: _l, notContacted, gridId: _g, day: _d, ...counts } = s;
          return {
            ...counts,
            gridId: g._id,
            gridName: g.name,
            gridworkers: g.gridworkerIds.map((w) => staff.get(w)?.nickName).filter((n): n is string => Boolean(n)),
            notContacted: notContacted.length,
          };
        });
      return { communityName: community.name, day: chinaDay(ctx.now), totals: sumCounts(rows), grids: rows };
    },
  },
});
