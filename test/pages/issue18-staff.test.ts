/**
 * Issue 18 — staff pages at 375 pt, made for the person acting: the pool says its order and shows
 * urgent medicine as a tag and amounts whole; a volunteer sees their own team's shifts first; the
 * home hides 采样登记 from volunteers who may not record samples; 本网格住户 searches server-side.
 */
import type { GridHouseholdView, PoolOrderView, PoolView } from '../../typings/api';
import type { Me } from '../../typings/entities';
import { entriesFor } from '../../miniprogram/utils/labels';
import { poolOrder, shiftView } from '../helpers/fixtures';
import { flush, loadPage, mockCall, textOf } from '../helpers/page';
import { idsShown, staffGridsView } from './support/staff-data';

jest.setTimeout(60_000);

const pool = (orders: PoolOrderView[]): PoolView => ({
  gridId: 'g-01',
  grids: [{ id: 'g-01', name: '第1网格', waiting: orders.length }],
  rounds: [{ id: 'r1', name: '第1批次' }],
  buildings: [{ id: 'b1', name: '1号楼' }],
  counts: { submitted: orders.length, failed: 1 },
  items: orders,
  nextCursor: null,
  total: orders.length,
});

describe('订单池 at 375 pt', () => {
  it('says its order, tags urgent medicine, keeps amounts whole, and puts 未送达 among the first tabs', async () => {
    mockCall({
      'dispatch.pool': () => ({
        ok: true,
        data: pool([
          poolOrder('o1', '1-701', {
            kind: 'medicine',
            lines: [],
            medicine: '硝苯地平缓释片 一盒',
            urgent: true,
            priority: true,
          }),
          poolOrder('o2', '1-201', {
            lines: [
              { itemId: 'i1', name: '牛奶 250ml×12', unit: '箱', qty: 1 },
              { itemId: 'i2', name: '爱心菜包（土豆、白菜、萝卜、洋葱）', unit: '份', qty: 1 },
            ],
          }),
        ]),
      }),
    });
    const page = await loadPage('pages/dispatch/pool/index');
    const text = textOf(page);
    expect(text).toContain('急需和特殊需求优先，其余按楼栋房号');
    // Urgent medicine is a danger tag, not 【急】 in the text.
    expect(text).not.toContain('【急】');
    const urgent = page.querySelectorAll('.pool__urgent');
    expect(urgent).toHaveLength(1);
    expect(text).toContain('急需');
    expect(text).toContain('硝苯地平缓释片 一盒');
    // The item's name, then its amount (qty and unit) kept whole: never 250ml×12×1箱 or "×1 / 份".
    expect(text).toContain('牛奶 250ml×12 1箱');
    expect(text).not.toContain('×1箱');
    const amounts = page.querySelectorAll('.pool__amount');
    expect(amounts.map((a) => a.dom.textContent)).toEqual(['1箱', '1份']);
    for (const a of amounts) expect(a.dom.className).toMatch(/\bkeep\b/);
    // The tabs with work (待接单, 待派单, 未送达) come first, in view at 375 pt.
    const labels: string[] = page.instance.data.tabs.map((t: { label: string }) => t.label);
    expect(labels.slice(0, 3)).toEqual(['待接单', '待派单', '未送达']);
    expect(idsShown(text)).toEqual([]);
  });
});

describe('班次报名: own team first', () => {
  it('lists my team’s shifts first; other teams’ shifts sit folded under a heading', async () => {
    mockCall({
      'volunteer.shifts': () => ({
        ok: true,
        data: {
          items: [
            shiftView({
              id: 's-1',
              title: '卡点值守（早班）',
              ownTeam: false,
              canSignUp: false,
              whyNot: '该班次只接受卡点值守队的志愿者',
            }),
            shiftView({ id: 's-2', team: 'delivery', teamText: '物资配送', title: '物资配送（午班）', ownTeam: true }),
            shiftView({
              id: 's-3',
              team: 'testing',
              teamText: '核酸协助',
              title: '核酸协助',
              ownTeam: false,
              canSignUp: false,
              whyNot: '该班次只接受核酸协助队的志愿者',
            }),
          ],
          nextCursor: null,
          total: 3,
        },
      }),
    });
    const page = await loadPage('pages/volunteer/shifts/index');
    let text = textOf(page);
    expect(text).toContain('物资配送（午班）');
    expect(text).toContain('其他队的班次（2）');
    expect(text).not.toContain('该班次只接受');
    expect(text).not.toContain('核酸协助 ');
    expect(page.instance.data.own.map((s: { id: string }) => s.id)).toEqual(['s-2']);
    page.instance.toggleOthers();
    await flush();
    text = textOf(page);
    expect(text.indexOf('物资配送（午班）')).toBeLessThan(text.indexOf('其他队的班次'));
    expect(text.indexOf('其他队的班次')).toBeLessThan(text.indexOf('卡点值守（早班）'));
    expect(text).toContain('该班次只接受卡点值守队的志愿者');
  });
});

