import type { AssignPlanView, DashboardCounts, StaffView, StructureView } from '../../typings/api';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';

const counts = (o: Partial<DashboardCounts> = {}): DashboardCounts => ({
  households: 10,
  joined: 7,
  joinRate: 0.7,
  ordersToday: { submitted: 3 },
  ordersTodayTotal: 3,
  deliveredToday: 2,
  jobs: null,
  testing: { roundId: 'tr', roundName: '第2轮', sampled: 20, total: 25 },
  specialNeeds: 4,
  contactedToday: 1,
  ...o,
});

describe('社区看板 page', () => {
  it('shows the community totals and each grid, and opens a grid’s dashboard', async () => {
    mockCall({
      'org.dashboard': () => ({
        ok: true,
        data: {
          communityName: '幸福新村社区',
          day: '2022-08-22',
          totals: counts(),
          grids: [{ ...counts(), gridId: 'g-01', gridName: '第1网格', gridworkers: ['卓玛'], notContacted: 3 }],
        },
      }),
    });
    const page = await loadPage('pages/admin/dashboard/index');
    const text = textOf(page);
    expect(text).toContain('幸福新村社区 · 2022-08-22');
    expect(text).toContain('入群 7 / 10 户（70.0%）');
    expect(text).toContain('今日订单 3 单（待接单 3）');
    expect(text).toContain('核酸已采 20 / 25 人');
    expect(text).toContain('3 户特殊人群今日未联系');
    expect(page.querySelector('.cdash__grid')).toBeTruthy();
    page.instance.openGrid({ currentTarget: { dataset: { id: 'g-01' } } });
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/grid/dashboard/index?gridId=g-01' });
  });

  it('posts a notice to the whole community', async () => {
    const { calls } = mockCall({
      'org.dashboard': () => ({
        ok: true,
        data: { communityName: 'x', day: '2022-08-22', totals: counts(), grids: [] },
      }),
      'grid.postNotice': (p) => ({
        ok: true,
        data: { id: 'n', scope: 'community', title: p.title, body: p.body, postedAt: '2022-08-22T00:00:00Z' },
      }),
    });
    const page = await loadPage('pages/admin/dashboard/index');
    page.instance.onTitle({ detail: { value: '全员核酸' } });
    page.instance.onBody({ detail: { value: '明早 8 点' } });
    tapButton(page, '.cdash__post');
    await flush();
    expect(calls.find((c) => c.action === 'grid.postNotice')?.payload).toEqual({
      gridId: null,
      title: '全员核酸',
      body: '明早 8 点',
    });
  });
});

describe('网格员分配 page', () => {
  const plan = (pinned: boolean): AssignPlanView => ({
    basis: 'b1',
    grids: [
      {
        gridId: 'g-01',
        gridName: '第1网格',
        households: 30,
        specialNeeds: 2,
        reason: '住得最近',
        workers: [
          {
            workerId: 'w1',
            name: '卓玛',
            role: 'gridworker',
            lead: true,
            pinned,
            buildingIds: ['b-001'],
            buildingNames: ['1号楼'],
            load: 36,
          },
        ],
      },
    ],
    workers: [
      { workerId: 'w1', name: '卓玛', role: 'gridworker', capacity: 120, load: 36, specialLoad: 2, gridIds: ['g-01'] },
    ],
    uncovered: [],
    warnings: [],
    maxLoad: 36,
    minLoad: 30,
    loadMaxMin: 1.2,
    specialLoadMaxMin: null,
    averageLoad: 33,
  });

  it('shows the plan with reasons and balance, re-runs with pins and applies it', async () => {
    const { calls } = mockCall({
      'org.planAssignment': (p) => ({ ok: true, data: plan(p.pins.length > 0) }),
      'org.applyAssignment': () => ({ ok: true, data: { grids: 1, workers: 1, changed: true } }),
    });
    const page = await loadPage('pages/admin/assign/index');
    const text = textOf(page);
    expect(text).toContain('最忙的人约 36 户，最闲的人约 30 户（相差 6 户）');
    expect(text).toContain('卓玛（网格员，负责人）');
    expect(text).toContain('约 36 户 · 1号楼');
    for (const jargon of ['比值', '负荷', '任何方案']) expect(text).not.toContain(jargon);
    // The reason, on tap.
    expect(text).not.toContain('住得最近');
    page.instance.toggleWhy({ currentTarget: { dataset: { index: 0 } } });
    await flush();
    expect(textOf(page)).toContain('住得最近');
    page.instance.togglePin({ currentTarget: { dataset: { grid: 'g-01', worker: 'w1' } } });
    tapButton(page, '.assign__run');
    await flush();
    expect(calls.filter((c) => c.action === 'org.planAssignment').map((c) => c.payload)).toEqual([
      { pins: [] },
      { pins: [{ gridId: 'g-01', workerId: 'w1', buildingIds: ['b-001'] }] },
    ]);
    expect(textOf(page)).toContain('已固定 1 项');
    tapButton(page, '.assign__apply');
    await flush();
    expect(calls.find((c) => c.action === 'org.applyAssignment')?.payload).toEqual({
      basis: 'b1',
      parts: [{ gridId: 'g-01', workerId: 'w1', buildingIds: ['b-001'] }],
    });
  });
});

