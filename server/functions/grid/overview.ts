/** The resident's grid page and the grid's dashboard. */
import type { ContactView, GridDashboardView, StaffGridsView } from '../../../typings/api';
import type { UserDoc } from '../../../typings/entities';
import { mustGet, requireGridStaff, requireResident } from '../../lib/access';
import { defineActions } from '../../lib/define-function';
import { z } from '../../lib/validate';
import { loadStats } from '../../lib/stats';
import { gridWithWork, gridWork, staffGridsOf, workCount } from '../../lib/staff-grids';
import { id, noticesOf } from './shared';

export const overviewActions = defineActions('grid', {
  'grid.mine': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const { household } = await requireResident(ctx);
      const _ = ctx.db.command;
      const grid = await mustGet(ctx, 'grids', household.gridId, '网格');
      const [community, staff, notices] = await Promise.all([
        mustGet(ctx, 'communities', grid.communityId, '社区'),
        ctx.db
          .collection('users')
          .where({ _id: _.in([...grid.gridworkerIds, ...grid.groupLeaderIds]) })
          .limit(100)
          .get(),
        noticesOf(ctx, grid, 5),
      ]);
      const contacts: ContactView[] = (staff.data as UserDoc[])
        .map((u) => ({
          role: grid.gridworkerIds.includes(u._id) ? ('gridworker' as const) : ('groupLeader' as const),
          name: u.nickName,
          phone: u.phone ?? null,
        }))
        .sort((a, b) => (a.role === b.role ? 0 : a.role === 'gridworker' ? -1 : 1));
      return {
        communityName: community.name,
        gridId: grid._id,
        gridName: grid.name,
        contacts,
        groupQrFileId: grid.groupQrFileId ?? null,
        notices,
      };
    },
  },

  'grid.staffGrids': {
    input: z.object({}).strict(),
    async handle(ctx): Promise<StaffGridsView> {
      const { grids } = await staffGridsOf(ctx);
      const work = await gridWork(ctx, grids);
      return {
        grids: grids.map((g) => {
          const w = work.get(g._id) ?? { submitted: 0, accepted: 0, failed: 0, joins: 0 };
          return { id: g._id, name: g.name, ...w, waiting: workCount(w, 'all') };
        }),
        withWork: gridWithWork(grids, work, 'all')?._id ?? null,
        withOrders: gridWithWork(grids, work, 'orders')?._id ?? null,
        withDispatch: gridWithWork(grids, work, 'dispatch')?._id ?? null,
      };
    },
  },

  'grid.dashboard': {
    input: z.object({ gridId: id }).strict(),
    async handle(ctx, input): Promise<GridDashboardView> {
      const { grid } = await requireGridStaff(ctx, input.gridId);
      const [stats, notices] = await Promise.all([
        loadStats(ctx, grid.communityId, [grid], ctx.now),
        noticesOf(ctx, grid, 10),
      ]);
      const own = stats.get(grid._id);
      if (!own) throw new Error(`no stats for ${grid._id}`);
      return { ...own, gridName: grid.name, notices };
    },
  },
});
