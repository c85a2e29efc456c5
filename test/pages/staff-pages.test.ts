/**
 * Every staff page rendered with realistic data — 15 grids, buildings of 24 rooms up to the 12th
 * floor, long names — handed over in the text order a careless server would give (第10网格 before
 * 第1网格, 1-1001 before 1-101): each page shows grids and rooms in natural order, shows no id
 * (g-01, h-0001, b-001, OPENIDs), and says things in a gridworker's words.
 */
import type {
  AssignPlanView,
  BoardView,
  CommunityDashboardView,
  CoverageView,
  GridDashboardView,
  GridHouseholdView,
  JobDetailView,
  JobStopView,
  PackingListView,
  PoolOrderView,
  PoolView,
  StaffView,
  StructureView,
  UserMatchView,
} from '../../typings/api';
import type { OrderStatus } from '../../typings/entities';
import { cashBadge, me, volunteerAdmin } from '../helpers/fixtures';
import { flush, loadPage, mockCall, textOf } from '../helpers/page';
import {
  GRIDS,
  GRIDS_TEXT_ORDER,
  LONG_NAMES,
  ROOMS,
  ROOMS_NATURAL,
  idsShown,
  increasing,
  positions,
  staffGridsView,
} from './support/staff-data';

jest.setTimeout(60_000);

const GRID_NAMES = GRIDS.map((g) => g.name);
const BUILDINGS_TEXT_ORDER = [
  { id: 'b-010', name: '10号楼' },
  { id: 'b-002', name: '2号楼' },
  { id: 'b-001', name: '1号楼' },
];
const BUILDING_NAMES = ['1号楼', '2号楼', '10号楼'];
const admin = me({ openid: 'dev-admin', nickName: '白玛央宗', roles: ['communityAdmin'], adminGridIds: [] });
const gridworker = me({ openid: 'dev-gw-01', nickName: LONG_NAMES[0], roles: ['gridworker'], adminGridIds: ['g-01'] });
/** A real-looking OPENID: must never be on screen. */
const OPENID = 'oX7mQ2b_Kc9-Lr4Tz8VwYp3NdE6h';

/** The text a page shows, checked for ids first. */
function shown(page: { dom: HTMLElement }): string {
  const text = textOf(page as never);
  expect(idsShown(text)).toEqual([]);
  expect(text).not.toContain(OPENID);
  return text;
}

const counts = {
  households: 30,
  joined: 22,
  joinRate: 0.733,
  ordersToday: { accepted: 6, assigned: 18 } as Partial<Record<OrderStatus, number>>,
  ordersTodayTotal: 24,
  deliveredToday: 5,
  jobs: { active: 3, doneToday: 2 },
  testing: { roundId: 'tr-1', roundName: '第3轮全员核酸', sampled: 22, total: 53 },
  specialNeeds: 4,
  contactedToday: 1,
};

describe('社区看板 (admin)', () => {
  it('lists 15 grids 第1 … 第15 with their gridworkers by name, counts spaced', async () => {
    const view: CommunityDashboardView = {
      communityName: '幸福新村社区',
      day: '2022-08-22',
      totals: counts,
      grids: GRIDS_TEXT_ORDER.map((g, i) => ({
        ...counts,
        gridId: g.id,
        gridName: g.name,
        gridworkers: [LONG_NAMES[i % LONG_NAMES.length] as string],
        notContacted: 1,
      })),
    };
    mockCall({ 'org.dashboard': () => ({ ok: true, data: view }) });
    const page = await loadPage('pages/admin/dashboard/index');
    const text = shown(page);
    expect(increasing(positions(text, GRID_NAMES))).toBe(true);
    expect(text).toContain('今日订单 24 单（已接单 6 · 已派单 18）');
    expect(text).toContain('核酸已采 22 / 53 人');
    expect(text).toContain(`网格员：${LONG_NAMES[0]}`);
    expect(text).not.toMatch(/网格员：网格员/);
  });
});

