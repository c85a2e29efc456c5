/**
 * Local search over the assignment: moves of one building or of a worker's whole part of a grid,
 * swaps of buildings between two workers, and exact re-cuts of two workers' buildings, always
 * through the hard-constraint guard. Budgets are counted in passes and steps, never in time, so
 * the result does not depend on the machine.
 */
import { canTake, guard, moveBuilding, stillValid, type State } from './state';

/** Nearest workers considered for a grid's buildings (plus its holders and the lightest workers). */
const NEAR = 8;
/** Lightest workers added to every candidate list, so that load can always flow to them. */
const LIGHT = 4;
const EPS = 1e-12;
/** How far (relative) reduceMax may let a special load stray from the average: keeps max/min ≤ 1.17. */
const SPECIAL_SLACK = 0.08;
/** Swaps are tried with a grid's holders, its nearest few and the lightest workers. */
const SWAP_NEAR = 4;
/** improveItems tries everyone as a partner up to this many people, else candidate lists. */
const ITEM_ALL = 256;
/** …of which the people furthest below the averages (load, special-needs count), each. */
const ITEM_POOL = 6;
/** A balance pass that improves the score by less than this fraction ends the search. */
const STOP = 0.02;

/** Penalty of one relative deviation: gently quadratic inside the band, steep outside it. */
function h(x: number, band: number): number {
  const out = Math.abs(x) - band;
  return 0.3 * x * x + (out > 0 ? 100 * out * out : 0);
}

function workerScore(s: State, load: number, spec: number): number {
  const t = s.target > 0 ? h((load - s.target) / s.target, s.band) : 0;
  const sp = s.targetSpecial > 0 ? h((spec - s.targetSpecial) / s.targetSpecial, s.bandSpecial) : 0;
  return t + sp;
}

interface Ctx {
  /** grid → nearest workers who may take it. */
  near: number[][];
  /** worker → buildings, refreshed each pass (entries may be stale: check the owner). */
  owned: number[][];
  /** The lightest workers this pass, as a list and as marks. */
  light: number[];
  isLight: Uint8Array;
  /** Dedupe marks for candidate lists. */
  seen: Int32Array;
  stamp: number;
}

const nearCache = new WeakMap<State, number[][]>();

/** The NEAR nearest workers who may take each grid (computed once per state). */
function nearOf(s: State): number[][] {
  let near = nearCache.get(s);
  if (!near) {
    near = computeNear(s);
    nearCache.set(s, near);
  }
  return near;
}

function context(s: State): Ctx {
  const near = nearOf(s);
  const n = s.workers.length;
  return { near, owned: owned(s), light: [], isLight: new Uint8Array(n), seen: new Int32Array(n), stamp: 0 };
}

function computeNear(s: State): number[][] {
  return s.grids.map((_, g) => {
    // The NEAR nearest (ties: input order) by insertion into a short sorted list.
    const top: number[] = [];
    for (let w = 0; w < s.workers.length; w += 1) {
      if (s.workers[w]!.cap <= 0 || s.workers[w]!.mustNot.has(g)) continue;
      const d = s.dist(w, g);
      if (top.length === NEAR && d >= s.dist(top[NEAR - 1]!, g)) continue;
      let i = Math.min(top.length, NEAR - 1);
      top[i] = w;
      while (i > 0 && s.dist(top[i - 1]!, g) > d) {
        top[i] = top[i - 1]!;
        top[i - 1] = w;
        i -= 1;
      }
    }
    return top;
  });
}

function owned(s: State): number[][] {
  const out: number[][] = s.workers.map(() => []);
  for (let b = 0; b < s.buildings.length; b += 1) {
    const o = s.owner[b]!;
    if (o >= 0) out[o]!.push(b);
  }
  return out;
}

function lightest(s: State, n: number): number[] {
  return s.workers
    .map((_, w) => w)
    .filter((w) => s.workers[w]!.cap > 0)
    .sort((a, b) => s.load[a]! - s.load[b]! || a - b)
    .slice(0, n);
}

function candidates(s: State, ctx: Ctx, g: number, a: number, withLight = true): number[] {
  ctx.stamp += 1;
  const { seen, stamp } = ctx;
  seen[a] = stamp;
  const out: number[] = [];
  const add = (w: number) => {
    if (seen[w] !== stamp) {
      seen[w] = stamp;
      out.push(w);
    }
  };
  for (const w of s.holders[g]!.keys()) add(w);
  for (const w of ctx.near[g]!) add(w);
  for (const w of s.grids[g]!.invited) add(w);
  if (withLight) for (const w of ctx.light) add(w);
  return out;
}

/** Whether to try swaps with c for a building of g. */
function swapWith(s: State, ctx: Ctx, g: number, c: number): boolean {
  if (s.holders[g]!.has(c)) return true;
  const near = ctx.near[g]!;
  for (let i = 0; i < SWAP_NEAR && i < near.length; i += 1) if (near[i] === c) return true;
  return ctx.isLight[c] === 1;
}

