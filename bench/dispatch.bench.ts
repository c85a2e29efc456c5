/**
 * Automatic dispatch (issue 4; yardsticks independent of the plan, issue 16). Every figure is
 * measured against something the planner did not produce:
 *
 * - `dispatch.p95_ms`: WALL-clock decision time at 1,000 orders × 50 volunteers (warm).
 * - `dispatch.gap_opt_pct`: makespan over the PROVEN optimum of the whole problem (orders → trips →
 *   volunteers, capacities, buildings, busy time, waves, deadlines), a MIP over every possible trip
 *   (bench/dispatch-exact.ts) that never sees the planner's trips, on small seeded instances sized
 *   so HiGHS proves optimality within a node limit; `dispatch.opt_proven` counts them (only
 *   proven optima count).
 * - `dispatch.gap_lb_pct`: makespan over a lower bound derived from the instance alone
 *   (bench/dispatch-bound.ts: trips forced by capacity, floors climbed, lift stops, doors, each
 *   volunteer's capacity and busy time), worst cell at 1,000 orders.
 * - `dispatch.load_max_min` (cells where volunteers average ≥ 3 trips), `dispatch.ontime_deadline_pct`
 *   (deadlines by production's rule, core/policy.ts: urgent medicine within the hour).
 * The baselines (first come first served, nearest volunteer) are printed beside for scale.
 */
import { loadavg } from 'node:os';
import highsLoader from 'highs';
import { planDispatch } from '../core/dispatch';
import { planFirstCome, planNearestGreedy } from '../core/dispatch/baselines';
import { generateInstance, type InstanceSpec } from '../core/dispatch/instances';
import type { DispatchInput, DispatchPlan } from '../core/dispatch/types';
import { lpLowerBound, makespanLowerBound } from './dispatch-bound';
import { solveExact } from './dispatch-exact';
import { percentile, report, timeMs } from './stats';

const HOUSEHOLDS: Array<InstanceSpec['households']> = [100, 300, 800, 'tower'];
const VOLUNTEERS = [5, 10, 20, 50];
const SEEDS = [1, 2, 3];

/**
 * Small instances for the exact optimum: 10–16 orders in 3–6 buildings with 2–4 volunteers, and
 * 8–10 orders in the one 33-floor tower (up to ~800 possible trips). Fixed in advance, all counted.
 */
export const SMALL: InstanceSpec[] = [
  ...[1, 2, 3, 4].flatMap((seed) =>
    (
      [
        [10, 2],
        [12, 3],
        [14, 3],
        [16, 4],
      ] as const
    ).map(([orders, volunteers]) => ({ households: 100, volunteers, seed, orders })),
  ),
  ...[1, 2, 3, 4].flatMap((seed) =>
    (
      [
        [8, 2],
        [10, 3],
      ] as const
    ).map(([orders, volunteers]) => ({ households: 'tower' as const, volunteers, seed, orders })),
  ),
];
/** HiGHS's branch-and-bound node limit per small instance (they prove in a few hundred at most). */
const MIP_NODES = 20_000;

type Planner = (input: DispatchInput) => DispatchPlan;
const PLANNERS: Array<[string, Planner]> = [
  ['dispatch', planDispatch],
  ['baseline_fcfs', planFirstCome],
  ['baseline_greedy', planNearestGreedy],
];

function cellName(spec: InstanceSpec): string {
  const size = spec.households === 'tower' ? 'tower735' : `h${spec.households}`;
  return `${spec.orders ? `o${spec.orders}` : size}_v${spec.volunteers}_s${spec.seed}`;
}

/** Time until each volunteer is done (busy + the plan's work). */
function finishTimes(input: DispatchInput, plan: DispatchPlan): number[] {
  return input.volunteers.map((v) => (v.busyUntilS ?? 0) + (plan.loadS[v.id] ?? 0));
}

