/**
 * First assignment, grid by grid (网格员包网格). A grid is one item, held whole by one person; only a
 * grid bigger than SPLIT × one person's share (in load or in special-needs residents) is cut, by
 * whole buildings in walking order, into as many balanced runs as shares it amounts to. Items are
 * packed largest first (LPT), each onto the eligible worker it leaves least loaded on the worse of
 * the two measures (load and special-needs residents, each relative to its average); among those
 * within a small tolerance of the best, the nearest. A grid's first item goes to a gridworker when
 * one can take it (the grid's lead); the other runs of a cut grid go preferably to group leaders
 * (组长包小组).
 */
import { canTake, DENSE, moveBuilding, shareNeed, type State } from './state';

/** A grid bigger than this many shares is cut before packing (only those). */
export const SPLIT = 1.1;
/** A grid denser in special-needs residents than the rule's DENSE starts cut into runs… */
/** …of about this many shares of special-needs residents each. */
const DENSE_RUN = 0.6;
/** Workers within this much (relative score) of the best are equal: the nearest wins. */
const TOL = 0.03;

/** Whole buildings of one grid that go to one person. */
interface Item {
  g: number;
  buildings: number[];
  load: number;
  special: number;
  /** The grid's first item: it goes to a gridworker when one can take it. */
  lead: boolean;
}

/** Fills the state's owners for every unpinned building it can place. */
export function construct(s: State): void {
  pack(s, makeItems(s));
  ensureMust(s);
  ensureGridworkers(s);
  s.grids.forEach((grid, g) => {
    grid.maxHolders = Math.max(grid.maxHolders, s.holders[g]!.size);
  });
  for (let w = 0; w < s.workers.length; w += 1) {
    for (const m of s.workers[w]!.must) {
      if (!s.held[w]!.has(m))
        s.warnings.push(
          `${s.workers[w]!.name} 必须负责网格 ${s.grids[m]!.name}，但没有可分给其的楼栋（已固定给他人或超出其容量）`,
        );
    }
  }
}

function sumOf(s: State, bs: number[], key: 'load' | 'special'): number {
  let sum = 0;
  for (const b of bs) sum += s.buildings[b]![key];
  return sum;
}

/**
 * Cuts buildings (in walking order) into k runs of about equal load, each at least one building:
 * each cut falls at the building boundary nearest its ideal share.
 */
export function cutRuns(s: State, bs: number[], k: number): number[][] {
  const total = sumOf(s, bs, 'load');
  const runs: number[][] = [];
  let run: number[] = [];
  let cum = 0;
  bs.forEach((b, i) => {
    const l = s.buildings[b]!.load;
    const left = bs.length - i; // buildings not yet placed, b included
    const toOpen = k - runs.length - 1; // runs still to open after the current one
    const boundary = ((runs.length + 1) * total) / k;
    if (
      run.length > 0 &&
      toOpen > 0 &&
      (left <= toOpen || (cum + l > boundary && Math.abs(cum - boundary) <= Math.abs(cum + l - boundary)))
    ) {
      runs.push(run);
      run = [];
    }
    run.push(b);
    cum += l;
  });
  if (run.length > 0) runs.push(run);
  return runs;
}

