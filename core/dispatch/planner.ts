import { seededRng } from '../random';
import { dispatchParams, tripTiming, tripTimeFromFloors } from './time-model';
import type {
  DispatchBuilding,
  DispatchInput,
  DispatchOrder,
  DispatchParams,
  DispatchPlan,
  DispatchVolunteer,
  OrderAssignment,
  Trip,
} from './types';

interface WorkTrip {
  building: DispatchBuilding;
  /** Delivery order: floor ascending, then id. */
  orders: DispatchOrder[];
  weightKg: number;
  durationS: number;
  wave: 1 | 2;
  /** Earliest deadline on the trip (Infinity: none). */
  deadlineS: number;
  /** Creation sequence: the stable tie-break and the order of trips of one wave. */
  seq: number;
}

interface Worker {
  v: DispatchVolunteer;
  busyS: number;
  allowed: ReadonlySet<string> | null;
  trips: WorkTrip[];
  /** busyS + the durations of its trips. */
  finishS: number;
  lastBuildingId: string | null;
}

const EPS = 1e-6;
/** Makespan given up, at most, for a schedule whose volunteers finish closer together. */
const FAIR_SLACK = 0.02;

function byId<T extends { id: string }>(a: T, b: T): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Orders of one trip sorted for delivery: bottom-up, then by id. */
function deliverySort(a: DispatchOrder, b: DispatchOrder): number {
  return a.floor - b.floor || byId(a, b);
}

function isUrgent(o: DispatchOrder): boolean {
  return o.priority || o.medicine || o.deadlineS !== null;
}

function canServe(w: Worker, buildingId: string, weightKg: number): boolean {
  return w.v.capacityKg + EPS >= weightKg && (w.allowed === null || w.allowed.has(buildingId));
}

function makeTrip(building: DispatchBuilding, orders: DispatchOrder[], seq: number, p: DispatchParams): WorkTrip {
  const sorted = [...orders].sort(deliverySort);
  const floors: number[] = [];
  let weightKg = 0;
  let deadlineS = Infinity;
  let wave: 1 | 2 = 2;
  for (const o of sorted) {
    if (floors[floors.length - 1] !== o.floor) floors.push(o.floor);
    weightKg += o.weightKg;
    if (o.deadlineS !== null && o.deadlineS < deadlineS) deadlineS = o.deadlineS;
    if (isUrgent(o)) wave = 1;
  }
  const durationS = tripTimeFromFloors(sorted.length, floors, building, p);
  return { building, orders: sorted, weightKg, durationS, wave, deadlineS, seq };
}

/** A worker's trips in execution order: wave 1 by earliest deadline, then wave 2, stable by seq. */
function executionOrder(trips: readonly WorkTrip[]): WorkTrip[] {
  return [...trips].sort((a, b) => a.wave - b.wave || (a.wave === 1 ? a.deadlineS - b.deadlineS : 0) || a.seq - b.seq);
}

/** Whether every deadline on a worker is met with the given trips (time model offsets). */
function deadlinesMet(w: Worker, trips: readonly WorkTrip[], p: DispatchParams): boolean {
  let t = w.busyS;
  for (const trip of executionOrder(trips)) {
    if (trip.wave === 2) break;
    if (trip.deadlineS !== Infinity) {
      const offsets = tripTiming(trip.orders, trip.building, p).deliverOffsetsS;
      for (let i = 0; i < trip.orders.length; i += 1) {
        const o = trip.orders[i];
        if (o && o.deadlineS !== null && t + (offsets[i] ?? 0) > o.deadlineS + EPS) return false;
      }
    }
    t += trip.durationS;
  }
  return true;
}

/** First-fit of candidates into the remaining capacity; returns the chosen orders. */
function firstFit(candidates: readonly DispatchOrder[], capacityKg: number, taken: Set<string>): DispatchOrder[] {
  const chosen: DispatchOrder[] = [];
  let left = capacityKg + EPS;
  for (const o of candidates) {
    if (taken.has(o.id) || o.weightKg > left) continue;
    chosen.push(o);
    taken.add(o.id);
    left -= o.weightKg;
  }
  return chosen;
}

/**
 * The orders a volunteer of `capacityKg` takes next from one building.
 * Deadline orders first: earliest deadline first, then topped up with other orders of the
 * building — the floors already visited, then the floors below the top one (no extra climb),
 * highest first, then those above. Otherwise from the top floor down, so one trip covers a run of
 * adjacent floors of the stairwell.
 */
function nextChunk(
  pool: { w1: DispatchOrder[]; w2: DispatchOrder[] },
  wave: 1 | 2,
  capacityKg: number,
): DispatchOrder[] {
  const taken = new Set<string>();
  if (wave === 2) {
    const chosen = firstFit(pool.w2, capacityKg, taken);
    pool.w2 = pool.w2.filter((o) => !taken.has(o.id));
    return chosen;
  }
  const chosen = firstFit(pool.w1, capacityKg, taken);
  pool.w1 = pool.w1.filter((o) => !taken.has(o.id));
  const floors = new Set(chosen.map((o) => o.floor));
  const top = Math.max(...chosen.map((o) => o.floor));
  const left = capacityKg - chosen.reduce((s, o) => s + o.weightKg, 0);
  const rank = (o: DispatchOrder): number => (floors.has(o.floor) ? 0 : o.floor <= top ? 1 : 2);
  // pool.w2 is top-down already: a stable sort by rank keeps floors below the top highest first;
  // above the top, the nearest first.
  const candidates = [...pool.w2].sort((a, b) => rank(a) - rank(b) || (rank(a) === 2 ? a.floor - b.floor : 0));
  const topUp = firstFit(candidates, left, taken);
  if (topUp.length > 0) pool.w2 = pool.w2.filter((o) => !taken.has(o.id));
  return [...chosen, ...topUp];
}

interface Pools {
  byBuilding: Map<string, { w1: DispatchOrder[]; w2: DispatchOrder[] }>;
}

/** A building with work left in the current wave. */
interface OpenBuilding {
  building: DispatchBuilding;
  pool: { w1: DispatchOrder[]; w2: DispatchOrder[] };
  /** The lightest order left (a volunteer who cannot carry it cannot take anything here). */
  minKg: number;
  /** Earliest deadline left (wave 1). */
  deadlineS: number;
  /** Rough length of a trip there: the walk and the climb to the top (longest trips first). */
  reachS: number;
}

function chooseBuilding(w: Worker, open: readonly OpenBuilding[], wave: 1 | 2): OpenBuilding | null {
  let best: OpenBuilding | null = null;
  for (const o of open) {
    if (!canServe(w, o.building.id, o.minKg)) continue;
    if (!best) {
      best = o;
      continue;
    }
    const mine = Number(w.lastBuildingId !== o.building.id);
    const theirs = Number(w.lastBuildingId !== best.building.id);
    // Wave 1: earliest deadline first. Wave 2: the volunteer's own stairwell, else the longest trip first.
    const better =
      wave === 1
        ? o.deadlineS < best.deadlineS - EPS ||
          (Math.abs(o.deadlineS - best.deadlineS) <= EPS &&
            (mine < theirs || (mine === theirs && o.reachS > best.reachS + EPS)))
        : mine < theirs || (mine === theirs && o.reachS > best.reachS + EPS);
    if (better) best = o;
  }
  return best;
}

/**
 * Greedy list schedule, wave 1 then wave 2: the earliest-free volunteer who can carry something
 * takes the next trip, sized to their own capacity (ties: volunteer id, building id).
 */
function greedySchedule(
  workers: Worker[],
  pools: Pools,
  buildings: ReadonlyMap<string, DispatchBuilding>,
  p: DispatchParams,
  scale: number,
): number {
  let seq = 0;
  const ids = [...pools.byBuilding.keys()].sort();
  for (const wave of [1, 2] as const) {
    for (;;) {
      const open: OpenBuilding[] = [];
      for (const id of ids) {
        const pool = pools.byBuilding.get(id);
        const building = buildings.get(id);
        const list = wave === 1 ? pool?.w1 : pool?.w2;
        if (!pool || !building || !list || list.length === 0) continue;
        let minKg = Infinity;
        let deadlineS = Infinity;
        for (const o of list) {
          minKg = Math.min(minKg, o.weightKg);
          deadlineS = Math.min(deadlineS, o.deadlineS ?? Infinity);
        }
        const climb = (building.floors - 1) * (building.hasLift ? p.liftPerFloorS : p.stairUpPerFloorS);
        open.push({ building, pool, minKg, deadlineS, reachS: building.distanceM / p.walkMps + climb });
      }
      if (open.length === 0) break;
      let best: Worker | null = null;
      let target: OpenBuilding | null = null;
      for (const w of workers) {
        if (best && w.finishS >= best.finishS - EPS) continue;
        const choice = chooseBuilding(w, open, wave);
        if (choice) {
          best = w;
          target = choice;
        }
      }
      if (!best || !target) break; // nobody can carry what is left (reported as unassigned)
      let chunk = nextChunk(target.pool, wave, best.v.capacityKg * scale);
      if (chunk.length === 0) chunk = nextChunk(target.pool, wave, best.v.capacityKg);
      if (chunk.length === 0) break;
      const trip = makeTrip(target.building, chunk, seq, p);
      seq += 1;
      best.trips.push(trip);
      best.finishS += trip.durationS;
      best.lastBuildingId = target.building.id;
    }
  }
  return seq;
}

