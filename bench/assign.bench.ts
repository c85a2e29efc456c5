/**
 * Gridworker assignment (issue 7): balance, time and shared grids for a generated city district,
 * and the gap of the max load to the exact optimum (HiGHS MILP) on small districts — like with like
 * (no more shared grids than the solver's plan), and against any building-level cut.
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
  special: number;
}

function buildingsOf(input: AssignInput): Building[] {
  return input.grids.flatMap((g) =>
    (g.buildings ?? []).map((b) => ({
      key: `${g.id}/${b.id}`,
      gridId: g.id,
      load: weightedLoad({ households: b.households, residents: b.residents, specialNeeds: b.specialNeeds }),
      special: b.specialNeeds,
    })),
  );
}

/**
 * The exact min–max load over every building-level assignment that keeps the hard constraints
 * (must-not grids, must grids, capacity). It ignores the special-load balance and the gridworker
 * lead, so it is a lower bound on what the heuristic could reach: the gap is conservative.
 * With `maxShared`, at most that many grids may be cut (shared by two or more people), and every
 * grid is led by a gridworker (a grid held whole by one, a cut grid with one among its holders):
 * like with like, since the solver keeps grids whole where it can and keeps that rule, it is
 * compared with the best plan that cuts no more grids than it does. Without it, any grid may be cut building by building, and the
 * gap then also counts what keeping grids whole costs. With `special`, every worker's special-needs
 * residents stay within [min, max] (the spread the solver's plan reached): like with like again,
 * as the solver balances them too.
 */
