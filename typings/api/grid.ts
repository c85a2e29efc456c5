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
  /** The building a door poster's invite fills in on the join page; null for the grid's own invite. */
  buildingId?: string | null;
  /**
   * The mini-program code image of the invite (`wxacode.getUnlimited` with `scene`, kept in cloud
   * storage: a fileID, or the local cloud's URL), made once per invite; absent when WeChat refused.
   */
  qr?: string;
  /** Why there is no code image (WeChat's refusal, in Chinese), when there is none. */
  qrError?: string;
}

/** What a building's door poster shows (the page draws it; the contact as the gridworker chooses). */
export interface DoorPosterView {
  gridId: string;
  gridName: string;
  communityName: string;
  buildingId: string;
  buildingName: string;
  /** The grid's buildings, to switch the poster to another one. */
  buildings: Array<{ id: string; name: string }>;
  invite: InviteView;
  /**
   * The caller's contact line, both ways: `masked` (name and phone masked, the default on a door)
   * and `full` (their service phone as is; null without one). The page may also print neither.
   */
  contact: { masked: string; full: string | null };
}

/** A WeChat group bound to a grid, as its staff see it. */
export interface BoundGroupView {
  /** The binding's id (to unbind it). */
  id: string;
  /** What the gridworker called it when binding; '' if nothing. */
  label: string;
  /** A short tag of the group's id, to tell unnamed groups apart (`群…a1b2`). */
  tag: string;
  boundByName: string;
  /** null for a group bound before bindings were recorded. */
  boundAt: string | null;
}

/** The grid's bound WeChat groups. */
export interface GridGroupsView {
  gridId: string;
  gridName: string;
  groups: BoundGroupView[];
}

/**
 * The grid of the WeChat group a page was opened from, for whoever opened it (masked only): what a
 * shared card offers a group member who has not joined yet ("加入本网格").
 */
