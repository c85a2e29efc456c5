/** The solver's working state: indices, loads, who holds what, and the constraint checks. */
import { DEFAULT_ASSIGN_WEIGHTS, type AssignInput, type AssignRole } from './types';

/** A building as the solver sees it. */
export interface SBuilding {
  id: string;
  name: string;
  g: number;
  load: number;
  special: number;
}

/** A grid as the solver sees it. */
export interface SGrid {
  id: string;
  name: string;
  x: number | null;
  y: number | null;
  buildings: number[];
  load: number;
  special: number;
  /** Workers allowed for its unpinned buildings (grid pins); null = anyone eligible. */
  allowed: Set<number> | null;
  /**
   * The grid rule (see ./types, "Grids kept whole"): whether this grid may be shared at all. Decided
   * from the instance alone (its size and special-needs density against the averages, a group
   * leader who must take it), before any assignment.
   */
  cuttable: boolean;
  /**
   * Most holders the search may create now: 1 (the grid stays whole) unless the grid is cuttable
   * and the construction cut it or a split round opened it, or pins share it. Never above 1 for a
   * grid that is not cuttable but for pins or to cover.
   */
  maxHolders: number;
  /** People a split round opened this grid for: the search always considers them for it. */
  invited: number[];
}

/** A worker as the solver sees it. */
export interface SWorker {
  id: string;
  name: string;
  role: AssignRole;
  cap: number;
  x: number | null;
  y: number | null;
  must: Set<number>;
  mustNot: Set<number>;
  maxGrids: number;
}

/** Mutable solver state. */
export interface State {
  buildings: SBuilding[];
  grids: SGrid[];
  workers: SWorker[];
  owner: Int32Array;
  pinned: Uint8Array;
  load: Float64Array;
  spec: Float64Array;
  /** worker → grid → buildings held. */
  held: Array<Map<number, number>>;
  /** grid → worker → buildings held. */
  holders: Array<Map<number, number>>;
  /** grid → gridworkers holding part of it. */
  gwCount: Int32Array;
  totalLoad: number;
  totalSpecial: number;
  /** Average load per available worker (the divisible lower bound). */
  target: number;
  targetSpecial: number;
  /**
   * Relative deviation from the average tolerated before balancing turns steep: ±7 % of load (max/min
   * near 1.15; swaps of buildings reach finer than a building), ±8 % of special-needs residents but
   * never finer than one resident.
   */
  band: number;
  bandSpecial: number;
  distancePerKm: number;
  warnings: string[];
  dist(w: number, g: number): number;
  knownDistance(w: number, g: number): boolean;
}

/** Relative deviation from the average load tolerated before balancing turns steep. */
const BAND = 0.07;
/** The same for special-needs residents: a little wider, as they come in small whole numbers per building. */
const BAND_SPECIAL = 0.08;

function count(map: Map<number, number>, key: number, delta: number): void {
  const next = (map.get(key) ?? 0) + delta;
  if (next === 0) map.delete(key);
  else map.set(key, next);
}

/** Moves building b to worker to (-1 = nobody), keeping every index in step. */
export function moveBuilding(s: State, b: number, to: number): void {
  const from = s.owner[b]!;
  if (from === to) return;
  const bd = s.buildings[b]!;
  if (from >= 0) {
    s.load[from] = s.load[from]! - bd.load;
    s.spec[from] = s.spec[from]! - bd.special;
    count(s.held[from]!, bd.g, -1);
    const before = s.holders[bd.g]!.has(from);
    count(s.holders[bd.g]!, from, -1);
    if (before && !s.holders[bd.g]!.has(from) && s.workers[from]!.role === 'gridworker')
      s.gwCount[bd.g] = s.gwCount[bd.g]! - 1;
  }
  if (to >= 0) {
    s.load[to] = s.load[to]! + bd.load;
    s.spec[to] = s.spec[to]! + bd.special;
    count(s.held[to]!, bd.g, 1);
    if (!s.holders[bd.g]!.has(to) && s.workers[to]!.role === 'gridworker') s.gwCount[bd.g] = s.gwCount[bd.g]! + 1;
    count(s.holders[bd.g]!, to, 1);
  }
  s.owner[b] = to;
}

