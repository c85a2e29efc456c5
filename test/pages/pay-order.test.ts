/**
 * Paying an order (issue 19), on the resident's pages: 微信支付 among the modes of paid kinds (the
 * 爱心菜包 stays free); a WeChat Pay order is paid right after placing it and the server confirms
 * with the platform; cancelled, it stays 待支付 with 去支付 and its expiry on the detail; the detail
 * shows 已支付 / 已退款 with each refund's reason and state, and 请家人代付 opens the pay card.
 */
import type { CatalogView, OrderPayView, PayParamsView } from '../../typings/api';
import { failure, orderDetail } from '../helpers/fixtures';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';

jest.setTimeout(30_000);

const catalog: CatalogView = {
  round: { id: 'r1', name: '第1批次', opensAt: '2022-08-20T00:00:00Z', closesAt: '2022-08-21T10:00:00Z', open: true },
  items: [
    {
      id: 'item-001',
      name: '爱心菜包',
      category: 'loveBag',
      unit: '份',
      priceFen: 0,
      stock: 100,
      perHouseholdLimit: 1,
      remaining: 1,
      soldOut: false,
    },
    {
      id: 'item-002',
      name: '大米 10斤装',
      category: 'staple',
      unit: '袋',
      priceFen: 4500,
      stock: 30,
      perHouseholdLimit: 2,
      remaining: 2,
      soldOut: false,
    },
  ],
  wechatPay: true,
};

const params: PayParamsView = {
  orderId: 'o1',
  payment: { timeStamp: '1660960800', nonceStr: 'n1', package: 'prepay_id=wx1', signType: 'MD5', paySign: 'S' },
  totalFen: 9000,
  expiresAt: '2022-08-20T02:30:00Z',
};

const wechat = (over: Partial<OrderPayView> = {}): OrderPayView => ({
  mode: 'wechatPay',
  modeText: '微信支付',
  state: 'awaiting',
  stateText: '待支付',
  amountFen: 9000,
  refundedFen: 0,
  paidAt: null,
  expiresAt: '2022-08-20T02:30:00Z',
  transactionId: null,
  canPay: true,
  refunds: [],
  ...over,
});

const placedWechat = orderDetail({ id: 'o1', payment: 'wechatPay', totalFen: 9000, pay: wechat() });

type PayMock = jest.Mock<void, [{ package: string; success?: () => void; fail?: (e: { errMsg: string }) => void }]>;
const requestPayment: PayMock = jest.fn();
Object.assign(wx, { requestPayment });

async function chooseRiceAndWechatPay(page: Awaited<ReturnType<typeof loadPage>>) {
  page.instance.onQty({ detail: { value: 2 }, currentTarget: { dataset: { index: 0 } } });
  page.instance.onPayment({ detail: { value: 'wechatPay' } });
  await flush();
}

