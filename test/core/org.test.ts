import {
  addDays,
  byUrgency,
  careStatus,
  joinByBuilding,
  ordersByStatus,
  sumCounts,
  weekdayOf,
} from '../../core/org/dashboard';
import { buildingIdFor, gridIdFor, householdIdFor } from '../../core/org/ids';
import { floorOf, parseCsv, planImport, validateImport } from '../../core/org/import';
import { codeRefusal, withoutRole, withRole } from '../../core/org/roles';

const HEADER = ['网格', '楼栋', '单元', '房号', '户主', '电话', '人数'];

describe('CSV parsing', () => {
  it('reads quoted fields, doubled quotes, CRLF and a BOM', () => {
    expect(parseCsv('\uFEFFa,"b,c","say ""hi"""\r\n1,2,3\n')).toEqual([
      ['a', 'b,c', 'say "hi"'],
      ['1', '2', '3'],
    ]);
    expect(parseCsv('x,y')).toEqual([['x', 'y']]);
  });
});

describe('import validation', () => {
  it('accepts good rows, joins unit and room, and expands a member count', () => {
    const { rows, errors } = validateImport([HEADER, ['第1网格', '1号楼', '2', '301', '张三', '138 1234 5678', '3']]);
    expect(errors).toEqual([]);
    expect(rows[0]).toMatchObject({
      row: 2,
      grid: '第1网格',
      building: '1号楼',
      room: '2-301',
      floor: 3,
      phone: '13812345678',
    });
    expect(rows[0]?.members).toEqual(['张三', '家庭成员2', '家庭成员3']);
  });

  it('reports every bad row with its row number and a Chinese message, and keeps none of a bad file', () => {
    const { errors } = validateImport([
      HEADER,
      ['第1网格', '1号楼', '1', '101', '张三', '13812345678', '2'],
      ['', '1号楼', '1', '102', '李四', '12345', '0'],
      ['第1网格', '1号楼', '1', '101', '王五', '13912345678', '1'],
      ['第2网格', '1号楼', '1', '201', '赵六', '13912345679', '1'],
    ]);
    expect(errors.map((e) => [e.row, e.column])).toEqual([
      [3, '网格'],
      [3, '电话'],
      [3, '人数'],
      [4, '房号'],
      [5, '网格'],
    ]);
    expect(errors.find((e) => e.row === 4)?.message).toContain('与第 2 行是同一户');
    expect(errors.find((e) => e.row === 5)?.message).toContain('一个楼栋只能属于一个网格');
  });

  it('finds the header under a title row and names missing columns', () => {
    expect(
      validateImport([
        ['幸福新村住户表'],
        HEADER,
        ['第1网格', '1号楼', '', '101', '张三', '0891-6321234', '张三、李四'],
      ]).rows[0],
    ).toMatchObject({
      row: 3,
      room: '101',
      phone: '0891-6321234',
      members: ['张三', '李四'],
    });
    expect(validateImport([['网格', '楼栋', '房号']]).errors[0]?.message).toBe('表头缺少列：户主、电话、人数');
  });

  it('reads floors from room numbers', () => {
    expect(floorOf('301')).toBe(3);
    expect(floorOf('1203')).toBe(12);
    expect(floorOf('B')).toBe(1);
  });
});

describe('import plan', () => {
  const rows = validateImport([
    HEADER,
    ['第1网格', '1号楼', '1', '101', '张三', '13812345678', '2'],
    ['新网格', '9号楼', '1', '101', '李四', '13812345679', '1'],
    ['新网格', '2号楼', '1', '101', '王五', '13812345670', '1'],
  ]).rows;
  const existing = {
    communityId: 'c1',
    grids: [{ _id: 'g-01', name: '第1网格' }],
    buildings: [
      { _id: 'b-001', name: '1号楼', gridId: 'g-01' },
      { _id: 'b-002', name: '2号楼', gridId: 'g-01' },
    ],
    households: [{ _id: 'h-0001', buildingId: 'b-001', room: '1-101' }],
  };

  it('matches existing grids, buildings and rooms by name and derives stable ids for new ones', () => {
    const plan = planImport(rows.slice(0, 2), existing);
    expect(plan.errors).toEqual([]);
    expect(plan.grids).toEqual([
      { _id: 'g-01', name: '第1网格', isNew: false },
      { _id: gridIdFor('c1', '新网格'), name: '新网格', isNew: true },
    ]);
    expect(plan.households[0]).toMatchObject({ _id: 'h-0001', isNew: false });
    expect(plan.households[1]).toMatchObject({
      _id: householdIdFor(buildingIdFor('c1', '9号楼'), '1-101'),
      isNew: true,
    });
    // The same file planned twice gives the same ids (a retried import meets its first writes).
    expect(planImport(rows.slice(0, 2), existing)).toEqual(plan);
  });

  it('never reuses the id of a grid renamed since', () => {
    const renamed = { ...existing, grids: [...existing.grids, { _id: gridIdFor('c1', '新网格'), name: '改名的网格' }] };
    const plan = planImport(rows.slice(1, 2), renamed);
    expect(plan.grids[0]).toMatchObject({ name: '新网格', isNew: true });
    expect(plan.grids[0]?._id).not.toBe(gridIdFor('c1', '新网格'));
    expect(planImport(rows.slice(1, 2), renamed)).toEqual(plan);
  });

  it('refuses a building that already belongs to another grid', () => {
    expect(planImport(rows, existing).errors).toEqual([
      { row: 4, column: '网格', message: expect.stringContaining('2号楼已属于第1网格') },
    ]);
  });
});

