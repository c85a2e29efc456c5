/**
 * 家人代付 (issue 19): the card a relative opens from a shared pay link shows the amount, the items
 * and a masked room only, and pays with the relative's WeChat; opened by the household with
 * `share=1` it makes the link and shares exactly that card; a card that does not load offers a retry.
 */
import type { PayCardView, PayLinkView, PayParamsView } from '../../typings/api';
import { failure } from '../helpers/fixtures';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';

jest.setTimeout(30_000);

const card = (over: Partial<PayCardView> = {}): PayCardView => ({
  orderId: 'o-77',
  kind: 'grocery',
  totalFen: 9650,
  lines: [
    { name: '大米 10斤装', unit: '袋', qty: 2, priceFen: 4500 },
    { name: '鸡蛋', unit: '斤', qty: 1, priceFen: 650 },
  ],
  roomMasked: '3-1**',
  state: 'awaiting',
  stateText: '待支付',
  expiresAt: '2022-08-20T02:30:00Z',
  canPay: true,
  ...over,
});

const params: PayParamsView = {
  orderId: 'o-77',
  payment: { timeStamp: '1660960800', nonceStr: 'n1', package: 'prepay_id=wx123', signType: 'MD5', paySign: 'S' },
  totalFen: 9650,
  expiresAt: '2022-08-20T02:30:00Z',
};

type PayMock = jest.Mock<void, [{ package: string; success?: () => void; fail?: (e: { errMsg: string }) => void }]>;
const requestPayment: PayMock = jest.fn();
Object.assign(wx, { requestPayment });

describe('家人代付 card', () => {
  it('shows the amount, the items and a masked room — and pays with the relative’s WeChat', async () => {
    let paid = false;
    requestPayment.mockImplementation((o) => {
      paid = true;
      o.success?.();
    });
    const { calls } = mockCall({
      'order.payCard': () => ({
        ok: true,
        data: paid ? card({ state: 'paid', stateText: '已支付', canPay: false }) : card(),
      }),
      'order.payFor': () => ({ ok: true, data: params }),
    });
    const page = await loadPage('pages/pay/index', { orderId: 'o-77', token: 'tok-abcdefghijklmnop' });
    const text = textOf(page);
    expect(text).toContain('家人请您代付这笔订单');
    expect(text).toContain('收货房号 3-1**');
    expect(text).toContain('¥96.50');
    expect(text).toContain('大米 10斤装');
    expect(text).toContain('2袋');
    expect(text).toContain('待支付');
    expect(text).toContain('请在 08-20 10:30 前完成支付');
    expect(calls[0]).toMatchObject({
      action: 'order.payCard',
      payload: { orderId: 'o-77', token: 'tok-abcdefghijklmnop' },
    });

    tapButton(page, '.pay__pay');
    await flush();
    expect(calls.find((c) => c.action === 'order.payFor')?.payload).toEqual({
      orderId: 'o-77',
      token: 'tok-abcdefghijklmnop',
    });
    expect(requestPayment.mock.calls[0]?.[0]).toMatchObject({ package: 'prepay_id=wx123', paySign: 'S' });
    // The card then shows what the platform confirmed (the phone never says "paid" itself).
    expect(textOf(page)).toContain('已支付');
    expect(textOf(page)).toContain('这笔订单已支付，谢谢您');
    expect(page.querySelector('.pay__pay')).toBeFalsy();
  });

  it('stays 待支付 with its pay button when the relative cancels', async () => {
    requestPayment.mockImplementation((o) => o.fail?.({ errMsg: 'requestPayment:fail cancel' }));
    const { calls } = mockCall({
      'order.payCard': () => ({ ok: true, data: card() }),
      'order.payFor': () => ({ ok: true, data: params }),
    });
    const page = await loadPage('pages/pay/index', { orderId: 'o-77', token: 'tok-abcdefghijklmnop' });
    tapButton(page, '.pay__pay');
    await flush();
    expect(requestPayment).toHaveBeenCalledTimes(1);
    expect(calls.filter((c) => c.action === 'order.payCard')).toHaveLength(1);
    expect(textOf(page)).toContain('待支付');
    expect(page.querySelector('.pay__pay')).toBeTruthy();
  });

  it('makes the pay link when the household shares it, and shares that very card', async () => {
    const link: PayLinkView = {
      orderId: 'o-77',
      token: 'tok-shared-0123456789',
      path: 'pages/pay/index?orderId=o-77&token=tok-shared-0123456789',
      totalFen: 9650,
      expiresAt: '2022-08-20T02:30:00Z',
    };
    const { calls } = mockCall({
      'order.payLink': () => ({ ok: true, data: link }),
      'order.payCard': () => ({ ok: true, data: card() }),
    });
    const page = await loadPage('pages/pay/index', { orderId: 'o-77', share: '1' });
    expect(calls.map((c) => c.action)).toEqual(['order.payLink', 'order.payCard']);
    expect(calls[1]?.payload).toEqual({ orderId: 'o-77', token: 'tok-shared-0123456789' });
    expect(textOf(page)).toContain('把代付卡片发给家人');
    expect(page.querySelector('.pay__share')).toBeTruthy();
    expect(page.querySelector('.pay__pay')).toBeFalsy();
    expect(page.instance.onShareAppMessage()).toEqual({
      title: '请帮我支付网格通订单 ¥96.50',
      path: '/pages/pay/index?orderId=o-77&token=tok-shared-0123456789',
    });
  });

  it('says when the card did not load and loads it again on retry', async () => {
    let fail = true;
    mockCall({
      'order.payCard': () => (fail ? failure('COMMON.INTERNAL', '系统繁忙') : { ok: true, data: card() }),
    });
    const page = await loadPage('pages/pay/index', { orderId: 'o-77', token: 'tok-abcdefghijklmnop' });
    expect(textOf(page)).toContain('代付信息没有加载出来');
    fail = false;
    tapButton(page, '.pay__retry');
    await flush();
    expect(textOf(page)).toContain('收货房号 3-1**');
  });

  it('says a wrong or expired link is to be shared again, with no retry that cannot help', async () => {
    for (const refused of [
      failure('PAY.LINK_INVALID', '代付链接无效或已过期，请让家人重新分享'),
      failure('COMMON.INVALID_INPUT', '填写的内容有误：token 代付链接无效'),
    ]) {
      mockCall({ 'order.payCard': () => refused });
      const page = await loadPage('pages/pay/index', { orderId: 'o-77', token: 'x' });
      const text = textOf(page);
      expect(text).toContain('代付链接无效或已过期，请让家人重新分享');
      expect(text).not.toContain('token');
      expect(page.querySelector('.pay__retry')).toBeFalsy();
      expect(page.querySelector('.pay__pay')).toBeFalsy();
    }
  });
});