/** Applies moves (building → worker) if the guard allows; returns whether it stayed applied. */
function tryApply(s: State, moves: Array<[number, number]>, workers: number[]): boolean {
  const grids = [...new Set(moves.map(([b]) => s.buildings[b]!.g))];
  const gd = guard(s, workers, grids);
  const back = moves.map(([b]) => [b, s.owner[b]!] as [number, number]);
  for (const [b, w] of moves) moveBuilding(s, b, w);
  if (stillValid(s, gd)) return true;
  for (let i = back.length - 1; i >= 0; i -= 1) moveBuilding(s, back[i]![0], back[i]![1]);
  return false;
}

function partOf(s: State, a: number, g: number): number[] {
  return s.grids[g]!.buildings.filter((b) => s.owner[b] === a && s.pinned[b] === 0);
}

/** Minimises the balance score (loads and special loads near the average) by first improvement. */
export function improveBalance(s: State, maxPasses = 60): void {
  const ctx = context(s);
  const changed = new Int32Array(s.workers.length).fill(-1);
  // A grid held whole moves as one part, with its first free building: its others are skipped.
  const firstFree = s.grids.map((grid) => grid.buildings.find((b) => s.pinned[b] === 0) ?? -1);
  let lastScore = totalScore(s);
  for (let pass = 0; pass < maxPasses; pass += 1) {
    ctx.owned = owned(s);
    ctx.light = lightest(s, LIGHT);
    ctx.isLight.fill(0);
    for (const w of ctx.light) ctx.isLight[w] = 1;
    let improved = 0;
    for (let b = 0; b < s.buildings.length; b += 1) {
      const a = s.owner[b]!;
      if (s.pinned[b] === 1 || a < 0) continue;
      const g = s.buildings[b]!.g;
      if (s.grids[g]!.maxHolders <= 1 && firstFree[g] !== b) continue;
      const cands = candidates(s, ctx, s.buildings[b]!.g, a);
      // Look again only where something changed since the last pass (don't-look bits).
      if (pass > 0 && changed[a]! < pass - 1 && !cands.some((c) => changed[c]! >= pass - 1 && ctx.isLight[c] === 0))
        continue;
      const c = balanceStep(s, ctx, b, cands);
      if (c >= 0) {
        improved += 1;
        changed[a] = pass;
        changed[c] = pass;
      }
    }
    const score = totalScore(s);
    // Stop when a pass no longer buys a meaningful improvement.
    if (!improved || (pass >= 2 && lastScore - score < STOP * lastScore)) break;
    lastScore = score;
  }
}

function totalScore(s: State): number {
  let sum = 0;
  for (let w = 0; w < s.workers.length; w += 1)
    if (s.workers[w]!.cap > 0) sum += workerScore(s, s.load[w]!, s.spec[w]!);
  return sum;
}

/** Cost of one more (worker, grid) part: splits are worth it only for a real gain in balance. */
const PART = 0.003;
/** Cost of carrying the whole average load one more km from home (balance wins beyond a few %). */
const KM = 0.002;

function km(s: State, w: number, g: number): number {
  return s.dist(w, g); // 0 when unknown
}

/** Side costs (splits, distance) of passing `count` buildings of g weighing `load` from a to c. */
function side(s: State, a: number, c: number, g: number, count: number, load: number): number {
  const holders = s.holders[g]!;
  const parts = (holders.has(c) ? 0 : 1) - ((holders.get(a) ?? 0) === count ? 1 : 0);
  const far = s.target > 0 ? (KM * s.distancePerKm * load * (km(s, c, g) - km(s, a, g))) / s.target : 0;
  return PART * parts + far;
}

/**
 * Whether `count` buildings of grid g may pass from a to c (c's own side of a swap is checked by
 * the symmetric call): c may take g, the grid's holders stay within bounds, a keeps its must grid,
 * and a grid that had a gridworker keeps one. The guard re-checks everything after applying.
 */
function passOk(s: State, a: number, c: number, g: number, count: number): boolean {
  if (!canTake(s, c, g)) return false;
  const holders = s.holders[g]!;
  const aLeaves = (holders.get(a) ?? 0) === count;
  if (!holders.has(c) && !aLeaves && holders.size + 1 > s.grids[g]!.maxHolders) return false;
  if (aLeaves) {
    if (s.workers[a]!.must.has(g)) return false;
    // The grid's only gridworker may hand their part only to another gridworker.
    if (s.workers[a]!.role === 'gridworker' && s.gwCount[g] === 1 && s.workers[c]!.role !== 'gridworker') return false;
  }
  return true;
}