function removeTrip(w: Worker, trip: WorkTrip): void {
  w.trips = w.trips.filter((t) => t !== trip);
  w.finishS -= trip.durationS;
}

function addTrip(w: Worker, trip: WorkTrip): void {
  w.trips.push(trip);
  w.finishS += trip.durationS;
}

/** Whether v giving `give` to u and taking `take` from u keeps every deadline on both. */
function exchangeKeepsDeadlines(
  v: Worker,
  u: Worker,
  give: readonly WorkTrip[],
  take: readonly WorkTrip[],
  p: DispatchParams,
): boolean {
  if (give.every((t) => t.deadlineS === Infinity) && take.every((t) => t.deadlineS === Infinity)) return true;
  return (
    deadlinesMet(v, [...v.trips.filter((t) => !give.includes(t)), ...take], p) &&
    deadlinesMet(u, [...u.trips.filter((t) => !take.includes(t)), ...give], p)
  );
}

/**
 * Two-for-one exchanges of trips between `v` and another volunteer: v gives two trips and
 * takes one shorter than both, or gives one and takes two shorter together. Applied when it
 * lowers the larger finish time of the pair below `target`.
 */
function exchangePairs(v: Worker, workers: readonly Worker[], target: number, p: DispatchParams): boolean {
  const mine = v.trips;
  let best: { give: WorkTrip[]; take: WorkTrip[]; u: Worker; pairMax: number } | null = null;
  const fits = (w: Worker, t: WorkTrip): boolean => canServe(w, t.building.id, t.weightKg);
  for (const u of workers) {
    if (u === v) continue;
    const theirs = u.trips;
    for (let i = 0; i < mine.length; i += 1) {
      const a = mine[i] as WorkTrip;
      if (!fits(u, a)) continue;
      for (let j = 0; j < theirs.length; j += 1) {
        const b = theirs[j] as WorkTrip;
        if (!fits(v, b)) continue;
        // v gives a and a2, takes b.
        for (let k = i + 1; k < mine.length; k += 1) {
          const a2 = mine[k] as WorkTrip;
          const d = a.durationS + a2.durationS - b.durationS;
          const pairMax = Math.max(v.finishS - d, u.finishS + d);
          if (d <= EPS || pairMax >= target - EPS || (best && pairMax >= best.pairMax - EPS) || !fits(u, a2)) continue;
          if (!exchangeKeepsDeadlines(v, u, [a, a2], [b], p)) continue;
          best = { give: [a, a2], take: [b], u, pairMax };
        }
        // v gives a, takes b and b2.
        for (let k = j + 1; k < theirs.length; k += 1) {
          const b2 = theirs[k] as WorkTrip;
          const d = a.durationS - b.durationS - b2.durationS;
          const pairMax = Math.max(v.finishS - d, u.finishS + d);
          if (d <= EPS || pairMax >= target - EPS || (best && pairMax >= best.pairMax - EPS) || !fits(v, b2)) continue;
          if (!exchangeKeepsDeadlines(v, u, [a], [b, b2], p)) continue;
          best = { give: [a], take: [b, b2], u, pairMax };
        }
      }
    }
  }
  if (!best) return false;
  for (const t of best.give) {
    removeTrip(v, t);
    addTrip(best.u, t);
  }
  for (const t of best.take) {
    removeTrip(best.u, t);
    addTrip(v, t);
  }
  return true;
}

/**
 * An ejection chain of depth two for the volunteer who finishes last: v hands a trip to u (or
 * swaps one for a shorter one), which overloads u; u then hands a trip to w (or swaps). Applied
 * when all three end before `target`. Moves and single swaps only, to stay fast.
 */
function chainMove(v: Worker, workers: readonly Worker[], target: number, p: DispatchParams): boolean {
  interface Op {
    give: WorkTrip;
    take: WorkTrip | null;
  }
  let best: { u: Worker; w: Worker; first: Op; second: Op; worst: number } | null = null;
  const earliestFirst = [...workers].sort((x, y) => x.finishS - y.finishS || byId(x.v, y.v));
  // Plain loops, no allocation per candidate: this runs over every pair of volunteers.
  for (const u of workers) {
    if (u === v) continue;
    for (const a of v.trips) {
      if (!canServe(u, a.building.id, a.weightKg)) continue;
      for (let bi = -1; bi < u.trips.length; bi += 1) {
        const b = bi < 0 ? null : (u.trips[bi] ?? null);
        if (b && (b.durationS >= a.durationS - EPS || !canServe(v, b.building.id, b.weightKg))) continue;
        const d1 = a.durationS - (b?.durationS ?? 0);
        const vAfter = v.finishS - d1;
        const uAfter = u.finishS + d1;
        if (vAfter >= target - EPS || uAfter < target - EPS) continue; // a plain move already does it
        if (best && vAfter >= best.worst - EPS) continue;
        // u must shed more than its excess, and w grows by that much: prune on both.
        const excess = uAfter - target;
        for (const w of earliestFirst) {
          if (w.finishS + excess >= (best?.worst ?? target) - EPS) break; // later w only grow
          if (w === v || w === u) continue;
          // What u holds after the first step: its trips but b, and a (index u.trips.length).
          for (let ci = 0; ci <= u.trips.length; ci += 1) {
            const c = ci === u.trips.length ? a : u.trips[ci];
            if (!c || c === b || c.durationS <= excess + EPS || !canServe(w, c.building.id, c.weightKg)) continue;
            for (let ei = -1; ei < w.trips.length; ei += 1) {
              const e = ei < 0 ? null : (w.trips[ei] ?? null);
              if (e && (e.durationS >= c.durationS - EPS || !canServe(u, e.building.id, e.weightKg))) continue;
              const d2 = c.durationS - (e?.durationS ?? 0);
              const worst = Math.max(vAfter, uAfter - d2, w.finishS + d2);
              if (worst >= target - EPS || (best && worst >= best.worst - EPS)) continue;
              best = { u, w, first: { give: a, take: b }, second: { give: c, take: e }, worst };
            }
          }
        }
      }
    }
  }
  if (!best) return false;
  const { u, w, first, second } = best;
  const swap = (x: Worker, y: Worker, op: Op): void => {
    removeTrip(x, op.give);
    addTrip(y, op.give);
    if (op.take) {
      removeTrip(y, op.take);
      addTrip(x, op.take);
    }
  };
  const snapshot = [v, u, w].map((x) => ({ x, trips: [...x.trips], finishS: x.finishS }));
  swap(v, u, first);
  swap(u, w, second);
  if ([v, u, w].every((x) => deadlinesMet(x, x.trips, p))) return true;
  for (const { x, trips, finishS } of snapshot) {
    x.trips = trips;
    x.finishS = finishS;
  }
  return false;
}

/**
 * One improving step for worker `v` against any other worker: the best move, else the best
 * swap, else (if allowed) the best split of one of its trips. A step strictly lowers the larger
 * finish time of the pair, so the sorted vector of finish times falls and the search ends.
 */
