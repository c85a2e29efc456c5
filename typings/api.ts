import type { ApiResult } from './errors';
import type {
  AgeBand,
  CatalogItem,
  JobStatus,
  ShortLine,
  Unit,
  ContactMethod,
  GrantableRole,
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
  Role,
  SpecialNeed,
  TimeSlot,
  VolunteerDoc,
  VolunteerSkill,
  VolunteerStatus,
  VolunteerTeam,
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
  'grid.joinRequests': { req: { gridId: string; status?: JoinStatus } & PageQuery; res: Page<JoinRequestView> };
  'grid.reviewJoin': { req: { requestId: string; approve: boolean; reason?: string }; res: JoinRequestView };
  'grid.createInvite': { req: { gridId: string }; res: InviteView };
  'grid.bindGroup': { req: { gridId: string; group: GroupOpenData }; res: { gridId: string; groups: number } };
  'grid.setGroupQr': { req: { gridId: string; fileId: string }; res: { gridId: string } };
  'grid.households': { req: { gridId: string; buildingId?: string } & PageQuery; res: GridHouseholdPage };
  'grid.postNotice': { req: { gridId: string | null; title: string; body: string }; res: NoticeView };
  // ── grid dashboard, contacts, care ledger (issue 7) ──
  'grid.dashboard': { req: { gridId: string }; res: GridDashboardView };
  'grid.recordContact': { req: { householdId: string; method: ContactMethod; note?: string }; res: { householdId: string; day: string } };
  'grid.saveCare': { req: CareInput; res: CareLedgerRow };

  'order.catalog': { req: { forHouseholdId?: string }; res: CatalogView };
  'order.place': { req: PlaceOrderInput; res: OrderView };
  'order.mine': { req: PageQuery; res: Page<OrderView> };
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
  'testing.recordResult': { req: { roundId: string; householdId: string; memberId: string; result: 'negative' | 'positive' }; res: { serial: string; result: 'negative' | 'positive' } };
  'testing.book': { req: { date: string; memberIds: string[] }; res: { date: string; booked: number } };
  'testing.bookings': { req: { gridId: string; date: string }; res: BookingView[] };
  'testing.publicKeys': { req: Record<string, never>; res: Array<{ keyId: string; publicKey: string }> };

  // ── volunteers (issue 5) ──
  'volunteer.register': { req: VolunteerInput; res: MyVolunteerView };
  'volunteer.me': { req: Record<string, never>; res: MyVolunteerView | null };
  'volunteer.leave': { req: Record<string, never>; res: MyVolunteerView };
  'volunteer.setDuty': { req: { onDuty: boolean }; res: { onDuty: boolean; dutySince: string | null; releasedJobs: number } };
  'volunteer.card': { req: Record<string, never>; res: VolunteerCardView };
  'volunteer.verifyCard': { req: { token: string }; res: VolunteerVerifyView };
  'volunteer.myHours': { req: Record<string, never>; res: HoursView };
  'volunteer.list': { req: { status?: VolunteerStatus; gridId?: string }; res: VolunteerAdminView[] };
  'volunteer.review': { req: ReviewVolunteerInput; res: VolunteerAdminView };
  'volunteer.contact': { req: { volunteerId: string }; res: { phone: string } };
  'volunteer.stats': { req: Record<string, never>; res: VolunteerStatsView };
  'volunteer.exportHours': { req: { from?: string; to?: string }; res: ExportFileView };
  'volunteer.createShift': { req: ShiftInput; res: ShiftView };
  'volunteer.cancelShift': { req: { shiftId: string }; res: ShiftView };
  'volunteer.shifts': { req: { from?: string } & PageQuery; res: Page<ShiftView> };
  'volunteer.signUp': { req: { shiftId: string }; res: ShiftView };
  'volunteer.cancelSignup': { req: { shiftId: string }; res: ShiftView };
  'volunteer.roster': { req: { shiftId: string }; res: RosterView };

  // ── organisation (issue 7): structure, import, roles, assignment, community dashboard ──
  'org.structure': { req: Record<string, never>; res: StructureView };
  'org.saveGrid': { req: { id?: string; name: string }; res: StructureView };
  'org.saveBuilding': { req: SaveBuildingInput; res: StructureView };
  'org.import': { req: ImportInput; res: ImportReport };
  'org.importTemplate': { req: Record<string, never>; res: ExportFileView };
  'org.staff': { req: Record<string, never>; res: StaffView[] };
  'org.grantRole': { req: { openid: string; role: GrantableRole; gridIds?: string[] }; res: StaffView };
  'org.revokeRole': { req: { openid: string; role: GrantableRole }; res: StaffView };
  'org.saveStaffProfile': { req: StaffProfileInput; res: StaffView };
  'org.createCode': { req: { role: GrantableRole; gridId?: string; maxUses: number; days: number }; res: RoleCodeView };
  'org.codes': { req: PageQuery; res: Page<RoleCodeView> };
  'org.revokeCode': { req: { code: string }; res: RoleCodeView };
  'org.redeemCode': { req: { code: string }; res: RedeemView };
  'org.planAssignment': { req: { pins: AssignPinInput[] }; res: AssignPlanView };
  'org.applyAssignment': { req: { basis: string; parts: AssignPinInput[] }; res: { grids: number; workers: number; changed: boolean } };
  'org.dashboard': { req: Record<string, never>; res: CommunityDashboardView };

  // ── dispatch (issue 4): order pool, lists, automatic dispatch, delivery jobs ──
  'dispatch.pool': { req: PoolQuery; res: PoolView };
  'dispatch.review': { req: { orderIds: string[]; accept: boolean; reason?: string }; res: { changed: number; skipped: number } };
  'dispatch.requeue': { req: { orderId: string }; res: { orderId: string } };
  'dispatch.purchaseList': { req: { roundId: string; gridId?: string }; res: PurchaseListView };
  'dispatch.packingList': { req: { roundId: string; gridId: string }; res: PackingListView };
  'dispatch.exportLists': { req: { roundId: string; gridId?: string; list: 'purchase' | 'packing' }; res: ExportFileView };
  'dispatch.run': { req: { gridId: string; roundId?: string }; res: DispatchRunView };
  'dispatch.board': { req: { gridId: string }; res: BoardView };
  'dispatch.reassign': { req: { jobId: string; volunteerId: string; fromVolunteerId: string | null }; res: JobCardView };
  'dispatch.openJobs': { req: PageQuery; res: Page<JobCardView> };
  'dispatch.myJobs': { req: PageQuery; res: Page<JobCardView> };
  'dispatch.grab': { req: { jobId: string }; res: JobDetailView };
  'dispatch.job': { req: { jobId: string }; res: JobDetailView };
  'dispatch.release': { req: { jobId: string; reason: string }; res: { jobId: string } };
  'dispatch.pickUp': { req: { jobId: string; counts: Record<string, number> }; res: PickupView };
  'dispatch.deliver': { req: DeliverInput; res: StopResultView };
  'dispatch.fail': { req: { jobId: string; orderId: string; reason: string }; res: StopResultView };
}