/** One best move for building b; returns the other worker involved, or -1 when none helped. */
function balanceStep(s: State, ctx: Ctx, b: number, cands: number[]): number {
  const a = s.owner[b]!;
  const bd = s.buildings[b]!;
  const g = bd.g;
  // A whole part moves with its first building (only when none of it is pinned).
  const heldA = s.held[a]!.get(g) ?? 0;
  const part = heldA > 1 ? partOf(s, a, g) : [b];
  const firstOfPart = part[0] === b && part.length === heldA;
  const wholePart = firstOfPart && part.length > 1;
  let partLoad = 0;
  let partSpec = 0;
  if (firstOfPart) {
    for (const x of part) {
      partLoad += s.buildings[x]!.load;
      partSpec += s.buildings[x]!.special;
    }
  }
  let best = -EPS;
  let bestMoves: Array<[number, number]> | null = null;
  let bestC = -1;
  const la = s.load[a]!;
  const sa = s.spec[a]!;
  const scoreA = workerScore(s, la, sa);
  const capA = s.workers[a]!.cap;
  for (const c of cands) {
    if (!canTake(s, c, g)) continue;
    const capC = s.workers[c]!.cap;
    const lc = s.load[c]!;
    const sc = s.spec[c]!;
    const before = scoreA + workerScore(s, lc, sc);
    const bOk = passOk(s, a, c, g, 1);
    if (bOk && lc + bd.load <= capC) {
      const d1 =
        workerScore(s, la - bd.load, sa - bd.special) +
        workerScore(s, lc + bd.load, sc + bd.special) -
        before +
        side(s, a, c, g, 1, bd.load);
      if (d1 < best) {
        best = d1;
        bestMoves = [[b, c]];
        bestC = c;
      }
    }
    if (wholePart && lc + partLoad <= capC && passOk(s, a, c, g, part.length)) {
      const d2 =
        workerScore(s, la - partLoad, sa - partSpec) +
        workerScore(s, lc + partLoad, sc + partSpec) -
        before +
        side(s, a, c, g, part.length, partLoad);
      if (d2 < best) {
        best = d2;
        bestMoves = part.map((x) => [x, c] as [number, number]);
        bestC = c;
      }
    }
    // A whole part (a grid held whole is one) for a whole part of another grid.
    if (firstOfPart && passOk(s, a, c, g, part.length)) {
      const sideA = side(s, a, c, g, part.length, partLoad);
      for (const [g2, cnt2] of s.held[c]!) {
        if (g2 === g || (cnt2 === 1 && part.length === 1)) continue; // single buildings: below
        // c's free buildings of g2 (no allocation: this runs for every candidate pair).
        let n2 = 0;
        let l2 = 0;
        let s2 = 0;
        for (const x of s.grids[g2]!.buildings) {
          if (s.owner[x] !== c || s.pinned[x] === 1) continue;
          n2 += 1;
          l2 += s.buildings[x]!.load;
          s2 += s.buildings[x]!.special;
        }
        if (n2 !== cnt2) continue;
        const dl = partLoad - l2;
        const ds = partSpec - s2;
        if (lc + dl > capC || la - dl > capA) continue;
        const d4 =
          workerScore(s, la - dl, sa - ds) +
          workerScore(s, lc + dl, sc + ds) -
          before +
          sideA +
          side(s, c, a, g2, cnt2, l2);
        if (d4 >= best || !passOk(s, c, a, g2, cnt2)) continue;
        best = d4;
        const part2 = partOf(s, c, g2);
        bestMoves = [...part.map((x) => [x, c] as [number, number]), ...part2.map((x) => [x, a] as [number, number])];
        bestC = c;
      }
    }
    if (!bOk || !swapWith(s, ctx, g, c)) continue;
    const kmDiff = km(s, c, g) - km(s, a, g);
    const sideB = side(s, a, c, g, 1, bd.load);
    for (const b2 of ctx.owned[c]!) {
      if (s.owner[b2] !== c || s.pinned[b2] === 1) continue;
      const o = s.buildings[b2]!;
      const dl = bd.load - o.load;
      const ds = bd.special - o.special;
      if (dl === 0 && ds === 0) continue;
      const dBal = workerScore(s, la - dl, sa - ds) + workerScore(s, lc + dl, sc + ds) - before;
      if (dBal >= best + 2 * PART + KM) continue;
      if (lc + dl > capC || la - dl > capA) continue;
      const sides =
        o.g === g
          ? (KM * s.distancePerKm * dl * kmDiff) / Math.max(s.target, 1e-9)
          : sideB + side(s, c, a, o.g, 1, o.load);
      const d3 = dBal + sides;
      if (d3 >= best) continue;
      if (o.g !== g && !passOk(s, c, a, o.g, 1)) continue;
      best = d3;
      bestMoves = [
        [b, c],
        [b2, a],
      ];
      bestC = c;
    }
  }
  if (bestMoves === null) return -1;
  return tryApply(s, bestMoves, [a, bestC]) ? bestC : -1;
}

