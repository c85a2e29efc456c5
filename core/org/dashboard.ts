/** Dashboard arithmetic (入群率, orders by status, the special-needs ledger's recurring needs). */
import { compareRooms } from '../natural-sort';
import type { CareLedgerRow, DashboardCounts } from '../../typings/api';
import type { CareDoc, OrderStatus } from '../../typings/entities';

/** A rate in 0..1 with three decimals (0 when there is nothing to count). */
export function rate(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 1000) / 1000 : 0;
}

/** Households joined per building, in the buildings' order. */
export function joinByBuilding(
  buildings: ReadonlyArray<{ _id: string; name: string }>,
  households: ReadonlyArray<{ buildingId: string; memberOpenids: readonly string[] }>,
): Array<{ buildingId: string; buildingName: string; households: number; joined: number; joinRate: number }> {
  const counts = new Map<string, { households: number; joined: number }>();
  for (const h of households) {
    const c = counts.get(h.buildingId) ?? { households: 0, joined: 0 };
    c.households += 1;
    if (h.memberOpenids.length > 0) c.joined += 1;
    counts.set(h.buildingId, c);
  }
  return buildings.map((b) => {
    const c = counts.get(b._id) ?? { households: 0, joined: 0 };
    return { buildingId: b._id, buildingName: b.name, ...c, joinRate: rate(c.joined, c.households) };
  });
}

/** Orders counted by status (orders still being placed are not orders yet). */
export function ordersByStatus(
  orders: ReadonlyArray<{ status: OrderStatus | 'placing' }>,
): Partial<Record<OrderStatus, number>> {
  const out: Partial<Record<OrderStatus, number>> = {};
  for (const o of orders) if (o.status !== 'placing') out[o.status] = (out[o.status] ?? 0) + 1;
  return out;
}

/** ISO weekday of a calendar day `YYYY-MM-DD`: 1 = Monday … 7 = Sunday. */
export function weekdayOf(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  const w = new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1)).getUTCDay();
  return w === 0 ? 7 : w;
}

/** The calendar day `n` days after `day`. */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + n)).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The recurring-needs part of a ledger row on a China day. */
export function careStatus(
  care: Pick<CareDoc, 'dialysisWeekdays' | 'refillEveryDays' | 'lastRefillOn' | 'note'> | null,
  today: string,
): Pick<
  CareLedgerRow,
  'dialysisWeekdays' | 'dialysisToday' | 'refillEveryDays' | 'lastRefillOn' | 'refillDueOn' | 'refillInDays' | 'note'
> {
  if (!care)
    return {
      dialysisWeekdays: [],
      dialysisToday: false,
      refillEveryDays: 0,
      lastRefillOn: null,
      refillDueOn: null,
      refillInDays: null,
      note: '',
    };
  const due = care.refillEveryDays > 0 && care.lastRefillOn ? addDays(care.lastRefillOn, care.refillEveryDays) : null;
  return {
    dialysisWeekdays: [...care.dialysisWeekdays].sort((a, b) => a - b),
    dialysisToday: care.dialysisWeekdays.includes(weekdayOf(today)),
    refillEveryDays: care.refillEveryDays,
    lastRefillOn: care.lastRefillOn,
    refillDueOn: due,
    refillInDays: due ? daysBetween(today, due) : null,
    note: care.note,
  };
}

/** Ledger order: dialysis today first, then refills by how soon they are due, then the rest. */
export function byUrgency(a: CareLedgerRow, b: CareLedgerRow): number {
  if (a.dialysisToday !== b.dialysisToday) return a.dialysisToday ? -1 : 1;
  const ra = a.refillInDays ?? Number.POSITIVE_INFINITY;
  const rb = b.refillInDays ?? Number.POSITIVE_INFINITY;
  if (ra !== rb) return ra - rb;
  return compareRooms(a, b);
}

/** Sums of several grids' counts (the community's totals). */
export function sumCounts(list: readonly DashboardCounts[]): DashboardCounts {
  const orders: DashboardCounts['ordersToday'] = {};
  for (const c of list)
    for (const [k, v] of Object.entries(c.ordersToday) as Array<[keyof typeof orders, number]>)
      orders[k] = (orders[k] ?? 0) + v;
  const households = list.reduce((n, c) => n + c.households, 0);
  const joined = list.reduce((n, c) => n + c.joined, 0);
  const testing = list.find((c) => c.testing)?.testing ?? null;
  const withJobs = list.filter((c) => c.jobs);
  return {
    households,
    joined,
    joinRate: rate(joined, households),
    ordersToday: orders,
    ordersTodayTotal: list.reduce((n, c) => n + c.ordersTodayTotal, 0),
    deliveredToday: list.reduce((n, c) => n + c.deliveredToday, 0),
    jobs: withJobs.length
      ? {
          active: withJobs.reduce((n, c) => n + (c.jobs?.active ?? 0), 0),
          doneToday: withJobs.reduce((n, c) => n + (c.jobs?.doneToday ?? 0), 0),
        }
      : null,
    testing: testing
      ? {
          ...testing,
          sampled: list.reduce((n, c) => n + (c.testing?.sampled ?? 0), 0),
          total: list.reduce((n, c) => n + (c.testing?.total ?? 0), 0),
        }
      : null,
    specialNeeds: list.reduce((n, c) => n + c.specialNeeds, 0),
    contactedToday: list.reduce((n, c) => n + c.contactedToday, 0),
  };
}
