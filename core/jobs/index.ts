/**
 * Delivery jobs, pure: the job state machine, handover codes, counted hand-offs (物资不落地),
 * order weights, and grouping of orders nobody was assigned into open trips to grab.
 */
import type { JobEvent, JobStatus, JobStop, OrderKind, OrderLine, ShortLine, Unit } from '../../typings/entities';
import type { Rng } from '../random';
import { GAS_CYLINDER_KG } from './gas';

export * from './gas';
export * from './carry';

/** Who acts on a job. */
export type JobActor = 'volunteer' | 'gridworker' | 'system';

/** One allowed move of a job and who may cause it. */
export interface JobTransition {
  to: JobStatus;
  by: readonly JobActor[];
}

/**
 * Every allowed move of a job. A job is one trip: open (nobody yet) → assigned → picked up →
 * done; an assigned job not picked up in time, or whose volunteer went off duty, is released
 * (its orders go back to the pool).
 */
export const JOB_TRANSITIONS: Record<JobStatus, Partial<Record<JobEvent, JobTransition>>> = {
  open: {
    grab: { to: 'assigned', by: ['volunteer'] },
    assign: { to: 'assigned', by: ['gridworker', 'system'] },
    release: { to: 'released', by: ['gridworker', 'system'] },
  },
  assigned: {
    reassign: { to: 'assigned', by: ['gridworker'] },
    pickUp: { to: 'pickedUp', by: ['volunteer'] },
    release: { to: 'released', by: ['volunteer', 'gridworker', 'system'] },
  },
  pickedUp: {
    finish: { to: 'done', by: ['volunteer', 'system'] },
  },
  done: {},
  released: {},
};

/** The status an event leads to, or null when this actor may not do it from this status. */
export function nextJobStatus(from: JobStatus, event: JobEvent, actor: JobActor): JobStatus | null {
  const move = JOB_TRANSITIONS[from][event];
  return move && move.by.includes(actor) ? move.to : null;
}

/** Statuses from which an event is possible (the `where` of a conditional update). */
export function jobStatusesAllowing(event: JobEvent, actor: JobActor): JobStatus[] {
  return (Object.keys(JOB_TRANSITIONS) as JobStatus[]).filter((s) => nextJobStatus(s, event, actor) !== null);
}

/** Chinese text of every job status. */
export const JOB_STATUS_TEXT: Record<JobStatus, string> = {
  open: '待接单',
  assigned: '待取货',
  pickedUp: '配送中',
  done: '已完成',
  released: '已退回',
};

/** Length of a handover code (取货码). */
export const HANDOVER_CODE_LENGTH = 4;

/** A short numeric code the resident shows the volunteer at the door, e.g. `0427`. */
export function makeHandoverCode(rng: Rng): string {
  let code = '';
  for (let i = 0; i < HANDOVER_CODE_LENGTH; i += 1) code += String(Math.min(9, Math.floor(rng() * 10)));
  return code;
}

/** Whether what the volunteer typed is the order's code (spaces ignored). */
export function handoverCodeMatches(expected: string | null | undefined, given: string): boolean {
  return Boolean(expected) && given.replace(/\s+/g, '') === expected;
}

/** A counted quantity per item id. */
export type Counts = Readonly<Record<string, number>>;

/** Lines short of what was expected; an item not counted counts as all there. */
export function shortfall(
  expected: ReadonlyArray<Pick<OrderLine, 'itemId' | 'name' | 'unit' | 'qty'>>,
  counted: Counts | undefined,
): ShortLine[] {
  if (!counted) return [];
  const out: ShortLine[] = [];
  for (const line of expected) {
    const got = counted[line.itemId];
    if (got === undefined || got >= line.qty) continue;
    out.push({ itemId: line.itemId, name: line.name, unit: line.unit, expected: line.qty, counted: Math.max(0, got) });
  }
  return out;
}

/** Totals per item over many stops (what the volunteer counts at pickup). */
export function totalsOf(
  stops: readonly Pick<JobStop, 'lines'>[],
): Array<Pick<OrderLine, 'itemId' | 'name' | 'unit' | 'qty'>> {
  const byItem = new Map<string, Pick<OrderLine, 'itemId' | 'name' | 'unit' | 'qty'>>();
  for (const stop of stops) {
    for (const l of stop.lines) {
      const seen = byItem.get(l.itemId);
      if (seen) seen.qty += l.qty;
      else byItem.set(l.itemId, { itemId: l.itemId, name: l.name, unit: l.unit, qty: l.qty });
    }
  }
  return [...byItem.values()];
}

/** Rough kilograms per unit, to plan what a volunteer can carry. */
const KG_PER_UNIT: Record<Unit, number> = {
  斤: 0.5,
  份: 1,
  袋: 1,
  瓶: 0.6,
  罐: 0.5,
  盒: 0.4,
  箱: 5,
  个: 0.3,
  把: 0.3,
  桶: 5,
};

/**
 * Estimated weight of an order, kg (at least 0.5; a gas cylinder 15 kg each; a love bag ~5 kg). A
 * line's own weight per unit (`kgPerUnit`, from its catalogue item) wins over the unit's rough one.
 */
