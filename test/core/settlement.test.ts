/**
 * A round's settlement adds up to the cent (issue 19): on random rounds, money in by mode minus
 * confirmed refunds is the net; each supplier's lines are the purchase list × the ordered price and
 * add up to what is owed; folding in pages gives the same as folding at once.
 */
import fc from 'fast-check';
import {
  addOrder,
  addOrderGroup,
  addPurchase,
  addRefund,
  addRefundGroup,
  groupOf,
  takeOffShortfall,
  type OrderGroup,
  type PurchaseGroup,
  type RefundGroup,
  emptySettlement,
  finishSettlement,
  NO_SUPPLIER,
  PURCHASED_STATUSES,
  settle,
  yuan,
  type SettlementOrder,
  type SettlementRefund,
} from '../../core/payment/settlement';
import { shortfallFen } from '../../core/payment/amount';
import {
  ORDER_STATUSES,
  PAY_STATES,
  PAYMENT_MODES,
  REFUND_REASONS,
  REFUND_STATES,
  type OrderStatus,
} from '../../typings/values';

const ITEMS = ['i1', 'i2', 'i3', 'i4', 'i5'];
const SUPPLIERS: Record<string, string> = { i1: '城东蔬菜', i2: '城东蔬菜', i3: '粮油站', i4: '' };
const supplierOf = (id: string) => SUPPLIERS[id] || NO_SUPPLIER;
const ROUND = { roundId: 'r1', roundName: '第一批' };

const line = fc.record({
  itemId: fc.constantFrom(...ITEMS),
  qty: fc.integer({ min: 0, max: 40 }),
  priceFen: fc.integer({ min: 0, max: 100_000 }),
});

const order = (i: number) =>
  fc
    .record({
      payment: fc.constantFrom(...PAYMENT_MODES),
      status: fc.constantFrom(...ORDER_STATUSES),
      lines: fc.uniqueArray(line, { selector: (l) => l.itemId, maxLength: 5 }),
      payState: fc.constantFrom(...PAY_STATES),
      confirmed: fc.boolean(),
      short: fc.nat({ max: 3 }),
    })
    .map((r): SettlementOrder => {
      const lines = r.lines.map((l) => ({ ...l, name: `商品${l.itemId}`, unit: '斤' as const }));
      const totalFen = lines.reduce((s, l) => s + l.qty * l.priceFen, 0);
      const first = lines[0];
      return {
        _id: `o${String(i).padStart(6, '0')}`,
        payment: r.payment,
        status: r.status as OrderStatus,
        totalFen,
        lines,
        shortfall: first
          ? [
              {
                itemId: first.itemId,
                name: first.name,
                unit: first.unit,
                expected: first.qty,
                counted: Math.max(0, first.qty - r.short),
              },
            ]
          : [],
        ...(r.payment === 'wechatPay'
          ? {
              pay: {
                state: r.payState,
                outTradeNo: `GL${i}`,
                attempt: 1,
                amountFen: totalFen,
                transactionId: r.confirmed ? `42000${i}` : null,
                paidAt: r.confirmed ? '2022-08-20T02:00:00.000Z' : null,
                expiresAt: '2022-08-20T02:15:00.000Z',
                refundedFen: 0,
                payerOpenid: null,
                prepayId: null,
              },
            }
          : {}),
      };
    });

const refund = (i: number) =>
  fc
    .record({
      amountFen: fc.integer({ min: 1, max: 500_000 }),
      reason: fc.constantFrom(...REFUND_REASONS),
      state: fc.constantFrom(...REFUND_STATES),
    })
    .map((r): SettlementRefund => ({
      _id: `GR${i}`,
      orderId: `o${i}`,
      ...r,
      refundId: r.state === 'done' ? `50300${i}` : null,
      createdAt: '2022-08-20T03:00:00.000Z',
      doneAt: r.state === 'done' ? '2022-08-20T03:01:00.000Z' : null,
    }));

const round = fc
  .tuple(fc.nat({ max: 60 }), fc.nat({ max: 20 }))
  .chain(([n, m]) =>
    fc.tuple(
      fc.tuple(...Array.from({ length: n }, (_, i) => order(i))),
      fc.tuple(...Array.from({ length: m }, (_, i) => refund(i))),
    ),
  );

