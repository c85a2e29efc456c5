import type { ApiResult } from './errors';
import type {
  AgeBand,
  CatalogItem,
  HouseholdMember,
  JoinStatus,
  JoinVia,
  KnockStatus,
  Me,
  OrderDoc,
  OrderEventRecord,
  OrderKind,
  OrderStatus,
  PaymentMode,
  Relation,
  SpecialNeed,
} from './entities';

/**
 * The contract of every cloud-function action: `'<function>.<verb>'` → request and response.
 * Pages (service layer) and cloud functions (routers) are both typed by this one map.
 */
export interface Actions {
  'system.health': { req: Record<string, never>; res: HealthInfo };
  'user.me': { req: Record<string, never>; res: Me };
  'user.subscribe': { req: { templates: SubscribeTemplate[] }; res: { accepted: SubscribeTemplate[] } };

  'household.communities': { req: Record<string, never>; res: CommunityView[] };
  'household.directory': { req: { communityId: string }; res: DirectoryView };
  'household.resolveEntry': { req: EntryRequest; res: EntryView };
  'household.requestJoin': { req: JoinInput; res: JoinView };
  'household.myJoin': { req: Record<string, never>; res: JoinView | null };
  'household.get': { req: Record<string, never>; res: HouseholdView };
  'household.update': { req: HouseholdInput; res: HouseholdView };

  'grid.mine': { req: Record<string, never>; res: MyGridView };
  'grid.joinRequests': { req: { gridId: string; status?: JoinStatus }; res: JoinRequestView[] };
  'grid.reviewJoin': { req: { requestId: string; approve: boolean; reason?: string }; res: JoinRequestView };
  'grid.createInvite': { req: { gridId: string }; res: InviteView };
  'grid.bindGroup': { req: { gridId: string; group: GroupOpenData }; res: { gridId: string; groups: number } };
  'grid.setGroupQr': { req: { gridId: string; fileId: string }; res: { gridId: string } };
  'grid.households': { req: { gridId: string; buildingId?: string }; res: GridHouseholdView[] };
  'grid.postNotice': { req: { gridId: string | null; title: string; body: string }; res: NoticeView };

  'order.catalog': { req: { forHouseholdId?: string }; res: CatalogView };
  'order.place': { req: PlaceOrderInput; res: OrderView };
  'order.mine': { req: { limit?: number; before?: string }; res: OrderView[] };
  'order.detail': { req: { orderId: string }; res: OrderDetailView };
  'order.cancel': { req: { orderId: string; reason?: string }; res: OrderView };
  'order.confirm': { req: { orderId: string }; res: OrderView };
  'order.saveItem': { req: SaveItemInput; res: CatalogItemView };
  'order.openRound': { req: { name: string; opensAt: string; closesAt: string }; res: RoundView };

  'testing.openRound': { req: { name: string; date: string; points: string[]; validHours: number }; res: TestRoundView };
  'testing.closeRound': { req: { roundId: string }; res: TestRoundView };
  'testing.rounds': { req: Record<string, never>; res: TestRoundView[] };
  'testing.personCodes': { req: Record<string, never>; res: PersonCodeView[] };
  'testing.record': { req: RecordSampleInput; res: { duplicate: boolean; card: CardView } };
  'testing.myCards': { req: Record<string, never>; res: CardView[] };
  'testing.verify': { req: { token: string; roundId?: string; householdId?: string }; res: VerifyView };
  'testing.coverage': { req: { roundId: string; gridId: string }; res: CoverageView };
  'testing.knock': { req: { roundId: string; householdId: string; status: KnockStatus; note?: string }; res: { householdId: string; status: KnockStatus } };
  'testing.exportCoverage': { req: { roundId: string; gridId: string }; res: ExportFileView };
  'testing.recordResult': { req: { roundId: string; memberId: string; result: 'negative' | 'positive' }; res: { serial: string; result: 'negative' | 'positive' } };
  'testing.book': { req: { date: string; memberIds: string[] }; res: { date: string; booked: number } };
  'testing.bookings': { req: { gridId: string; date: string }; res: BookingView[] };
  'testing.publicKeys': { req: Record<string, never>; res: Array<{ keyId: string; publicKey: string }> };
}

/** A person booked for sampling on a day (明日预约核酸检测), as the gridworker's list shows it. */
export interface BookingView {
  householdId: string;
  buildingName: string;
  room: string;
  nameMasked: string;
  needs: SpecialNeed[];
}