export function milp(input: AssignInput, maxShared?: number, special?: { min: number; max: number }): string {
  const bs = buildingsOf(input);
  const lines: string[] = ['Minimize', ' obj: M', 'Subject To'];
  const bin: string[] = [];
  const x = (b: number, w: number) => `x_${b}_${w}`;
  const y = (g: number, w: number) => `y_${g}_${w}`;
  const limited = maxShared !== undefined;
  const gridLoad = new Map<string, number>();
  for (const b of bs) gridLoad.set(b.gridId, (gridLoad.get(b.gridId) ?? 0) + b.load);
  const byWorker: string[][] = input.workers.map(() => []);
  const specByWorker: string[][] = input.workers.map(() => []);
  const gridSpecial = new Map<string, number>();
  for (const b of bs) gridSpecial.set(b.gridId, (gridSpecial.get(b.gridId) ?? 0) + b.special);
  const allowed = (wi: number, gridId: string) => !input.workers[wi]!.mustNotGridIds.includes(gridId);
  // Grid by grid: whole to one worker (y), or cut (z) and then building by building (x).
  input.grids.forEach((g, gi) => {
    if (!limited) return;
    const ys: string[] = [];
    input.workers.forEach((w, wi) => {
      // A grid held whole is led by a gridworker (group leaders take runs of cut grids only).
      if (!allowed(wi, g.id) || w.role !== 'gridworker') return;
      ys.push(y(gi, wi));
      bin.push(y(gi, wi));
      byWorker[wi]!.push(`${gridLoad.get(g.id) ?? 0} ${y(gi, wi)}`);
      if (gridSpecial.get(g.id)) specByWorker[wi]!.push(`${gridSpecial.get(g.id)} ${y(gi, wi)}`);
    });
    lines.push(` g${gi}: ${[...ys, `z_${gi}`].join(' + ')} = 1`);
    bin.push(`z_${gi}`);
    // A cut grid has a gridworker among its holders: v_g_w ≤ Σ_b x_b_w, Σ_w v_g_w ≥ z_g.
    const vs: string[] = [];
    input.workers.forEach((w, wi) => {
      if (!allowed(wi, g.id) || w.role !== 'gridworker') return;
      const own = bs.map((b, bi) => (b.gridId === g.id ? x(bi, wi) : '')).filter(Boolean);
      lines.push(` v${gi}_${wi}: v_${gi}_${wi} - ${own.join(' - ')} <= 0`);
      bin.push(`v_${gi}_${wi}`);
      vs.push(`v_${gi}_${wi}`);
    });
    if (vs.length > 0) lines.push(` lead${gi}: ${vs.join(' + ')} - z_${gi} >= 0`);
  });
  bs.forEach((b, bi) => {
    const terms: string[] = [];
    input.workers.forEach((_, wi) => {
      if (!allowed(wi, b.gridId)) return;
      terms.push(x(bi, wi));
      byWorker[wi]!.push(`${b.load} ${x(bi, wi)}`);
      if (b.special > 0) specByWorker[wi]!.push(`${b.special} ${x(bi, wi)}`);
      bin.push(x(bi, wi));
    });
    const gi = input.grids.findIndex((g) => g.id === b.gridId);
    lines.push(limited ? ` a${bi}: ${terms.join(' + ')} - z_${gi} = 0` : ` a${bi}: ${terms.join(' + ')} = 1`);
  });
  input.workers.forEach((w, wi) => {
    const terms = byWorker[wi]!;
    if (terms.length === 0) return;
    lines.push(` l${wi}: ${terms.join(' + ')} - M <= 0`);
    if (Number.isFinite(w.capacity)) lines.push(` c${wi}: ${terms.join(' + ')} <= ${w.capacity}`);
    const sp = specByWorker[wi]!;
    if (special && sp.length > 0) {
      lines.push(` sl${wi}: ${sp.join(' + ')} >= ${special.min}`);
      lines.push(` su${wi}: ${sp.join(' + ')} <= ${special.max}`);
    }
    for (const g of w.mustGridIds) {
      const gi = input.grids.findIndex((grid) => grid.id === g);
      const own = bs.map((b, bi) => (b.gridId === g ? x(bi, wi) : '')).filter(Boolean);
      if (limited && gi >= 0 && allowed(wi, g)) own.push(y(gi, wi));
      if (own.length > 0) lines.push(` m${wi}_${g}: ${own.join(' + ')} >= 1`);
    }
  });
  if (limited) lines.push(` shared: ${input.grids.map((_, gi) => `z_${gi}`).join(' + ')} <= ${maxShared}`);
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
  let worstCut = 0;
  for (const spec of SMALL) {
    const input = generateDistrict(spec);
    const small = assignGridworkers(input);
    const mine = small.maxLoad;
    const shared = Object.values(small.byGrid).filter((ids) => ids.length > 1).length;
    const options = { time_limit: MILP_SECONDS, mip_rel_gap: 0, output_flag: false };
    const specials = Object.values(small.byWorker).map((w) => w.specialLoad);
    const like = highs.solve(milp(input, shared, { min: Math.min(...specials), max: Math.max(...specials) }), options);
    const cut = highs.solve(milp(input), options);
    // Not proven in time: compare with the lower bound, which can only overstate the gap.
    const best = like.Status === 'Optimal' ? like.ObjectiveValue : lowerBound(input);
    const bestCut = cut.Status === 'Optimal' ? cut.ObjectiveValue : lowerBound(input);
    if (like.Status === 'Optimal') proven += 1;
    const gap = ((mine - best) / best) * 100;
    const gapCut = ((mine - bestCut) / bestCut) * 100;
    if (process.env.ASSIGN_BENCH_VERBOSE) {
      console.log(
        `  ${spec.grids} grids × ${spec.gridworkers + spec.groupLeaders} workers, seed ${spec.seed}: ${mine} (${shared} shared) vs ${best} (${like.Status}, ≤ ${shared} shared), gap ${gap.toFixed(2)} %; vs ${bestCut} (${cut.Status}, any cut) ${gapCut.toFixed(2)} %`,
      );
    }
    worst = Math.max(worst, gap);
    worstCut = Math.max(worstCut, gapCut);
  }
  // Like with like: the best max load sharing no more grids than the solver's plan does, every grid
  // led by a gridworker, special-needs counts within the spread the plan reached. Keeping grids
  // whole costs max load, and the solver pays more of it than the best plan with as many cuts.
  report('assign.gap_opt_pct', worst);
  // Against any building-level cut: this also counts what keeping grids whole costs.
  report('assign.gap_opt_any_cut_pct', worstCut);
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
  // The floor: a grid above 1.2 shares (load or special-needs residents) cannot be held whole at
  // max/min ≤ 1.2, as its holder would carry more than 1.2 × the least loaded.
  const average = p.averageLoad;
  const averageSpecial = district.grids.reduce((s, g) => s + g.specialNeeds, 0) / district.workers.length;
  const forced = district.grids.filter(
    (g) =>
      buildingsOf({ grids: [g], workers: [] }).reduce((s, b) => s + b.load, 0) > 1.2 * average ||
      g.specialNeeds > 1.2 * averageSpecial,
  ).length;
  report('assign.grids_shared_floor_pct', (forced / CITY_DISTRICT.grids) * 100);
  report('assign.grids_per_worker', p.parts.length / district.workers.length);
  report('assign.home_km_avg', km);
  report(
    'assign.district',
    `${CITY_DISTRICT.grids} grids, ${CITY_DISTRICT.gridworkers} gridworkers + ${CITY_DISTRICT.groupLeaders} group leaders`,
  );
}