export interface GroupGridView {
  communityName: string;
  gridId: string;
  gridName: string;
  /** The group's name as its gridworker recorded it; '' if none. */
  groupLabel: string;
  /** Gridworkers of the grid, names masked. */
  gridworkers: string[];
  households: number;
  joined: number;
  /**
   * The caller and this grid: `member` of it, `staff` of it, a join request `pending` for it,
   * living in another grid (`elsewhere`), or `none` yet.
   */
  you: 'member' | 'staff' | 'pending' | 'elsewhere' | 'none';
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

/** The grids a member of staff looks after, by name in natural order, with the work waiting in each. */
export interface StaffGridsView {
  grids: Array<{
    id: string;
    name: string;
    /** Orders to accept (待接单). */
    submitted: number;
    /** Accepted orders to dispatch (待派单). */
    accepted: number;
    /** Orders not delivered, to arrange again. */
    failed: number;
    /** Join requests to review. */
    joins: number;
    /** All of the above. */
    waiting: number;
  }>;
  /** The grid a page opens on: the first with any work waiting (else the first); null when none. */
  withWork: string | null;
  /** The first grid with orders waiting (accept, dispatch or arrange again). */
  withOrders: string | null;
  /** The first grid with accepted orders waiting for a volunteer. */
  withDispatch: string | null;
}

/** One parameter of an updatable message's template (WeChat's names: member_count, room_limit, path, version_type). */
export interface UpdatableParameter {
  name: 'member_count' | 'room_limit' | 'path' | 'version_type';
  value: string;
}

/**
 * The live group order (动态消息) of an ordering round, as the page shares it: the page calls
 * `wx.updateShareMenu({withShareTicket: true, isUpdatableMessage: true, activityId, templateInfo:
 * {parameterList}})` and shares `title` / `path`; the cloud then updates the card as orders arrive
 * (WeChat's fixed state-0 text: "成员正在加入，当前 {member_count}/{room_limit} 人") and closes it
 * with the round.
 */
export interface LiveMessageView {
  id: string;
  roundId: string;
  roundName: string;
  activityId: string;
  expiresAt: string;
  closesAt: string;
  /** Households of the grid that have ordered in the round. */
  ordered: number;
  /** Households of the grid (the card's room_limit). */
  households: number;
  /** The card's title, e.g. "已有 37 户下单 · 18:00 截止". */
  title: string;
  /** Where the card leads: the round's order page. */
  path: string;
  parameterList: UpdatableParameter[];
}

/** One household on a 接龙 board: masked (building, room with its last digits hidden). */
export interface ChatBoardRow {
  label: string;
  done: boolean;
  /** Testing: some of the household sampled, not all. */
  partly?: boolean;
}

/**
 * The chat-tool board of the group's grid (聊天工具模式): who has ordered in this round and who is
 * sampled in this testing round, by household, masked. `remind` (staff only) lists the group_openids
 * of members who matched themselves to a household still to order / to be sampled.
 */
export interface ChatBoardView {
  gridId: string;
  gridName: string;
  you: 'staff' | 'member';
  /** The caller has matched themselves to their household in this group. */
  matched: boolean;
  order: {
    roundId: string;
    roundName: string;
    closesAt: string;
    done: number;
    total: number;
    rows: ChatBoardRow[];
  } | null;
  testing: { roundId: string; roundName: string; done: number; total: number; rows: ChatBoardRow[] } | null;
  remind?: { order: string[]; testing: string[] };
}

/** The actions of `grid`: request and response of each. */
export interface GridActions {
  'grid.mine': { req: Record<string, never>; res: MyGridView };
  'grid.joinRequests': { req: { gridId: string; status?: JoinStatus } & PageQuery; res: Page<JoinRequestView> };
  'grid.reviewJoin': { req: { requestId: string; approve: boolean; reason?: string }; res: JoinRequestView };
  /** The grid's (or a building's) current invite and its code image: the same on every tap. */
  'grid.createInvite': { req: { gridId: string; buildingId?: string }; res: InviteView };
  /** A building's door poster: its invite (made once) and what the poster prints. */
  'grid.doorPoster': { req: { gridId: string; buildingId: string }; res: DoorPosterView };
  /** The group is the call's open data (`openData: {group: cloudID}`), never the payload's. */
  'grid.bindGroup': {
    req: { gridId: string; label?: string };
    res: { gridId: string; groups: number; group: BoundGroupView };
  };
  'grid.groups': { req: { gridId: string }; res: GridGroupsView };
  'grid.unbindGroup': { req: { gridId: string; groupId: string }; res: { gridId: string; groups: number } };
  /** The grid of the group the app was opened from (open data, never the payload). */
  'grid.groupGrid': { req: Record<string, never>; res: GroupGridView };
  'grid.setGroupQr': { req: { gridId: string; fileId: string }; res: { gridId: string } };
  /** `q`: a room (prefix, or the number after the unit), the head's name, or the phone's last 4 digits. */
  'grid.households': {
    req: { gridId: string; buildingId?: string; q?: string } & PageQuery;
    res: GridHouseholdPage;
  };
  'grid.postNotice': { req: { gridId: string | null; title: string; body: string }; res: NoticeView };
  /** Grids the caller looks after (gridworker, group leader: theirs; admin: all), with work waiting. */
  'grid.staffGrids': { req: Record<string, never>; res: StaffGridsView };
  'grid.dashboard': { req: { gridId: string }; res: GridDashboardView };
  'grid.recordContact': {
    req: { householdId: string; method: ContactMethod; note?: string };
    res: { householdId: string; day: string };
  };
  'grid.saveCare': { req: CareInput; res: CareLedgerRow };
  /**
   * The round's live group message for the grid (made once per round and group; the group, when the
   * page was opened from one, is the call's open data).
   */
  'grid.liveMessage': { req: { gridId: string; roundId: string }; res: LiveMessageView };
  /** The chat-tool board of the group the call's open data names. */
  'grid.chatBoard': { req: Record<string, never>; res: ChatBoardView };
  /** The caller matches themselves (group_openid from open data) to their own household, with consent. */
  'grid.matchMember': { req: { consent: true }; res: { matched: true; label: string } };
  /** The caller withdraws their own match in the group the open data names. */
  'grid.unmatchMember': { req: Record<string, never>; res: { removed: boolean } };
}
