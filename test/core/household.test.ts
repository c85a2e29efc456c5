import fc from 'fast-check';
import { AppError } from '../../core/errors';
import { floorOf, membersToStore, ROOM_PATTERN } from '../../core/household';
import { buildingIdFor, householdIdFor } from '../../core/org/ids';
import { floorOf as importFloorOf, planImport, validateImport } from '../../core/org/import';
import type { HouseholdInput } from '../../typings/api';
import type { HouseholdMember } from '../../typings/entities';

/** Characters a room label may hold (ROOM_PATTERN): ASCII letters, digits, `-`, CJK. */
const roomChar = fc.oneof(
  fc.constantFrom(...'0123456789-ABab'.split('')),
  fc.integer({ min: 0x4e00, max: 0x9fa5 }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('东', '西', '南', '北', '单', '元'),
);
const room = fc.array(roomChar, { minLength: 1, maxLength: 12 }).map((cs) => cs.join(''));
const buildingId = fc.oneof(
  fc.integer({ min: 1, max: 999 }).map((n) => `b-${String(n).padStart(3, '0')}`),
  fc.string({ minLength: 1, maxLength: 8 }).map((name) => buildingIdFor('c-xingfu', name)),
);

describe('household ids: one id per distinct room', () => {
  it('gives rooms that differ only in Chinese characters different ids', () => {
    expect(householdIdFor('b-001', '东101')).not.toBe(householdIdFor('b-001', '西101'));
    expect(householdIdFor('b-001', '3单元501')).not.toBe(householdIdFor('b-001', '4单元501'));
  });

  it('is deterministic, short enough for an id field and made of safe characters', () => {
    fc.assert(
      fc.property(buildingId, room, (b, r) => {
        fc.pre(ROOM_PATTERN.test(r));
        const id = householdIdFor(b, r);
        expect(householdIdFor(b, r)).toBe(id);
        expect(id.length).toBeLessThanOrEqual(64);
        expect(id).toMatch(/^h-[A-Za-z0-9_-]+$/);
      }),
    );
  });

  it('never maps two distinct (building, room) pairs to one id', () => {
    fc.assert(
      fc.property(buildingId, room, buildingId, room, (b1, r1, b2, r2) => {
        fc.pre(ROOM_PATTERN.test(r1) && ROOM_PATTERN.test(r2) && (b1 !== b2 || r1 !== r2));
        expect(householdIdFor(b1, r1)).not.toBe(householdIdFor(b2, r2));
      }),
      { numRuns: 2000 },
    );
    // Prefixes of building ids and rooms with `-` do not meet either.
    expect(householdIdFor('b-001', '1-1001')).not.toBe(householdIdFor('b-001-1', '1001'));
  });

  it('refuses a room outside the room alphabet instead of folding it onto another', () => {
    expect(() => householdIdFor('b-001', '1_101')).toThrow(AppError);
    expect(() => householdIdFor('b-001', '')).toThrow(AppError);
  });
});

describe('one floor rule', () => {
  it.each([
    ['1203', 12],
    ['1-1001', 10],
    ['东101', 1],
    ['3-502', 5],
    ['3单元501', 5],
    ['2-301', 3],
    ['301', 3],
    ['B1-02', 1],
    ['B', 1],
    ['0101', 1],
    ['12', 1],
  ])('reads %s as floor %d', (label, floor) => {
    expect(floorOf(label)).toBe(floor);
  });

  it('is the very function the import uses', () => {
    expect(importFloorOf).toBe(floorOf);
  });

  it('always answers a whole floor of at least 1', () => {
    fc.assert(
      fc.property(room, (r) => {
        const f = floorOf(r);
        expect(Number.isInteger(f) && f >= 1).toBe(true);
      }),
    );
  });
});

describe('import of rooms differing only in Chinese characters', () => {
  const table = [
    ['网格', '楼栋', '房号', '户主', '电话', '人数'],
    ['第1网格', '1号楼', '东101', '张三', '13800000001', '2'],
    ['第1网格', '1号楼', '西101', '李四', '13800000002', '1'],
  ];

  it('accepts both rooms as two households, with the same ids on a retry', () => {
    const { rows, errors } = validateImport(table);
    expect(errors).toEqual([]);
    expect(rows.map((r) => r.room)).toEqual(['东101', '西101']);
    const existing = { communityId: 'c1', grids: [], buildings: [], households: [] };
    const plan = planImport(rows, existing);
    expect(plan.errors).toEqual([]);
    const ids = plan.households.map((h) => h._id);
    expect(new Set(ids).size).toBe(2);
    expect(planImport(validateImport(table).rows, existing).households.map((h) => h._id)).toEqual(ids);
    expect(plan.households[0]?._id).toBe(householdIdFor(plan.households[0]!.buildingId, '东101'));
  });

  it('still refuses the same room twice', () => {
    const { errors } = validateImport([...table, ['第1网格', '1号楼', '东101', '王五', '13800000003', '1']]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.column).toBe('房号');
  });
});

describe('member ids are the server’s', () => {
  const existing: HouseholdMember[] = [
    { id: 'h-1-m1', name: '格桑', relation: 'self', ageBand: '60-79', needs: [] },
    { id: 'h-1-m2', name: '卓玛', relation: 'spouse', ageBand: '60-79', needs: [] },
  ];
  const input = (members: HouseholdInput['members']): HouseholdInput => ({
    headName: '格桑',
    members,
    sensitiveConsent: false,
  });
  let n = 0;
  const fresh = () => `m-new${(n += 1)}`;

  it('keeps the ids of this household’s members and makes new ones for new members', () => {
    const stored = membersToStore(
      input([
        { id: 'h-1-m2', name: '卓玛', relation: 'spouse', ageBand: '60-79', needs: [] },
        { name: '次仁', relation: 'child', ageBand: '7-17', needs: [] },
      ]),
      existing,
      fresh,
    );
    expect(stored[0]?.id).toBe('h-1-m2');
    expect(stored[1]?.id).toMatch(/^m-new\d+$/);
  });

  it('refuses a member id that is not of this household', () => {
    const call = () =>
      membersToStore(
        input([{ id: 'h-2-m1', name: '别人', relation: 'other', ageBand: '18-59', needs: [] }]),
        existing,
        fresh,
      );
    expect(call).toThrow(AppError);
    try {
      call();
    } catch (error) {
      expect((error as AppError).code).toBe('HOUSEHOLD.MEMBER_UNKNOWN');
    }
  });

  it('refuses one member id given twice', () => {
    const twice = { id: 'h-1-m1', name: '格桑', relation: 'self' as const, ageBand: '60-79' as const, needs: [] };
    expect(() => membersToStore(input([twice, twice]), existing, fresh)).toThrow(AppError);
  });
});