describe('输入邀请码 page', () => {
  it('redeems a code and says what it gave', async () => {
    const { calls } = mockCall({
      'org.redeemCode': () => ({
        ok: true,
        data: { role: 'groupLeader', gridId: 'g-01', communityName: '幸福新村社区', fresh: true },
      }),
    });
    const page = await loadPage('pages/admin/redeem/index');
    page.instance.onCode({ detail: { value: ' k7m2 p9qx ' } });
    tapButton(page, '.redeem__btn');
    await flush();
    expect(calls[0]?.payload).toEqual({ code: 'k7m2p9qx' });
    expect(textOf(page)).toContain('您已成为幸福新村社区的组长');
  });
});

describe('角色与邀请码 page', () => {
  const structure: StructureView = {
    community: { id: 'c1', name: '幸福新村社区', district: '城关区' },
    grids: [{ id: 'g-01', name: '第1网格', householdCount: 3, gridworkers: [], groupLeaders: [], buildings: [] }],
  };
  const staff: StaffView[] = [
    {
      openid: 'dev-gw-01',
      name: '卓玛',
      roles: ['gridworker'],
      gridIds: ['g-01'],
      gridNames: ['第1网格'],
      phoneMasked: '138****0001',
      capacity: 120,
      homeBuildingId: null,
      mustGridIds: [],
      mustNotGridIds: [],
    },
  ];

  it('lists staff with their grids and makes a code for a gridworker of a grid', async () => {
    const { calls } = mockCall({
      'org.structure': () => ({ ok: true, data: structure }),
      'org.staff': () => ({ ok: true, data: staff }),
      'org.codes': (p) => ({
        ok: true,
        data: p.cursor
          ? {
              items: [
                {
                  code: 'OLDCODE2',
                  role: 'volunteer',
                  gridId: null,
                  gridName: null,
                  maxUses: 5,
                  used: 5,
                  revoked: false,
                  expiresAt: '2022-08-27T00:00:00Z',
                },
              ],
              nextCursor: null,
              total: 2,
            }
          : {
              items: [
                {
                  code: 'OLDCODE1',
                  role: 'volunteer',
                  gridId: null,
                  gridName: null,
                  maxUses: 5,
                  used: 1,
                  revoked: false,
                  expiresAt: '2022-08-27T00:00:00Z',
                },
              ],
              nextCursor: 'c1',
              total: 2,
            },
      }),
      'org.createCode': (p) => ({
        ok: true,
        data: {
          code: 'K7M2P9QX',
          role: p.role,
          gridId: p.gridId ?? null,
          gridName: '第1网格',
          maxUses: p.maxUses,
          used: 0,
          revoked: false,
          expiresAt: '2022-08-27T00:00:00Z',
        },
      }),
    });
    const page = await loadPage('pages/admin/roles/index');
    expect(textOf(page)).toContain('卓玛');
    expect(textOf(page)).toContain('网格：第1网格');
    expect(textOf(page)).toContain('最多负责约 120 户');
    expect(textOf(page)).not.toContain('可承担负荷');
    expect(textOf(page)).toContain('已发放的邀请码（共 2 个）');
    tapButton(page, '.roles__more-codes');
    await flush();
    expect(calls.filter((c) => c.action === 'org.codes').at(-1)?.payload).toEqual({ cursor: 'c1' });
    expect(textOf(page)).toContain('OLDCODE2');
    expect(page.querySelector('.roles__more-codes')).toBeFalsy();
    tapButton(page, '.roles__create');
    await flush();
    expect(calls.find((c) => c.action === 'org.createCode')?.payload).toEqual({
      role: 'gridworker',
      gridId: 'g-01',
      maxUses: 1,
      days: 7,
    });
    expect(textOf(page)).toContain('K7M2P9QX');
    expect(textOf(page)).toContain('网格员 · 第1网格 · 已用 0/1');
  });
});
