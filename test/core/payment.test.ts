import { outTradeNo, outRefundNo, OUT_NO } from '../../core/payment/ids';
import { amountFen, refundFen, shortfallFen } from '../../core/payment/amount';
import { PAY_MACHINE, newPay, stateAfterRefund } from '../../core/payment/state';
import { acceptable, maskRoom, payable, payBadge, payView } from '../../core/payment/view';
import { next } from '../../core/state/machine';
import { PAY_TIMEOUT_MS } from '../../core/policy';
import { planOrder } from '../../core/order/placement';
import { nextStatus } from '../../core/order/state-machine';
import type { CatalogItem, OrderDoc, RefundDoc } from '../../typings/entities';

describe('platform numbers', () => {
  it('are ≤32 characters of the allowed set, deterministic per order and attempt', () => {
    const a = outTradeNo('o-1', 1);
    expect(a).toMatch(OUT_NO);
    expect(a).toHaveLength(31);
    expect(outTradeNo('o-1', 1)).toBe(a);
    expect(outTradeNo('o-1', 2)).not.toBe(a);
    expect(outTradeNo('o-2', 1)).not.toBe(a);
    expect(() => outTradeNo('o-1', 0)).toThrow();
    expect(() => outTradeNo('o-1', 100)).toThrow();
  });

  it('give one refund number per order, reason and change', () => {
    const r = outRefundNo('o-1', 'shortfall', '300');
    expect(r).toMatch(OUT_NO);
    expect(outRefundNo('o-1', 'shortfall', '300')).toBe(r);
    expect(outRefundNo('o-1', 'shortfall', '450')).not.toBe(r);
    expect(outRefundNo('o-1', 'cancelled', '300')).not.toBe(r);
    expect(outRefundNo('o-2', 'shortfall', '300')).not.toBe(r);
  });
});

describe('amounts in fen', () => {
  const lines = [
    { itemId: 'a', qty: 2, priceFen: 350 },
    { itemId: 'b', qty: 1, priceFen: 4500 },
  ];

  it('adds the lines exactly and refuses fractions', () => {
    expect(amountFen(lines)).toBe(5200);
    expect(() => amountFen([{ qty: 1.5, priceFen: 100 }])).toThrow();
  });

  it('a shortfall is worth exactly the missing quantity times the unit price', () => {
    expect(shortfallFen(lines, [{ itemId: 'a', expected: 2, counted: 1 }])).toBe(350);
    expect(
      shortfallFen(lines, [
        { itemId: 'a', expected: 2, counted: 0 },
        { itemId: 'b', expected: 1, counted: 0 },
      ]),
    ).toBe(5200);
  });

  it('refunds the difference, the whole rest on an end, never more than paid minus refunded', () => {
    expect(
      refundFen({ amountFen: 5200, refundedFen: 0 }, { reason: 'shortfall', shortfallFen: 350, alreadyFen: 0 }),
    ).toBe(350);
    // The same shortfall counted again: nothing more.
    expect(
      refundFen({ amountFen: 5200, refundedFen: 350 }, { reason: 'shortfall', shortfallFen: 350, alreadyFen: 350 }),
    ).toBe(0);
    // A larger shortfall later: only the new difference.
    expect(
      refundFen({ amountFen: 5200, refundedFen: 350 }, { reason: 'shortfall', shortfallFen: 700, alreadyFen: 350 }),
    ).toBe(350);
    expect(refundFen({ amountFen: 5200, refundedFen: 350 }, { reason: 'cancelled' })).toBe(4850);
    expect(refundFen({ amountFen: 5200, refundedFen: 5200 }, { reason: 'rejected' })).toBe(0);
    expect(
      refundFen({ amountFen: 5200, refundedFen: 5000 }, { reason: 'shortfall', shortfallFen: 900, alreadyFen: 0 }),
    ).toBe(200);
  });
});

describe('the pay state machine', () => {
  it('only the platform pays; the system closes and refunds; a closed order is never re-opened', () => {
    expect(next(PAY_MACHINE, 'awaiting', 'pay', 'platform')).toBe('paid');
    expect(next(PAY_MACHINE, 'awaiting', 'pay', 'system')).toBeNull();
    expect(next(PAY_MACHINE, 'awaiting', 'close', 'system')).toBe('closed');
    expect(next(PAY_MACHINE, 'closed', 'pay', 'platform')).toBeNull();
    expect(next(PAY_MACHINE, 'closed', 'latePay', 'platform')).toBe('refunded');
    expect(next(PAY_MACHINE, 'refunded', 'refundPart', 'system')).toBeNull();
    expect(stateAfterRefund(5200, 0, 350)).toBe('partlyRefunded');
    expect(stateAfterRefund(5200, 350, 4850)).toBe('refunded');
  });

  it('a new payment awaits, expiring after PAY_TIMEOUT_MS; the system may cancel an unpaid submitted order', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const p = newPay('o-1', 5200, now);
    expect(p).toMatchObject({ state: 'awaiting', attempt: 1, amountFen: 5200, refundedFen: 0, transactionId: null });
    expect(Date.parse(p.expiresAt) - now.getTime()).toBe(PAY_TIMEOUT_MS);
    expect(nextStatus('submitted', 'cancel', 'system')).toBe('cancelled');
    expect(nextStatus('accepted', 'cancel', 'system')).toBeNull();
  });
});