describe('roles', () => {
  const user = { _id: 'u1', roles: ['resident' as const], communityId: 'c1', adminGridIds: [] as string[] };
  it('grants idempotently, with grids for grid roles, never across communities', () => {
    const once = withRole(user, 'gridworker', 'c1', ['g1']);
    expect(once).toEqual({ roles: ['resident', 'gridworker'], communityId: 'c1', adminGridIds: ['g1'] });
    expect(withRole({ ...once }, 'gridworker', 'c1', ['g1'])).toEqual(once);
    expect(() => withRole(user, 'gridworker', 'c1', [])).toThrow('需要指定负责的网格');
    expect(() => withRole(user, 'volunteer', 'c2', [])).toThrow('其他社区');
  });

  it('revokes, dropping grids with the last grid role; an admin cannot revoke themself', () => {
    const staff = {
      _id: 'u1',
      roles: ['gridworker' as const, 'volunteer' as const],
      communityId: 'c1',
      adminGridIds: ['g1'],
    };
    expect(withoutRole(staff, 'gridworker', 'admin')).toEqual({
      roles: ['volunteer'],
      communityId: 'c1',
      adminGridIds: [],
    });
    expect(() => withoutRole({ ...staff, roles: ['communityAdmin'] }, 'communityAdmin', 'u1')).toThrow('不能撤销自己');
  });

  it('tells why a code cannot be redeemed', () => {
    const now = new Date('2022-08-20T00:00:00Z');
    const code = {
      revoked: false,
      used: 0,
      maxUses: 2,
      expiresAt: '2022-08-21T00:00:00Z',
      redeemers: {} as Record<string, string>,
    };
    expect(codeRefusal(code, 'u1', now)).toBeNull();
    expect(codeRefusal({ ...code, used: 2 }, 'u1', now)).toBe('usedUp');
    expect(codeRefusal({ ...code, expiresAt: '2022-08-19T00:00:00Z' }, 'u1', now)).toBe('expired');
    expect(codeRefusal({ ...code, revoked: true }, 'u1', now)).toBe('revoked');
    expect(codeRefusal({ ...code, used: 2, redeemers: { u1: 'x' } }, 'u1', now)).toBe('already');
  });
});

describe('dashboard arithmetic', () => {
  it('counts 入群率 per building and orders by status', () => {
    const rows = joinByBuilding(
      [
        { _id: 'b1', name: '1号楼' },
        { _id: 'b2', name: '2号楼' },
      ],
      [
        { buildingId: 'b1', memberOpenids: ['o1'] },
        { buildingId: 'b1', memberOpenids: [] },
        { buildingId: 'b1', memberOpenids: ['o2', 'o3'] },
      ],
    );
    expect(rows).toEqual([
      { buildingId: 'b1', buildingName: '1号楼', households: 3, joined: 2, joinRate: 0.667 },
      { buildingId: 'b2', buildingName: '2号楼', households: 0, joined: 0, joinRate: 0 },
    ]);
    expect(
      ordersByStatus([
        { status: 'submitted' },
        { status: 'submitted' },
        { status: 'placing' },
        { status: 'delivered' },
      ]),
    ).toEqual({ submitted: 2, delivered: 1 });
  });

  it('knows dialysis days and when a chronic-medicine refill is due', () => {
    expect(weekdayOf('2022-08-21')).toBe(7); // a Sunday
    expect(weekdayOf('2022-08-22')).toBe(1);
    expect(addDays('2022-08-30', 3)).toBe('2022-09-02');
    const care = { dialysisWeekdays: [3, 1, 5], refillEveryDays: 30, lastRefillOn: '2022-07-25', note: '' };
    expect(careStatus(care, '2022-08-22')).toMatchObject({
      dialysisWeekdays: [1, 3, 5],
      dialysisToday: true,
      refillDueOn: '2022-08-24',
      refillInDays: 2,
    });
    expect(careStatus(care, '2022-08-27')).toMatchObject({ dialysisToday: false, refillInDays: -3 });
    expect(careStatus(null, '2022-08-22')).toMatchObject({ dialysisToday: false, refillDueOn: null });
    const row = (x: Partial<ReturnType<typeof careStatus>>) => ({
      householdId: 'h',
      memberId: 'm',
      buildingName: '1号楼',
      room: '101',
      nameMasked: '张*',
      needs: [],
      ...careStatus(null, '2022-08-22'),
      ...x,
    });
    const sorted = [row({ refillInDays: 5 }), row({ dialysisToday: true }), row({ refillInDays: -1 })].sort(byUrgency);
    expect(sorted.map((r) => [r.dialysisToday, r.refillInDays])).toEqual([
      [true, null],
      [false, -1],
      [false, 5],
    ]);
  });
});

describe('community totals', () => {
  it('add up grids, with 入群率 and coverage recomputed from the sums', () => {
    const grid = (
      households: number,
      joined: number,
      sampled: number,
      total: number,
      jobs: { active: number; doneToday: number } | null,
    ) => ({
      households,
      joined,
      joinRate: 0,
      ordersToday: { submitted: 1 },
      ordersTodayTotal: 1,
      deliveredToday: 1,
      jobs,
      testing: { roundId: 'r', roundName: '第1轮', sampled, total },
      specialNeeds: 2,
      contactedToday: 1,
    });
    expect(sumCounts([grid(10, 5, 3, 20, null), grid(30, 25, 7, 60, { active: 2, doneToday: 1 })])).toEqual({
      households: 40,
      joined: 30,
      joinRate: 0.75,
      ordersToday: { submitted: 2 },
      ordersTodayTotal: 2,
      deliveredToday: 2,
      jobs: { active: 2, doneToday: 1 },
      testing: { roundId: 'r', roundName: '第1轮', sampled: 10, total: 80 },
      specialNeeds: 4,
      contactedToday: 2,
    });
  });
});