function improveOnce(
  v: Worker,
  workers: readonly Worker[],
  p: DispatchParams,
  allowSplit: boolean,
  seqAfter: () => number,
  deep = false,
): boolean {
  const target = v.finishS;
  // The earliest finish of anyone else: nothing longer than the gap to it can move.
  let room = Infinity;
  for (const w of workers) if (w !== v && w.finishS < room) room = w.finishS;
  room = target - room;
  // Moves.
  let bestMove: { t: WorkTrip; u: Worker; pairMax: number } | null = null;
  for (const t of v.trips) {
    if (t.durationS >= room - EPS) continue;
    for (const u of workers) {
      if (u === v || !canServe(u, t.building.id, t.weightKg)) continue;
      const pairMax = Math.max(v.finishS - t.durationS, u.finishS + t.durationS);
      if (pairMax >= target - EPS) continue;
      if (bestMove && pairMax >= bestMove.pairMax - EPS) continue;
      if (t.wave === 1 && t.deadlineS !== Infinity && !deadlinesMet(u, [...u.trips, t], p)) continue;
      bestMove = { t, u, pairMax };
    }
  }
  if (bestMove) {
    removeTrip(v, bestMove.t);
    addTrip(bestMove.u, bestMove.t);
    return true;
  }
  // Swaps (deadlines re-checked when a deadline trip changes hands).
  let bestSwap: { a: WorkTrip; b: WorkTrip; u: Worker; pairMax: number } | null = null;
  for (const a of v.trips) {
    for (const u of workers) {
      if (u === v || !canServe(u, a.building.id, a.weightKg)) continue;
      for (const b of u.trips) {
        if (b.durationS >= a.durationS - EPS || !canServe(v, b.building.id, b.weightKg)) continue;
        const d = a.durationS - b.durationS;
        const pairMax = Math.max(v.finishS - d, u.finishS + d);
        if (pairMax >= target - EPS) continue;
        if (bestSwap && pairMax >= bestSwap.pairMax - EPS) continue;
        if (!exchangeKeepsDeadlines(v, u, [a], [b], p)) continue;
        bestSwap = { a, b, u, pairMax };
      }
    }
  }
  if (bestSwap) {
    const { a, b, u } = bestSwap;
    removeTrip(v, a);
    removeTrip(u, b);
    addTrip(u, a);
    addTrip(v, b);
    return true;
  }
  if (deep && exchangePairs(v, workers, target, p)) return true;
  if (deep && chainMove(v, workers, target, p)) return true;
  if (!allowSplit) return false;
  // Splits: hand a run of floors of a wave-2 trip to a less busy volunteer.
  let bestSplit: { t: WorkTrip; k: number; giveUpper: boolean; u: Worker; pairMax: number } | null = null;
  for (const t of v.trips) {
    const n = t.orders.length;
    // Even one door of this trip, given away, must fit in the room left.
    if (n < 2 || tripTimeFromFloors(1, [t.orders[0]?.floor ?? 1], t.building, p) >= room - EPS) continue;
    const floorsOf = (list: readonly DispatchOrder[]): number[] => {
      const floors: number[] = [];
      for (const o of list) if (floors[floors.length - 1] !== o.floor) floors.push(o.floor);
      return floors;
    };
    for (let k = 1; k < n; k += 1) {
      const lower = t.orders.slice(0, k);
      const upper = t.orders.slice(k);
      const lowerS = tripTimeFromFloors(k, floorsOf(lower), t.building, p);
      const upperS = tripTimeFromFloors(n - k, floorsOf(upper), t.building, p);
      const lowerKg = lower.reduce((sum, o) => sum + o.weightKg, 0);
      for (const giveUpper of [true, false]) {
        const keepS = giveUpper ? lowerS : upperS;
        const giveS = giveUpper ? upperS : lowerS;
        const giveKg = giveUpper ? t.weightKg - lowerKg : lowerKg;
        const vFinish = v.finishS - t.durationS + keepS;
        if (vFinish >= target - EPS) continue;
        for (const u of workers) {
          if (u === v || !canServe(u, t.building.id, giveKg)) continue;
          const pairMax = Math.max(vFinish, u.finishS + giveS);
          if (pairMax >= target - EPS || (bestSplit && pairMax >= bestSplit.pairMax - EPS)) continue;
          bestSplit = { t, k, giveUpper, u, pairMax };
        }
      }
    }
  }
  if (bestSplit) {
    const { t, k, giveUpper, u } = bestSplit;
    const lower = t.orders.slice(0, k);
    const upper = t.orders.slice(k);
    const kept = makeTrip(t.building, giveUpper ? lower : upper, t.seq, p);
    const given = makeTrip(t.building, giveUpper ? upper : lower, seqAfter(), p);
    // A wave-1 split must keep every deadline on both sides (checked only for the best candidate).
    if (
      t.wave === 1 &&
      (!deadlinesMet(v, [...v.trips.filter((x) => x !== t), kept], p) || !deadlinesMet(u, [...u.trips, given], p))
    ) {
      return false;
    }
    removeTrip(v, t);
    addTrip(v, kept);
    addTrip(u, given);
    return true;
  }
  return false;
}

/**
 * Re-packs every trip, MULTIFIT style: guess a finish time C; place the wave-1 trips earliest
 * deadline first, then the wave-2 trips longest first, each on the eligible volunteer it fills
 * best (or, second try, the first that fits) without passing C or a deadline; bisect C. Applied
 * only when it finishes earlier than the schedule at hand.
 */
function refit(workers: Worker[], p: DispatchParams): boolean {
  const trips = workers.flatMap((w) => w.trips);
  if (trips.length === 0) return false;
  const eligible = new Map<WorkTrip, number[]>();
  const offsets = new Map<WorkTrip, number[]>();
  for (const t of trips) {
    const list: number[] = [];
    workers.forEach((w, i) => {
      if (canServe(w, t.building.id, t.weightKg)) list.push(i);
    });
    eligible.set(t, list);
    if (t.deadlineS !== Infinity) offsets.set(t, tripTiming(t.orders, t.building, p).deliverOffsetsS);
  }
  // Wave 1 earliest deadline first; wave 2 longest first, or (third try) the most restricted first.
  const order =
    (restrictedFirst: boolean) =>
    (a: WorkTrip, b: WorkTrip): number => {
      if (a.wave !== b.wave) return a.wave - b.wave;
      if (a.wave === 1) return a.deadlineS - b.deadlineS || a.seq - b.seq;
      const ea = eligible.get(a)?.length ?? 0;
      const eb = eligible.get(b)?.length ?? 0;
      return restrictedFirst
        ? ea - eb || b.durationS - a.durationS || a.seq - b.seq
        : b.durationS - a.durationS || ea - eb || a.seq - b.seq;
    };
  const onTime = (t: WorkTrip, startS: number): boolean => {
    const offs = offsets.get(t);
    if (!offs) return true;
    return t.orders.every((o, k) => o.deadlineS === null || startS + (offs[k] ?? 0) <= o.deadlineS + EPS);
  };
  const current = Math.max(...workers.map((w) => w.finishS));
  const pack = (list: readonly WorkTrip[], limit: number, bestFit: boolean): number[] | null => {
    const loads = workers.map((w) => w.busyS);
    const chosen: number[] = [];
    for (const t of list) {
      let best = -1;
      for (const i of eligible.get(t) ?? []) {
        const before = loads[i] ?? 0;
        if (before + t.durationS > limit + EPS || !onTime(t, before)) continue;
        if (best < 0 || (bestFit && before > (loads[best] ?? 0) + EPS)) best = i;
        if (!bestFit) break;
      }
      if (best < 0) return null;
      loads[best] = (loads[best] ?? 0) + t.durationS;
      chosen.push(best);
    }
    return chosen;
  };
  const total = workers.reduce((s, w) => s + w.busyS, 0) + trips.reduce((s, t) => s + t.durationS, 0);
  let best: { chosen: number[]; list: WorkTrip[]; limit: number } | null = null;
  const longestFirst = [...trips].sort(order(false));
  const restrictedFirst = [...trips].sort(order(true));
  for (const [list, bestFit] of [
    [longestFirst, true],
    [longestFirst, false],
    [restrictedFirst, true],
  ] as const) {
    let lo = Math.max(total / workers.length, ...workers.map((w) => w.busyS));
    let hi = Math.min(current, best?.limit ?? Infinity);
    for (let i = 0; i < 24 && hi - lo > 1; i += 1) {
      const mid = (lo + hi) / 2;
      const packed = pack(list, mid, bestFit);
      if (packed) {
        best = { chosen: packed, list, limit: mid };
        hi = mid;
      } else lo = mid;
    }
  }
  if (!best) return false;
  for (const w of workers) {
    w.trips = [];
    w.finishS = w.busyS;
  }
  best.list.forEach((t, k) => {
    const w = workers[best.chosen[k] ?? -1];
    if (!w) return;
    addTrip(w, t);
  });
  return true;
}

/**
 * Local improvement. First the makespan: the volunteer who finishes last moves, swaps,
 * exchanges (2-for-1, ejection chains) or splits trips towards earlier ones, until that no
 * longer helps. Then fairness below it: a few sweeps, most loaded first, of moves, swaps and
 * splits between any two volunteers. Every step lowers the larger finish time of the pair, so
 * the makespan never grows. Bounded by `improveRounds` steps.
 */
