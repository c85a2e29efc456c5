/**
 * The grid rule (which grids may be shared, from the instance alone) and the exact yardstick of the
 * assignment's own model (bench/assign-exact.ts): it agrees with a brute force on tiny
 * communities, it is never above the solver's max load, and the solver stays within 1 % of it on
 * small districts.
 */
import highsLoader, { type Highs } from 'highs';
import {
  assignGridworkers,
  shareableGridIds,
  weightedLoad,
  type AssignGrid,
  type AssignInput,
  type AssignWorker,
} from '../../core/assign';
import { CITY_DISTRICT, generateDistrict } from '../../bench/assign-district';
import { solveAssignExact } from '../../bench/assign-exact';

let highs: Highs;
beforeAll(async () => {
  highs = await highsLoader();
});

function grid(id: string, loads: number[], special: number[] = []): AssignGrid {
  const buildings = loads.map((households, i) => ({
    id: `${id}-${i + 1}`,
    households,
    specialNeeds: special[i] ?? 0,
  }));
  return {
    id,
    households: loads.reduce((a, b) => a + b, 0),
    residents: 0,
    specialNeeds: buildings.reduce((s, b) => s + b.specialNeeds, 0),
    buildingIds: buildings.map((b) => b.id),
    buildings,
    x: null,
    y: null,
  };
}

function worker(id: string, opts: Partial<AssignWorker> = {}): AssignWorker {
  return {
    id,
    role: 'gridworker',
    capacity: Number.POSITIVE_INFINITY,
    x: null,
    y: null,
    mustGridIds: [],
    mustNotGridIds: [],
    ...opts,
  };
}

/** The model's optimum by brute force: whole grids to one gridworker, shareable ones building by building. */
function bruteForce(input: AssignInput): number {
  const shareable = shareableGridIds(input);
  const units: Array<{ gridId: string; load: number; whole: boolean }> = [];
  for (const g of input.grids) {
    const loads = (g.buildings ?? []).map((b) => weightedLoad(b));
    if (shareable.has(g.id)) for (const l of loads) units.push({ gridId: g.id, load: l, whole: false });
    else units.push({ gridId: g.id, load: loads.reduce((a, b) => a + b, 0), whole: true });
  }
  const ws = input.workers;
  const loads = ws.map(() => 0);
  const holders = new Map<string, Set<number>>();
  let best = Number.POSITIVE_INFINITY;
  const walk = (k: number): void => {
    if (Math.max(...loads) >= best) return;
    const u = units[k];
    if (!u) {
      // Every shared grid has a gridworker among its holders; every must grid is held.
      for (const id of shareable) {
        if (![...(holders.get(id) ?? [])].some((w) => ws[w]!.role === 'gridworker')) return;
      }
      for (let w = 0; w < ws.length; w += 1) {
        for (const m of ws[w]!.mustGridIds) if (!holders.get(m)?.has(w)) return;
        if (loads[w]! > ws[w]!.capacity) return;
      }
      best = Math.max(...loads);
      return;
    }
    for (let w = 0; w < ws.length; w += 1) {
      if (ws[w]!.mustNotGridIds.includes(u.gridId)) continue;
      if (u.whole && ws[w]!.role !== 'gridworker') continue;
      loads[w]! += u.load;
      const set = holders.get(u.gridId) ?? new Set<number>();
      const had = set.has(w);
      set.add(w);
      holders.set(u.gridId, set);
      walk(k + 1);
      if (!had) set.delete(w);
      loads[w]! -= u.load;
    }
  };
  walk(0);
  return best;
}