/** Whether worker w may hold buildings of grid g at all (ignoring load and group-leader scope). */
export function eligible(s: State, w: number, g: number): boolean {
  const worker = s.workers[w]!;
  if (worker.cap <= 0 || worker.mustNot.has(g)) return false;
  const allowed = s.grids[g]!.allowed;
  return allowed === null || allowed.has(w);
}

/** Most grids a worker may hold (their must grids always fit). */
export function gridLimit(s: State, w: number): number {
  const worker = s.workers[w]!;
  return Math.max(worker.maxGrids, worker.must.size);
}

/** Whether w may take (more) buildings of g now: eligible and within a group leader's one grid. */
export function canTake(s: State, w: number, g: number): boolean {
  if (!eligible(s, w, g)) return false;
  const held = s.held[w]!;
  return held.has(g) || held.size < gridLimit(s, w);
}

/** A snapshot of what a tentative change may break, taken before applying it. */
export interface Guard {
  workers: number[];
  grids: number[];
  holdersBefore: number[];
  gwBefore: number[];
  heldBefore: Array<Set<number>>;
  loadBefore: number[];
}

/** Remembers the affected workers' and grids' state before a tentative change. */
export function guard(s: State, workers: number[], grids: number[]): Guard {
  return {
    workers,
    grids,
    holdersBefore: grids.map((g) => s.holders[g]!.size),
    gwBefore: grids.map((g) => s.gwCount[g]!),
    heldBefore: workers.map((w) => new Set(s.held[w]!.keys())),
    loadBefore: workers.map((w) => s.load[w]!),
  };
}

/** Whether the state after a tentative change still keeps every hard constraint it kept before. */
export function stillValid(s: State, gd: Guard): boolean {
  for (let i = 0; i < gd.workers.length; i += 1) {
    const w = gd.workers[i]!;
    const worker = s.workers[w]!;
    if (s.load[w]! > worker.cap + 1e-9 && s.load[w]! > gd.loadBefore[i]! + 1e-9) return false;
    const held = s.held[w]!;
    const before = gd.heldBefore[i]!;
    if (held.size > Math.max(gridLimit(s, w), before.size)) return false;
    for (const g of held.keys()) if (!before.has(g) && !eligible(s, w, g)) return false;
    for (const m of worker.must) if (before.has(m) && !held.has(m)) return false;
  }
  for (let i = 0; i < gd.grids.length; i += 1) {
    const g = gd.grids[i]!;
    const holders = s.holders[g]!.size;
    if (holders > gd.holdersBefore[i]! && holders > s.grids[g]!.maxHolders) return false;
    if (s.gwCount[g]! < Math.min(1, gd.gwBefore[i]!)) return false;
  }
  return true;
}

