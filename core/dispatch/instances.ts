import { deliveryDeadlineS } from '../policy';
import { randInt, seededRng, type Rng } from '../random';
import type { DispatchBuilding, DispatchInput, DispatchOrder, DispatchVolunteer } from './types';

/**
 * Seeded dispatch instances modelled on the lockdown reports (issue 4, "Measured"): a community
 * of 100/300/800 households in 3–20 buildings of 6–33 floors (walk-ups of 6–7 floors without a
 * lift), 50–450 m from the gate, or one 735-resident tower; one order per household of 1–6 kg,
 * 5–10 % medicine (30–60 % of it urgent), 2–8 % special-needs; volunteers carrying 10–20 kg, a
 * quarter of them tied to 1–3 buildings, a fifth still busy for up to 10 minutes.
 * Deadlines follow production's rules (core/policy.ts `deliveryDeadlineS`): an urgent medicine
 * order must be at the door within the hour; special-needs orders go in the first wave without
 * a deadline.
 */
export interface InstanceSpec {
  /** Households (one order each unless `orders` is given); 'tower' = the 735-resident building. */
  households: number | 'tower';
  volunteers: number;
  seed: number;
  /** Number of orders (default: one per household). */
  orders?: number;
}

/** Residents of the one-building cell (西安/上海 reports: a 735-resident tower). */
export const TOWER_RESIDENTS = 735;
/** People per household used to turn the tower's residents into households. */
const PEOPLE_PER_HOUSEHOLD = 2.5;

function buildingCount(households: number, rng: Rng): number {
  if (households <= 100) return randInt(rng, 3, 6);
  if (households <= 300) return randInt(rng, 5, 12);
  return randInt(rng, 10, 20);
}

function makeBuilding(id: string, rng: Rng): DispatchBuilding {
  const walkUp = rng() < 0.3;
  return {
    id,
    distanceM: randInt(rng, 50, 450),
    floors: walkUp ? randInt(rng, 6, 7) : randInt(rng, 11, 33),
    hasLift: !walkUp,
  };
}

/** One instance; the same spec always gives the same instance. */
export function generateInstance(spec: InstanceSpec): DispatchInput {
  const rng = seededRng(spec.seed * 7919 + spec.volunteers * 131 + (spec.households === 'tower' ? 1 : spec.households));
  const tower = spec.households === 'tower';
  const households = tower ? Math.round(TOWER_RESIDENTS / PEOPLE_PER_HOUSEHOLD) : (spec.households as number);
  const buildings: DispatchBuilding[] = tower
    ? [{ id: 'b01', distanceM: randInt(rng, 50, 450), floors: 33, hasLift: true }]
    : Array.from({ length: buildingCount(households, rng) }, (_, i) =>
        makeBuilding(`b${String(i + 1).padStart(2, '0')}`, rng),
      );

  const medicineRate = 0.05 + rng() * 0.05;
  const specialRate = 0.02 + rng() * 0.06;
  const urgentShare = 0.3 + rng() * 0.3;
  const count = spec.orders ?? households;
  const orders: DispatchOrder[] = [];
  for (let i = 0; i < count; i += 1) {
    const b = buildings[Math.floor(rng() * buildings.length)] ?? buildings[0];
    if (!b) break;
    const special = rng() < specialRate;
    const floor = randInt(rng, 1, b.floors);
    const weightKg = randInt(rng, 10, 60) / 10;
    const medicine = rng() < medicineRate;
    const urgency = medicine && rng() < urgentShare ? 'urgent' : 'normal';
    orders.push({
      id: `o${String(i + 1).padStart(4, '0')}`,
      buildingId: b.id,
      floor,
      weightKg,
      priority: special,
      medicine,
      deadlineS: deliveryDeadlineS({ medicine: medicine ? { urgency } : null }),
      placedAtS: -randInt(rng, 0, 7200),
    });
  }

  // The buildings fall into 2–3 grids; a tied volunteer serves the buildings of one grid.
  const gridCount = buildings.length >= 6 ? randInt(rng, 2, 3) : 1;
  const grids = Array.from({ length: gridCount }, (_, g) =>
    buildings.filter((_, i) => i % gridCount === g).map((b) => b.id),
  );
  const volunteers: DispatchVolunteer[] = [];
  for (let i = 0; i < spec.volunteers; i += 1) {
    // Every fourth volunteer is tied to a grid, the grids taken in turn.
    const own = gridCount > 1 && i % 4 === 3 ? (grids[Math.floor(i / 4) % gridCount] ?? []) : [];
    volunteers.push({
      id: `v${String(i + 1).padStart(2, '0')}`,
      capacityKg: randInt(rng, 10, 20),
      buildingIds: [...own].sort(),
      busyUntilS: rng() < 0.2 ? randInt(rng, 60, 600) : 0,
    });
  }
  return { orders, buildings, volunteers };
}
