/** Testing rounds, person codes, sampled cards and coverage (核酸已采样卡). */
import type { KnockStatus, SpecialNeed, TestResult } from '../entities';
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
  'testing.book': { req: { date: string; memberIds: string[] }; res: { date: string; booked: number } };
  'testing.bookings': { req: { gridId: string; date: string }; res: BookingView[] };
  'testing.publicKeys': { req: Record<string, never>; res: Array<{ keyId: string; publicKey: string }> };
}