function onTimePct(input: DispatchInput, plan: DispatchPlan): number {
  const deadlines = input.orders.filter((o) => o.deadlineS !== null);
  if (deadlines.length === 0) return 100;
  const onTime = deadlines.filter((o) => {
    const a = plan.byOrder[o.id];
    return a !== undefined && o.deadlineS !== null && a.deliverAtS <= o.deadlineS + 1e-6;
  });
  return (onTime.length / deadlines.length) * 100;
}

/** Special-needs and medicine orders whose trip starts before their volunteer's first ordinary trip. */
function firstWavePct(input: DispatchInput, plan: DispatchPlan): number {
  const urgent = new Set(input.orders.filter((o) => o.priority || o.medicine).map((o) => o.id));
  if (urgent.size === 0) return 100;
  const firstOrdinary = new Map<string, number>();
  for (const t of plan.trips) {
    if (t.orderIds.some((id) => urgent.has(id))) continue;
    firstOrdinary.set(t.volunteerId, Math.min(firstOrdinary.get(t.volunteerId) ?? Infinity, t.startS));
  }
  let first = 0;
  for (const id of urgent) {
    const a = plan.byOrder[id];
    const trip = a ? plan.trips[a.tripIndex] : undefined;
    if (trip && trip.startS < (firstOrdinary.get(trip.volunteerId) ?? Infinity)) first += 1;
  }
  return (first / urgent.size) * 100;
}

class Worst {
  private readonly worst = new Map<string, { value: number; cell: string }>();
  private readonly all = new Map<string, number[]>();
  keep(name: string, value: number, cell: string, higherIsWorse = true): void {
    const w = this.worst.get(name);
    if (!w || (higherIsWorse ? value > w.value : value < w.value)) this.worst.set(name, { value, cell });
    this.all.set(name, [...(this.all.get(name) ?? []), value]);
  }
  get(name: string): { value: number; cell: string } | undefined {
    return this.worst.get(name);
  }
  mean(name: string): number {
    const values = this.all.get(name) ?? [];
    return values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);
  }
}