/** An exported spreadsheet (.xlsx, base64) the page saves and opens. */
export interface ExportFileView {
  fileName: string;
  base64: string;
  rows: number;
}

/** A testing round. */
export interface TestRoundView {
  id: string;
  code: string;
  name: string;
  date: string;
  points: string[];
  validHours: number;
  status: 'open' | 'closed';
}

/** A household member's own code, shown as a QR for the sampler to scan. */
export interface PersonCodeView {
  memberId: string;
  nameMasked: string;
  token: string;
  /** The QR image (SVG data URL). */
  qr: string;
}

/** Recording a sample: by scanning a person's code, or by picking the member (door to door). */
export interface RecordSampleInput {
  roundId: string;
  point: string;
  personCode?: string;
  householdId?: string;
  memberId?: string;
}

/** A 核酸已采样卡. */
export interface CardView {
  roundId: string;
  roundName: string;
  serial: string;
  nameMasked: string;
  place: string;
  gridName: string;
  sampledAt: string;
  validUntil: string;
  seal: string;
  token: string;
  qr: string;
  result: 'negative' | 'positive' | null;
}

/** What the checkpoint or hand-out volunteer sees after scanning a card. */
export interface VerifyView {
  status: 'valid' | 'expired' | 'otherRound' | 'otherHolder' | 'invalid';
  text: string;
  nameMasked: string | null;
  serial: string | null;
  roundId: string | null;
  sampledAt: string | null;
}

/** Testing coverage of a grid in a round (应检尽检, 不漏一户). */
export interface CoverageView {
  roundId: string;
  gridId: string;
  sampled: number;
  total: number;
  buildings: Array<{ buildingId: string; buildingName: string; sampled: number; total: number }>;
  /** Who is not yet sampled, by household, with special-needs flags and door-knock status. */
  pending: Array<{
    householdId: string;
    buildingName: string;
    room: string;
    members: Array<{ memberId: string; nameMasked: string; needs: SpecialNeed[] }>;
    knock: KnockStatus | null;
  }>;
}

/** Subscribe-message templates the app asks residents to accept. */
export type SubscribeTemplate = 'orderStatus' | 'joinResult' | 'notice';

/** A community to pick by hand. */
export interface CommunityView {
  id: string;
  name: string;
  district: string;
}

/** Grids and buildings of a community, for picking by hand. */
export interface DirectoryView {
  community: CommunityView;
  grids: Array<{ id: string; name: string; buildings: Array<{ id: string; name: string; floors: number }> }>;
}

/** WeChat group open data: `cloudID` from wx.getShareInfo, resolved by the platform into `data`. */
export interface GroupOpenData {
  cloudID?: string;
  data?: { openGId: string };
}

/** How the resident arrived: an invite QR's token or the grid's WeChat group. */
export interface EntryRequest {
  inviteToken?: string;
  group?: GroupOpenData;
}

/** The grid an entry leads to. */
export interface EntryView {
  communityId: string;
  communityName: string;
  gridId: string;
  gridName: string;
  via: JoinVia;
}

/** A request to join a grid. */
export interface JoinInput {
  gridId: string;
  buildingId: string;
  room: string;
  headName: string;
  phone: string;
  via: JoinVia;
  inviteToken?: string;
}

/** The resident's view of their join request. */
export interface JoinView {
  id: string;
  status: JoinStatus;
  gridName: string;
  buildingName: string;
  room: string;
  reason: string | null;
}

/** The gridworker's view of a join request (phone masked). */
export interface JoinRequestView {
  id: string;
  status: JoinStatus;
  buildingId: string;
  buildingName: string;
  room: string;
  headName: string;
  phoneMasked: string;
  via: JoinVia;
  createdAt: string;
  reason: string | null;
  /** An existing household at that room (the gridworker checks the name against it). */
  existingHeadName: string | null;
}

/** A household as its gridworker sees it in the grid's list (phone masked). */
export interface GridHouseholdView {
  id: string;
  buildingId: string;
  buildingName: string;
  room: string;
  headName: string;
  phoneMasked: string;
  members: number;
  /** Someone of the household has joined with WeChat (户户入群). */
  joined: boolean;
  priority: boolean;
}

/** An invite for the grid's QR code. */
export interface InviteView {
  token: string;
  /** The mini-program code's `scene` (≤ 32 characters). */
  scene: string;
  page: string;
  expiresAt: string;
}

