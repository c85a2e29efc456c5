/**
 * Gridworker assignment (issue 7): balance and time for a generated city district, and the gap of
 * the max load to the exact optimum (HiGHS MILP) on small districts.
 */
import highsLoader from 'highs';
import { assignGridworkers, weightedLoad, type AssignInput, type AssignPlan } from '../core/assign';
import { CITY_DISTRICT, generateDistrict, type DistrictSpec } from './assign-district';
import { report, timeMs } from './stats';

/**
 * Small districts solved exactly (HiGHS proves optimality for ~12 grids × 6 workers in seconds; at
 * 24 × 12 it seldom does within a minute, so those would only compare with a bound).
 */
const SMALL: DistrictSpec[] = [1, 2, 3, 4].map((seed) => ({
  ...CITY_DISTRICT,
  seed,
  grids: 12,
  gridworkers: 5,
  groupLeaders: 1,
  sideM: 1500,
}));
SMALL.push(
  ...[5, 6].map((seed) => ({ ...CITY_DISTRICT, seed, grids: 16, gridworkers: 7, groupLeaders: 1, sideM: 2000 })),
);
/** Seconds HiGHS may spend on one small district before the lower bound is used instead. */
const MILP_SECONDS = 15;

interface Building {
  key: string;
  gridId: string;
  load: number;
}

function buildingsOf(input: AssignInput): Building[] {
  return input.grids.flatMap((g) =>
    (g.buildings ?? []).map((b) => ({
      key: `${g.id}/${b.id}`,
      gridId: g.id,
      load: weightedLoad({ households: b.households, residents: b.residents, specialNeeds: b.specialNeeds }),
    })),
  );
}

/**
 * The exact min–max load over every building-level assignment that keeps the hard constraints
 * (must-not grids, must grids, capacity). It ignores the solver's split limits and the special-load
 * balance, so it is a lower bound on what the heuristic could reach: the gap is conservative.
 */
export function milp(input: AssignInput): string {
  const bs = buildingsOf(input);
  const lines: string[] = ['Minimize', ' obj: M', 'Subject To'];
  const bin: string[] = [];
  const col = (b: number, w: number) => `x_${b}_${w}`;
  const byWorker: string[][] = input.workers.map(() => []);
  bs.forEach((b, bi) => {
    const terms: string[] = [];
    input.workers.forEach((w, wi) => {
      if (w.mustNotGridIds.includes(b.gridId)) return;
      terms.push(col(bi, wi));
      byWorker[wi]!.push(`${b.load} ${col(bi, wi)}`);
      bin.push(col(bi, wi));
    });
    lines.push(` a${bi}: ${terms.join(' + ')} = 1`);
  });
  input.workers.forEach((w, wi) => {
    const terms = byWorker[wi]!;
    if (terms.length === 0) return;
    lines.push(` l${wi}: ${terms.join(' + ')} - M <= 0`);
    if (Number.isFinite(w.capacity)) lines.push(` c${wi}: ${terms.join(' + ')} <= ${w.capacity}`);
    for (const g of w.mustGridIds) {
      const own = bs.map((b, bi) => (b.gridId === g ? col(bi, wi) : '')).filter(Boolean);
      if (own.length > 0) lines.push(` m${wi}_${g}: ${own.join(' + ')} >= 1`);
    }
  });
  // Loads are whole numbers, so M is too: HiGHS then proves optimality at ceil(LP bound).
  lines.push('Bounds', ' M >= 0', 'General', ' M', 'Binary', ...bin.map((c) => ` ${c}`), 'End');
  return lines.join('\n');
}

/** The divisible lower bound of the max load: no one can carry less than the average or a whole building. */
export function lowerBound(input: AssignInput): number {
  const bs = buildingsOf(input);
  const total = bs.reduce((s, b) => s + b.load, 0);
  return Math.max(Math.ceil(total / input.workers.length), ...bs.map((b) => b.load));
}

/** Prints the section's lines. */
export async function run(): Promise<void> {
  const district = generateDistrict(CITY_DISTRICT);
  assignGridworkers(district); // warm up the JIT, as a long-lived cloud function would be
  let plan: AssignPlan | null = null;
  const samples: number[] = [];
  for (let i = 0; i < 5; i += 1) samples.push(await timeMs(() => (plan = assignGridworkers(district))));
  const p = plan as unknown as AssignPlan;
  report('assign.load_max_min', p.loadMaxMin ?? Number.POSITIVE_INFINITY);
  report('assign.special_load_max_min', p.specialLoadMaxMin ?? Number.POSITIVE_INFINITY);

  const highs = await highsLoader();
  let worst = 0;
  let proven = 0;
  for (const spec of SMALL) {
    const input = generateDistrict(spec);
    const mine = assignGridworkers(input).maxLoad;
    const sol = highs.solve(milp(input), { time_limit: MILP_SECONDS, mip_rel_gap: 0, output_flag: false });
    // Not proven in time: compare with the lower bound, which can only overstate the gap.
    const best = sol.Status === 'Optimal' ? sol.ObjectiveValue : lowerBound(input);
    if (sol.Status === 'Optimal') proven += 1;
    const gap = ((mine - best) / best) * 100;
    if (process.env.ASSIGN_BENCH_VERBOSE) {
      console.log(
        `  ${spec.grids} grids × ${spec.gridworkers + spec.groupLeaders} workers, seed ${spec.seed}: ${mine} vs ${best} (${sol.Status}), gap ${gap.toFixed(2)} %`,
      );
    }
    worst = Math.max(worst, gap);
  }
  report('assign.gap_opt_pct', worst);
  // Bigger small districts, beyond what HiGHS proves in time: the gap to the lower bound (≥ the true gap).
  let worstLb = 0;
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const input = generateDistrict({
      ...CITY_DISTRICT,
      seed,
      grids: 24,
      gridworkers: 10,
      groupLeaders: 2,
      sideM: 2000,
    });
    const lb = lowerBound(input);
    worstLb = Math.max(worstLb, ((assignGridworkers(input).maxLoad - lb) / lb) * 100);
  }
  report('assign.gap_lower_bound_pct_24x12', worstLb);
  report(
    'assign.gap_opt_proven',
    `${proven}/${SMALL.length} small districts solved to proven optimality (others vs the lower bound)`,
  );
  report('assign.ms', Math.min(...samples));
  // What the balance costs: how many grids are shared, and how far people work from home.
  const shared = Object.values(p.byGrid).filter((ids) => ids.length > 1).length;
  const km = p.parts.reduce((s, x) => s + (x.distanceKm ?? 0) * x.load, 0) / p.parts.reduce((s, x) => s + x.load, 0);
  report('assign.grids_shared_pct', (shared / CITY_DISTRICT.grids) * 100);
  report('assign.grids_per_worker', p.parts.length / district.workers.length);
  report('assign.home_km_avg', km);
  report(
    'assign.district',
    `${CITY_DISTRICT.grids} grids, ${CITY_DISTRICT.gridworkers} gridworkers + ${CITY_DISTRICT.groupLeaders} group leaders`,
  );
}
