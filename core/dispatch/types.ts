/**
 * Automatic dispatch (issue 4): the shapes the planner reads and writes.
 *
 * The time model (one model for the planner, the cloud function, the benchmark and the baselines;
 * see `tripTime` in `time-model.ts`):
 * - A volunteer works in **trips**: check out at the gate/depot (`tripOverheadS`), load every order
 *   (`pickupS` each, counted hand-off), walk out to the building (`distanceM / walkMps`), climb,
 *   ring each door (`doorS` each), come down and walk back to the gate. A trip serves ONE building
 *   (one stairwell: 一人包一个楼道) and carries at most the volunteer's `capacityKg`.
 * - Vertical time: with a lift, one wait (`liftWaitS`) per floor stopped at above the ground floor
 *   plus one for the ride down, and `liftPerFloorS` per floor travelled up and down to the top
 *   floor served; a walk-up costs `stairUpPerFloorS` per floor climbed (loaded) and
 *   `stairDownPerFloorS` per floor back down. Floors are visited bottom-up.
 * - A volunteer's trips run back to back from `busyUntilS` (work already committed). All times are
 *   seconds after the dispatch starts. An order is delivered when its door is reached.
 * - Waves: wave 1 = trips carrying a special-needs, medicine or deadline order; on every volunteer
 *   all wave-1 trips come before any wave-2 trip (deadline trips first, earliest deadline first).
 *   The makespan is the end of the last trip.
 *
 * The planner (`planDispatch` in `planner.ts`) minimises the makespan, then evens out when each
 * volunteer finishes, keeping every deadline; see its comment for the steps. Baselines for the
 * benchmark are in `baselines.ts`, seeded instances in `instances.ts`.
 */

/** An accepted order waiting for a volunteer. */
export interface DispatchOrder {
  id: string;
  buildingId: string;
  /** 1 = ground floor. */
  floor: number;
  weightKg: number;
  /** A special-needs household (特殊需求: elderly living alone, disabled, pregnant …). */
  priority: boolean;
  medicine: boolean;
  /** Latest acceptable delivery, seconds after dispatch start; null: none. */
  deadlineS: number | null;
  /** When the order was placed, seconds relative to dispatch start (≤ 0 for past orders). */
  placedAtS: number;
  /** What it is, for a person (`15公斤煤气罐`): names it when nobody on duty can carry it. */
  label?: string;
}

/** A building the orders go to. */
export interface DispatchBuilding {
  id: string;
  /** Walking distance from the gate/depot where goods are handed over, metres. */
  distanceM: number;
  floors: number;
  hasLift: boolean;
}

/** An on-duty delivery volunteer. */
export interface DispatchVolunteer {
  id: string;
  /** What they carry in one trip, kg. */
  capacityKg: number;
  /** Buildings they may serve; empty: any building. */
  buildingIds: string[];
  /** Seconds after dispatch start when they are free (work already committed); default 0. */
  busyUntilS?: number;
}

/** Constants of the time model (all seconds or metres per second). */
export interface DispatchParams {
  walkMps: number;
  /** Wait for the lift, per stop. */
  liftWaitS: number;
  liftPerFloorS: number;
  stairUpPerFloorS: number;
  stairDownPerFloorS: number;
  /** At each door: knock, hand over, check the code or take the photo (20–40 s). */
  doorS: number;
  /** Loading and counting one order at the depot. */
  pickupS: number;
  /** Checking out one trip at the depot. */
  tripOverheadS: number;
  /** Local-improvement steps after the greedy schedule (moves, swaps, exchanges, splits). */
  improveRounds: number;
  /** Iterated-local-search kicks on plans of ≤ 120 trips (a fifth of them up to 200 trips, none above). */
  kicks: number;
}

/** The defaults, from the seeds (walking 1.2 m/s with a load, 30 s per door). */
export const DEFAULT_DISPATCH_PARAMS: DispatchParams = {
  walkMps: 1.2,
  liftWaitS: 40,
  liftPerFloorS: 3,
  stairUpPerFloorS: 15,
  stairDownPerFloorS: 8,
  doorS: 30,
  pickupS: 10,
  tripOverheadS: 60,
  improveRounds: 2000,
  kicks: 40,
};

/** What the planner is given. */
export interface DispatchInput {
  orders: readonly DispatchOrder[];
  buildings: readonly DispatchBuilding[];
  volunteers: readonly DispatchVolunteer[];
  params?: Partial<DispatchParams>;
}

/** One trip of one volunteer (becomes one delivery job). */
export interface Trip {
  volunteerId: string;
  /** In delivery order (floor ascending). */
  orderIds: string[];
  /** The building served (one; an array for the job document's shape). */
  buildingIds: string[];
  /** Floors served, ascending. */
  floors: number[];
  weightKg: number;
  startS: number;
  endS: number;
  /** 1: carries special-needs / medicine / deadline orders; 2: the rest. */
  wave: 1 | 2;
  /** Why this volunteer got this trip (Chinese, shown on the dispatch board and the job). */
  reason: string;
}

/** Where one order went. */
export interface OrderAssignment {
  volunteerId: string;
  /** Index into `DispatchPlan.trips`. */
  tripIndex: number;
  /** Seconds after dispatch start when the door is reached. */
  deliverAtS: number;
  /** Chinese: why this volunteer. */
  reason: string;
}

/** The planner's answer. Same input → same plan, byte for byte. */
export interface DispatchPlan {
  /** Sorted by volunteer id, then start time. */
  trips: Trip[];
  byOrder: Record<string, OrderAssignment>;
  /**
   * Orders nobody can carry, with a Chinese reason for the gridworker (sorted by id). A repeated
   * order id is carried once and its repeats are listed here.
   */
  unassigned: Array<{ orderId: string; reason: string }>;
  /** End of the last trip (0 with no trips). */
  makespanS: number;
  /** Work given to each volunteer by this plan, seconds (every volunteer with a positive capacity). */
  loadS: Record<string, number>;
}
