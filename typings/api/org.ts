/** Organisation: structure, import, roles and codes, gridworker assignment, the community dashboard. */
import type { GrantableRole, OutboxStatus, Role, SubscribeTemplate } from '../entities';
import type { ExportFileView, Page, PageQuery } from './common';
import type { DashboardCounts } from './grid';
import type { CommunityView } from './household';

/** The community's structure as its admin edits it: grids, their buildings and staff. */
export interface StructureView {
  community: CommunityView;
  grids: Array<{
    id: string;
    name: string;
    householdCount: number;
    gridworkers: Array<{ openid: string; name: string }>;
    groupLeaders: Array<{ openid: string; name: string }>;
    buildings: Array<{
      id: string;
      name: string;
      floors: number;
      hasLift: boolean;
      distanceM: number;
      households: number;
    }>;
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
  /** Grids they look after, in natural order, and their names (same order). */
  gridIds: string[];
  gridNames: string[];
  phoneMasked: string | null;
  capacity: number | null;
  homeBuildingId: string | null;
  mustGridIds: string[];
  mustNotGridIds: string[];
}

/** Someone found by name or phone to grant a role to (phone masked; the id is for the grant only, never shown). */
export interface UserMatchView {
  openid: string;
  name: string;
  phoneMasked: string | null;
  roles: Role[];
  /** Their household's building and room, when they are a resident. */
  place: string | null;
  /** Already of this community (else: opened the mini-program, joined no community yet). */
  inCommunity: boolean;
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
    workers: Array<{
      workerId: string;
      name: string;
      role: 'gridworker' | 'groupLeader';
      lead: boolean;
      pinned: boolean;
      buildingIds: string[];
      buildingNames: string[];
      load: number;
    }>;
  }>;
  workers: Array<{
    workerId: string;
    name: string;
    role: 'gridworker' | 'groupLeader';
    capacity: number | null;
    load: number;
    specialLoad: number;
    gridIds: string[];
  }>;
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

/** The community dashboard: every grid's counts and the totals. */
export interface CommunityDashboardView {
  communityName: string;
  day: string;
  totals: DashboardCounts;
  grids: Array<DashboardCounts & { gridId: string; gridName: string; gridworkers: string[]; notContacted: number }>;
}

/** One subscribe message of the community's outbox, as its admin sees it (server/lib/outbox.ts). */
export interface OutboxItemView {
  id: string;
  kind: SubscribeTemplate;
  kindText: string;
  /** The recipient's WeChat nickname ('已注销用户' when the user is gone). */
  recipient: string;
  /** The message's fields, in a line. */
  summary: string;
  status: OutboxStatus;
  statusText: string;
  attempts: number;
  createdAt: string;
  /** Queued or retrying: not tried before this. */
  nextAttemptAt: string | null;
  sentAt: string | null;
  /** Why it is retrying or failed. */
  error: string | null;
}

/** A page of the outbox, newest first, with how many messages are in each state. */
export interface OutboxPage extends Page<OutboxItemView> {
  counts: Record<OutboxStatus, number>;
}

/** The actions of `org`: request and response of each. */
export interface OrgActions {
  'org.structure': { req: Record<string, never>; res: StructureView };
  'org.saveGrid': { req: { id?: string; name: string }; res: StructureView };
  'org.saveBuilding': { req: SaveBuildingInput; res: StructureView };
  'org.import': { req: ImportInput; res: ImportReport };
  'org.importTemplate': { req: Record<string, never>; res: ExportFileView };
  'org.staff': { req: Record<string, never>; res: StaffView[] };
  /** People to grant a role to, by name or phone (community admin). */
  'org.findUsers': { req: { query: string }; res: UserMatchView[] };
  'org.grantRole': { req: { openid: string; role: GrantableRole; gridIds?: string[] }; res: StaffView };
  'org.revokeRole': { req: { openid: string; role: GrantableRole }; res: StaffView };
  'org.saveStaffProfile': { req: StaffProfileInput; res: StaffView };
  'org.createCode': { req: { role: GrantableRole; gridId?: string; maxUses: number; days: number }; res: RoleCodeView };
  'org.codes': { req: PageQuery; res: Page<RoleCodeView> };
  'org.revokeCode': { req: { code: string }; res: RoleCodeView };
  'org.redeemCode': { req: { code: string }; res: RedeemView };
  'org.planAssignment': { req: { pins: AssignPinInput[] }; res: AssignPlanView };
  'org.applyAssignment': {
    req: { basis: string; parts: AssignPinInput[] };
    res: { grids: number; workers: number; changed: boolean };
  };
  'org.dashboard': { req: Record<string, never>; res: CommunityDashboardView };
  /** The community's subscribe messages and where each is (community admin; read-only). */
  'org.outbox': { req: PageQuery & { status?: OutboxStatus }; res: OutboxPage };
}
