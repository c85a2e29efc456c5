/** Entities shared by pages and cloud functions (stored documents and their views). */
import type {
  BookingOutcome,
  BookingReason,
  BookingStatus,
  CodeColor,
  KeyPersonKind,
  CatalogCategory,
  GrantableRole,
  KnockStatus,
  MedicineUrgency,
  OutboxStatus,
  SubscribeTemplate,
  TestResult,
  Role,
  SpecialNeed,
  VolunteerTeam,
  AgeBand,
  Relation,
  Unit,
  OrderStatus,
  JoinVia,
  JoinStatus,
  OrderKind,
  PaymentMode,
  VolunteerStatus,
  VolunteerSkill,
  CarryAid,
  GasLeg,
  TimeSlot,
  ContactMethod,
  JobStatus,
  PayState,
  RefundReason,
  RefundState,
} from './values';

/** The enumerations, defined once in values.ts (tuples, unions and labels). */
export type {
  CatalogCategory,
  DispatchList,
  GrantableRole,
  MedicineUrgency,
  OutboxStatus,
  SubscribeTemplate,
  TestResult,
  Role,
  SpecialNeed,
  VolunteerTeam,
  AgeBand,
  Relation,
  Unit,
  OrderStatus,
  OrderActor,
  OrderEvent,
  JoinVia,
  JoinStatus,
  OrderKind,
  PaymentMode,
  KnockStatus,
  VolunteerStatus,
  VolunteerSkill,
  CarryAid,
  GasLeg,
  TimeSlot,
  ContactMethod,
  JobStatus,
  JobEvent,
  PayState,
  RefundReason,
  RefundState,
} from './values';

/** A community (社区). */
export interface Community {
  _id: string;
  name: string;
  district: string;
  city: string;
  /** What one delivery volunteer may hold at once (absent: `DEFAULT_JOB_LIMITS` of core/jobs). */
  jobLimits?: { maxJobs?: number; maxKg?: number };
}

/** A grid (网格): a few buildings looked after by its gridworkers. */
export interface Grid {
  _id: string;
  communityId: string;
  name: string;
  /** Buildings that belong to this grid. */
  buildingIds: string[];
  gridworkerIds: string[];
  groupLeaderIds: string[];
  householdCount: number;
  /** WeChat groups (openGId) bound to this grid: opening the app from one lands here. */
  groupIds?: string[];
  /** The grid group's QR image the gridworker uploaded (cloud file id). */
  groupQrFileId?: string | null;
}

/** A building (楼栋). */
export interface Building {
  _id: string;
  communityId: string;
  gridId: string;
  name: string;
  floors: number;
  hasLift: boolean;
  /** Walking distance from the community gate, metres. */
  distanceM: number;
  /** Position on the community map, metres east/north of the gate (issue 7: workers living nearby). */
  x?: number;
  y?: number;
}

/** A user of the mini-program, keyed by OPENID. */
export interface UserDoc {
  _id: string;
  nickName: string;
  roles: Role[];
  communityId: string | null;
  /** Grids this user may administer (gridworker, group leader). */
  adminGridIds: string[];
  householdId: string | null;
  /** Staff only: a service phone residents may call (gridworkers, group leaders). */
  phone?: string;
  /** One-time subscribe-message grants left, per template (wx.requestSubscribeMessage). */
  subscriptions?: Partial<Record<SubscribeTemplate, number>>;
  /**
   * Grants taken from `subscriptions` for a message being sent (server/lib/outbox.ts): spent when
   * WeChat accepts it, given back when it refuses for good.
   */
  subscriptionsHeld?: Partial<Record<SubscribeTemplate, number>>;
  /**
   * Marks of outbox drains that moved grants to held (`<claim token>_<template>` → when), so a
   * drain whose batched update changed fewer users than asked knows which; taken off when the
   * grants are spent or given back (server/lib/outbox.ts).
   */
  grantHolds?: Record<string, string>;
  createdAt: string;
}

/** What the caller learns about themselves. */
export interface Me {
  openid: string;
  nickName: string;
  roles: Role[];
  communityId: string | null;
  adminGridIds: string[];
  householdId: string | null;
  /**
   * May record samples (采样登记): the sampler role, staff of a grid, or a volunteer approved in
   * the testing team. The home hides 采样登记 from other volunteers. Absent from older servers.
   */
  sampler?: boolean;
}

/** A person living in a household. */
export interface HouseholdMember {
  id: string;
  name: string;
  relation: Relation;
  ageBand: AgeBand;
  /** Special needs; only stored with the household's separate consent. */
  needs: SpecialNeed[];
  needNote?: string;
}

