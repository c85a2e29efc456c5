/** Small helpers for benchmarks: percentiles over measured samples. */

/** The p-th percentile (0–100) of samples, nearest-rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** Measures fn once, in milliseconds. */
export async function timeMs(fn: () => Promise<unknown> | unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Prints one `name: value` line. */
export function report(name: string, value: number | string, target?: string): void {
  console.log(
    `${name}: ${typeof value === 'number' ? Number(value.toFixed(3)) : value}${target ? `   (target ${target})` : ''}`,
  );
}