export function orderWeightKg(order: {
  kind: OrderKind;
  lines: ReadonlyArray<Pick<OrderLine, 'unit' | 'qty'> & { kgPerUnit?: number | null }>;
}): number {
  if (order.kind === 'gas')
    return (
      GAS_CYLINDER_KG *
      Math.max(
        1,
        order.lines.reduce((n, l) => n + l.qty, 0),
      )
    );
  if (order.kind === 'medicine' && order.lines.length === 0) return 0.5;
  const fromLines = order.lines.reduce(
    (kg, l) => kg + (typeof l.kgPerUnit === 'number' && l.kgPerUnit > 0 ? l.kgPerUnit : KG_PER_UNIT[l.unit]) * l.qty,
    0,
  );
  const kg = order.kind === 'loveBag' && fromLines === 0 ? 5 : fromLines;
  return Math.max(0.5, Math.round(kg * 10) / 10);
}

/** Carry limit used for open trips nobody was assigned (a volunteer grabbing takes one trip). */
export const OPEN_TRIP_KG = 15;

/**
 * Groups stops nobody was assigned into open trips to grab: per building, floors in order,
 * up to `capacityKg` a trip (an order heavier than that is a trip on its own). Deterministic.
 */
export function groupOpenTrips<T extends Pick<JobStop, 'orderId' | 'buildingId' | 'floor' | 'weightKg' | 'priority'>>(
  stops: readonly T[],
  capacityKg = OPEN_TRIP_KG,
): T[][] {
  const byBuilding = new Map<string, T[]>();
  for (const s of stops) byBuilding.set(s.buildingId, [...(byBuilding.get(s.buildingId) ?? []), s]);
  const trips: T[][] = [];
  for (const buildingId of [...byBuilding.keys()].sort()) {
    const list = [...(byBuilding.get(buildingId) ?? [])].sort(
      (a, b) => a.floor - b.floor || a.orderId.localeCompare(b.orderId),
    );
    let trip: T[] = [];
    let kg = 0;
    for (const s of list) {
      if (trip.length && kg + s.weightKg > capacityKg) {
        trips.push(trip);
        trip = [];
        kg = 0;
      }
      trip.push(s);
      kg += s.weightKg;
    }
    if (trip.length) trips.push(trip);
  }
  // Trips with special-needs orders first.
  return trips.sort((a, b) => Number(b.some((s) => s.priority)) - Number(a.some((s) => s.priority)));
}

/** A job's title, e.g. `3号楼 2–11层 · 5户`. */
export function jobTitle(buildingNames: readonly string[], stops: readonly Pick<JobStop, 'floor'>[]): string {
  const floors = stops.map((s) => s.floor);
  const lo = Math.min(...floors);
  const hi = Math.max(...floors);
  const range = stops.length === 0 ? '' : lo === hi ? ` ${lo}层` : ` ${lo}–${hi}层`;
  return `${buildingNames.join('、')}${range} · ${stops.length}户`;
}

/** What one delivery volunteer may hold at once, unless the community sets otherwise. */
export const DEFAULT_JOB_LIMITS = { maxJobs: 3, maxKg: 45 } as const;

/** A community's limits: its setting where sane, else the defaults. */
export function jobLimitsOf(setting: { maxJobs?: number; maxKg?: number } | undefined | null): {
  maxJobs: number;
  maxKg: number;
} {
  const maxJobs =
    Number.isInteger(setting?.maxJobs) && (setting?.maxJobs as number) >= 1 && (setting?.maxJobs as number) <= 20
      ? (setting?.maxJobs as number)
      : DEFAULT_JOB_LIMITS.maxJobs;
  const maxKg =
    typeof setting?.maxKg === 'number' && setting.maxKg >= 1 && setting.maxKg <= 200
      ? setting.maxKg
      : DEFAULT_JOB_LIMITS.maxKg;
  return { maxJobs, maxKg };
}

/** A claim on a volunteer's `holding` list: the job id and a nonce (one claim per grab attempt). */
export function holdClaim(jobId: string, nonce: string): string {
  return `${jobId}#${nonce}`;
}

/** The job id of a claim. */
export function jobOfClaim(claim: string): string {
  const at = claim.lastIndexOf('#');
  return at < 0 ? claim : claim.slice(0, at);
}

/** Why a volunteer may not take one more job of `weightKg`, or null. One job is always allowed. */
export function holdRefusal(
  held: { jobs: number; kg: number },
  weightKg: number,
  limits: { maxJobs: number; maxKg: number },
): string | null {
  if (held.jobs === 0) return null;
  if (held.jobs >= limits.maxJobs) return `你手上已有 ${held.jobs} 个任务（上限 ${limits.maxJobs} 个），请先送完再接单`;
  if (held.kg + weightKg > limits.maxKg)
    return `接下这单将共 ${Math.round((held.kg + weightKg) * 10) / 10} 公斤，超过每人 ${limits.maxKg} 公斤的上限，请先送完手上的任务`;
  return null;
}

/** Wrong handover codes allowed per job; after that only a photo or the gridworker completes a stop. */
export const HANDOVER_TRIES = 5;
