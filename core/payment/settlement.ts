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
  type PayState,
  type RefundReason,
  type RefundState,
  type Unit,
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

/** WeChat Pay states in which the platform holds (or held) the money. */
const MONEY_IN: readonly string[] = ['paid', 'partlyRefunded', 'refunded'];

/** Whether the platform took the money of a WeChat Pay order (paid, refunded since, or paid late and refunded). */
export function wechatPaid(o: Pick<SettlementOrder, 'payment' | 'pay'>): boolean {
  const pay = o.pay;
  return (
    o.payment === 'wechatPay' &&
    Boolean(pay) &&
    pay?.transactionId !== null &&
    pay?.transactionId !== undefined &&
    MONEY_IN.includes(pay.state)
  );
}

/** Money the platform took for a WeChat Pay order, fen. */
export function wechatIncomeFen(o: SettlementOrder): number {
  return wechatPaid(o) ? (o.pay?.amountFen ?? 0) : 0;
}

/** Cash or transfer due for an order handed over: its total less what was short at the door. */
export function handedOverFen(o: SettlementOrder): number {
  if (!HANDED_OVER.includes(o.status)) return 0;
  return Math.max(0, o.totalFen - shortfallFen(o.lines, o.shortfall ?? []));
}

/**
 * Orders alike for the settlement, as the database counts them in one group (org.settlement):
 * the same mode, status, pay state and whether the platform confirmed a payment.
 */
export interface OrderGroup {
  payment: PaymentMode;
  status: OrderStatus | 'placing';
  /** WeChat Pay orders' pay state (null otherwise). */
  payState: PayState | null;
  /** The platform's transaction id is there. */
  confirmed: boolean;
  orders: number;
  /** Sum of the orders' totals. */
  totalFen: number;
  /** Sum of what their WeChat payments charged. */
  payFen: number;
}

/** One order as a group of one. */
export function groupOf(o: SettlementOrder): OrderGroup {
  const pay = o.payment === 'wechatPay' ? o.pay : undefined;
  return {
    payment: o.payment,
    status: o.status,
    payState: pay?.state ?? null,
    confirmed: pay?.transactionId !== null && pay?.transactionId !== undefined,
    orders: 1,
    totalFen: o.totalFen,
    payFen: pay?.amountFen ?? 0,
  };
}

/**
 * Folds a group of orders in: counts, and money in by mode — WeChat Pay as the platform confirmed,
 * free as 0, cash and transfer the totals of orders handed over (what was short at the door is
 * taken off by `takeOffShortfall`, order by order).
 */
export function addOrderGroup(acc: SettlementAcc, g: OrderGroup): void {
  if (g.status === 'placing' || g.orders <= 0) return;
  acc.counts.orders += g.orders;
  if (g.status === 'cancelled' || g.status === 'rejected') acc.counts.cancelled += g.orders;
  const bucket = acc.incomeByMode[g.payment];
  if (!bucket) return;
  if (g.payment === 'wechatPay') {
    if (g.payState === 'awaiting') acc.counts.awaiting += g.orders;
    if (!g.confirmed) return;
    bucket.orders += g.orders;
    if (g.payState && MONEY_IN.includes(g.payState)) {
      bucket.amountFen += g.payFen;
      acc.counts.paid += g.orders;
    }
    return;
  }
  if (!HANDED_OVER.includes(g.status)) return;
  bucket.orders += g.orders;
  if (g.payment !== 'free') bucket.amountFen += g.totalFen;
}

/** Takes off a cash or transfer order's shortfall (its total was counted whole by its group). */
export function takeOffShortfall(acc: SettlementAcc, o: SettlementOrder): void {
  if (o.payment !== 'cashOnDelivery' && o.payment !== 'transfer') return;
  if (!HANDED_OVER.includes(o.status)) return;
  acc.incomeByMode[o.payment].amountFen -= o.totalFen - handedOverFen(o);
}

/** A line of the purchase list as the database sums it: an item at one price, and how many. */
export interface PurchaseGroup {
  itemId: string;
  name: string;
  unit: Unit;
  priceFen: number;
  qty: number;
}

/** Folds a purchase-list line in, under its item's supplier (`supplierOf`; NO_SUPPLIER when none). */
export function addPurchase(acc: SettlementAcc, l: PurchaseGroup, supplierOf: (itemId: string) => string): void {
  if (l.qty <= 0) return;
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

/** A WeChat payment as a transaction (null when the platform took no money). */
export function paymentTransaction(o: Pick<SettlementOrder, '_id' | 'payment' | 'pay'>): Transaction | null {
  if (!wechatPaid(o) || !o.pay) return null;
  return {
    orderId: o._id,
    kind: 'payment',
    amountFen: o.pay.amountFen,
    platformId: o.pay.transactionId,
    outNo: o.pay.outTradeNo,
    at: o.pay.paidAt ?? '',
  };
}

/** A refund as a transaction. */
export function refundTransaction(r: SettlementRefund): Transaction {
  return {
    orderId: r.orderId,
    kind: 'refund',
    amountFen: r.amountFen,
    platformId: r.refundId,
    outNo: r._id,
    at: r.doneAt ?? r.createdAt,
  };
}

/**
 * Folds one order in (the export reads every order a page at a time): its group, its shortfall,
 * its lines on the purchase list when its goods are bought, its payment.
 */
export function addOrder(acc: SettlementAcc, o: SettlementOrder, supplierOf: (itemId: string) => string): void {
  if (o.status === 'placing') return;
  addOrderGroup(acc, groupOf(o));
  takeOffShortfall(acc, o);
  const tx = paymentTransaction(o);
  if (tx) acc.transactions.push(tx);
  if (!PURCHASED_STATUSES.includes(o.status)) return;
  for (const l of o.lines) addPurchase(acc, l, supplierOf);
}

/** Refunds alike, as the database counts them: one reason, one state. */
export interface RefundGroup {
  reason: RefundReason;
  state: RefundState;
  count: number;
  amountFen: number;
}

/** Folds a group of refunds in: confirmed ones by reason, the rest as pending. */
export function addRefundGroup(acc: SettlementAcc, g: RefundGroup): void {
  acc.counts.refunds += g.count;
  if (g.state === 'done') {
    const bucket = acc.refundsByReason[g.reason];
    if (!bucket) return;
    bucket.count += g.count;
    bucket.amountFen += g.amountFen;
  } else acc.refundsPendingFen += g.amountFen;
}

/** Folds one refund in. */
export function addRefund(acc: SettlementAcc, r: SettlementRefund): void {
  addRefundGroup(acc, { reason: r.reason, state: r.state, count: 1, amountFen: r.amountFen });
  acc.transactions.push(refundTransaction(r));
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
  /** How many transactions the round has, when `acc` holds only the latest (org.settlement). */
  transactionsTotal?: number,
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
    transactionsTotal: transactionsTotal ?? transactions.length,
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
