/** Testing rounds, person codes, sampled cards and coverage (核酸已采样卡). */
import type { ContactMethod, KnockStatus, SpecialNeed, TestResult } from '../entities';
import type { BookingOutcome, BookingReason, BookingStatus, CodeColor, KeyPersonKind } from '../values';
import type { ExportFileView, Page, PageQuery } from './common';

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
  result: TestResult | null;
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

/** A sampled member of a grid in a round, with the result kept apart from "sampled" (admin and that grid's gridworker). */
export interface SampledView {
  householdId: string;
  memberId: string;
  buildingName: string;
  room: string;
  nameMasked: string;
  serial: string;
  sampledAt: string;
  /** null: no result recorded yet (sampled only). */
  result: TestResult | null;
}

/** Sampled members of a grid in a round, by serial, with how many of each result. */
export interface ResultsView extends Page<SampledView> {
  gridId: string;
  gridName: string;
  /** The grids whose results the caller sees (to switch, by name). */
  grids: Array<{ id: string; name: string }>;
  counts: { sampled: number; negative: number; positive: number; none: number };
}

/** A person booked for sampling on a day (明日预约核酸检测), as the gridworker's list shows it. */
export interface BookingView {
  householdId: string;
  buildingName: string;
  room: string;
  nameMasked: string;
  needs: SpecialNeed[];
  /** The booking's id, why it was made and where it stands. */
  id: string;
  reason: BookingReason;
  status: BookingStatus;
}

/** A next-day booking as the gridworker's list (明日预约) shows it. */
export interface BookingItemView {
  id: string;
  date: string;
  householdId: string;
  memberId: string;
  buildingName: string;
  room: string;
  nameMasked: string;
  needs: SpecialNeed[];
  reason: BookingReason;
  note: string;
  status: BookingStatus;
  /** Claimed (认领) by the caller; `claimedBy` someone else: their name, masked. */
  mine: boolean;
  claimedBy: string | null;
  knock: KnockStatus | null;
  knockAt: string | null;
  outcome: BookingOutcome | null;
}

/** A grid's bookings of a day, in walking order (building, room), with how many stand where. */
export interface BookingListView extends Page<BookingItemView> {
  gridId: string;
  date: string;
  counts: Record<BookingStatus, number>;
}

/** A resident's own booking and where it stands. */
export interface MyBookingView {
  id: string;
  date: string;
  memberId: string;
  nameMasked: string;
  reason: BookingReason;
  status: BookingStatus;
  knock: KnockStatus | null;
  outcome: BookingOutcome | null;
}

/** One person on the 重点人员 ledger (masked; that grid's gridworker and the admin only). */
export interface KeyPersonView {
  id: string;
  householdId: string;
  memberId: string;
  buildingName: string;
  room: string;
  nameMasked: string;
  kinds: KeyPersonKind[];
  from: string;
  returnedOn: string | null;
  isolationStart: string | null;
  isolationEnd: string | null;
  /** Home isolation still running today (China day). */
  isolating: boolean;
  codeColor: CodeColor;
  note: string;
  checkedToday: boolean;
  lastCheckDay: string | null;
  checks: number;
}

/** A grid's ledger page, in walking order, with who is not yet checked in today. */
export interface KeyPersonsView extends Page<KeyPersonView> {
  gridId: string;
  gridName: string;
  grids: Array<{ id: string; name: string }>;
  today: string;
  counts: { total: number; checkedToday: number; isolating: number; red: number; yellow: number };
}

/** Input of a ledger entry (one per household member). */
export interface KeyPersonInput {
  householdId: string;
  memberId: string;
  kinds: KeyPersonKind[];
  from?: string;
  returnedOn?: string | null;
  isolationStart?: string | null;
  isolationEnd?: string | null;
  codeColor: CodeColor;
  note?: string;
}

/** A household's personal codes for printing (one QR per member, names masked). */
export interface HouseholdCodesView {
  householdId: string;
  place: string;
  gridName: string;
  communityName: string;
  codes: PersonCodeView[];
}

/**
 * An order a gridworker placed for a household (代下单) as its printed slip: the items, the
 * 取货码 the volunteer asks for at the door, and when it comes.
 */
export interface OrderSlipView {
  orderId: string;
  place: string;
  headNameMasked: string;
  lines: Array<{ name: string; qty: number; unit: string; priceFen: number }>;
  totalFen: number;
  payment: string;
  /** 取货码: the household says it to the volunteer (no photo needed). */
  code: string | null;
  roundName: string;
  /** When ordering closed, and the delivery day if the round names one (China time). */
  closesAt: string | null;
  deliveryDay: string | null;
  status: string;
  createdAt: string;
}

/** A household's special needs as its gridworker records them for a household without WeChat. */
export interface HouseholdNeedsView {
  householdId: string;
  place: string;
  /** Someone of the household uses the app: they record (and consent) themselves. */
  joined: boolean;
  members: Array<{ memberId: string; nameMasked: string; needs: SpecialNeed[]; needNote: string }>;
  /** The consent heard (who, how, which day) beside the needs; null: none stored. */
  consent: { heardFrom: string; method: ContactMethod; heardOn: string; recordedAt: string } | null;
}