function improve(workers: Worker[], p: DispatchParams, firstSeq: number, fairness = true): number {
  // Exchanges and chains pay off when each volunteer has few trips; with many, moves and swaps
  // already balance finely and the deeper searches would cost more than they bring.
  const deep = workers.reduce((n, w) => n + w.trips.length, 0) <= 8 * workers.length;
  let seq = firstSeq;
  const nextSeq = (): number => (seq += 1);
  let budget = p.improveRounds;
  const byFinish = (a: Worker, b: Worker): number => b.finishS - a.finishS || byId(a.v, b.v);
  while (budget > 0) {
    const v = workers.reduce<Worker | null>((m, w) => (m === null || byFinish(w, m) < 0 ? w : m), null);
    if (!v || v.trips.length === 0 || !improveOnce(v, workers, p, true, nextSeq, deep)) break;
    budget -= 1;
  }
  for (let sweep = 0; fairness && sweep < 3 && budget > 0; sweep += 1) {
    let stepped = false;
    for (const v of [...workers].sort(byFinish)) {
      while (budget > 0 && v.trips.length > 0 && improveOnce(v, workers, p, true, nextSeq)) {
        budget -= 1;
        stepped = true;
      }
    }
    if (!stepped) break;
  }
  return seq;
}

function floorsText(floors: readonly number[]): string {
  const lo = floors[0] ?? 1;
  const hi = floors[floors.length - 1] ?? lo;
  return lo === hi ? `${lo}层` : `${lo}–${hi}层`;
}

function minutes(s: number): number {
  return Math.round(s / 60);
}

/** What the explanation of a trip draws on, from the final plan. */
interface ReasonContext {
  /** Earliest and latest finish over volunteers with work (seconds). */
  lowS: number;
  highS: number;
  /** Volunteers who may carry this trip (building and capacity). */
  carriers: number;
  /** Volunteers serving this building in the plan. */
  owners: number;
}

function tripReason(w: Worker, trip: WorkTrip, floors: readonly number[], tripCount: number, c: ReasonContext): string {
  const parts: string[] = [];
  if (trip.wave === 1) parts.push('第一波：含特殊需求/药品/限时订单，优先送');
  parts.push(`同楼${floorsText(floors)}${trip.orders.length}单合并一趟，共${trip.weightKg.toFixed(1)}kg`);
  if (w.v.buildingIds.length > 0) parts.push('该志愿者负责这栋楼');
  parts.push(
    `载重${w.v.capacityKg}kg装得下` + (c.carriers <= 3 ? `（能背这么重的在岗志愿者只有${c.carriers}位）` : ''),
  );
  parts.push(c.owners === 1 ? '一人包下这栋楼' : `这栋楼单多，由${c.owners}位志愿者分担`);
  const range =
    minutes(c.lowS) === minutes(c.highS) ? `${minutes(c.highS)}分钟` : `${minutes(c.lowS)}–${minutes(c.highS)}分钟`;
  parts.push(`共分到${tripCount}趟，约${minutes(w.finishS)}分钟送完（全体志愿者${range}内送完）`);
  return parts.join('；');
}

interface Held {
  w: Worker;
  t: WorkTrip;
}

/** Replaces a worker's trip by one with other orders (same seq), keeping finish times in step. */
function reload(h: Held, orders: DispatchOrder[], p: DispatchParams): void {
  const next = makeTrip(h.t.building, orders, h.t.seq, p);
  removeTrip(h.w, h.t);
  addTrip(h.w, next);
  h.t = next;
}

/**
 * Re-forms the ordinary (wave-2) trips of each building, whoever carries them: the lightest trip
 * is emptied into the room left on the others when that saves time (one walk there and back
 * less), then single orders move or swap between two trips where that shortens the pair (fewer
 * stops, a lower top floor). Every trip stays within its volunteer's capacity; deadline trips are
 * not touched. Returns whether anything changed (the loads then need re-balancing).
 */
function reform(workers: readonly Worker[], p: DispatchParams, passes = 2): boolean {
  const byBuilding = new Map<string, Held[]>();
  for (const w of workers) {
    for (const t of w.trips) {
      if (t.deadlineS !== Infinity) continue;
      const list = byBuilding.get(t.building.id) ?? [];
      list.push({ w, t });
      byBuilding.set(t.building.id, list);
    }
  }
  let changed = false;
  for (const id of [...byBuilding.keys()].sort()) {
    let list = byBuilding.get(id) ?? [];
    const building = list[0]?.t.building;
    if (!building || list.length < 2) continue;
    // 1. Empty the lightest trips into the others' room (times kept by shape: O(1) per try).
    for (let guard = 0; guard < list.length && list.length > 1; guard += 1) {
      let done = false;
      const lightest = [...list].sort((a, b) => a.t.weightKg - b.t.weightKg || a.t.seq - b.t.seq);
      // The six lightest: a fuller trip seldom fits in the others’ room.
      for (const cand of lightest.slice(0, 6)) {
        const others = list.filter((x) => x !== cand);
        const shapes = others.map((x) => {
          const sh = shapeOf(x.t);
          return { n: sh.n, k: sh.k, top: sh.top, counts: new Map(sh.counts), kg: x.t.weightKg, cap: x.w.v.capacityKg };
        });
        const added: DispatchOrder[][] = others.map(() => []);
        let cost = 0;
        let ok = true;
        for (const o of [...cand.t.orders].sort((a, b) => b.weightKg - a.weightKg || byId(a, b))) {
          const f = Math.max(1, o.floor);
          let best = -1;
          let bestDelta = Infinity;
          shapes.forEach((sh, k) => {
            if (sh.kg + o.weightKg > sh.cap + EPS) return;
            const fresh = (sh.counts.get(f) ?? 0) === 0;
            const after = timeOfShape(building, sh.n + 1, sh.k + (fresh && f > 1 ? 1 : 0), Math.max(sh.top, f), p);
            const delta = after - timeOfShape(building, sh.n, sh.k, sh.top, p);
            if (delta < bestDelta - EPS) {
              best = k;
              bestDelta = delta;
            }
          });
          const sh = shapes[best];
          if (!sh) {
            ok = false;
            break;
          }
          if ((sh.counts.get(f) ?? 0) === 0 && f > 1) sh.k += 1;
          sh.counts.set(f, (sh.counts.get(f) ?? 0) + 1);
          sh.n += 1;
          sh.top = Math.max(sh.top, f);
          sh.kg += o.weightKg;
          added[best]?.push(o);
          cost += bestDelta;
        }
        if (!ok || cost >= cand.t.durationS - EPS) continue;
        removeTrip(cand.w, cand.t);
        others.forEach((x, k) => {
          const more = added[k] ?? [];
          if (more.length > 0) reload(x, [...x.t.orders, ...more], p);
        });
        list = others;
        done = true;
        changed = true;
        break;
      }
      if (!done) break;
    }
    // 2. Move or swap single orders between two trips where the pair gets shorter.
    for (let pass = 0; pass < passes; pass += 1) {
      let stepped = false;
      for (let i = 0; i < list.length; i += 1) {
        for (let j = 0; j < list.length; j += 1) {
          const a = list[i];
          const b = list[j];
          if (!a || !b || i === j) continue;
          const before = a.t.durationS + b.t.durationS;
          const roomB = b.w.v.capacityKg + EPS - b.t.weightKg;
          const roomA = a.w.v.capacityKg + EPS - a.t.weightKg;
          let best: { give: DispatchOrder; take: DispatchOrder | null; gain: number } | null = null;
          for (const o of a.t.orders) {
            if (o.weightKg <= roomB && a.t.orders.length > 1) {
              const gain = before - editedTime(a.t, o, null, p) - editedTime(b.t, null, o, p);
              if (gain > EPS && (!best || gain > best.gain + EPS)) best = { give: o, take: null, gain };
            }
            for (const q of b.t.orders) {
              if (q.floor === o.floor) continue;
              const d = o.weightKg - q.weightKg;
              if (d > roomB || -d > roomA) continue;
              const gain = before - editedTime(a.t, o, q, p) - editedTime(b.t, q, o, p);
              if (gain > EPS && (!best || gain > best.gain + EPS)) best = { give: o, take: q, gain };
            }
          }
          if (!best) continue;
          const { give, take } = best;
          const nextA = a.t.orders.filter((x) => x !== give);
          const nextB = [...b.t.orders, give];
          if (take) {
            nextA.push(take);
            nextB.splice(nextB.indexOf(take), 1);
          }
          reload(a, nextA, p);
          reload(b, nextB, p);
          stepped = true;
          changed = true;
        }
      }
      if (!stepped) break;
    }
  }
  return changed;
}

