/** Entities shared by pages and cloud functions (stored documents and their views). */

/** Roles a user can hold; checked by every cloud function. */
export type Role = 'resident' | 'volunteer' | 'gridworker' | 'groupLeader' | 'communityAdmin';

/** Special needs recorded per household member (sensitive personal information). */
export type SpecialNeed = 'elderlyAlone' | 'pregnant' | 'disabled' | 'chronic' | 'dialysis' | 'other';

/** Volunteer teams of the seeds. */
export type VolunteerTeam = 'checkpoint' | 'testing' | 'supplies' | 'disinfection' | 'delivery' | 'counselling';

/** A community (社区). */
export interface Community {
  _id: string;
  name: string;
  district: string;
  city: string;
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
  subscriptions?: Partial<Record<'orderStatus' | 'joinResult' | 'notice', number>>;
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
}

/** Age bands kept instead of birth dates (collect the minimum). */
export type AgeBand = '0-6' | '7-17' | '18-59' | '60-79' | '80+';

/** Relation of a member to the household head. */
export type Relation = 'self' | 'spouse' | 'child' | 'parent' | 'grandchild' | 'other';

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
  /** Derived from members' needs: orders from this household are served first. */
  priority: boolean;
  createdAt: string;
}

/** Units goods are counted in; always explicit. */
export type Unit = '斤' | '份' | '袋' | '瓶' | '罐' | '盒' | '箱' | '个' | '把' | '桶';

/** A catalogue item of a community. */
export interface CatalogItem {
  _id: string;
  communityId: string;
  name: string;
  category: 'vegetable' | 'meat' | 'staple' | 'daily' | 'medicine' | 'gas' | 'loveBag';
  unit: Unit;
  /** Price in fen (分); 0 means free. */
  priceFen: number;
  stock: number;
  perHouseholdLimit: number;
  active: boolean;
}

/** Life of an order, from the resident's tap to their door. */
export type OrderStatus =
  | 'submitted'
  | 'accepted'
  | 'rejected'
  | 'assigned'
  | 'pickedUp'
  | 'delivered'
  | 'failed'
  | 'cancelled'
  | 'received';

/** Who acts on an order. */
export type OrderActor = 'resident' | 'gridworker' | 'volunteer' | 'system';

/** What can happen to an order. */
export type OrderEvent =
  | 'accept'
  | 'reject'
  | 'cancel'
  | 'assign'
  | 'unassign'
  | 'pickUp'
  | 'deliver'
  | 'fail'
  | 'requeue'
  | 'confirm';

/** How a resident found their grid. */
export type JoinVia = 'invite' | 'group' | 'manual';

/** State of a request to join a grid. */
export type JoinStatus = 'pending' | 'approved' | 'rejected';

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
  createdBy: string;
  expiresAt: string;
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

/** What kind of order. */
export type OrderKind = 'grocery' | 'loveBag' | 'medicine' | 'gas';

/** How the resident pays. */
export type PaymentMode = 'free' | 'cashOnDelivery' | 'transfer';

/** One line of an order, priced at the time of ordering. */
export interface OrderLine {
  itemId: string;
  name: string;
  unit: Unit;
  qty: number;
  priceFen: number;
}

/** A medicine request (free text, optional prescription photo). */
export interface MedicineRequest {
  description: string;
  urgency: 'normal' | 'urgent';
  prescriptionFileId: string | null;
}

/** The two legs of a gas-cylinder refill. */
export interface GasLegs {
  collectEmpty: 'pending' | 'done';
  returnFull: 'pending' | 'done';
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
  /** `placing` while stock and quota are being reserved; then the order's life begins. */
  status: OrderStatus | 'placing';
  placedBy: string;
  onBehalf: boolean;
  rejectReason: string | null;
  history: OrderEventRecord[];
  createdAt: string;
  updatedAt: string;
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

/** A subscribe message waiting in (or sent from) the outbox. */
export interface OutboxDoc {
  _id: string;
  openid: string;
  template: 'orderStatus' | 'joinResult' | 'notice';
  page: string;
  data: Record<string, string>;
  createdAt: string;
  sentAt: string | null;
  error: string | null;
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
  result: 'negative' | 'positive' | null;
}

/** Door-knock status of a household not yet sampled in a round. */
export type KnockStatus = 'notHome' | 'cannotCome' | 'refused' | 'scheduled';

// ── volunteers (issue 5; the dispatch reads these fields) ──

/** State of a volunteer's registration (报到). */
export type VolunteerStatus = 'pending' | 'approved' | 'rejected' | 'left';

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
  /** What they carry in one trip, kg (10–20 in the seeds). */
  capacityKg: number;
}