/** Indexes the input, applies pins and checks their conflicts. */
export function buildState(input: AssignInput): State {
  const weights = { ...DEFAULT_ASSIGN_WEIGHTS, ...input.weights };
  const warnings: string[] = [];
  const buildings: SBuilding[] = [];
  const gridIndex = new Map<string, number>();
  const buildingIndex = new Map<string, number>();
  const grids: SGrid[] = input.grids.map((grid, g) => {
    gridIndex.set(grid.id, g);
    const detail = new Map((grid.buildings ?? []).map((b) => [b.id, b]));
    const ids = grid.buildingIds.length > 0 ? grid.buildingIds : [`${grid.id}#全部`];
    const n = ids.length;
    const list: number[] = [];
    ids.forEach((id, i) => {
      const d = detail.get(id);
      // Without per-building counts, a grid's counts are shared evenly (remainders to the first).
      const share = (total: number) => Math.floor(total / n) + (i < total % n ? 1 : 0);
      const households = d ? d.households : share(grid.households);
      const residents = d ? (d.residents ?? 0) : share(grid.residents);
      const special = d ? d.specialNeeds : share(grid.specialNeeds);
      const load = weights.household * households + weights.resident * residents + weights.specialNeed * special;
      buildingIndex.set(`${grid.id}\u0000${id}`, buildings.length);
      list.push(buildings.length);
      buildings.push({ id, name: d?.name ?? id, g, load, special });
    });
    return {
      id: grid.id,
      name: grid.name ?? grid.id,
      x: grid.x,
      y: grid.y,
      buildings: list,
      load: list.reduce((sum, b) => sum + buildings[b]!.load, 0),
      special: list.reduce((sum, b) => sum + buildings[b]!.special, 0),
      allowed: null,
      cuttable: false,
      maxHolders: 1,
      invited: [],
    };
  });
  const workerIndex = new Map<string, number>();
  const workers: SWorker[] = input.workers.map((w, i) => {
    workerIndex.set(w.id, i);
    const idx = (ids: string[]) =>
      new Set(ids.map((id) => gridIndex.get(id)).filter((g): g is number => g !== undefined));
    return {
      id: w.id,
      name: w.name ?? w.id,
      role: w.role,
      cap: Number.isFinite(w.capacity) || w.capacity === Number.POSITIVE_INFINITY ? w.capacity : 0,
      x: w.x,
      y: w.y,
      must: idx(w.mustGridIds),
      mustNot: idx(w.mustNotGridIds),
      maxGrids: w.maxGrids !== undefined && w.maxGrids >= 1 ? Math.floor(w.maxGrids) : Number.POSITIVE_INFINITY,
    };
  });
  for (const w of workers) {
    for (const g of w.must) {
      if (w.mustNot.has(g)) {
        warnings.push(`${w.name} 既被要求负责又被排除在网格 ${grids[g]!.name} 之外：按“不负责”处理`);
        w.must.delete(g);
      }
    }
  }
  const nW = workers.length;
  const nG = grids.length;
  const distances = new Float64Array(nW * nG);
  const known = new Uint8Array(nW * nG);
  workers.forEach((w, wi) => {
    grids.forEach((g, gi) => {
      if (w.x === null || w.y === null || g.x === null || g.y === null) return;
      const dx = w.x - g.x;
      const dy = w.y - g.y;
      distances[wi * nG + gi] = Math.sqrt(dx * dx + dy * dy) / 1000;
      known[wi * nG + gi] = 1;
    });
  });
  const available = workers.filter((w) => w.cap > 0).length;
  const totalLoad = buildings.reduce((sum, b) => sum + b.load, 0);
  const totalSpecial = buildings.reduce((sum, b) => sum + b.special, 0);
  const s: State = {
    buildings,
    grids,
    workers,
    owner: new Int32Array(buildings.length).fill(-1),
    pinned: new Uint8Array(buildings.length),
    load: new Float64Array(nW),
    spec: new Float64Array(nW),
    held: workers.map(() => new Map()),
    holders: grids.map(() => new Map()),
    gwCount: new Int32Array(nG),
    totalLoad,
    totalSpecial,
    target: available > 0 ? totalLoad / available : 0,
    targetSpecial: available > 0 ? totalSpecial / available : 0,
    band: BAND,
    bandSpecial: BAND,
    distancePerKm: weights.distancePerKm,
    warnings,
    dist: (w, g) => distances[w * nG + g]!,
    knownDistance: (w, g) => known[w * nG + g] === 1,
  };
  if (s.targetSpecial > 0) s.bandSpecial = Math.max(BAND_SPECIAL, 1 / s.targetSpecial);
  // One holder per grid (网格员包网格) but for the grids the rule lets be shared; pins raise it to
  // what the admin fixed.
  applyPins(s, input, gridIndex, workerIndex, buildingIndex);
  markCuttable(s);
  return s;
}

/** A grid at least this many shares (of load or of special-needs residents) may be shared. */
export const CUT_SHARE = 1;
/** A grid this much denser in special-needs residents than the average… */
export const DENSE = 1.25;
/** …and holding at least this many shares of them may be shared too. */
export const DENSE_SHARE = 0.6;

/**
 * The grid rule (the same for the solver and for the exact yardstick in the benchmark): a grid may
 * be shared by several people iff it has two buildings or more and (a) it amounts to at least
 * CUT_SHARE of one person's share of load or of special-needs residents, or (b) it is more than
 * DENSE times as dense in special-needs residents as the average with at least DENSE_SHARE of a
 * share of them, or (c) a group leader must take it (组长包小组: a gridworker then leads it beside
 * them), or (d) the group leaders need it (see markCuttable). Every other grid is held whole by one
 * gridworker (网格员包网格). `cuttable` on each grid holds the answer, (d) included.
 */
