/**
 * The dispatch yardsticks independent of the plan (issue 16): the instance-only lower bound and
 * the exact MIP of the whole problem. Validity: bound ≤ optimum ≤ any feasible plan (the
 * planner's and the baselines'), and the MIP agrees with a brute force on tiny instances.
 */
import highsLoader, { type Highs } from 'highs';
import { planDispatch, tripTiming } from '../../core/dispatch';
import { planFirstCome, planNearestGreedy } from '../../core/dispatch/baselines';
import { generateInstance } from '../../core/dispatch/instances';
import type { DispatchBuilding, DispatchInput, DispatchOrder, DispatchVolunteer } from '../../core/dispatch/types';
import { lpLowerBound, makespanLowerBound } from '../../bench/dispatch-bound';
import { enumerateTrips, solveExact } from '../../bench/dispatch-exact';

let highs: Highs;
beforeAll(async () => {
  highs = await highsLoader();
});

const lift: DispatchBuilding = { id: 'b1', distanceM: 200, floors: 20, hasLift: true };
const stairs: DispatchBuilding = { id: 'b2', distanceM: 100, floors: 6, hasLift: false };

function order(id: string, buildingId: string, floor: number, weightKg: number, extra: Partial<DispatchOrder> = {}) {
  return { id, buildingId, floor, weightKg, priority: false, medicine: false, deadlineS: null, placedAtS: 0, ...extra };
}

function volunteer(id: string, capacityKg: number, busyUntilS = 0, buildingIds: string[] = []): DispatchVolunteer {
  return { id, capacityKg, buildingIds, busyUntilS };
}

/**
 * The optimum by brute force, independent of the MIP: every order goes into an open trip of its
 * building on some volunteer (room permitting) or opens a new one; each volunteer runs its trips
 * with deadlines earliest-due first; the least makespan over all plans that keep every deadline.
 */
function bruteForce(input: DispatchInput): number {
  const vols = input.volunteers;
  const buildings = new Map(input.buildings.map((b) => [b.id, b]));
  const trips: Array<{ v: number; orders: DispatchOrder[]; kg: number }> = [];
  let best = Infinity;
  const evaluate = (): void => {
    let makespan = 0;
    for (let v = 0; v < vols.length; v += 1) {
      const mine = trips.filter((t) => t.v === v);
      if (mine.length === 0) continue;
      const timed = mine.map((t) => {
        const b = buildings.get(t.orders[0]?.buildingId ?? '') as DispatchBuilding;
        const timing = tripTiming(t.orders, b, undefined);
        let latest = Infinity;
        t.orders.forEach((o, i) => {
          if (o.deadlineS !== null) latest = Math.min(latest, o.deadlineS - (timing.deliverOffsetsS[i] ?? 0));
        });
        return { d: timing.durationS, latest };
      });
      timed.sort((a, b) => a.latest + a.d - (b.latest + b.d));
      let t = vols[v]?.busyUntilS ?? 0;
      for (const x of timed) {
        if (t > x.latest + 1e-9) return;
        t += x.d;
      }
      makespan = Math.max(makespan, t);
    }
    best = Math.min(best, makespan);
  };
  const walk = (k: number): void => {
    const o = input.orders[k];
    if (!o) {
      evaluate();
      return;
    }
    for (const t of trips) {
      const cap = vols[t.v]?.capacityKg ?? 0;
      if (t.orders[0]?.buildingId !== o.buildingId || t.kg + o.weightKg > cap + 1e-9) continue;
      t.orders.push(o);
      t.kg += o.weightKg;
      walk(k + 1);
      t.orders.pop();
      t.kg -= o.weightKg;
    }
    vols.forEach((v, i) => {
      if (v.capacityKg < o.weightKg || (v.buildingIds.length > 0 && !v.buildingIds.includes(o.buildingId))) return;
      trips.push({ v: i, orders: [o], kg: o.weightKg });
      walk(k + 1);
      trips.pop();
    });
  };
  walk(0);
  return best;
}

