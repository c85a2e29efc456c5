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
