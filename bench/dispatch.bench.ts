/**
 * Automatic dispatch (issue 4, "Measured"): decision time, gap to exact yardsticks (HiGHS MIP and
 * LP), makespan against the physical bound, fairness, deadlines and waves — for `planDispatch`
 * and, under their own names, the two baselines, on seeded instances modelled on the reports.
 *
 * Cost (what the MIP/LP yardsticks and the gaps measure): the makespan over FIXED trips — the
 * trips the plan itself formed — i.e. max over volunteers of (busyUntilS + the durations of the
 * trips given to them). The yardstick re-assigns those same trips optimally, honouring capacity
 * and assigned buildings but NOT waves or deadlines (a relaxation of the planner's own
 * constraints, so the gap is conservative). Batching quality is measured separately by the
 * plan-independent physical bound (`*.makespan_over_physical_lb_pct`).
 */
import { loadavg } from 'node:os';
import highsLoader from 'highs';
import type { Highs } from 'highs';
import { planDispatch, tripTimeS } from '../core/dispatch';
import { planFirstCome, planNearestGreedy } from '../core/dispatch/baselines';
import { generateInstance, type InstanceSpec } from '../core/dispatch/instances';
import type { DispatchInput, DispatchPlan } from '../core/dispatch/types';
import { dispatchParams } from '../core/dispatch/time-model';
import { percentile, report, timeMs } from './stats';

const HOUSEHOLDS: Array<InstanceSpec['households']> = [100, 300, 800, 'tower'];
const VOLUNTEERS = [5, 10, 20, 50];
const SEEDS = [1, 2, 3];
/** HiGHS time limit per MIP, seconds (the yardstick is then the MIP's proven bound). */
const MIP_TIME_LIMIT_S = Number(process.env.MIP_S ?? 3);
const MIP_MAX_ORDERS = 300;

type Planner = (input: DispatchInput) => DispatchPlan;
const PLANNERS: Array<[string, Planner]> = [
  ['dispatch', planDispatch],
  ['baseline_fcfs', planFirstCome],
  ['baseline_greedy', planNearestGreedy],
];

interface Figures {
  makespanS: number;
  /** The plan's cost: max over volunteers of busy + assigned work. */
  costS: number;
  /** Over max(longest trip, (committed + total trip work) / volunteers), the plan's own trips. */
  overBoundPct: number;
  /** The same bound raised by the pigeonhole cut (trips are indivisible). */
  overPigeonholePct: number;
  overPhysicalPct: number;
  loadMaxMin: number;
  loadGini: number;
  ontimePct: number;
  firstWavePct: number;
  assignedPct: number;
}

function gini(values: readonly number[]): number {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n === 0 || mean === 0) return 0;
  let sum = 0;
  for (const a of values) for (const b of values) sum += Math.abs(a - b);
  return sum / (2 * n * n * mean);
}

/** Busy + work per volunteer (what "load" means here: time until each one is done). */
function finishTimes(input: DispatchInput, plan: DispatchPlan): number[] {
  return input.volunteers.map((v) => (v.busyUntilS ?? 0) + (plan.loadS[v.id] ?? 0));
}

/**
 * Physical lower bound independent of any plan: the longest single-order trip, and the least
 * total work (per building: ceil(weight / largest eligible capacity) walks to it and back, every
 * door and pickup, and one climb to the top floor served) plus work already committed, over the
 * number of volunteers.
 */
function physicalBound(input: DispatchInput): number {
  const p = dispatchParams(input.params);
  let longest = 0;
  let work = input.volunteers.reduce((s, v) => s + (v.busyUntilS ?? 0), 0);
  for (const b of input.buildings) {
    const orders = input.orders.filter((o) => o.buildingId === b.id);
    if (orders.length === 0) continue;
    for (const o of orders) longest = Math.max(longest, tripTimeS([o], b, p));
    const caps = input.volunteers
      .filter((v) => v.buildingIds.length === 0 || v.buildingIds.includes(b.id))
      .map((v) => v.capacityKg);
    const cap = Math.max(...caps);
    const weight = orders.reduce((s, o) => s + o.weightKg, 0);
    const trips = Math.ceil(weight / cap - 1e-9);
    const top = Math.max(...orders.map((o) => o.floor));
    const floorsAbove = new Set(orders.filter((o) => o.floor > 1).map((o) => o.floor)).size;
    const climb = b.hasLift
      ? floorsAbove > 0
        ? p.liftWaitS * (floorsAbove + 1) + 2 * p.liftPerFloorS * (top - 1)
        : 0
      : (p.stairUpPerFloorS + p.stairDownPerFloorS) * (top - 1);
    work += trips * (p.tripOverheadS + (2 * b.distanceM) / p.walkMps) + orders.length * (p.pickupS + p.doorS) + climb;
  }
  return Math.max(longest, work / input.volunteers.length);
}