describe('home: 采样登记 only for those who may record samples', () => {
  const me = (roles: Me['roles'], sampler?: boolean): Me => ({
    openid: 'dev-vol-001',
    nickName: '志愿者',
    roles,
    communityId: 'c1',
    adminGridIds: [],
    householdId: null,
    ...(sampler === undefined ? {} : { sampler }),
  });

  it('hides it from a delivery volunteer, shows it to a testing one and to gridworkers', async () => {
    expect(entriesFor(['volunteer'], { sampler: false }).map((e) => e.key)).not.toContain('sample');
    expect(entriesFor(['volunteer'], { sampler: true }).map((e) => e.key)).toContain('sample');
    expect(entriesFor(['gridworker'], { sampler: true }).map((e) => e.key)).toContain('sample');
    // An older server (no `sampler`): the roles decide, as before.
    expect(entriesFor(['volunteer']).map((e) => e.key)).toContain('sample');

    mockCall({ 'user.me': () => ({ ok: true, data: me(['volunteer'], false) }) });
    let page = await loadPage('pages/index/index');
    let keys: string[] = page.instance.data.entries.map((e: { key: string }) => e.key);
    expect(keys).toContain('jobs');
    expect(keys).not.toContain('sample');
    expect(textOf(page)).not.toContain('采样登记');

    mockCall({ 'user.me': () => ({ ok: true, data: me(['volunteer'], true) }) });
    page = await loadPage('pages/index/index');
    keys = page.instance.data.entries.map((e: { key: string }) => e.key);
    expect(keys).toContain('sample');
  });
});

describe('本网格住户: search on the server', () => {
  const rows = (n: number, from = 0): GridHouseholdView[] =>
    Array.from({ length: n }, (_, i) => ({
      id: `h-${String(from + i).padStart(4, '0')}`,
      buildingId: 'b-002',
      buildingName: '2号楼',
      room: `1-${101 + from + i}`,
      headName: '央金拉姆',
      phoneMasked: `138****${1000 + from + i}`,
      members: 3,
      joined: true,
      priority: false,
    }));

  it('sends what was typed as q, shows the matches it answers, and pages them with q', async () => {
    const { calls } = mockCall({
      'grid.staffGrids': () => ({ ok: true, data: staffGridsView({}) }),
      'grid.households': (p) => {
        const q = (p as { q?: string }).q;
        if (!q) return { ok: true, data: { items: rows(50), nextCursor: 'p2', total: 120, joined: 100 } };
        if (q === '没有这户') return { ok: true, data: { items: [], nextCursor: null, total: 0, joined: 100 } };
        return (p as { cursor?: string }).cursor
          ? { ok: true, data: { items: rows(1, 90), nextCursor: null, total: 2, joined: 100 } }
          : { ok: true, data: { items: rows(1, 80), nextCursor: 'q2', total: 2, joined: 100 } };
      },
    });
    const page = await loadPage('pages/grid/households/index');
    expect(textOf(page)).toContain('共 120 户');
    await page.instance.onWords({ detail: { value: ' 1-18 ' } });
    await flush();
    const asked = calls.filter((c) => c.action === 'grid.households').map((c) => c.payload);
    // One request for the search, not every page of the grid.
    expect(asked).toHaveLength(2);
    expect(asked[1]).toEqual({ gridId: 'g-01', q: '1-18' });
    let text = textOf(page);
    expect(text).toContain('2号楼 1-181');
    expect(text).not.toContain('2号楼 1-101 ');
    expect(text).toContain('找到 2 户');
    expect(text).toContain('共 120 户');
    await page.instance.onReachBottom();
    await flush();
    expect(calls.filter((c) => c.action === 'grid.households').at(-1)?.payload).toEqual({
      gridId: 'g-01',
      q: '1-18',
      cursor: 'q2',
    });
    expect(textOf(page)).toContain('2号楼 1-191');

    await page.instance.onWords({ detail: { value: '没有这户' } });
    await flush();
    text = textOf(page);
    expect(text).toContain('没有找到这户');
    // The search box stays while searching, even when few households match.
    expect(page.querySelectorAll('.hhs__search')).toHaveLength(1);
    await page.instance.onWords({ detail: { value: '' } });
    await flush();
    expect(calls.filter((c) => c.action === 'grid.households').at(-1)?.payload).toEqual({ gridId: 'g-01' });
    expect(page.instance.data.rows).toHaveLength(50);
  });
});