/** Re-pack and improve while the makespan falls (each step is monotone; a few rounds at most). */
function rebalance(workers: Worker[], p: DispatchParams, firstSeq: number): number {
  let seq = firstSeq;
  for (let round = 0; round < 3; round += 1) {
    const before = Math.max(...workers.map((w) => w.finishS));
    if (!refit(workers, p) && round > 0) break;
    seq = improve(workers, p, seq, false);
    if (Math.max(...workers.map((w) => w.finishS)) >= before - EPS) break;
  }
  return improve(workers, p, seq);
}

/**
 * Fewer, fuller trips: re-forms them building by building (`reform`), balances again, and keeps
 * the result only if the makespan falls.
 */
function reformAndBalance(workers: Worker[], p: DispatchParams, firstSeq: number): void {
  const saved = workers.map((w) => ({ trips: [...w.trips], finishS: w.finishS }));
  const before = score(workers);
  if (!reform(workers, p)) return;
  // Re-balance: the full re-pack on plans of up to 120 trips, moves and swaps alone above (the
  // re-pack adds little there and costs most of the time).
  if (workers.reduce((n, w) => n + w.trips.length, 0) <= 120) rebalance(workers, p, firstSeq);
  else improve(workers, p, firstSeq);
  if (score(workers)[0] < before[0] - EPS) return;
  workers.forEach((w, i) => {
    w.trips = saved[i]?.trips ?? w.trips;
    w.finishS = saved[i]?.finishS ?? w.finishS;
  });
}

/** A sequence number above every trip's. */
function nextSeqOf(workers: readonly Worker[]): number {
  return 1 + Math.max(0, ...workers.flatMap((w) => w.trips.map((t) => t.seq)));
}

/** One complete schedule (greedy, re-pack, improvement) on fresh copies, trips at `scale` of capacity. */
function schedule(
  template: readonly Worker[],
  templatePools: Pools,
  buildings: ReadonlyMap<string, DispatchBuilding>,
  p: DispatchParams,
  scale: number,
): { workers: Worker[]; pools: Pools; makespanS: number } {
  const workers = template.map((w) => ({ ...w, trips: [], finishS: w.busyS, lastBuildingId: null }));
  const pools: Pools = { byBuilding: new Map() };
  for (const [id, pool] of templatePools.byBuilding) pools.byBuilding.set(id, { w1: [...pool.w1], w2: [...pool.w2] });
  let seq = greedySchedule(workers, pools, buildings, p, scale);
  seq = rebalance(workers, p, seq);
  perturb(workers, p, seq);
  const makespanS = Math.max(0, ...workers.filter((w) => w.trips.length > 0).map((w) => w.finishS));
  return { workers, pools, makespanS };
}

/** Makespan, then the sum of squared finish times (the spread): lower is better. */
function score(workers: readonly Worker[]): [number, number] {
  let max = 0;
  let squares = 0;
  for (const w of workers) {
    max = Math.max(max, w.finishS);
    squares += w.finishS * w.finishS;
  }
  return [max, squares];
}

/**
 * Iterated local search on small and mid-sized plans (≤ 200 trips): kick the volunteers who
 * finish last by handing a few of their deadline-free trips to random eligible volunteers, improve
 * again, keep the result if it is better. The generator is seeded from the instance's size, so
 * the same input still gives the same plan.
 */
function perturb(workers: Worker[], p: DispatchParams, firstSeq: number): number {
  const tripCount = workers.reduce((s, w) => s + w.trips.length, 0);
  // A roughly constant effort: a kick costs about trips × volunteers, so small plans get many
  // (up to ten times `kicks`), large ones few; none above 200 trips.
  const share = Math.round((p.kicks * 3000) / Math.max(1, tripCount * workers.length));
  const full = Math.min(10 * p.kicks, share);
  const kicks = tripCount <= 120 ? full : tripCount <= 200 ? Math.floor(full / 5) : 0;
  let seq = firstSeq;
  if (kicks === 0 || workers.length < 2) return seq;
  const rng = seededRng(tripCount * 1009 + workers.length);
  let best = { state: workers.map((w) => ({ trips: [...w.trips], finishS: w.finishS })), score: score(workers) };
  for (let k = 0; k < kicks; k += 1) {
    const top = [...workers].sort((a, b) => b.finishS - a.finishS || byId(a.v, b.v)).slice(0, 3);
    for (const v of top) {
      const movable = v.trips.filter((t) => t.deadlineS === Infinity);
      const t = movable[Math.floor(rng() * movable.length)];
      if (!t) continue;
      const options = workers.filter((u) => u !== v && canServe(u, t.building.id, t.weightKg));
      const u = options[Math.floor(rng() * options.length)];
      if (!u) continue;
      removeTrip(v, t);
      addTrip(u, t);
    }
    seq = improve(workers, p, seq);
    const now = score(workers);
    const better = now[0] < best.score[0] - EPS || (now[0] <= best.score[0] + EPS && now[1] < best.score[1] - EPS);
    if (better) best = { state: workers.map((w) => ({ trips: [...w.trips], finishS: w.finishS })), score: now };
    else {
      workers.forEach((w, i) => {
        const saved = best.state[i];
        if (!saved) return;
        w.trips = [...saved.trips];
        w.finishS = saved.finishS;
      });
    }
  }
  return seq;
}

/** A trip's shape: orders, distinct floors above the ground, top floor, the next one below it. */
interface Shape {
  n: number;
  k: number;
  top: number;
  second: number;
  counts: Map<number, number>;
}

const shapes = new WeakMap<WorkTrip, Shape>();

function shapeOf(t: WorkTrip): Shape {
  let sh = shapes.get(t);
  if (!sh) {
    const counts = new Map<number, number>();
    for (const o of t.orders) counts.set(Math.max(1, o.floor), (counts.get(Math.max(1, o.floor)) ?? 0) + 1);
    const desc = [...counts.keys()].sort((a, b) => b - a);
    sh = {
      n: t.orders.length,
      k: desc.filter((f) => f > 1).length,
      top: desc[0] ?? 1,
      second: desc[1] ?? 1,
      counts,
    };
    shapes.set(t, sh);
  }
  return sh;
}

/** Trip time from its shape (the time model: equal to `tripTimeFromFloors`). */
function timeOfShape(b: DispatchBuilding, n: number, k: number, top: number, p: DispatchParams): number {
  if (n === 0) return 0;
  let t = p.tripOverheadS + (p.pickupS + p.doorS) * n + (2 * b.distanceM) / p.walkMps;
  if (top > 1) {
    t += b.hasLift
      ? p.liftWaitS * (k + 1) + 2 * p.liftPerFloorS * (top - 1)
      : (p.stairUpPerFloorS + p.stairDownPerFloorS) * (top - 1);
  }
  return t;
}

/** Duration of trip t with one order taken out and/or one put in (same building), in O(1). */
function editedTime(t: WorkTrip, out: DispatchOrder | null, put: DispatchOrder | null, p: DispatchParams): number {
  const sh = shapeOf(t);
  const rf = out ? Math.max(1, out.floor) : 0;
  const af = put ? Math.max(1, put.floor) : 0;
  let n = sh.n;
  let k = sh.k;
  let top = sh.top;
  if (rf === af) return timeOfShape(t.building, n, k, top, p);
  if (out) {
    n -= 1;
    if ((sh.counts.get(rf) ?? 0) === 1) {
      if (rf > 1) k -= 1;
      if (rf === sh.top) top = sh.second;
    }
  }
  if (put) {
    n += 1;
    const before = (sh.counts.get(af) ?? 0) - (af === rf ? 1 : 0);
    if (before === 0 && af > 1) k += 1;
    if (af > top) top = af;
  }
  return timeOfShape(t.building, n, k, top, p);
}

/** Plans of at most this many orders get the order-level search below. */
const POLISH_ORDERS = 60;
/** Kicks of that search (fewer for more orders: about `POLISH_WORK / orders`). */
const POLISH_WORK = 5000;
/** …and at most this many candidate changes evaluated in all (a fixed budget, not a time limit). */
const POLISH_EVALUATIONS = 1_000_000;

/**
 * Order-level search for small plans (≤ POLISH_ORDERS orders): a whole trip moves to another
 * volunteer, a single order moves to another trip of its building (any volunteer's, room
 * permitting) or to a new trip, or swaps with an order of another trip of the building; trips
 * that empty vanish. The best change by (makespan, spread) is applied until none helps; then
 * seeded kicks — two orders moved at random, or two trips of a building merged onto someone who
 * can carry both — and the search again, keeping the best. With few trips, this forms trips
 * jointly with who carries them, where the greedy's capacity-sized cuts can leave one too many.
 * A change touching a deadline trip is kept only if every deadline still holds (trips without a
 * deadline run after those with one, so they cannot delay them).
 */