/**
 * What moves as one in reduceMax: a worker's whole part of a grid that must stay whole (its
 * holders are at their limit), else one building of a grid that may be cut.
 */
interface Unit {
  g: number;
  buildings: number[];
  load: number;
  special: number;
}

function unitsOf(s: State, w: number): Unit[] {
  const out: Unit[] = [];
  for (const [g, count] of s.held[w]!) {
    const bs = partOf(s, w, g);
    const cut = s.grids[g]!.maxHolders > 1;
    if (cut) {
      for (const b of bs) out.push({ g, buildings: [b], load: s.buildings[b]!.load, special: s.buildings[b]!.special });
    } else if (bs.length === count) {
      out.push({
        g,
        buildings: bs,
        load: sumLoad(s, bs),
        special: bs.reduce((x, b) => x + s.buildings[b]!.special, 0),
      });
    }
  }
  return out;
}

function sumLoad(s: State, bs: number[]): number {
  let sum = 0;
  for (const b of bs) sum += s.buildings[b]!.load;
  return sum;
}

/** Special loads may move within the band around their average (or the bounds already reached). */
function specWindow(s: State): [number, number] {
  const [curMin, curMax] = specBounds(s);
  return [
    Math.min(curMin, Math.ceil(s.targetSpecial * (1 - SPECIAL_SLACK))),
    Math.max(curMax, Math.floor(s.targetSpecial * (1 + SPECIAL_SLACK))),
  ];
}

/** Lowers the maximum load directly: moves and swaps of units off the most loaded worker while any helps. */
export function reduceMax(s: State, maxSteps = 400, open = false, keepSpecial = true): void {
  // Opening: every grid the rule lets be shared moves building by building (it may gain holders).
  const saved = s.grids.map((g) => g.maxHolders);
  if (open) for (const g of s.grids) if (g.cuttable) g.maxHolders = Math.max(g.maxHolders, g.buildings.length);
  try {
    reduceMaxSteps(s, maxSteps, keepSpecial);
  } finally {
    s.grids.forEach((g, i) => {
      g.maxHolders = Math.max(saved[i]!, s.holders[i]!.size);
    });
  }
}