function figures(input: DispatchInput, plan: DispatchPlan): Figures {
  const finish = finishTimes(input, plan);
  const costS = Math.max(...finish);
  const durations = plan.trips.map((t) => t.endS - t.startS);
  const committed = input.volunteers.reduce((s, v) => s + (v.busyUntilS ?? 0), 0);
  const bound = Math.max(...durations, (committed + durations.reduce((s, d) => s + d, 0)) / input.volunteers.length);
  const deadlines = input.orders.filter((o) => o.deadlineS !== null);
  const onTime = deadlines.filter((o) => {
    const a = plan.byOrder[o.id];
    return a !== undefined && o.deadlineS !== null && a.deliverAtS <= o.deadlineS + 1e-6;
  });
  // First wave: no trip without special-needs/medicine orders runs before it on its volunteer.
  const urgentIds = new Set(input.orders.filter((o) => o.priority || o.medicine).map((o) => o.id));
  const firstOrdinary = new Map<string, number>();
  for (const t of plan.trips) {
    if (t.orderIds.some((id) => urgentIds.has(id))) continue;
    firstOrdinary.set(t.volunteerId, Math.min(firstOrdinary.get(t.volunteerId) ?? Infinity, t.startS));
  }
  let inFirstWave = 0;
  for (const id of urgentIds) {
    const a = plan.byOrder[id];
    const trip = a ? plan.trips[a.tripIndex] : undefined;
    if (trip && trip.startS < (firstOrdinary.get(trip.volunteerId) ?? Infinity)) inFirstWave += 1;
  }
  return {
    makespanS: plan.makespanS,
    costS,
    overBoundPct: (costS / bound - 1) * 100,
    overPigeonholePct:
      (costS /
        Math.max(
          bound,
          pigeonholeBound(
            durations,
            input.volunteers.map((v) => v.busyUntilS ?? 0),
          ),
        ) -
        1) *
      100,
    overPhysicalPct: (costS / physicalBound(input) - 1) * 100,
    loadMaxMin: Math.max(...finish) / Math.min(...finish),
    loadGini: gini(finish),
    ontimePct: deadlines.length === 0 ? 100 : (onTime.length / deadlines.length) * 100,
    firstWavePct: urgentIds.size === 0 ? 100 : (inFirstWave / urgentIds.size) * 100,
    assignedPct: (Object.keys(plan.byOrder).length / input.orders.length) * 100,
  };
}

interface Yardstick {
  /** The MIP optimum, or its proven lower bound when the time limit stopped it; the LP bound for an LP. */
  valueS: number;
  optimal: boolean;
  /** Best assignment HiGHS found (MIP). */
  incumbentS: number;
  seconds: number;
}

/**
 * A valid cut on the makespan for the MIP (it does not change the optimum, it helps HiGHS prove
 * it): with the trips sorted longest first, among the k·V+1 longest some volunteer holds k+1, so
 * C ≥ least busy time + the k+1 shortest of them, for every k.
 */
function pigeonholeBound(durations: readonly number[], busy: readonly number[]): number {
  const sorted = [...durations].sort((a, b) => b - a);
  const V = busy.length;
  const least = Math.min(...busy);
  let bound = 0;
  for (let k = 1; k * V < sorted.length; k += 1) {
    let sum = 0;
    for (let i = k * V - k; i <= k * V; i += 1) sum += sorted[i] ?? 0;
    bound = Math.max(bound, least + sum);
  }
  return bound;
}

/**
 * Re-assigns the plan's fixed trips to volunteers, minimising the makespan (see the header):
 * min C  s.t.  Σ_v x_tv = 1 (each trip once),  busy_v + Σ_t p_t x_tv ≤ C,  x_tv ∈ {0,1} only for
 * volunteers allowed in the trip's building with the capacity for its weight. The plan itself is
 * given to HiGHS as the starting incumbent. `integer: false` gives the LP bound.
 */
