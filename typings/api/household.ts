/** Residents: finding their grid, joining it, keeping the household profile. */
import type { AgeBand, HouseholdMember, JoinStatus, JoinVia, Relation, SpecialNeed } from '../entities';

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

/**
 * WeChat group open data as the platform puts it in the event's top-level `group` field, in place of
 * the `wx.cloud.CloudID` the page sent (never part of a payload: functions read it from the context).
 */
export interface GroupOpenData {
  cloudID: string;
  data?: { openGId?: string; opengid?: string };
  errCode?: number;
  errMsg?: string;
}

/**
 * How the resident arrived: an invite QR's token, or (no token) the grid's WeChat group, sent as
 * the call's `openData: {group: cloudID}` option.
 */
export interface EntryRequest {
  inviteToken?: string;
}

/** The grid an entry leads to. */
export interface EntryView {
  communityId: string;
  communityName: string;
  gridId: string;
  gridName: string;
  via: JoinVia;
  /** The building a door poster's invite names (the join page fills it in); absent otherwise. */
  buildingId?: string;
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

/** The actions of `household`: request and response of each. */
export interface HouseholdActions {
  'household.communities': { req: Record<string, never>; res: CommunityView[] };
  'household.directory': { req: { communityId: string }; res: DirectoryView };
  'household.resolveEntry': { req: EntryRequest; res: EntryView };
  'household.requestJoin': { req: JoinInput; res: JoinView };
  'household.myJoin': { req: Record<string, never>; res: JoinView | null };
  'household.get': { req: Record<string, never>; res: HouseholdView };
  'household.update': { req: HouseholdInput; res: HouseholdView };
}
