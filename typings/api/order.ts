/** Ordering: rounds, the catalogue, placing and following orders. */
import type {
  CatalogItem,
  MedicineUrgency,
  OrderDoc,
  OrderEventRecord,
  OrderKind,
  OrderStatus,
  PaymentMode,
} from '../entities';
import type { ContactView, Page, PageQuery } from './common';
import type { OrderPayView } from './payment';

/** An ordering round. */
export interface RoundView {
  id: string;
  name: string;
  opensAt: string;
  closesAt: string;
  open: boolean;
}

/** How an ordering round fills (issue 12): orders in it (not cancelled or rejected), households that ordered, households in the community. */
export interface RoundFillView {
  roundId: string;
  orders: number;
  households: number;
  householdsTotal: number;
}

/** A catalogue item with what this household may still order. */
export interface CatalogItemView extends Omit<CatalogItem, '_id' | 'communityId' | 'active'> {
  id: string;
  /** How many more this household may order this round. */
  remaining: number;
  soldOut: boolean;
}

/** The catalogue of the current round. */
export interface CatalogView {
  round: RoundView | null;
  items: CatalogItemView[];
  /** WeChat Pay is open in this community (issue 19): offer 微信支付 beside cash and transfer. */
  wechatPay?: boolean;
}

/** A catalogue item as the community admin keeps it: hidden items too, and whether it is shown. */
export interface CatalogAdminItemView extends Omit<CatalogItem, '_id' | 'communityId'> {
  id: string;
  soldOut: boolean;
}

/** Adding or changing a catalogue item (community admin). */
export interface SaveItemInput {
  /** Omitted: a new item. */
  id?: string;
  name: string;
  category: CatalogItem['category'];
  unit: CatalogItem['unit'];
  priceFen: number;
  /**
   * A new item's starting stock; on an existing item, a stocktake that sets the count (omitted
   * keeps it). Restocking while orders come in is `order.restock`, an increment.
   */
  stock?: number;
  perHouseholdLimit: number;
  active: boolean;
  /** Who supplies it (issue 19: the round's settlement owes each supplier); empty or omitted: 未指定供应商 (omitted on a change keeps it). */
  supplier?: string;
  /** Weight of one unit, kg (0.01–100); omitted keeps it (a new item: the unit's rough weight). */
  kgPerUnit?: number;
}

/** Placing an order. */
export interface PlaceOrderInput {
  kind: OrderKind;
  lines?: Array<{ itemId: string; qty: number }>;
  medicine?: { description: string; urgency: MedicineUrgency; prescriptionFileId?: string };
  /** Gas: how many cylinders (the gas item of the catalogue). */
  gasCylinders?: number;
  payment: PaymentMode;
  contactless: boolean;
  note?: string;
  /** 代下单: a gridworker orders for a household of their grid. */
  forHouseholdId?: string;
}

/** An order as residents and gridworkers see it. */
export interface OrderView extends Pick<
  OrderDoc,
  | 'kind'
  | 'roundId'
  | 'lines'
  | 'medicine'
  | 'gas'
  | 'totalFen'
  | 'payment'
  | 'contactless'
  | 'note'
  | 'priority'
  | 'onBehalf'
  | 'room'
  | 'rejectReason'
  | 'createdAt'
> {
  id: string;
  status: OrderStatus;
  statusText: string;
  canCancel: boolean;
  canConfirm: boolean;
  /** How it is paid and where the money is (issue 19): 待支付 / 已支付 / 已退款 …, refunds with their reasons. */
  pay: OrderPayView;
}

/** An order with its timeline and whom to contact. */
export interface OrderDetailView extends OrderView {
  history: Array<OrderEventRecord & { text: string }>;
  contacts: ContactView[];
  /** 取货码 the resident shows the volunteer (issue 4): only to the household, while on its way. */
  handoverCode?: string | null;
}

/** The actions of `order`: request and response of each. */
export interface OrderActions {
  'order.catalog': { req: { forHouseholdId?: string }; res: CatalogView };
  'order.place': { req: PlaceOrderInput; res: OrderView };
  'order.mine': { req: PageQuery; res: Page<OrderView> };
  'order.detail': { req: { orderId: string }; res: OrderDetailView };
  'order.cancel': { req: { orderId: string; reason?: string }; res: OrderView };
  'order.confirm': { req: { orderId: string }; res: OrderView };
  'order.saveItem': { req: SaveItemInput; res: CatalogAdminItemView };
  /** Every item of the community's catalogue, hidden ones too (community admin). */
  'order.items': { req: PageQuery; res: Page<CatalogAdminItemView> };
  /** Adds `qty` to an item's stock in one atomic increment; a retried request adds it once. */
  'order.restock': { req: { itemId: string; qty: number }; res: CatalogAdminItemView };
  'order.openRound': { req: { name: string; opensAt: string; closesAt: string }; res: RoundView };
  /** The community's ordering rounds, the latest opening first (community admin). */
  'order.rounds': { req: PageQuery; res: Page<RoundView> };
  /** Moves a round's close later (after now and after its current close); community admin; a retry answers the same. */
  'order.extendRound': { req: { roundId: string; closesAt: string }; res: RoundView };
  /** Closes a round now; orders already placed stay; closing a closed round answers it as it is. */
  'order.closeRound': { req: { roundId: string }; res: RoundView };
  /** How each of these rounds (of the admin's community, at most 20) fills. */
  'order.roundFill': { req: { roundIds: string[] }; res: RoundFillView[] };
}
