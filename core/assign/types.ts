/**
 * Gridworker assignment (定人定岗定责: 网格员包网格, 组长包小组) — the model.
 *
 * Unit of work: the GRID, held whole by one gridworker (网格员包网格). A building is never split:
 * all its households go to one person. A worker's share of a grid ("part") is a set of whole
 * buildings of that grid.
 *
 * Grids kept whole — THE RULE (`gridMayBeShared` and `markCuttable` in ./state; `shareableGridIds`
 * exports it), decided from the instance alone, before any assignment: a grid of two buildings or
 * more may be shared iff (a) it amounts to at least one person's share (CUT_SHARE = 1) of load or of
 * special-needs residents, or (b) it is more than 1.25 times as dense in special-needs residents as
 * the average with at least 0.6 share of them, or (c) a group leader must take it, or (d) the group
 * leaders need it: they take parts of shared grids only (组长包小组: runs of grids a gridworker
 * leads, never a grid alone), so when the shared grids cannot feed them (each offers about half of
 * itself), the biggest other grids may be shared too, biggest first, until they can. Every other
 * grid goes whole to one gridworker; a shared grid keeps a gridworker among its holders.
 * The solver shares no other grid, and shares the shareable ones only as needed: the construction
 * cuts a grid bigger than 1.1 shares into ceil(shares) runs (a dense one into runs of 0.6 share of
 * special-needs residents, some for the group leaders into two), split rounds open one more holder
 * of a shareable grid only where moving and swapping whole parts leaves someone outside ±8 % of the
 * averages (max/min above 1.17).
 *
 * Load of a building or grid (weighted households):
 *   load = weights.household × households + weights.resident × residents + weights.specialNeed × specialNeeds
 * (defaults 1, 0, 3: a special-needs resident weighs like three more households).
 * Special load of a worker = the number of special-needs residents in their buildings (unweighted);
 * it is balanced too, so that nobody answers for far more vulnerable people than the others.
 *
 * Roles: gridworkers (网格员包网格) and group leaders (组长包小组) both take parts and are balanced
 * on the same measure. A grid's lead (who answers for it) is a gridworker holding part of it
 * whenever one does; the construction gives every grid a gridworker first when one has room, and
 * the search never takes the last gridworker away from a grid. `maxGrids` confines a person to few
 * grids (e.g. 1 for a group leader who leads the buildings of their own grid only).
 *
 * A grid without buildingIds is one indivisible unit (reported as the building `<gridId>#全部`).
 *
 * Hard constraints: every building to exactly one worker (or reported uncovered with a reason);
 * `capacity` is a ceiling on a worker's load (not a share); never a building of a `mustNotGridIds`
 * grid; at least one building of each `mustGridIds` grid; pins kept exactly (a pin wins over a
 * must-not or a capacity, with a warning: the admin decided).
 * Objectives, in order: (1) balance — loads and special loads near their averages (a steep
 * penalty beyond ±7 % / ±8 %) with few shared grids (above); (2) the max load pushed down toward
 * the optimum of the model (moves, swaps and exact re-cuts of two people's units; in a community of
 * at most 64 people every shareable grid is opened for it and an iterated search follows — this is
 * what the benchmark's exact yardstick measures, bench/assign-exact.ts — elsewhere while the special
 * loads stay within ±8 % of theirs), then the special-needs spread repaired without a new extreme;
 * (3) proximity and fewer parts — only through moves that keep every load and special load within
 * the max/min already reached and no grid shared that was whole. People with capacity 0 are
 * unavailable and do not count in the balance.
 *
 * Pins (`pinned`): `{gridId, workerId, buildingIds}` fixes those buildings to that worker.
 * `{gridId, workerId}` without buildings pins the grid: its buildings (other than those pinned
 * by id) go only to the worker(s) pinned that way; one such pin = the whole grid to that worker.
 * Re-running with the previous plan's parts as pins reproduces them; unpinned grids are re-solved.
 *
 * Deterministic: the same input gives the same plan (no randomness; ties broken by input order).
 * Coordinates are metres in any local plane (x east, y north); null means unknown (no preference).
 */