function makeItems(s: State): Item[] {
  const free = s.grids.map((grid) => grid.buildings.filter((b) => s.owner[b]! < 0 && s.pinned[b] === 0));
  const loads = free.map((bs) => sumOf(s, bs, 'load'));
  const ks = s.grids.map((grid, g) => {
    const bs = free[g]!;
    if (bs.length === 0) return 0;
    // Only the grids the rule lets be shared are ever cut (see ./types).
    if (!grid.cuttable) return 1;
    const special = sumOf(s, bs, 'special');
    const need = shareNeed(s, loads[g]!, special);
    let k = need > SPLIT ? Math.ceil(need) : 1;
    // A grid much denser in special-needs residents than the average is cut into runs that others
    // can take beside their own grid, so that no one answers for far more of them than the rest.
    const dense = s.target > 0 && s.targetSpecial > 0 ? special / s.targetSpecial / (loads[g]! / s.target) : 0;
    if (dense > DENSE && special > DENSE_RUN * s.targetSpecial)
      k = Math.max(k, Math.ceil(special / (DENSE_RUN * s.targetSpecial)));
    k = Math.min(bs.length, k);
    return grid.allowed ? Math.min(k, grid.allowed.size) : k;
  });
  feedGroupLeaders(s, free, loads, ks);
  const items: Item[] = [];
  s.grids.forEach((grid, g) => {
    const k = ks[g]!;
    if (k === 0) return;
    const runs = k > 1 ? cutRuns(s, free[g]!, k) : [free[g]!];
    if (runs.length > 1) grid.maxHolders = Math.max(grid.maxHolders, s.holders[g]!.size + runs.length);
    // The heaviest run is the lead's, unless a gridworker already holds pinned buildings here.
    const parts = runs
      .map((bs) => ({ g, buildings: bs, load: sumOf(s, bs, 'load'), special: sumOf(s, bs, 'special'), lead: false }))
      .sort((a, b) => b.load - a.load);
    if (s.gwCount[g] === 0) parts[0]!.lead = true;
    items.push(...parts);
  });
  return items;
}

/**
 * 组长包小组: a group leader takes runs of grids a gridworker leads, never a grid alone. When the
 * runs of the grids cut so far fall short of the group leaders' shares, the biggest grids still
 * whole are cut in two as well, until they cover them.
 */
function feedGroupLeaders(s: State, free: number[][], loads: number[], ks: number[]): void {
  let need = 0;
  s.workers.forEach((w, i) => {
    if (w.role === 'groupLeader' && w.cap > 0) need += Math.max(0, Math.min(w.cap, s.target) - s.load[i]!);
  });
  let supply = 0;
  ks.forEach((k, g) => {
    if (k > 1) supply += (loads[g]! * (k - 1)) / k;
  });
  if (supply >= need) return;
  const whole = s.grids
    .map((_, g) => g)
    .filter(
      (g) =>
        ks[g] === 1 &&
        s.grids[g]!.cuttable &&
        free[g]!.length >= 2 &&
        s.grids[g]!.allowed === null &&
        s.gwCount[g] === 0,
    )
    .sort((a, b) => loads[b]! - loads[a]! || a - b);
  for (const g of whole) {
    if (supply >= need) return;
    ks[g] = 2;
    supply += loads[g]! / 2;
  }
}

/** Relative size of (load, special) against one person's share: the worse of the two. */
function size(s: State, load: number, special: number): number {
  return Math.max(s.target > 0 ? load / s.target : 0, s.targetSpecial > 0 ? special / s.targetSpecial : 0);
}

function pack(s: State, items: Item[]): void {
  const key = items.map((it) => size(s, it.load, it.special));
  const order = items.map((_, i) => i).sort((a, b) => key[b]! - key[a]! || items[a]!.g - items[b]!.g || a - b);
  const placed = new Uint8Array(items.length);
  // Must grids first: the person who must take a grid gets its biggest item that fits.
  for (let w = 0; w < s.workers.length; w += 1) {
    for (const m of s.workers[w]!.must) {
      if (s.held[w]!.has(m) || !canTake(s, w, m)) continue;
      const i = order.find(
        (j) => placed[j] === 0 && items[j]!.g === m && s.load[w]! + items[j]!.load <= s.workers[w]!.cap + 1e-9,
      );
      if (i === undefined) continue;
      placed[i] = 1;
      give(s, items[i]!.buildings, w);
    }
  }
  for (const i of order) if (placed[i] === 0) place(s, items[i]!);
}

function give(s: State, bs: number[], w: number): void {
  for (const b of bs) moveBuilding(s, b, w);
}