describe('the settlement of a round', () => {
  it('adds up to the cent: income − confirmed refunds = net; suppliers = purchase list × price', () => {
    fc.assert(
      fc.property(round, ([orders, refunds]) => {
        const view = settle(ROUND, orders, refunds, supplierOf);
        const income = PAYMENT_MODES.reduce((s, m) => s + view.incomeByMode[m].amountFen, 0);
        const confirmed = refunds.filter((r) => r.state === 'done').reduce((s, r) => s + r.amountFen, 0);
        const pending = refunds.filter((r) => r.state !== 'done').reduce((s, r) => s + r.amountFen, 0);
        expect(view.refundedFen).toBe(confirmed);
        expect(view.refundsPendingFen).toBe(pending);
        expect(view.netFen).toBe(income - confirmed);
        expect(Number.isInteger(view.netFen)).toBe(true);
        expect(view.incomeByMode.free.amountFen).toBe(0);

        // Income by mode, computed independently.
        const handed = (o: SettlementOrder) => o.status === 'delivered' || o.status === 'received';
        for (const mode of ['cashOnDelivery', 'transfer'] as const) {
          const due = orders
            .filter((o) => o.payment === mode && handed(o))
            .reduce((s, o) => s + o.totalFen - shortfallFen(o.lines, o.shortfall ?? []), 0);
          expect(view.incomeByMode[mode].amountFen).toBe(due);
        }
        const wechat = orders
          .filter(
            (o) =>
              o.payment === 'wechatPay' &&
              o.pay?.transactionId &&
              ['paid', 'partlyRefunded', 'refunded'].includes(o.pay.state),
          )
          .reduce((s, o) => s + (o.pay?.amountFen ?? 0), 0);
        expect(view.incomeByMode.wechatPay.amountFen).toBe(wechat);

        // The purchase list (accepted orders' lines) × the price, by item.
        const purchased = new Map<string, number>();
        for (const o of orders.filter((x) => PURCHASED_STATUSES.includes(x.status as OrderStatus)))
          for (const l of o.lines) purchased.set(l.itemId, (purchased.get(l.itemId) ?? 0) + l.qty * l.priceFen);
        const owedByItem = new Map<string, number>();
        for (const s of view.suppliers) {
          expect(s.owedFen).toBe(s.items.reduce((sum, i) => sum + i.amountFen, 0));
          for (const i of s.items) {
            expect(i.amountFen).toBe(i.qty * i.priceFen);
            expect(s.supplier).toBe(supplierOf(i.itemId));
            owedByItem.set(i.itemId, (owedByItem.get(i.itemId) ?? 0) + i.amountFen);
          }
        }
        for (const id of ITEMS) expect(owedByItem.get(id) ?? 0).toBe(purchased.get(id) ?? 0);
        expect(view.owedFen).toBe([...purchased.values()].reduce((a, b) => a + b, 0));

        // Transactions: every confirmed payment and every refund, each once.
        expect(view.transactions.filter((t) => t.kind === 'refund')).toHaveLength(refunds.length);
        expect(view.transactions.filter((t) => t.kind === 'payment').reduce((s, t) => s + t.amountFen, 0)).toBe(wechat);
        expect(view.transactionsTotal).toBe(view.transactions.length);
      }),
      { numRuns: 200 },
    );
  });

  it('gives the same figures folded a page at a time', () => {
    fc.assert(
      fc.property(round, fc.integer({ min: 1, max: 7 }), ([orders, refunds], pageSize) => {
        const acc = emptySettlement();
        for (let i = 0; i < orders.length; i += pageSize)
          for (const o of orders.slice(i, i + pageSize)) addOrder(acc, o, supplierOf);
        for (const r of refunds) addRefund(acc, r);
        expect(finishSettlement(acc, ROUND)).toEqual(settle(ROUND, orders, refunds, supplierOf));
      }),
      { numRuns: 50 },
    );
  });

  it('gives the same figures from the database’s groups (org.settlement) as from the orders one by one', () => {
    fc.assert(
      fc.property(round, ([orders, refunds]) => {
        // What the aggregation answers: orders by (mode, status, pay state, confirmed); bought lines by
        // (item, unit, price, name); refunds by (reason, state).
        const groups = new Map<string, OrderGroup>();
        for (const o of orders) {
          const g = groupOf(o);
          const key = JSON.stringify([g.payment, g.status, g.payState, g.confirmed]);
          const seen = groups.get(key);
          if (seen) {
            seen.orders += 1;
            seen.totalFen += g.totalFen;
            seen.payFen += g.payFen;
          } else groups.set(key, g);
        }
        const lines = new Map<string, PurchaseGroup>();
        for (const o of orders.filter((x) => PURCHASED_STATUSES.includes(x.status as OrderStatus)))
          for (const l of o.lines) {
            const key = JSON.stringify([l.itemId, l.unit, l.priceFen, l.name]);
            const seen = lines.get(key);
            if (seen) seen.qty += l.qty;
            else lines.set(key, { ...l });
          }
        const refundGroups = new Map<string, RefundGroup>();
        for (const r of refunds) {
          const key = JSON.stringify([r.reason, r.state]);
          const seen = refundGroups.get(key);
          if (seen) {
            seen.count += 1;
            seen.amountFen += r.amountFen;
          } else refundGroups.set(key, { reason: r.reason, state: r.state, count: 1, amountFen: r.amountFen });
        }
        const acc = emptySettlement();
        for (const g of groups.values()) addOrderGroup(acc, g);
        for (const o of orders.filter((x) => (x.shortfall ?? []).length > 0)) takeOffShortfall(acc, o);
        for (const l of lines.values()) addPurchase(acc, l, supplierOf);
        for (const g of refundGroups.values()) addRefundGroup(acc, g);
        const { transactions: _t, transactionsTotal: _n, ...fromGroups } = finishSettlement(acc, ROUND);
        const { transactions: _t2, transactionsTotal: _n2, ...fromOrders } = settle(ROUND, orders, refunds, supplierOf);
        expect(fromGroups).toEqual(fromOrders);
      }),
      { numRuns: 100 },
    );
  });

  it('lists items with no supplier under 未指定供应商, last; keeps the latest transactions when capped', () => {
    const base = {
      payment: 'wechatPay' as const,
      status: 'accepted' as const,
      lines: [
        { itemId: 'i4', name: '土豆', unit: '斤' as const, qty: 3, priceFen: 150 },
        { itemId: 'i3', name: '大米', unit: '袋' as const, qty: 1, priceFen: 5000 },
      ],
      totalFen: 5450,
    };
    const pay = (i: number) => ({
      state: 'paid' as const,
      outTradeNo: `GL${i}`,
      attempt: 1,
      amountFen: 5450,
      transactionId: `4200${i}`,
      paidAt: `2022-08-20T0${i}:00:00.000Z`,
      expiresAt: '2022-08-20T10:00:00.000Z',
      refundedFen: 0,
      payerOpenid: null,
      prepayId: null,
    });
    const acc = emptySettlement();
    for (const i of [1, 2, 3]) addOrder(acc, { ...base, _id: `o${i}`, pay: pay(i) }, supplierOf);
    const view = finishSettlement(acc, ROUND, 2);
    expect(view.suppliers.map((s) => [s.supplier, s.owedFen])).toEqual([
      ['粮油站', 15000],
      [NO_SUPPLIER, 1350],
    ]);
    expect(view.owedFen).toBe(16350);
    expect(view.incomeByMode.wechatPay).toEqual({ orders: 3, amountFen: 16350 });
    expect(view.counts).toMatchObject({ orders: 3, paid: 3, awaiting: 0 });
    expect(view.transactions.map((t) => t.orderId)).toEqual(['o2', 'o3']);
    expect(view.transactionsTotal).toBe(3);
  });

  it('writes fen as 元 with two decimals', () => {
    expect(yuan(0)).toBe('0.00');
    expect(yuan(5)).toBe('0.05');
    expect(yuan(12345)).toBe('123.45');
    expect(yuan(-250)).toBe('-2.50');
  });
});
