import {
  assignGridworkers,
  weightedLoad,
  type AssignGrid,
  type AssignInput,
  type AssignPlan,
  type AssignWorker,
} from '../../core/assign';
import { CITY_DISTRICT, generateDistrict } from '../../bench/assign-district';
import { pick, randInt, seededRng } from '../../core/random';

function grid(id: string, loads: number[], opts: Partial<AssignGrid> = {}): AssignGrid {
  const buildings = loads.map((households, i) => ({ id: `${id}-${i + 1}`, households, specialNeeds: 0 }));
  return {
    id,
    households: loads.reduce((a, b) => a + b, 0),
    residents: 0,
    specialNeeds: 0,
    buildingIds: buildings.map((b) => b.id),
    buildings,
    x: null,
    y: null,
    ...opts,
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

/** Every building of every grid is in exactly one part, or listed uncovered. */
function expectEveryBuildingOnce(input: AssignInput, plan: AssignPlan): void {
  for (const g of input.grids) {
    const held = plan.parts.filter((p) => p.gridId === g.id).flatMap((p) => p.buildingIds);
    const missing = plan.uncovered.filter((u) => u.gridId === g.id).flatMap((u) => u.buildingIds);
    expect([...held, ...missing].sort()).toEqual([...g.buildingIds].sort());
    expect(new Set(held).size).toBe(held.length);
  }
}

/** The least possible max load, by trying every building → worker assignment (tiny instances only). */
function bruteForceMaxLoad(loads: number[], workers: number): number {
  let best = Number.POSITIVE_INFINITY;
  const sums = new Array<number>(workers).fill(0);
  const walk = (i: number) => {
    if (i === loads.length) {
      best = Math.min(best, Math.max(...sums));
      return;
    }
    for (let w = 0; w < workers; w += 1) {
      sums[w]! += loads[i]!;
      if (sums[w]! < best) walk(i + 1);
      sums[w]! -= loads[i]!;
    }
  };
  walk(0);
  return best;
}

describe('gridworker assignment', () => {
  const district = generateDistrict(CITY_DISTRICT);
  const districtPlan = assignGridworkers(district);
  // A quarter of it for the tests that re-run the assignment.
  const town = generateDistrict({ ...CITY_DISTRICT, grids: 50, gridworkers: 38, groupLeaders: 10, sideM: 3000 });
  const townPlan = assignGridworkers(town);

  it('weighs special-needs residents more than households', () => {
    expect(weightedLoad({ households: 100, specialNeeds: 0 })).toBe(100);
    expect(weightedLoad({ households: 100, specialNeeds: 10 })).toBe(130);
    expect(weightedLoad({ households: 100, residents: 250, specialNeeds: 10 }, { resident: 0.2, specialNeed: 5 })).toBe(
      200,
    );
  });

  it('covers every building of every grid exactly once, whole buildings only', () => {
    expectEveryBuildingOnce(district, districtPlan);
    expect(districtPlan.uncovered).toEqual([]);
    // A worker's load is exactly the sum of the whole buildings they hold.
    const loadOf = new Map(
      district.grids.flatMap((g) => (g.buildings ?? []).map((b) => [`${g.id}/${b.id}`, weightedLoad(b)] as const)),
    );
    for (const p of districtPlan.parts) {
      const sum = p.buildingIds.reduce((s, b) => s + loadOf.get(`${p.gridId}/${b}`)!, 0);
      expect(p.load).toBeCloseTo(sum, 6);
    }
    for (const [id, wp] of Object.entries(districtPlan.byWorker)) {
      const sum = districtPlan.parts.filter((p) => p.workerId === id).reduce((s, p) => s + p.load, 0);
      expect(wp.load).toBeCloseTo(sum, 6);
    }
  });

  it('balances load and special-needs residents in a city district (max/min ≤ 1.2 both)', () => {
    expect(districtPlan.loadMaxMin).not.toBeNull();
    expect(districtPlan.loadMaxMin!).toBeLessThanOrEqual(1.2);
    expect(districtPlan.specialLoadMaxMin!).toBeLessThanOrEqual(1.2);
    // Splits stay few: a grid is shared by a handful of people at most.
    for (const ids of Object.values(districtPlan.byGrid)) expect(ids.length).toBeLessThanOrEqual(8);
  });

  it('keeps grids whole in a city district: only those too big for one share, or needed for balance, are shared', () => {
    const loads = new Map(
      district.grids.map((g) => [g.id, (g.buildings ?? []).reduce((sum, b) => sum + weightedLoad(b), 0)] as const),
    );
    const average = districtPlan.averageLoad;
    const averageSpecial = district.grids.reduce((sum, g) => sum + g.specialNeeds, 0) / district.workers.length;
    const shared = district.grids.filter((g) => districtPlan.byGrid[g.id]!.length > 1);
    // A grid above 1.2 shares (load or special-needs residents) cannot be held whole at max/min ≤ 1.2.
    const forced = district.grids.filter(
      (g) => loads.get(g.id)! > 1.2 * average || g.specialNeeds > 1.2 * averageSpecial,
    );
    for (const g of forced) expect(shared).toContain(g);
    // That floor is 34.5 % of this district's grids; the plan stays near it (the previous solver shared 91.5 %).
    expect(forced.length / district.grids.length).toBeGreaterThan(0.3);
    expect(shared.length).toBeLessThanOrEqual(Math.ceil(1.4 * forced.length));
    expect(shared.length / district.grids.length).toBeLessThanOrEqual(0.5);
    // No grid below 0.9 shares of load is cut, but where a group leader must take it (a gridworker
    // then leads it too) or where it is far denser in special-needs residents than the average
    // (> 1.25 ×, and ≥ 0.6 share of them): held whole, it would push its holder's count beyond 1.2.
    const leaderMust = new Set(district.workers.filter((w) => w.role === 'groupLeader').flatMap((w) => w.mustGridIds));
    const dense = (g: AssignGrid) =>
      g.specialNeeds >= 0.6 * averageSpecial && g.specialNeeds / averageSpecial > 1.25 * (loads.get(g.id)! / average);
    const small = shared.filter((g) => loads.get(g.id)! < 0.9 * average);
    for (const g of small) expect(`${g.id} ${leaderMust.has(g.id) || dense(g)}`).toBe(`${g.id} true`);
    expect(small.length).toBeLessThanOrEqual(0.05 * district.grids.length);
    // Most people answer for one or two grids.
    const perWorker = Object.values(districtPlan.byWorker).map((w) => w.gridIds.length);
    expect(perWorker.filter((n) => n <= 2).length / perWorker.length).toBeGreaterThanOrEqual(0.9);
  });

  it('gives every grid a gridworker as its lead when gridworkers are plenty', () => {
    const roles = new Map(district.workers.map((w) => [w.id, w.role]));
    for (const g of district.grids) expect(roles.get(districtPlan.leadByGrid[g.id]!)).toBe('gridworker');
  });

  it('explains every grid in Chinese, naming who holds it', () => {
    for (const g of district.grids) {
      const reason = districtPlan.reasons[g.id]!;
      expect(reason).toMatch(/负荷/);
      for (const id of districtPlan.byGrid[g.id]!) expect(reason).toContain(id);
    }
  });

  it('is deterministic for the same input', () => {
    const again = assignGridworkers(
      generateDistrict({ ...CITY_DISTRICT, grids: 50, gridworkers: 38, groupLeaders: 10, sideM: 3000 }),
    );
    expect(JSON.stringify(again)).toBe(JSON.stringify(townPlan));
  });

  // Changed with grids kept whole (网格员包网格): the building-level optimum (135) needs G5 cut too;
  // the solver cuts only G1, the one grid bigger than 1.1 shares, and reaches the optimum of that.
  it('reaches the optimum max load among plans that keep the small grids whole', () => {
    const loads = [[60, 50, 40], [30, 30], [70], [20, 20], [45, 35]];
    const input: AssignInput = {
      grids: loads.map((l, i) => grid(`G${i + 1}`, l)),
      workers: [worker('A'), worker('B'), worker('C')],
    };
    const plan = assignGridworkers(input);
    expect(bruteForceMaxLoad(loads.flat(), 3)).toBe(135); // any cut: 400 / 3, in steps of 5
    expect(
      Object.entries(plan.byGrid)
        .filter(([, ids]) => ids.length > 1)
        .map(([id]) => id),
    ).toEqual(['G1']);
    // Units: G1's buildings one by one, every other grid whole.
    const units = [...loads[0]!, ...loads.slice(1).map((l) => l.reduce((a, b) => a + b, 0))];
    const optimum = bruteForceMaxLoad(units, 3);
    expect(optimum).toBe(140);
    expect(plan.maxLoad).toBe(optimum);
    expectEveryBuildingOnce(input, plan);
  });

  it('keeps a small grid whole when balance does not need a split', () => {
    const input: AssignInput = {
      grids: [grid('G1', [50, 50]), grid('G2', [40, 60])],
      workers: [worker('A', { x: 0, y: 0 }), worker('B', { x: 1000, y: 0 })],
    };
    input.grids[0]!.x = 0;
    input.grids[0]!.y = 0;
    input.grids[1]!.x = 1000;
    input.grids[1]!.y = 0;
    const plan = assignGridworkers(input);
    // Each grid goes whole to the worker living in it.
    expect(plan.byGrid).toEqual({ G1: ['A'], G2: ['B'] });
    expect(plan.loadMaxMin).toBe(1);
    expect(plan.reasons.G1).toContain('整个网格');
  });

  it('honours must and must-not grids', () => {
    const workers = town.workers.map((w) => ({
      ...w,
      mustGridIds: [...w.mustGridIds],
      mustNotGridIds: [...w.mustNotGridIds],
    }));
    workers[0]!.mustGridIds = ['G045'];
    workers[1]!.mustNotGridIds = town.grids.slice(0, 40).map((g) => g.id);
    const input = { ...town, workers };
    const plan = assignGridworkers(input);
    for (const w of workers) {
      const held = plan.byWorker[w.id]!.gridIds;
      for (const g of w.mustGridIds) expect(held).toContain(g);
      for (const g of w.mustNotGridIds) expect(held).not.toContain(g);
    }
    expectEveryBuildingOnce(input, plan);
  });

  it('gives a must grid to its person even when someone else lives nearer', () => {
    const input: AssignInput = {
      grids: [grid('G1', [100, 100], { x: 0, y: 0 }), grid('G2', [100, 100], { x: 5000, y: 0 })],
      workers: [worker('A', { x: 0, y: 0, mustGridIds: ['G2'] }), worker('B', { x: 5000, y: 0 })],
    };
    const plan = assignGridworkers(input);
    expect(plan.byWorker.A!.gridIds).toContain('G2');
    expect(plan.reasons.G2).toContain('按要求必须负责');
    expect(plan.warnings).toEqual([]);
    expect(plan.loadMaxMin).toBe(1);
  });

  it('never exceeds a capacity, and lists what nobody can take with a reason', () => {
    const input: AssignInput = {
      grids: [grid('G1', [100, 100]), grid('G2', [100, 100]), grid('G3', [80])],
      workers: [
        worker('A', { capacity: 250 }),
        worker('B', { capacity: 150 }),
        worker('C', { mustNotGridIds: ['G3'], capacity: 100 }),
      ],
    };
    const plan = assignGridworkers(input);
    for (const w of input.workers) expect(plan.byWorker[w.id]!.load).toBeLessThanOrEqual(w.capacity);
    expectEveryBuildingOnce(input, plan);
    // 480 of work, 500 of capacity but whole buildings of 100 and 80: one building cannot fit.
    expect(plan.uncovered).toHaveLength(1);
    expect(plan.uncovered[0]!.reason).toMatch(/容量已满/);
    expect(plan.reasons[plan.uncovered[0]!.gridId]).toContain(plan.uncovered[0]!.reason);
  });

  it('reports a grid nobody may take as uncovered, with why', () => {
    const input: AssignInput = {
      grids: [grid('G1', [100]), grid('G2', [100])],
      workers: [worker('A', { mustNotGridIds: ['G2'] }), worker('B', { mustNotGridIds: ['G2'] })],
    };
    const plan = assignGridworkers(input);
    expect(plan.uncovered).toEqual([{ gridId: 'G2', buildingIds: ['G2-1'], reason: expect.stringMatching(/排除/) }]);
    expect(plan.byGrid.G2).toEqual([]);
  });

  it('keeps pins when re-run and re-solves the rest', () => {
    const first = townPlan;
    const pinnedParts = first.parts.filter((_, i) => i % 7 === 0);
    const pinned = pinnedParts.map((p) => ({ gridId: p.gridId, workerId: p.workerId, buildingIds: p.buildingIds }));
    // Something changed since: a gridworker left, two joined.
    const leaving = town.workers.find((w) => !pinnedParts.some((p) => p.workerId === w.id))!;
    const workers = [
      ...town.workers.filter((w) => w.id !== leaving.id),
      worker('N1', { x: 100, y: 100 }),
      worker('N2', { x: 2500, y: 2500 }),
    ];
    const input = { ...town, workers, pinned };
    const plan = assignGridworkers(input);
    for (const p of pinnedParts) {
      const now = plan.parts.find((q) => q.gridId === p.gridId && q.workerId === p.workerId)!;
      expect(now.buildingIds).toEqual(expect.arrayContaining(p.buildingIds));
    }
    expect(plan.byWorker[leaving.id]).toBeUndefined();
    expect(plan.byWorker.N1!.load).toBeGreaterThan(0);
    expectEveryBuildingOnce(input, plan);
    expect(plan.loadMaxMin!).toBeLessThanOrEqual(1.2);
  });

  it('gives a grid pinned without buildings to the pinned people only', () => {
    const input: AssignInput = {
      grids: [grid('G1', [100, 100, 100, 100]), grid('G2', [100, 100, 100, 100])],
      workers: [worker('A'), worker('B'), worker('C'), worker('D')],
      pinned: [{ gridId: 'G1', workerId: 'C' }],
    };
    const plan = assignGridworkers(input);
    expect(plan.byGrid.G1).toEqual(['C']);
    expect(plan.reasons.G1).toContain('管理员');
    expect(plan.parts.find((p) => p.gridId === 'G1')!.buildingIds).toHaveLength(4);
  });

  it('honours a pin against a must-not, with a warning', () => {
    const input: AssignInput = {
      grids: [grid('G1', [100]), grid('G2', [100])],
      workers: [worker('A', { mustNotGridIds: ['G1'] }), worker('B')],
      pinned: [{ gridId: 'G1', workerId: 'A', buildingIds: ['G1-1'] }],
    };
    const plan = assignGridworkers(input);
    expect(plan.byGrid.G1).toEqual(['A']);
    expect(plan.warnings.join()).toMatch(/冲突/);
  });

  it('confines someone to their grid count (maxGrids) and keeps the lead a gridworker', () => {
    const input: AssignInput = {
      grids: [grid('G1', [50, 50, 50, 50]), grid('G2', [50, 50, 50, 50]), grid('G3', [50, 50])],
      workers: [worker('A'), worker('B'), worker('L', { role: 'groupLeader', maxGrids: 1 })],
    };
    const plan = assignGridworkers(input);
    expect(plan.byWorker.L!.gridIds.length).toBeLessThanOrEqual(1);
    expect(plan.maxLoad).toBe(200);
    for (const g of input.grids) expect(['A', 'B']).toContain(plan.leadByGrid[g.id]);
  });

  it('shares a grid evenly among its buildings when only grid totals are known', () => {
    const input: AssignInput = {
      grids: [
        {
          id: 'G1',
          households: 400,
          residents: 1000,
          specialNeeds: 20,
          buildingIds: ['1', '2', '3', '4'],
          x: null,
          y: null,
        },
      ],
      workers: [worker('A'), worker('B')],
    };
    const plan = assignGridworkers(input);
    expect(plan.byWorker.A!.load).toBe(230);
    expect(plan.byWorker.B!.load).toBe(230);
    expect(plan.specialLoadMaxMin).toBe(1);
  });

  it('covers empty grids too (nothing to balance)', () => {
    const input: AssignInput = { grids: [grid('G1', [0, 0]), grid('G2', [0])], workers: [worker('A'), worker('B')] };
    const plan = assignGridworkers(input);
    expectEveryBuildingOnce(input, plan);
    expect(plan.uncovered).toEqual([]);
    expect(plan.maxLoad).toBe(0);
  });

  it('keeps every hard constraint on many random small communities', () => {
    for (let seed = 1; seed <= 40; seed += 1) {
      const rng = seededRng(seed);
      const grids = Array.from({ length: randInt(rng, 1, 8) }, (_, i) =>
        grid(
          `G${i}`,
          Array.from({ length: randInt(rng, 1, 6) }, () => randInt(rng, 0, 120)),
          { x: randInt(rng, 0, 2000), y: randInt(rng, 0, 2000) },
        ),
      );
      const ids = grids.map((g) => g.id);
      const workers = Array.from({ length: randInt(rng, 1, 6) }, (_, i) =>
        worker(`W${i}`, {
          role: rng() < 0.3 ? 'groupLeader' : 'gridworker',
          capacity: rng() < 0.3 ? randInt(rng, 50, 400) : Number.POSITIVE_INFINITY,
          x: rng() < 0.8 ? randInt(rng, 0, 2000) : null,
          y: randInt(rng, 0, 2000),
          mustGridIds: rng() < 0.2 ? [pick(rng, ids)] : [],
          mustNotGridIds: rng() < 0.3 ? [pick(rng, ids)] : [],
          maxGrids: rng() < 0.2 ? 1 : undefined,
        }),
      );
      const pinned =
        rng() < 0.4
          ? [
              {
                gridId: grids[0]!.id,
                workerId: workers[0]!.id,
                buildingIds: rng() < 0.5 ? [grids[0]!.buildingIds[0]!] : undefined,
              },
            ]
          : [];
      const input: AssignInput = { grids, workers, pinned };
      const plan = assignGridworkers(input);
      const label = `seed ${seed}`;
      expectEveryBuildingOnce(input, plan);
      expect(`${label}: ${JSON.stringify(assignGridworkers(input)) === JSON.stringify(plan)}`).toBe(`${label}: true`);
      const pinnedWorker = workers[0]!.id;
      for (const w of workers) {
        const wp = plan.byWorker[w.id]!;
        const pinnedHere = pinned.length > 0 && w.id === pinnedWorker;
        if (!pinnedHere) expect(wp.load).toBeLessThanOrEqual(w.capacity);
        for (const g of w.mustNotGridIds)
          if (!pinnedHere) expect(`${label} ${w.id} ${wp.gridIds.includes(g)}`).toBe(`${label} ${w.id} false`);
        if (w.maxGrids === 1 && w.mustGridIds.length === 0 && !pinnedHere)
          expect(wp.gridIds.length).toBeLessThanOrEqual(1);
        for (const g of w.mustGridIds) {
          if (!wp.gridIds.includes(g)) expect(plan.warnings.join()).toContain(w.id);
        }
      }
      for (const pin of pinned) {
        if (pin.buildingIds)
          expect(plan.parts.find((q) => q.gridId === pin.gridId && q.workerId === pin.workerId)?.buildingIds).toEqual(
            expect.arrayContaining(pin.buildingIds),
          );
        else expect(plan.byGrid[pin.gridId]!.every((w) => w === pin.workerId)).toBe(true);
      }
      for (const g of grids) expect(plan.reasons[g.id]!.length).toBeGreaterThan(0);
      for (const u of plan.uncovered) expect(u.reason.length).toBeGreaterThan(0);
    }
  });

  it('answers sensibly with nobody to assign', () => {
    const plan = assignGridworkers({ grids: [grid('G1', [10])], workers: [] });
    expect(plan.uncovered).toHaveLength(1);
    expect(plan.loadMaxMin).toBeNull();
  });
});
