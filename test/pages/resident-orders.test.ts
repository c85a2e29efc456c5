import type { OrderStatus } from '../../typings/entities';
import type { OrderView } from '../../typings/api';
import { orderDetail, orderView } from '../helpers/fixtures';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';

const order = (id: string, status: OrderStatus, statusText: string, extra: Partial<OrderView> = {}): OrderView =>
  orderView({ id, status, statusText, ...extra });

describe('我的订单 page', () => {
  it('lists orders with their status and opens one on tap', async () => {
    mockCall({
      'order.mine': () => ({
        ok: true,
        data: {
          items: [
            order('o2', 'delivered', '已送达'),
            order('o1', 'submitted', '已提交，等待网格员接单', { priority: true }),
          ],
          nextCursor: null,
          total: 2,
        },
      }),
    });
    const page = await loadPage('pages/resident/orders/index');
    const text = textOf(page);
    expect(text.indexOf('已送达')).toBeLessThan(text.indexOf('已提交'));
    expect(text).toContain('08-20 10:00 · ¥45.00');
    expect(text).toContain('优先保障');
    page.querySelectorAll('.orders__row')[1]?.dispatchEvent('tap');
    await flush();
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/resident/order-detail/index?id=o1' });
  });

  it('shows the total and loads older orders on scroll', async () => {
    const { calls } = mockCall({
      'order.mine': (p) => ({
        ok: true,
        data: p.cursor
          ? { items: [order('o1', 'received', '已收货')], nextCursor: null, total: 2 }
          : { items: [order('o2', 'delivered', '已送达')], nextCursor: 'older', total: 2 },
      }),
    });
    const page = await loadPage('pages/resident/orders/index');
    expect(textOf(page)).toContain('共 2 单 · 上拉加载更多');
    await page.instance.onReachBottom();
    await flush();
    expect(calls.filter((c) => c.action === 'order.mine').at(-1)?.payload).toEqual({ cursor: 'older' });
    expect(page.querySelectorAll('.orders__row')).toHaveLength(2);
    expect(textOf(page)).toContain('已全部加载');
  });

  it('shows an empty state that leads to ordering', async () => {
    mockCall({ 'order.mine': () => ({ ok: true, data: { items: [], nextCursor: null, total: 0 } }) });
    const page = await loadPage('pages/resident/orders/index');
    expect(textOf(page)).toContain('还没有订单');
  });
});

describe('订单详情 page', () => {
  const detail = (status: OrderStatus, text: string) =>
    orderDetail({
      ...order('o1', status, text),
      history: [{ status: 'submitted', at: '2022-08-20T02:00:00Z', by: 'u', text: '已提交，等待网格员接单' }],
      contacts: [{ role: 'gridworker', name: '网格员卓玛', phone: '13800001111' }],
    });

  it('shows the timeline and contacts, and cancels after confirming in a dialog', async () => {
    let status: OrderStatus = 'submitted';
    const { calls } = mockCall({
      'order.detail': () => ({
        ok: true,
        data: detail(status, status === 'submitted' ? '已提交，等待网格员接单' : '已取消'),
      }),
      'order.cancel': () => {
        status = 'cancelled';
        return { ok: true, data: order('o1', 'cancelled', '已取消') };
      },
    });
    const page = await loadPage('pages/resident/order-detail/index', { id: 'o1' });
    expect(textOf(page)).toContain('网格员卓玛');
    expect(textOf(page)).toContain('08-20 10:00');
    tapButton(page, '.detail__cancel');
    await flush();
    expect(page.instance.data.confirmingCancel).toBe(true);
    await page.instance.cancel();
    await flush();
    expect(calls.filter((c) => c.action === 'order.cancel')).toEqual([
      { action: 'order.cancel', payload: { orderId: 'o1' }, via: 'cloud' },
    ]);
    expect(page.querySelector('.detail__cancel')).toBeFalsy();
  });

  it('shows unit prices, payment and the note; once a volunteer carries it, their masked contact and no cancelling', async () => {
    const { calls } = mockCall({
      'order.detail': () => ({
        ok: true,
        data: orderDetail({
          ...order('o1', 'pickedUp', '志愿者已取货，正在配送', {
            lines: [
              { itemId: 'i1', name: '大米 10斤装', unit: '袋', qty: 2, priceFen: 4500 },
              { itemId: 'i2', name: '鸡蛋', unit: '斤', qty: 3, priceFen: 650 },
            ],
            totalFen: 10950,
            payment: 'transfer',
            note: '家里有老人，请敲门',
            // The server may still allow it; the page stops offering it once packing began.
            canCancel: true,
          }),
          contacts: [{ role: 'gridworker', name: '卓玛', phone: '13800001111' }],
        }),
      }),
      'dispatch.courier': () => ({
        ok: true,
        data: { assigned: true, nameMasked: '次****措', phoneMasked: '139****5678', phone: '13912345678' },
      }),
    });
    const page = await loadPage('pages/resident/order-detail/index', { id: 'o1' });
    const text = textOf(page);
    expect(text).toContain('¥45.00 / 袋 · 小计 ¥90.00');
    expect(text).toContain('¥6.50 / 斤 · 小计 ¥19.50');
    expect(text).toContain('转账');
    expect(text).toContain('家里有老人，请敲门');
    expect(text).toContain('次****措');
    expect(text).toContain('139****5678');
    expect(text).not.toContain('13912345678');
    expect(calls.find((c) => c.action === 'dispatch.courier')?.payload).toEqual({ orderId: 'o1' });
    page.instance.callCourier();
    expect(wx.makePhoneCall).toHaveBeenCalledWith({ phoneNumber: '13912345678' });
    expect(page.querySelector('.detail__cancel')).toBeFalsy();
    expect(text).toContain('不能再取消');
  });

  it('confirms receipt of a delivered order', async () => {
    const { calls } = mockCall({
      'order.detail': () => ({ ok: true, data: detail('delivered', '已送达') }),
      'order.confirm': () => ({ ok: true, data: order('o1', 'received', '已签收') }),
    });
    const page = await loadPage('pages/resident/order-detail/index', { id: 'o1' });
    expect(page.querySelector('.detail__cancel')).toBeFalsy();
    tapButton(page, '.detail__confirm');
    await flush();
    expect(calls.some((c) => c.action === 'order.confirm')).toBe(true);
  });
});
