/** Grids: the resident's grid, join review, households, notices, the gridworker's dashboard and care ledger. */
import type { ContactMethod, JoinStatus, JoinVia, OrderStatus, SpecialNeed } from '../entities';
import type { ContactView, Page, PageQuery } from './common';

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

/** A page of a grid's households, and how many of all of them have joined. */
export interface GridHouseholdPage extends Page<GridHouseholdView> {
  joined: number;
}

/** An invite for the grid's QR code. */
export interface InviteView {
  token: string;
  /** The mini-program code's `scene` (≤ 32 characters). */
  scene: string;
  page: string;
  expiresAt: string;
  /**
   * The mini-program code image of the invite (`wxacode.getUnlimited` with `scene`, kept in cloud
   * storage: a fileID, URL or data URL), once the server makes one (issue 13); absent until then.
   */
  qr?: string;
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
  notContacted: Array<{
    householdId: string;
    buildingName: string;
    room: string;
    headMasked: string;
    needs: SpecialNeed[];
  }>;
  notices: NoticeView[];
}

/** The actions of `grid`: request and response of each. */
export interface GridActions {
  'grid.mine': { req: Record<string, never>; res: MyGridView };
  'grid.joinRequests': { req: { gridId: string; status?: JoinStatus } & PageQuery; res: Page<JoinRequestView> };
  'grid.reviewJoin': { req: { requestId: string; approve: boolean; reason?: string }; res: JoinRequestView };
  'grid.createInvite': { req: { gridId: string }; res: InviteView };
  /** The group is the call's open data (`openData: {group: cloudID}`), never the payload's. */
  'grid.bindGroup': { req: { gridId: string }; res: { gridId: string; groups: number } };
  'grid.setGroupQr': { req: { gridId: string; fileId: string }; res: { gridId: string } };
  'grid.households': { req: { gridId: string; buildingId?: string } & PageQuery; res: GridHouseholdPage };
  'grid.postNotice': { req: { gridId: string | null; title: string; body: string }; res: NoticeView };
  'grid.dashboard': { req: { gridId: string }; res: GridDashboardView };
  'grid.recordContact': {
    req: { householdId: string; method: ContactMethod; note?: string };
    res: { householdId: string; day: string };
  };
  'grid.saveCare': { req: CareInput; res: CareLedgerRow };
}