function reduceMaxSteps(s: State, maxSteps: number, keepSpecial: boolean): void {
  // Units per worker, recomputed only for the workers a step changed.
  const cache: Array<Unit[] | null> = s.workers.map(() => null);
  const unitsOfW = (w: number): Unit[] => (cache[w] ??= unitsOf(s, w));
  for (let step = 0; step < maxSteps; step += 1) {
    let a = -1;
    for (let w = 0; w < s.workers.length; w += 1)
      if (s.workers[w]!.cap > 0 && (a < 0 || s.load[w]! > s.load[a]!)) a = w;
    if (a < 0) return;
    const top = s.load[a]!;
    const [specMin, specMax] = keepSpecial ? specWindow(s) : [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
    const mine = unitsOfW(a);
    let best = top - 1e-9;
    let bestSide = Number.POSITIVE_INFINITY;
    let bestMoves: Array<[number, number]> | null = null;
    let bestC = -1;
    const okSpec = (sa: number, sc: number) => sa >= specMin && sa <= specMax && sc >= specMin && sc <= specMax;
    const better = (peak: number, sideCost: number) =>
      peak < best - 1e-9 || (peak < best + 1e-9 && sideCost < bestSide);
    for (let c = 0; c < s.workers.length; c += 1) {
      if (c === a || s.workers[c]!.cap <= 0) continue;
      const lc = s.load[c]!;
      if (lc >= best) continue;
      const theirs = unitsOfW(c);
      for (const u of mine) {
        const n = u.buildings.length;
        if (!passOk(s, a, c, u.g, n)) continue;
        const sideU = side(s, a, c, u.g, n, u.load);
        if (lc + u.load <= s.workers[c]!.cap) {
          const peak = Math.max(top - u.load, lc + u.load);
          if (better(peak, sideU) && okSpec(s.spec[a]! - u.special, s.spec[c]! + u.special)) {
            best = peak;
            bestSide = sideU;
            bestMoves = u.buildings.map((b) => [b, c] as [number, number]);
            bestC = c;
          }
        }
        for (const v of theirs) {
          if (v.load >= u.load) continue;
          const peak = Math.max(top - u.load + v.load, lc + u.load - v.load);
          if (peak > best + 1e-9 || lc + u.load - v.load > s.workers[c]!.cap) continue;
          if (!okSpec(s.spec[a]! - u.special + v.special, s.spec[c]! + u.special - v.special)) continue;
          const sideCost = v.g === u.g ? 0 : sideU + side(s, c, a, v.g, v.buildings.length, v.load);
          if (!better(peak, sideCost) || (v.g !== u.g && !passOk(s, c, a, v.g, v.buildings.length))) continue;
          best = peak;
          bestSide = sideCost;
          bestMoves = [
            ...u.buildings.map((b) => [b, c] as [number, number]),
            ...v.buildings.map((b) => [b, a] as [number, number]),
          ];
          bestC = c;
        }
      }
    }
    if (bestMoves !== null && tryApply(s, bestMoves, [a, bestC])) {
      cache[a] = null;
      cache[bestC] = null;
      continue;
    }
    // No single move or swap helps: re-cut the max worker's units with one other worker's.
    if (!repartition(s, a, specMin, specMax)) return;
    cache.fill(null);
  }
}

/** Workers tried for a pair re-cut with the max worker (all of them in small communities). */
const PAIR_CANDIDATES = 12;

/**
 * Re-cuts the movable units of the max worker a and of one other worker as evenly as whole units
 * allow (subset-sum over rounded loads), keeping special loads within the window. Applies the
 * first pair, lightest partners first, whose re-cut lowers a's load and passes the guard.
 */
function repartition(s: State, a: number, specMin: number, specMax: number): boolean {
  const top = s.load[a]!;
  const partners = s.workers
    .map((_, w) => w)
    .filter((w) => w !== a && s.workers[w]!.cap > 0)
    .sort((x, y) => s.load[x]! - s.load[y]! || x - y)
    .slice(0, PAIR_CANDIDATES);
  for (const c of partners) {
    const movable = [
      ...unitsOf(s, a).map((u) => ({ u, from: a })),
      ...unitsOf(s, c).map((u) => ({ u, from: c })),
    ].filter(({ u }) => eligibleBoth(s, a, c, u.g));
    if (movable.length < 2 || movable.length > 40) continue;
    let fixedA = s.load[a]!;
    let fixedC = s.load[c]!;
    for (const { u, from } of movable) {
      if (from === a) fixedA -= u.load;
      else fixedC -= u.load;
    }
    const loads = movable.map(({ u }) => Math.round(u.load));
    const total = loads.reduce((x, y) => x + y, 0);
    if (total > 20000) continue;
    // from[sum] = index of the item that first reached sum (+1); 0 = unreached.
    const reach = new Int32Array(total + 1);
    reach[0] = -1;
    for (let i = 0; i < loads.length; i += 1) {
      const l = loads[i]!;
      for (let sum = total; sum >= l; sum -= 1) if (reach[sum] === 0 && reach[sum - l] !== 0) reach[sum] = i + 1;
    }
    // a's share of the movable load: best peaks first.
    const sums: number[] = [];
    for (let sum = 0; sum <= total; sum += 1) if (reach[sum] !== 0) sums.push(sum);
    sums.sort((x, y) => Math.max(fixedA + x, fixedC + total - x) - Math.max(fixedA + y, fixedC + total - y) || x - y);
    for (const sum of sums.slice(0, 3)) {
      const peak = Math.max(fixedA + sum, fixedC + total - sum);
      if (peak >= top - 0.5) break;
      const toA = new Set<number>();
      for (let rest = sum; rest > 0; rest -= loads[reach[rest]! - 1]!) toA.add(reach[rest]! - 1);
      let sa = s.spec[a]!;
      let sc = s.spec[c]!;
      const changes: Array<[number, number]> = [];
      movable.forEach(({ u, from }, i) => {
        const to = toA.has(i) ? a : c;
        if (to === from) return;
        sa += to === a ? u.special : -u.special;
        sc += to === a ? -u.special : u.special;
        for (const b of u.buildings) changes.push([b, to]);
      });
      if (sa < specMin || sa > specMax || sc < specMin || sc > specMax) continue;
      if (changes.length > 0 && tryApply(s, changes, [a, c]) && s.load[a]! < top - 1e-9) return true;
    }
  }
  return false;
}

/** Whether both workers may hold buildings of g (so its buildings may pass either way). */
function eligibleBoth(s: State, a: number, c: number, g: number): boolean {
  return canTake(s, a, g) && canTake(s, c, g);
}

function specBounds(s: State): [number, number] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let w = 0; w < s.workers.length; w += 1) {
    if (s.workers[w]!.cap <= 0) continue;
    min = Math.min(min, s.spec[w]!);
    max = Math.max(max, s.spec[w]!);
  }
  return [min, max];
}

function loadBounds(s: State): [number, number] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let w = 0; w < s.workers.length; w += 1) {
    if (s.workers[w]!.cap <= 0) continue;
    min = Math.min(min, s.load[w]!);
    max = Math.max(max, s.load[w]!);
  }
  return [min, max];
}

