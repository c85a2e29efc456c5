/** Service hours from on-duty sessions (check-in to check-out), for records and certificates. */

/** A session left open (forgotten check-out) counts at most this long. */
export const MAX_SESSION_MINUTES = 12 * 60;

/** Whole minutes of a session, capped; never negative. */
export function sessionMinutes(startAt: string, endAt: string): number {
  const minutes = Math.floor((Date.parse(endAt) - Date.parse(startAt)) / 60_000);
  return Math.max(0, Math.min(MAX_SESSION_MINUTES, minutes));
}

/** A session as recorded or still running. */
export interface Session {
  startAt: string;
  endAt: string | null;
}

/** Total minutes of sessions, a running one counted up to `now`; sessions inside [from, to) only. */
export function totalMinutes(
  sessions: readonly Session[],
  now: Date,
  range: { from?: string; to?: string } = {},
): number {
  let total = 0;
  for (const s of sessions) {
    if (range.from && s.startAt < range.from) continue;
    if (range.to && s.startAt >= range.to) continue;
    total += sessionMinutes(s.startAt, s.endAt ?? now.toISOString());
  }
  return total;
}

/** `95` → `1小时35分钟`; `0` → `0分钟`. */
export function hoursText(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h ? `${h}小时${m ? `${m}分钟` : ''}` : `${m}分钟`;
}

/** Hours with one decimal, as certificates print them (`95` → `1.6`). */
export function decimalHours(minutes: number): number {
  return Math.round((minutes / 60) * 10) / 10;
}