function polish(workers: Worker[], p: DispatchParams, firstSeq: number): number {
  let seq = firstSeq;
  const orderCount = workers.reduce((n, w) => n + w.trips.reduce((k, t) => k + t.orders.length, 0), 0);
  if (orderCount === 0 || orderCount > POLISH_ORDERS || workers.length === 0) return seq;
  const edit = (
    next: Map<Worker, WorkTrip[]>,
    w: Worker,
    from: WorkTrip | null,
    to: WorkTrip | null,
    add?: WorkTrip,
  ) => {
    const list = (next.get(w) ?? w.trips).flatMap((t) => (t === from ? (to ? [to] : []) : [t]));
    if (add) list.push(add);
    next.set(w, list);
    return next;
  };
  const apply = (next: Map<Worker, WorkTrip[]>): void => {
    for (const [w, trips] of next) {
      w.trips = trips;
      w.finishS = w.busyS + trips.reduce((sum, t) => sum + t.durationS, 0);
    }
  };
  const keepsDeadlines = (next: Map<Worker, WorkTrip[]>): boolean => {
    for (const [w, trips] of next) {
      if (trips.some((t) => t.deadlineS !== Infinity) && !deadlinesMet(w, trips, p)) return false;
    }
    return true;
  };
  const better = (a: readonly [number, number], b: readonly [number, number]): boolean =>
    a[0] < b[0] - EPS || (a[0] <= b[0] + EPS && a[1] < b[1] * (1 - 1e-12) - EPS);

  /** Trip A without order o (null when o was its only order). */
  const without = (A: WorkTrip, o: DispatchOrder): WorkTrip | null =>
    A.orders.length > 1
      ? makeTrip(
          A.building,
          A.orders.filter((x) => x !== o),
          A.seq,
          p,
        )
      : null;
  // Work budget: candidate changes evaluated (deterministic, independent of the machine).
  let evaluations = 0;
  const bestMove = (): Map<Worker, WorkTrip[]> | null => {
    // The three latest finishes, for "the makespan of everyone else".
    const top = [...workers].sort((x, y) => y.finishS - x.finishS).slice(0, 3);
    let squares = 0;
    for (const w of workers) squares += w.finishS * w.finishS;
    // The best change so far must beat the current schedule: start from it.
    let bestMax = top[0]?.finishS ?? 0;
    let bestSq = squares;
    let bestBuild: (() => Map<Worker, WorkTrip[]>) | null = null;
    let pendingMax = 0;
    let pendingSq = 0;
    const t0 = top[0];
    const t1 = top[1];
    const t2 = top[2];
    /** Whether a change giving a and b these finishes beats the best so far (then it is pending). */
    const quick = (a: Worker, fa: number, b: Worker, fb: number): boolean => {
      evaluations += 1;
      const others =
        t0 && t0 !== a && t0 !== b ? t0.finishS : t1 && t1 !== a && t1 !== b ? t1.finishS : (t2?.finishS ?? 0);
      const max = Math.max(others, fa, a === b ? fa : fb);
      if (max > bestMax + EPS) return false;
      const sq =
        a === b ? squares - a.finishS ** 2 + fa ** 2 : squares - a.finishS ** 2 + fa ** 2 - b.finishS ** 2 + fb ** 2;
      if (!(max < bestMax - EPS || sq < bestSq * (1 - 1e-12) - EPS)) return false;
      pendingMax = max;
      pendingSq = sq;
      return true;
    };
    const offer = (deadline: boolean, build: () => Map<Worker, WorkTrip[]>): void => {
      if (deadline && !keepsDeadlines(build())) return;
      bestMax = pendingMax;
      bestSq = pendingSq;
      bestBuild = build;
    };
    for (const a of workers) {
      for (const A of a.trips) {
        const dA = A.durationS;
        const deadA = A.deadlineS !== Infinity;
        // The whole trip to another volunteer.
        for (const b of workers) {
          if (b === a || !canServe(b, A.building.id, A.weightKg)) continue;
          const ok = quick(a, a.finishS - dA, b, b.finishS + dA);
          if (ok) offer(deadA, () => edit(edit(new Map(), a, A, null), b, null, null, A));
        }
        for (const o of A.orders) {
          const dRest = editedTime(A, o, null, p);
          const deadO = deadA || o.deadlineS !== null;
          for (const b of workers) {
            for (const B of b.trips) {
              if (B === A || B.building.id !== A.building.id) continue;
              const deadB = deadO || B.deadlineS !== Infinity;
              // Into B.
              if (canServe(b, B.building.id, B.weightKg + o.weightKg)) {
                const dB = editedTime(B, null, o, p);
                const fa = a.finishS - dA + dRest - (a === b ? B.durationS - dB : 0);
                const ok = quick(a, fa, b, a === b ? fa : b.finishS - B.durationS + dB);
                if (ok) {
                  offer(deadB, () =>
                    edit(edit(new Map(), a, A, without(A, o)), b, B, makeTrip(B.building, [...B.orders, o], B.seq, p)),
                  );
                }
              }
              // Swapped with one of B's orders.
              for (const q of B.orders) {
                if (q.floor === o.floor && q.weightKg === o.weightKg) continue;
                if (!canServe(b, B.building.id, B.weightKg + o.weightKg - q.weightKg)) continue;
                if (!canServe(a, A.building.id, A.weightKg - o.weightKg + q.weightKg)) continue;
                const dA2 = editedTime(A, o, q, p);
                const dB2 = editedTime(B, q, o, p);
                const fa = a.finishS - dA + dA2 - (a === b ? B.durationS - dB2 : 0);
                const ok = quick(a, fa, b, a === b ? fa : b.finishS - B.durationS + dB2);
                if (ok) {
                  offer(deadB || q.deadlineS !== null, () =>
                    edit(
                      edit(new Map(), a, A, makeTrip(A.building, [...A.orders.filter((x) => x !== o), q], A.seq, p)),
                      b,
                      B,
                      makeTrip(B.building, [...B.orders.filter((x) => x !== q), o], B.seq, p),
                    ),
                  );
                }
              }
            }
            // A trip of its own, on b.
            if ((b !== a || A.orders.length > 1) && canServe(b, A.building.id, o.weightKg)) {
              const dN = timeOfShape(A.building, 1, o.floor > 1 ? 1 : 0, Math.max(1, o.floor), p);
              const fa = a.finishS - dA + dRest + (a === b ? dN : 0);
              const ok = quick(a, fa, b, a === b ? fa : b.finishS + dN);
              if (ok) {
                offer(deadO, () =>
                  edit(edit(new Map(), a, A, without(A, o)), b, null, null, makeTrip(A.building, [o], seq + 1, p)),
                );
              }
            }
          }
        }
      }
    }
    return bestBuild ? (bestBuild as () => Map<Worker, WorkTrip[]>)() : null;
  };
  const descend = (budget: number): void => {
    for (let step = 0; step < budget && evaluations < POLISH_EVALUATIONS; step += 1) {
      const next = bestMove();
      if (!next) return;
      apply(next);
      seq += 1;
    }
  };
  descend(100);
  const rng = seededRng(orderCount * 7919 + workers.length * 31 + 17);
  const snapshot = () => workers.map((w) => ({ trips: [...w.trips], finishS: w.finishS }));
  let bestState = snapshot();
  let bestScore = score(workers);
  const restore = (): void => {
    workers.forEach((w, i) => {
      const saved = bestState[i];
      if (saved) {
        w.trips = [...saved.trips];
        w.finishS = saved.finishS;
      }
    });
  };
  const kicks = Math.round(POLISH_WORK / orderCount);
  for (let k = 0; k < kicks && evaluations < POLISH_EVALUATIONS; k += 1) {
    if (k % 4 === 3) {
      // Ruin and recreate: empty every trip of a random building, then put its orders back one by
      // one, in random order, where the schedule grows least (a trip with room, or a new one).
      // One building; every other time each building with probability one half; or all of them.
      const ids = [...new Set(workers.flatMap((w) => w.trips.map((t) => t.building.id)))].sort();
      const chosen = new Set([ids[Math.floor(rng() * ids.length)] ?? '']);
      if (k % 8 === 7) for (const id of ids) if (k % 16 === 15 || rng() < 0.5) chosen.add(id);
      const ruined = workers.flatMap((w) => w.trips.filter((t) => chosen.has(t.building.id)));
      if (ruined.length > 0) {
        const loose = ruined.flatMap((t) => t.orders);
        for (const w of workers) {
          if (!w.trips.some((t) => chosen.has(t.building.id))) continue;
          w.trips = w.trips.filter((t) => !chosen.has(t.building.id));
          w.finishS = w.busyS + w.trips.reduce((sum, t) => sum + t.durationS, 0);
        }
        for (let i = loose.length - 1; i > 0; i -= 1) {
          const j = Math.floor(rng() * (i + 1));
          [loose[i], loose[j]] = [loose[j] as DispatchOrder, loose[i] as DispatchOrder];
        }
        const buildingOf = new Map(ruined.map((t) => [t.building.id, t.building]));
        for (const o of loose) {
          const id = o.buildingId;
          const building = buildingOf.get(id);
          if (!building) continue;
          let best: { w: Worker; t: WorkTrip | null; sc: [number, number] } | null = null;
          for (const w of workers) {
            const options: Array<WorkTrip | null> = [...w.trips.filter((t) => t.building.id === id), null];
            for (const t of options) {
              if (!canServe(w, id, (t?.weightKg ?? 0) + o.weightKg)) continue;
              const grown =
                (t
                  ? editedTime(t, null, o, p) - t.durationS
                  : timeOfShape(building, 1, o.floor > 1 ? 1 : 0, Math.max(1, o.floor), p)) + w.finishS;
              const others = workers.reduce((m, x) => (x === w ? m : Math.max(m, x.finishS)), 0);
              const sq = grown * grown - w.finishS * w.finishS;
              const sc: [number, number] = [Math.max(others, grown), sq];
              if (!best || better(sc, best.sc)) best = { w, t, sc };
            }
          }
          if (!best) throw new Error('an order of a ruined trip has no carrier'); // cannot happen: its own had room
          seq += 1;
          if (best.t) apply(edit(new Map(), best.w, best.t, makeTrip(building, [...best.t.orders, o], best.t.seq, p)));
          else apply(edit(new Map(), best.w, null, null, makeTrip(building, [o], seq, p)));
        }
      }
    } else if (k % 4 === 2) {
      // Swap two random orders of one building between two trips, room permitting.
      const pairs: Array<[Worker, WorkTrip, Worker, WorkTrip]> = [];
      for (const a of workers)
        for (const A of a.trips)
          for (const b of workers)
            for (const B of b.trips) if (A.seq < B.seq && A.building.id === B.building.id) pairs.push([a, A, b, B]);
      const pair = pairs[Math.floor(rng() * pairs.length)];
      if (pair) {
        const [a, A, b, B] = pair;
        const o = A.orders[Math.floor(rng() * A.orders.length)];
        const q = B.orders[Math.floor(rng() * B.orders.length)];
        if (
          o &&
          q &&
          canServe(a, A.building.id, A.weightKg - o.weightKg + q.weightKg) &&
          canServe(b, B.building.id, B.weightKg - q.weightKg + o.weightKg)
        ) {
          const next = edit(new Map(), a, A, makeTrip(A.building, [...A.orders.filter((x) => x !== o), q], A.seq, p));
          edit(next, b, B, makeTrip(B.building, [...B.orders.filter((x) => x !== q), o], B.seq, p));
          apply(next);
        }
      }
    } else if (k % 4 === 1) {
      // Merge two trips of one building onto a volunteer who can carry both.
      const pairs: Array<[Worker, WorkTrip, Worker, WorkTrip]> = [];
      for (const a of workers)
        for (const A of a.trips)
          for (const b of workers)
            for (const B of b.trips) if (A.seq < B.seq && A.building.id === B.building.id) pairs.push([a, A, b, B]);
      const pair = pairs[Math.floor(rng() * pairs.length)];
      if (pair) {
        const [a, A, b, B] = pair;
        const carriers = workers.filter((c) => canServe(c, A.building.id, A.weightKg + B.weightKg));
        const c = carriers[Math.floor(rng() * carriers.length)];
        if (c) {
          const next = edit(edit(new Map(), a, A, null), b, B, null);
          edit(next, c, null, null, makeTrip(A.building, [...A.orders, ...B.orders], A.seq, p));
          apply(next);
        }
      }
    } else {
      // Move two random orders to random trips of their building (or a new trip), room permitting.
      for (let j = 0; j < 2; j += 1) {
        const withTrips = workers.filter((w) => w.trips.length > 0);
        const a = withTrips[Math.floor(rng() * withTrips.length)];
        const A = a?.trips[Math.floor(rng() * (a?.trips.length ?? 0))];
        const o = A?.orders[Math.floor(rng() * (A?.orders.length ?? 0))];
        if (!a || !A || !o) continue;
        const targets: Array<[Worker, WorkTrip | null]> = [];
        for (const b of workers) {
          for (const B of b.trips) {
            if (B !== A && B.building.id === A.building.id && canServe(b, B.building.id, B.weightKg + o.weightKg))
              targets.push([b, B]);
          }
          if (canServe(b, A.building.id, o.weightKg) && (b !== a || A.orders.length > 1)) targets.push([b, null]);
        }
        const pick = targets[Math.floor(rng() * targets.length)];
        if (!pick) continue;
        const rest = A.orders.filter((x) => x !== o);
        const next = edit(new Map(), a, A, rest.length > 0 ? makeTrip(A.building, rest, A.seq, p) : null);
        const [b, B] = pick;
        seq += 1;
        if (B) edit(next, b, B, makeTrip(B.building, [...B.orders, o], B.seq, p));
        else edit(next, b, null, null, makeTrip(A.building, [o], seq, p));
        apply(next);
      }
    }
    // A kick may break a deadline: then it is undone (the search keeps every deadline).
    if (!workers.every((w) => !w.trips.some((t) => t.deadlineS !== Infinity) || deadlinesMet(w, w.trips, p))) {
      restore();
      continue;
    }
    descend(100);
    const now = score(workers);
    if (better(now, bestScore)) {
      bestScore = now;
      bestState = snapshot();
    } else restore();
  }
  return seq + 1;
}

