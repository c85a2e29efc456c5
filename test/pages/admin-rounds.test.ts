/** 核酸检测轮次 (community admin): open a round, see them newest first, close one. */
import type { TestRoundView } from '../../typings/api';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';

jest.setTimeout(30_000);

const round = (over: Partial<TestRoundView> = {}): TestRoundView => ({
  id: 'tr-1',
  code: 'R1',
  name: '8月20日全员核酸',
  date: '2022-08-20',
  points: ['1号采样点', '上门'],
  validHours: 48,
  status: 'closed',
  ...over,
});

describe('核酸检测轮次 page', () => {
  it('opens a round with one request id per intent, lists it first, and closes it after asking', async () => {
    let rounds = [round()];
    const { calls } = mockCall({
      'testing.rounds': () => ({ ok: true, data: { items: rounds, nextCursor: null, total: rounds.length } }),
      'testing.openRound': (p) => {
        const r = round({
          id: 'tr-2',
          code: 'R2',
          name: p.name,
          date: p.date,
          points: p.points,
          validHours: p.validHours,
          status: 'open',
        });
        rounds = [r, ...rounds];
        return { ok: true, data: r };
      },
      'testing.closeRound': (p) => ({
        ok: true,
        data: { ...rounds.find((r) => r.id === p.roundId)!, status: 'closed' },
      }),
    });
    const page = await loadPage('pages/admin/rounds/index');
    expect(textOf(page)).toContain('R1 · 8月20日全员核酸');
    expect(textOf(page)).toContain('共 1 轮');

    tapButton(page, '.rounds__new');
    await flush();
    tapButton(page, '.rounds__create');
    await flush();
    expect(calls.some((c) => c.action === 'testing.openRound')).toBe(false);
    expect(textOf(page)).toContain('请填写轮次名称和至少一个采样点');

    page.instance.onForm({ detail: { value: '8月21日全员核酸' }, currentTarget: { dataset: { field: 'name' } } });
    page.instance.onForm({ detail: { value: '2022-08-21' }, currentTarget: { dataset: { field: 'date' } } });
    // Points however they are separated, repeats dropped.
    page.instance.onForm({
      detail: { value: '1号采样点，上门、1号采样点' },
      currentTarget: { dataset: { field: 'points' } },
    });
    tapButton(page, '.rounds__create');
    await flush();
    expect(calls.find((c) => c.action === 'testing.openRound')?.payload).toEqual({
      name: '8月21日全员核酸',
      date: '2022-08-21',
      points: ['1号采样点', '上门'],
      validHours: 48,
    });
    expect(textOf(page)).toContain('R2 · 8月21日全员核酸');
    expect(textOf(page)).toContain('进行中');

    (wx.showModal as jest.Mock).mockImplementation((o: { success?: (r: { confirm: boolean }) => void }) =>
      o.success?.({ confirm: true }),
    );
    tapButton(page, '.rounds__close');
    await flush();
    expect(calls.find((c) => c.action === 'testing.closeRound')?.payload).toEqual({ roundId: 'tr-2' });
    expect(page.instance.data.rounds[0].statusText).toBe('已结束');
  });
});
