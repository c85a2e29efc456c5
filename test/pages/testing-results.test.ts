/** 检测结果 (admin, the grid's gridworker): the sampled with their results apart, recording 阴性/阳性. */
import type { TestRoundView } from '../../typings/api';
import { failure, me, resultsView, sampled } from '../helpers/fixtures';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';

jest.setTimeout(30_000);

const round: TestRoundView = {
  id: 'tr-1',
  code: 'R1',
  name: '8月20日全员核酸',
  date: '2022-08-20',
  points: ['上门'],
  validHours: 48,
  status: 'open',
};
const rows = [
  sampled(),
  sampled({ householdId: 'h-0002', room: '1-102', nameMasked: '格*', serial: 'R1-G01-0002', result: 'negative' }),
];

describe('检测结果 page', () => {
  it('shows each result apart from "sampled", and records one with the right payload', async () => {
    let items = rows;
    const { calls } = mockCall({
      'testing.rounds': () => ({ ok: true, data: { items: [round], nextCursor: null, total: 1 } }),
      'testing.results': () => ({ ok: true, data: resultsView(items) }),
      'testing.recordResult': (p) => {
        items = items.map((i) =>
          i.householdId === p.householdId && i.memberId === p.memberId ? { ...i, result: p.result } : i,
        );
        return { ok: true, data: { serial: 'R1-G01-0001', result: p.result } };
      },
    });
    const page = await loadPage('pages/testing/results/index', { roundId: 'tr-1', gridId: 'g-01' });
    const text = textOf(page);
    expect(text).toContain('8月20日全员核酸 · 第1网格');
    expect(text).toContain('已采样 2 人 · 阴性 1 · 阳性 0 · 未出结果 1');
    expect(text).toContain('1号楼 1-101 次*');
    expect(text).toContain('未出结果');
    expect(text).toContain('R1-G01-0001 · 已采样');
    expect(calls.find((c) => c.action === 'testing.results')?.payload).toEqual({ roundId: 'tr-1', gridId: 'g-01' });

    // A positive is asked for first; cancelled, nothing is sent.
    (wx.showModal as jest.Mock).mockImplementation((o: { success?: (r: { confirm: boolean }) => void }) =>
      o.success?.({ confirm: false }),
    );
    tapButton(page, '.res__positive');
    await flush();
    expect(calls.some((c) => c.action === 'testing.recordResult')).toBe(false);
    (wx.showModal as jest.Mock).mockImplementation((o: { success?: (r: { confirm: boolean }) => void }) =>
      o.success?.({ confirm: true }),
    );
    tapButton(page, '.res__positive');
    await flush();
    expect(calls.find((c) => c.action === 'testing.recordResult')?.payload).toEqual({
      roundId: 'tr-1',
      householdId: 'h-0001',
      memberId: 'm1',
      result: 'positive',
    });
    expect(page.instance.data.rows[0]).toMatchObject({
      result: 'positive',
      resultText: '阳性 · 需跟进',
      resultTheme: 'danger',
    });
    expect(textOf(page)).toContain('阳性 · 需跟进');
  });

  it('lists only positives, finds a tube by serial, checking it before asking', async () => {
    const { calls } = mockCall({
      'testing.rounds': () => ({ ok: true, data: { items: [round], nextCursor: null, total: 1 } }),
      'testing.results': (p) => ({
        ok: true,
        data: resultsView(
          rows.filter((r) => (!p.result || r.result === p.result) && (!p.serial || r.serial === p.serial)),
        ),
      }),
    });
    const page = await loadPage('pages/testing/results/index');
    expect(calls.find((c) => c.action === 'testing.results')?.payload).toEqual({ roundId: 'tr-1' });
    await page.instance.onFilter({ detail: { value: 'negative' } });
    await flush();
    expect(calls.filter((c) => c.action === 'testing.results').at(-1)?.payload).toEqual({
      roundId: 'tr-1',
      gridId: 'g-01',
      result: 'negative',
    });
    expect(page.instance.data.rows.map((r: { serial: string }) => r.serial)).toEqual(['R1-G01-0002']);

    const before = calls.length;
    page.instance.onSerial({ detail: { value: '编号 7' } });
    tapButton(page, '.res__find-btn');
    await flush();
    expect(calls.length).toBe(before);
    expect(textOf(page)).toContain('请按采样卡上的编号填写');
    await page.instance.onFilter({ detail: { value: 'all' } });
    page.instance.onSerial({ detail: { value: 'r1-g01-0001' } });
    tapButton(page, '.res__find-btn');
    await flush();
    expect(calls.at(-1)?.payload).toEqual({ roundId: 'tr-1', gridId: 'g-01', serial: 'R1-G01-0001' });
    expect(page.instance.data.rows).toHaveLength(1);
  });

  it('switches grid by name for the admin, and shows an error state with a retry', async () => {
    let fail = true;
    const grids = [
      { id: 'g-01', name: '第1网格' },
      { id: 'g-02', name: '第2网格' },
    ];
    const { calls } = mockCall({
      'testing.rounds': () => ({ ok: true, data: { items: [round], nextCursor: null, total: 1 } }),
      'testing.results': (p) =>
        fail
          ? failure('AUTH.NOT_GRIDWORKER', '检测结果仅限社区管理员和本网格的网格员')
          : {
              ok: true,
              data: resultsView([], {
                grids,
                gridId: p.gridId ?? 'g-01',
                gridName: p.gridId === 'g-02' ? '第2网格' : '第1网格',
              }),
            },
    });
    const page = await loadPage('pages/testing/results/index');
    expect(textOf(page)).toContain('检测结果没有加载出来');
    fail = false;
    tapButton(page, '.res__retry');
    await flush();
    expect(textOf(page)).toContain('第1网格');
    expect(textOf(page)).toContain('第2网格');
    await page.instance.onGrid({ detail: { value: 'g-02' } });
    await flush();
    expect(calls.at(-1)?.payload).toEqual({ roundId: 'tr-1', gridId: 'g-02' });
    expect(textOf(page)).toContain('8月20日全员核酸 · 第2网格');
  });
});

describe('未检名单 leads to 检测结果', () => {
  const coverage = {
    'testing.rounds': () => ({ ok: true as const, data: { items: [round], nextCursor: null, total: 1 } }),
    'testing.coverage': () => ({
      ok: true as const,
      data: { roundId: 'tr-1', gridId: 'g-01', sampled: 0, total: 0, buildings: [], pending: [] },
    }),
    'testing.bookings': () => ({ ok: true as const, data: [] }),
    'grid.staffGrids': () => ({
      ok: true as const,
      data: {
        grids: [{ id: 'g-01', name: '第1网格', submitted: 0, accepted: 0, failed: 0, joins: 0, waiting: 0 }],
        withWork: 'g-01',
        withOrders: 'g-01',
        withDispatch: 'g-01',
      },
    }),
  };

  it('for the gridworker, with the round and grid; not for a group leader', async () => {
    mockCall({
      ...coverage,
      'user.me': () => ({ ok: true, data: me({ roles: ['gridworker'], adminGridIds: ['g-01'], householdId: null }) }),
    });
    const page = await loadPage('pages/testing/coverage/index');
    tapButton(page, '.cov__results');
    await flush();
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/testing/results/index?roundId=tr-1&gridId=g-01' });

    mockCall({
      ...coverage,
      'user.me': () => ({ ok: true, data: me({ roles: ['groupLeader'], adminGridIds: ['g-01'], householdId: null }) }),
    });
    const leader = await loadPage('pages/testing/coverage/index');
    expect(leader.querySelector('.cov__results')).toBeFalsy();
  });
});
