/**
 * A lower bound on the makespan of ANY dispatch plan, computed from the instance alone (issue 16:
 * a yardstick independent of the plan). It never looks at a planner's trips.
 *
 * The makespan of a plan is the end of the last trip: max over volunteers who carry something of
 * busyUntilS + the durations of their trips (time model in core/dispatch/types.ts). Every order
 * some volunteer can carry is carried (the others are left out of the bound: no plan carries them).
 *
 * Validity (each step is a relaxation, so the result is ≤ the makespan of every feasible plan,
 * the optimum included):
 *
 * 1. Trip duration splits into parts that can be bounded separately, per building b:
 *    duration(t) = F_b + n_t·(pickupS + doorS) + vertical(t), with F_b = tripOverheadS + 2·distance/walk.
 *    Every trip to b is carried by a volunteer eligible for b, so it weighs ≤ Q_b, the largest
 *    capacity among them.
 *    - Trips: the orders of b (W_b kg) need at least ceil(W_b / Q_b) trips, each paying F_b.
 *    - Doors: every order is carried once: n_b·(pickupS + doorS) in total.
 *    - Climbing: the orders on floors ≥ h (W_≥h kg) ride in trips whose top floor is ≥ h, at least
 *      ceil(W_≥h / Q_b) of them. Σ_t (top_t − 1) = Σ_{h≥2} #{t : top_t ≥ h} ≥ Σ_{h≥2} ceil(W_≥h / Q_b).
 *      A walk-up trip climbs and descends (top − 1) floors: (stairUp + stairDown)·(top − 1).
 *      A lift trip rides 2·(top − 1) floors (liftPerFloorS each), waits once per floor it stops at
 *      above the ground — floor f (W_f kg) is stopped at by ≥ ceil(W_f / Q_b) trips — and once more
 *      for the ride down when top ≥ 2 (≥ ceil(W_≥2 / Q_b) trips).
 *    Summing gives WORK ≤ the total trip time of any plan.
 * 2. A volunteer v who carries anything ends at busy_v + work_v ≤ C (the makespan), so
 *    Σ_v max(0, C − busy_v) ≥ Σ_v work_v ≥ WORK. The least C meeting this (the function is
 *    increasing in C) is a bound. The same holds for any set of buildings and the volunteers
 *    allowed in at least one of them (their work is done by those only): each grid's volunteers
 *    get the bound too.
 * 3. The trip carrying order o lasts at least a trip with o alone (a trip only grows with more
 *    orders: more doors, floors at least as high, at least as many stops), and its volunteer starts
 *    it no earlier than their busyUntilS: C ≥ min over eligible v of busy_v + tripTime({o}).
 *
 * The bound is the largest of these. It is tested ≤ the proven optimum (whole-problem MIP) on small
 * instances and ≤ the planner's makespan on every benchmark cell (test/core/dispatch-bounds.test.ts).
 */
import type { Highs } from 'highs';
import { dispatchParams, tripTimeS } from '../core/dispatch/time-model';
import type { DispatchBuilding, DispatchInput, DispatchOrder, DispatchVolunteer } from '../core/dispatch/types';
import { ModelBuilder } from './highs-model';

const EPS = 1e-9;

function eligible(v: DispatchVolunteer, b: DispatchBuilding, weightKg = 0): boolean {
  return (
    v.capacityKg > 0 && v.capacityKg + EPS >= weightKg && (v.buildingIds.length === 0 || v.buildingIds.includes(b.id))
  );
}

function trips(kg: number, capacityKg: number): number {
  return kg > EPS ? Math.ceil(kg / capacityKg - 1e-7) : 0;
}