function place(s: State, item: Item): void {
  const { g } = item;
  const holders = s.holders[g]!;
  const fits = (w: number) => canTake(s, w, g) && s.load[w]! + item.load <= s.workers[w]!.cap + 1e-9;
  let cands: number[] = [];
  const full = holders.size >= s.grids[g]!.maxHolders;
  for (let w = 0; w < s.workers.length; w += 1) if (fits(w) && (!full || holders.has(w))) cands.push(w);
  if (cands.length === 0 && full) for (let w = 0; w < s.workers.length; w += 1) if (fits(w)) cands.push(w);
  if (cands.length === 0) {
    // Nobody can carry it whole (capacities): building by building into the most room.
    for (const b of item.buildings) placeBuilding(s, b);
    return;
  }
  if (item.lead) {
    const gws = cands.filter((w) => s.workers[w]!.role === 'gridworker');
    if (gws.length > 0) cands = gws;
  }
  const score = (w: number) => size(s, s.load[w]! + item.load, s.spec[w]! + item.special);
  let best = Number.POSITIVE_INFINITY;
  for (const w of cands) best = Math.min(best, score(w));
  const near = cands.filter((w) => score(w) <= best + TOL);
  // Among equals: someone already holding part of the grid, then (for a non-lead run) a group
  // leader, then the nearest, then the least loaded, then input order.
  const rank = (w: number) => (holders.has(w) ? 0 : 2) + (!item.lead && s.workers[w]!.role === 'groupLeader' ? 0 : 1);
  near.sort((a, b) => rank(a) - rank(b) || s.dist(a, g) - s.dist(b, g) || score(a) - score(b) || a - b);
  give(s, item.buildings, near[0]!);
}

function placeBuilding(s: State, b: number): void {
  const bd = s.buildings[b]!;
  let best = -1;
  for (let w = 0; w < s.workers.length; w += 1) {
    if (!canTake(s, w, bd.g) || s.load[w]! + bd.load > s.workers[w]!.cap + 1e-9) continue;
    if (best < 0 || s.workers[w]!.cap - s.load[w]! > s.workers[best]!.cap - s.load[best]!) best = w;
  }
  if (best >= 0) moveBuilding(s, b, best); // else reported uncovered by the explanation
}

/** Someone who must take a grid but got none of it takes its smallest building another holder can spare. */
function ensureMust(s: State): void {
  for (let w = 0; w < s.workers.length; w += 1) {
    for (const m of s.workers[w]!.must) {
      if (s.held[w]!.has(m) || !canTake(s, w, m)) continue;
      const spare = s.grids[m]!.buildings.filter((b) => {
        const o = s.owner[b]!;
        if (o < 0 || o === w || s.pinned[b] === 1) return false;
        if (s.load[w]! + s.buildings[b]!.load > s.workers[w]!.cap) return false;
        return !(s.workers[o]!.must.has(m) && s.held[o]!.get(m) === 1);
      }).sort((a, b) => s.buildings[a]!.load - s.buildings[b]!.load || a - b);
      if (spare[0] !== undefined) moveBuilding(s, spare[0], w);
    }
  }
}

/** 网格员包网格: a grid held only by group leaders hands its smallest free building to a gridworker. */
function ensureGridworkers(s: State): void {
  s.grids.forEach((grid, g) => {
    if (s.gwCount[g]! > 0) return;
    const free = grid.buildings
      .filter((b) => s.owner[b]! >= 0 && s.pinned[b] === 0)
      .sort((a, b) => s.buildings[a]!.load - s.buildings[b]!.load || a - b);
    const b = free[0];
    if (b === undefined) return;
    const from = s.owner[b]!;
    if (s.workers[from]!.must.has(g) && s.held[from]!.get(g) === 1) return;
    let best = -1;
    for (let w = 0; w < s.workers.length; w += 1) {
      if (
        s.workers[w]!.role !== 'gridworker' ||
        !canTake(s, w, g) ||
        s.load[w]! + s.buildings[b]!.load > s.workers[w]!.cap
      )
        continue;
      if (
        best < 0 ||
        s.load[w]! - s.load[best]! < -1e-9 ||
        (Math.abs(s.load[w]! - s.load[best]!) <= 1e-9 && s.dist(w, g) < s.dist(best, g))
      )
        best = w;
    }
    if (best >= 0) moveBuilding(s, b, best);
  });
}