describe('网格管理 (admin)', () => {
  it('shows grids and buildings in natural order', async () => {
    const structure: StructureView = {
      community: { id: 'c-xingfu', name: '幸福新村社区', district: '城关区' },
      grids: GRIDS_TEXT_ORDER.map((g) => ({
        id: g.id,
        name: g.name,
        householdCount: 30,
        gridworkers: [{ openid: OPENID, name: LONG_NAMES[1] as string }],
        groupLeaders: [],
        buildings: BUILDINGS_TEXT_ORDER.map((b) => ({
          id: `${b.id}-${g.id}`,
          name: b.name,
          floors: 12,
          hasLift: true,
          distanceM: 100,
          households: 10,
        })),
      })),
    };
    mockCall({ 'org.structure': () => ({ ok: true, data: structure }) });
    const page = await loadPage('pages/admin/structure/index');
    const text = shown(page);
    expect(increasing(positions(text, GRID_NAMES))).toBe(true);
    const first = page.instance.data.structure.grids[0];
    expect(first.name).toBe('第1网格');
    expect(first.buildings.map((b: { name: string }) => b.name)).toEqual(BUILDING_NAMES);
  });
});

describe('角色与邀请码 (admin)', () => {
  const structure: StructureView = {
    community: { id: 'c-xingfu', name: '幸福新村社区', district: '城关区' },
    grids: GRIDS_TEXT_ORDER.map((g) => ({
      id: g.id,
      name: g.name,
      householdCount: 30,
      gridworkers: [],
      groupLeaders: [],
      buildings: [],
    })),
  };
  const staff: StaffView[] = Array.from({ length: 60 }, (_, i) => ({
    openid: i === 0 ? OPENID : `dev-vol-${String(i).padStart(3, '0')}`,
    name: `${LONG_NAMES[i % LONG_NAMES.length]}${i}`,
    roles: i < 15 ? ['gridworker'] : ['volunteer'],
    gridIds: i < 15 ? [GRIDS[i]!.id] : [],
    gridNames: i < 15 ? [GRIDS[i]!.name] : [],
    phoneMasked: `138****${String(1000 + i)}`,
    capacity: i < 15 ? 120 : null,
    homeBuildingId: null,
    mustGridIds: [],
    mustNotGridIds: [],
  }));
  const match: UserMatchView = {
    openid: OPENID,
    name: LONG_NAMES[2] as string,
    phoneMasked: '139****5678',
    roles: ['resident'],
    place: '2号楼 1-801',
    inCommunity: true,
  };

  it('finds a person by name or phone to grant a role to, and searches the long staff list', async () => {
    const { calls } = mockCall({
      'org.structure': () => ({ ok: true, data: structure }),
      'org.staff': () => ({ ok: true, data: staff }),
      'org.codes': () => ({ ok: true, data: { items: [], nextCursor: null, total: 0 } }),
      'org.findUsers': () => ({ ok: true, data: [match] }),
      'org.grantRole': () => ({ ok: true, data: staff[0]! }),
    });
    const page = await loadPage('pages/admin/roles/index');
    let text = shown(page);
    expect(text).not.toContain('用户编号');
    expect(text).not.toContain('可承担负荷');
    // One page at a time, not a 9,400 px list.
    expect(page.instance.data.shown).toHaveLength(20);
    expect(text).toContain('还有 40 人，全部显示');
    // The grid chips in natural order.
    expect(page.instance.data.grids.map((g: { name: string }) => g.name)).toEqual(GRID_NAMES);
    // Search the list by name or phone tail, filter by role.
    page.instance.onStaffWords({ detail: { value: '1007' } });
    expect(page.instance.data.shown.map((s: { name: string }) => s.name)).toEqual([`${LONG_NAMES[3]}7`]);
    page.instance.onStaffWords({ detail: { value: '' } });
    page.instance.pickStaffRole({ currentTarget: { dataset: { role: 'gridworker' } } });
    expect(page.instance.data.staffMatching).toBe(15);
    // Find the person to grant to: by name, masked phone, their room; never their id.
    page.instance.onQuery({ detail: { value: '央金' } });
    await page.instance.search();
    await flush();
    text = shown(page);
    expect(text).toContain(`${LONG_NAMES[2]}`);
    expect(text).toContain('139****5678 · 2号楼 1-801');
    page.instance.pickPerson({ currentTarget: { dataset: { index: 0 } } });
    page.instance.pickGrid({ currentTarget: { dataset: { id: 'g-03' } } });
    await flush();
    await page.instance.grant();
    await flush();
    expect(calls.find((c) => c.action === 'org.findUsers')?.payload).toEqual({ query: '央金' });
    expect(calls.find((c) => c.action === 'org.grantRole')?.payload).toEqual({
      openid: OPENID,
      role: 'gridworker',
      gridIds: ['g-03'],
    });
  });
});