/**
 * Brings work nearer home and merges splits without giving up any balance: only moves and swaps
 * that keep every load and special load within the bounds already reached.
 */
export function improveProximity(s: State, maxPasses = 20): void {
  const ctx = context(s);
  const [lo, hi] = loadBounds(s);
  const [slo, shi] = specBounds(s);
  const within = (l: number, sp: number) => l >= lo - 1e-9 && l <= hi + 1e-9 && sp >= slo && sp <= shi;
  const changed = new Int32Array(s.workers.length);
  for (let pass = 1; pass <= maxPasses; pass += 1) {
    ctx.owned = owned(s);
    let improved = 0;
    for (let b = 0; b < s.buildings.length; b += 1) {
      const a = s.owner[b]!;
      if (a < 0 || s.pinned[b] === 1) continue;
      const bd = s.buildings[b]!;
      const g = bd.g;
      const cands = candidates(s, ctx, g, a, false);
      if (pass > 1 && changed[a]! < pass - 1 && !cands.some((c) => changed[c]! >= pass - 1 && ctx.isLight[c] === 0))
        continue;
      let best = -1e-9;
      let bestMoves: Array<[number, number]> | null = null;
      let bestC = -1;
      const la = s.load[a]!;
      const sa = s.spec[a]!;
      for (const c of cands) {
        if (!passOk(s, a, c, g, 1)) continue;
        const lc = s.load[c]!;
        const sc = s.spec[c]!;
        const gainB = side(s, a, c, g, 1, bd.load);
        const kmDiff = km(s, c, g) - km(s, a, g);
        if (
          within(la - bd.load, sa - bd.special) &&
          within(lc + bd.load, sc + bd.special) &&
          lc + bd.load <= s.workers[c]!.cap
        ) {
          const gain = gainB;
          if (gain < best) {
            best = gain;
            bestMoves = [[b, c]];
            bestC = c;
          }
        }
        for (const b2 of ctx.owned[c]!) {
          if (s.owner[b2] !== c || s.pinned[b2] === 1) continue;
          const o = s.buildings[b2]!;
          const dl = bd.load - o.load;
          const ds = bd.special - o.special;
          if (!within(la - dl, sa - ds) || !within(lc + dl, sc + ds)) continue;
          if (lc + dl > s.workers[c]!.cap || la - dl > s.workers[a]!.cap) continue;
          const gain =
            o.g === g
              ? (KM * s.distancePerKm * dl * kmDiff) / Math.max(s.target, 1e-9)
              : gainB + side(s, c, a, o.g, 1, o.load);
          if (gain >= best || (o.g !== g && !passOk(s, c, a, o.g, 1))) continue;
          best = gain;
          bestMoves = [
            [b, c],
            [b2, a],
          ];
          bestC = c;
        }
      }
      if (bestMoves !== null && tryApply(s, bestMoves, [a, bestC])) {
        improved += 1;
        changed[a] = pass;
        changed[bestC] = pass;
      }
    }
    if (!improved) break;
  }
}

/** A worker's whole part of a grid, as the item search sees it. */
interface Part {
  w: number;
  g: number;
  buildings: number[];
  load: number;
  special: number;
}

function partsOf(s: State, w: number): Part[] {
  const out: Part[] = [];
  for (const [g, count] of s.held[w]!) {
    const bs = partOf(s, w, g);
    if (bs.length !== count) continue; // pinned buildings stay
    let load = 0;
    let special = 0;
    for (const b of bs) {
      load += s.buildings[b]!.load;
      special += s.buildings[b]!.special;
    }
    out.push({ w, g, buildings: bs, load, special });
  }
  return out;
}

/**
 * Balances by moving and swapping whole parts (a grid held whole is one part) between any two
 * workers, best improvement per part, until a pass changes nothing: grids stay whole.
 */
export function improveItems(s: State, maxPasses = 30): void {
  const avail = s.workers.map((_, w) => w).filter((w) => s.workers[w]!.cap > 0);
  const parts = s.workers.map((_, w) => partsOf(s, w));
  let lastScore = totalScore(s);
  // Everyone is a candidate in a small community; in a big one, the people near the grid, its
  // holders, and those furthest below the averages (so that load can always flow to them).
  const everyone = avail.length <= ITEM_ALL;
  const ctx = everyone ? null : context(s);
  const seen = new Int32Array(s.workers.length);
  let stamp = 0;
  for (let pass = 0; pass < maxPasses; pass += 1) {
    let improved = 0;
    const pool = everyone
      ? []
      : [
          ...lightest(s, ITEM_POOL),
          ...avail
            .slice()
            .sort((x, y) => s.spec[x]! - s.spec[y]! || x - y)
            .slice(0, ITEM_POOL),
        ];
    for (const a of avail) {
      for (const p of [...parts[a]!]) {
        if (!parts[a]!.includes(p)) continue; // moved away this pass
        let cands = avail;
        if (ctx) {
          stamp += 1;
          cands = [];
          const add = (w: number) => {
            if (seen[w] !== stamp && s.workers[w]!.cap > 0) {
              seen[w] = stamp;
              cands.push(w);
            }
          };
          for (const w of ctx.near[p.g]!) add(w);
          for (const w of s.holders[p.g]!.keys()) add(w);
          for (const g of s.held[a]!.keys()) for (const w of ctx.near[g]!) add(w);
          for (const w of pool) add(w);
        }
        const step = bestItemStep(s, cands, parts, a, p);
        if (step === null || !tryApply(s, step.moves, [a, step.c])) continue;
        improved += 1;
        parts[a] = partsOf(s, a);
        parts[step.c] = partsOf(s, step.c);
      }
    }
    const score = totalScore(s);
    // Stop when a pass no longer buys a meaningful improvement.
    if (!improved || lastScore - score < STOP * lastScore) break;
    lastScore = score;
  }
}