describe('线上点单 with 微信支付', () => {
  it('offers 微信支付 for paid kinds, not for the free 爱心菜包', async () => {
    mockCall({ 'order.catalog': () => ({ ok: true, data: catalog }) });
    const page = await loadPage('pages/resident/order/index');
    expect(textOf(page)).toContain('微信支付');
    expect(page.querySelector('.order__wechat-pay')).toBeTruthy();
    page.instance.onTab({ detail: { value: 'loveBag' } });
    await flush();
    expect(page.querySelector('.order__wechat-pay')).toBeFalsy();
    expect(page.instance.input().payment).toBe('free');
  });

  it('does not offer 微信支付 where the community has no merchant number bound', async () => {
    mockCall({ 'order.catalog': () => ({ ok: true, data: { ...catalog, wechatPay: false } }) });
    const page = await loadPage('pages/resident/order/index');
    expect(page.querySelector('.order__wechat-pay')).toBeFalsy();
    expect(textOf(page)).toContain('货到付现金');
    expect(page.instance.input().payment).toBe('cashOnDelivery');
  });

  it('pays right after placing: the platform’s parameters, WeChat’s sheet, then the server confirms', async () => {
    requestPayment.mockImplementation((o) => o.success?.());
    const { calls } = mockCall({
      'order.catalog': () => ({ ok: true, data: catalog }),
      'order.place': () => ({ ok: true, data: placedWechat }),
      'order.pay': () => ({ ok: true, data: params }),
      'order.syncPayment': () => ({
        ok: true,
        data: { orderId: 'o1', ...wechat({ state: 'paid', stateText: '已支付', canPay: false }) },
      }),
    });
    const page = await loadPage('pages/resident/order/index');
    await chooseRiceAndWechatPay(page);
    tapButton(page, '.order__submit');
    await flush();
    expect(calls.find((c) => c.action === 'order.place')?.payload).toMatchObject({ payment: 'wechatPay' });
    expect(calls.find((c) => c.action === 'order.pay')?.payload).toEqual({ orderId: 'o1' });
    expect(requestPayment.mock.calls[0]?.[0]).toMatchObject({ package: 'prepay_id=wx1', signType: 'MD5' });
    expect(calls.filter((c) => c.action === 'order.syncPayment')).toHaveLength(1);
    expect(textOf(page)).toContain('支付成功');
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/resident/order-detail/index?id=o1' });
  });

  it('leaves the order 待支付 when the resident cancels the payment, and says where to pay it', async () => {
    requestPayment.mockImplementation((o) => o.fail?.({ errMsg: 'requestPayment:fail cancel' }));
    const { calls } = mockCall({
      'order.catalog': () => ({ ok: true, data: catalog }),
      'order.place': () => ({ ok: true, data: placedWechat }),
      'order.pay': () => ({ ok: true, data: params }),
    });
    const page = await loadPage('pages/resident/order/index');
    await chooseRiceAndWechatPay(page);
    tapButton(page, '.order__submit');
    await flush();
    expect(calls.some((c) => c.action === 'order.syncPayment')).toBe(false);
    expect(textOf(page)).toContain('还没有完成支付，可以在订单详情里继续支付');
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/resident/order-detail/index?id=o1' });
  });

  it('for a 代下单 order offers 请家属代付, and opens the pay card to share instead of paying', async () => {
    const { calls } = mockCall({
      'order.catalog': () => ({ ok: true, data: catalog }),
      'order.place': () => ({ ok: true, data: placedWechat }),
    });
    const page = await loadPage('pages/resident/order/index', { forHouseholdId: 'h-7', for: '2号楼 1-801' });
    expect(textOf(page)).toContain('微信支付（请家属代付）');
    expect(textOf(page)).toContain('货到付现金');
    await chooseRiceAndWechatPay(page);
    tapButton(page, '.order__submit');
    await flush();
    expect(calls.some((c) => c.action === 'order.pay')).toBe(false);
    expect(requestPayment).not.toHaveBeenCalled();
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/pay/index?orderId=o1&share=1' });
  });

  it('shows an error with a retry when the catalogue does not load', async () => {
    let fail = true;
    mockCall({
      'order.catalog': () => (fail ? failure('COMMON.INTERNAL', '系统繁忙') : { ok: true, data: catalog }),
    });
    const page = await loadPage('pages/resident/order/index');
    expect(textOf(page)).toContain('没有加载出来，请检查网络后重试');
    expect(textOf(page)).not.toContain('现在不在下单时间内');
    fail = false;
    tapButton(page, '.order__retry');
    await flush();
    expect(textOf(page)).toContain('大米 10斤装');
  });
});

