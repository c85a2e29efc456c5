/**
 * Split rounds: when moving and swapping whole grids (and the runs of grids already cut) leaves
 * someone outside the balance window, one more grid is opened to one more holder per such person
 * — a grid already shared first (it adds a part, not a shared grid), else the biggest whole grid at
 * hand that the rule lets be shared (see ./types). Other grids are never cut.
 */
import type { State } from './state';

/** Relative deviation from the average, on either measure, that calls for a split (max/min ≈ 1.17). */
const WINDOW = 0.08;
/** Grids near an underloaded person considered for a run of theirs. */
const NEAR_GRIDS = 12;

function out(s: State, w: number): { over: boolean; under: boolean; special: boolean } {
  const dl = s.target > 0 ? (s.load[w]! - s.target) / s.target : 0;
  const ds = s.targetSpecial > 0 ? (s.spec[w]! - s.targetSpecial) / s.targetSpecial : 0;
  const worst = Math.abs(dl) >= Math.abs(ds) ? dl : ds;
  return {
    over: worst > WINDOW,
    under: worst < -WINDOW,
    special: Math.abs(ds) > Math.abs(dl),
  };
}

/** Whether grid g may be opened to one more holder now (the rule lets it be shared, has buildings to spare). */
function openable(s: State, g: number): boolean {
  const grid = s.grids[g]!;
  if (!grid.cuttable || grid.allowed !== null || s.holders[g]!.size < grid.maxHolders) return false;
  return grid.maxHolders < grid.buildings.length;
}

function movable(s: State, w: number, g: number): number {
  let n = 0;
  for (const b of s.grids[g]!.buildings) if (s.owner[b] === w && s.pinned[b] === 0) n += 1;
  return n;
}

/**
 * The grids to open for person w: their own biggest when they carry too much, a near one when
 * they carry too little — and their own too when only the special-needs count is short while the
 * load is full (they must give some load away to take special-needs residents on).
 */
function choose(s: State, w: number, taken: Set<number>): number[] {
  const o = out(s, w);
  if (o.over) return [pick(s, w, taken, 'own')];
  const dl = s.target > 0 ? (s.load[w]! - s.target) / s.target : 0;
  const ds = s.targetSpecial > 0 ? (s.spec[w]! - s.targetSpecial) / s.targetSpecial : 0;
  const near = pick(s, w, taken, 'near');
  if (near >= 0) taken.add(near);
  // Short on one measure but full on the other: they must also give some of their own away.
  const full = o.special ? dl > -WINDOW / 2 : ds > WINDOW / 2;
  return [near, full ? pick(s, w, taken, 'own') : -1];
}

function pick(s: State, w: number, taken: Set<number>, where: 'own' | 'near'): number {
  const o = out(s, w);
  const weight = (g: number) =>
    o.special ? s.grids[g]!.special / Math.max(s.targetSpecial, 1e-9) : s.grids[g]!.load / Math.max(s.target, 1e-9);
  let best = -1;
  let bestKey = Number.NEGATIVE_INFINITY;
  const consider = (g: number, key: number) => {
    if (taken.has(g)) return;
    const shared = s.holders[g]!.size > 1;
    if (!openable(s, g)) return;
    // Grids already shared first, then the biggest (over) or the nearest (under).
    const k = (shared ? 1e6 : 0) + key;
    if (k > bestKey) {
      bestKey = k;
      best = g;
    }
  };
  if (where === 'own') {
    for (const g of s.held[w]!.keys()) if (movable(s, w, g) >= 2) consider(g, weight(g));
  } else {
    const grids = s.grids
      .map((_, g) => g)
      .filter((g) => s.holders[g]!.size > 0 && !s.held[w]!.has(g) && !s.workers[w]!.mustNot.has(g))
      .sort((a, b) => s.dist(w, a) - s.dist(w, b) || a - b)
      .slice(0, NEAR_GRIDS);
    // Short of special-needs residents: the densest grid at hand; short of load: the nearest.
    grids.forEach((g, i) => consider(g, o.special ? s.grids[g]!.special / Math.max(s.grids[g]!.load, 1e-9) : -i));
  }
  return best;
}

/** Max/min, on the worse of the two measures, below which no grid is opened. */
const GOAL = 1.17;

/** The worse of max/min load and max/min special-needs residents over the available people. */
export function ratios(s: State): number {
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  let slo = Number.POSITIVE_INFINITY;
  let shi = 0;
  for (let w = 0; w < s.workers.length; w += 1) {
    if (s.workers[w]!.cap <= 0) continue;
    lo = Math.min(lo, s.load[w]!);
    hi = Math.max(hi, s.load[w]!);
    slo = Math.min(slo, s.spec[w]!);
    shi = Math.max(shi, s.spec[w]!);
  }
  const r = (max: number, min: number) => (max <= 0 ? 1 : min > 0 ? max / min : Number.POSITIVE_INFINITY);
  return Math.max(r(hi, lo), r(shi, slo));
}

/** Worst relative deviation over the available people, on either measure. */
export function worstDeviation(s: State): number {
  let worst = 0;
  for (let w = 0; w < s.workers.length; w += 1) {
    if (s.workers[w]!.cap <= 0) continue;
    if (s.target > 0) worst = Math.max(worst, Math.abs(s.load[w]! - s.target) / s.target);
    if (s.targetSpecial > 0) worst = Math.max(worst, Math.abs(s.spec[w]! - s.targetSpecial) / s.targetSpecial);
  }
  return worst;
}

/**
 * Opens grids for the people still outside the window and re-balances, for a few rounds; returns
 * how many grids were opened.
 */
export function splitForBalance(s: State, rebalance: () => void, rounds = 6): number {
  let opened = 0;
  for (let r = 0; r < rounds; r += 1) {
    if (ratios(s) <= GOAL) return opened;
    const taken = new Set<number>();
    for (let w = 0; w < s.workers.length; w += 1) {
      if (s.workers[w]!.cap <= 0) continue;
      const o = out(s, w);
      if (!o.over && !o.under) continue;
      for (const g of choose(s, w, taken)) {
        if (g < 0) continue;
        taken.add(g);
        if (!s.grids[g]!.invited.includes(w)) s.grids[g]!.invited.push(w);
      }
    }
    if (taken.size === 0) return opened;
    for (const g of taken) s.grids[g]!.maxHolders += 1;
    opened += taken.size;
    rebalance();
  }
  return opened;
}