/** The least total trip time the orders of one building can take (step 1 of the proof). */
export function buildingWork(
  orders: readonly DispatchOrder[],
  b: DispatchBuilding,
  capacityKg: number,
  input: DispatchInput,
): number {
  const p = dispatchParams(input.params);
  if (orders.length === 0) return 0;
  const total = orders.reduce((s, o) => s + o.weightKg, 0);
  let work = trips(total, capacityKg) * (p.tripOverheadS + (2 * b.distanceM) / p.walkMps);
  work += orders.length * (p.pickupS + p.doorS);
  const top = Math.max(...orders.map((o) => Math.max(1, o.floor)));
  const atFloor = new Array<number>(top + 1).fill(0);
  for (const o of orders) {
    const f = Math.max(1, o.floor);
    atFloor[f] = (atFloor[f] ?? 0) + o.weightKg;
  }
  // Σ_{h≥2} ceil(W_≥h / Q): trips whose top floor is at least h, over h.
  let above = 0;
  let climbs = 0;
  let stops = 0;
  for (let h = top; h >= 2; h -= 1) {
    above += atFloor[h] ?? 0;
    climbs += trips(above, capacityKg);
    stops += trips(atFloor[h] ?? 0, capacityKg);
  }
  if (b.hasLift) work += p.liftWaitS * (stops + trips(above, capacityKg)) + 2 * p.liftPerFloorS * climbs;
  else work += (p.stairUpPerFloorS + p.stairDownPerFloorS) * climbs;
  return work;
}

/** The least C with Σ_v max(0, C − busy_v) ≥ work (step 2). */
function spread(work: number, busy: readonly number[]): number {
  if (work <= 0 || busy.length === 0) return 0;
  const sorted = [...busy].sort((a, b) => a - b);
  let sum = 0;
  for (let k = 0; k < sorted.length; k += 1) {
    sum += sorted[k] ?? 0;
    const c = (work + sum) / (k + 1);
    const next = sorted[k + 1];
    if (next === undefined || c <= next) return c;
  }
  return (work + sum) / sorted.length;
}

export interface DispatchBound {
  /** The bound, seconds. */
  boundS: number;
  /** Its parts: total work over everyone, the worst group of buildings, the worst single order. */
  workS: number;
  groupS: number;
  orderS: number;
}

/** The plan-independent lower bound on the makespan (see the header for the proof). */
export function makespanLowerBound(input: DispatchInput): DispatchBound {
  const p = dispatchParams(input.params);
  const volunteers = input.volunteers.filter((v) => v.capacityKg > 0);
  const workOf = new Map<string, number>();
  let orderS = 0;
  for (const b of input.buildings) {
    const carriers = volunteers.filter((v) => eligible(v, b));
    if (carriers.length === 0) continue;
    const orders = input.orders.filter(
      (o) => o.buildingId === b.id && o.weightKg > 0 && carriers.some((v) => eligible(v, b, o.weightKg)),
    );
    if (orders.length === 0) continue;
    const q = Math.max(...carriers.map((v) => v.capacityKg));
    workOf.set(b.id, buildingWork(orders, b, q, input));
    for (const o of orders) {
      const alone = tripTimeS([o], b, p);
      const start = Math.min(...carriers.filter((v) => eligible(v, b, o.weightKg)).map((v) => v.busyUntilS ?? 0));
      orderS = Math.max(orderS, start + alone);
    }
  }
  const busyOf = (vs: readonly DispatchVolunteer[]) => vs.map((v) => v.busyUntilS ?? 0);
  const total = [...workOf.values()].reduce((s, w) => s + w, 0);
  const workS = spread(total, busyOf(volunteers));
  // Groups: the buildings a restricted volunteer may serve (their grid), with everyone allowed in one of them.
  let groupS = 0;
  const groups = new Set(
    volunteers.filter((v) => v.buildingIds.length > 0).map((v) => [...v.buildingIds].sort().join('|')),
  );
  for (const key of groups) {
    const ids = new Set(key.split('|'));
    // Buildings OUTSIDE the group: only volunteers allowed somewhere outside it can do that work.
    const outside = input.buildings.filter((b) => !ids.has(b.id) && workOf.has(b.id));
    const work = outside.reduce((s, b) => s + (workOf.get(b.id) ?? 0), 0);
    const able = volunteers.filter((v) => outside.some((b) => eligible(v, b)));
    groupS = Math.max(groupS, spread(work, busyOf(able)));
  }
  return { boundS: Math.max(workS, groupS, orderS), workS, groupS, orderS };
}

