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