describe('网格员分配 (admin)', () => {
  it('shows the plan per grid in natural order, in plain words, with reasons on tap', async () => {
    const plan: AssignPlanView = {
      basis: 'b1',
      grids: GRIDS_TEXT_ORDER.map((g, i) => ({
        gridId: g.id,
        gridName: g.name,
        households: 30,
        specialNeeds: 2,
        reason: '加权负荷 36（特殊需求居民 2 人），由网格员负责整个网格：其总负荷 36（人均 33）',
        workers: [
          {
            workerId: `dev-gw-${String(i + 1).padStart(2, '0')}`,
            name: LONG_NAMES[i % LONG_NAMES.length] as string,
            role: 'gridworker',
            lead: true,
            pinned: false,
            buildingIds: ['b-001'],
            buildingNames: ['1号楼'],
            load: 36,
          },
        ],
      })),
      workers: [],
      uncovered: [],
      warnings: [],
      maxLoad: 40,
      minLoad: 19,
      loadMaxMin: 2.13,
      specialLoadMaxMin: 1.5,
      averageLoad: 21.47,
    };
    mockCall({ 'org.planAssignment': () => ({ ok: true, data: plan }) });
    const page = await loadPage('pages/admin/assign/index');
    const text = shown(page);
    expect(increasing(positions(text, GRID_NAMES))).toBe(true);
    for (const jargon of ['比值', '2.13', '负荷', '任何方案的最大负荷']) expect(text).not.toContain(jargon);
    expect(text).toContain('最忙的人约 40 户，最闲的人约 19 户');
    page.instance.toggleWhy({ currentTarget: { dataset: { index: 0 } } });
    await flush();
    expect(textOf(page)).toContain('工作量 36（特殊需求居民 2 人）');
  });
});

const poolOrder = (id: string, room: string, i: number): PoolOrderView => ({
  id,
  kind: i % 5 === 0 ? 'medicine' : 'grocery',
  status: 'submitted',
  statusText: '已提交',
  roundId: 'round-001',
  buildingId: 'b-002',
  buildingName: '2号楼',
  room,
  headMasked: '央**姆',
  phoneMasked: '138****0001',
  lines: [{ itemId: 'item-009', name: '土豆', unit: '斤', qty: 4 }],
  medicine: i % 5 === 0 ? '硝苯地平缓释片 一盒' : null,
  priority: false,
  contactless: true,
  note: '',
  weightKg: 2,
  rejectReason: null,
  jobId: null,
  shortfall: [],
  failReason: null,
  createdAt: '2022-08-20T01:00:00Z',
  gas: null,
  pay: cashBadge,
});

describe('订单池 (admin of 15 grids)', () => {
  it('lists grids and buildings by name in natural order, keeps rooms and masked names whole, one filter row', async () => {
    const view: PoolView = {
      gridId: 'g-03',
      grids: GRIDS_TEXT_ORDER.map((g) => ({ id: g.id, name: g.name, waiting: g.id === 'g-03' ? 24 : 0 })),
      rounds: [{ id: 'round-001', name: '第1批次' }],
      buildings: BUILDINGS_TEXT_ORDER,
      counts: { submitted: 24 },
      items: ROOMS.map((r, i) => poolOrder(`o-${i}`, r, i)),
      nextCursor: null,
      total: 24,
    };
    mockCall({ 'dispatch.pool': () => ({ ok: true, data: view }) });
    const page = await loadPage('pages/dispatch/pool/index');
    const text = shown(page);
    const chips = page.querySelector('.pool__grids');
    expect(chips?.instance.data.shown.map((g: { name: string }) => g.name)).toEqual(GRID_NAMES);
    expect(page.instance.data.buildings.map((b: { name: string }) => b.name)).toEqual(BUILDING_NAMES);
    expect(text).toContain('第3网格24');
    // Rooms and masked names never break across lines; all filters in one sideways row.
    const places = page.querySelectorAll('.pool__place');
    expect(places.length).toBe(24);
    for (const p of places) expect(p.dom.className).toMatch(/\bkeep\b/);
    expect(page.querySelectorAll('.pool__chips').length).toBe(1);
    expect(text).toContain('央**姆');
  });
});