/** A household (户): one room of one building in one grid. */
export interface HouseholdDoc {
  _id: string;
  communityId: string;
  gridId: string;
  buildingId: string;
  /** Room label as residents say it, e.g. `2-301` (unit-room). */
  room: string;
  floor: number;
  headName: string;
  /** Stored whole; shown masked by default. */
  phone: string;
  members: HouseholdMember[];
  /** OPENIDs bound to this household (family members on their own phones). */
  memberOpenids: string[];
  /** When the household consented to store special-needs (sensitive) data. */
  sensitiveConsentAt: string | null;
  /**
   * For a household without WeChat: the consent its gridworker heard (who gave it, how, on which
   * day) and who recorded it; null when the household consented in the app itself.
   */
  heardConsent?: {
    heardFrom: string;
    method: ContactMethod;
    heardOn: string;
    recordedBy: string;
    recordedAt: string;
  } | null;
  /** Derived from members' needs: orders from this household are served first. */
  priority: boolean;
  createdAt: string;
  /** Ordering state of the round the household last ordered in (absent before its first order). */
  ordering?: HouseholdOrdering;
}

/**
 * What a household has taken of its quota in a round, the door's handover code for that round, and
 * its latest placement (a journal of one slot: overwritten by the next one, so it never grows).
 */
export interface HouseholdOrdering {
  roundId: string;
  /** Item id → quantity ordered this round (orders cancelled or rejected give theirs back). */
  used: Record<string, number>;
  /** 取货码 shared by all of this household's orders of the round (one code per door). */
  code: string;
  /** The latest placement: the sweeper finishes or undoes it if it was cut short. */
  placing: { orderId: string; nonce: string; at: string } | null;
  /** Orders whose quota is being given back (order id → when), while their release finishes. */
  returning?: Record<string, string>;
}

/** A catalogue item of a community. */
export interface CatalogItem {
  _id: string;
  communityId: string;
  name: string;
  category: CatalogCategory;
  unit: Unit;
  /** Price in fen (分); 0 means free. */
  priceFen: number;
  stock: number;
  perHouseholdLimit: number;
  active: boolean;
  /** Who supplies it (issue 19: the round's settlement owes each supplier); absent: 未指定供应商. */
  supplier?: string;
  /**
   * Real weight of one unit, kg (a 10斤 bag of rice 5, a gas cylinder 15): trips are planned by it.
   * Absent: the unit's rough weight (core/jobs `orderWeightKg`).
   */
  kgPerUnit?: number;
}

/** A catalogue item as its community's shop keeps it (the shop's `items`, keyed by item id). */
export type ShopItem = Omit<CatalogItem, '_id' | 'communityId'>;

/** A round as the shop keeps it: open, or still to open. */
export interface ShopRound {
  id: string;
  name: string;
  opensAt: string;
  closesAt: string;
}

/** Stock a placement took and has not yet settled (its order not written yet), for the sweeper. */
export interface StockHold {
  at: string;
  householdId: string;
  /** The placement attempt (its invocation): only the attempt that wrote the order settles it. */
  nonce: string;
  /** Item id → quantity taken. */
  lines: Record<string, number>;
  /** Set by the sweeper before undoing it: a late resume of the placement then stops. */
  undo?: boolean;
}

/**
 * A community's shop, one document per community (`_id` = community id): the catalogue with its
 * stock counters, the ordering rounds open or still to open, and the short-lived markers of work
 * in flight. Its size follows the number of items, never the number of orders: a placement takes
 * stock with one conditional increment and clears its marker as soon as its order is written.
 */
export interface ShopDoc {
  _id: string;
  communityId: string;
  items: Record<string, ShopItem>;
  rounds: ShopRound[];
  /** Placements between taking stock and writing their order (order id → what they took). */
  placing: Record<string, StockHold>;
  /** Stock of cancelled or rejected orders given back, while their release finishes (order id → when). */
  returning: Record<string, string>;
  /** Restocks added lately (request key → what): a retry of one adds nothing; the sweeper clears old ones. */
  restocking: Record<string, { at: string; itemId: string; qty: number; by: string }>;
}

/** A restock of an item, once per request (`_id` = the request key). */
export interface RestockDoc {
  _id: string;
  communityId: string;
  itemId: string;
  qty: number;
  by: string;
  at: string;
}