export function gridMayBeShared(s: State, g: number): boolean {
  const grid = s.grids[g]!;
  if (grid.buildings.length < 2) return false;
  if (grid.allowed !== null && grid.allowed.size < 2) return false;
  if (shareNeed(s, grid.load, grid.special) >= CUT_SHARE) return true;
  const density =
    s.target > 0 && s.targetSpecial > 0 && grid.load > 0 ? grid.special / s.targetSpecial / (grid.load / s.target) : 0;
  if (density > DENSE && grid.special >= DENSE_SHARE * s.targetSpecial) return true;
  return s.workers.some((w) => w.role === 'groupLeader' && w.must.has(g));
}

/**
 * Applies the rule, then (d) 组长包小组: group leaders take parts of shared grids only, so when the
 * shared grids cannot feed them — each offers others about half its load, or all but one share —
 * the biggest grids kept whole (of two buildings or more, not pinned) may be shared too, biggest
 * first, until they can. Decided from the instance alone.
 */
function markCuttable(s: State): void {
  s.grids.forEach((grid, g) => {
    grid.cuttable = gridMayBeShared(s, g);
  });
  let need = 0;
  s.workers.forEach((w) => {
    if (w.role === 'groupLeader' && w.cap > 0) need += Math.min(w.cap, s.target);
  });
  const offer = (g: number) => Math.max(s.grids[g]!.load / 2, s.grids[g]!.load - s.target);
  let supply = 0;
  s.grids.forEach((grid, g) => {
    if (grid.cuttable) supply += offer(g);
  });
  const whole = s.grids
    .map((_, g) => g)
    .filter((g) => !s.grids[g]!.cuttable && s.grids[g]!.buildings.length >= 2 && s.grids[g]!.allowed === null)
    .sort((a, b) => s.grids[b]!.load - s.grids[a]!.load || a - b);
  for (const g of whole) {
    if (supply >= need) break;
    s.grids[g]!.cuttable = true;
    supply += offer(g);
  }
}

/** How many people's shares a grid's load or special-needs residents amount to (whichever is more). */
export function shareNeed(s: State, load: number, special: number): number {
  return Math.max(s.target > 0 ? load / s.target : 0, s.targetSpecial > 0 ? special / s.targetSpecial : 0);
}

function applyPins(
  s: State,
  input: AssignInput,
  gridIndex: Map<string, number>,
  workerIndex: Map<string, number>,
  buildingIndex: Map<string, number>,
): void {
  for (const pin of input.pinned ?? []) {
    const g = gridIndex.get(pin.gridId);
    const w = workerIndex.get(pin.workerId);
    if (g === undefined || w === undefined) {
      s.warnings.push(`固定分配无效（网格 ${pin.gridId} 或人员 ${pin.workerId} 不存在），已忽略`);
      continue;
    }
    const grid = s.grids[g]!;
    const worker = s.workers[w]!;
    if (worker.mustNot.has(g)) s.warnings.push(`固定分配与“不负责”冲突：${worker.name} → ${grid.name}，按固定分配执行`);
    if (pin.buildingIds && pin.buildingIds.length > 0) {
      for (const id of pin.buildingIds) {
        const b = buildingIndex.get(`${pin.gridId}\u0000${id}`);
        if (b === undefined) {
          s.warnings.push(`固定分配的楼栋 ${id} 不在网格 ${grid.name} 中，已忽略`);
          continue;
        }
        if (s.pinned[b] === 1 && s.owner[b] !== w) {
          s.warnings.push(`楼栋 ${id} 被固定给多人，按第一条执行`);
          continue;
        }
        moveBuilding(s, b, w);
        s.pinned[b] = 1;
      }
    } else {
      grid.allowed ??= new Set();
      grid.allowed.add(w);
    }
  }
  // A pinned person keeps the pinned grid even against a must-not: the admin decided.
  for (const grid of s.grids) {
    if (!grid.allowed) continue;
    for (const w of grid.allowed) s.workers[w]!.mustNot.delete(s.grids.indexOf(grid));
    grid.maxHolders = Math.max(grid.maxHolders, grid.allowed.size);
  }
  s.grids.forEach((grid, g) => {
    grid.maxHolders = Math.max(grid.maxHolders, s.holders[g]!.size);
  });
  for (let w = 0; w < s.workers.length; w += 1) {
    const worker = s.workers[w]!;
    if (s.load[w]! > worker.cap)
      s.warnings.push(`${worker.name} 的固定分配已超过其容量（${Math.round(s.load[w]!)} > ${worker.cap}）`);
  }
}