describe('订单详情 with 微信支付', () => {
  it('shows 待支付 with its expiry, pays with 去支付, and offers 请家人代付', async () => {
    requestPayment.mockImplementation((o) => o.success?.());
    let paid = false;
    const { calls } = mockCall({
      'order.detail': () => ({
        ok: true,
        data: paid
          ? orderDetail({
              id: 'o1',
              payment: 'wechatPay',
              pay: wechat({ state: 'paid', stateText: '已支付', paidAt: '2022-08-20T02:05:00Z', canPay: false }),
            })
          : placedWechat,
      }),
      'order.pay': () => ({ ok: true, data: params }),
      'order.syncPayment': () => {
        paid = true;
        return { ok: true, data: { orderId: 'o1', ...wechat({ state: 'paid', stateText: '已支付', canPay: false }) } };
      },
    });
    const page = await loadPage('pages/resident/order-detail/index', { id: 'o1' });
    let text = textOf(page);
    expect(text).toContain('支付状态');
    expect(text).toContain('待支付');
    expect(text).toContain('请在 08-20 10:30 前完成支付，超时订单会自动取消');
    // Not paid: the headline says 待支付 (a gridworker cannot accept it yet), and the expiry is said once.
    expect(page.querySelector('.detail__status')?.dom.textContent).toBe('待支付');
    expect(text.split('前完成支付').length - 1).toBe(1);
    expect(page.querySelector('.detail__family')).toBeTruthy();

    tapButton(page, '.detail__family');
    await flush();
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/pay/index?orderId=o1&share=1' });

    tapButton(page, '.detail__pay-now');
    await flush();
    expect(calls.find((c) => c.action === 'order.pay')?.payload).toEqual({ orderId: 'o1' });
    expect(requestPayment).toHaveBeenCalledTimes(1);
    text = textOf(page);
    expect(text).toContain('已支付');
    expect(text).toContain('08-20 10:05 已支付');
    expect(page.querySelector('.detail__pay-now')).toBeFalsy();
    expect(page.querySelector('.detail__family')).toBeFalsy();
  });

  it('shows refunds with their reason, what changed and their state', async () => {
    mockCall({
      'order.detail': () => ({
        ok: true,
        data: orderDetail({
          id: 'o1',
          status: 'delivered',
          payment: 'wechatPay',
          pay: wechat({
            state: 'partlyRefunded',
            stateText: '已部分退款',
            paidAt: '2022-08-20T02:05:00Z',
            refundedFen: 650,
            canPay: false,
            expiresAt: null,
            refunds: [
              {
                id: 'GR1',
                amountFen: 650,
                reason: 'shortfall',
                reasonLabel: '缺货退差价',
                reasonText: '缺货：鸡蛋 1斤',
                state: 'done',
                stateText: '已退款',
                at: '2022-08-20T05:00:00Z',
                doneAt: '2022-08-20T05:01:00Z',
                refundId: null,
              },
              {
                id: 'GR2',
                amountFen: 200,
                reason: 'failedDelivery',
                reasonLabel: '配送未成功',
                reasonText: '',
                state: 'processing',
                stateText: '退款中',
                at: '2022-08-20T06:00:00Z',
                doneAt: null,
                refundId: null,
              },
              {
                id: 'GR3',
                amountFen: 100,
                reason: 'cancelled',
                reasonLabel: '订单已取消',
                reasonText: '订单已取消',
                state: 'pending',
                stateText: '待退款',
                at: '2022-08-20T07:00:00Z',
                doneAt: null,
                refundId: null,
              },
            ],
          }),
        }),
      }),
    });
    const page = await loadPage('pages/resident/order-detail/index', { id: 'o1' });
    const text = textOf(page);
    expect(text).toContain('已部分退款');
    expect(text).toContain('已退 ¥6.50');
    expect(text).toContain('退款 ¥6.50');
    expect(text).toContain('缺货退差价 · 缺货：鸡蛋 1斤');
    expect(text).toContain('已退款 · 08-20 13:01');
    expect(text).toContain('配送未成功');
    expect(text).toContain('退款中 · 08-20 14:00');
    // A reason the server repeats as what changed is said once.
    expect(text).toContain('订单已取消');
    expect(text).not.toContain('订单已取消 · 订单已取消');
    expect(page.querySelector('.detail__pay-now')).toBeFalsy();
  });

  it('asking to cancel a paid order says the money goes back, and how much', async () => {
    mockCall({
      'order.detail': () => ({
        ok: true,
        data: orderDetail({
          id: 'o1',
          payment: 'wechatPay',
          canCancel: true,
          pay: wechat({ state: 'paid', stateText: '已支付', canPay: false, paidAt: '2022-08-20T02:10:00Z' }),
        }),
      }),
    });
    const page = await loadPage('pages/resident/order-detail/index', { id: 'o1' });
    page.instance.askCancel();
    await flush();
    expect(page.instance.data.cancelNote).toBe('已付的 ¥90.00 会原路退回微信');
  });

  it('shows no pay state on a cash order, and a retry when the order does not load', async () => {
    let fail = true;
    mockCall({
      'order.detail': () =>
        fail ? failure('COMMON.INTERNAL', '系统繁忙') : { ok: true, data: orderDetail({ id: 'o1' }) },
    });
    const page = await loadPage('pages/resident/order-detail/index', { id: 'o1' });
    expect(textOf(page)).toContain('没有加载出来，请检查网络后重试');
    fail = false;
    tapButton(page, '.detail__retry');
    await flush();
    expect(textOf(page)).toContain('货到付现金');
    expect(page.querySelector('.detail__pay')).toBeFalsy();
    expect(page.querySelector('.detail__pay-now')).toBeFalsy();
  });
});