describe('the grid rule', () => {
  it('lets a grid of one share or more be shared, keeps smaller ones whole', () => {
    // Average 100 per person: G1 (150) is 1.5 shares, G2 (60) 0.6, G3 a single building.
    const input: AssignInput = {
      grids: [grid('G1', [80, 70]), grid('G2', [30, 30]), grid('G3', [90])],
      workers: [worker('A'), worker('B'), worker('C')],
    };
    expect([...shareableGridIds(input)]).toEqual(['G1']);
  });

  it('also shares a grid with one share or more of special-needs residents, and one a group leader must take', () => {
    // Average load 106.7, 3.3 special-needs residents per person: G1 is 0.54 share of load but
    // 1.8 shares of special-needs residents; G2 and G3 are 0.8 / 0.6 shares; G4 0.84.
    const special: AssignInput = {
      grids: [
        grid('G1', [20, 20], [3, 3]),
        grid('G2', [40, 40], [1, 1]),
        grid('G3', [40, 40], [1, 1]),
        grid('G4', [45, 45]),
      ],
      workers: [worker('A'), worker('B'), worker('C')],
    };
    expect([...shareableGridIds(special)]).toEqual(['G1']);
    const leader: AssignInput = {
      ...special,
      workers: [worker('A'), worker('B'), worker('L', { role: 'groupLeader', mustGridIds: ['G4'] })],
    };
    expect(shareableGridIds(leader).has('G4')).toBe(true);
  });

  it('shares the biggest grids too when the group leaders could not be fed otherwise', () => {
    // Average 60; no grid reaches one share, but the leader needs 60 of shared grids and each
    // offers about half of itself: G1 (20), G2 (18), G3 (16), G4 (14).
    const input: AssignInput = {
      grids: [
        grid('G1', [20, 20]),
        grid('G2', [18, 18]),
        grid('G3', [16, 16]),
        grid('G4', [14, 14]),
        grid('G5', [12, 12]),
        grid('G6', [10, 10]),
      ],
      workers: [worker('A'), worker('B'), worker('L', { role: 'groupLeader' })],
    };
    expect([...shareableGridIds(input)].sort()).toEqual(['G1', 'G2', 'G3', 'G4']);
  });

  it('is the rule the solver keeps: only shareable grids are shared', () => {
    const input = generateDistrict({ ...CITY_DISTRICT, grids: 50, gridworkers: 38, groupLeaders: 10, sideM: 3000 });
    const plan = assignGridworkers(input);
    const shareable = shareableGridIds(input);
    for (const [id, holders] of Object.entries(plan.byGrid)) if (holders.length > 1) expect(shareable).toContain(id);
  });
});

describe('the exact yardstick (bench/assign-exact.ts)', () => {
  it('finds the optimum a brute force finds on tiny communities', () => {
    const tiny: AssignInput[] = [
      {
        grids: [grid('G1', [60, 50, 40]), grid('G2', [30, 30]), grid('G3', [70]), grid('G4', [20, 20])],
        workers: [worker('A'), worker('B'), worker('C')],
      },
      {
        grids: [grid('G1', [50, 45, 30]), grid('G2', [35, 25]), grid('G3', [40, 20]), grid('G4', [55])],
        workers: [worker('A'), worker('B', { mustNotGridIds: ['G4'] }), worker('L', { role: 'groupLeader' })],
      },
      {
        grids: [grid('G1', [30, 30, 30, 30]), grid('G2', [25, 15]), grid('G3', [35]), grid('G4', [10, 10])],
        workers: [worker('A', { capacity: 90 }), worker('B'), worker('C', { mustGridIds: ['G3'] })],
      },
    ];
    for (const input of tiny) {
      const exact = solveAssignExact(highs, input);
      expect(exact.proven).toBe(true);
      expect(exact.maxLoad).toBeCloseTo(bruteForce(input), 6);
      expect(assignGridworkers(input).maxLoad).toBeGreaterThanOrEqual(exact.maxLoad - 1e-6);
    }
  });

  it('is never above the solver, which stays within 1 % of it on small districts', () => {
    for (const seed of [3, 7]) {
      const input = generateDistrict({
        ...CITY_DISTRICT,
        seed,
        grids: 12,
        gridworkers: 5,
        groupLeaders: 1,
        sideM: 1500,
      });
      const exact = solveAssignExact(highs, input);
      expect(exact.proven).toBe(true);
      const plan = assignGridworkers(input);
      expect(plan.maxLoad).toBeGreaterThanOrEqual(exact.maxLoad - 1e-6);
      expect(plan.maxLoad).toBeLessThanOrEqual(exact.maxLoad * 1.01);
    }
  });
});
