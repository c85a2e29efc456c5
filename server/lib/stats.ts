/**
 * The dashboards' figures, loaded once for one grid or a whole community: 入群率 per building,
 * today's orders by status, deliveries, testing coverage of the latest round, the special-needs
 * ledger (consented households only, names masked) and who has not been contacted today.
 */
import { addDays, byUrgency, careStatus, rate } from '../../core/org/dashboard';
import { maskName } from '../../core/mask';
import { compareRooms, naturalCompare } from '../../core/natural-sort';
import { chinaDay, chinaWallClock } from '../../core/time';
import type { CareLedgerRow, DashboardCounts, GridDashboardView } from '../../typings/api';
import type { Grid, HouseholdDoc, OrderStatus, TestRoundDoc } from '../../typings/entities';
import type { CallContext } from './define-function';
import { aggregateAll, aggregateOps, all } from './query';

/** Everything one grid's dashboard shows (notices are added by the caller). */
export type GridStats = Omit<GridDashboardView, 'notices' | 'gridName'>;

/** Figures of the given grids of one community on the China day of `now`, by grid id. */
export async function loadStats(
  ctx: CallContext,
  communityId: string,
  grids: readonly Grid[],
  now: Date,
): Promise<Map<string, GridStats>> {
  const _ = ctx.db.command;
  const day = chinaDay(now);
  const start = chinaWallClock(day, '00:00').toISOString();
  const end = chinaWallClock(addDays(day, 1), '00:00').toISOString();
  const gridIds = grids.map((g) => g._id);
  // One grid: query by grid; several: by community (indexes exist for both).
  const scope: Record<string, unknown> = gridIds.length === 1 ? { gridId: gridIds[0] } : { communityId };
  const byGrid: Record<string, unknown> = { gridId: _.in(gridIds) };

  const $ = aggregateOps(ctx);
  const since = (field: string) => $.and([$.gte([field, start]), $.lt([field, end])]);

  // Counted in the database (one request per 1,000 groups, not per 1,000 documents): households,
  // 入群, members per building; today's orders by status and deliveries; active and finished jobs.
  const [buildings, houseRows, needy, orderRows, jobRows, rounds, contactRows, cares] = await Promise.all([
    all(ctx, 'buildings', scope),
    aggregateAll<{ _id: { gridId: string; buildingId: string }; households: number; joined: number; members: number }>(
      ctx,
      'households',
      [
        { match: scope },
        {
          group: {
            _id: { gridId: '$gridId', buildingId: '$buildingId' },
            households: $.sum(1),
            joined: $.sum($.cond([$.gt([$.size('$memberOpenids'), 0]), 1, 0])),
            members: $.sum($.size('$members')),
          },
        },
      ],
    ),
    // Only the households the ledger shows: consent given, someone with special needs.
    aggregateAll<Pick<HouseholdDoc, '_id' | 'gridId' | 'buildingId' | 'room' | 'headName' | 'members'>>(
      ctx,
      'households',
      [
        { match: { ...scope, sensitiveConsentAt: _.gt('') } },
        {
          project: {
            gridId: 1,
            buildingId: 1,
            room: 1,
            headName: 1,
            members: 1,
            needy: $.gt([$.size($.filter({ input: '$members', as: 'm', cond: $.gt([$.size('$$m.needs'), 0]) })), 0]),
          },
        },
        { match: { needy: true } },
        { project: { gridId: 1, buildingId: 1, room: 1, headName: 1, members: 1 } },
      ],
    ),
    aggregateAll<{
      _id: { gridId: string; status: OrderStatus | 'placing'; today: boolean };
      orders: number;
      delivered: number;
    }>(ctx, 'orders', [
      { match: { ...scope, updatedAt: _.gte(start) } },
      {
        project: {
          gridId: 1,
          status: 1,
          today: $.and([since('$createdAt'), $.neq(['$status', 'placing'])]),
          delivered: $.gt([
            $.size(
              $.filter({
                input: '$history',
                as: 'e',
                cond: $.and([$.eq(['$$e.status', 'delivered']), since('$$e.at')]),
              }),
            ),
            0,
          ]),
        },
      },
      {
        group: {
          _id: { gridId: '$gridId', status: '$status', today: '$today' },
          orders: $.sum(1),
          delivered: $.sum($.cond(['$delivered', 1, 0])),
        },
      },
    ]),
    aggregateAll<{ _id: { gridId: string; done: boolean }; jobs: number }>(ctx, 'jobs', [
      {
        match: _.or([
          { ...scope, status: _.in(['assigned', 'pickedUp']) },
          { ...scope, status: 'done', updatedAt: _.gte(start) },
        ]),
      },
      { group: { _id: { gridId: '$gridId', done: $.eq(['$status', 'done']) }, jobs: $.sum(1) } },
    ]),
    ctx.db.collection('testRounds').where({ communityId }).orderBy('openedAt', 'desc').limit(1).get(),
    // The households contacted today, with the grid each household is in now.
    aggregateAll<{ _id: string; gridId: string }>(ctx, 'contacts', [
      { match: { ...byGrid, day } },
      { group: { _id: '$householdId' } },
      { lookup: { from: 'households', localField: '_id', foreignField: '_id', as: 'household' } },
      { unwind: '$household' },
      { project: { gridId: '$household.gridId' } },
    ]),
    all(ctx, 'careNeeds', byGrid),
  ]);
  const round = (rounds.data as TestRoundDoc[])[0] ?? null;
  // Samples of members still in the grid the sample was taken in, counted per grid.
  const sampleRows = round
    ? await aggregateAll<{ _id: string; sampled: number }>(ctx, 'samples', [
        { match: { roundId: round._id, gridId: gridIds.length === 1 ? gridIds[0] : _.in(gridIds) } },
        { lookup: { from: 'households', localField: 'householdId', foreignField: '_id', as: 'household' } },
        { unwind: '$household' },
        {
          project: {
            gridId: 1,
            current: $.and([$.eq(['$household.gridId', '$gridId']), $.in(['$memberId', '$household.members.id'])]),
          },
        },
        { group: { _id: '$gridId', sampled: $.sum($.cond(['$current', 1, 0])) } },
      ])
    : [];

  const contacted = new Set(contactRows.map((c) => c._id));
  const careOf = new Map(cares.map((c) => [`${c.householdId}:${c.memberId}`, c]));
  const buildingName = new Map(buildings.map((b) => [b._id, b.name]));
  const out = new Map<string, GridStats>();
  for (const grid of grids) {
    const houses = houseRows.filter((r) => r._id.gridId === grid._id);
    const households = houses.reduce((n, r) => n + r.households, 0);
    const joined = houses.reduce((n, r) => n + r.joined, 0);
    const members = houses.reduce((n, r) => n + r.members, 0);
    const os = orderRows.filter((r) => r._id.gridId === grid._id);
    const ordersToday: DashboardCounts['ordersToday'] = {};
    for (const r of os)
      if (r._id.today && r._id.status !== 'placing')
        ordersToday[r._id.status] = (ordersToday[r._id.status] ?? 0) + r.orders;
    const jobsOf = (done: boolean) =>
      jobRows.filter((r) => r._id.gridId === grid._id && r._id.done === done).reduce((n, r) => n + r.jobs, 0);
    const ledger: CareLedgerRow[] = [];
    const notContacted: GridStats['notContacted'] = [];
    for (const h of needy) {
      if (h.gridId !== grid._id) continue;
      const needyMembers = h.members.filter((m) => m.needs.length > 0);
      for (const m of needyMembers) {
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
        notContacted.push({
          householdId: h._id,
          buildingName: buildingName.get(h.buildingId) ?? '',
          room: h.room,
          headMasked: maskName(h.headName),
          needs: [...new Set(needyMembers.flatMap((m) => m.needs))],
        });
      }
    }
    ledger.sort(byUrgency);
    notContacted.sort(compareRooms);
    const counts: DashboardCounts = {
      households,
      joined,
      joinRate: rate(joined, households),
      ordersToday,
      ordersTodayTotal: Object.values(ordersToday).reduce((n, c) => n + (c ?? 0), 0),
      deliveredToday: os.reduce((n, r) => n + r.delivered, 0),
      jobs: { active: jobsOf(false), doneToday: jobsOf(true) },
      testing: round
        ? {
            roundId: round._id,
            roundName: round.name,
            sampled: sampleRows.find((r) => r._id === grid._id)?.sampled ?? 0,
            total: members,
          }
        : null,
      specialNeeds: ledger.length,
      contactedToday: contactRows.filter((c) => c.gridId === grid._id).length,
    };
    out.set(grid._id, {
      ...counts,
      gridId: grid._id,
      day,
      buildings: buildings
        .filter((b) => b.gridId === grid._id)
        .sort((a, b) => naturalCompare(a.name, b.name))
        .map((b) => {
          const c = houses.find((r) => r._id.buildingId === b._id) ?? { households: 0, joined: 0 };
          return {
            buildingId: b._id,
            buildingName: b.name,
            households: c.households,
            joined: c.joined,
            joinRate: rate(c.joined, c.households),
          };
        }),
      ledger,
      notContacted,
    });
  }
  return out;
}
