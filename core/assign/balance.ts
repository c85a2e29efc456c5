/**
 * Balance search: brings every worker's load and special-needs count near the averages by moving
 * and swapping UNITS between two people — a grid the rule keeps whole moves as one unit, a grid
 * it lets be shared moves building by building (see ./types). It works on the people furthest
 * from the averages first, each against the people near their grids, the holders of their grids
 * and the people furthest the other way (lightest, fewest special-needs residents, and the
 * reverse), so that a surplus can always meet a shortfall. Every step lowers the balance score
 * (plus the small costs of one more share of a grid and of distance), through the hard-constraint
 * guard. Budgets are counted in passes, never in time.
 */
import { canTake, type State } from './state';
import { passOk, side, tryApply, unitsOf, workerScore, type Unit } from './search';

/** Nearest eligible workers per grid considered. */
const NEAR = 8;
/** Workers furthest from the averages, each way and on each measure, offered to everyone. */
const EXTREMES = Number(process.env.EXT ?? 6);
const EPS = 1e-12;

function nearLists(s: State): number[][] {
  return s.grids.map((_, g) => {
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

/** The `n` available workers with the least (sign −1: the most) of `key`. */
function extremes(s: State, key: Float64Array, n: number, sign: 1 | -1): number[] {
  return s.workers
    .map((_, w) => w)
    .filter((w) => s.workers[w]!.cap > 0)
    .sort((a, b) => sign * (key[a]! - key[b]!) || a - b)
    .slice(0, n);
}

interface Step {
  moves: Array<[number, number]>;
  c: number;
  gain: number;
}

/** The best move or swap of units between a and c (either way), or `best` when none beats it. */
function bestPairStep(s: State, a: number, c: number, ua: Unit[], uc: Unit[], best: Step | null): Step | null {
  const la = s.load[a]!;
  const sa = s.spec[a]!;
  const lc = s.load[c]!;
  const sc = s.spec[c]!;
  const capA = s.workers[a]!.cap + 1e-9;
  const capC = s.workers[c]!.cap + 1e-9;
  const before = workerScore(s, la, sa) + workerScore(s, lc, sc);
  let bestGain = best ? best.gain : EPS;
  let out = best;
  /** Gain of moving (dl, ds) from a to c with these side costs, or -Infinity if a capacity breaks. */
  const gainOf = (dl: number, ds: number, sides: number): number => {
    if (lc + dl > capC || la - dl > capA) return Number.NEGATIVE_INFINITY;
    return before - workerScore(s, la - dl, sa - ds) - workerScore(s, lc + dl, sc + ds) - sides;
  };
  // What each unit may do between the two, and its side cost (computed once per pair).
  const sideU = ua.map((u) =>
    passOk(s, a, c, u.g, u.buildings.length) ? side(s, a, c, u.g, u.buildings.length, u.load) : NaN,
  );
  const sideV = uc.map((v) =>
    passOk(s, c, a, v.g, v.buildings.length) ? side(s, c, a, v.g, v.buildings.length, v.load) : NaN,
  );
  for (let i = 0; i < ua.length; i += 1) {
    const u = ua[i]!;
    const su = sideU[i]!;
    if (!Number.isNaN(su)) {
      const gain = gainOf(u.load, u.special, su);
      if (gain > bestGain) {
        bestGain = gain;
        out = { moves: u.buildings.map((b) => [b, c]), c, gain };
      }
    }
    for (let j = 0; j < uc.length; j += 1) {
      const v = uc[j]!;
      let gain: number;
      if (v.g === u.g) {
        // Two buildings of one shared grid trade places: no share changes hands.
        if (u.buildings.length !== 1 || v.buildings.length !== 1) continue;
        if (u.load === v.load && u.special === v.special) continue;
        gain = gainOf(u.load - v.load, u.special - v.special, 0);
      } else {
        const sv = sideV[j]!;
        if (Number.isNaN(su) || Number.isNaN(sv)) continue;
        gain = gainOf(u.load - v.load, u.special - v.special, su + sv);
      }
      if (gain > bestGain) {
        bestGain = gain;
        out = {
          moves: [
            ...u.buildings.map((b) => [b, c] as [number, number]),
            ...v.buildings.map((b) => [b, a] as [number, number]),
          ],
          c,
          gain,
        };
      }
    }
  }
  // Pulls: a unit of c to a.
  for (let j = 0; j < uc.length; j += 1) {
    const v = uc[j]!;
    const sv = sideV[j]!;
    if (Number.isNaN(sv)) continue;
    const gain = gainOf(-v.load, -v.special, sv);
    if (gain > bestGain) {
      bestGain = gain;
      out = { moves: v.buildings.map((b) => [b, a]), c, gain };
    }
  }
  return out;
}

/** Lowers the balance score by moves and swaps of units, the worst-off people first; see the header. */
export function balance(s: State, maxPasses = 40): void {
  const near = nearLists(s);
  const n = s.workers.length;
  const seen = new Int32Array(n);
  let stamp = 0;
  // Units per worker, recomputed only for the workers a step changed.
  const units: Array<Unit[] | null> = s.workers.map(() => null);
  const unitsOfW = (w: number): Unit[] => {
    let list = units[w];
    if (!list) {
      list = unitsOf(s, w).filter((u) => u.buildings.every((b) => s.pinned[b] === 0));
      units[w] = list;
    }
    return list;
  };
  // Inside the band, the score is the gentle quadratic only: workers above this are outside it.
  const steep = workerScore(s, s.target * (1 + s.band), s.targetSpecial * (1 + s.bandSpecial)) / 2;
  for (let pass = 0; pass < maxPasses; pass += 1) {
    const scores = new Float64Array(n);
    for (let w = 0; w < n; w += 1) if (s.workers[w]!.cap > 0) scores[w] = workerScore(s, s.load[w]!, s.spec[w]!);
    const pool = [
      ...extremes(s, s.load, EXTREMES, 1),
      ...extremes(s, s.load, EXTREMES, -1),
      ...extremes(s, s.spec, EXTREMES, 1),
      ...extremes(s, s.spec, EXTREMES, -1),
    ];
    // The people outside the band (or, once all are inside, the worst tenth), worst first.
    let order = s.workers
      .map((_, w) => w)
      .filter((w) => s.workers[w]!.cap > 0 && scores[w]! > steep)
      .sort((x, y) => scores[y]! - scores[x]! || x - y);
    if (order.length === 0) {
      order = s.workers
        .map((_, w) => w)
        .filter((w) => s.workers[w]!.cap > 0 && scores[w]! > 0)
        .sort((x, y) => scores[y]! - scores[x]! || x - y);
      order = order.slice(0, Math.ceil(order.length / 10));
    }
    let improved = 0;
    for (const a of order) {
      const ua = unitsOfW(a);
      stamp += 1;
      seen[a] = stamp;
      const cands: number[] = [];
      const add = (w: number) => {
        if (seen[w] !== stamp && s.workers[w]!.cap > 0) {
          seen[w] = stamp;
          cands.push(w);
        }
      };
      for (const g of s.held[a]!.keys()) {
        for (const w of s.holders[g]!.keys()) add(w);
        for (const w of near[g]!) add(w);
      }
      for (const w of pool) add(w);
      let best: Step | null = null;
      for (const c of cands) {
        const uc = unitsOfW(c);
        if (ua.every((u) => !canTake(s, c, u.g)) && uc.every((v) => !canTake(s, a, v.g))) continue;
        best = bestPairStep(s, a, c, ua, uc, best);
      }
      if (best && tryApply(s, best.moves, [a, best.c])) {
        improved += 1;
        units[a] = null;
        units[best.c] = null;
      }
    }
    if (improved === 0) break;
  }
}
