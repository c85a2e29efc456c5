import { ORDER_TRANSITIONS } from '../../core/order/state-machine';
import { JOB_TRANSITIONS } from '../../core/jobs';
import { allowingFrom, finalStatuses, moveFor, next, type Machine } from '../../core/state/machine';
import { JOIN_MACHINE, ROUND_MACHINE, VOLUNTEER_MACHINE } from '../../core/state/machines';

const MACHINES: Record<string, Machine<string, string, string>> = {
  order: ORDER_TRANSITIONS,
  job: JOB_TRANSITIONS,
  join: JOIN_MACHINE,
  volunteer: VOLUNTEER_MACHINE,
  round: ROUND_MACHINE,
};

describe.each(Object.entries(MACHINES))('the %s machine', (_name, machine) => {
  const statuses = Object.keys(machine);
  const moves = statuses.flatMap((from) =>
    Object.entries(machine[from] ?? {}).flatMap(([event, move]) =>
      (move?.by ?? []).map((actor) => ({ from, event, actor, to: move!.to })),
    ),
  );

  it('leads only to statuses it knows', () => {
    for (const m of moves) expect(statuses).toContain(m.to);
  });

  it('gives every event one destination, so a conditional write can name it', () => {
    for (const m of moves)
      expect(moveFor(machine, m.event, m.actor)).toEqual({ from: allowingFrom(machine, m.event, m.actor), to: m.to });
  });

  it('refuses a move from a final status and by an actor not listed', () => {
    for (const s of finalStatuses(machine))
      for (const m of moves) expect(next(machine, s, m.event, m.actor)).toBeNull();
    for (const m of moves) expect(next(machine, m.from, m.event, 'nobody')).toBeNull();
    expect(() => moveFor(machine, moves[0]!.event, 'nobody')).toThrow(/may never/);
  });
});

describe('join requests, volunteers and rounds', () => {
  it('decides a join request once', () => {
    expect(moveFor(JOIN_MACHINE, 'approve', 'staff')).toEqual({ from: ['pending'], to: 'approved' });
    expect(next(JOIN_MACHINE, 'rejected', 'approve', 'staff')).toBeNull();
  });

  it('lets a rejected or departed volunteer apply again, never an approved one', () => {
    expect(moveFor(VOLUNTEER_MACHINE, 'reapply', 'volunteer').from.sort()).toEqual(['left', 'pending', 'rejected']);
    expect(next(VOLUNTEER_MACHINE, 'approved', 'reapply', 'volunteer')).toBeNull();
  });

  it('closes a round once', () => {
    expect(next(ROUND_MACHINE, 'closed', 'close', 'staff')).toBeNull();
  });
});
