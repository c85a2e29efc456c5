import { planDispatch } from '../../core/dispatch';
import { planFirstCome, planNearestGreedy } from '../../core/dispatch/baselines';
import { generateInstance } from '../../core/dispatch/instances';
import { URGENT_MEDICINE_DEADLINE_S } from '../../core/policy';

describe('dispatch benchmark instances', () => {
  it('are the same for the same spec and follow the reports’ ranges', () => {
    const spec = { households: 300, volunteers: 10, seed: 9 } as const;
    expect(generateInstance(spec)).toEqual(generateInstance(spec));
    const input = generateInstance(spec);
    expect(input.orders).toHaveLength(300);
    expect(input.buildings.length).toBeGreaterThanOrEqual(3);
    expect(input.buildings.length).toBeLessThanOrEqual(20);
    for (const b of input.buildings) {
      expect(b.distanceM).toBeGreaterThanOrEqual(50);
      expect(b.distanceM).toBeLessThanOrEqual(450);
      expect(b.floors).toBeGreaterThanOrEqual(6);
      expect(b.floors).toBeLessThanOrEqual(33);
      if (!b.hasLift) expect(b.floors).toBeLessThanOrEqual(7);
    }
    expect(input.orders.some((o) => o.deadlineS !== null)).toBe(true);
    for (const o of input.orders) {
      expect(o.weightKg).toBeGreaterThanOrEqual(1);
      expect(o.weightKg).toBeLessThanOrEqual(6);
      // Production's rule (core/policy.ts): only urgent medicine has a deadline, within the hour.
      if (o.deadlineS !== null) {
        expect(o.medicine).toBe(true);
        expect(o.deadlineS).toBe(URGENT_MEDICINE_DEADLINE_S);
      }
    }
    for (const v of input.volunteers) {
      expect(v.capacityKg).toBeGreaterThanOrEqual(10);
      expect(v.capacityKg).toBeLessThanOrEqual(20);
    }
    const tower = generateInstance({ households: 'tower', volunteers: 5, seed: 1 });
    expect(tower.buildings).toHaveLength(1);
    expect(tower.buildings[0]?.floors).toBe(33);
  });
});

describe('dispatch baselines', () => {
  const input = generateInstance({ households: 100, volunteers: 10, seed: 3 });

  it.each([
    ['first come, no batching', planFirstCome],
    ['nearest-volunteer greedy', planNearestGreedy],
  ])('%s assigns every order once, within capacity and buildings', (_name, planner) => {
    const plan = planner(input);
    const ids = plan.trips.flatMap((t) => t.orderIds);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length + plan.unassigned.length).toBe(input.orders.length);
    const vol = new Map(input.volunteers.map((v) => [v.id, v]));
    const order = new Map(input.orders.map((o) => [o.id, o]));
    for (const t of plan.trips) {
      const v = vol.get(t.volunteerId);
      const kg = t.orderIds.reduce((s, id) => s + (order.get(id)?.weightKg ?? 0), 0);
      expect(kg).toBeLessThanOrEqual(v?.capacityKg ?? 0);
      if (v && v.buildingIds.length > 0) expect(v.buildingIds).toContain(t.buildingIds[0]);
    }
    expect(JSON.stringify(planner(input))).toBe(JSON.stringify(plan));
  });

  it('first-come makes one trip per order; the planner batches and finishes sooner', () => {
    const fcfs = planFirstCome(input);
    expect(fcfs.trips).toHaveLength(input.orders.length);
    const plan = planDispatch(input);
    expect(plan.trips.length).toBeLessThan(input.orders.length / 2);
    expect(plan.makespanS).toBeLessThan(fcfs.makespanS);
    expect(plan.makespanS).toBeLessThan(planNearestGreedy(input).makespanS);
  });
});