// ── volunteers (issue 5) ──

/** A volunteer's registration (报到) as the form sends it. */
export interface VolunteerInput {
  name: string;
  /** Omitted when registering again: keep the stored number (the page only ever sees it masked). */
  phone?: string;
  partyMember: boolean;
  partyBranch?: string;
  workUnit: string;
  communityId: string;
  gridIds: string[];
  teamsWished: VolunteerTeam[];
  skills: VolunteerSkill[];
  slots: TimeSlot[];
  health: { noSymptoms: boolean; noRiskContact: boolean; promise: boolean };
}

/** Registration fields both the volunteer and the reviewing staff see as stored. */
type VolunteerShownFields =
  | 'status'
  | 'name'
  | 'partyMember'
  | 'partyBranch'
  | 'workUnit'
  | 'gridIds'
  | 'teamsWished'
  | 'skills'
  | 'slots'
  | 'team'
  | 'capacityKg'
  | 'rejectReason';

/** The volunteer's own view of their registration (their own name; phone masked). */
export interface MyVolunteerView extends Pick<VolunteerDoc, VolunteerShownFields | 'communityId' | 'onDuty' | 'dutySince'> {
  statusText: string;
  phoneMasked: string;
  communityName: string;
  gridNames: string[];
  buildingNames: string[];
  /** Grids and teams asked for on registering again, waiting for review (what was approved stays in force). */
  pendingChange: PendingVolunteerChange | null;
}

