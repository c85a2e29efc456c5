/**
 * One shape for every thing that has a status (orders, jobs, join requests, volunteers, testing
 * rounds): a table of allowed moves, each naming where it leads and who may cause it. Every status
 * write in the cloud functions goes through `moveFor` (see server/lib/transition.ts), so a stale
 * tap or a raced actor can never push a thing backwards or skip a step.
 */

/** One allowed move: where it leads and who may cause it. */
export interface Move<S extends string, A extends string> {
  to: S;
  by: readonly A[];
}

/** A state machine: for each status, the events allowed from it. */
export type Machine<S extends string, E extends string, A extends string> = Readonly<
  Record<S, Partial<Record<E, Move<S, A>>>>
>;

/** The status an event leads to from `from`, or null when this actor may not do it there. */
export function next<S extends string, E extends string, A extends string>(
  machine: Machine<S, E, A>,
  from: string,
  event: E,
  actor: A,
): S | null {
  // `from` may be a stored status outside the machine (an order still `placing`): nothing moves from it.
  const move = Object.hasOwn(machine, from) ? machine[from as S][event] : undefined;
  return move && move.by.includes(actor) ? move.to : null;
}

/** Statuses from which `actor` may cause `event` (the `where` of a conditional update). */
export function allowingFrom<S extends string, E extends string, A extends string>(
  machine: Machine<S, E, A>,
  event: E,
  actor: A,
): S[] {
  return (Object.keys(machine) as S[]).filter((s) => next(machine, s, event, actor) !== null);
}

/**
 * What a conditional write needs for one event: the statuses it may start from and the one it
 * leads to. Throws (a programming error, caught by the machine tests) when the actor may not
 * cause the event at all, or when the event leads to different statuses from different places.
 */
export function moveFor<S extends string, E extends string, A extends string>(
  machine: Machine<S, E, A>,
  event: E,
  actor: A,
): { from: S[]; to: S } {
  const from = allowingFrom(machine, event, actor);
  const targets = new Set(from.map((s) => next(machine, s, event, actor)));
  if (from.length === 0) throw new Error(`state machine: ${actor} may never ${event}`);
  if (targets.size !== 1) throw new Error(`state machine: ${event} leads to several statuses`);
  return { from, to: [...targets][0] as S };
}

/** Statuses nothing leaves. */
export function finalStatuses<S extends string, E extends string, A extends string>(machine: Machine<S, E, A>): S[] {
  return (Object.keys(machine) as S[]).filter((s) => Object.keys(machine[s]).length === 0);
}