/** One member as the resident edits them. */
export interface MemberInput {
  id?: string;
  name: string;
  relation: Relation;
  ageBand: AgeBand;
  needs: SpecialNeed[];
  needNote?: string;
}

/** The household profile as the resident edits it. */
export interface HouseholdInput {
  headName: string;
  /** Omitted: keep the stored number (the page only ever sees it masked). */
  phone?: string;
  members: MemberInput[];
  /** Separate consent to store special needs (sensitive personal information). */
  sensitiveConsent: boolean;
}

/** The household as its members see it (phone masked). */
export interface HouseholdView {
  id: string;
  gridId: string;
  gridName: string;
  buildingName: string;
  room: string;
  headName: string;
  phoneMasked: string;
  members: HouseholdMember[];
  sensitiveConsent: boolean;
  priority: boolean;
}

/** A person to contact. */
export interface ContactView {
  role: 'gridworker' | 'groupLeader' | 'volunteer';
  name: string;
  phone: string | null;
}

/** A notice. */
export interface NoticeView {
  id: string;
  scope: 'grid' | 'community';
  title: string;
  body: string;
  postedAt: string;
}

/** The resident's grid page. */
export interface MyGridView {
  communityName: string;
  gridId: string;
  gridName: string;
  contacts: ContactView[];
  groupQrFileId: string | null;
  notices: NoticeView[];
}

/** An ordering round. */
export interface RoundView {
  id: string;
  name: string;
  opensAt: string;
  closesAt: string;
  open: boolean;
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
}

/** Adding or changing a catalogue item (community admin). */
export interface SaveItemInput {
  /** Omitted: a new item. */
  id?: string;
  name: string;
  category: CatalogItem['category'];
  unit: CatalogItem['unit'];
  priceFen: number;
  /** Set the stock to this (restocking); omitted keeps it. */
  stock?: number;
  perHouseholdLimit: number;
  active: boolean;
}

/** Placing an order. */
export interface PlaceOrderInput {
  kind: OrderKind;
  lines?: Array<{ itemId: string; qty: number }>;
  medicine?: { description: string; urgency: 'normal' | 'urgent'; prescriptionFileId?: string };
  /** Gas: how many cylinders (the gas item of the catalogue). */
  gasCylinders?: number;
  payment: PaymentMode;
  contactless: boolean;
  note?: string;
  /** 代下单: a gridworker orders for a household of their grid. */
  forHouseholdId?: string;
}

/** An order as residents and gridworkers see it. */
export interface OrderView
  extends Pick<
    OrderDoc,
    'kind' | 'roundId' | 'lines' | 'medicine' | 'gas' | 'totalFen' | 'payment' | 'contactless' | 'note' | 'priority' | 'onBehalf' | 'room' | 'rejectReason' | 'createdAt'
  > {
  id: string;
  status: OrderStatus;
  statusText: string;
  canCancel: boolean;
  canConfirm: boolean;
}

/** An order with its timeline and whom to contact. */
export interface OrderDetailView extends OrderView {
  history: Array<OrderEventRecord & { text: string }>;
  contacts: ContactView[];
}

/** Liveness answer of the system function. */
export interface HealthInfo {
  status: 'ok';
  /** Current China time, ISO 8601 with +08:00. */
  now: string;
  runtime: 'cloudbase' | 'local';
}

/** Every action name. */
export type ActionName = keyof Actions;
/** The cloud function that serves an action: the part before the dot. */
export type FunctionOf<A extends ActionName> = A extends `${infer F}.${string}` ? F : never;
/** Every cloud function name. */
export type FunctionName = FunctionOf<ActionName>;
/** Actions served by one function. */
export type ActionsOf<F extends FunctionName> = Extract<ActionName, `${F}.${string}`>;
/** Request payload of an action. */
export type Req<A extends ActionName> = Actions[A]['req'];
/** Response data of an action. */
export type Res<A extends ActionName> = Actions[A]['res'];

/** The event a page sends to a cloud function. */
export interface CallEvent<A extends ActionName = ActionName> {
  action: A;
  payload: Req<A>;
  /** Client-generated id that makes a retried write idempotent. */
  requestId?: string;
}

/** What a page gets back. */
export type CallResult<A extends ActionName> = ApiResult<Res<A>>;

export type { ApiResult, ApiFailure, ApiSuccess, ErrorCode, FieldIssue } from './errors';