/** A change an approved volunteer asked for, waiting for review. */
export interface PendingVolunteerChange {
  gridIds: string[];
  gridNames: string[];
  teamsWished: VolunteerTeam[];
  requestedAt: string;
}

/** A volunteer as the reviewing staff see them (phone masked; `volunteer.contact` reveals it). */
export interface VolunteerAdminView extends Pick<VolunteerDoc, VolunteerShownFields | 'buildingIds'> {
  id: string;
  phoneMasked: string;
  gridNames: string[];
  onDuty: boolean;
  idle: boolean;
  createdAt: string;
  /** A change of grids or teams waiting for review (approving the volunteer again approves it). */
  pendingChange: PendingVolunteerChange | null;
}

/** Approving (with team and buildings) or rejecting (with a reason) a registration. */
export interface ReviewVolunteerInput {
  volunteerId: string;
  approve: boolean;
  reason?: string;
  team?: VolunteerTeam;
  buildingIds?: string[];
  capacityKg?: number;
}

/** The volunteer card (志愿者证): its QR carries a signed token the checkpoint verifies. */
export interface VolunteerCardView {
  name: string;
  team: VolunteerTeam | null;
  teamText: string;
  communityName: string;
  status: VolunteerStatus;
  statusText: string;
  onDuty: boolean;
  token: string;
  qr: string;
  validUntil: string;
}

/** What the checkpoint sees after scanning a volunteer card. */
export interface VolunteerVerifyView {
  status: 'valid' | 'expired' | 'revoked' | 'invalid';
  text: string;
  nameMasked: string | null;
  teamText: string | null;
  communityName: string | null;
  onDuty: boolean | null;
}

/** Service hours of the caller: on-duty sessions and completed deliveries. */
export interface HoursView {
  totalMinutes: number;
  totalHoursText: string;
  sessions: Array<{ startAt: string; endAt: string | null; minutes: number }>;
  jobsDelivered: number;
  shiftsServed: number;
}

/** Statistics for admins: by team, party-member share, on duty now, idle volunteers. */
export interface VolunteerStatsView {
  total: number;
  byStatus: Record<VolunteerStatus, number>;
  byTeam: Array<{ team: VolunteerTeam; text: string; approved: number; onDuty: number }>;
  partyMembers: number;
  /** Share of party members among approved volunteers, 0–1. */
  partyShare: number;
  onDutyNow: number;
  /** Approved but never put to work, oldest first (a known complaint of volunteer platforms). */
  idle: Array<{ id: string; name: string; phoneMasked: string; teamsWished: VolunteerTeam[]; since: string }>;
  pending: number;
}

/** A shift as the community defines it. */
export interface ShiftInput {
  team: VolunteerTeam;
  title: string;
  place: string;
  date: string;
  start: string;
  end: string;
  capacity: number;
  qualifications: VolunteerSkill[];
  cancelBeforeHours: number;
}

/** A shift as volunteers and staff see it. */
export interface ShiftView {
  id: string;
  team: VolunteerTeam;
  teamText: string;
  title: string;
  place: string;
  date: string;
  start: string;
  end: string;
  capacity: number;
  taken: number;
  qualifications: VolunteerSkill[];
  status: 'open' | 'cancelled';
  /** Sign-up deadline for cancelling, China time ISO. */
  cancelBy: string;
  /** The caller holds a seat. */
  mine: boolean;
  /** The caller could sign up now (volunteers only); else why not. */
  canSignUp: boolean;
  whyNot: string | null;
  canCancel: boolean;
}

