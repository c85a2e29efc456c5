/**
 * The dashboards' figures, loaded once for one grid or a whole community: 入群率 per building,
 * today's orders by status, deliveries, testing coverage of the latest round, the special-needs
 * ledger (consented households only, names masked) and who has not been contacted today.
 */
import { addDays, byUrgency, careStatus, joinByBuilding, ordersByStatus, rate } from '../../core/org/dashboard';
import { maskName } from '../../core/mask';
import { chinaDay, chinaWallClock } from '../../core/time';
import type { CareLedgerRow, DashboardCounts, GridDashboardView } from '../../typings/api';
import type { Grid, TestRoundDoc } from '../../typings/entities';
import type { CallContext } from './define-function';
import { all } from './query';

/** Everything one grid's dashboard shows (notices are added by the caller). */
export type GridStats = Omit<GridDashboardView, 'notices' | 'gridName'>;


/** Figures of the given grids of one community on the China day of `now`, by grid id. */
export async function loadStats(ctx: CallContext, communityId: string, grids: readonly Grid[], now: Date): Promise<Map<string, GridStats>> {
  const _ = ctx.db.command;
  const day = chinaDay(now);
  const start = chinaWallClock(day, '00:00').toISOString();
  const end = chinaWallClock(addDays(day, 1), '00:00').toISOString();
  const gridIds = grids.map((g) => g._id);
  // One grid: query by grid; several: by community (indexes exist for both).
  const scope: Record<string, unknown> = gridIds.length === 1 ? { gridId: gridIds[0] } : { communityId };
  const byGrid: Record<string, unknown> = { gridId: _.in(gridIds) };

  const [buildings, households, orders, activeJobs, doneJobs, rounds, contacts, cares] = await Promise.all([
    all(ctx, 'buildings', scope),
    all(ctx, 'households', scope, { _id: true, gridId: true, buildingId: true, room: true, headName: true, members: true, memberOpenids: true, sensitiveConsentAt: true }),
    all(ctx, 'orders', { ...scope, updatedAt: _.gte(start) }, { gridId: true, status: true, createdAt: true, history: true }),
    all(ctx, 'jobs', { ...scope, status: _.in(['assigned', 'pickedUp']) }, { gridId: true }),
    all(ctx, 'jobs', { ...scope, status: 'done', updatedAt: _.gte(start) }, { gridId: true }),
    ctx.db.collection('testRounds').where({ communityId }).orderBy('openedAt', 'desc').limit(1).get(),
    all(ctx, 'contacts', { ...byGrid, day }),
    all(ctx, 'careNeeds', byGrid),
  ]);
  const round = (rounds.data as TestRoundDoc[])[0] ?? null;
  const samples = round
    ? await all(ctx, 'samples', { roundId: round._id, ...(gridIds.length === 1 ? scope : {}) }, { gridId: true, memberId: true })
    : [];

  const contacted = new Set(contacts.map((c) => c.householdId));
  const careOf = new Map(cares.map((c) => [`${c.householdId}:${c.memberId}`, c]));
  const buildingName = new Map(buildings.map((b) => [b._id, b.name]));
  const out = new Map<string, GridStats>();
  for (const grid of grids) {
    const hs = households.filter((h) => h.gridId === grid._id);
    const os = orders.filter((o) => o.gridId === grid._id);
    const today = os.filter((o) => o.createdAt >= start && o.createdAt < end && o.status !== 'placing');
    const delivered = os.filter((o) => o.history.some((e) => e.status === 'delivered' && e.at >= start && e.at < end)).length;
    const memberIds = new Set(hs.flatMap((h) => h.members.map((m) => m.id)));
    const sampled = samples.filter((s) => s.gridId === grid._id && memberIds.has(s.memberId)).length;
    const ledger: CareLedgerRow[] = [];
    const notContacted: GridStats['notContacted'] = [];
    for (const h of hs) {
      // Special needs are shown only while the household's consent stands (PIPL).
      if (!h.sensitiveConsentAt) continue;
      const needy = h.members.filter((m) => m.needs.length > 0);
      if (needy.length === 0) continue;
      for (const m of needy) {
        ledger.push({
          householdId: h._id,
          memberId: m.id,
          buildingName: buildingName.get(h.buildingId) ?? '',
          room: h.room,
          nameMasked: maskName(m.name),
          needs: m.needs,
          ...careStatus(careOf.get(`${h._id}:${m.id}`) ?? null, day),
        });
      }
      if (!contacted.has(h._id)) {
        notContacted.push({ householdId: h._id, buildingName: buildingName.get(h.buildingId) ?? '', room: h.room, headMasked: maskName(h.headName), needs: [...new Set(needy.flatMap((m) => m.needs))] });
      }
    }
    ledger.sort(byUrgency);
    notContacted.sort((a, b) => `${a.buildingName}${a.room}`.localeCompare(`${b.buildingName}${b.room}`));
    const joined = hs.filter((h) => h.memberOpenids.length > 0).length;
    const counts: DashboardCounts = {
      households: hs.length,
      joined,
      joinRate: rate(joined, hs.length),
      ordersToday: ordersByStatus(today),
      ordersTodayTotal: today.length,
      deliveredToday: delivered,
      jobs: { active: activeJobs.filter((j) => j.gridId === grid._id).length, doneToday: doneJobs.filter((j) => j.gridId === grid._id).length },
      testing: round ? { roundId: round._id, roundName: round.name, sampled, total: memberIds.size } : null,
      specialNeeds: ledger.length,
      contactedToday: hs.filter((h) => contacted.has(h._id)).length,
    };
    out.set(grid._id, {
      ...counts,
      gridId: grid._id,
      day,
      buildings: joinByBuilding(
        buildings.filter((b) => b.gridId === grid._id),
        hs,
      ),
      ledger,
      notContacted,
    });
  }
  return out;
}