/** Runs the section and prints its lines. */
export async function run(): Promise<void> {
  const started = process.hrtime.bigint();
  const highs = await highsLoader();
  report('dispatch.load_average_1min_at_start', loadavg()[0] ?? 0);

  // 1. Decision time, wall clock: 1,000 orders × 50 volunteers, 5 instances × 12 rounds, warm.
  const timing = [11, 12, 13, 14, 15].map((seed) =>
    generateInstance({ households: 800, volunteers: 50, seed, orders: 1000 }),
  );
  for (let i = 0; i < 10; i += 1) {
    planDispatch(generateInstance({ households: 800, volunteers: 50, seed: 100 + i, orders: 1000 }));
  }
  const samples: number[] = [];
  for (let round = 0; round < 12; round += 1) {
    for (const inst of timing) samples.push(await timeMs(() => planDispatch(inst)));
  }
  report('dispatch.p50_ms', percentile(samples, 50));
  report('dispatch.p95_ms', percentile(samples, 95), '≤ 100 (wall clock, 1,000 orders × 50 volunteers)');
  report('dispatch.load_average_1min', loadavg()[0] ?? 0);

  // 2. Gap to the proven optimum of the whole problem, small instances.
  const worst = new Worst();
  let proven = 0;
  let nodes = 0;
  let lbAboveOpt = 0;
  const mipStarted = process.hrtime.bigint();
  for (const spec of SMALL) {
    const input = generateInstance(spec);
    const exact = solveExact(highs, input, { maxNodes: MIP_NODES });
    nodes = Math.max(nodes, exact.nodes);
    if (!exact.proven) continue;
    proven += 1;
    const plan = planDispatch(input);
    worst.keep('gap_opt', (plan.makespanS / exact.makespanS - 1) * 100, cellName(spec));
    // The lower bounds must stay below the optimum (they are tested; this is the bench's own check).
    if (makespanLowerBound(input).boundS > exact.makespanS + 1e-6) lbAboveOpt += 1;
    if (lpLowerBound(highs, input) > exact.makespanS + 1e-6) lbAboveOpt += 1;
  }
  const mipSeconds = Number(process.hrtime.bigint() - mipStarted) / 1e9;
  const gapOpt = worst.get('gap_opt');
  report('dispatch.gap_opt_pct', gapOpt?.value ?? Number.NaN, `≤ 3 (worst over the proven; at ${gapOpt?.cell ?? '-'})`);
  report('dispatch.gap_opt_mean_pct', worst.mean('gap_opt'));
  report(
    'dispatch.opt_proven',
    `${proven}/${SMALL.length} (HiGHS, node limit ${MIP_NODES}, at most ${nodes} nodes used; ${mipSeconds.toFixed(1)} s)`,
    '≥ 20',
  );
  if (lbAboveOpt > 0) report('dispatch.lower_bound_ERRORS', lbAboveOpt);

  // 3. Makespan over the plan-independent lower bound at 1,000 orders.
  for (const volunteers of VOLUNTEERS) {
    for (const seed of SEEDS) {
      const spec: InstanceSpec = { households: 800, volunteers, seed, orders: 1000 };
      const input = generateInstance(spec);
      const plan = planDispatch(input);
      const bound = lpLowerBound(highs, input);
      worst.keep('gap_lb', (plan.makespanS / bound - 1) * 100, cellName(spec));
    }
  }
  const gapLb = worst.get('gap_lb');
  report('dispatch.gap_lb_pct', gapLb?.value ?? Number.NaN, `≤ 15, goal ≤ 10 (worst cell: ${gapLb?.cell ?? '-'})`);
  report('dispatch.gap_lb_mean_pct', worst.mean('gap_lb'));

  // 4. Balance, deadlines, waves over the cells (100/300/800 households and the tower × 5–50 volunteers).
  const vsOurs = new Map<string, number[]>();
  for (const households of HOUSEHOLDS) {
    for (const volunteers of VOLUNTEERS) {
      for (const seed of SEEDS) {
        const spec: InstanceSpec = { households, volunteers, seed };
        const input = generateInstance(spec);
        const cell = cellName(spec);
        let ours = 0;
        for (const [name, planner] of PLANNERS) {
          const plan = planner(input);
          const finish = finishTimes(input, plan);
          const ratio = Math.max(...finish) / Math.min(...finish);
          if (name === 'dispatch') {
            ours = plan.makespanS;
            // Where each volunteer averages ≥ 3 trips (with fewer, one trip's length sets the spread).
            if (plan.trips.length >= 3 * volunteers) worst.keep('load_max_min', ratio, cell);
            worst.keep('load_max_min_all', ratio, cell);
          } else vsOurs.set(name, [...(vsOurs.get(name) ?? []), plan.makespanS / ours]);
          worst.keep(`${name}.ontime`, onTimePct(input, plan), cell, false);
          worst.keep(`${name}.first_wave`, firstWavePct(input, plan), cell, false);
          worst.keep(`${name}.assigned`, (Object.keys(plan.byOrder).length / input.orders.length) * 100, cell, false);
        }
      }
    }
  }
  const line = (name: string, key: string, target?: string): void => {
    const w = worst.get(key);
    if (w) report(name, w.value, target ? `${target}; worst cell ${w.cell}` : undefined);
  };
  line('dispatch.load_max_min', 'load_max_min', '≤ 1.15 over cells with ≥ 3 trips per volunteer');
  line('dispatch.load_max_min_all_cells', 'load_max_min_all');
  line('dispatch.ontime_deadline_pct', 'dispatch.ontime', '≥ 98, urgent medicine within the hour (core/policy.ts)');
  line('dispatch.priority_first_wave_pct', 'dispatch.first_wave');
  line('dispatch.assigned_pct', 'dispatch.assigned');
  for (const [name] of PLANNERS.slice(1)) {
    line(`${name}.ontime_deadline_pct`, `${name}.ontime`);
    const ratios = vsOurs.get(name) ?? [];
    report(`${name}.makespan_vs_dispatch_mean`, ratios.reduce((s, r) => s + r, 0) / Math.max(1, ratios.length));
  }
  report('dispatch.bench_seconds', Number(process.hrtime.bigint() - started) / 1e9);
}
