/** Volunteers: registration (报到), duty, cards, hours and shifts. */
import type {
  TimeSlot,
  VolunteerCarry,
  VolunteerDoc,
  VolunteerSkill,
  VolunteerStatus,
  VolunteerTeam,
} from '../entities';
import type { ExportFileView, Page, PageQuery } from './common';

/** The registration form filled in from what the app knows (the phone only masked: left empty, it is kept). */
export interface VolunteerPrefillView {
  name: string;
  phoneMasked: string | null;
  communityId: string | null;
  /** Their own grid (a resident's), to preselect. */
  gridId: string | null;
}

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
  /** What they can carry (kg by hand, trolley or vehicle); omitted: keep what was declared. */
  carry?: VolunteerCarry;
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
export interface MyVolunteerView extends Pick<
  VolunteerDoc,
  VolunteerShownFields | 'communityId' | 'onDuty' | 'dutySince'
> {
  statusText: string;
  phoneMasked: string;
  communityName: string;
  gridNames: string[];
  buildingNames: string[];
  /** Grids and teams asked for on registering again, waiting for review (what was approved stays in force). */
  pendingChange: PendingVolunteerChange | null;
  /** What they declared they can carry; null or absent: not yet declared. */
  carry?: VolunteerCarry | null;
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
  /** What they can carry, in words (`徒手10公斤，有小推车`; `单趟15公斤` when not declared). */
  carryText: string;
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
  /** Of the caller's team (or a team they asked for); staff: every shift. The page lists these first. */
  ownTeam?: boolean;
  /** The caller could sign up now (volunteers only); else why not. */
  canSignUp: boolean;
  whyNot: string | null;
  canCancel: boolean;
}

/** Who signed up for a shift (staff). */
export interface RosterView {
  shift: ShiftView;
  people: Array<{
    id: string;
    name: string;
    phoneMasked: string;
    team: VolunteerTeam | null;
    signedAt: string;
    onDuty: boolean;
  }>;
}

/** The actions of `volunteer`: request and response of each. */
export interface VolunteerActions {
  'volunteer.register': { req: VolunteerInput; res: MyVolunteerView };
  'volunteer.me': { req: Record<string, never>; res: MyVolunteerView | null };
  /** What the registration form can be filled in with: what the app already knows of the caller. */
  'volunteer.prefill': { req: Record<string, never>; res: VolunteerPrefillView };
  'volunteer.leave': { req: Record<string, never>; res: MyVolunteerView };
  'volunteer.setDuty': {
    req: { onDuty: boolean };
    res: { onDuty: boolean; dutySince: string | null; releasedJobs: number };
  };
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
}