/** Who signed up for a shift (staff). */
export interface RosterView {
  shift: ShiftView;
  people: Array<{ id: string; name: string; phoneMasked: string; team: VolunteerTeam | null; signedAt: string; onDuty: boolean }>;
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
  /** `noRound`: no round named and none open, so no card can count as this round's. */
  status: 'valid' | 'expired' | 'otherRound' | 'otherHolder' | 'invalid' | 'noRound';
  /** The round the card was checked against (the named one, else the community's open round). */
  checkedRoundId: string | null;
  checkedRoundName: string | null;
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
  /** 取货码 the resident shows the volunteer (issue 4): only to the household, while on its way. */
  handoverCode?: string | null;
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

// ── organisation (issue 7) ──

/** The community's structure as its admin edits it: grids, their buildings and staff. */
export interface StructureView {
  community: CommunityView;
  grids: Array<{
    id: string;
    name: string;
    householdCount: number;
    gridworkers: Array<{ openid: string; name: string }>;
    groupLeaders: Array<{ openid: string; name: string }>;
    buildings: Array<{ id: string; name: string; floors: number; hasLift: boolean; distanceM: number; households: number }>;
  }>;
}

/** Adding or changing a building (community admin). */
export interface SaveBuildingInput {
  id?: string;
  gridId: string;
  name: string;
  floors: number;
  hasLift: boolean;
  distanceM: number;
}

/** A spreadsheet to import (CSV or .xlsx), as base64 or a cloud file id. */
export interface ImportInput {
  fileName: string;
  base64?: string;
  fileId?: string;
  /** Only validate and preview; write nothing. */
  dryRun: boolean;
}

/** One rejected row of an import (row numbers as the spreadsheet shows them, header = 1). */
export interface ImportRowError {
  row: number;
  column: string | null;
  message: string;
}

/** What an import found and did; nothing is written while any row has an error. */
export interface ImportReport {
  rows: number;
  errors: ImportRowError[];
  /** True when the file was written (no errors, not a dry run). */
  applied: boolean;
  grids: { created: number; existing: number };
  buildings: { created: number; existing: number };
  households: { created: number; existing: number };
}

/** A member of staff (or anyone holding a role) of the community. */
export interface StaffView {
  openid: string;
  name: string;
  roles: Role[];
  gridIds: string[];
  phoneMasked: string | null;
  capacity: number | null;
  homeBuildingId: string | null;
  mustGridIds: string[];
  mustNotGridIds: string[];
}

/** What the assignment needs to know about a gridworker or group leader. */
export interface StaffProfileInput {
  openid: string;
  capacity: number;
  homeBuildingId: string | null;
  mustGridIds: string[];
  mustNotGridIds: string[];
}

/** An invitation code for a role. */
export interface RoleCodeView {
  code: string;
  role: GrantableRole;
  gridId: string | null;
  gridName: string | null;
  maxUses: number;
  used: number;
  revoked: boolean;
  expiresAt: string;
}

/** What redeeming a code gave the caller. */
export interface RedeemView {
  role: GrantableRole;
  gridId: string | null;
  communityName: string;
  /** False when the caller had already redeemed this code (nothing counted twice). */
  fresh: boolean;
}

/** A pin (keep this grid, or these buildings of it, with this worker), or a part of a plan to apply. */
export interface AssignPinInput {
  gridId: string;
  workerId: string;
  buildingIds?: string[];
}

/** A proposed gridworker assignment, with reasons and its balance. */
export interface AssignPlanView {
  /** Fingerprint of the assignment in force when planned: applying refuses if it changed since. */
  basis: string;
  grids: Array<{
    gridId: string;
    gridName: string;
    households: number;
    specialNeeds: number;
    /** Why it went to whom (Chinese). */
    reason: string;
    workers: Array<{ workerId: string; name: string; role: 'gridworker' | 'groupLeader'; lead: boolean; pinned: boolean; buildingIds: string[]; buildingNames: string[]; load: number }>;
  }>;
  workers: Array<{ workerId: string; name: string; role: 'gridworker' | 'groupLeader'; capacity: number | null; load: number; specialLoad: number; gridIds: string[] }>;
  uncovered: Array<{ gridId: string; gridName: string; buildingNames: string[]; reason: string }>;
  warnings: string[];
  maxLoad: number;
  minLoad: number;
  /** max/min worker load (1 is perfect balance); null when someone holds nothing. */
  loadMaxMin: number | null;
  specialLoadMaxMin: number | null;
  /** Total load over workers: no plan can have a lower max load. */
  averageLoad: number;
}

/** A member's recurring needs as the gridworker records them (consent required). */
export interface CareInput {
  householdId: string;
  memberId: string;
  dialysisWeekdays: number[];
  refillEveryDays: number;
  lastRefillOn: string | null;
  note?: string;
}

/** One line of the special-needs ledger (names masked). */
export interface CareLedgerRow {
  householdId: string;
  memberId: string;
  buildingName: string;
  room: string;
  nameMasked: string;
  needs: SpecialNeed[];
  dialysisWeekdays: number[];
  /** Dialysis is today (China day). */
  dialysisToday: boolean;
  refillEveryDays: number;
  lastRefillOn: string | null;
  /** Next refill day, or null when no cycle is recorded. */
  refillDueOn: string | null;
  /** Days until the refill is due (negative: overdue). */
  refillInDays: number | null;
  note: string;
}

/** Counts that both dashboards show. */
export interface DashboardCounts {
  households: number;
  joined: number;
  /** 入群率, 0..1. */
  joinRate: number;
  ordersToday: Partial<Record<OrderStatus, number>>;
  ordersTodayTotal: number;
  /** Orders delivered to the door today (from the orders' timelines). */
  deliveredToday: number;
  /** Delivery trips (dispatch jobs): under way now, finished today; null without the dispatch. */
  jobs: { active: number; doneToday: number } | null;
  testing: { roundId: string; roundName: string; sampled: number; total: number } | null;
  specialNeeds: number;
  contactedToday: number;
}

/** The dashboard of one grid, for its gridworker (and the admin). */
export interface GridDashboardView extends DashboardCounts {
  gridId: string;
  gridName: string;
  day: string;
  buildings: Array<{ buildingId: string; buildingName: string; households: number; joined: number; joinRate: number }>;
  ledger: CareLedgerRow[];
  /** Special-needs households not contacted today (the ones called every day). */
  notContacted: Array<{ householdId: string; buildingName: string; room: string; headMasked: string; needs: SpecialNeed[] }>;
  notices: NoticeView[];
}

/** The community dashboard: every grid's counts and the totals. */
export interface CommunityDashboardView {
  communityName: string;
  day: string;
  totals: DashboardCounts;
  grids: Array<DashboardCounts & { gridId: string; gridName: string; gridworkers: string[]; notContacted: number }>;
}

// ── dispatch (issue 4) ──

/** What every list action takes: where to go on from (the last page's `nextCursor`) and how many. */
export interface PageQuery {
  /** Opaque: the `nextCursor` of the page before. Omitted: the first page. */
  cursor?: string;
  /** Items per page, 1–100 (default 50). */
  limit?: number;
}

/** One page of a list: its items, where the next page starts (null: this is the last), and how many in all. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total: number;
}

/** A page of a grid's households, and how many of all of them have joined. */
export interface GridHouseholdPage extends Page<GridHouseholdView> {
  joined: number;
}

/** Filters of the gridworker's order pool. */
export interface PoolQuery extends PageQuery {
  /** Omitted: the caller's first grid. */
  gridId?: string;
  roundId?: string;
  kind?: OrderKind;
  buildingId?: string;
  status?: OrderStatus;
  priority?: boolean;
}

/** An order in the pool (room shown, phone masked). */
export interface PoolOrderView {
  id: string;
  kind: OrderKind;
  status: OrderStatus;
  statusText: string;
  roundId: string;
  buildingId: string;
  buildingName: string;
  room: string;
  headMasked: string;
  phoneMasked: string;
  lines: Array<{ itemId: string; name: string; unit: Unit; qty: number }>;
  medicine: string | null;
  priority: boolean;
  contactless: boolean;
  note: string;
  weightKg: number;
  rejectReason: string | null;
  jobId: string | null;
  shortfall: ShortLine[];
  failReason: string | null;
  createdAt: string;
}

/** The gridworker's order pool (a page of it) with what its filters can pick from. */
export interface PoolView extends Page<PoolOrderView> {
  gridId: string;
  grids: Array<{ id: string; name: string }>;
  rounds: Array<{ id: string; name: string }>;
  buildings: Array<{ id: string; name: string }>;
  counts: Partial<Record<OrderStatus, number>>;
}

/** 采购汇总: totals per item, explicit units. */
export interface PurchaseListView {
  roundId: string;
  roundName: string;
  scope: string;
  orderCount: number;
  items: Array<{ itemId: string; name: string; unit: Unit; qty: number; orders: number }>;
  medicine: number;
  gas: number;
}

/** 分拣单: per building, then room; phones masked. */
export interface PackingListView {
  roundId: string;
  roundName: string;
  gridName: string;
  buildings: Array<{
    buildingId: string;
    buildingName: string;
    rooms: Array<{ orderId: string; room: string; headMasked: string; phoneMasked: string; priority: boolean; contactless: boolean; lines: string; note: string }>;
  }>;
}

/** A job as lists show it. */
export interface JobCardView {
  id: string;
  title: string;
  status: JobStatus;
  statusText: string;
  buildingNames: string[];
  stopCount: number;
  pendingCount: number;
  weightKg: number;
  priority: boolean;
  medicine: boolean;
  reason: string;
  volunteerId: string | null;
  volunteerName: string | null;
  mine: boolean;
  pickupBy: string | null;
  pickupShortfall: ShortLine[];
}

/** One stop as the job's volunteer sees it; room/phone only while the job is theirs. */
export interface JobStopView {
  orderId: string;
  floor: number;
  status: OrderStatus;
  statusText: string;
  /** Building and room, or null when the job is not the caller's. */
  address: string | null;
  /** Whole phone for the job's volunteer; null otherwise. */
  phone: string | null;
  headName: string | null;
  lines: Array<{ itemId: string; name: string; unit: Unit; qty: number }>;
  priority: boolean;
  medicine: boolean;
  contactless: boolean;
  note: string;
  weightKg: number;
  shortfall: ShortLine[];
  failReason: string | null;
}

/** A job with its stops and what to count at pickup. */
export interface JobDetailView extends JobCardView {
  totals: Array<{ itemId: string; name: string; unit: Unit; qty: number }>;
  stops: JobStopView[];
}

/** A job just picked up: its card and the orders now on their way (the page already shows the doors). */
export interface PickupView {
  job: JobCardView;
  pickedUp: string[];
}

/** What a dispatch run did. */
export interface DispatchRunView {
  jobs: JobCardView[];
  assignedOrders: number;
  openOrders: number;
  /** Orders already taken by another run (idempotent re-run). */
  skipped: number;
  unassigned: Array<{ orderId: string; room: string; reason: string }>;
}

/** The dispatch board: jobs of the grid, on-duty volunteers, shortfalls. */
export interface BoardView {
  gridId: string;
  gridName: string;
  jobs: Array<JobCardView & { stops: Array<{ orderId: string; room: string; status: OrderStatus; statusText: string; shortfall: ShortLine[]; failReason: string | null }> }>;
  volunteers: Array<{ id: string; name: string; capacityKg: number; activeJobs: number }>;
  acceptedWaiting: number;
}

/** Handing over an order at the door: the resident's code, or a photo when nobody answers. */
export interface DeliverInput {
  jobId: string;
  orderId: string;
  code?: string;
  photoFileId?: string;
  /** Counted at the door per item id; omitted items are all there. */
  counts?: Record<string, number>;
}

/** The result of delivering or failing one stop. */
export interface StopResultView {
  orderId: string;
  status: OrderStatus;
  shortfall: ShortLine[];
  jobStatus: JobStatus;
}
