/** 订购批次 (community admin): the current round, the rounds, opening the next one in China time. */
import { chinaInstant, chinaWall } from '../../miniprogram/utils/format';
import { failure, orderRound } from '../helpers/fixtures';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';

jest.setTimeout(30_000);

describe('China time as typed', () => {
  it('reads a wall-clock time as +08:00 and refuses what is not a real time', () => {
    expect(chinaInstant('2022-08-20 8:00')).toBe('2022-08-20T08:00:00+08:00');
    expect(chinaWall('2022-08-20T00:00:00.000Z')).toBe('2022-08-20 08:00');
    expect(chinaInstant('2022-02-30 08:00')).toBeNull();
    expect(chinaInstant('2022-08-20 25:00')).toBeNull();
    expect(chinaInstant('明天早上')).toBeNull();
  });
});

describe('订购批次 page', () => {
  it('shows the current round, validates, opens the next with one request id, and lists it', async () => {
    const requestIds: Array<string | undefined> = [];
    const { calls } = mockCall({
      'order.rounds': () => ({
        ok: true,
        data: {
          items: [orderRound({ opensAt: '2000-01-01T00:00:00.000Z', closesAt: '2099-01-01T12:00:00.000Z' })],
          nextCursor: null,
          total: 1,
        },
      }),
      'order.openRound': (p, e) => {
        requestIds.push(e.requestId);
        return {
          ok: true,
          data: orderRound({
            id: 'round-002',
            name: p.name,
            opensAt: new Date(p.opensAt).toISOString(),
            closesAt: new Date(p.closesAt).toISOString(),
            open: false,
          }),
        };
      },
    });
    const page = await loadPage('pages/admin/order-rounds/index');
    let text = textOf(page);
    expect(text).toContain('当前批次第1批次');
    expect(text).toContain('下单中');

    tapButton(page, '.ord__new');
    await flush();
    // The form starts from now; without a name nothing is sent.
    tapButton(page, '.ord__create');
    await flush();
    expect(calls.some((c) => c.action === 'order.openRound')).toBe(false);
    expect(textOf(page)).toContain('请填写批次名称');

    const field = (name: string, value: string) =>
      page.instance.onForm({ detail: { value }, currentTarget: { dataset: { field: name } } });
    field('name', '第2批次');
    field('opensAt', '2099-08-22 8:00');
    field('closesAt', '2099-08-22');
    tapButton(page, '.ord__create');
    await flush();
    expect(calls.some((c) => c.action === 'order.openRound')).toBe(false);
    expect(textOf(page)).toContain('时间请按 2022-08-20 08:00 的格式填写');

    field('closesAt', '2099-08-22 07:00');
    tapButton(page, '.ord__create');
    await flush();
    expect(calls.some((c) => c.action === 'order.openRound')).toBe(false);
    expect(textOf(page)).toContain('截单时间要晚于开始时间');

    field('closesAt', '2099-08-23 20:00');
    tapButton(page, '.ord__create');
    await flush();
    expect(calls.find((c) => c.action === 'order.openRound')?.payload).toEqual({
      name: '第2批次',
      opensAt: '2099-08-22T08:00:00+08:00',
      closesAt: '2099-08-23T20:00:00+08:00',
    });
    expect(requestIds[0]).toMatch(/^[\w-]{8,64}$/);
    text = textOf(page);
    expect(text).toContain('第2批次');
    expect(text).toContain('未开始');
    expect(text).toContain('2099-08-22 08:00 开始 · 2099-08-23 20:00 截单');
    expect(page.instance.data.rounds[0].id).toBe('round-002');
    expect(text).toContain('共 2 个批次');
  });

  it('says when no round takes orders, and offers a retry when the list does not load', async () => {
    let fail = true;
    mockCall({
      'order.rounds': () =>
        fail
          ? failure('COMMON.INTERNAL', '系统繁忙')
          : {
              ok: true,
              data: {
                items: [
                  orderRound({
                    open: false,
                    opensAt: '2000-01-01T00:00:00.000Z',
                    closesAt: '2000-01-02T00:00:00.000Z',
                  }),
                ],
                nextCursor: null,
                total: 1,
              },
            },
    });
    const page = await loadPage('pages/admin/order-rounds/index');
    expect(textOf(page)).toContain('批次没有加载出来');
    fail = false;
    tapButton(page, '.ord__retry');
    await flush();
    expect(textOf(page)).toContain('现在没有进行中的批次，居民无法下单');
    expect(textOf(page)).toContain('已截单');
  });

  describe('extending, closing early, filling (issue 12)', () => {
    const open = () => orderRound({ opensAt: '2000-01-01T00:00:00.000Z', closesAt: '2099-01-01T12:00:00.000Z' });
    const past = () =>
      orderRound({
        id: 'round-000',
        name: '第0批次',
        open: false,
        opensAt: '2000-01-01T00:00:00.000Z',
        closesAt: '2000-01-02T00:00:00.000Z',
      });

    it('shows each round filling, and offers extend and close only while it has not closed', async () => {
      mockCall({
        'order.rounds': () => ({ ok: true, data: { items: [open(), past()], nextCursor: null, total: 2 } }),
        'order.roundFill': (p) => ({
          ok: true,
          data: p.roundIds.map((roundId) => ({
            roundId,
            orders: roundId === 'round-001' ? 14 : 30,
            households: roundId === 'round-001' ? 12 : 25,
            householdsTotal: 40,
          })),
        }),
      });
      const page = await loadPage('pages/admin/order-rounds/index');
      const text = textOf(page);
      expect(text).toContain('已下单 14 单 · 12/40 户（30%）');
      expect(text).toContain('已下单 30 单 · 25/40 户（63%）');
      expect(page.querySelector('.ord__close-round-001')).toBeTruthy();
      expect(page.querySelector('.ord__close-round-000')).toBeFalsy();
    });

    it('extends a round to a later close with one request id, refusing an earlier one', async () => {
      const requestIds: Array<string | undefined> = [];
      const { calls } = mockCall({
        'order.rounds': () => ({ ok: true, data: { items: [open()], nextCursor: null, total: 1 } }),
        'order.roundFill': () => failure('COMMON.INTERNAL', '系统繁忙'),
        'order.extendRound': (p, e) => {
          requestIds.push(e.requestId);
          return { ok: true, data: orderRound({ ...open(), closesAt: new Date(p.closesAt).toISOString() }) };
        },
      });
      const page = await loadPage('pages/admin/order-rounds/index');
      // The fill failing leaves the list as it is.
      expect(textOf(page)).toContain('第1批次');
      tapButton(page, '.ord__extend-round-001');
      await flush();
      // A day after the current close, as a default.
      expect(page.instance.data.extendAt).toBe('2099-01-02 20:00');
      page.instance.onExtendAt({ detail: { value: '2098-12-31 20:00' } });
      tapButton(page, '.ord__extend-save');
      await flush();
      expect(calls.some((c) => c.action === 'order.extendRound')).toBe(false);
      expect(textOf(page)).toContain('新的截单时间要晚于原截单时间');
      page.instance.onExtendAt({ detail: { value: '2099-01-03 20:00' } });
      tapButton(page, '.ord__extend-save');
      await flush();
      // The form closed: no second extension from a second tap.
      expect(page.querySelector('.ord__extend-save')).toBeFalsy();
      expect(calls.filter((c) => c.action === 'order.extendRound').map((c) => c.payload)).toEqual([
        { roundId: 'round-001', closesAt: '2099-01-03T20:00:00+08:00' },
      ]);
      expect(requestIds[0]).toMatch(/^[\w-]{8,64}$/);
      expect(textOf(page)).toContain('2099-01-03 20:00 截单');
    });

    it('closes a round early after confirming; a refusal is shown', async () => {
      let refuse = true;
      const { calls } = mockCall({
        'order.rounds': () => ({ ok: true, data: { items: [open()], nextCursor: null, total: 1 } }),
        'order.roundFill': (p) => ({
          ok: true,
          data: p.roundIds.map((roundId) => ({ roundId, orders: 3, households: 3, householdsTotal: 40 })),
        }),
        'order.closeRound': () =>
          refuse
            ? failure('COMMON.CONFLICT', '批次刚被他人修改，请刷新后重试')
            : { ok: true, data: orderRound({ ...open(), open: false, closesAt: '2022-08-21T01:00:00.000Z' }) },
      });
      (wx.showModal as jest.Mock).mockImplementation((o: { success?: (r: { confirm: boolean }) => void }) =>
        o.success?.({ confirm: true }),
      );
      const page = await loadPage('pages/admin/order-rounds/index');
      tapButton(page, '.ord__close-round-001');
      await flush();
      expect((wx.showModal as jest.Mock).mock.calls.at(-1)[0].content).toContain('已下的订单照常');
      expect(textOf(page)).toContain('批次刚被他人修改');
      refuse = false;
      tapButton(page, '.ord__close-round-001');
      await flush();
      expect(calls.filter((c) => c.action === 'order.closeRound')).toHaveLength(2);
      const text = textOf(page);
      expect(text).toContain('已截单');
      expect(text).toContain('现在没有进行中的批次');
      expect(text).toContain('已下单 3 单');
      expect(page.querySelector('.ord__close-round-001')).toBeFalsy();
    });
  });
});
