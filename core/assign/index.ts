/**
 * Gridworker assignment, grids kept whole by a rule decided from the instance (网格员包网格): a
 * deterministic construction (a grid is one item; only a shareable grid bigger than 1.1 shares, or
 * far denser in special-needs residents, or needed by the group leaders, is cut into runs of whole
 * buildings; items packed largest first onto the least loaded, nearest among equals), then local
 * search on the balance (moves and swaps of whole parts, then building moves inside the grids
 * already cut), split rounds that open one more shareable grid only where someone is still outside
 * the balance window, a push of the max load down (to the model's optimum in small communities),
 * a repair of the special-needs spread, and proximity under the balance reached. The model is
 * documented in ./types.
 */
import { explain } from './explain';
import { buildState, type State } from './state';
import { improveBalance, improveItems, improveProximity, intensifyMax, reduceMax, repairSpecial } from './search';
import { construct } from './construct';
import { splitForBalance } from './split';
import {
  DEFAULT_ASSIGN_WEIGHTS,
  type AssignGrid,
  type AssignInput,
  type AssignPart,
  type AssignPlan,
  type AssignWeights,
  type AssignWorkerPlan,
} from './types';

export * from './types';

/** Weighted load of a grid (or building): households, residents and special-needs residents weighted. */
export function weightedLoad(
  grid: Pick<AssignGrid, 'households' | 'specialNeeds'> & { residents?: number },
  weights: Partial<AssignWeights> = {},
): number {
  const w = { ...DEFAULT_ASSIGN_WEIGHTS, ...weights };
  return w.household * grid.households + w.resident * (grid.residents ?? 0) + w.specialNeed * grid.specialNeeds;
}

/**
 * The grid rule on its own (see ./types): the ids of the grids that may be shared by several
 * people in this instance; every other grid is held whole by one gridworker. Decided from the
 * instance alone; the exact yardstick in the benchmark uses it to solve the same model.
 */
export function shareableGridIds(input: AssignInput): Set<string> {
  const s = buildState(input);
  return new Set(s.grids.filter((g) => g.cuttable).map((g) => g.id));
}

/** Up to this many people, the max load gets the exhaustive treatment (all grids open, kicks). */
const SMALL_COMMUNITY = 64;
/** Kicks of the iterated search on the max load in a small community. */
const SMALL_KICKS = 200;

/** Options for tuning and measuring (the defaults are what the cloud function uses). */
export interface AssignOptions {
  /** Skip the local search (construction only), e.g. to measure what it adds. */
  constructionOnly?: boolean;
}

/** Assigns every building of every grid to a gridworker or group leader; see ./types for the model. */
export function assignGridworkers(input: AssignInput, options: AssignOptions = {}): AssignPlan {
  const s = buildState(input);
  construct(s);
  if (!options.constructionOnly) {
    improveItems(s);
    improveBalance(s);
    splitForBalance(s, () => improveBalance(s));
    // The max load pushed down; in a small community with every shareable grid open and no
    // special-needs window (the max load comes first), then an iterated search on it.
    const small = s.workers.length <= SMALL_COMMUNITY;
    reduceMax(s, 400, small, !small);
    if (small) intensifyMax(s, SMALL_KICKS);
    else repairSpecial(s);
    improveProximity(s);
  }
  return toPlan(s);
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function toPlan(s: State): AssignPlan {
  const parts: AssignPart[] = [];
  const byGrid: Record<string, string[]> = {};
  const leadByGrid: Record<string, string> = {};
  const byWorker: Record<string, AssignWorkerPlan> = {};
  for (const w of s.workers) byWorker[w.id] = { gridIds: [], buildingIds: [], load: 0, specialLoad: 0 };

  for (let g = 0; g < s.grids.length; g += 1) {
    const grid = s.grids[g]!;
    const mine = new Map<number, number[]>();
    for (const b of grid.buildings) {
      const o = s.owner[b]!;
      if (o < 0) continue;
      const list = mine.get(o) ?? [];
      list.push(b);
      mine.set(o, list);
    }
    const gridParts = [...mine].map(([w, bs]) => {
      const worker = s.workers[w]!;
      const load = bs.reduce((sum, b) => sum + s.buildings[b]!.load, 0);
      const part: AssignPart = {
        gridId: grid.id,
        workerId: worker.id,
        buildingIds: bs.map((b) => s.buildings[b]!.id),
        load: round2(load),
        specialLoad: bs.reduce((sum, b) => sum + s.buildings[b]!.special, 0),
        distanceKm: s.knownDistance(w, g) ? round2(s.dist(w, g)) : null,
        pinned: bs.every((b) => s.pinned[b] === 1),
      };
      return { w, part, gw: worker.role === 'gridworker' };
    });
    // Lead first: a gridworker before a group leader, then the biggest part, then input order.
    gridParts.sort((a, b) => Number(b.gw) - Number(a.gw) || b.part.load - a.part.load || a.w - b.w);
    byGrid[grid.id] = gridParts.map((p) => p.part.workerId);
    const lead = gridParts[0];
    if (lead) leadByGrid[grid.id] = lead.part.workerId;
    for (const { part } of gridParts) {
      parts.push(part);
      const wp = byWorker[part.workerId]!;
      wp.gridIds.push(grid.id);
      wp.buildingIds.push(...part.buildingIds);
    }
  }
  let maxLoad = 0;
  let minLoad = Number.POSITIVE_INFINITY;
  let maxSpecial = 0;
  let minSpecial = Number.POSITIVE_INFINITY;
  let counted = 0;
  for (let w = 0; w < s.workers.length; w += 1) {
    const worker = s.workers[w]!;
    const wp = byWorker[worker.id]!;
    wp.load = round2(s.load[w]!);
    wp.specialLoad = s.spec[w]!;
    if (worker.cap <= 0) continue; // unavailable people do not count in the balance
    counted += 1;
    maxLoad = Math.max(maxLoad, s.load[w]!);
    minLoad = Math.min(minLoad, s.load[w]!);
    maxSpecial = Math.max(maxSpecial, s.spec[w]!);
    minSpecial = Math.min(minSpecial, s.spec[w]!);
  }
  if (counted === 0) minLoad = 0;
  const ratio = (max: number, min: number) => (counted > 0 && min > 0 ? Math.round((max / min) * 10000) / 10000 : null);
  const plan: AssignPlan = {
    byGrid,
    byWorker,
    parts,
    leadByGrid,
    reasons: {},
    uncovered: [],
    warnings: [...s.warnings],
    loadMaxMin: ratio(maxLoad, minLoad),
    specialLoadMaxMin: ratio(maxSpecial, minSpecial),
    maxLoad: round2(maxLoad),
    minLoad: round2(minLoad),
    averageLoad: round2(counted > 0 ? s.totalLoad / counted : 0),
  };
  explain(s, plan);
  return plan;
}
