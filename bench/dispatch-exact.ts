/**
 * The exact optimum of the WHOLE dispatch problem on small instances (issue 16): orders → trips →
 * volunteers, solved by HiGHS as a MIP that never sees a planner's trips.
 *
 * Model (the time model of core/dispatch/types.ts; objective: the makespan, as the planner's):
 * - Every possible trip is enumerated: every non-empty set of orders of ONE building weighing at
 *   most the largest capacity among the volunteers allowed there. Its duration d_t and each
 *   order's door time are those of `tripTiming` (floors bottom-up). Any plan is a set of such
 *   trips, so nothing is lost.
 * - x[t,v] ∈ {0,1}: volunteer v makes trip t; only where v may serve the building and carries
 *   the trip's weight (capacity).
 * - Each order in exactly one trip: Σ_{t ∋ o} Σ_v x[t,v] = 1.
 * - Makespan: C ≥ busy_v·u_v + Σ_t d_t·x[t,v], with u_v ≥ x[t,v] (a busy volunteer who carries
 *   nothing does not count, as in the planner's makespan).
 * - Waves and deadlines: on each volunteer the wave-1 trips (any special-needs, medicine or
 *   deadline order) run first; wave-2 trips carry no deadline, so they never need to go earlier.
 *   A trip t with deadline orders must END by D_t = min_o (deadline_o − door time of o) + d_t.
 *   Run in order of D_t (earliest due date, optimal for one person's due dates), v's deadline
 *   trips are all on time iff for every due date δ: busy_v + Σ_{t: D_t ≤ δ} d_t·x[t,v] ≤ δ
 *   (a δ of a trip v does not make is implied by the largest one ≤ δ that v makes). A trip that
 *   cannot be on time even alone on v is not offered to v.
 * - Symmetry: interchangeable volunteers (same capacity, buildings and busy time) are ordered by
 *   their load; a valid lower bound on C (bench/dispatch-bound.ts) is given as C's lower limit.
 * The instances are small enough that HiGHS proves optimality within a node limit (deterministic:
 * no wall-clock dependence); only proven optima are counted.
 */
import type { Highs } from 'highs';
import { dispatchParams, tripTiming } from '../core/dispatch/time-model';
import type { DispatchInput, DispatchOrder } from '../core/dispatch/types';
import { makespanLowerBound } from './dispatch-bound';
import { ModelBuilder } from './highs-model';

const EPS = 1e-9;

export interface ExactResult {
  proven: boolean;
  /** The optimum when proven, else the best plan found (Infinity when none). */
  makespanS: number;
  /** HiGHS's proven lower bound. */
  boundS: number;
  trips: number;
  nodes: number;
  /** The optimal trips: volunteer, orders. */
  plan: Array<{ volunteerId: string; orderIds: string[]; durationS: number }>;
}

interface Candidate {
  buildingId: string;
  orders: DispatchOrder[];
  weightKg: number;
  durationS: number;
  wave: 1 | 2;
  /** Latest end for its deadlines (Infinity: none). */
  dueS: number;
}

/** Every feasible trip of the instance (see the header). Throws if there would be more than `limit`. */
export function enumerateTrips(input: DispatchInput, limit = 50_000): Candidate[] {
  const p = dispatchParams(input.params);
  const out: Candidate[] = [];
  for (const b of input.buildings) {
    const carriers = input.volunteers.filter(
      (v) => v.capacityKg > 0 && (v.buildingIds.length === 0 || v.buildingIds.includes(b.id)),
    );
    if (carriers.length === 0) continue;
    const q = Math.max(...carriers.map((v) => v.capacityKg));
    const orders = input.orders.filter((o) => o.buildingId === b.id && o.weightKg <= q + EPS);
    const n = orders.length;
    if (n > 20) throw new Error(`too many orders in building ${b.id} for enumeration`);
    // Depth-first over subsets, pruned by weight.
    const chosen: DispatchOrder[] = [];
    const walk = (k: number, kg: number): void => {
      if (k === n) {
        if (chosen.length === 0) return;
        const timing = tripTiming(chosen, b, p);
        let due = Infinity;
        chosen.forEach((o, i) => {
          if (o.deadlineS !== null) due = Math.min(due, o.deadlineS - (timing.deliverOffsetsS[i] ?? 0));
        });
        out.push({
          buildingId: b.id,
          orders: [...chosen],
          weightKg: kg,
          durationS: timing.durationS,
          wave: chosen.some((o) => o.priority || o.medicine || o.deadlineS !== null) ? 1 : 2,
          dueS: due + timing.durationS,
        });
        if (out.length > limit) throw new Error('too many trips to enumerate');
        return;
      }
      const o = orders[k];
      if (!o) return;
      if (kg + o.weightKg <= q + EPS) {
        chosen.push(o);
        walk(k + 1, kg + o.weightKg);
        chosen.pop();
      }
      walk(k + 1, kg);
    };
    walk(0, 0);
  }
  return out;
}

