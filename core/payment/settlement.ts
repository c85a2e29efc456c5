/**
 * A round's settlement (issue 19), pure arithmetic in integer fen: money in by payment mode, refunds
 * by reason, net = money in − confirmed refunds, and what is owed to each supplier per the round's
 * purchase list (quantity × the price the lines were ordered at). Built by folding pages of orders
 * and refunds into an accumulator, so a round of 100k orders is read a page at a time and never
 * held whole.
 */
import type { SettlementView } from '../../typings/api';
import type { OrderDoc, RefundDoc } from '../../typings/entities';
import {
  PAYMENT_MODES,
  REFUND_REASONS,
  type OrderStatus,
  type PaymentMode,
  type RefundReason,
} from '../../typings/values';
import { shortfallFen } from './amount';

/** The supplier of catalogue items that name none. */
export const NO_SUPPLIER = '未指定供应商';

/** At most this many transactions are listed in the view (the Excel export lists them all). */
export const VIEW_TRANSACTIONS = 500;

/**
 * Orders whose goods are bought (the purchase list's default, server/functions/dispatch/lists.ts):
 * accepted by the gridworker, whatever happened after.
 */
export const PURCHASED_STATUSES: readonly OrderStatus[] = [
  'accepted',
  'assigned',
  'pickedUp',
  'failed',
  'delivered',
  'received',
];

/** Orders handed over: cash and transfer are due for what arrived. */
const HANDED_OVER: readonly string[] = ['delivered', 'received'];

/** The fields of an order the settlement reads. */
export type SettlementOrder = Pick<OrderDoc, '_id' | 'payment' | 'status' | 'totalFen' | 'lines'> &
  Partial<Pick<OrderDoc, 'pay' | 'shortfall'>>;

/** The fields of a refund the settlement reads. */
export type SettlementRefund = Pick<
  RefundDoc,
  '_id' | 'orderId' | 'amountFen' | 'reason' | 'state' | 'refundId' | 'createdAt' | 'doneAt'
>;

type Transaction = SettlementView['transactions'][number];
type SupplierLine = SettlementView['suppliers'][number]['items'][number];

/** The running totals of a settlement. */
export interface SettlementAcc {
  incomeByMode: SettlementView['incomeByMode'];
  refundsByReason: SettlementView['refundsByReason'];
  refundsPendingFen: number;
  /** `supplier \0 itemId \0 unit \0 priceFen` → the line of the purchase list. */
  lines: Map<string, SupplierLine & { supplier: string }>;
  counts: SettlementView['counts'];
  transactions: Transaction[];
}

export function emptySettlement(): SettlementAcc {
  return {
    incomeByMode: Object.fromEntries(PAYMENT_MODES.map((m) => [m, { orders: 0, amountFen: 0 }])) as Record<
      PaymentMode,
      { orders: number; amountFen: number }
    >,
    refundsByReason: Object.fromEntries(REFUND_REASONS.map((r) => [r, { count: 0, amountFen: 0 }])) as Record<
      RefundReason,
      { count: number; amountFen: number }
    >,
    refundsPendingFen: 0,
    lines: new Map(),
    counts: { orders: 0, paid: 0, awaiting: 0, refunds: 0, cancelled: 0 },
    transactions: [],
  };
}

/** Money the platform took for a WeChat Pay order (paid, refunded since, or paid late and refunded). */
export function wechatIncomeFen(o: SettlementOrder): number {
  const pay = o.pay;
  if (o.payment !== 'wechatPay' || !pay) return 0;
  const confirmed = pay.transactionId !== null && pay.transactionId !== undefined;
  const moneyIn = pay.state === 'paid' || pay.state === 'partlyRefunded' || pay.state === 'refunded';
  return confirmed && moneyIn ? pay.amountFen : 0;
}

/** Cash or transfer due for an order handed over: its total less what was short at the door. */
export function handedOverFen(o: SettlementOrder): number {
  if (!HANDED_OVER.includes(o.status)) return 0;
  return Math.max(0, o.totalFen - shortfallFen(o.lines, o.shortfall ?? []));
}

/** Whether an order counts under its mode's income (and how much it brought in). */
function incomeOf(o: SettlementOrder): { counts: boolean; fen: number } {
  switch (o.payment) {
    case 'wechatPay': {
      const fen = wechatIncomeFen(o);
      return { counts: fen > 0 || (o.pay?.transactionId ?? null) !== null, fen };
    }
    case 'free':
      return { counts: HANDED_OVER.includes(o.status), fen: 0 };
    default:
      return { counts: HANDED_OVER.includes(o.status), fen: handedOverFen(o) };
  }
}

/**
 * Folds one order in. `supplierOf` names an item's supplier (the catalogue's; NO_SUPPLIER when none).
 */