describe('派单看板 (gridworker)', () => {
  it('lists the doors of a job in natural order, the volunteers by name with their load, no ids', async () => {
    const board: BoardView = {
      gridId: 'g-01',
      gridName: '第1网格',
      acceptedWaiting: 6,
      volunteers: [
        {
          id: OPENID,
          name: LONG_NAMES[0] as string,
          phoneMasked: '138****0001',
          capacityKg: 15,
          activeJobs: 1,
          carryingKg: 12,
          doors: 24,
        },
        {
          id: 'dev-vol-003',
          name: LONG_NAMES[1] as string,
          phoneMasked: '139****0003',
          capacityKg: 20,
          activeJobs: 0,
          carryingKg: 0,
          doors: 0,
        },
      ],
      jobs: [
        {
          id: 'job-1',
          title: '2号楼 1–12层 · 24户',
          status: 'assigned',
          statusText: '待取货',
          buildingNames: ['2号楼'],
          stopCount: 24,
          pendingCount: 24,
          weightKg: 12,
          priority: false,
          medicine: false,
          reason: '同楼1–12层24单合并一趟，共12.0kg；该志愿者负责这栋楼',
          reasonShort: '24户一趟 · 约45分钟送完',
          reasonDetails: ['同一栋楼1–12层的24户一趟送，共约12公斤'],
          volunteerId: OPENID,
          volunteerName: LONG_NAMES[0] as string,
          mine: false,
          pickupBy: '2022-08-20T03:00:00Z',
          pickupShortfall: [],
          codeLocked: false,
          stops: ROOMS.map((room, i) => ({
            orderId: `o-${i}`,
            room,
            status: 'assigned' as const,
            statusText: '已安排志愿者配送',
            shortfall: [],
            failReason: null,
          })),
        },
      ],
    };
    mockCall({
      'grid.staffGrids': () => ({ ok: true, data: staffGridsView() }),
      'dispatch.board': () => ({ ok: true, data: board }),
    });
    const page = await loadPage('pages/dispatch/board/index', { gridId: 'g-01' });
    const text = shown(page);
    expect(page.instance.data.cards[0].stops.map((s: { room: string }) => s.room)).toEqual(ROOMS_NATURAL);
    expect(text).not.toContain('已安排志愿者配送');
    expect(text).toContain(`${LONG_NAMES[0]}138****0001`);
    expect(text).toContain('手上 1 趟 · 24 户 · 12公斤');
    expect(text).toContain('空闲');
    expect(text).not.toContain('该志愿者');
  });
});

describe('采购与分拣单 (gridworker)', () => {
  it('packs buildings and rooms in walking order and says which orders the lists count', async () => {
    const packing: PackingListView = {
      roundId: 'round-001',
      roundName: '第1批次',
      gridName: '第1网格',
      basis: '已接单的订单（不含待接单）',
      buildings: BUILDINGS_TEXT_ORDER.map((b) => ({
        buildingId: b.id,
        buildingName: b.name,
        rooms: ROOMS.map((room, i) => ({
          orderId: `${b.id}-o${i}`,
          room,
          headMasked: '央**姆',
          phoneMasked: '138****0001',
          priority: false,
          contactless: true,
          lines: '土豆×4斤',
          note: '',
        })),
      })),
    };
    mockCall({
      'grid.staffGrids': () => ({ ok: true, data: staffGridsView() }),
      'dispatch.pool': () => ({
        ok: true,
        data: {
          gridId: 'g-01',
          grids: [],
          rounds: [{ id: 'round-001', name: '第1批次' }],
          buildings: [],
          counts: {},
          items: [],
          nextCursor: null,
          total: 0,
        },
      }),
      'dispatch.purchaseList': () => ({
        ok: true,
        data: {
          roundId: 'round-001',
          roundName: '第1批次',
          scope: '第1网格',
          orderCount: 72,
          basis: '已接单的订单（不含待接单）',
          withSubmitted: false,
          submittedLeftOut: 6,
          items: [
            { itemId: 'item-010', name: '大白菜', unit: '斤', qty: 40, orders: 20 },
            { itemId: 'item-009', name: '土豆', unit: '斤', qty: 96, orders: 72 },
          ],
          medicine: 2,
          gas: 0,
        },
      }),
      'dispatch.packingList': () => ({ ok: true, data: packing }),
    });
    const page = await loadPage('pages/dispatch/lists/index');
    let text = shown(page);
    expect(text).toContain('只算已接单的 72 单；还有 6 单待接单未计入');
    page.instance.onTab({ detail: { value: 'packing' } });
    await flush();
    text = shown(page);
    expect(
      increasing(
        positions(
          text,
          BUILDING_NAMES.map((b) => `${b}（`),
        ),
      ),
    ).toBe(true);
    const rooms = page.instance.data.packing.buildings[0].rooms.map((r: { room: string }) => r.room);
    expect(rooms).toEqual(ROOMS_NATURAL);
  });
});

