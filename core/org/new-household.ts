import type { HouseholdDoc, HouseholdMember } from '../../typings/entities';
import { floorOf, hasPriority } from '../household';
import { memberIdFor } from './ids';

/** What a new household is made of; its floor, priority and consent follow from it. */
export interface NewHousehold {
  _id: string;
  communityId: string;
  gridId: string;
  buildingId: string;
  room: string;
  headName: string;
  phone: string;
  /** The floor when the source says it (an import's column); otherwise the one floor rule on the room. */
  floor?: number;
  /** The members on record; otherwise one per name of `memberNames`. */
  members?: HouseholdMember[];
  /** Names of the members, the head first (本人, then 其他; 18–59, no needs); default: the head alone. */
  memberNames?: readonly string[];
  memberOpenids?: string[];
  createdAt: string;
}

/**
 * The one builder of a new household document (seed, import, join approval): members get
 * stable ids (`memberIdFor`), a household with special needs is served first and its consent is
 * dated at creation; one without has neither.
 */
export function newHousehold(h: NewHousehold): HouseholdDoc {
  const members =
    h.members ??
    (h.memberNames ?? [h.headName]).map((name, i): HouseholdMember => ({
      id: memberIdFor(h._id, i),
      name,
      relation: i === 0 ? 'self' : 'other',
      ageBand: '18-59',
      needs: [],
    }));
  const priority = hasPriority(members);
  return {
    _id: h._id,
    communityId: h.communityId,
    gridId: h.gridId,
    buildingId: h.buildingId,
    room: h.room,
    floor: h.floor ?? floorOf(h.room),
    headName: h.headName,
    phone: h.phone,
    members,
    memberOpenids: h.memberOpenids ?? [],
    sensitiveConsentAt: priority ? h.createdAt : null,
    priority,
    createdAt: h.createdAt,
  };
}
