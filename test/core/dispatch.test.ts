import {
  DEFAULT_DISPATCH_PARAMS,
  planDispatch,
  tripTimeFromFloors,
  tripTiming,
  type DispatchBuilding,
  type DispatchInput,
  type DispatchOrder,
  type DispatchPlan,
  type DispatchVolunteer,
} from '../../core/dispatch';
import { generateInstance } from '../../core/dispatch/instances';

const liftTower: DispatchBuilding = { id: 'b1', distanceM: 120, floors: 10, hasLift: true };
const walkUp: DispatchBuilding = { id: 'b2', distanceM: 120, floors: 6, hasLift: false };

function order(
  id: string,
  buildingId: string,
  floor: number,
  weightKg: number,
  extra: Partial<DispatchOrder> = {},
): DispatchOrder {
  return { id, buildingId, floor, weightKg, priority: false, medicine: false, deadlineS: null, placedAtS: 0, ...extra };
}

function volunteer(id: string, capacityKg: number, buildingIds: string[] = [], busyUntilS = 0): DispatchVolunteer {
  return { id, capacityKg, buildingIds, busyUntilS };
}

/** Seeded instances of every shape the benchmark uses (kept small for speed). */
const INSTANCES: DispatchInput[] = [
  generateInstance({ households: 100, volunteers: 5, seed: 1 }),
  generateInstance({ households: 100, volunteers: 50, seed: 2 }),
  generateInstance({ households: 300, volunteers: 10, seed: 3 }),
  generateInstance({ households: 'tower', volunteers: 20, seed: 4 }),
  generateInstance({ households: 300, volunteers: 20, seed: 5 }),
];

const plans = new Map<DispatchInput, DispatchPlan>();
/** The plan of a shared instance, computed once for the whole file. */
function planOf(input: DispatchInput): DispatchPlan {
  let plan = plans.get(input);
  if (!plan) {
    plan = planDispatch(input);
    plans.set(input, plan);
  }
  return plan;
}

function tripsOf(plan: DispatchPlan, volunteerId: string) {
  return plan.trips.filter((t) => t.volunteerId === volunteerId).sort((a, b) => a.startS - b.startS);
}

describe('dispatch time model', () => {
  it('times a lift trip by hand: overhead, pickups, walk, lift stops, doors, ride down, walk back', () => {
    const orders = [order('a', 'b1', 1, 2), order('b', 'b1', 3, 2), order('c', 'b1', 3, 2), order('d', 'b1', 7, 2)];
    // 60 check-out + 4×10 pickup + 100 walk = 200; door on 1 → 230; lift 40+2×3 → 276, doors → 306, 336;
    // lift 40+4×3 → 388, door → 418; ride down 40+6×3 → 476; walk back 100 → 576.
    const timing = tripTiming(orders, liftTower, DEFAULT_DISPATCH_PARAMS);
    expect(timing.deliverOffsetsS).toEqual([230, 306, 336, 418]);
    expect(timing.durationS).toBe(576);
    expect(tripTimeFromFloors(4, [1, 3, 7], liftTower, DEFAULT_DISPATCH_PARAMS)).toBe(576);
  });

  it('times a walk-up trip by hand: 15 s per floor climbed loaded, 8 s per floor down', () => {
    // 60 + 2×10 + 100 = 180; climb 1 floor → 195, door → 225; climb 3 → 270, door → 300; down 4×8 → 332; walk → 432.
    const timing = tripTiming([order('x', 'b2', 5, 1), order('y', 'b2', 2, 1)], walkUp, DEFAULT_DISPATCH_PARAMS);
    expect(timing.deliverOffsetsS).toEqual([300, 225]);
    expect(timing.durationS).toBe(432);
  });
});