function bestItemStep(
  s: State,
  avail: number[],
  parts: Part[][],
  a: number,
  p: Part,
): { moves: Array<[number, number]>; c: number } | null {
  const la = s.load[a]!;
  const sa = s.spec[a]!;
  const capA = s.workers[a]!.cap;
  const scoreA = workerScore(s, la, sa);
  let best = -EPS;
  let moves: Array<[number, number]> | null = null;
  let bestC = -1;
  const count = p.buildings.length;
  for (const c of avail) {
    if (c === a || !canTake(s, c, p.g) || !passOk(s, a, c, p.g, count)) continue;
    const lc = s.load[c]!;
    const sc = s.spec[c]!;
    const capC = s.workers[c]!.cap;
    const before = scoreA + workerScore(s, lc, sc);
    const sideP = side(s, a, c, p.g, count, p.load);
    if (lc + p.load <= capC) {
      const d =
        workerScore(s, la - p.load, sa - p.special) + workerScore(s, lc + p.load, sc + p.special) - before + sideP;
      if (d < best) {
        best = d;
        moves = p.buildings.map((b) => [b, c] as [number, number]);
        bestC = c;
      }
    }
    for (const q of parts[c]!) {
      if (q.g === p.g) continue;
      const dl = p.load - q.load;
      const ds = p.special - q.special;
      if (lc + dl > capC || la - dl > capA) continue;
      const d =
        workerScore(s, la - dl, sa - ds) +
        workerScore(s, lc + dl, sc + ds) -
        before +
        sideP +
        side(s, c, a, q.g, q.buildings.length, q.load);
      if (d >= best || !passOk(s, c, a, q.g, q.buildings.length)) continue;
      best = d;
      moves = [
        ...p.buildings.map((b) => [b, c] as [number, number]),
        ...q.buildings.map((b) => [b, a] as [number, number]),
      ];
      bestC = c;
    }
  }
  return moves === null ? null : { moves, c: bestC };
}

/**
 * Small communities only: iterated search on the max load. Kick (a few random moves or swaps of
 * units between the most loaded person and others, through the guard), push the max down again
 * (reduceMax with every shareable grid open), keep the result if the max (then the spread) fell,
 * else go back. Seeded from the instance: the same input gives the same plan.
 */
export function intensifyMax(s: State, kicks: number): void {
  const n = s.workers.length;
  const avail = s.workers.map((_, w) => w).filter((w) => s.workers[w]!.cap > 0);
  if (avail.length < 2) return;
  let seed = (s.buildings.length * 7919 + n * 104729) % 2147483647 || 1;
  const rand = (): number => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  const measure = (): [number, number] => {
    let max = 0;
    let sq = 0;
    for (const w of avail) {
      max = Math.max(max, s.load[w]!);
      sq += s.load[w]! * s.load[w]!;
    }
    return [max, sq];
  };
  let best = measure();
  let bestOwner = Int32Array.from(s.owner);
  const restore = (): void => {
    for (let b = 0; b < s.buildings.length; b += 1) if (s.owner[b] !== bestOwner[b]) moveBuilding(s, b, bestOwner[b]!);
  };
  const saved = s.grids.map((g) => g.maxHolders);
  for (const g of s.grids) if (g.cuttable) g.maxHolders = Math.max(g.maxHolders, g.buildings.length);
  for (let k = 0; k < kicks; k += 1) {
    for (let j = 0; j < 2; j += 1) {
      let a = avail[0]!;
      for (const w of avail) if (s.load[w]! > s.load[a]!) a = w;
      if (rand() < 0.5) a = avail[Math.floor(rand() * avail.length)]!;
      const c = avail[Math.floor(rand() * avail.length)]!;
      if (c === a) continue;
      const ua = unitsOf(s, a);
      const uc = unitsOf(s, c);
      const u = ua[Math.floor(rand() * ua.length)];
      if (!u) continue;
      const v = rand() < 0.5 ? uc[Math.floor(rand() * uc.length)] : undefined;
      const moves: Array<[number, number]> = u.buildings.map((b) => [b, c]);
      if (v) for (const b of v.buildings) moves.push([b, a]);
      tryApply(s, moves, [a, c]);
    }
    reduceMaxSteps(s, 200, false);
    const now = measure();
    if (now[0] < best[0] - 1e-9 || (now[0] <= best[0] + 1e-9 && now[1] < best[1] - 1e-9)) {
      best = now;
      bestOwner = Int32Array.from(s.owner);
    } else restore();
  }
  s.grids.forEach((g, i) => {
    g.maxHolders = Math.max(saved[i]!, s.holders[i]!.size);
  });
}

