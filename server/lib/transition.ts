/**
 * The one way a cloud function changes a status: a conditional update whose `where` holds the
 * statuses the core machine allows the event from, so two racing actors cannot both move a
 * thing, and nothing moves along an edge the machine does not have.
 */
import { moveFor, type Machine } from '../../core/state/machine';
import type { Db } from './cloud';

/** How many documents moved and where they went. */
export interface Moved<S extends string> {
  to: S;
  updated: number;
}

/**
 * Moves every document matching `where` (plus the machine's `from` statuses) by `event` as
 * `actor`, writing `patch` beside the new status. Answers how many moved (0: someone was first).
 */
export async function transition<S extends string, E extends string, A extends string>(
  db: Db,
  collection: string,
  where: Record<string, unknown>,
  machine: Machine<S, E, A>,
  event: E,
  actor: A,
  patch: Record<string, unknown> = {},
  /** Narrows the statuses moved from (e.g. only jobs not yet open to everyone). */
  onlyFrom?: readonly S[],
): Promise<Moved<S>> {
  const move = moveFor(machine, event, actor);
  const to = move.to;
  const from = onlyFrom ? move.from.filter((s) => onlyFrom.includes(s)) : move.from;
  if (from.length === 0) return { to, updated: 0 };
  const _ = db.command;
  const res = await db
    .collection(collection)
    .where({ ...where, status: from.length === 1 ? from[0] : _.in(from) })
    .update({ ...patch, status: to });
  return { to, updated: Number((res as { updated?: number }).updated ?? 0) };
}
