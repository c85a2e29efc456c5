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

/** How a trip came to its volunteer (drives the explanation). */
type Origin = 'greedy' | 'affinity' | 'packed' | 'moved' | 'swapped' | 'split';

interface WorkTrip {
  building: DispatchBuilding;
  /** Delivery order: floor ascending, then id. */
  orders: DispatchOrder[];
  weightKg: number;
  durationS: number;
  wave: 1 | 2;
  /** Earliest deadline on the trip (Infinity: none). */
  deadlineS: number;
  origin: Origin;
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

function makeTrip(
  building: DispatchBuilding,
  orders: DispatchOrder[],
  origin: Origin,
  seq: number,
  p: DispatchParams,
): WorkTrip {
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
  return { building, orders: sorted, weightKg, durationS, wave, deadlineS, origin, seq };
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
 * Wave 1: earliest deadline first, then topped up with ordinary orders of the floors already
 * visited (one more door, no extra climb). Wave 2: from the top floor down, so one trip covers a
 * run of adjacent floors of the stairwell.
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
  const left = capacityKg - chosen.reduce((s, o) => s + o.weightKg, 0);
  const topUp = firstFit(
    pool.w2.filter((o) => floors.has(o.floor)),
    left,
    taken,
  );
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
      const affinity = best.lastBuildingId === target.building.id;
      const trip = makeTrip(target.building, chunk, affinity ? 'affinity' : 'greedy', seq, p);
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
  const consider = (u: Worker, give: WorkTrip[], take: WorkTrip[]): void => {
    const d = give.reduce((s, t) => s + t.durationS, 0) - take.reduce((s, t) => s + t.durationS, 0);
    if (d <= EPS) return;
    const pairMax = Math.max(v.finishS - d, u.finishS + d);
    if (pairMax >= target - EPS || (best && pairMax >= best.pairMax - EPS)) return;
    if (!give.every((t) => canServe(u, t.building.id, t.weightKg))) return;
    if (!take.every((t) => canServe(v, t.building.id, t.weightKg))) return;
    if (!exchangeKeepsDeadlines(v, u, give, take, p)) return;
    best = { give, take, u, pairMax };
  };
  for (const u of workers) {
    if (u === v) continue;
    const theirs = u.trips;
    for (let i = 0; i < mine.length; i += 1) {
      const a = mine[i] as WorkTrip;
      for (let j = 0; j < theirs.length; j += 1) {
        const b = theirs[j] as WorkTrip;
        for (let k = i + 1; k < mine.length; k += 1) consider(u, [a, mine[k] as WorkTrip], [b]);
        for (let k = j + 1; k < theirs.length; k += 1) consider(u, [a], [b, theirs[k] as WorkTrip]);
      }
    }
  }
  const chosen = best as { give: WorkTrip[]; take: WorkTrip[]; u: Worker } | null;
  if (!chosen) return false;
  for (const t of chosen.give) {
    removeTrip(v, t);
    t.origin = 'swapped';
    addTrip(chosen.u, t);
  }
  for (const t of chosen.take) {
    removeTrip(chosen.u, t);
    t.origin = 'swapped';
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
  type Op = { give: WorkTrip; take: WorkTrip | null };
  const opsBetween = (from: readonly WorkTrip[], to: Worker, back: readonly WorkTrip[], giver: Worker): Op[] => {
    const ops: Op[] = [];
    for (const a of from) {
      if (!canServe(to, a.building.id, a.weightKg)) continue;
      ops.push({ give: a, take: null });
      for (const b of back) {
        if (b.durationS < a.durationS - EPS && canServe(giver, b.building.id, b.weightKg))
          ops.push({ give: a, take: b });
      }
    }
    return ops;
  };
  const delta = (op: Op): number => op.give.durationS - (op.take?.durationS ?? 0);
  let best: { u: Worker; w: Worker; first: Op; second: Op; worst: number } | null = null;
  const earliestFirst = [...workers].sort((a, b) => a.finishS - b.finishS || byId(a.v, b.v));
  for (const u of workers) {
    if (u === v) continue;
    for (const first of opsBetween(v.trips, u, u.trips, v)) {
      const d1 = delta(first);
      const vAfter = v.finishS - d1;
      const uAfter = u.finishS + d1;
      if (vAfter >= target - EPS || uAfter < target - EPS) continue; // a plain move already does it
      if (best && vAfter >= best.worst - EPS) continue;
      const uTrips = [...u.trips.filter((t) => t !== first.take), first.give];
      for (const w of earliestFirst) {
        if (w.finishS >= (best?.worst ?? target) - EPS) break; // w only grows
        if (w === v || w === u) continue;
        for (const second of opsBetween(uTrips, w, w.trips, u)) {
          const d2 = delta(second);
          const worst = Math.max(vAfter, uAfter - d2, w.finishS + d2);
          if (worst >= target - EPS || (best && worst >= best.worst - EPS)) continue;
          best = { u, w, first, second, worst };
        }
      }
    }
  }
  if (!best) return false;
  const { u, w, first, second } = best;
  const swap = (a: Worker, b: Worker, op: Op): void => {
    removeTrip(a, op.give);
    op.give.origin = op.take ? 'swapped' : 'moved';
    addTrip(b, op.give);
    if (op.take) {
      removeTrip(b, op.take);
      op.take.origin = 'swapped';
      addTrip(a, op.take);
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
    bestMove.t.origin = 'moved';
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
    a.origin = 'swapped';
    b.origin = 'swapped';
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
    const kept = makeTrip(t.building, giveUpper ? lower : upper, t.origin, t.seq, p);
    const given = makeTrip(t.building, giveUpper ? upper : lower, 'split', seqAfter(), p);
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
  const owner = new Map<WorkTrip, Worker>();
  for (const w of workers) for (const t of w.trips) owner.set(t, w);
  for (const w of workers) {
    w.trips = [];
    w.finishS = w.busyS;
  }
  best.list.forEach((t, k) => {
    const w = workers[best.chosen[k] ?? -1];
    if (!w) return;
    if (owner.get(t) !== w) t.origin = 'packed';
    addTrip(w, t);
  });
  return true;
}

/**
 * Local improvement. First the makespan: the volunteer who finishes last moves, swaps or splits
 * one trip towards an earlier one, until that no longer helps. Then fairness below it: a few
 * sweeps, most loaded first, of moves and swaps between any two volunteers. Every step lowers
 * the larger finish time of the pair, so the makespan never grows. Bounded by `improveRounds`.
 */
function improve(workers: Worker[], p: DispatchParams, firstSeq: number): number {
  let seq = firstSeq;
  const nextSeq = (): number => (seq += 1);
  let budget = p.improveRounds;
  const byFinish = (a: Worker, b: Worker): number => b.finishS - a.finishS || byId(a.v, b.v);
  while (budget > 0) {
    const v = workers.reduce<Worker | null>((m, w) => (m === null || byFinish(w, m) < 0 ? w : m), null);
    if (!v || v.trips.length === 0 || !improveOnce(v, workers, p, true, nextSeq, true)) break;
    budget -= 1;
  }
  for (let sweep = 0; sweep < 3 && budget > 0; sweep += 1) {
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

function tripReason(w: Worker, trip: WorkTrip, floors: readonly number[], tripCount: number): string {
  const who =
    trip.origin === 'affinity'
      ? '继续配送自己正在送的这栋楼（一人包一个楼道）'
      : trip.origin === 'greedy'
        ? '派单时最早空闲的可派志愿者'
        : trip.origin === 'packed'
          ? '按“长趟先排、补进最合适的空档”统筹后分给该志愿者，使大家差不多同时送完'
          : trip.origin === 'split'
            ? '这栋楼订单较多，拆出一部分由较空闲的志愿者分担'
            : '为均衡工作量，从任务最多的志愿者处调整过来';
  const scope = w.v.buildingIds.length > 0 ? '负责该楼栋' : '可配送任意楼栋';
  const batch = `同楼${floorsText(floors)}${trip.orders.length}单合并一趟，共${trip.weightKg.toFixed(1)}kg（载重${w.v.capacityKg}kg以内）`;
  const wave = trip.wave === 1 ? '含特殊需求/药品/限时订单，第一波优先送；' : '';
  return `${wave}${who}；${scope}；${batch}；本次共${tripCount}趟，预计${minutes(w.finishS)}分钟内完成`;
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
  // Re-pack and improve while the makespan falls (each step is monotone; a few rounds at most).
  for (let round = 0; round < 3; round += 1) {
    const before = Math.max(...workers.map((w) => w.finishS));
    if (!refit(workers, p) && round > 0) break;
    seq = improve(workers, p, seq);
    if (Math.max(...workers.map((w) => w.finishS)) >= before - EPS) break;
  }
  const makespanS = Math.max(0, ...workers.filter((w) => w.trips.length > 0).map((w) => w.finishS));
  return { workers, pools, makespanS };
}

/**
 * Assigns accepted orders to on-duty volunteers: batches each building's orders by floor into
 * trips sized to each volunteer's capacity, special-needs / medicine / deadline orders in the
 * first wave (earliest deadline first), the rest longest trip first onto the earliest-free
 * eligible volunteer, then improves by moves, swaps and splits until the makespan and the load
 * spread stop falling. Deterministic: the same input (in any order) gives the same plan.
 */
export function planDispatch(input: DispatchInput): DispatchPlan {
  const p = dispatchParams(input.params);
  const buildings = new Map(input.buildings.map((b) => [b.id, b]));
  const volunteers = [...input.volunteers].sort(byId);
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
  for (const o of orders) {
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
      unassigned.push({
        orderId: o.id,
        reason: `订单重${o.weightKg}kg，超过可派志愿者单趟载重（最多${most}kg），请拆单或人工安排`,
      });
      continue;
    }
    let pool = pools.byBuilding.get(o.buildingId);
    if (!pool) {
      pool = { w1: [], w2: [] };
      pools.byBuilding.set(o.buildingId, pool);
    }
    (isUrgent(o) ? pool.w1 : pool.w2).push(o);
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
  let chosen: { workers: Worker[]; pools: Pools; makespanS: number } | null = null;
  for (const scale of scales) {
    const attempt = schedule(workers, pools, buildings, p, scale);
    if (!chosen || attempt.makespanS < chosen.makespanS - EPS) chosen = attempt;
  }
  if (chosen) {
    workers.splice(0, workers.length, ...chosen.workers);
    pools.byBuilding = chosen.pools.byBuilding;
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
  for (const w of workers) {
    const ordered = executionOrder(w.trips);
    loadS[w.v.id] = w.finishS - w.busyS;
    let t = w.busyS;
    for (const trip of ordered) {
      const timing = tripTiming(trip.orders, trip.building, p);
      const floors = [...new Set(trip.orders.map((o) => o.floor))];
      const reason = tripReason(w, trip, floors, ordered.length);
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
          o.deadlineS !== null ? `；限时${minutes(o.deadlineS)}分钟，预计第${minutes(deliverAtS)}分钟送到` : '';
        byOrder[o.id] = { volunteerId: w.v.id, tripIndex, deliverAtS, reason: `${reason}${late}` };
      });
      t += timing.durationS;
    }
    if (ordered.length > 0) makespanS = Math.max(makespanS, t);
  }
  unassigned.sort((a, b) => (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0));
  return { trips, byOrder, unassigned, makespanS, loadS };
}
