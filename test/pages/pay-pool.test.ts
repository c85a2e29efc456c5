/**
 * The gridworker and WeChat Pay (issue 19): each order of the pool shows how it is paid (待支付
 * grey, 已支付 green, 货到付现金 …); an unpaid WeChat Pay order cannot be accepted, and says why;
 * accepting all leaves those out; the pool says when it did not load and retries. A 代下单 slip of a
 * WeChat Pay order offers 请家属代付 (or cash instead).
 */
import type { PayBadgeView, PoolOrderView, PoolView } from '../../typings/api';
import { failure, poolOrder } from '../helpers/fixtures';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';
import { staffGridsView } from './support/staff-data';

jest.setTimeout(30_000);

const badge = (over: Partial<PayBadgeView> = {}): PayBadgeView => ({
  mode: 'cashOnDelivery',
  modeText: '货到付现金',
  state: null,
  stateText: '货到付现金',
  amountFen: 1800,
  refundedFen: 0,
  transactionId: null,
  acceptable: true,
  ...over,
});
const UNPAID = badge({
  mode: 'wechatPay',
  modeText: '微信支付',
  state: 'awaiting',
  stateText: '待支付',
  acceptable: false,
});
const PAID = badge({
  mode: 'wechatPay',
  modeText: '微信支付',
  state: 'paid',
  stateText: '已支付',
  transactionId: '4200001',
});

const pool = (orders: PoolOrderView[]): PoolView => ({
  gridId: 'g-01',
  grids: [{ id: 'g-01', name: '第1网格', waiting: orders.length }],
  rounds: [{ id: 'r1', name: '第1批次' }],
  buildings: [{ id: 'b1', name: '1号楼' }],
  counts: { submitted: orders.length },
  items: orders,
  nextCursor: null,
  total: orders.length,
});

const ORDERS = [
  poolOrder('o-paid', '101', { pay: PAID }),
  poolOrder('o-unpaid', '102', { pay: UNPAID }),
  poolOrder('o-cash', '103', { pay: badge() }),
];

describe('订单池 and WeChat Pay', () => {
  it('shows how each order is paid and accepts only paid WeChat Pay orders (or cash/transfer ones)', async () => {
    const { calls } = mockCall({
      'dispatch.pool': () => ({ ok: true, data: pool(ORDERS) }),
      'dispatch.review': (p) => ({ ok: true, data: { changed: p.orderIds.length, skipped: 0 } }),
    });
    const page = await loadPage('pages/dispatch/pool/index');
    const rows = page.instance.data.rows as Array<{
      id: string;
      payText: string;
      payTheme: string;
      acceptable: boolean;
    }>;
    expect(rows.map((r) => [r.id, r.payText, r.payTheme, r.acceptable])).toEqual([
      ['o-paid', '微信支付 · 已支付', 'success', true],
      ['o-unpaid', '微信支付 · 待支付', 'default', false],
      ['o-cash', '货到付现金', 'primary', true],
    ]);
    const text = textOf(page);
    expect(text).toContain('微信支付 · 已支付');
    expect(text).toContain('微信支付 · 待支付');
    expect(text).toContain('居民还没有完成微信支付，付款后才能接单');

    // The unpaid order's 接单 is disabled: tapping it sends nothing.
    const accepts = page.querySelectorAll('.pool__accept');
    expect(accepts).toHaveLength(3);
    expect(accepts[1]?.data.disabled ?? accepts[1]?.instance?.data?.disabled).toBe(true);
    expect(accepts[0]?.data.disabled ?? accepts[0]?.instance?.data?.disabled).toBe(false);

    // The paid one is accepted; 全部接单 leaves the unpaid one out.
    page.instance.accept({ currentTarget: { dataset: { id: 'o-paid' } } });
    await flush();
    expect(calls.find((c) => c.action === 'dispatch.review')?.payload).toEqual({ orderIds: ['o-paid'], accept: true });
    tapButton(page, '.pool__accept-all');
    await flush();
    expect(calls.filter((c) => c.action === 'dispatch.review').at(-1)?.payload).toEqual({
      orderIds: ['o-paid', 'o-cash'],
      accept: true,
    });
  });

  it('says when the pool did not load, and loads it again on retry', async () => {
    let fail = true;
    mockCall({
      'dispatch.pool': () => (fail ? failure('COMMON.INTERNAL', '系统繁忙') : { ok: true, data: pool(ORDERS) }),
    });
    const page = await loadPage('pages/dispatch/pool/index');
    expect(textOf(page)).toContain('订单池没有加载出来');
    fail = false;
    tapButton(page, '.pool__retry');
    await flush();
    expect(textOf(page)).toContain('微信支付 · 待支付');
  });
});

describe('代下单小票 of a WeChat Pay order', () => {
  const slip = {
    orderId: 'o-9',
    place: '3号楼 3-1201',
    headNameMasked: '达*',
    lines: [{ name: '大米 10斤', qty: 1, unit: '袋', priceFen: 3500 }],
    totalFen: 3500,
    payment: '微信支付',
    code: null,
    roundName: '12月第1批',
    closesAt: '2026-12-02T18:00:00+08:00',
    deliveryDay: null,
    status: '待接单',
    createdAt: '2026-12-01T09:30:00+08:00',
  };

  it('offers 请家属代付 (or cash instead) and opens the pay card to share', async () => {
    mockCall({
      'grid.staffGrids': () => ({ ok: true, data: staffGridsView({}) }),
      'testing.orderSlips': () => ({
        ok: true,
        data: { items: [slip, { ...slip, orderId: 'o-10', payment: '货到付现金' }], nextCursor: null, total: 2 },
      }),
    });
    const page = await loadPage('pages/grid/slips/index');
    tapButton(page, '.sl__open');
    await flush();
    expect(textOf(page)).toContain('请家属用微信代付');
    expect(textOf(page)).toContain('改选货到付现金');
    tapButton(page, '.sl__family');
    await flush();
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/pay/index?orderId=o-9&share=1' });

    // A cash order's slip has no such button.
    page.instance.back();
    page.instance.open({ currentTarget: { dataset: { id: 'o-10' } } });
    await flush();
    expect(page.querySelector('.sl__family')).toBeFalsy();
  });
});
