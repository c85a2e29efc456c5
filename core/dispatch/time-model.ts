import { DEFAULT_DISPATCH_PARAMS, type DispatchBuilding, type DispatchOrder, type DispatchParams } from './types';

/** The time of one trip and when each of its doors is reached (seconds from the trip's start). */
export interface TripTiming {
  durationS: number;
  /** Same order as the orders given (each order's door reached, hand-over done). */
  deliverOffsetsS: number[];
}

/** Complete params from a partial override. */
export function dispatchParams(overrides?: Partial<DispatchParams>): DispatchParams {
  return { ...DEFAULT_DISPATCH_PARAMS, ...overrides };
}

/** Climbing (or riding) from floor `from` up to floor `to` inside a building. */
function upS(building: DispatchBuilding, from: number, to: number, p: DispatchParams): number {
  if (to <= from) return 0;
  return building.hasLift ? p.liftWaitS + p.liftPerFloorS * (to - from) : p.stairUpPerFloorS * (to - from);
}

/** Coming back down from floor `top` to the ground. */
function downS(building: DispatchBuilding, top: number, p: DispatchParams): number {
  if (top <= 1) return 0;
  return building.hasLift ? p.liftWaitS + p.liftPerFloorS * (top - 1) : p.stairDownPerFloorS * (top - 1);
}

/**
 * The time model of one trip (see the note in `types.ts`): orders of ONE building, delivered
 * floor by floor bottom-up. Orders are visited by floor then in the order given.
 */
export function tripTiming(
  orders: ReadonlyArray<Pick<DispatchOrder, 'floor'>>,
  building: DispatchBuilding,
  params: DispatchParams = DEFAULT_DISPATCH_PARAMS,
): TripTiming {
  const p = params;
  const walkS = building.distanceM / p.walkMps;
  const order = orders
    .map((o, i) => ({ floor: Math.max(1, o.floor), i }))
    .sort((a, b) => a.floor - b.floor || a.i - b.i);
  const offsets: number[] = new Array<number>(orders.length).fill(0);
  let t = p.tripOverheadS + p.pickupS * orders.length + walkS;
  let at = 1;
  for (const o of order) {
    t += upS(building, at, o.floor, p);
    at = Math.max(at, o.floor);
    t += p.doorS;
    offsets[o.i] = t;
  }
  t += downS(building, at, p) + walkS;
  return { durationS: t, deliverOffsetsS: offsets };
}

/** Duration of one trip (seconds) under the time model. */
export function tripTimeS(
  orders: ReadonlyArray<Pick<DispatchOrder, 'floor'>>,
  building: DispatchBuilding,
  params: DispatchParams = DEFAULT_DISPATCH_PARAMS,
): number {
  return tripTiming(orders, building, params).durationS;
}

/**
 * Duration of a trip given only its size and its floor set — the fast path the planner uses
 * (equal to `tripTimeS` for the same orders).
 */
export function tripTimeFromFloors(
  orderCount: number,
  distinctFloorsAsc: readonly number[],
  building: DispatchBuilding,
  p: DispatchParams,
): number {
  let t = p.tripOverheadS + (p.pickupS + p.doorS) * orderCount + (2 * building.distanceM) / p.walkMps;
  let top = 1;
  for (const f of distinctFloorsAsc) {
    if (f > top) {
      t += upS(building, top, f, p);
      top = f;
    }
  }
  return t + downS(building, top, p);
}