/**
 * The same bound made finer with each volunteer's own capacity (a linear programme solved by
 * HiGHS; still from the instance alone, no plan involved). Variables: z[v,o] ∈ [0, 1], the share
 * of order o carried by v (only where v may serve o's building and can lift o); per (v, b) the
 * numbers of trips, floors climbed, lift stops and rides down v makes there.
 *
 * Validity: take any plan of makespan C and set z[v,o] = 1 if v carries o, the counts to those
 * of v's trips. With x[v,b,f] = Σ_{o on floor f of b} w_o·z[v,o] (kg), W[b,f] the kg of floor f
 * and W[b,≥h] of the floors ≥ h:
 * - every order is carried once: Σ_v z[v,o] = 1;
 * - v's trips to b each weigh ≤ cap_v, and v makes at least one if it carries anything there
 *   (x ≤ W, so x / min(W, cap_v) ≤ 1 then): trips[v,b] ≥ Σ_f x[v,b,f] / min(W[b], cap_v);
 * - likewise the trips of v reaching floor h carry v's kg of floors ≥ h:
 *   #{v's trips with top ≥ h} ≥ x[v,b,≥h] / min(W[b,≥h], cap_v), and summing over h ≥ 2,
 *   climbs[v,b] = Σ_t (top_t − 1) ≥ Σ_f x[v,b,f]·Σ_{h=2..f} 1 / min(W[b,≥h], cap_v);
 * - a lift stops at floor f in ≥ x[v,b,f] / min(W[b,f], cap_v) of v's trips, and v rides down
 *   after ≥ x[v,b,≥2] / min(W[b,≥2], cap_v) of them;
 * - over all volunteers, the rounded-up totals of step 1 hold (Q_b ≥ every cap_v);
 * - v's time busy_v + (pickupS + doorS)·Σ_o z[v,o] + Σ_b (F_b·trips + climb_b·climbs +
 *   liftWaitS·(stops + rides)) is ≤ C when v carries something; when v carries nothing it is
 *   busy_v, which is replaced by min(busy_v, L) with L ≤ C a valid bound, so the row holds anyway.
 * Every plan is thus a feasible point, and the LP optimum is ≤ its makespan.
 */