/**
 * Assigns accepted orders to on-duty volunteers (issue 4).
 *
 * 1. Batching: each building's orders are cut, floor by floor from the top, into trips sized to
 *    the capacity of the volunteer who takes them (one stairwell per trip). Deadline orders (urgent
 *    medicine, core/policy.ts) are gathered first, earliest deadline first, topped up with other
 *    orders of the building (the floors already visited, then those below the top). Special-needs
 *    and medicine orders ride with their floors; any trip carrying one is a first-wave trip, run
 *    before its volunteer's ordinary ones.
 * 2. Greedy list schedule: the earliest-free eligible volunteer takes the next trip — deadline
 *    trips by deadline, then staying in their own building, else the longest trip first.
 * 3. Re-pack (MULTIFIT: bisect a finish time, place trips longest / most restricted first) and
 *    local improvement: moves, swaps, 2-for-1 exchanges, depth-2 ejection chains and splits of a
 *    trip between two volunteers, each lowering the later finish of the pair without breaking
 *    a deadline; then a seeded iterated local search on small and mid-sized plans.
 * 4. When the work is only a few rounds per volunteer, the same is run with trips scaled down so
 *    the rounds come out even. The earliest makespan and the most even finishes get their trips
 *    re-formed (`reform`: the lightest trip of a building emptied into the others' room, single
 *    orders moved or swapped between trips where both get shorter; kept if the makespan falls);
 *    the earlier makespan wins, or, where volunteers average three trips or more, a schedule within
 *    FAIR_SLACK of it whose volunteers finish closer together.
 * 5. Plans of at most POLISH_ORDERS orders: an order-level iterated search (`polish`) that forms
 *    trips jointly with who carries them (moves, swaps, merges, ruin and recreate), on a fixed
 *    budget of candidate evaluations, never a time limit.
 * The objective is the makespan (then the spread of finishes): the benchmark measures it against
 * the proven optimum of the whole problem on small instances and against a plan-independent lower
 * bound at 1,000 orders (bench/dispatch-exact.ts, bench/dispatch-bound.ts).
 *
 * Deterministic: the same input, in any order, gives the same plan (ties broken by id; the
 * search's generator is seeded from the instance). Every order is in exactly one trip or listed
 * as unassigned with a Chinese reason; every trip and order carries a Chinese explanation.
 */
