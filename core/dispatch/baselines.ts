import { dispatchParams, tripTiming } from './time-model';
import type {
  DispatchBuilding,
  DispatchInput,
  DispatchOrder,
  DispatchPlan,
  DispatchVolunteer,
  OrderAssignment,
  Trip,
} from './types';

/**
 * Two yardsticks for the benchmark, on the same time model as `planDispatch`:
 * first-come-first-served without batching, and a nearest-volunteer greedy. Neither has waves,
 * balancing or improvement; both respect capacity and assigned buildings.
 */

interface Lane {
  v: DispatchVolunteer;
  freeAtS: number;
  trips: Array<{ building: DispatchBuilding; orders: DispatchOrder[]; weightKg: number }>;
}

function lanesOf(volunteers: readonly DispatchVolunteer[]): Lane[] {
  return [...volunteers]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((v) => ({ v, freeAtS: v.busyUntilS ?? 0, trips: [] }));
}

function eligible(lane: Lane, o: DispatchOrder): boolean {
  return (
    lane.v.capacityKg >= o.weightKg && (lane.v.buildingIds.length === 0 || lane.v.buildingIds.includes(o.buildingId))
  );
}

/** Orders in the order they were placed (id breaks ties). */
function firstCome(orders: readonly DispatchOrder[]): DispatchOrder[] {
  return [...orders].sort((a, b) => a.placedAtS - b.placedAtS || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function earliestFree(lanes: readonly Lane[], o: DispatchOrder): Lane | null {
  let best: Lane | null = null;
  for (const lane of lanes) if (eligible(lane, o) && (!best || lane.freeAtS < best.freeAtS)) best = lane;
  return best;
}

function toPlan(
  lanes: readonly Lane[],
  unassigned: DispatchPlan['unassigned'],
  input: DispatchInput,
  reason: string,
): DispatchPlan {
  const p = dispatchParams(input.params);
  const trips: Trip[] = [];
  const byOrder: Record<string, OrderAssignment> = {};
  const loadS: Record<string, number> = {};
  let makespanS = 0;
  for (const lane of lanes) {
    let t = lane.v.busyUntilS ?? 0;
    for (const trip of lane.trips) {
      const orders = [...trip.orders].sort((a, b) => a.floor - b.floor);
      const timing = tripTiming(orders, trip.building, p);
      const tripIndex = trips.length;
      trips.push({
        volunteerId: lane.v.id,
        orderIds: orders.map((o) => o.id),
        buildingIds: [trip.building.id],
        floors: [...new Set(orders.map((o) => o.floor))],
        weightKg: trip.weightKg,
        startS: t,
        endS: t + timing.durationS,
        wave: orders.some((o) => o.priority || o.medicine || o.deadlineS !== null) ? 1 : 2,
        reason,
      });
      orders.forEach((o, i) => {
        byOrder[o.id] = { volunteerId: lane.v.id, tripIndex, deliverAtS: t + (timing.deliverOffsetsS[i] ?? 0), reason };
      });
      t += timing.durationS;
    }
    loadS[lane.v.id] = t - (lane.v.busyUntilS ?? 0);
    if (lane.trips.length > 0) makespanS = Math.max(makespanS, t);
  }
  return { trips, byOrder, unassigned, makespanS, loadS };
}

/** Baseline 1: every order its own trip, in placement order, to the earliest-free volunteer. */
export function planFirstCome(input: DispatchInput): DispatchPlan {
  const p = dispatchParams(input.params);
  const buildings = new Map(input.buildings.map((b) => [b.id, b]));
  const lanes = lanesOf(input.volunteers);
  const unassigned: DispatchPlan['unassigned'] = [];
  for (const o of firstCome(input.orders)) {
    const building = buildings.get(o.buildingId);
    const lane = building ? earliestFree(lanes, o) : null;
    if (!building || !lane) {
      unassigned.push({ orderId: o.id, reason: '没有可派志愿者' });
      continue;
    }
    lane.trips.push({ building, orders: [o], weightKg: o.weightKg });
    lane.freeAtS += tripTiming([o], building, p).durationS;
  }
  return toPlan(lanes, unassigned, input, '先到先派（不合并）');
}

/**
 * Baseline 2: orders in placement order; each goes to the "nearest" volunteer — one whose last
 * trip already heads to that building with room left (joins it), else one assigned to that
 * building, else the earliest-free eligible volunteer.
 */
export function planNearestGreedy(input: DispatchInput): DispatchPlan {
  const p = dispatchParams(input.params);
  const buildings = new Map(input.buildings.map((b) => [b.id, b]));
  const lanes = lanesOf(input.volunteers);
  const unassigned: DispatchPlan['unassigned'] = [];
  const duration = (lane: Lane): number =>
    lane.trips.reduce((s, t) => s + tripTiming(t.orders, t.building, p).durationS, lane.v.busyUntilS ?? 0);
  for (const o of firstCome(input.orders)) {
    const building = buildings.get(o.buildingId);
    if (!building) {
      unassigned.push({ orderId: o.id, reason: '没有可派志愿者' });
      continue;
    }
    const joining = lanes.find((lane) => {
      const last = lane.trips[lane.trips.length - 1];
      return eligible(lane, o) && last?.building.id === o.buildingId && last.weightKg + o.weightKg <= lane.v.capacityKg;
    });
    if (joining) {
      const last = joining.trips[joining.trips.length - 1];
      if (last) {
        last.orders.push(o);
        last.weightKg += o.weightKg;
        joining.freeAtS = duration(joining);
        continue;
      }
    }
    const own = lanes.filter((lane) => eligible(lane, o) && lane.v.buildingIds.includes(o.buildingId));
    const lane = own.length > 0 ? earliestFree(own, o) : earliestFree(lanes, o);
    if (!lane) {
      unassigned.push({ orderId: o.id, reason: '没有可派志愿者' });
      continue;
    }
    lane.trips.push({ building, orders: [o], weightKg: o.weightKg });
    lane.freeAtS = duration(lane);
  }
  return toPlan(lanes, unassigned, input, '就近派给正在去该楼或负责该楼的志愿者');
}
