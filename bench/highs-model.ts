/** A small builder of sparse HiGHS models (columns, rows by name-free indices) for the bench yardsticks. */
import type { Highs } from 'highs';

export interface Solved {
  /** 'optimal' only when HiGHS proved it (MIP: gap closed within mip_rel_gap). */
  status: 'optimal' | 'infeasible' | 'limit' | 'other';
  objective: number;
  /** MIP: the proven dual bound; LP: the objective. */
  bound: number;
  values: number[];
  nodes: number;
}

export class ModelBuilder {
  private readonly cost: number[] = [];
  private readonly lower: number[] = [];
  private readonly upper: number[] = [];
  private readonly integer: Array<0 | 1> = [];
  private readonly rows: Array<{ lo: number; hi: number; entries: Array<[number, number]> }> = [];

  /** Adds a column, returns its index. */
  col(cost: number, lo = 0, hi = Number.POSITIVE_INFINITY, integer = false): number {
    this.cost.push(cost);
    this.lower.push(lo);
    this.upper.push(hi);
    this.integer.push(integer ? 1 : 0);
    return this.cost.length - 1;
  }

  /** Adds lo ≤ Σ a·x ≤ hi (entries on the same column are summed). */
  row(entries: Array<[number, number]>, lo: number, hi: number): void {
    const merged = new Map<number, number>();
    for (const [j, a] of entries) merged.set(j, (merged.get(j) ?? 0) + a);
    this.rows.push({ lo, hi, entries: [...merged].filter(([, a]) => a !== 0).sort((x, y) => x[0] - y[0]) });
  }

  get numCols(): number {
    return this.cost.length;
  }

  /** Solves with the given options; `start` is an optional feasible starting solution. */
  solve(highs: Highs, options: Record<string, number | boolean | string>, start?: number[]): Solved {
    const inf = highs.infinity;
    const clamp = (v: number) => (v === Number.POSITIVE_INFINITY ? inf : v === Number.NEGATIVE_INFINITY ? -inf : v);
    const starts = [0];
    const indices: number[] = [];
    const values: number[] = [];
    for (const r of this.rows) {
      for (const [j, a] of r.entries) {
        indices.push(j);
        values.push(a);
      }
      starts.push(indices.length);
    }
    const mip = this.integer.some((x) => x === 1);
    return highs.withModel((model) => {
      model.passModel({
        numCols: this.cost.length,
        numRows: this.rows.length,
        colCost: this.cost,
        colLower: this.lower.map(clamp),
        colUpper: this.upper.map(clamp),
        rowLower: this.rows.map((r) => clamp(r.lo)),
        rowUpper: this.rows.map((r) => clamp(r.hi)),
        matrix: { format: 'csr', numRows: this.rows.length, numCols: this.cost.length, starts, indices, values },
        integrality: mip ? this.integer : undefined,
      });
      model.options.set({ output_flag: false, ...options } as never);
      if (start) model.setSolution({ colValue: start });
      model.run();
      const code = model.getModelStatus();
      const c = highs.constants.modelStatus;
      const status =
        code === c.optimal ? 'optimal' : code === c.infeasible ? 'infeasible' : code === c.unknown ? 'other' : 'limit';
      const objective = model.getObjectiveValue();
      const bound = mip ? Number(model.info.get('mip_dual_bound')) : objective;
      const nodes = mip ? Number(model.info.get('mip_node_count')) : 0;
      const sol = model.getSolution();
      return { status, objective, bound, values: [...(sol.colValue ?? [])], nodes } as Solved;
    });
  }
}