/** A resident's request to bind their WeChat to a household of a grid (gridworker approves). */
export interface JoinRequestDoc {
  _id: string;
  openid: string;
  communityId: string;
  gridId: string;
  buildingId: string;
  room: string;
  headName: string;
  phone: string;
  via: JoinVia;
  status: JoinStatus;
  reason: string | null;
  householdId: string | null;
  createdAt: string;
  reviewedBy: string | null;
  reviewedAt: string | null;
}

/** An invite behind a grid's QR code. */
export interface InviteDoc {
  _id: string;
  communityId: string;
  gridId: string;
  /** A door poster's invite names its building (the join page fills it in); absent for the grid's own. */
  buildingId?: string | null;
  createdBy: string;
  expiresAt: string;
}

/**
 * The invite a grid (or one of its buildings) currently shows, and its mini-program code image:
 * one document per grid and building (`_id` from both), so every tap gets the same invite and the
 * same stored image, and two concurrent taps cannot make two.
 */
export interface InviteCodeDoc {
  _id: string;
  gridId: string;
  /** null: the grid's own invite (groups page); else a building's door poster. */
  buildingId: string | null;
  /** The current invite (`invites` id, the code's scene `i=<token>`). */
  token: string;
  expiresAt: string;
  /** The code image in cloud storage, once made for this token (WeChat is asked once per invite). */
  fileId: string | null;
  updatedAt: string;
}

/**
 * A WeChat group bound to a grid (issue 13): one document per group (`_id` from its openGId), so a
 * group is bound to one grid even when two bind it at once. The grid's `groupIds` is what lookups use.
 */
export interface GroupBindingDoc {
  _id: string;
  communityId: string;
  gridId: string;
  /** The group's openGId, as the platform said when it was bound. */
  openGId: string;
  /** What the gridworker calls the group (WeChat does not tell apps a group's name); may be empty. */
  label: string;
  boundBy: string;
  boundByName: string;
  boundAt: string;
}

/**
 * The live group order (动态消息, issue 13): one updatable share message per ordering round and
 * group (`openGId` null: shared from outside a group, one per round and grid). `activityId` is
 * WeChat's (`updatableMessage.createActivityId`, valid 24 h); the order function's timer updates the
 * card when the count changed since `sentCount`, and closes it (target_state 1) with the round.
 */