export interface ExactOptions {
  /** Branch-and-bound node limit (deterministic). */
  maxNodes?: number;
  /** A safety net only: instances are sized to prove well within it. */
  timeLimitS?: number;
}

/** Solves the whole problem exactly (see the header). */
export function solveExact(highs: Highs, input: DispatchInput, options: ExactOptions = {}): ExactResult {
  const trips = enumerateTrips(input);
  const volunteers = [...input.volunteers].filter((v) => v.capacityKg > 0).sort((a, b) => (a.id < b.id ? -1 : 1));
  const m = new ModelBuilder();
  const lower = makespanLowerBound(input).boundS;
  const C = m.col(1, lower * (1 - 1e-9));
  const cols: Array<{ t: number; v: number; j: number }> = [];
  const byOrder = new Map<string, Array<[number, number]>>();
  const load: Array<Array<[number, number]>> = volunteers.map(() => []);
  trips.forEach((trip, t) => {
    volunteers.forEach((v, vi) => {
      const busy = v.busyUntilS ?? 0;
      const ok =
        v.capacityKg + EPS >= trip.weightKg &&
        (v.buildingIds.length === 0 || v.buildingIds.includes(trip.buildingId)) &&
        busy + trip.durationS <= trip.dueS + EPS;
      if (!ok) return;
      const j = m.col(0, 0, 1, true);
      cols.push({ t, v: vi, j });
      load[vi]?.push([j, trip.durationS]);
      for (const o of trip.orders) {
        const list = byOrder.get(o.id) ?? [];
        list.push([j, 1]);
        byOrder.set(o.id, list);
      }
    });
  });
  for (const o of input.orders) {
    const list = byOrder.get(o.id);
    if (!list) throw new Error(`order ${o.id} cannot be carried by anyone`);
    m.row(list, 1, 1);
  }
  volunteers.forEach((v, vi) => {
    const busy = v.busyUntilS ?? 0;
    const mine = cols.filter((c) => c.v === vi);
    if (mine.length === 0) return;
    const row: Array<[number, number]> = [...(load[vi] ?? []), [C, -1]];
    if (busy > 0) {
      const u = m.col(0, 0, 1, true);
      row.push([u, busy]);
      for (const c of mine)
        m.row(
          [
            [c.j, 1],
            [u, -1],
          ],
          Number.NEGATIVE_INFINITY,
          0,
        );
    }
    m.row(row, Number.NEGATIVE_INFINITY, 0);
    // Deadlines, earliest due date first.
    const dues = [...new Set(mine.map((c) => trips[c.t]?.dueS ?? Infinity))]
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    for (const due of dues) {
      const entries = mine
        .filter((c) => (trips[c.t]?.dueS ?? Infinity) <= due + EPS)
        .map((c) => [c.j, trips[c.t]?.durationS ?? 0] as [number, number]);
      m.row(entries, Number.NEGATIVE_INFINITY, due - busy);
    }
  });
  // Interchangeable volunteers: the earlier id carries at least as much.
  const key = (v: (typeof volunteers)[number]) =>
    `${v.capacityKg}|${[...v.buildingIds].sort().join(',')}|${v.busyUntilS ?? 0}`;
  for (let a = 0; a < volunteers.length; a += 1) {
    const va = volunteers[a];
    if (!va) continue;
    const next = volunteers.findIndex((vb, b) => b > a && key(vb) === key(va));
    if (next < 0) continue;
    m.row(
      [...(load[a] ?? []), ...(load[next] ?? []).map(([j, d]) => [j, -d] as [number, number])],
      0,
      Number.POSITIVE_INFINITY,
    );
  }
  const solved = m.solve(highs, {
    mip_rel_gap: 1e-6,
    mip_abs_gap: 1e-6,
    mip_max_nodes: options.maxNodes ?? 200_000,
    time_limit: options.timeLimitS ?? 600,
    // Fewer cuts kept at the root: these small models prove faster (measured on the set in the bench).
    mip_pool_soft_limit: 100,
    mip_lp_age_limit: 3,
  });
  const proven = solved.status === 'optimal';
  const plan: ExactResult['plan'] = [];
  if (solved.values.length > 0) {
    for (const c of cols) {
      if ((solved.values[c.j] ?? 0) < 0.5) continue;
      const trip = trips[c.t];
      const v = volunteers[c.v];
      if (trip && v)
        plan.push({ volunteerId: v.id, orderIds: trip.orders.map((o) => o.id), durationS: trip.durationS });
    }
  }
  return {
    proven,
    makespanS: Number.isFinite(solved.objective) && plan.length > 0 ? solved.objective : Infinity,
    boundS: solved.bound,
    trips: trips.length,
    nodes: solved.nodes,
    plan,
  };
}