describe('planDispatch', () => {
  it('gives the same plan for the same input, whatever the order of the lists', () => {
    for (const input of INSTANCES) {
      const reversed: DispatchInput = {
        orders: [...input.orders].reverse(),
        buildings: [...input.buildings].reverse(),
        volunteers: [...input.volunteers].reverse(),
      };
      expect(JSON.stringify(planDispatch(reversed))).toBe(JSON.stringify(planOf(input)));
    }
  });

  it('assigns every order exactly once or lists it as unassigned with a reason', () => {
    const input: DispatchInput = {
      buildings: [liftTower, walkUp, { id: 'b3', distanceM: 300, floors: 18, hasLift: true }],
      volunteers: [volunteer('v1', 15, ['b1']), volunteer('v2', 10, ['b2'])],
      orders: [
        order('o1', 'b1', 4, 3),
        order('o2', 'b2', 2, 4),
        order('o3', 'b3', 9, 2), // nobody serves b3
        order('o4', 'nowhere', 1, 1), // unknown building
        order('o5', 'b2', 3, 12), // heavier than v2 carries
      ],
    };
    const plan = planDispatch(input);
    expect(Object.keys(plan.byOrder).sort()).toEqual(['o1', 'o2']);
    expect(plan.unassigned.map((u) => u.orderId)).toEqual(['o3', 'o4', 'o5']);
    // A named heavy item says whom it is about: b2's volunteer carries 10 kg, b1's (not b2's) 15 kg.
    const gas = planDispatch({
      ...input,
      orders: [{ ...order('o6', 'b2', 3, 15), label: '15公斤空煤气罐' }],
    });
    expect(gas.unassigned[0]?.reason).toBe(
      '15公斤空煤气罐：负责这栋楼的在岗志愿者都无法搬运（最多能搬10公斤），请指派有推车的志愿者',
    );
    for (const u of plan.unassigned) expect(u.reason).toMatch(/[\u4e00-\u9fa5]{4,}/);
    expect(plan.unassigned.find((u) => u.orderId === 'o5')?.reason).toContain('10kg');

    for (const generated of INSTANCES) {
      const p = planOf(generated);
      const seen = [...p.trips.flatMap((t) => t.orderIds), ...p.unassigned.map((u) => u.orderId)];
      expect(seen.length).toBe(new Set(seen).size);
      expect(new Set(seen)).toEqual(new Set(generated.orders.map((o) => o.id)));
      p.trips.forEach((t, i) => {
        for (const id of t.orderIds) expect(p.byOrder[id]?.tripIndex).toBe(i);
      });
    }
  });

  it('never loads a trip beyond its volunteer capacity and keeps volunteers to their buildings', () => {
    for (const input of INSTANCES) {
      const plan = planOf(input);
      const weight = new Map(input.orders.map((o) => [o.id, o.weightKg]));
      const building = new Map(input.orders.map((o) => [o.id, o.buildingId]));
      const vol = new Map(input.volunteers.map((v) => [v.id, v]));
      for (const t of plan.trips) {
        const v = vol.get(t.volunteerId);
        if (!v) throw new Error(`unknown volunteer ${t.volunteerId}`);
        const kg = t.orderIds.reduce((s, id) => s + (weight.get(id) ?? 0), 0);
        expect(kg).toBeLessThanOrEqual(v.capacityKg + 1e-9);
        expect(t.weightKg).toBeCloseTo(kg, 6);
        for (const id of t.orderIds) {
          expect(building.get(id)).toBe(t.buildingIds[0]);
          if (v.buildingIds.length > 0) expect(v.buildingIds).toContain(building.get(id));
        }
      }
    }
  });

  it('serves special-needs, medicine and deadline orders in the first wave, deadlines met', () => {
    for (const input of INSTANCES) {
      const plan = planOf(input);
      const urgent = new Set(
        input.orders.filter((o) => o.priority || o.medicine || o.deadlineS !== null).map((o) => o.id),
      );
      for (const v of input.volunteers) {
        let ordinarySeen = false;
        for (const t of tripsOf(plan, v.id)) {
          const hasUrgent = t.orderIds.some((id) => urgent.has(id));
          expect(t.wave).toBe(hasUrgent ? 1 : 2);
          if (hasUrgent) expect(ordinarySeen).toBe(false);
          else ordinarySeen = true;
        }
      }
      for (const o of input.orders) {
        const a = plan.byOrder[o.id];
        if (o.deadlineS !== null && a) expect(a.deliverAtS).toBeLessThanOrEqual(o.deadlineS);
      }
    }
  });

  it('sends the special-needs order of a building before its ordinary ones, even if placed later', () => {
    const plan = planDispatch({
      buildings: [liftTower],
      volunteers: [volunteer('v1', 10)],
      orders: [
        order('o1', 'b1', 9, 6, { placedAtS: -600 }),
        order('o2', 'b1', 2, 6, { priority: true, deadlineS: 3600, placedAtS: -10 }),
      ],
    });
    expect(plan.trips.map((t) => t.orderIds)).toEqual([['o2'], ['o1']]);
    expect(plan.trips[0]?.wave).toBe(1);
    expect(plan.byOrder.o2?.reason).toContain('第一波');
    expect(plan.byOrder.o2?.reason).toContain('限时60分钟');
  });

  it('warns the gridworker when a deadline cannot be met', () => {
    const plan = planDispatch({
      buildings: [{ id: 'far', distanceM: 450, floors: 30, hasLift: true }],
      volunteers: [volunteer('v1', 10)],
      orders: [order('o1', 'far', 30, 2, { priority: true, deadlineS: 300 })],
    });
    expect(plan.byOrder.o1?.deliverAtS).toBeGreaterThan(300);
    expect(plan.byOrder.o1?.reason).toContain('可能超时');
  });

  it('batches a building floor by floor: one volunteer takes the whole stairwell when capacity allows', () => {
    const plan = planDispatch({
      buildings: [liftTower, walkUp],
      volunteers: [volunteer('v1', 20), volunteer('v2', 20)],
      orders: [
        order('a1', 'b1', 3, 2),
        order('a2', 'b1', 3, 3),
        order('a3', 'b1', 8, 4),
        order('c1', 'b2', 5, 5),
        order('c2', 'b2', 6, 5),
      ],
    });
    expect(plan.trips).toHaveLength(2);
    const byBuilding = Object.fromEntries(plan.trips.map((t) => [t.buildingIds[0], t]));
    expect(byBuilding.b1?.orderIds).toEqual(['a1', 'a2', 'a3']);
    expect(byBuilding.b1?.floors).toEqual([3, 8]);
    expect(byBuilding.b2?.orderIds).toEqual(['c1', 'c2']);
    expect(byBuilding.b1?.volunteerId).not.toBe(byBuilding.b2?.volunteerId);
  });

  it('leaves no eligible volunteer idle while another has two trips or more', () => {
    for (const input of INSTANCES.slice(0, 3)) {
      const calm: DispatchInput = { ...input, volunteers: input.volunteers.map((v) => ({ ...v, busyUntilS: 0 })) };
      const plan = planDispatch(calm);
      const idle = calm.volunteers.filter((v) => tripsOf(plan, v.id).length === 0);
      for (const v of calm.volunteers) {
        const trips = tripsOf(plan, v.id);
        if (trips.length < 2) continue;
        for (const t of trips) {
          const canTake = idle.filter(
            (u) =>
              u.capacityKg >= t.weightKg &&
              (u.buildingIds.length === 0 || u.buildingIds.includes(t.buildingIds[0] ?? '')),
          );
          expect(canTake.map((u) => u.id)).toEqual([]);
        }
      }
    }
  });

  it('balances the work: everyone finishes within 15 % of each other when there is enough of it', () => {
    const input = generateInstance({ households: 800, volunteers: 10, seed: 7 });
    const plan = planDispatch(input);
    const finish = input.volunteers.map((v) => (v.busyUntilS ?? 0) + (plan.loadS[v.id] ?? 0));
    expect(Math.max(...finish) / Math.min(...finish)).toBeLessThanOrEqual(1.15);
    expect(plan.makespanS).toBeCloseTo(Math.max(...finish), 6);
  });

  it('explains every assignment in Chinese: why this volunteer, what was batched', () => {
    for (const input of INSTANCES) {
      const plan = planOf(input);
      for (const t of plan.trips) {
        expect(t.reason).toMatch(/[\u4e00-\u9fa5]/);
        expect(t.reason).toContain(`${t.orderIds.length}单合并一趟`);
      }
      for (const a of Object.values(plan.byOrder)) expect(a.reason.length).toBeGreaterThan(10);
    }
  });

  it('keeps trip times consistent: back to back from busyUntilS, loads summing the trips', () => {
    const input = INSTANCES[2] as DispatchInput;
    const plan = planOf(input);
    for (const v of input.volunteers) {
      let t = v.busyUntilS ?? 0;
      let load = 0;
      for (const trip of tripsOf(plan, v.id)) {
        expect(trip.startS).toBeCloseTo(t, 6);
        load += trip.endS - trip.startS;
        t = trip.endS;
      }
      expect(plan.loadS[v.id]).toBeCloseTo(load, 6);
    }
  });

  it('refuses repeated order ids and invalid weights with a reason, never carrying them twice', () => {
    const plan = planDispatch({
      buildings: [liftTower],
      volunteers: [volunteer('v1', 10), volunteer('v1', 20)],
      orders: [order('o1', 'b1', 2, 2), order('o1', 'b1', 3, 2), order('o2', 'b1', 2, Number.NaN)],
    });
    expect(plan.trips.flatMap((t) => t.orderIds)).toEqual(['o1']);
    expect(plan.unassigned.map((u) => u.orderId).sort()).toEqual(['o1', 'o2']);
    expect(Object.keys(plan.loadS)).toEqual(['v1']);
  });

  it('answers an empty plan without volunteers or orders', () => {
    expect(planDispatch({ orders: [], buildings: [liftTower], volunteers: [volunteer('v1', 10)] })).toEqual({
      trips: [],
      byOrder: {},
      unassigned: [],
      makespanS: 0,
      loadS: { v1: 0 },
    });
    const none = planDispatch({ orders: [order('o1', 'b1', 2, 2)], buildings: [liftTower], volunteers: [] });
    expect(none.unassigned).toEqual([{ orderId: 'o1', reason: expect.stringContaining('没有') }]);
  });
});
