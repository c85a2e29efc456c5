/** A generated city district for the assignment benchmark and tests: seeded, no Math.random. */
import type { AssignGrid, AssignInput, AssignWorker } from '../core/assign';
import { randInt, seededRng } from '../core/random';

/** Shape of a generated district. */
export interface DistrictSpec {
  seed: number;
  grids: number;
  gridworkers: number;
  groupLeaders: number;
  /** Households per grid, inclusive range. */
  households: [number, number];
  /** Side of the square district, metres. */
  sideM: number;
  /** Capacity of every worker as a multiple of the average load (a ceiling). */
  capacityFactor: number;
}

/** 200 grids of 100–800 households, 150 gridworkers and 40 group leaders on 6 km × 6 km. */
export const CITY_DISTRICT: DistrictSpec = {
  seed: 7,
  grids: 200,
  gridworkers: 150,
  groupLeaders: 40,
  households: [100, 800],
  sideM: 6000,
  capacityFactor: 1.6,
};

/**
 * A district of the reports' size (小店区: 1,413 grids, ~400k households): grids of 100–466
 * households on 16 km × 16 km, staffed like CITY_DISTRICT — one gridworker or group leader per
 * ~474 households (667 gridworkers + 178 group leaders).
 */
export const DISTRICT_1413: DistrictSpec = {
  seed: 11,
  grids: 1413,
  gridworkers: 667,
  groupLeaders: 178,
  households: [100, 466],
  sideM: 16000,
  capacityFactor: 1.6,
};

/** Generates grids (on a jittered lattice, 4–16 buildings each) and workers living among them. */
export function generateDistrict(spec: DistrictSpec): AssignInput {
  const rng = seededRng(spec.seed);
  const side = Math.ceil(Math.sqrt(spec.grids));
  const cell = spec.sideM / side;
  const grids: AssignGrid[] = [];
  let totalLoad = 0;
  for (let i = 0; i < spec.grids; i += 1) {
    const households = randInt(rng, spec.households[0], spec.households[1]);
    const nb = Math.max(2, Math.min(16, Math.round(households / randInt(rng, 40, 90))));
    // One grid in eight is an old estate with many elders living alone, dialysis patients…
    const heavy = rng() < 0.125;
    const buildingIds: string[] = [];
    const buildings = [];
    let left = households;
    let residents = 0;
    let special = 0;
    for (let k = 0; k < nb; k += 1) {
      const h = k === nb - 1 ? left : Math.max(1, Math.round((left / (nb - k)) * (0.6 + 0.8 * rng())));
      left -= h;
      const r = Math.round(h * (2 + rng()));
      const sn = Math.round(r * (heavy ? 0.04 + 0.03 * rng() : 0.015 + 0.025 * rng()));
      const id = `${k + 1}号楼`;
      buildingIds.push(id);
      buildings.push({ id, households: h, residents: r, specialNeeds: sn });
      residents += r;
      special += sn;
    }
    const x = ((i % side) + 0.2 + 0.6 * rng()) * cell;
    const y = (Math.floor(i / side) + 0.2 + 0.6 * rng()) * cell;
    grids.push({
      id: `G${String(i + 1).padStart(3, '0')}`,
      households,
      residents,
      specialNeeds: special,
      buildingIds,
      buildings,
      x,
      y,
    });
    totalLoad += households + 3 * special;
  }
  const nWorkers = spec.gridworkers + spec.groupLeaders;
  const capacity = Math.round((totalLoad / nWorkers) * spec.capacityFactor);
  const workers: AssignWorker[] = [];
  for (let i = 0; i < nWorkers; i += 1) {
    const leader = i >= spec.gridworkers;
    // Homes scattered: most live inside the district, near some grid.
    const home = grids[randInt(rng, 0, grids.length - 1)]!;
    workers.push({
      id: `${leader ? 'L' : 'W'}${String(i + 1).padStart(3, '0')}`,
      role: leader ? 'groupLeader' : 'gridworker',
      capacity,
      x: (home.x ?? 0) + (rng() - 0.5) * cell,
      y: (home.y ?? 0) + (rng() - 0.5) * cell,
      mustGridIds: [],
      mustNotGridIds: [],
    });
  }
  // A few constraints as in life: some know a grid, some may not work in their own.
  for (let k = 0; k < Math.floor(nWorkers / 20); k += 1) {
    const w = workers[randInt(rng, 0, workers.length - 1)]!;
    const g = grids[randInt(rng, 0, grids.length - 1)]!;
    if (w.mustGridIds.length === 0 && !w.mustNotGridIds.includes(g.id)) w.mustGridIds.push(g.id);
    const w2 = workers[randInt(rng, 0, workers.length - 1)]!;
    const g2 = grids[randInt(rng, 0, grids.length - 1)]!;
    if (!w2.mustGridIds.includes(g2.id)) w2.mustNotGridIds.push(g2.id);
  }
  return { grids, workers };
}
