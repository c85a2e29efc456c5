/**
 * WeChat Pay (issue 19): paying an order (the resident, or a relative through a pay link), the
 * payment as each viewer sees it, refunds, and the settled round. The client never says "paid":
 * the platform's callback (checked by a query) or a sync in which the server asks the platform does.
 */
import type { OrderKind, PayState, PaymentMode, RefundReason, RefundState, Unit } from '../entities';

/** What `wx.requestPayment` takes (CloudBase's `unifiedOrder` answers it as `payment`). */
export interface WxPaymentParams {
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: string;
  paySign: string;
}

/** Parameters to pay one order with now. */
export interface PayParamsView {
  orderId: string;
  payment: WxPaymentParams;
  totalFen: number;
  /** Unpaid after this, the order is cancelled (stock and quota go back). */
  expiresAt: string;
}

/** A refund as seen on its order. */
export interface RefundView {
  id: string;
  amountFen: number;
  reason: RefundReason;
  /** The reason's label (`缺货退差价`). */
  reasonLabel: string;
  /** What changed, in words (`缺货：青菜 2斤`). */
  reasonText: string;
  state: RefundState;
  stateText: string;
  /** When the refund was decided. */
  at: string;
  doneAt: string | null;
  /** The platform's refund id: staff only (null to others and until the platform accepted it). */
  refundId: string | null;
}

/** The payment of an order as its viewer sees it (on OrderView, OrderDetailView and the pool's rows). */
export interface OrderPayView {
  mode: PaymentMode;
  /** `微信支付` / `货到付现金` / … */
  modeText: string;
  /** WeChat Pay only; null for free, cash and transfer orders. */
  state: PayState | null;
  /** One word for lists: `待支付` `已支付` `已退款` `已部分退款` `已关闭` — or the mode's label when not WeChat Pay. */
  stateText: string;
  amountFen: number;
  refundedFen: number;
  paidAt: string | null;
  /** WeChat Pay awaiting payment: when it will be cancelled. */
  expiresAt: string | null;
  /** The platform's transaction id: staff only (gridworker, community admin); null to others. */
  transactionId: string | null;
  /** The caller may pay it now (`order.pay`). */
  canPay: boolean;
  refunds: RefundView[];
}

/** The payment on a row of the gridworker's pool: which orders may be accepted now. */
export type PayBadgeView = Pick<
  OrderPayView,
  'mode' | 'modeText' | 'state' | 'stateText' | 'amountFen' | 'refundedFen' | 'transactionId'
> & {
  /** Not WeChat Pay, or WeChat Pay and paid: a gridworker may accept it. */
  acceptable: boolean;
};

/** A share card a relative pays through (代付). */
export interface PayLinkView {
  orderId: string;
  /** Signed, expiring; the card's page takes it with the order id. */
  token: string;
  /** The mini-program path to share (`pages/pay/index?orderId=…&token=…`). */
  path: string;
  totalFen: number;
  expiresAt: string;
}

/** What a relative holding a pay link sees: the amount, the items and a masked room, nothing else. */
export interface PayCardView {
  orderId: string;
  kind: OrderKind;
  totalFen: number;
  lines: Array<{ name: string; unit: Unit; qty: number; priceFen: number }>;
  /** `3栋 1**室` */
  roomMasked: string;
  state: PayState;
  stateText: string;
  expiresAt: string;
  canPay: boolean;
}

/** A round's money, in fen (community admin; org.settlement). */
export interface SettlementView {
  roundId: string;
  roundName: string;
  /** Money in by payment mode (free always 0; cash and transfer as the orders say, WeChat Pay as the platform confirmed). */
  incomeByMode: Record<PaymentMode, { orders: number; amountFen: number }>;
  /** Refunds by reason (confirmed by the platform; pending ones apart). */
  refundsByReason: Record<RefundReason, { count: number; amountFen: number }>;
  refundedFen: number;
  /** Refunds decided but not yet confirmed by the platform. */
  refundsPendingFen: number;
  /** Money in minus confirmed refunds. */
  netFen: number;
  /** What is owed to each supplier per the round's purchase list. */
  suppliers: Array<{
    supplier: string;
    items: Array<{ itemId: string; name: string; unit: Unit; qty: number; priceFen: number; amountFen: number }>;
    owedFen: number;
  }>;
  owedFen: number;
  counts: {
    orders: number;
    paid: number;
    awaiting: number;
    refunds: number;
    cancelled: number;
  };
  /** Every WeChat payment and refund with the platform's id, for reconciliation. */
  transactions: Array<{
    orderId: string;
    kind: 'payment' | 'refund';
    amountFen: number;
    /** The platform's transaction id (payment) or refund id (refund). */
    platformId: string | null;
    outNo: string;
    at: string;
  }>;
  /** How many transactions the round has: the view lists the latest 500 (org.settlementExcel lists all). */
  transactionsTotal: number;
}

/** The actions of issue 19 on `order`: paying. */
export interface PaymentActions {
  /** Payment parameters for the household's own WeChat Pay order (its resident); idempotent per order. */
  'order.pay': { req: { orderId: string }; res: PayParamsView };
  /** The server asks the platform (`queryOrder`) and answers the order's payment as it stands. */
  'order.syncPayment': { req: { orderId: string }; res: OrderPayView & { orderId: string } };
  /** A pay card a relative pays through (the household, or the gridworker who placed a 代下单 order). */
  'order.payLink': { req: { orderId: string }; res: PayLinkView };
  /** What a holder of a valid pay link sees (any logged-in WeChat user). */
  'order.payCard': { req: { orderId: string; token: string }; res: PayCardView };
  /** Payment parameters for the holder of a valid pay link (payer = the caller's openid). */
  'order.payFor': { req: { orderId: string; token: string }; res: PayParamsView };
}

/**
 * The actions of the settled round on `org` (issue 19). Joined into `Actions` (typings/api.ts) by
 * whoever implements them in the org function, together with their roles MATRIX rows.
 */
export interface SettlementActions {
  /** A round's settlement (community admin). */
  'org.settlement': { req: { roundId: string }; res: SettlementView };
  /** The settlement as an Excel file in cloud storage (community admin). */
  'org.settlementExcel': { req: { roundId: string }; res: { fileId: string } };
}