export function lpLowerBound(highs: Highs, input: DispatchInput): number {
  const p = dispatchParams(input.params);
  const base = makespanLowerBound(input);
  const volunteers = input.volunteers.filter((v) => v.capacityKg > 0);
  const m = new ModelBuilder();
  const C = m.col(1);
  const time: Array<Array<[number, number]>> = volunteers.map(() => [[C, -1]]);
  const perDoor = p.pickupS + p.doorS;
  const plus = Number.POSITIVE_INFINITY;
  for (const b of input.buildings) {
    const carriers = volunteers.map((v, i) => ({ v, i })).filter(({ v }) => eligible(v, b));
    const orders = input.orders.filter(
      (o) => o.buildingId === b.id && o.weightKg > 0 && carriers.some(({ v }) => eligible(v, b, o.weightKg)),
    );
    if (orders.length === 0) continue;
    const q = Math.max(...carriers.map(({ v }) => v.capacityKg));
    const floorOf = (o: DispatchOrder) => Math.max(1, o.floor);
    const kgAt = new Map<number, number>();
    for (const o of orders) kgAt.set(floorOf(o), (kgAt.get(floorOf(o)) ?? 0) + o.weightKg);
    const floors = [...kgAt.keys()].sort((a, c) => a - c);
    const total = [...kgAt.values()].reduce((sum, w) => sum + w, 0);
    const atOrAbove = new Map<number, number>();
    let running = 0;
    for (let k = floors.length - 1; k >= 0; k -= 1) {
      running += kgAt.get(floors[k] ?? 1) ?? 0;
      atOrAbove.set(floors[k] ?? 1, running);
    }
    const aboveGround = atOrAbove.get(floors.find((f) => f > 1) ?? -1) ?? 0;
    const fixed = p.tripOverheadS + (2 * b.distanceM) / p.walkMps;
    const perFloor = b.hasLift ? 2 * p.liftPerFloorS : p.stairUpPerFloorS + p.stairDownPerFloorS;
    const cover = new Map(orders.map((o) => [o, [] as Array<[number, number]>]));
    const totals = {
      trips: [] as Array<[number, number]>,
      climbs: [] as Array<[number, number]>,
      stops: [] as Array<[number, number]>,
      rides: [] as Array<[number, number]>,
    };
    for (const { v, i } of carriers) {
      const per = (kg: number) => 1 / Math.min(kg, v.capacityKg);
      // reach[f] = Σ_{h=2..f} 1 / min(W[b,≥h], cap_v); floors between two with orders share W[b,≥h].
      const reach = new Map<number, number>();
      let acc = 0;
      let prev = 1;
      for (const f of floors) {
        if (f > 1) acc += (f - prev) * per(atOrAbove.get(f) ?? 0);
        prev = Math.max(prev, f);
        reach.set(f, acc);
      }
      const trips = m.col(0);
      const climbs = m.col(0);
      const stops = b.hasLift ? m.col(0) : -1;
      const rides = b.hasLift ? m.col(0) : -1;
      const tripRow: Array<[number, number]> = [[trips, 1]];
      const climbRow: Array<[number, number]> = [[climbs, 1]];
      const stopRow: Array<[number, number]> = [[stops, 1]];
      const rideRow: Array<[number, number]> = [[rides, 1]];
      const row = time[i] ?? [];
      for (const o of orders) {
        if (!eligible(v, b, o.weightKg)) continue;
        const z = m.col(0, 0, 1);
        const f = floorOf(o);
        cover.get(o)?.push([z, 1]);
        row.push([z, perDoor]);
        tripRow.push([z, -o.weightKg * per(total)]);
        if (f > 1) {
          climbRow.push([z, -o.weightKg * (reach.get(f) ?? 0)]);
          stopRow.push([z, -o.weightKg * per(kgAt.get(f) ?? 0)]);
          rideRow.push([z, -o.weightKg * per(aboveGround)]);
        }
      }
      m.row(tripRow, 0, plus);
      m.row(climbRow, 0, plus);
      totals.trips.push([trips, 1]);
      totals.climbs.push([climbs, 1]);
      row.push([trips, fixed], [climbs, perFloor]);
      if (b.hasLift) {
        m.row(stopRow, 0, plus);
        m.row(rideRow, 0, plus);
        totals.stops.push([stops, 1]);
        totals.rides.push([rides, 1]);
        row.push([stops, p.liftWaitS], [rides, p.liftWaitS]);
      }
    }
    for (const entries of cover.values()) m.row(entries, 1, 1);
    // The rounded-up totals of step 1.
    let above = 0;
    let climbs = 0;
    let stops = 0;
    for (let k = floors.length - 1; k >= 0; k -= 1) {
      const f = floors[k] ?? 1;
      if (f < 2) continue;
      above += kgAt.get(f) ?? 0;
      climbs += trips(above, q) * (f - Math.max(floors[k - 1] ?? 1, 1));
      stops += trips(kgAt.get(f) ?? 0, q);
    }
    m.row(totals.trips, trips(total, q), plus);
    m.row(totals.climbs, climbs, plus);
    if (b.hasLift) {
      m.row(totals.stops, stops, plus);
      m.row(totals.rides, trips(above, q), plus);
    }
  }
  volunteers.forEach((v, i) =>
    m.row(time[i] ?? [], Number.NEGATIVE_INFINITY, -Math.min(v.busyUntilS ?? 0, base.boundS)),
  );
  // Interior point without crossover: fast at 1,000 orders; its objective is exact to the solver's
  // tolerance (1e-8 relative), which the 1e-6 margin below absorbs.
  const solved = m.solve(highs, { solver: 'ipm', run_crossover: 'off' });
  if (solved.status !== 'optimal') throw new Error(`LP bound not solved: ${solved.status}`);
  return Math.max(base.boundS, solved.objective * (1 - 1e-6));
}