export function planDispatch(input: DispatchInput): DispatchPlan {
  const p = dispatchParams(input.params);
  const buildings = new Map(input.buildings.map((b) => [b.id, b]));
  // One worker per volunteer id (a repeated id keeps its first entry in id order); capacity must be positive.
  const volunteers = [...input.volunteers]
    .sort(byId)
    .filter((v, i, all) => (i === 0 || all[i - 1]?.id !== v.id) && v.capacityKg > 0);
  const workers: Worker[] = volunteers.map((v) => ({
    v,
    busyS: v.busyUntilS ?? 0,
    allowed: v.buildingIds.length > 0 ? new Set(v.buildingIds) : null,
    trips: [],
    finishS: v.busyUntilS ?? 0,
    lastBuildingId: null,
  }));
  const unassigned: DispatchPlan['unassigned'] = [];
  const pools: Pools = { byBuilding: new Map() };

  const orders = [...input.orders].sort(byId);
  const seen = new Set<string>();
  for (const o of orders) {
    if (seen.has(o.id)) {
      unassigned.push({ orderId: o.id, reason: '订单重复出现，只派送一次' });
      continue;
    }
    seen.add(o.id);
    if (!(o.weightKg > 0 && Number.isFinite(o.weightKg))) {
      unassigned.push({ orderId: o.id, reason: '订单重量无效，请网格员核对' });
      continue;
    }
    if (!buildings.has(o.buildingId)) {
      unassigned.push({ orderId: o.id, reason: '找不到订单所在楼栋，请网格员核对地址' });
      continue;
    }
    const forBuilding = workers.filter((w) => w.allowed === null || w.allowed.has(o.buildingId));
    if (forBuilding.length === 0) {
      unassigned.push({ orderId: o.id, reason: '该楼栋没有在岗的可派志愿者，请安排志愿者或抢单' });
      continue;
    }
    if (!forBuilding.some((w) => canServe(w, o.buildingId, o.weightKg))) {
      const most = Math.max(...forBuilding.map((w) => w.v.capacityKg));
      // Say whom it is about: volunteers of other buildings may carry more (the gridworker can assign one).
      const who = forBuilding.length < workers.length ? '负责这栋楼的在岗志愿者' : '当前在岗志愿者';
      unassigned.push({
        orderId: o.id,
        reason: o.label
          ? `${o.label}：${who}都无法搬运（最多能搬${most}公斤），请指派有推车的志愿者`
          : `订单重${o.weightKg}kg，超过可派志愿者单趟载重（最多${most}kg），请拆单或人工安排`,
      });
      continue;
    }
    let pool = pools.byBuilding.get(o.buildingId);
    if (!pool) {
      pool = { w1: [], w2: [] };
      pools.byBuilding.set(o.buildingId, pool);
    }
    // Deadline orders are gathered first (earliest deadline); the other first-wave orders
    // (special needs, medicine) ride with their floors and make their trip a first-wave one.
    (o.deadlineS !== null ? pool.w1 : pool.w2).push(o);
  }
  for (const pool of pools.byBuilding.values()) {
    // Wave 1: earliest deadline, special needs before medicine, then bottom-up. Wave 2: top-down.
    pool.w1.sort(
      (a, b) =>
        (a.deadlineS ?? Infinity) - (b.deadlineS ?? Infinity) ||
        Number(b.priority) - Number(a.priority) ||
        a.floor - b.floor ||
        byId(a, b),
    );
    pool.w2.sort((a, b) => b.floor - a.floor || b.weightKg - a.weightKg || byId(a, b));
  }

  // When the work is only a few rounds per volunteer, full loads leave some with one trip more
  // than others; a run with trips scaled to spread the work evenly over those rounds competes.
  const totalKg = [...pools.byBuilding.values()].reduce(
    (s, pool) => s + [...pool.w1, ...pool.w2].reduce((k, o) => k + o.weightKg, 0),
    0,
  );
  const roundKg = workers.reduce((s, w) => s + w.v.capacityKg, 0);
  const rounds = roundKg > 0 ? Math.ceil(totalKg / roundKg - EPS) : 1;
  const scales = [1];
  for (const slack of [1.05, 1.2]) {
    const scale = rounds > 0 ? (totalKg / (rounds * roundKg)) * slack : 1;
    if (scale < 0.97 && !scales.includes(scale)) scales.push(scale);
  }
  // The earliest makespan wins; where volunteers average three trips or more (the spread is then
  // a real choice, not one trip's length), a schedule within FAIR_SLACK of it that spreads the
  // finishes less (max/min) is preferred: everyone done at about the same time.
  const attempts = scales.map((scale) => schedule(workers, pools, buildings, p, scale));
  const spread = (a: (typeof attempts)[number]): number => {
    const f = a.workers.filter((w) => w.trips.length > 0 || w.busyS > 0).map((w) => w.finishS);
    return f.length > 0 && Math.min(...f) > 0 ? Math.max(...f) / Math.min(...f) : 1;
  };
  let chosen: (typeof attempts)[number] | null = null;
  for (const attempt of attempts) if (!chosen || attempt.makespanS < chosen.makespanS - EPS) chosen = attempt;
  let earliest = chosen;
  // The earliest schedule, and the one whose finishes spread least, get their trips re-formed
  // (fewer, fuller; kept if it ends sooner).
  const fairest = attempts.reduce<(typeof attempts)[number] | null>(
    (best, a) => (!best || spread(a) < spread(best) - EPS ? a : best),
    null,
  );
  for (const a of new Set([earliest, fairest])) {
    if (!a) continue;
    reformAndBalance(a.workers, p, nextSeqOf(a.workers));
    a.makespanS = Math.max(0, ...a.workers.filter((w) => w.trips.length > 0).map((w) => w.finishS));
  }
  chosen = null;
  for (const attempt of attempts) if (!chosen || attempt.makespanS < chosen.makespanS - EPS) chosen = attempt;
  earliest = chosen;
  if (earliest && earliest.workers.reduce((n, w) => n + w.trips.length, 0) >= 3 * workers.length) {
    for (const attempt of attempts) {
      if (
        attempt.makespanS <= earliest.makespanS * (1 + FAIR_SLACK) &&
        spread(attempt) < spread(chosen ?? earliest) - 0.02
      )
        chosen = attempt;
    }
  }
  if (chosen) {
    workers.splice(0, workers.length, ...chosen.workers);
    pools.byBuilding = chosen.pools.byBuilding;
    polish(workers, p, nextSeqOf(workers));
  }

  // Whatever the greedy could not place (a capacity/eligibility corner) is reported, not dropped.
  for (const pool of pools.byBuilding.values()) {
    for (const o of [...pool.w1, ...pool.w2]) {
      unassigned.push({ orderId: o.id, reason: '没有载重和楼栋都合适的志愿者，请人工安排' });
    }
  }

  const trips: Trip[] = [];
  const byOrder: Record<string, OrderAssignment> = {};
  const loadS: Record<string, number> = {};
  let makespanS = 0;
  const busy = workers.filter((w) => w.trips.length > 0);
  const lowS = Math.min(...busy.map((w) => w.finishS));
  const highS = Math.max(...busy.map((w) => w.finishS));
  const owners = new Map<string, Set<string>>();
  for (const w of busy) {
    for (const t of w.trips) owners.set(t.building.id, (owners.get(t.building.id) ?? new Set()).add(w.v.id));
  }
  for (const w of workers) {
    const ordered = executionOrder(w.trips);
    loadS[w.v.id] = w.finishS - w.busyS;
    let t = w.busyS;
    for (const trip of ordered) {
      const timing = tripTiming(trip.orders, trip.building, p);
      const floors = [...new Set(trip.orders.map((o) => o.floor))];
      const reason = tripReason(w, trip, floors, ordered.length, {
        lowS,
        highS,
        carriers: workers.filter((x) => canServe(x, trip.building.id, trip.weightKg)).length,
        owners: owners.get(trip.building.id)?.size ?? 1,
      });
      const tripIndex = trips.length;
      trips.push({
        volunteerId: w.v.id,
        orderIds: trip.orders.map((o) => o.id),
        buildingIds: [trip.building.id],
        floors,
        weightKg: Math.round(trip.weightKg * 1000) / 1000,
        startS: t,
        endS: t + timing.durationS,
        wave: trip.wave,
        reason,
      });
      trip.orders.forEach((o, i) => {
        const deliverAtS = t + (timing.deliverOffsetsS[i] ?? 0);
        const late =
          o.deadlineS === null
            ? ''
            : `；限时${minutes(o.deadlineS)}分钟，预计第${minutes(deliverAtS)}分钟送到` +
              (deliverAtS > o.deadlineS + EPS ? '，可能超时，请网格员关注或另派人手' : '');
        byOrder[o.id] = { volunteerId: w.v.id, tripIndex, deliverAtS, reason: `${reason}${late}` };
      });
      t += timing.durationS;
    }
    if (ordered.length > 0) makespanS = Math.max(makespanS, t);
  }
  unassigned.sort((a, b) => (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0));
  return { trips, byOrder, unassigned, makespanS, loadS };
}
