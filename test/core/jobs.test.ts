import {
  JOB_STATUS_TEXT,
  JOB_TRANSITIONS,
  groupOpenTrips,
  handoverCodeMatches,
  jobStatusesAllowing,
  jobTitle,
  makeHandoverCode,
  nextJobStatus,
  orderWeightKg,
  shortfall,
  totalsOf,
} from '../../core/jobs';
import { seededRng } from '../../core/random';
import type { JobStatus } from '../../typings/entities';

describe('job state machine', () => {
  it('moves a job open → assigned → picked up → done, and nowhere backwards', () => {
    expect(nextJobStatus('open', 'grab', 'volunteer')).toBe('assigned');
    expect(nextJobStatus('assigned', 'pickUp', 'volunteer')).toBe('pickedUp');
    expect(nextJobStatus('pickedUp', 'finish', 'volunteer')).toBe('done');
    expect(nextJobStatus('pickedUp', 'release', 'system')).toBeNull();
    expect(nextJobStatus('done', 'grab', 'volunteer')).toBeNull();
    expect(nextJobStatus('assigned', 'grab', 'volunteer')).toBeNull();
  });

  it('only lets the right actor act', () => {
    expect(nextJobStatus('open', 'grab', 'gridworker')).toBeNull();
    expect(nextJobStatus('assigned', 'reassign', 'volunteer')).toBeNull();
    expect(nextJobStatus('assigned', 'pickUp', 'gridworker')).toBeNull();
  });

  it('gives the where-clause of a conditional update', () => {
    expect(jobStatusesAllowing('release', 'system').sort()).toEqual(['assigned', 'open']);
    expect(jobStatusesAllowing('release', 'volunteer')).toEqual(['assigned']);
  });

  it('labels every status; final statuses have no way out', () => {
    for (const s of Object.keys(JOB_TRANSITIONS) as JobStatus[]) expect(JOB_STATUS_TEXT[s]).toBeTruthy();
    expect(Object.keys(JOB_TRANSITIONS.done)).toEqual([]);
    expect(Object.keys(JOB_TRANSITIONS.released)).toEqual([]);
  });
});

describe('handover codes', () => {
  it('are four digits, deterministic for a seeded rng, and compared exactly', () => {
    const a = makeHandoverCode(seededRng(7));
    expect(a).toMatch(/^\d{4}$/);
    expect(makeHandoverCode(seededRng(7))).toBe(a);
    expect(handoverCodeMatches(a, ` ${a.slice(0, 2)} ${a.slice(2)} `)).toBe(true);
    expect(handoverCodeMatches(a, a === '0000' ? '0001' : '0000')).toBe(false);
    expect(handoverCodeMatches(null, '0000')).toBe(false);
  });
});

describe('counted hand-offs', () => {
  const lines = [
    { itemId: 'rice', name: '大米', unit: '袋' as const, qty: 2 },
    { itemId: 'egg', name: '鸡蛋', unit: '斤' as const, qty: 3 },
  ];

  it('records what is short, item by item; items not counted are all there', () => {
    expect(shortfall(lines, { rice: 1, egg: 3 })).toEqual([
      { itemId: 'rice', name: '大米', unit: '袋', expected: 2, counted: 1 },
    ]);
    expect(shortfall(lines, { egg: 5 })).toEqual([]);
    expect(shortfall(lines, undefined)).toEqual([]);
  });

  it('totals a trip per item for the pickup count', () => {
    expect(totalsOf([{ lines }, { lines: [{ itemId: 'rice', name: '大米', unit: '袋', qty: 1 }] }])).toEqual([
      { itemId: 'rice', name: '大米', unit: '袋', qty: 3 },
      { itemId: 'egg', name: '鸡蛋', unit: '斤', qty: 3 },
    ]);
  });
});

describe('weights and open trips', () => {
  it("estimates an order's weight from its units", () => {
    expect(orderWeightKg({ kind: 'grocery', lines: [{ unit: '斤', qty: 4 }] })).toBe(2);
    expect(orderWeightKg({ kind: 'gas', lines: [] })).toBe(15);
    expect(orderWeightKg({ kind: 'medicine', lines: [] })).toBe(0.5);
    expect(orderWeightKg({ kind: 'loveBag', lines: [] })).toBe(5);
  });

  it('groups orders nobody got by building and floor within the carry limit, special needs first', () => {
    const stop = (orderId: string, buildingId: string, floor: number, weightKg: number, priority = false) => ({
      orderId,
      buildingId,
      floor,
      weightKg,
      priority,
    });
    const trips = groupOpenTrips(
      [stop('a', 'b1', 5, 6), stop('b', 'b1', 2, 6), stop('c', 'b1', 9, 6), stop('d', 'b2', 1, 3, true)],
      15,
    );
    expect(trips.map((t) => t.map((s) => s.orderId))).toEqual([['d'], ['b', 'a'], ['c']]);
    expect(groupOpenTrips([stop('x', 'b1', 1, 40)], 15)).toHaveLength(1);
  });

  it('titles a job by building and floors', () => {
    expect(jobTitle(['3号楼'], [{ floor: 2 }, { floor: 11 }])).toBe('3号楼 2–11层 · 2户');
    expect(jobTitle(['3号楼'], [{ floor: 4 }])).toBe('3号楼 4层 · 1户');
  });
});