export function addOrder(acc: SettlementAcc, o: SettlementOrder, supplierOf: (itemId: string) => string): void {
  if (o.status === 'placing') return;
  acc.counts.orders += 1;
  if (o.status === 'cancelled' || o.status === 'rejected') acc.counts.cancelled += 1;
  const income = incomeOf(o);
  if (income.counts) {
    const bucket = acc.incomeByMode[o.payment];
    bucket.orders += 1;
    bucket.amountFen += income.fen;
  }
  if (o.payment === 'wechatPay' && o.pay) {
    if (o.pay.state === 'awaiting') acc.counts.awaiting += 1;
    if (income.fen > 0) {
      acc.counts.paid += 1;
      acc.transactions.push({
        orderId: o._id,
        kind: 'payment',
        amountFen: income.fen,
        platformId: o.pay.transactionId,
        outNo: o.pay.outTradeNo,
        at: o.pay.paidAt ?? '',
      });
    }
  }
  if (!PURCHASED_STATUSES.includes(o.status)) return;
  for (const l of o.lines) {
    if (l.qty <= 0) continue;
    const supplier = supplierOf(l.itemId).trim() || NO_SUPPLIER;
    const key = `${supplier}\u0000${l.itemId}\u0000${l.unit}\u0000${l.priceFen}`;
    const seen = acc.lines.get(key);
    if (seen) {
      seen.qty += l.qty;
      seen.amountFen += l.qty * l.priceFen;
    } else {
      acc.lines.set(key, {
        supplier,
        itemId: l.itemId,
        name: l.name,
        unit: l.unit,
        qty: l.qty,
        priceFen: l.priceFen,
        amountFen: l.qty * l.priceFen,
      });
    }
  }
}

/** Folds one refund in: confirmed ones by reason, the rest as pending. */
export function addRefund(acc: SettlementAcc, r: SettlementRefund): void {
  acc.counts.refunds += 1;
  if (r.state === 'done') {
    const bucket = acc.refundsByReason[r.reason];
    bucket.count += 1;
    bucket.amountFen += r.amountFen;
  } else acc.refundsPendingFen += r.amountFen;
  acc.transactions.push({
    orderId: r.orderId,
    kind: 'refund',
    amountFen: r.amountFen,
    platformId: r.refundId,
    outNo: r._id,
    at: r.doneAt ?? r.createdAt,
  });
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The settlement from the totals: net = income − confirmed refunds; suppliers by name (the one with
 * no supplier last), their lines by item name; transactions by time (`transactionsLimit` of them).
 */
export function finishSettlement(
  acc: SettlementAcc,
  round: { roundId: string; roundName: string },
  transactionsLimit = Number.POSITIVE_INFINITY,
): SettlementView & { transactionsTotal: number } {
  const income = PAYMENT_MODES.reduce((sum, m) => sum + acc.incomeByMode[m].amountFen, 0);
  const refundedFen = REFUND_REASONS.reduce((sum, r) => sum + acc.refundsByReason[r].amountFen, 0);
  const bySupplier = new Map<string, SupplierLine[]>();
  for (const line of acc.lines.values()) {
    const { supplier, ...item } = line;
    const list = bySupplier.get(supplier) ?? [];
    list.push(item);
    bySupplier.set(supplier, list);
  }
  const suppliers = [...bySupplier.entries()]
    .sort(([a], [b]) => (a === NO_SUPPLIER ? 1 : b === NO_SUPPLIER ? -1 : a.localeCompare(b, 'zh-Hans-CN')))
    .map(([supplier, items]) => ({
      supplier,
      items: items.sort(
        (a, b) => a.name.localeCompare(b.name, 'zh-Hans-CN') || cmp(a.itemId, b.itemId) || a.priceFen - b.priceFen,
      ),
      owedFen: items.reduce((sum, i) => sum + i.amountFen, 0),
    }));
  const transactions = [...acc.transactions].sort(
    (a, b) => cmp(a.at, b.at) || cmp(a.kind, b.kind) || cmp(a.outNo, b.outNo),
  );
  return {
    roundId: round.roundId,
    roundName: round.roundName,
    incomeByMode: acc.incomeByMode,
    refundsByReason: acc.refundsByReason,
    refundedFen,
    refundsPendingFen: acc.refundsPendingFen,
    netFen: income - refundedFen,
    suppliers,
    owedFen: suppliers.reduce((sum, s) => sum + s.owedFen, 0),
    counts: acc.counts,
    transactions: transactions.length > transactionsLimit ? transactions.slice(-transactionsLimit) : transactions,
    transactionsTotal: transactions.length,
  };
}

/** A settlement of orders and refunds held in memory (tests; small rounds). */
export function settle(
  round: { roundId: string; roundName: string },
  orders: readonly SettlementOrder[],
  refunds: readonly SettlementRefund[],
  supplierOf: (itemId: string) => string,
): SettlementView & { transactionsTotal: number } {
  const acc = emptySettlement();
  for (const o of orders) addOrder(acc, o, supplierOf);
  for (const r of refunds) addRefund(acc, r);
  return finishSettlement(acc, round);
}

/** Fen as 元 with two decimals (`12345` → `123.45`; negative with a minus sign). */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(fen));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
