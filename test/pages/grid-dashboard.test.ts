import type { GridDashboardView } from '../../typings/api';
import { failure, me as meView } from '../helpers/fixtures';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';
import { staffGridsView } from './support/staff-data';

const me = meView({
  openid: 'dev-gw-01',
  nickName: '网格员',
  roles: ['gridworker'],
  adminGridIds: ['g-01'],
  householdId: null,
});

function dashboard(overrides: Partial<GridDashboardView> = {}): GridDashboardView {
  return {
    gridId: 'g-01',
    gridName: '第1网格',
    day: '2022-08-22',
    households: 3,
    joined: 2,
    joinRate: 0.667,
    ordersToday: { submitted: 2, delivered: 1 },
    ordersTodayTotal: 3,
    deliveredToday: 1,
    jobs: { active: 1, doneToday: 2 },
    testing: { roundId: 'tr-1', roundName: '第3轮全员核酸', sampled: 5, total: 8 },
    specialNeeds: 2,
    contactedToday: 0,
    buildings: [{ buildingId: 'b-001', buildingName: '1号楼', households: 3, joined: 2, joinRate: 0.667 }],
    ledger: [
      {
        householdId: 'h-1',
        memberId: 'h-1-m1',
        buildingName: '1号楼',
        room: '1-101',
        nameMasked: '次*',
        needs: ['dialysis'],
        dialysisWeekdays: [1, 3, 5],
        dialysisToday: true,
        refillEveryDays: 0,
        lastRefillOn: null,
        refillDueOn: null,
        refillInDays: null,
        note: '',
      },
      {
        householdId: 'h-2',
        memberId: 'h-2-m1',
        buildingName: '1号楼',
        room: '1-201',
        nameMasked: '王*',
        needs: ['chronic'],
        dialysisWeekdays: [],
        dialysisToday: false,
        refillEveryDays: 30,
        lastRefillOn: '2022-07-20',
        refillDueOn: '2022-08-19',
        refillInDays: -3,
        note: '',
      },
    ],
    notContacted: [
      { householdId: 'h-1', buildingName: '1号楼', room: '1-101', headMasked: '次*', needs: ['dialysis'] },
    ],
    notices: [{ id: 'n1', scope: 'grid', title: '明日全员核酸', body: '8点开始', postedAt: '2022-08-21T12:00:00Z' }],
    ...overrides,
  };
}

describe('网格看板 page', () => {
  it('shows 入群率 per building, orders by status, testing, the ledger with recurring needs and who is not contacted', async () => {
    mockCall({
      'user.me': () => ({ ok: true, data: me }),
      'grid.staffGrids': () => ({ ok: true, data: staffGridsView({}) }),
      'grid.dashboard': () => ({ ok: true, data: dashboard() }),
    });
    const page = await loadPage('pages/grid/dashboard/index');
    const text = textOf(page);
    expect(text).toContain('第1网格 · 2022-08-22');
    expect(text).toContain('2 / 3 户（66.7%）');
    expect(text).toContain('待接单 2');
    expect(text).toContain('已送达 1');
    expect(text).toContain('配送中 1 趟 · 今日送完 2 趟');
    expect(text).toContain('5 / 8 人（62.5%）第3轮全员核酸');
    expect(text).toContain('今天透析');
    expect(text).toContain('透析：周一、周三、周五');
    expect(text).toContain('取药已逾期 3 天');
    expect(text).toContain('今日未联系的特殊人群家庭（1 户）');
    expect(text).toContain('明日全员核酸');
  });

  it('records a contact with one tap and refreshes', async () => {
    let contacted = false;
    const { calls } = mockCall({
      'user.me': () => ({ ok: true, data: me }),
      'grid.staffGrids': () => ({ ok: true, data: staffGridsView({}) }),
      'grid.dashboard': () => ({
        ok: true,
        data: contacted ? dashboard({ notContacted: [], contactedToday: 1 }) : dashboard(),
      }),
      'grid.recordContact': (p) => {
        contacted = true;
        return { ok: true, data: { householdId: p.householdId, day: '2022-08-22' } };
      },
    });
    const page = await loadPage('pages/grid/dashboard/index');
    tapButton(page, '.dash__call');
    await flush();
    expect(calls.find((c) => c.action === 'grid.recordContact')?.payload).toEqual({
      householdId: 'h-1',
      method: 'phone',
    });
    expect(textOf(page)).toContain('今天都已联系过了');
    expect(textOf(page)).toContain('今日已联系 1 户');
  });

  it('posts a notice to the grid, and shows the server’s refusal', async () => {
    const { calls } = mockCall({
      'user.me': () => ({ ok: true, data: me }),
      'grid.staffGrids': () => ({ ok: true, data: staffGridsView({}) }),
      'grid.dashboard': () => ({ ok: true, data: dashboard() }),
      'grid.postNotice': () => failure('AUTH.NOT_GRIDWORKER', '此操作仅限本网格的网格员'),
    });
    const page = await loadPage('pages/grid/dashboard/index');
    page.instance.onTitle({ detail: { value: '停水通知' } });
    page.instance.onBody({ detail: { value: '明天 9 点停水' } });
    tapButton(page, '.dash__post');
    await flush();
    expect(calls.find((c) => c.action === 'grid.postNotice')?.payload).toEqual({
      gridId: 'g-01',
      title: '停水通知',
      body: '明天 9 点停水',
    });
    expect(textOf(page)).toContain('此操作仅限本网格的网格员');
  });
});