describe('网格看板 and 本网格住户 (gridworker of several grids)', () => {
  const dashboard: GridDashboardView = {
    ...counts,
    gridId: 'g-03',
    gridName: '第3网格',
    day: '2022-08-22',
    buildings: BUILDINGS_TEXT_ORDER.map((b) => ({
      buildingId: b.id,
      buildingName: b.name,
      households: 53,
      joined: 22,
      joinRate: 0.415,
    })),
    ledger: [],
    notContacted: ROOMS.map((room, i) => ({
      householdId: `h-${String(i).padStart(4, '0')}`,
      buildingName: '2号楼',
      room,
      headMasked: '央**姆',
      needs: ['elderlyAlone' as const],
    })),
    notices: [],
  };

  it('switches grids by name (never g-01 … g-15) and opens on the grid with work', async () => {
    const { calls } = mockCall({
      'grid.staffGrids': () => ({ ok: true, data: staffGridsView({ 'g-03': 4 }) }),
      'grid.dashboard': () => ({ ok: true, data: dashboard }),
    });
    const page = await loadPage('pages/grid/dashboard/index');
    const text = shown(page);
    expect(calls.find((c) => c.action === 'grid.dashboard')?.payload).toEqual({ gridId: 'g-03' });
    expect(increasing(positions(text, GRID_NAMES))).toBe(true);
    expect(page.instance.data.view.buildings.map((b: { buildingName: string }) => b.buildingName)).toEqual(
      BUILDING_NAMES,
    );
    expect(page.instance.data.view.notContacted.map((h: { room: string }) => h.room)).toEqual(ROOMS_NATURAL);
    expect(text).toContain('22 / 53 户');
  });

  it('lists households in the order the server walks them, with names and no ids', async () => {
    const rows: GridHouseholdView[] = ROOMS_NATURAL.map((room, i) => ({
      id: `h-${String(i).padStart(4, '0')}`,
      buildingId: 'b-002',
      buildingName: '2号楼',
      room,
      headName: LONG_NAMES[i % LONG_NAMES.length] as string,
      phoneMasked: '138****0001',
      members: 3,
      joined: i % 2 === 0,
      priority: false,
    }));
    mockCall({
      'grid.staffGrids': () => ({ ok: true, data: staffGridsView({}) }),
      'grid.households': () => ({ ok: true, data: { items: rows, nextCursor: null, total: 24, joined: 12 } }),
    });
    const page = await loadPage('pages/grid/households/index');
    const text = shown(page);
    expect(
      increasing(
        positions(
          text,
          ROOMS_NATURAL.map((r) => `2号楼 ${r} `),
        ),
      ),
    ).toBe(true);
    expect(text).toContain('第1网格 · 共 24 户，已入群 12 户');
  });
});