/** The actions of `testing`: request and response of each. */
export interface TestingActions {
  'testing.openRound': {
    req: { name: string; date: string; points: string[]; validHours: number };
    res: TestRoundView;
  };
  'testing.closeRound': { req: { roundId: string }; res: TestRoundView };
  'testing.rounds': { req: { status?: 'open' | 'closed' } & PageQuery; res: Page<TestRoundView> };
  'testing.personCodes': { req: Record<string, never>; res: PersonCodeView[] };
  'testing.record': { req: RecordSampleInput; res: { duplicate: boolean; card: CardView } };
  /** How many people the caller has recorded in a round (the sampler's own count). */
  'testing.myRecords': { req: { roundId: string }; res: { roundId: string; recorded: number } };
  /** The household's cards: the latest round first, the head's card first within a round. */
  'testing.myCards': { req: Record<string, never>; res: CardView[] };
  'testing.verify': { req: { token: string; roundId?: string; householdId?: string }; res: VerifyView };
  'testing.coverage': { req: { roundId: string; gridId: string }; res: CoverageView };
  'testing.knock': {
    req: { roundId: string; householdId: string; status: KnockStatus; note?: string };
    res: { householdId: string; status: KnockStatus };
  };
  'testing.exportCoverage': { req: { roundId: string; gridId: string }; res: ExportFileView };
  /**
   * Sampled members and their results (no `gridId`: the first grid the caller sees); `serial` finds
   * one tube, `result` only those of a result.
   */
  'testing.results': {
    req: { roundId: string; gridId?: string; serial?: string; result?: TestResult } & PageQuery;
    res: ResultsView;
  };
  'testing.recordResult': {
    req: { roundId: string; householdId: string; memberId: string; result: TestResult };
    res: { serial: string; result: TestResult };
  };
  /** Books sampling at home (明日预约) for members, with a reason; booking again changes nothing already claimed. */
  'testing.book': {
    req: { date: string; memberIds: string[]; reason?: BookingReason; note?: string };
    res: { date: string; booked: number };
  };
  'testing.bookings': { req: { gridId: string; date: string }; res: BookingView[] };
  /** A grid's bookings of a day (default: tomorrow), in walking order, paged; `status` filters. */
  'testing.bookingList': {
    req: { gridId: string; date?: string; status?: BookingStatus } & PageQuery;
    res: BookingListView;
  };
  /** 认领: one gridworker takes a booking (two at once: one wins, the other gets COMMON.CONFLICT). */
  'testing.claimBooking': { req: { bookingId: string }; res: BookingItemView };
  'testing.knockBooking': {
    req: { bookingId: string; status: KnockStatus; note?: string };
    res: BookingItemView;
  };
  'testing.closeBooking': {
    req: { bookingId: string; outcome: BookingOutcome; note?: string };
    res: BookingItemView;
  };
  /** The resident's household's bookings (recent and coming), newest first. */
  'testing.myBookings': { req: Record<string, never>; res: MyBookingView[] };
  'testing.cancelBooking': { req: { bookingId: string }; res: MyBookingView };
  /** 重点人员 ledger of a grid (no `gridId`: the first the caller sees). */
  'testing.keyPersons': {
    req: { gridId?: string; kind?: KeyPersonKind } & PageQuery;
    res: KeyPersonsView;
  };
  'testing.saveKeyPerson': { req: KeyPersonInput; res: KeyPersonView };
  /** The day's check-in of a key person by the gridworker (one per person per China day). */
  'testing.checkKeyPerson': {
    req: { personId: string; codeColor: CodeColor; symptoms: boolean; note?: string };
    res: { personId: string; day: string; duplicate: boolean; codeColor: CodeColor };
  };
  /** A household's personal codes for a printed sheet (its grid's staff). */
  'testing.householdCodes': { req: { householdId: string }; res: HouseholdCodesView };
  /**
   * Slips of the orders placed for households of a grid (代下单), newest first; `orderId`: that one
   * only. That grid's gridworker and the community admin only.
   */
  'testing.orderSlips': { req: { gridId: string; orderId?: string } & PageQuery; res: Page<OrderSlipView> };
  'testing.householdNeeds': { req: { householdId: string }; res: HouseholdNeedsView };
  /**
   * The gridworker records special needs for a household without WeChat, with the consent heard
   * beside them (no needs left: the consent and the needs are withdrawn).
   */
  'testing.recordNeeds': {
    req: {
      householdId: string;
      members: Array<{ memberId: string; needs: SpecialNeed[]; needNote?: string }>;
      consent?: { heardFrom: string; method: ContactMethod; heardOn: string };
    };
    res: HouseholdNeedsView;
  };
  'testing.publicKeys': { req: Record<string, never>; res: Array<{ keyId: string; publicKey: string }> };
}