function yardstick(highs: Highs, input: DispatchInput, plan: DispatchPlan, integer: boolean): Yardstick {
  const vols = [...input.volunteers].sort((a, b) => (a.id < b.id ? -1 : 1));
  const vIndex = new Map(vols.map((v, i) => [v.id, i]));
  const durations = plan.trips.map((t) => t.endS - t.startS);
  const busy = vols.map((v) => v.busyUntilS ?? 0);
  // Interchangeable volunteers (same capacity, buildings and busy time): symmetry-breaking rows
  // (load of the earlier id ≥ load of the next) for the MIP, and the plan's start permuted to obey them.
  const ourLoad = vols.map(() => 0);
  plan.trips.forEach((trip, t) => {
    const vi = vIndex.get(trip.volunteerId);
    if (vi !== undefined) ourLoad[vi] = (ourLoad[vi] ?? 0) + (durations[t] ?? 0);
  });
  const classes = new Map<string, number[]>();
  vols.forEach((v, i) => {
    const key = `${v.capacityKg}|${[...v.buildingIds].sort().join(',')}|${v.busyUntilS ?? 0}`;
    classes.set(key, [...(classes.get(key) ?? []), i]);
  });
  const placeOf = vols.map((_, i) => i);
  for (const members of classes.values()) {
    const byLoad = [...members].sort((a, b) => (ourLoad[b] ?? 0) - (ourLoad[a] ?? 0) || a - b);
    byLoad.forEach((ours, k) => {
      placeOf[ours] = members[k] ?? ours;
    });
  }
  const cols: Array<{ t: number; v: number }> = [];
  const start: number[] = [];
  plan.trips.forEach((trip, t) => {
    vols.forEach((v, vi) => {
      const ok =
        v.capacityKg + 1e-9 >= trip.weightKg &&
        (v.buildingIds.length === 0 || trip.buildingIds.every((b) => v.buildingIds.includes(b)));
      if (!ok) return;
      cols.push({ t, v: vi });
      start.push(placeOf[vIndex.get(trip.volunteerId) ?? -1] === vi ? 1 : 0);
    });
  });
  const pairs = integer ? [...classes.values()].flatMap((m) => m.slice(1).map((b, k) => [m[k] ?? 0, b] as const)) : [];
  // Column 0 is C; rows: one per trip (= 1), one per volunteer (busy_v + Σ p x - C ≤ 0), then the
  // symmetry rows (Σ p x_a - Σ p x_b ≥ 0).
  const numCols = cols.length + 1;
  const T = plan.trips.length;
  const V = vols.length;
  const rowEntries: Array<Array<[number, number]>> = Array.from({ length: T + V + pairs.length }, () => []);
  const pairRowsOf = new Map<number, Array<[number, number]>>();
  pairs.forEach(([a, b], k) => {
    pairRowsOf.set(a, [...(pairRowsOf.get(a) ?? []), [T + V + k, 1]]);
    pairRowsOf.set(b, [...(pairRowsOf.get(b) ?? []), [T + V + k, -1]]);
  });
  cols.forEach((c, j) => {
    const p = durations[c.t] ?? 0;
    rowEntries[c.t]?.push([j + 1, 1]);
    rowEntries[T + c.v]?.push([j + 1, p]);
    for (const [row, sign] of pairRowsOf.get(c.v) ?? []) rowEntries[row]?.push([j + 1, sign * p]);
  });
  for (let v = 0; v < V; v += 1) rowEntries[T + v]?.push([0, -1]);
  const starts = [0];
  const indices: number[] = [];
  const values: number[] = [];
  for (const row of rowEntries) {
    for (const [j, a] of row) {
      indices.push(j);
      values.push(a);
    }
    starts.push(indices.length);
  }
  // Another valid cut: every trip goes to someone allowed to carry it, after their busy time.
  let eachTripBound = 0;
  plan.trips.forEach((_, t) => {
    let least = Infinity;
    for (const c of cols) if (c.t === t) least = Math.min(least, (busy[c.v] ?? 0) + (durations[t] ?? 0));
    if (least < Infinity) eachTripBound = Math.max(eachTripBound, least);
  });
  const finish = finishTimes(input, plan);
  const startCost = Math.max(...finish);
  const t0 = process.hrtime.bigint();
  const result = highs.withModel((model) => {
    model.passModel({
      numCols,
      numRows: T + V + pairs.length,
      colCost: [1, ...cols.map(() => 0)],
      colLower: [integer ? Math.max(pigeonholeBound(durations, busy), eachTripBound) : 0, ...cols.map(() => 0)],
      colUpper: [highs.infinity, ...cols.map(() => 1)],
      rowLower: [...Array.from({ length: T }, () => 1), ...busy.map(() => -highs.infinity), ...pairs.map(() => 0)],
      rowUpper: [...Array.from({ length: T }, () => 1), ...busy.map((b) => -b), ...pairs.map(() => highs.infinity)],
      matrix: { format: 'csr', numRows: T + V + pairs.length, numCols, starts, indices, values },
      integrality: integer ? [0, ...cols.map(() => 1 as const)] : undefined,
    });
    model.options.set({ output_flag: false, time_limit: MIP_TIME_LIMIT_S, mip_rel_gap: 1e-4 });
    if (integer) model.setSolution({ colValue: [startCost, ...start] });
    model.run();
    const status = model.getModelStatus();
    const optimal = status === highs.constants.modelStatus.optimal;
    const objective = model.getObjectiveValue();
    const bound = integer ? Number(model.info.get('mip_dual_bound')) : objective;
    return { valueS: optimal ? objective : bound, optimal, incumbentS: objective };
  });
  return { ...result, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

function cellName(spec: InstanceSpec): string {
  return `${spec.households === 'tower' ? 'tower735' : `h${spec.households}`}_v${spec.volunteers}`;
}

/** Runs the section and prints its lines. */
export async function run(): Promise<void> {
  const started = process.hrtime.bigint();
  const highs = await highsLoader();

  // Decision time: 1,000 orders × 50 volunteers, warm (JIT warmed on ten other seeds first).
  // Wall-clock (what the gridworker waits) and this process's CPU time (the same minus what other
  // processes on a shared machine take from it).
  const timingInstances = [11, 12, 13, 14, 15].map((seed) =>
    generateInstance({ households: 800, volunteers: 50, seed, orders: 1000 }),
  );
  for (let i = 0; i < 10; i += 1) {
    planDispatch(generateInstance({ households: 800, volunteers: 50, seed: 100 + i, orders: 1000 }));
  }
  const samples: number[] = [];
  const cpuSamples: number[] = [];
  for (let round = 0; round < 12; round += 1) {
    for (const inst of timingInstances) {
      const cpu = process.cpuUsage();
      samples.push(await timeMs(() => planDispatch(inst)));
      const used = process.cpuUsage(cpu);
      cpuSamples.push((used.user + used.system) / 1000);
    }
  }
  report('dispatch.p50_ms', percentile(samples, 50));
  report('dispatch.p95_ms', percentile(samples, 95));
  report('dispatch.p95_cpu_ms', percentile(cpuSamples, 95));
  report('dispatch.load_average_1min', loadavg()[0] ?? 0);
  for (const [name, planner] of PLANNERS.slice(1)) {
    const s: number[] = [];
    for (const inst of timingInstances) s.push(await timeMs(() => planner(inst)));
    report(`${name}.p95_ms`, percentile(s, 95));
  }

  // Quality over the cells: worst case per figure (and the cell where it happens).
  const worst = new Map<string, { value: number; cell: string }>();
  const mean = new Map<string, number[]>();
  const keep = (name: string, value: number, cell: string, higherIsWorse: boolean): void => {
    const w = worst.get(name);
    if (!w || (higherIsWorse ? value > w.value : value < w.value)) worst.set(name, { value, cell });
    mean.set(name, [...(mean.get(name) ?? []), value]);
  };
  let mipOptimal = 0;
  let mipRuns = 0;
  let mipSeconds = 0;
  const makespanVsOurs = new Map<string, number[]>();
  for (const households of HOUSEHOLDS) {
    for (const volunteers of VOLUNTEERS) {
      for (const seed of SEEDS) {
        const spec: InstanceSpec = { households, volunteers, seed };
        const input = generateInstance(spec);
        const cell = cellName(spec);
        let ours = 0;
        for (const [name, planner] of PLANNERS) {
          const plan = planner(input);
          const f = figures(input, plan);
          if (name === 'dispatch') ours = f.costS;
          else makespanVsOurs.set(name, [...(makespanVsOurs.get(name) ?? []), f.costS / ours]);
          keep(`${name}.makespan_over_bound_pct`, f.overBoundPct, cell, true);
          keep(`${name}.makespan_over_bound_pigeonhole_pct`, f.overPigeonholePct, cell, true);
          keep(`${name}.makespan_over_physical_lb_pct`, f.overPhysicalPct, cell, true);
          keep(`${name}.load_max_min`, f.loadMaxMin, cell, true);
          if (name === 'dispatch' && plan.trips.length >= 3 * volunteers) {
            // Where each volunteer has ≥ 3 trips on average: balance is not bound by one trip's length.
            keep('dispatch.load_max_min_3trips', f.loadMaxMin, cell, true);
            keep('dispatch.makespan_over_bound_pct_3trips', f.overBoundPct, cell, true);
          }
          keep(`${name}.load_gini`, f.loadGini, cell, true);
          keep(`${name}.ontime_deadline_pct`, f.ontimePct, cell, false);
          keep(`${name}.priority_first_wave_pct`, f.firstWavePct, cell, false);
          keep(`${name}.assigned_pct`, f.assignedPct, cell, false);
          if (name === 'dispatch' && input.orders.length <= MIP_MAX_ORDERS) {
            const mip = yardstick(highs, input, plan, true);
            mipRuns += 1;
            mipSeconds += mip.seconds;
            const gap = (f.costS / mip.valueS - 1) * 100;
            keep('dispatch.gap_mip_pct', gap, cell, true);
            keep('dispatch.gap_mip_incumbent_pct', (f.costS / mip.incumbentS - 1) * 100, cell, true);
            if (mip.optimal) {
              mipOptimal += 1;
              keep('dispatch.gap_mip_proven_pct', gap, cell, true);
            }
          }
        }
      }
    }
  }
  // LP bound at 1,000 orders (the timing instances and the 800-household cells' sizes).
  for (const volunteers of VOLUNTEERS) {
    for (const seed of SEEDS) {
      const spec: InstanceSpec = { households: 800, volunteers, seed, orders: 1000 };
      const input = generateInstance(spec);
      const plan = planDispatch(input);
      const lp = yardstick(highs, input, plan, false);
      keep('dispatch.gap_lp_pct', (figures(input, plan).costS / lp.valueS - 1) * 100, `o1000_v${volunteers}`, true);
    }
  }

  const print = (name: string): void => {
    const w = worst.get(name);
    if (w) report(name, w.value);
  };
  for (const name of ['gap_mip_pct', 'gap_mip_proven_pct', 'gap_mip_incumbent_pct', 'gap_lp_pct'])
    print(`dispatch.${name}`);
  for (const figure of [
    'makespan_over_bound_pct',
    'makespan_over_bound_pigeonhole_pct',
    'makespan_over_physical_lb_pct',
    'load_max_min',
    'load_gini',
    'ontime_deadline_pct',
    'priority_first_wave_pct',
    'assigned_pct',
  ]) {
    for (const [name] of PLANNERS) print(`${name}.${figure}`);
  }
  for (const [name, ratios] of makespanVsOurs)
    report(`${name}.makespan_vs_dispatch_mean`, ratios.reduce((s, r) => s + r, 0) / ratios.length);
  report(
    'dispatch.mip_solved_optimal',
    `${mipOptimal}/${mipRuns} (time limit ${MIP_TIME_LIMIT_S} s each, else the MIP's proven bound; ${mipSeconds.toFixed(1)} s total)`,
  );
  const cells = [...worst.entries()]
    .filter(([name]) => name.startsWith('dispatch.'))
    .map(([name, w]) => `${name.slice('dispatch.'.length)}@${w.cell}`)
    .join(' ');
  print('dispatch.load_max_min_3trips');
  print('dispatch.makespan_over_bound_pct_3trips');
  report('dispatch.worst_cells', cells);
  // Means over all instances beside the worst cases (the worst cells are granularity-bound).
  for (const name of ['dispatch.gap_mip_pct', 'dispatch.makespan_over_bound_pct', 'dispatch.load_max_min']) {
    const values = mean.get(name) ?? [];
    if (values.length > 0) report(`${name}_mean`, values.reduce((s, v) => s + v, 0) / values.length);
  }
  report('dispatch.bench_seconds', Number(process.hrtime.bigint() - started) / 1e9);
}