describe('任务详情 (delivery volunteer): a medicine stop', () => {
  it('says what medicine to buy and where, and shows the prescription photo to the buyer', async () => {
    const stop = (orderId: string, room: string, medicine: boolean): JobStopView => ({
      orderId,
      floor: 8,
      status: 'assigned',
      statusText: '已安排志愿者配送',
      address: `2号楼 ${room}`,
      phone: '13800000001',
      headName: LONG_NAMES[1] as string,
      lines: medicine ? [] : [{ itemId: 'item-009', name: '土豆', unit: '斤', qty: 4 }],
      priority: medicine,
      medicine,
      medicineText: medicine ? '硝苯地平缓释片 一盒' : null,
      urgent: medicine,
      prescriptionFileId: medicine ? 'cloud://env/rx/1.jpg' : null,
      contactless: true,
      note: '',
      weightKg: 1,
      shortfall: [],
      failReason: null,
    });
    const detail: JobDetailView = {
      id: 'job-1',
      title: '2号楼 8层 · 2户',
      status: 'assigned',
      statusText: '待取货',
      buildingNames: ['2号楼'],
      stopCount: 2,
      pendingCount: 2,
      weightKg: 3,
      priority: true,
      medicine: true,
      reason: '第一波：含特殊需求/药品/限时订单，优先送；同楼8层2单合并一趟，共3.0kg',
      reasonShort: '优先送 · 2户一趟',
      reasonDetails: ['先送：有特殊需求、药品或限时送达的订单'],
      volunteerId: OPENID,
      volunteerName: '我',
      mine: true,
      pickupBy: '2022-08-20T03:00:00Z',
      pickupShortfall: [],
      codeLocked: false,
      totals: [{ itemId: 'item-009', name: '土豆', unit: '斤', qty: 4 }],
      pickupPlace: '社区物资中转站',
      purchases: [
        {
          orderId: 'o-1',
          place: '2号楼 1-801',
          what: '硝苯地平缓释片 一盒',
          where: '就近药店',
          urgent: true,
          prescriptionFileId: 'cloud://env/rx/1.jpg',
        },
      ],
      stops: [stop('o-1', '1-801', true), stop('o-2', '1-802', false)],
    };
    mockCall({ 'dispatch.job': () => ({ ok: true, data: detail }) });
    const page = await loadPage('pages/volunteer/job/index', { id: 'job-1' });
    const text = shown(page);
    expect(text).toContain('到社区物资中转站取货清点');
    expect(text).toContain('到就近药店代购药品（1 户）');
    expect(text).toContain('硝苯地平缓释片 一盒');
    expect(text).toContain('送到 2号楼 1-801');
    expect(text).toContain('处方照片，点开给药店看');
    expect(text).toContain('代购药品（急）：硝苯地平缓释片 一盒');
    expect(text).not.toContain('已安排志愿者配送');
    expect(page.querySelector('.job__rx-img')).toBeTruthy();
  });
});

describe('未检名单 and 志愿者管理 (staff)', () => {
  it('lists the unsampled in walking order by building and room', async () => {
    const cov: CoverageView = {
      roundId: 'tr-1',
      gridId: 'g-01',
      sampled: 22,
      total: 53,
      buildings: BUILDINGS_TEXT_ORDER.map((b) => ({ buildingId: b.id, buildingName: b.name, sampled: 7, total: 18 })),
      pending: ROOMS.map((room, i) => ({
        householdId: `h-${String(i).padStart(4, '0')}`,
        buildingName: '2号楼',
        room,
        members: [{ memberId: `h-${i}-m1`, nameMasked: '央**姆', needs: [] }],
        knock: null,
      })),
    };
    mockCall({
      'user.me': () => ({ ok: true, data: gridworker }),
      'grid.staffGrids': () => ({ ok: true, data: staffGridsView({}) }),
      'testing.rounds': () => ({
        ok: true,
        data: {
          items: [
            {
              id: 'tr-1',
              code: 'R1',
              name: '第3轮全员核酸',
              date: '2022-08-22',
              points: ['1号采样点'],
              validHours: 48,
              status: 'open',
            },
          ],
          nextCursor: null,
          total: 1,
        },
      }),
      'testing.coverage': () => ({ ok: true, data: cov }),
      'testing.bookings': () => ({ ok: true, data: [] }),
    });
    const page = await loadPage('pages/testing/coverage/index');
    const text = shown(page);
    expect(page.instance.data.rows.map((r: { place: string }) => r.place)).toEqual(
      ROOMS_NATURAL.map((r) => `2号楼 ${r}`),
    );
    expect(page.instance.data.buildings.map((b: { buildingName: string }) => b.buildingName)).toEqual(BUILDING_NAMES);
    expect(text).toContain('已采 22 / 应采 53 人');
  });

  it('shows volunteers with their grids by name, never ids', async () => {
    mockCall({
      'user.me': () => ({ ok: true, data: admin }),
      'household.directory': () => ({
        ok: true,
        data: { community: { id: 'c-xingfu', name: '幸福新村社区', district: '城关区' }, grids: [] },
      }),
      'volunteer.list': () => ({
        ok: true,
        data: [
          volunteerAdmin({
            id: OPENID,
            name: LONG_NAMES[0] as string,
            gridIds: ['g-10', 'g-02'],
            gridNames: ['第10网格', '第2网格'],
          }),
        ],
      }),
    });
    const page = await loadPage('pages/admin/volunteers/index');
    const text = shown(page);
    expect(text).toContain(LONG_NAMES[0]);
    expect(text).toContain('第10网格');
  });
});