describe('the whole-problem MIP (bench/dispatch-exact.ts)', () => {
  it('enumerates every trip of one building within the largest capacity', () => {
    const input: DispatchInput = {
      buildings: [lift],
      volunteers: [volunteer('v1', 10)],
      orders: [order('a', 'b1', 3, 4), order('b', 'b1', 5, 4), order('c', 'b1', 9, 4)],
    };
    // Subsets of three 4 kg orders within 10 kg: the three singles and the three pairs.
    expect(enumerateTrips(input).map((t) => t.orders.map((o) => o.id).join(''))).toEqual(
      expect.arrayContaining(['a', 'b', 'c', 'ab', 'ac', 'bc']),
    );
    expect(enumerateTrips(input)).toHaveLength(6);
  });

  it('finds the optimum a brute force finds, deadlines and busy volunteers included', () => {
    const tiny: DispatchInput[] = [
      {
        buildings: [lift, stairs],
        volunteers: [volunteer('v1', 10), volunteer('v2', 14, 300)],
        orders: [
          order('a', 'b1', 12, 3),
          order('b', 'b1', 18, 4),
          order('c', 'b1', 2, 5),
          order('d', 'b2', 6, 2),
          order('e', 'b2', 3, 6),
        ],
      },
      {
        // A deadline that only the earliest trip of the idle volunteer can keep.
        buildings: [lift, stairs],
        volunteers: [volunteer('v1', 12), volunteer('v2', 12, 600)],
        orders: [
          order('a', 'b1', 15, 3, { medicine: true, deadlineS: 400 }),
          order('b', 'b1', 16, 4),
          order('c', 'b2', 4, 5),
          order('d', 'b2', 5, 5),
          order('e', 'b1', 3, 2, { priority: true }),
        ],
      },
      generateInstance({ households: 100, volunteers: 2, seed: 9, orders: 6 }),
    ];
    // The deadline binds: without it the optimum is lower.
    const second = tiny[1] as DispatchInput;
    const free = { ...second, orders: second.orders.map((o) => ({ ...o, deadlineS: null })) };
    expect(bruteForce(free)).toBeLessThan(bruteForce(second) - 1);
    for (const input of tiny) {
      const exact = solveExact(highs, input);
      expect(exact.proven).toBe(true);
      expect(exact.makespanS).toBeCloseTo(bruteForce(input), 3);
      // Its plan carries every order once and keeps capacities.
      const carried = exact.plan.flatMap((t) => t.orderIds).sort();
      expect(carried).toEqual(input.orders.map((o) => o.id).sort());
    }
  });

  it('is below the planner and the baselines, and above the lower bounds, on small instances', () => {
    for (const spec of [
      { households: 100, volunteers: 2, seed: 2, orders: 10 },
      { households: 100, volunteers: 2, seed: 4, orders: 10 },
      { households: 100, volunteers: 3, seed: 3, orders: 14 },
    ] as const) {
      const input = generateInstance(spec);
      const exact = solveExact(highs, input);
      expect(exact.proven).toBe(true);
      for (const plan of [planDispatch(input), planFirstCome(input), planNearestGreedy(input)]) {
        expect(exact.makespanS).toBeLessThanOrEqual(plan.makespanS + 1e-6);
      }
      expect(makespanLowerBound(input).boundS).toBeLessThanOrEqual(exact.makespanS + 1e-6);
      expect(lpLowerBound(highs, input)).toBeLessThanOrEqual(exact.makespanS + 1e-6);
    }
  });
});

describe('the plan-independent lower bound (bench/dispatch-bound.ts)', () => {
  it('counts the trips capacity forces, the climb and the doors of a single building', () => {
    // 12 kg on floors 3 and 6 of a walk-up with a 10 kg volunteer: ≥ 2 trips; floors ≥ 2..3 carry
    // 12 kg (2 trips reach them), floors 4..6 carry 6 kg (1 trip): 2·2 + 3·1 = 7 floors climbed.
    const input: DispatchInput = {
      buildings: [stairs],
      volunteers: [volunteer('v1', 10)],
      orders: [order('a', 'b2', 3, 6), order('b', 'b2', 6, 6)],
    };
    const fixed = 60 + (2 * 100) / 1.2;
    expect(makespanLowerBound(input).workS).toBeCloseTo(2 * fixed + 2 * 40 + 7 * 23, 6);
    // The true optimum here: two trips (6 kg + 6 kg ≤ 10 kg is false), top floors 3 and 6.
    expect(makespanLowerBound(input).boundS).toBeLessThanOrEqual(bruteForce(input) + 1e-6);
  });

  it('stays below every plan the planner and the baselines make, on the benchmark cells', () => {
    for (const households of [100, 300, 'tower'] as const) {
      for (const volunteers of [5, 20, 50]) {
        const input = generateInstance({ households, volunteers, seed: 4 });
        const simple = makespanLowerBound(input).boundS;
        const lp = lpLowerBound(highs, input);
        expect(lp).toBeGreaterThanOrEqual(simple - 1e-6);
        for (const plan of [planDispatch(input), planFirstCome(input), planNearestGreedy(input)]) {
          expect(lp).toBeLessThanOrEqual(plan.makespanS + 1e-6);
        }
      }
    }
  });
});
