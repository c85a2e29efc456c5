/** Formatting for display: money in yuan, China time — in the resident's language (see i18n/). */
import { dateTime, money } from '../i18n/index';

/** `4500` → `¥45.00`; `0` → `免费`. */
export function yuan(fen: number): string {
  return money(fen);
}

/** An ISO instant as China wall-clock time, `MM-DD HH:mm` (the app is used in China only). */
export function chinaTime(iso: string): string {
  return dateTime(iso);
}

/** The China calendar day `days` after an instant, `YYYY-MM-DD`. */
export function chinaDayAfter(now: Date, days: number): string {
  return new Date(now.getTime() + 8 * 3600_000 + days * 24 * 3600_000).toISOString().slice(0, 10);
}

/** An instant as China wall-clock time as a form shows it, `YYYY-MM-DD HH:mm`. */
export function chinaWall(at: Date | string): string {
  return new Date(new Date(at).getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** `YYYY-MM-DD HH:mm` typed in China time as an instant with its offset, or null when it is not a real time. */
export function chinaInstant(text: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi] = m as unknown as [string, string, string, string, string, string];
  const wall = `${y}-${mo}-${d} ${h.padStart(2, '0')}:${mi}`;
  const at = new Date(`${y}-${mo}-${d}T${h.padStart(2, '0')}:${mi}:00+08:00`);
  // A real calendar time: 2月30日 or 25:00 does not come back the same.
  return Number.isFinite(at.getTime()) && chinaWall(at) === wall
    ? `${y}-${mo}-${d}T${h.padStart(2, '0')}:${mi}:00+08:00`
    : null;
}