export interface LiveMessageDoc {
  _id: string;
  communityId: string;
  gridId: string;
  roundId: string;
  openGId: string | null;
  activityId: string;
  /** When WeChat forgets the activity id (created + 24 h). */
  expiresAt: string;
  /** `open`: updated as orders arrive; `closed`: target_state 1 sent; `expired`: the id ran out first. */
  state: 'open' | 'closed' | 'expired';
  /** Households that had ordered when the card last said so (what the share set, then each update). */
  sentCount: number;
  /** The card's room_limit: the grid's households when it was made. */
  roomLimit: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * A group member matched to their own household (聊天工具模式, issue 13), made only by that
 * member's own call: their OPENID from the context, their group_openid from the platform's open
 * data. Never guessed, never made for someone else; the member can withdraw it.
 */
export interface GroupMemberDoc {
  _id: string;
  openGId: string;
  groupOpenid: string;
  openid: string;
  communityId: string;
  gridId: string;
  householdId: string;
  matchedAt: string;
}

/** An ordering round (批次): orders are taken between its opening and cutoff. */
export interface RoundDoc {
  _id: string;
  communityId: string;
  name: string;
  opensAt: string;
  closesAt: string;
  createdBy: string;
}

/** One line of an order, priced at the time of ordering. */
export interface OrderLine {
  itemId: string;
  name: string;
  unit: Unit;
  qty: number;
  priceFen: number;
  /** The item's weight per unit when ordered, kg (absent: the unit's rough weight). */
  kgPerUnit?: number;
}

/** A medicine request (free text, optional prescription photo). */
export interface MedicineRequest {
  description: string;
  urgency: MedicineUrgency;
  prescriptionFileId: string | null;
}

/** Where one leg of a gas swap is (core/jobs/gas.ts moves it). */
export type GasLegStatus = 'pending' | 'done';

/**
 * The two legs of a gas-cylinder refill (core/jobs/gas.ts): the empty collected at the door by a
 * collection job, refilled at the station, then the full one delivered by an ordinary delivery job.
 */
export interface GasLegs {
  collectEmpty: GasLegStatus;
  returnFull: GasLegStatus;
  /** The collection job the empty is on (the order itself stays `accepted` during leg 1). */
  collectJobId?: string | null;
  collectedAt?: string | null;
  /** The full cylinder is back from the station (the gridworker says so): leg 2 may be dispatched. */
  fullReadyAt?: string | null;
  returnedAt?: string | null;
}

/** One step on an order's timeline. */
export interface OrderEventRecord {
  status: OrderStatus | 'placing';
  at: string;
  by: string;
  note?: string;
}

/** An order as stored. */
export interface OrderDoc {
  _id: string;
  communityId: string;
  gridId: string;
  buildingId: string;
  householdId: string;
  room: string;
  roundId: string;
  kind: OrderKind;
  lines: OrderLine[];
  medicine: MedicineRequest | null;
  gas: GasLegs | null;
  totalFen: number;
  payment: PaymentMode;
  contactless: boolean;
  note: string;
  priority: boolean;
  /** Written once stock and quota are taken (`placing` only in data of older versions). */
  status: OrderStatus | 'placing';
  placedBy: string;
  onBehalf: boolean;
  rejectReason: string | null;
  history: OrderEventRecord[];
  createdAt: string;
  updatedAt: string;
  // What the dispatch adds (absent until the order is accepted / dispatched):
  /** Short code the resident shows the volunteer at the door (取货码). */
  handoverCode?: string | null;
  jobId?: string | null;
  /** The volunteer carrying it (set at pickup). */
  volunteerId?: string | null;
  /** Counted at the door: what was short. */
  shortfall?: ShortLine[];
  /** Photo left as proof when nobody answered. */
  proofFileId?: string | null;
  failReason?: string | null;
  /** The placement attempt that wrote the order (see `StockHold.nonce`). */
  placeNonce?: string;
  /** Giving back stock and quota of an order cancelled or rejected: pending until both are back. */
  release?: { state: 'pending' | 'done'; at: string };
  /** WeChat Pay (issue 19): present on `payment: 'wechatPay'` orders only. */
  pay?: OrderPay;
}

/** The WeChat Pay side of an order (issue 19): only the platform's word (callback checked by a query) makes it paid. */
export interface OrderPay {
  state: PayState;
  /** The platform order number of the current attempt (≤32 chars; core/payment/ids.ts). */
  outTradeNo: string;
  /** Attempts so far (a closed platform order is re-ordered under the next number). */
  attempt: number;
  /** What is charged, fen (= the order's totalFen when placed). */
  amountFen: number;
  /** The platform's transaction id (微信支付订单号), once paid. */
  transactionId: string | null;
  paidAt: string | null;
  /** Unpaid after this, the order is cancelled and its stock and quota go back (core/policy.ts PAY_TIMEOUT_MS). */
  expiresAt: string;
  /** Refunded so far, fen (confirmed and pending both count, so no refund exceeds what was paid). */
  refundedFen: number;
  /** Whose openid the current prepay was made for (the household's resident, or a relative with a pay link). */
  payerOpenid: string | null;
  /** The prepay of the current attempt (`wx.requestPayment` parameters are re-signed from it). */
  prepayId: string | null;
  /** When the platform was last asked about this order (sync, sweeper). */
  checkedAt?: string;
  /** Refunds (outRefundNo) whose amount is counted in `refundedFen`: each counted once. */
  refundIds?: string[];
  /** The current pay link (代付) a relative pays through: only its hash is kept; a new link replaces it. */
  link?: { tokenHash: string; expiresAt: string; by: string } | null;
}

/**
 * A refund (issue 19), `_id` = outRefundNo (core/payment/ids.ts: deterministic per order and change,
 * so a retried change never refunds twice). Retried with backoff until the platform confirms.
 */
export interface RefundDoc {
  _id: string;
  communityId: string;
  orderId: string;
  roundId: string;
  householdId: string;
  outTradeNo: string;
  /** What the order was paid, fen (the platform's `totalFee` of the refund request). */
  totalFen: number;
  amountFen: number;
  reason: RefundReason;
  /** The change in words as the resident sees it (`缺货：青菜 2斤`). */
  reasonText: string;
  state: RefundState;
  /** The platform's refund id, once it accepted the refund. */
  refundId: string | null;
  attempts: number;
  /** When the timer tries (or asks) again; null once done. */
  nextAttemptAt: string | null;
  lastError: string | null;
  createdAt: string;
  doneAt: string | null;
}

/** A notice posted to a grid or the whole community. */
export interface NoticeDoc {
  _id: string;
  communityId: string;
  /** null: for the whole community. */
  gridId: string | null;
  title: string;
  body: string;
  postedBy: string;
  postedAt: string;
}

/** A subscribe message waiting in (or sent from) the outbox (server/lib/outbox.ts). */
export interface OutboxDoc {
  _id: string;
  openid: string;
  template: SubscribeTemplate;
  page: string;
  /** The message's own fields; server/lib/messages.ts maps them to the template's keys when sending. */
  data: Record<string, string>;
  /** The community it concerns (the admin's outbox lists by it); null when unknown. */
  communityId: string | null;
  createdAt: string;
  status: OutboxStatus;
  /** Sends tried so far. */
  attempts: number;
  /** Not tried again before this instant (queued: when queued; retrying: the backoff's end). */
  nextAttemptAt: string;
  /**
   * The claim token of the drain that took it last (kept once settled, so a drain can tell its own
   * settles) and, while `sending`, since when: another drain takes it over only after a lease.
   */
  claim: string | null;
  claimedAt: string | null;
  /** One of the user's grants is held for this message (users.subscriptionsHeld). */
  grantHeld: boolean;
  sentAt: string | null;
  /** Why it is retrying or failed (Chinese, with WeChat's errmsg). */
  error: string | null;
  /** WeChat's errcode of the last try (0: accepted); null before any answer. */
  errcode: number | null;
}

/** A testing round (核酸检测轮次) of a community. */
export interface TestRoundDoc {
  _id: string;
  communityId: string;
  /** Short code used in serial numbers, e.g. `R3`. */
  code: string;
  name: string;
  /** China calendar day of the round. */
  date: string;
  points: string[];
  /** How long a card of this round counts as valid. */
  validHours: number;
  status: 'open' | 'closed';
  openedAt: string;
  closedAt: string | null;
  createdBy: string;
}

/** One person sampled in one round: at most one per member per round. */
export interface SampleDoc {
  _id: string;
  roundId: string;
  communityId: string;
  gridId: string;
  buildingId: string;
  householdId: string;
  memberId: string;
  serial: string;
  sampledAt: string;
  point: string;
  sampler: string;
  /** The signed card. */
  token: string;
  /** A result, if the community records one later; shown apart from "sampled". */
  result: TestResult | null;
}

// ── volunteers (issue 5; the dispatch reads these fields) ──

/**
 * A volunteer's registration, keyed by OPENID (one per person: registering again updates it).
 * The dispatch relies on: `status`, `team`, `onDuty`, `communityId`, `gridIds`, `buildingIds`,
 * `capacityKg`. The volunteers function owns the rest of the document.
 */
export interface VolunteerDoc {
  _id: string;
  communityId: string;
  /** Grids the volunteer can serve. */
  gridIds: string[];
  status: VolunteerStatus;
  /** The team the admin assigned on approval (null until approved). */
  team: VolunteerTeam | null;
  /** Buildings assigned on approval (delivery volunteers); empty: any building of their grids. */
  buildingIds: string[];
  /** On duty now (only on-duty delivery volunteers get delivery jobs). */
  onDuty: boolean;
  /** What they carry in one trip, kg (10–20 in the seeds; from `carry` once declared, core/jobs/carry.ts). */
  capacityKg: number;
  /** What they declared they can carry (kg by hand, and a trolley or vehicle); absent: not declared. */
  carry?: VolunteerCarry | null;
  // ── the volunteers function's fields (issue 5) ──
  /** Real name (shown to the volunteer and the staff reviewing them; masked elsewhere). */
  name: string;
  /** Stored whole; shown masked by default. */
  phone: string;
  partyMember: boolean;
  /** Party branch (党支部) of a party member; null otherwise. */
  partyBranch: string | null;
  workUnit: string;
  teamsWished: VolunteerTeam[];
  skills: VolunteerSkill[];
  slots: TimeSlot[];
  /** null once the purge after the emergency deleted it (core/privacy/purge.ts). */
  health: HealthDeclaration | null;
  /** Why the registration was rejected (shown to the volunteer). */
  rejectReason: string | null;
  reviewedBy: string | null;
  reviewedAt: string | null;
  /** Start of the current on-duty session; null when off duty. */
  dutySince: string | null;
  /** Last time they were put to work (a shift taken, on duty): null means idle since registering. */
  lastActiveAt: string | null;
  createdAt: string;
  updatedAt: string;
  leftAt: string | null;
  /**
   * Grids and teams an approved volunteer asked for on registering again, waiting for review;
   * what was approved (`gridIds`, `teamsWished`) stays in force meanwhile.
   */
  pendingChange?: { gridIds: string[]; teamsWished: VolunteerTeam[]; requestedAt: string } | null;
  /**
   * Delivery jobs the volunteer holds or is grabbing (`<jobId>#<nonce>` claims) and their weight:
   * the per-volunteer cap is one conditional update on these (see dispatch.grab).
   */
  holding?: string[];
  heldKg?: number;
  /** Bumped by every change of `holding`: the compare-and-set of a grab is on it. */
  holdVersion?: number;
}

/** What a volunteer can carry, as they declared it on registering. */
export interface VolunteerCarry {
  /** Kilograms they can carry by hand up the stairs. */
  handKg: number;
  aid: CarryAid;
}

/** A volunteer's health self-declaration (健康承诺). */
export interface HealthDeclaration {
  /** No fever, cough or other symptoms in the last 14 days. */
  noSymptoms: boolean;
  /** No contact with cases, not from a risk area in the last 14 days. */
  noRiskContact: boolean;
  /** Agrees to test on every round and report changes at once. */
  promise: boolean;
  declaredAt: string;
}

/** A shift the community defines for a team (e.g. 卡点 08:00–14:00 at a named checkpoint). */
export interface ShiftDoc {
  _id: string;
  communityId: string;
  team: VolunteerTeam;
  title: string;
  /** Where (a named checkpoint, sampling point, warehouse…). */
  place: string;
  /** China calendar day and wall-clock times. */
  date: string;
  start: string;
  end: string;
  startAt: string;
  endAt: string;
  capacity: number;
  /** Seats taken; only ever changed together with `seats` in one conditional update. */
  taken: number;
  /** Who holds a seat: OPENID → when taken. */
  seats: Record<string, string>;
  qualifications: VolunteerSkill[];
  /** Sign-ups may be cancelled until this many hours before the start. */
  cancelBeforeHours: number;
  status: 'open' | 'cancelled';
  createdBy: string;
  createdAt: string;
}

/** A volunteer's sign-up to a shift (id `<shiftId>:<openid>`; the shift's `seats` is the truth). */
export interface ShiftSignupDoc {
  _id: string;
  shiftId: string;
  volunteerId: string;
  communityId: string;
  startAt: string;
  status: 'active' | 'cancelled';
  signedAt: string;
  cancelledAt: string | null;
}

/** One on-duty session, from check-in to check-out (id `<openid>:<start ms>`). */
export interface DutyLogDoc {
  _id: string;
  volunteerId: string;
  communityId: string;
  startAt: string;
  endAt: string;
  minutes: number;
}

// ── organisation: structure, roles, assignment, dashboard (issue 7) ──

/**
 * What the gridworker assignment knows about a gridworker or group leader (one per person,
 * keyed by OPENID): how much they can take and where they live.
 */
export interface StaffDoc {
  _id: string;
  communityId: string;
  /** Weighted households they can look after (a household weighs 1, a special-needs resident more). */
  capacity: number;
  /** The building they live in (null: unknown). */
  homeBuildingId: string | null;
  /** Grids they must take (e.g. the grid they already know). */
  mustGridIds: string[];
  /** Grids they must not take. */
  mustNotGridIds: string[];
  updatedAt: string;
}

/** An invitation code granting a role (and grid) in a community; counted uses, once per person. */
export interface RoleCodeDoc {
  _id: string;
  communityId: string;
  role: GrantableRole;
  /** The grid a gridworker or group leader code grants; null for other roles. */
  gridId: string | null;
  maxUses: number;
  used: number;
  /** OPENID → when they redeemed it (a person redeems a code at most once). */
  redeemers: Record<string, string>;
  revoked: boolean;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
}

/** A household contacted on a China day (one per household per day, the last one kept). */
export interface ContactDoc {
  _id: string;
  gridId: string;
  householdId: string;
  day: string;
  method: ContactMethod;
  note: string;
  by: string;
  at: string;
}

/**
 * Recurring needs of a member with special needs (sensitive: kept only while the household's
 * special-needs consent stands; shown masked): dialysis days, chronic-medicine refill cycle.
 */
export interface CareDoc {
  _id: string;
  communityId: string;
  gridId: string;
  householdId: string;
  memberId: string;
  /** Weekdays of dialysis, 1 = Monday … 7 = Sunday. */
  dialysisWeekdays: number[];
  /** Days between chronic-medicine refills (0: none). */
  refillEveryDays: number;
  /** China day of the last refill, `YYYY-MM-DD` (null: unknown). */
  lastRefillOn: string | null;
  note: string;
  updatedBy: string;
  updatedAt: string;
}

// ── dispatch (issue 4) ──

/** Fewer counted than expected, at pickup or at the door (物资不落地). */
export interface ShortLine {
  itemId: string;
  name: string;
  unit: Unit;
  expected: number;
  counted: number;
}

/** One stop of a job: one order at one door. */
export interface JobStop {
  orderId: string;
  householdId: string;
  buildingId: string;
  room: string;
  floor: number;
  weightKg: number;
  priority: boolean;
  medicine: boolean;
  lines: Array<Pick<OrderLine, 'itemId' | 'name' | 'unit' | 'qty'>>;
  /** OPENIDs of the household at dispatch time, told when their order moves. */
  notify: string[];
  /** A gas order's leg this stop serves (absent: an ordinary delivery). */
  gasLeg?: GasLeg;
  /** Why the dispatch could not place it (open jobs only), in plain Chinese for the gridworker. */
  unplaced?: string;
}

/** One step on a job's timeline. */
export interface JobEventRecord {
  status: JobStatus;
  at: string;
  by: string;
  note?: string;
}

/** A delivery job (派送任务): several orders of a building/stairwell for one volunteer. */
export interface JobDoc {
  _id: string;
  communityId: string;
  gridId: string;
  roundId: string | null;
  buildingIds: string[];
  /** Names of `buildingIds`, same order (kept on the job so lists need no second read). */
  buildingNames: string[];
  /** e.g. `3号楼 2–11层 · 5户`. */
  title: string;
  stops: JobStop[];
  orderIds: string[];
  /** Orders of the job not yet delivered or failed. */
  pending: string[];
  weightKg: number;
  status: JobStatus;
  volunteerId: string | null;
  /** Why this volunteer (the dispatch's explanation, or 抢单 / 网格员改派). */
  reason: string;
  assignedAt: string | null;
  /** Not picked up by then: the timer returns it to the pool (planned start + grace). */
  pickupBy: string | null;
  pickedUpAt: string | null;
  /** Short lines counted at pickup. */
  pickupShortfall: ShortLine[];
  /** Handover codes tried at the doors of this job (wrong ones count; see `HANDOVER_TRIES`). */
  codeTries?: number;
  /** The doors' 取货码 (order id → code), checked at the door without reading the order; never shown. */
  codes?: Record<string, string>;
  /** `collectEmpty`: a round collecting empty gas cylinders (leg 1); absent: a delivery from the depot. */
  leg?: 'collectEmpty';
  history: JobEventRecord[];
  createdAt: string;
  updatedAt: string;
}

// ── bookkeeping documents of the server ──

/** A claimed client request (idempotency): its owner, state and, once done, its result. */
export interface IdempotencyDoc {
  _id: string;
  state: 'pending' | 'done';
  scope: string;
  owner: string;
  claimedAt: number;
  result?: unknown;
}

/** One applied gridworker assignment (its id is the plan's fingerprint): applied once. */
export interface AssignRunDoc {
  _id: string;
  target: string;
  state: 'applying' | 'done';
  at: string;
  by: string;
}

/** A sequence (e.g. sample serials of a round). */
export interface CounterDoc {
  _id: string;
  seq: number;
}

/** A door knock of a testing round (`<roundId>:<householdId>`): the latest outcome. */
export interface KnockDoc {
  _id: string;
  roundId: string;
  gridId: string;
  householdId: string;
  status: KnockStatus;
  note: string;
  by: string;
  at: string;
  day: string;
}

/** A booked home sampling of one member on one day (`<date>:<householdId>:<memberId>`). */
export interface BookingDoc {
  _id: string;
  date: string;
  gridId: string;
  buildingId: string;
  householdId: string;
  memberId: string;
  bookedBy: string;
  at: string;
  /** Why (明日预约's categories) and the resident's note. */
  reason: BookingReason;
  note: string;
  /** booked → claimed → visited → closed (core/state/machines.ts BOOKING_MACHINE); cancelled by the resident. */
  status: BookingStatus;
  /** The gridworker who claimed it (认领), when. */
  claimedBy: string | null;
  claimedAt: string | null;
  /** The latest knock at the door. */
  knock: KnockStatus | null;
  knockAt: string | null;
  outcome: BookingOutcome | null;
  closedBy: string | null;
  closedAt: string | null;
}

/**
 * One person on a grid's 重点人员 ledger (returnee, home isolation, code colour): sensitive health
 * data, seen only by that grid's gridworker and the community admin, deleted by the purge.
 * `_id` = `<householdId>:<memberId>`.
 */
export interface KeyPersonDoc {
  _id: string;
  communityId: string;
  gridId: string;
  buildingId: string;
  householdId: string;
  memberId: string;
  kinds: Array<KeyPersonKind>;
  /** Where they came back from (returnees). */
  from: string;
  returnedOn: string | null;
  isolationStart: string | null;
  isolationEnd: string | null;
  codeColor: CodeColor;
  note: string;
  /** The China day of the latest check-in, and how many there were. */
  lastCheckDay: string | null;
  checks: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** A gridworker's daily check-in of a key person (`<personId>:<China day>`: one per person per day). */
export interface KeyPersonCheckDoc {
  _id: string;
  personId: string;
  communityId: string;
  gridId: string;
  day: string;
  codeColor: CodeColor;
  /** Whether they reported fever or other symptoms. */
  symptoms: boolean;
  note: string;
  by: string;
  at: string;
}

// ── the end of the emergency: purge, account closure, access log (issue 14, PIPL) ──

/** Where a community's declaration of the emergency's end stands (core/privacy/purge.ts machine). */
export type EmergencyEndStatus = 'declared' | 'undone' | 'purging' | 'purged';

/** How many documents (and storage files) one step of the purge plan takes, by step id. */
export type PurgeCounts = Record<string, number>;

/**
 * A community's declaration that the emergency is over (解封), one document per community
 * (`_id` = community id): after `retentionDays` the purge timer deletes health and special-needs
 * data. Each declaration has its own `declarationId`; undoing it before the purge runs keeps it in
 * `history`, declaring again starts a new one.
 */
export interface EmergencyEndDoc {
  _id: string;
  communityId: string;
  declarationId: string;
  status: EmergencyEndStatus;
  retentionDays: number;
  declaredAt: string;
  declaredBy: string;
  /** When the purge may begin: `declaredAt` + `retentionDays`. */
  purgeAt: string;
  undoneAt: string | null;
  undoneBy: string | null;
  purgeStartedAt: string | null;
  purgedAt: string | null;
  /** What the purge takes, counted once when it begins (the purge record repeats it). */
  planned: PurgeCounts | null;
  plannedFiles: number;
  /** Anonymous aggregates written by this purge (once its first phase is done). */
  aggregates: number;
  /** Steps of the plan finished (a purge cut short continues after the last one). */
  doneSteps: string[];
  /** Earlier declarations and undos, oldest first (a handful: people's decisions, not traffic). */
  history: Array<{ declarationId: string; event: 'declare' | 'undo' | 'purge'; at: string; by: string }>;
  updatedAt: string;
}

/** What one purge deleted (`_id` = the declaration id): written once, when the purge finished. */
export interface PurgeRecordDoc {
  _id: string;
  communityId: string;
  declarationId: string;
  declaredAt: string;
  declaredBy: string;
  retentionDays: number;
  startedAt: string;
  finishedAt: string;
  /** Documents deleted or cleared, per step of the plan. */
  counts: PurgeCounts;
  /** Storage files (prescription and doorstep photos) deleted. */
  files: number;
  /** Anonymous per-grid, per-day aggregates kept. */
  aggregates: number;
}

/** Anonymous counts of one grid on one China day, kept after the purge (`<communityId>:<gridId>:<day>`). */
export interface DailyAggregateDoc {
  _id: string;
  communityId: string;
  gridId: string;
  day: string;
  sampled: number;
  negative: number;
  positive: number;
  homeSamplingBooked: number;
  doorsKnocked: number;
  householdsContacted: number;
  ordersPlaced: number;
  ordersDelivered: number;
  medicineOrders: number;
  priorityOrders: number;
  specialNeedsHouseholds: number;
  careRecords: number;
  /** The declaration whose purge wrote it. */
  declarationId: string;
}

/** What an access-log entry says was shown whole. */
export type AccessField = 'phone' | 'address';

/**
 * One request that showed someone unmasked phones or addresses of residents (`_id` = the
 * invocation id: one entry per request, however many rows): kept for the retention period.
 */
export interface AccessLogDoc {
  _id: string;
  communityId: string;
  /** OPENID of who saw it (shown to the admin by name). */
  viewer: string;
  /** The action that showed it, e.g. `dispatch.job`. */
  view: string;
  shown: AccessField[];
  /** Rows (households, stops) shown in that request. */
  rows: number;
  /** What was looked at: a job, a grid, a volunteer. */
  subject: string;
  at: string;
}