/** A building with its own counts (optional detail; without it a grid's counts are split evenly). */
export interface AssignBuilding {
  id: string;
  /** Shown in explanations (e.g. 3号楼); defaults to the id. */
  name?: string;
  households: number;
  residents?: number;
  specialNeeds: number;
}

/** A grid to be covered. */
export interface AssignGrid {
  id: string;
  name?: string;
  households: number;
  residents: number;
  /** Special-needs residents (elders living alone, dialysis, disabled, pregnant…). */
  specialNeeds: number;
  /** Its buildings, in walking order (parts of a split grid follow this order where they can). */
  buildingIds: string[];
  /** Per-building counts when known (ids must be those of buildingIds; they then define the totals). */
  buildings?: AssignBuilding[];
  /** Centroid, metres; null when unknown. */
  x: number | null;
  y: number | null;
}

/** Gridworker (网格员) or group leader (组长). */
export type AssignRole = 'gridworker' | 'groupLeader';

/** A person who can take work. */
export interface AssignWorker {
  id: string;
  name?: string;
  role: AssignRole;
  /** Most weighted load they can carry (a ceiling; Infinity allowed). */
  capacity: number;
  /** Where they live, metres; null when unknown. */
  x: number | null;
  y: number | null;
  mustGridIds: string[];
  mustNotGridIds: string[];
  /** Confine them to at most this many grids (e.g. 1 for a group leader who only knows their own); default no limit. */
  maxGrids?: number;
}

/** An admin's pin: these buildings (or, without buildingIds, this grid) stay with this worker. */
export interface AssignPin {
  gridId: string;
  workerId: string;
  buildingIds?: string[];
}

/** Weights of the load measure and of the proximity preference. */
export interface AssignWeights {
  household: number;
  resident: number;
  specialNeed: number;
  /**
   * Proximity preference: home-to-grid distance cost per km in the secondary objective, relative
   * to other distances (0 turns proximity off). It never trades against balance.
   */
  distancePerKm: number;
}

/** Everything the assignment needs. */
export interface AssignInput {
  grids: AssignGrid[];
  workers: AssignWorker[];
  pinned?: AssignPin[];
  weights?: Partial<AssignWeights>;
}

/** One worker's share of one grid: whole buildings. */
export interface AssignPart {
  gridId: string;
  workerId: string;
  buildingIds: string[];
  load: number;
  specialLoad: number;
  /** Home-to-grid-centroid distance, km; null when unknown. */
  distanceKm: number | null;
  /** Every building of this part was pinned. */
  pinned: boolean;
}

/** What one worker ends up with. */
export interface AssignWorkerPlan {
  gridIds: string[];
  buildingIds: string[];
  load: number;
  specialLoad: number;
}

/** The assignment and how good it is. */
export interface AssignPlan {
  /** gridId → worker ids holding part of it, lead first. */
  byGrid: Record<string, string[]>;
  /** workerId → what they hold (every input worker appears, possibly with nothing). */
  byWorker: Record<string, AssignWorkerPlan>;
  /** Every (grid, worker) share, in grid order then lead first. */
  parts: AssignPart[];
  /** gridId → the worker answering for the grid (a gridworker when there is one). */
  leadByGrid: Record<string, string>;
  /** gridId → why it went to whom (Chinese, shown to the admin). */
  reasons: Record<string, string>;
  /** Grids (or parts of them) nobody could take, with why (Chinese). */
  uncovered: Array<{ gridId: string; buildingIds: string[]; reason: string }>;
  /** Conflicts the admin should know about (Chinese), e.g. a pin against a must-not. */
  warnings: string[];
  /** Max over min worker load; null when some worker holds nothing (or there is no worker). */
  loadMaxMin: number | null;
  /** Max over min special-needs residents per worker; null when some worker has none. */
  specialLoadMaxMin: number | null;
  maxLoad: number;
  minLoad: number;
  /** Total load over workers: the lower bound of the max load with perfectly divisible work. */
  averageLoad: number;
}

/** Default weights: a special-needs resident weighs like three more households. */
export const DEFAULT_ASSIGN_WEIGHTS: AssignWeights = { household: 1, resident: 0, specialNeed: 3, distancePerKm: 1 };
