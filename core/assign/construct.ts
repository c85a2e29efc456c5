/**
 * First assignment. (1) Grids are laid along a Hilbert curve through their centroids and the
 * buildings, in that order, are cut into one run per worker of about the average load: each run is
 * a few neighbouring grids or a piece of a big one. Runs go to the nearest free worker who may take
 * them. (2) Whatever is left (grids pinned to people, runs nobody could take) goes grid by grid,
 * largest first, whole to the nearest worker with room, or cut by whole buildings into the
 * workers with the most room.
 */
import { canTake, gridLimit, moveBuilding, type State } from './state';

/** Fills the state's owners for every unpinned building it can place. */
export function construct(s: State): void {
  spatialBins(s);
  const order = s.grids.map((_, g) => g).sort((a, b) => s.grids[b]!.load - s.grids[a]!.load || a - b);
  for (const g of order) placeGrid(s, g);
  ensureMust(s);
  ensureGridworkers(s);
  for (let w = 0; w < s.workers.length; w += 1) {
    for (const m of s.workers[w]!.must) {
      if (!s.held[w]!.has(m))
        s.warnings.push(
          `${s.workers[w]!.name} 必须负责网格 ${s.grids[m]!.name}，但没有可分给其的楼栋（已固定给他人或超出其容量）`,
        );
    }
  }
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

function placeGrid(s: State, g: number): void {
  const grid = s.grids[g]!;
  let free = grid.buildings.filter((b) => s.owner[b]! < 0 && s.pinned[b] === 0);
  const served = new Set<number>();
  while (free.length > 0) {
    const rest = free.reduce((sum, b) => sum + s.buildings[b]!.load, 0);
    const smallest = Math.min(...free.map((b) => s.buildings[b]!.load));
    const all: number[] = [];
    for (let w = 0; w < s.workers.length; w += 1) {
      if (canTake(s, w, g) && s.workers[w]!.cap - s.load[w]! >= smallest - 1e-9) all.push(w);
    }
    if (all.length === 0) return; // reported uncovered by the explanation
    const full = s.holders[g]!.size >= grid.maxHolders;
    const cands = full ? all.filter((w) => s.holders[g]!.has(w)) : all;
    const pool = cands.length > 0 ? cands : all;
    const w = pick(s, g, pool, rest, served);
    served.add(w);
    const room = Math.min(s.target, s.workers[w]!.cap) - s.load[w]!;
    const last = room >= rest - 1e-9 || s.holders[g]!.size + (s.holders[g]!.has(w) ? 0 : 1) >= grid.maxHolders;
    const given = take(s, w, free, last ? Number.POSITIVE_INFINITY : room);
    for (const b of given) moveBuilding(s, b, w);
    free = free.filter((b) => s.owner[b]! < 0);
  }
}

function room(s: State, w: number): number {
  return Math.min(s.target, s.workers[w]!.cap) - s.load[w]!;
}

/** Who takes (the next piece of) grid g. */
function pick(s: State, g: number, pool: number[], rest: number, served: Set<number>): number {
  // 1. Someone who must take this grid and has no part of it yet.
  const must = pool.find((w) => s.workers[w]!.must.has(g) && !s.held[w]!.has(g));
  if (must !== undefined) return must;
  // 2. A grid gets a gridworker first when one has room.
  let cands = pool.filter((w) => !served.has(w) || pool.length === 1);
  if (cands.length === 0) cands = pool;
  if (s.gwCount[g] === 0) {
    const gws = cands.filter((w) => s.workers[w]!.role === 'gridworker' && room(s, w) > 0);
    if (gws.length > 0) cands = gws;
  }
  const near = (a: number, b: number) => s.dist(a, g) - s.dist(b, g) || s.load[a]! - s.load[b]! || a - b;
  // 3. The nearest with room for all of it.
  const fits = cands.filter((w) => room(s, w) >= rest - 1e-9);
  if (fits.length > 0) return fits.sort(near)[0]!;
  // 4. The one with the most room (nearest among equals), else the least loaded.
  const withRoom = cands.filter((w) => room(s, w) > 0);
  if (withRoom.length > 0) return withRoom.sort((a, b) => room(s, b) - room(s, a) || near(a, b))[0]!;
  return [...cands].sort((a, b) => s.load[a]! - s.load[b]! || near(a, b))[0]!;
}

/** Buildings (in walking order) that fill room best without exceeding capacity; at least one. */
function take(s: State, w: number, free: number[], limit: number): number[] {
  const capLeft = s.workers[w]!.cap - s.load[w]!;
  const out: number[] = [];
  let sum = 0;
  for (const b of free) {
    const l = s.buildings[b]!.load;
    if (sum + l > capLeft + 1e-9) continue;
    // Take a building when it brings the part closer to the room than leaving it.
    if (out.length === 0 || sum + l <= limit || sum + l - limit < limit - sum) {
      out.push(b);
      sum += l;
    }
  }
  return out;
}

/** Position of (x, y) in [0, n)² along a Hilbert curve of side n (a power of two). */
function hilbert(n: number, x0: number, y0: number): number {
  let x = x0;
  let y = y0;
  let d = 0;
  for (let half = n / 2; half >= 1; half /= 2) {
    const rx = (x & half) > 0 ? 1 : 0;
    const ry = (y & half) > 0 ? 1 : 0;
    d += half * half * ((3 * rx) ^ ry);
    if (ry === 0) {
      if (rx === 1) {
        x = n - 1 - x;
        y = n - 1 - y;
      }
      const t = x;
      x = y;
      y = t;
    }
  }
  return d;
}

/** Grids in curve order (input order when centroids are unknown). */
function curveOrder(s: State, grids: number[]): number[] {
  const located = grids.filter((g) => s.grids[g]!.x !== null && s.grids[g]!.y !== null);
  if (located.length < grids.length) return grids;
  const xs = located.map((g) => s.grids[g]!.x!);
  const ys = located.map((g) => s.grids[g]!.y!);
  const minX = Math.min(...xs);
  const minY = Math.min(...ys);
  const span = Math.max(Math.max(...xs) - minX, Math.max(...ys) - minY, 1);
  const n = 1024;
  const key = (g: number) =>
    hilbert(
      n,
      Math.min(n - 1, Math.floor(((s.grids[g]!.x! - minX) / span) * n)),
      Math.min(n - 1, Math.floor(((s.grids[g]!.y! - minY) / span) * n)),
    );
  const keys = new Map(located.map((g) => [g, key(g)]));
  return [...located].sort((a, b) => keys.get(a)! - keys.get(b)! || a - b);
}

/** Step (1): cut the curve into runs of about the average load and give each to a near worker. */
function spatialBins(s: State): void {
  const grids = s.grids.map((_, g) => g).filter((g) => s.grids[g]!.allowed === null);
  // Buildings along the curve, each grid's in walking order.
  const items: number[][] = [];
  for (const g of curveOrder(s, grids))
    for (const b of s.grids[g]!.buildings) if (s.owner[b]! < 0 && s.pinned[b] === 0) items.push([b]);
  // Workers already carrying half a share of pinned work take no run.
  const takers = s.workers.map((_, w) => w).filter((w) => s.workers[w]!.cap > 0 && s.load[w]! < s.target / 2);
  if (items.length === 0 || takers.length === 0 || !(s.target > 0)) return;
  const loadOf = (item: number[]) => item.reduce((sum, b) => sum + s.buildings[b]!.load, 0);
  const freeLoad = items.reduce((sum, item) => sum + loadOf(item), 0);
  const k = Math.max(1, Math.min(takers.length, Math.round(freeLoad / s.target)));
  const per = freeLoad / k;
  const runs: number[][] = [];
  let run: number[] = [];
  let cum = 0;
  for (const item of items) {
    const l = loadOf(item);
    // Close the run before the item when that leaves the cumulative load nearer its ideal boundary.
    const boundary = (runs.length + 1) * per;
    if (
      run.length > 0 &&
      runs.length < k - 1 &&
      Math.abs(cum - boundary) <= Math.abs(cum + l - boundary) &&
      cum + l > boundary
    ) {
      runs.push(run);
      run = [];
    }
    run.push(...item);
    cum += l;
  }
  if (run.length > 0) runs.push(run);
  matchRuns(s, runs, takers);
}

interface RunInfo {
  buildings: number[];
  grids: number[];
  load: number;
  x: number | null;
  y: number | null;
}

function runInfo(s: State, buildings: number[]): RunInfo {
  const grids = [...new Set(buildings.map((b) => s.buildings[b]!.g))];
  const load = buildings.reduce((sum, b) => sum + s.buildings[b]!.load, 0);
  let x = 0;
  let y = 0;
  let known = true;
  for (const b of buildings) {
    const grid = s.grids[s.buildings[b]!.g]!;
    if (grid.x === null || grid.y === null) known = false;
    else {
      x += grid.x * s.buildings[b]!.load;
      y += grid.y * s.buildings[b]!.load;
    }
  }
  return { buildings, grids, load, x: known && load > 0 ? x / load : null, y: known && load > 0 ? y / load : null };
}

/** Runs considered per person when matching. */
const NEAREST_RUNS = 24;

function byRankDistKey(a: [number, number, number], b: [number, number, number]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Nearest-first matching of runs to workers, must grids first, never against a hard constraint. */
function matchRuns(s: State, runs: number[][], takers: number[]): void {
  const infos = runs.map((r) => runInfo(s, r));
  const fits = (w: number, r: RunInfo) => {
    const worker = s.workers[w]!;
    if (s.load[w]! + r.load > worker.cap) return false;
    if (r.grids.some((g) => worker.mustNot.has(g))) return false;
    if (worker.maxGrids === Number.POSITIVE_INFINITY) return true;
    const held = new Set([...s.held[w]!.keys(), ...r.grids]);
    return held.size <= gridLimit(s, w);
  };
  const dist = (w: number, r: RunInfo) => {
    const worker = s.workers[w]!;
    if (worker.x === null || worker.y === null || r.x === null || r.y === null) return 0;
    return Math.hypot(worker.x - r.x, worker.y - r.y);
  };
  const pairs: Array<[number, number, number]> = [];
  for (const w of takers) {
    const mine: Array<[number, number, number]> = [];
    infos.forEach((r, i) => {
      if (!fits(w, r)) return;
      const must = r.grids.some((g) => s.workers[w]!.must.has(g) && !s.held[w]!.has(g));
      // Must grids first, then people confined to few grids (fewer runs fit them).
      const rank = (must ? 0 : 2) + (s.workers[w]!.maxGrids === Number.POSITIVE_INFINITY ? 1 : 0);
      mine.push([rank, dist(w, r), w * infos.length + i]);
    });
    // Each person's nearest runs are enough: runs left over are placed grid by grid afterwards.
    mine.sort(byRankDistKey);
    pairs.push(...mine.slice(0, NEAREST_RUNS));
  }
  pairs.sort(byRankDistKey);
  const usedW = new Set<number>();
  const usedR = new Set<number>();
  for (const [, , key] of pairs) {
    const w = Math.floor(key / infos.length);
    const i = key % infos.length;
    if (usedW.has(w) || usedR.has(i)) continue;
    usedW.add(w);
    usedR.add(i);
    for (const b of infos[i]!.buildings) moveBuilding(s, b, w);
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
