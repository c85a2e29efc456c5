/** Formatting for display: money in yuan, China time. */

/** `4500` → `¥45.00`; `0` → `免费`. */
export function yuan(fen: number): string {
  return fen === 0 ? '免费' : `¥${(fen / 100).toFixed(2)}`;
}

/** An ISO instant as China wall-clock time, `MM-DD HH:mm` (the app is used in China only). */
export function chinaTime(iso: string): string {
  const t = new Date(Date.parse(iso) + 8 * 3600_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(t.getUTCMonth() + 1)}-${two(t.getUTCDate())} ${two(t.getUTCHours())}:${two(t.getUTCMinutes())}`;
}

/** The China calendar day `days` after an instant, `YYYY-MM-DD`. */
export function chinaDayAfter(now: Date, days: number): string {
  return new Date(now.getTime() + 8 * 3600_000 + days * 24 * 3600_000).toISOString().slice(0, 10);
}
