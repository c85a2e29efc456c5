/**
 * The exact optimum of the gridworker assignment's OWN model (issue 16: "grids kept whole by the
 * same rule"), solved by HiGHS on small districts. It takes the rule from the solver
 * (`shareableGridIds`, decided from the instance alone) and nothing from any plan:
 * - a grid the rule keeps whole goes, all its buildings, to ONE gridworker (网格员包网格) allowed in
 *   it (y[g,w] ∈ {0,1}, Σ_w y = 1);
 * - a grid the rule lets be shared goes building by building to anyone allowed in it
 *   (x[b,w] ∈ {0,1}, Σ_w x = 1), with at least one gridworker among its holders (v[g,w] ≤ Σ_b x[b,w],
 *   Σ_{gridworkers} v ≥ 1: it has a gridworker lead; 组长包小组);
 * - must grids held (at least one building), must-not grids never, capacities, and at most
 *   maxGrids grids per person (h[g,w] ≥ x, y);
 * - minimise M ≥ every person's load (loads are whole numbers, so M is integer and HiGHS proves
 *   the optimum at the rounded-up LP bound).
 * The solver also balances special-needs residents, keeps shares few and people near home; the
 * model leaves those out, so its optimum can only be lower than what the solver could reach: the
 * gap is conservative. Pins are not modelled (the benchmark's districts have none).
 */
import type { Highs } from 'highs';
import { shareableGridIds, weightedLoad, type AssignInput } from '../core/assign';
import { ModelBuilder } from './highs-model';

export interface AssignExact {
  proven: boolean;
  maxLoad: number;
  bound: number;
  nodes: number;
}

export function solveAssignExact(highs: Highs, input: AssignInput, maxNodes = 50_000): AssignExact {
  if ((input.pinned ?? []).length > 0) throw new Error('pins are not modelled');
  const shared = shareableGridIds(input);
  const m = new ModelBuilder();
  const M = m.col(1, 0, Number.POSITIVE_INFINITY, true);
  const workers = input.workers.filter((w) => w.capacity > 0);
  const load: Array<Array<[number, number]>> = workers.map(() => []);
  const holdCols = workers.map(() => new Map<string, number[]>());
  const allowed = (wi: number, gridId: string) => !workers[wi]!.mustNotGridIds.includes(gridId);
  for (const g of input.grids) {
    const buildings = (g.buildings ?? []).map((b) => ({
      id: b.id,
      load: weightedLoad(b, input.weights),
      special: b.specialNeeds,
    }));
    if (buildings.length === 0) {
      buildings.push({ id: `${g.id}#全部`, load: weightedLoad(g, input.weights), special: g.specialNeeds });
    }
    const gridLoad = buildings.reduce((s, b) => s + b.load, 0);
    if (!shared.has(g.id)) {
      const ys: Array<[number, number]> = [];
      workers.forEach((w, wi) => {
        if (!allowed(wi, g.id) || w.role !== 'gridworker') return;
        const y = m.col(0, 0, 1, true);
        ys.push([y, 1]);
        load[wi]!.push([y, gridLoad]);
        holdCols[wi]!.set(g.id, [...(holdCols[wi]!.get(g.id) ?? []), y]);
      });
      if (ys.length === 0) throw new Error(`grid ${g.id}: no gridworker may hold it whole`);
      m.row(ys, 1, 1);
      continue;
    }
    const leads: Array<[number, number]> = [];
    const perWorker = workers.map(() => [] as number[]);
    for (const b of buildings) {
      const xs: Array<[number, number]> = [];
      workers.forEach((w, wi) => {
        if (!allowed(wi, g.id)) return;
        const x = m.col(0, 0, 1, true);
        xs.push([x, 1]);
        load[wi]!.push([x, b.load]);
        perWorker[wi]!.push(x);
        holdCols[wi]!.set(g.id, [...(holdCols[wi]!.get(g.id) ?? []), x]);
      });
      if (xs.length === 0) throw new Error(`grid ${g.id}: nobody may hold it`);
      m.row(xs, 1, 1);
    }
    workers.forEach((w, wi) => {
      if (w.role !== 'gridworker' || perWorker[wi]!.length === 0) return;
      const v = m.col(0, 0, 1, true);
      m.row([[v, 1], ...perWorker[wi]!.map((x) => [x, -1] as [number, number])], Number.NEGATIVE_INFINITY, 0);
      leads.push([v, 1]);
    });
    m.row(leads, 1, Number.POSITIVE_INFINITY);
  }
  workers.forEach((w, wi) => {
    m.row([...load[wi]!, [M, -1]], Number.NEGATIVE_INFINITY, 0);
    if (Number.isFinite(w.capacity)) m.row(load[wi]!, Number.NEGATIVE_INFINITY, w.capacity);
    for (const g of w.mustGridIds) {
      const cols = holdCols[wi]!.get(g) ?? [];
      if (cols.length > 0)
        m.row(
          cols.map((c) => [c, 1] as [number, number]),
          1,
          Number.POSITIVE_INFINITY,
        );
    }
    if (w.maxGrids !== undefined) {
      const hs: Array<[number, number]> = [];
      for (const cols of holdCols[wi]!.values()) {
        const h = m.col(0, 0, 1, true);
        for (const c of cols)
          m.row(
            [
              [c, 1],
              [h, -1],
            ],
            Number.NEGATIVE_INFINITY,
            0,
          );
        hs.push([h, 1]);
      }
      m.row(hs, 0, w.maxGrids);
    }
  });
  // Interchangeable people (same role, capacity, must, must-not and grid limit: the model sees
  // nothing else of them) are ordered by load, which removes their permutations from the search.
  const key = (w: AssignInput['workers'][number]) =>
    JSON.stringify([w.role, w.capacity, [...w.mustGridIds].sort(), [...w.mustNotGridIds].sort(), w.maxGrids ?? null]);
  for (let a = 0; a < workers.length; a += 1) {
    const next = workers.findIndex((w, b) => b > a && key(w) === key(workers[a]!));
    if (next < 0) continue;
    m.row([...load[a]!, ...load[next]!.map(([c, l]) => [c, -l] as [number, number])], 0, Number.POSITIVE_INFINITY);
  }
  const solved = m.solve(highs, { mip_rel_gap: 0, mip_abs_gap: 0.5, mip_max_nodes: maxNodes, time_limit: 600 });
  return {
    proven: solved.status === 'optimal',
    maxLoad: solved.objective,
    bound: solved.bound,
    nodes: solved.nodes,
  };
}