describe('placing with a payment mode', () => {
  const item = (over: Partial<CatalogItem>): CatalogItem => ({
    _id: 'i1',
    communityId: 'c',
    name: '青菜',
    category: 'vegetable',
    unit: '斤',
    priceFen: 300,
    stock: 10,
    perHouseholdLimit: 5,
    active: true,
    ...over,
  });
  it('free love bags stay free whatever is chosen; paid kinds cannot be free; medicine cannot be paid in the app', () => {
    const bag = item({ _id: 'bag', category: 'loveBag', priceFen: 0, name: '爱心菜包', unit: '份' });
    expect(planOrder({ kind: 'loveBag', payment: 'wechatPay', contactless: true }, [bag]).payment).toBe('free');
    expect(() =>
      planOrder({ kind: 'grocery', lines: [{ itemId: 'i1', qty: 1 }], payment: 'free', contactless: true }, [item({})]),
    ).toThrow(/付款方式/);
    expect(
      planOrder({ kind: 'grocery', lines: [{ itemId: 'i1', qty: 2 }], payment: 'wechatPay', contactless: true }, [
        item({}),
      ]),
    ).toMatchObject({ payment: 'wechatPay', totalFen: 600 });
    expect(() =>
      planOrder(
        {
          kind: 'medicine',
          medicine: { description: '布洛芬一盒', urgency: 'normal' },
          payment: 'wechatPay',
          contactless: true,
        },
        [],
      ),
    ).toThrow(/买药/);
  });
});

describe('views', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const order = (over: Partial<OrderDoc> = {}): Pick<OrderDoc, 'payment' | 'pay' | 'totalFen' | 'status'> => ({
    payment: 'wechatPay',
    totalFen: 5200,
    status: 'submitted',
    pay: { ...newPay('o', 5200, now), transactionId: null },
    ...over,
  });

  it('shows 待支付 with a pay button to the household only while payable; staff alone see the platform ids', () => {
    const o = order();
    expect(payable(o, now)).toBe(true);
    expect(payable(o, new Date(now.getTime() + PAY_TIMEOUT_MS))).toBe(false);
    expect(payView(o, [], { staff: false, mayPay: true, now })).toMatchObject({ stateText: '待支付', canPay: true });
    expect(payView(o, [], { staff: true, mayPay: false, now }).canPay).toBe(false);
    const paid = order({ pay: { ...newPay('o', 5200, now), state: 'paid', transactionId: '4200' } });
    const refund: RefundDoc = {
      _id: 'GR1',
      communityId: 'c',
      orderId: 'o',
      roundId: 'r',
      householdId: 'h',
      outTradeNo: 'GL',
      totalFen: 5200,
      amountFen: 350,
      reason: 'shortfall',
      reasonText: '缺货：青菜少1斤',
      state: 'done',
      refundId: '5000',
      attempts: 1,
      nextAttemptAt: null,
      lastError: null,
      createdAt: now.toISOString(),
      doneAt: now.toISOString(),
    };
    const resident = payView(paid, [refund], { staff: false, mayPay: true, now });
    expect(resident).toMatchObject({ stateText: '已支付', transactionId: null, canPay: false });
    expect(resident.refunds[0]).toMatchObject({ reasonLabel: '缺货退差价', stateText: '已退款', refundId: null });
    const staff = payView(paid, [refund], { staff: true, mayPay: false, now });
    expect(staff.transactionId).toBe('4200');
    expect(staff.refunds[0]?.refundId).toBe('5000');
  });

  it('gridworkers may accept cash and paid WeChat Pay orders only', () => {
    expect(acceptable(order())).toBe(false);
    expect(acceptable(order({ payment: 'cashOnDelivery', pay: undefined }))).toBe(true);
    expect(payBadge(order({ payment: 'transfer', pay: undefined }), true)).toMatchObject({
      stateText: '转账',
      acceptable: true,
    });
  });

  it('masks the room a relative sees', () => {
    expect(maskRoom('1-101')).toBe('1-1**');
    expect(maskRoom('3栋1单元502')).toBe('3栋1单元5**');
    expect(maskRoom('东楼')).toBe('东*');
  });
});