/**
 * Last repair of the special-needs spread: the person with the most special-needs residents (or
 * the fewest) trades a unit with anyone — a move or a swap — that brings them inside without
 * making a new extreme on either measure: every load stays within the least and the most load of
 * now, and the other person's count stays strictly between the least and the most. Repeated while
 * a step helps (each one lowers the spread's count at an extreme).
 */
export function repairSpecial(s: State, maxSteps = 400): void {
  const avail = s.workers.map((_, w) => w).filter((w) => s.workers[w]!.cap > 0);
  if (avail.length < 3) return;
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  for (const w of avail) {
    lo = Math.min(lo, s.load[w]!);
    hi = Math.max(hi, s.load[w]!);
  }
  const cache: Array<Unit[] | null> = s.workers.map(() => null);
  const unitsOfW = (w: number): Unit[] =>
    (cache[w] ??= unitsOf(s, w).filter((u) => u.buildings.every((b) => s.pinned[b] === 0)));
  for (let step = 0; step < maxSteps; step += 1) {
    let smin = Number.POSITIVE_INFINITY;
    let smax = Number.NEGATIVE_INFINITY;
    let top = -1;
    let bottom = -1;
    for (const w of avail) {
      if (s.spec[w]! > smax) {
        smax = s.spec[w]!;
        top = w;
      }
      if (s.spec[w]! < smin) {
        smin = s.spec[w]!;
        bottom = w;
      }
    }
    if (smax - smin <= 1) return;
    // The extreme further from the average goes first.
    const high = smax - s.targetSpecial >= s.targetSpecial - smin;
    const a = high ? top : bottom;
    let best: { moves: Array<[number, number]>; c: number; cost: number } | null = null;
    for (const c of avail) {
      if (c === a) continue;
      const ua = unitsOfW(a);
      const uc = unitsOfW(c);
      const options: Array<{ give: Unit | null; take: Unit | null }> = [];
      for (const u of ua) options.push({ give: u, take: null });
      for (const v of uc) options.push({ give: null, take: v });
      for (const u of ua) for (const v of uc) options.push({ give: u, take: v });
      for (const { give, take } of options) {
        const dl = (give?.load ?? 0) - (take?.load ?? 0);
        const ds = (give?.special ?? 0) - (take?.special ?? 0);
        if (high ? ds <= 0 : ds >= 0) continue;
        const sa = s.spec[a]! - ds;
        const sc = s.spec[c]! + ds;
        if (sa <= smin || sa >= smax || sc <= smin || sc >= smax) continue;
        const la = s.load[a]! - dl;
        const lc = s.load[c]! + dl;
        if (la < lo - 1e-9 || la > hi + 1e-9 || lc < lo - 1e-9 || lc > hi + 1e-9) continue;
        if (la > s.workers[a]!.cap + 1e-9 || lc > s.workers[c]!.cap + 1e-9) continue;
        if (give && take && give.g === take.g && (give.buildings.length !== 1 || take.buildings.length !== 1)) continue;
        const sameGrid = give && take && give.g === take.g;
        if (give && !sameGrid && !passOk(s, a, c, give.g, give.buildings.length)) continue;
        if (take && !sameGrid && !passOk(s, c, a, take.g, take.buildings.length)) continue;
        const cost =
          (give && !sameGrid ? side(s, a, c, give.g, give.buildings.length, give.load) : 0) +
          (take && !sameGrid ? side(s, c, a, take.g, take.buildings.length, take.load) : 0) +
          Math.abs(sa - s.targetSpecial) / Math.max(1, s.targetSpecial);
        if (best && cost >= best.cost) continue;
        best = {
          moves: [
            ...(give?.buildings ?? []).map((b) => [b, c] as [number, number]),
            ...(take?.buildings ?? []).map((b) => [b, a] as [number, number]),
          ],
          c,
          cost,
        };
      }
    }
    if (!best || !tryApply(s, best.moves, [a, best.c])) return;
    cache[a] = null;
    cache[best.c] = null;
  }
}
