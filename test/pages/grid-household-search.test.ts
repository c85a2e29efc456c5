/**
 * The long household lists of a grid (本网格住户, 代登记特殊需求, 打印个人码) are searched by what
 * a gridworker knows — the room, the head's name, the phone's last digits — across every page of
 * the list; a failed load shows an error state with 重试; the grid switcher shows no bare counts
 * on pages whose subject they are not; the 重点人员 summary keeps each figure whole.
 */
import type { GridHouseholdView } from '../../typings/api';
import { householdSearchText, matchesHousehold } from '../../miniprogram/utils/find-household';
import { flush, loadPage, mockCall, textOf } from '../helpers/page';
import { LONG_NAMES, ROOMS_NATURAL, idsShown, staffGridsView } from './support/staff-data';

jest.setTimeout(60_000);

const ROWS: GridHouseholdView[] = ROOMS_NATURAL.map((room, i) => ({
  id: `h-${String(i).padStart(4, '0')}`,
  buildingId: 'b-002',
  buildingName: '2号楼',
  room,
  headName: LONG_NAMES[i % LONG_NAMES.length] as string,
  phoneMasked: `138****${String(1000 + i)}`,
  members: 3,
  joined: i % 2 === 0,
  priority: false,
}));

/** The rows in two pages, as the server answers them (cursor `p2` for the second). */
function paged(payload: { cursor?: string }) {
  const half = Math.ceil(ROWS.length / 2);
  const items = payload.cursor === 'p2' ? ROWS.slice(half) : ROWS.slice(0, half);
  return {
    ok: true as const,
    data: { items, nextCursor: payload.cursor === 'p2' ? null : 'p2', total: ROWS.length, joined: 12 },
  };
}

describe('household search', () => {
  it('matches a room, a name or the phone’s last digits, never the masked part', () => {
    const text = householdSearchText({
      buildingName: '2号楼',
      room: '1-801',
      headName: '央金拉姆',
      phoneMasked: '138****0954',
    });
    expect(matchesHousehold(text, '1-801')).toBe(true);
    expect(matchesHousehold(text, '2号楼 801')).toBe(true);
    expect(matchesHousehold(text, '央金')).toBe(true);
    expect(matchesHousehold(text, '0954')).toBe(true);
    expect(matchesHousehold(text, '1-802')).toBe(false);
    expect(matchesHousehold(text, '****')).toBe(false);
  });

  // 本网格住户 asks the server (`q`): test/pages/issue18-staff.test.ts.
  it.each([
    ['pages/grid/needs/index', 'households'],
    ['pages/grid/code-sheet/index', 'households'],
  ])('%s: searching loads the rest of the list and shows only the matches', async (route) => {
    const { calls } = mockCall({
      'grid.staffGrids': () => ({ ok: true, data: staffGridsView({ 'g-03': 4 }) }),
      'grid.households': (p) => paged(p as { cursor?: string }),
    });
    const page = await loadPage(route);
    const last = ROWS[ROWS.length - 1] as GridHouseholdView;
    page.instance.onWords({ detail: { value: last.room } });
    await flush();
    await flush();
    expect(
      calls.filter((c) => c.action === 'grid.households').map((c) => (c.payload as { cursor?: string }).cursor),
    ).toEqual([undefined, 'p2']);
    const text = textOf(page as never);
    expect(idsShown(text)).toEqual([]);
    expect(text).toContain(`2号楼 ${last.room}`);
    expect(text).not.toContain(`2号楼 ${ROWS[0]?.room} `);
    // The grid switcher names grids without a bare number (the count is not this page's work).
    expect(page.querySelectorAll('.grid-switch__count')).toHaveLength(0);
    expect(text).toContain('第3网格');
    expect(text).not.toMatch(/第3网格\s*4/);

    page.instance.onWords({ detail: { value: '没有这个人' } });
    await flush();
    expect(textOf(page as never)).toContain('没有找到这户');
  });

  it('本网格住户: a failed load shows an error state, 重试 loads again', async () => {
    let fail = true;
    mockCall({
      'grid.staffGrids': () => ({ ok: true, data: staffGridsView({}) }),
      'grid.households': (p) =>
        fail ? { ok: false, code: 'COMMON.INTERNAL', message: '网络不太好' } : paged(p as { cursor?: string }),
    });
    const page = await loadPage('pages/grid/households/index');
    expect(textOf(page as never)).toContain('住户名单没有加载出来');
    expect(textOf(page as never)).not.toContain('共 0 户');
    fail = false;
    await page.instance.retry();
    await flush();
    const text = textOf(page as never);
    expect(text).toContain(`第1网格 · 共 ${ROWS.length} 户`);
    expect(text).not.toContain('没有加载出来');
  });
});

describe('a failed load says so, never "nothing to do"', () => {
  it.each([
    ['pages/grid/joins/index', 'grid.joinRequests', '入群申请没有加载出来', '没有待审核的入群申请'],
    ['pages/grid/dashboard/index', 'grid.dashboard', '网格看板没有加载出来', '今天都已联系过了'],
    ['pages/testing/coverage/index', 'testing.rounds', '未检名单没有加载出来', '还没有检测轮次'],
    ['pages/admin/dashboard/index', 'org.dashboard', '社区看板没有加载出来', '各网格'],
  ])('%s: %s failing shows the error state with 重试', async (route, action, failedText, emptyText) => {
    const { calls } = mockCall({
      'user.me': () => ({ ok: true, data: { roles: ['gridworker'] } as never }),
      'grid.staffGrids': () => ({ ok: true, data: staffGridsView({}) }),
      [action]: () => ({ ok: false, code: 'COMMON.INTERNAL', message: '网络不太好' }),
    } as never);
    const page = await loadPage(route);
    const text = textOf(page as never);
    expect(text).toContain(failedText);
    expect(text).not.toContain(emptyText);
    const before = calls.filter((c) => c.action === action).length;
    await page.instance.retry();
    await flush();
    expect(calls.filter((c) => c.action === action).length).toBeGreaterThan(before);
  });
});
