/** @jest-environment node */
/** The payment platform's stand-in refuses what CloudBase's cloud payment documents as wrong, and answers like it. */
import {
  closeOrder,
  payTrade,
  queryOrder,
  queryRefund,
  refund,
  resetCloudPay,
  takeNotifications,
  unifiedOrder,
} from '../../localcloud/wechat/apis/cloudpay';
import type { WxContext } from '../../localcloud/wechat';

const ctx = { now: new Date('2026-01-01T00:00:00Z') } as WxContext;
const order = (over: Record<string, unknown> = {}) => ({
  body: '网格通-土豆等2件',
  outTradeNo: 'GL0123456789abcdefP01',
  spbillCreateIp: '127.0.0.1',
  subMchId: '1900000109',
  totalFee: 1900,
  envId: 'gridlink-local',
  functionName: 'payment',
  nonceStr: 'n'.repeat(32),
  tradeType: 'JSAPI',
  openid: 'o-payer',
  ...over,
});
const q = (over: Record<string, unknown> = {}) => ({ sub_mch_id: '1900000109', nonce_str: 'abc', ...over });

beforeEach(() => resetCloudPay());

describe('unifiedOrder', () => {
  it.each([
    [{ body: undefined }, /body/],
    [{ body: '菜'.repeat(129) }, /body/],
    [{ outTradeNo: 'x'.repeat(33) }, /outTradeNo/],
    [{ outTradeNo: '订单1' }, /outTradeNo/],
    [{ totalFee: 0 }, /totalFee/],
    [{ totalFee: 19.5 }, /totalFee/],
    [{ totalFee: '1900' }, /totalFee/],
    [{ nonceStr: 'n'.repeat(33) }, /nonceStr/],
    [{ spbillCreateIp: 'localhost' }, /spbillCreateIp/],
    [{ functionName: undefined }, /functionName/],
    [{ envId: undefined }, /envId/],
    [{ openid: undefined }, /openid/],
    [{ subMchId: '1234567890' }, /sub_mch_id/],
  ])('refuses %j', (over, says) => {
    const a = unifiedOrder(order(over), ctx);
    expect(a).toMatchObject({ returnCode: 'FAIL' });
    expect(String((a as { returnMsg: string }).returnMsg)).toMatch(says);
  });

  it('answers wx.requestPayment parameters; the same order again the same prepay; another amount or payer refused', () => {
    const a = unifiedOrder(order(), ctx) as Record<string, unknown> & { payment: Record<string, string> };
    expect(a).toMatchObject({ returnCode: 'SUCCESS', resultCode: 'SUCCESS' });
    expect(Object.keys(a.payment).sort()).toEqual(['appId', 'nonceStr', 'package', 'paySign', 'signType', 'timeStamp']);
    const b = unifiedOrder(order({ nonceStr: 'other' }), ctx) as typeof a;
    expect(b.payment.package).toBe(a.payment.package);
    expect(unifiedOrder(order({ totalFee: 1 }), ctx)).toMatchObject({ resultCode: 'FAIL', errCode: 'INVALID_REQUEST' });
    expect(unifiedOrder(order({ openid: 'o-other' }), ctx)).toMatchObject({
      resultCode: 'FAIL',
      errCode: 'INVALID_REQUEST',
    });
  });
});

describe('query, close, refund', () => {
  it('knows paid, closed and unknown orders', () => {
    expect(queryOrder(q({ out_trade_no: 'GLnone' }))).toMatchObject({ resultCode: 'FAIL', errCode: 'ORDERNOTEXIST' });
    expect(queryOrder(q())).toMatchObject({ returnCode: 'FAIL' });
    unifiedOrder(order(), ctx);
    expect(queryOrder(q({ out_trade_no: 'GL0123456789abcdefP01' }))).toMatchObject({
      tradeState: 'NOTPAY',
      totalFee: 1900,
    });
    expect(payTrade('GL0123456789abcdefP01', ctx.now)).toHaveProperty('trade');
    expect(takeNotifications()).toHaveLength(1);
    expect(queryOrder(q({ out_trade_no: 'GL0123456789abcdefP01' }))).toMatchObject({ tradeState: 'SUCCESS' });
    expect(closeOrder(q({ out_trade_no: 'GL0123456789abcdefP01' }))).toMatchObject({ errCode: 'ORDERPAID' });
    unifiedOrder(order({ outTradeNo: 'GLsecond' }), ctx);
    expect(closeOrder(q({ out_trade_no: 'GLsecond' }))).toMatchObject({ resultCode: 'SUCCESS' });
    expect(payTrade('GLsecond', ctx.now)).toHaveProperty('error');
    expect(unifiedOrder(order({ outTradeNo: 'GLsecond' }), ctx)).toMatchObject({ errCode: 'ORDERCLOSED' });
  });

  it('refunds at most what was paid, once per refund number; the same number with another amount is refused', () => {
    unifiedOrder(order(), ctx);
    const r = (over: Record<string, unknown>) =>
      refund(
        q({ out_trade_no: 'GL0123456789abcdefP01', out_refund_no: 'GR1', total_fee: 1900, refund_fee: 200, ...over }),
        ctx,
      );
    expect(r({})).toMatchObject({ errCode: 'TRADE_STATE_ERROR' });
    payTrade('GL0123456789abcdefP01', ctx.now);
    expect(r({ refund_fee: 0 })).toMatchObject({ returnCode: 'FAIL' });
    expect(r({ total_fee: 1000 })).toMatchObject({ errCode: 'INVALID_REQUEST' });
    expect(r({ out_refund_no: '退款1' })).toMatchObject({ returnCode: 'FAIL' });
    const first = r({}) as { refundId: string };
    expect(first).toMatchObject({ resultCode: 'SUCCESS', refundFee: 200 });
    expect(r({})).toMatchObject({ resultCode: 'SUCCESS', refundId: first.refundId });
    expect(r({ refund_fee: 300 })).toMatchObject({ errCode: 'INVALID_REQUEST' });
    expect(r({ out_refund_no: 'GR2', refund_fee: 1701 })).toMatchObject({ errCode: 'INVALID_REQUEST' });
    expect(r({ out_refund_no: 'GR2', refund_fee: 1700 })).toMatchObject({ resultCode: 'SUCCESS' });
    expect(queryRefund(q({ out_refund_no: 'GR1' }))).toMatchObject({
      outRefundNoList: ['GR1'],
      refundStatusList: ['SUCCESS'],
      refundFeeList: [200],
    });
    expect(queryRefund(q({ out_refund_no: 'GR9' }))).toMatchObject({ errCode: 'REFUNDNOTEXIST' });
  });
});
