/**
 * Gridworker assignment (issue 7; yardsticks independent of the plan, issue 16):
 * - `assign.ms`: WALL clock, median of 5 warm runs, the 200-grid city district;
 * - `assign.district_ms`: WALL clock, median of 3 warm runs, a district of the reports' size
 *   (1,413 grids, ~400k households), with its load and special-needs max/min;
 * - `assign.gap_opt_pct`: max load over the PROVEN optimum of the solver's own model (grids kept
 *   whole by the same rule, `shareableGridIds`; bench/assign-exact.ts) on small districts, worst
 *   over those HiGHS proves within a node limit; `assign.opt_proven` counts them. The model leaves
 *   out the special-needs balance the solver also keeps, so the gap can only be overstated.
 */
import highsLoader from 'highs';
import { assignGridworkers, shareableGridIds, weightedLoad, type AssignInput, type AssignPlan } from '../core/assign';
import { CITY_DISTRICT, DISTRICT_1413, generateDistrict, type DistrictSpec } from './assign-district';
import { solveAssignExact } from './assign-exact';
import { percentile, report, timeMs } from './stats';

/** Small districts solved exactly: 12 grids, 5 gridworkers and a group leader, fixed seeds, all counted. */
const SMALL: DistrictSpec[] = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => ({
  ...CITY_DISTRICT,
  seed,
  grids: 12,
  gridworkers: 5,
  groupLeaders: 1,
  sideM: 1500,
}));
/** HiGHS's branch-and-bound node limit per small district. */
const MIP_NODES = 50_000;

function gridLoad(g: AssignInput['grids'][number]): number {
  return (g.buildings ?? []).reduce((s, b) => s + weightedLoad(b), 0);
}

/** Warm wall-clock runs: one to warm the JIT (as a long-lived cloud function is), then `runs`. */
async function timed(input: AssignInput, runs: number): Promise<{ plan: AssignPlan; ms: number[] }> {
  let plan = assignGridworkers(input);
  const ms: number[] = [];
  for (let i = 0; i < runs; i += 1) ms.push(await timeMs(() => (plan = assignGridworkers(input))));
  return { plan, ms };
}

/** Prints the section's lines. */
export async function run(): Promise<void> {
  // 1. The 200-grid city district.
  const district = generateDistrict(CITY_DISTRICT);
  const city = await timed(district, 5);
  const p = city.plan;
  report('assign.ms', percentile(city.ms, 50), '≤ 500 (wall clock, median of 5 warm runs, 200 grids)');
  report('assign.load_max_min', p.loadMaxMin ?? Number.POSITIVE_INFINITY, '≤ 1.2');
  report('assign.special_load_max_min', p.specialLoadMaxMin ?? Number.POSITIVE_INFINITY, '≤ 1.2');
  const shared = Object.values(p.byGrid).filter((ids) => ids.length > 1).length;
  report('assign.grids_shared_pct', (shared / CITY_DISTRICT.grids) * 100);
  // The floor: a grid above 1.2 shares (load or special-needs residents) cannot be held whole at
  // max/min ≤ 1.2, as its holder would carry more than 1.2 × the least loaded.
  const averageSpecial = district.grids.reduce((s, g) => s + g.specialNeeds, 0) / district.workers.length;
  const forced = district.grids.filter(
    (g) => gridLoad(g) > 1.2 * p.averageLoad || g.specialNeeds > 1.2 * averageSpecial,
  ).length;
  report('assign.grids_shared_floor_pct', (forced / CITY_DISTRICT.grids) * 100);
  report('assign.grids_shareable_by_rule_pct', (shareableGridIds(district).size / CITY_DISTRICT.grids) * 100);
  report('assign.grids_per_worker', p.parts.length / district.workers.length);
  const km = p.parts.reduce((s, x) => s + (x.distanceKm ?? 0) * x.load, 0) / p.parts.reduce((s, x) => s + x.load, 0);
  report('assign.home_km_avg', km);

  // 2. The reports' district: 1,413 grids, ~400k households.
  const big = generateDistrict(DISTRICT_1413);
  const households = big.grids.reduce((s, g) => s + g.households, 0);
  const wide = await timed(big, 3);
  report('assign.district_ms', percentile(wide.ms, 50), '≤ 2,000 (wall clock, median of 3 warm runs)');
  report('assign.district_load_max_min', wide.plan.loadMaxMin ?? Number.POSITIVE_INFINITY, '≤ 1.2');
  report('assign.district_special_max_min', wide.plan.specialLoadMaxMin ?? Number.POSITIVE_INFINITY, '≤ 1.2');
  report(
    'assign.district_grids_shared_pct',
    (Object.values(wide.plan.byGrid).filter((ids) => ids.length > 1).length / DISTRICT_1413.grids) * 100,
  );
  report(
    'assign.district',
    `${DISTRICT_1413.grids} grids, ${households} households, ${DISTRICT_1413.gridworkers} gridworkers + ${DISTRICT_1413.groupLeaders} group leaders`,
  );

  // 3. Gap to the proven optimum of the same model on small districts.
  const highs = await highsLoader();
  let worst = Number.NEGATIVE_INFINITY;
  let worstSeed = 0;
  let proven = 0;
  let nodes = 0;
  const gaps: number[] = [];
  const started = process.hrtime.bigint();
  for (const spec of SMALL) {
    const input = generateDistrict(spec);
    const exact = solveAssignExact(highs, input, MIP_NODES);
    nodes = Math.max(nodes, exact.nodes);
    if (!exact.proven) continue;
    proven += 1;
    const gap = (assignGridworkers(input).maxLoad / exact.maxLoad - 1) * 100;
    gaps.push(gap);
    if (gap > worst) {
      worst = gap;
      worstSeed = spec.seed;
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  report('assign.gap_opt_pct', worst, `≤ 1 (worst over the proven; seed ${worstSeed})`);
  report('assign.gap_opt_mean_pct', gaps.reduce((s, g) => s + g, 0) / Math.max(1, gaps.length));
  report(
    'assign.opt_proven',
    `${proven}/${SMALL.length} small districts (12 grids, 5 gridworkers + 1 group leader; HiGHS, node limit ${MIP_NODES}, at most ${nodes} used; ${seconds.toFixed(1)} s)`,
  );
}
