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
});
