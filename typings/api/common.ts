/** Shared pieces of the contract (paging, files, health) and the system and user actions. */
import type { Me, SubscribeTemplate } from '../entities';
import type { BookingStatus } from '../values';

/** What every list action takes: where to go on from (the last page's `nextCursor`) and how many. */
export interface PageQuery {
  /** Opaque: the `nextCursor` of the page before. Omitted: the first page. */
  cursor?: string;
  /** Items per page, 1–100 (default 50). */
  limit?: number;
}

/** One page of a list: its items, where the next page starts (null: this is the last), and how many in all. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total: number;
}

/** An exported spreadsheet (.xlsx, base64) the page saves and opens. */
export interface ExportFileView {
  fileName: string;
  base64: string;
  rows: number;
}

/** Subscribe-message templates the app asks residents to accept. */
export type { SubscribeTemplate } from '../values';

/** Liveness answer of the system function. */
export interface HealthInfo {
  status: 'ok';
  /** Current China time, ISO 8601 with +08:00. */
  now: string;
  runtime: 'cloudbase' | 'local';
}

/** A person to contact. */
export interface ContactView {
  role: 'gridworker' | 'groupLeader' | 'volunteer';
  name: string;
  phone: string | null;
}

/**
 * The day's work on the home page, counted for the caller's roles (issue 12). A part is null when
 * the caller has not that role; grids are summed over the grids the caller looks after (the whole
 * community for its admin).
 */
export interface HomeCounts {
  grids: {
    /** Join requests waiting for review (待审核). */
    joins: number;
    /** Orders waiting to be accepted (待接单). */
    submitted: number;
    /** Accepted orders waiting for dispatch (待派单). */
    accepted: number;
    /** Next-day bookings (today's and later) nobody has claimed yet (明日预约待认领). */
    bookings: number;
    /** Households of which nobody is sampled in the open testing round (未检测户); null: no round open. */
    untested: number | null;
  } | null;
  admin: {
    /** Volunteer registrations waiting for review (志愿者报到待审). */
    volunteers: number;
    /** Subscribe messages that could not be sent (消息发送失败). */
    outboxFailed: number;
  } | null;
  /** A delivery volunteer's jobs on hand (我的任务) and jobs open to grab in their grids (可抢单). */
  volunteer: { myJobs: number; openJobs: number } | null;
  resident: {
    /** Orders of the household not yet received, cancelled or rejected (进行中的订单). */
    activeOrders: number;
    /** The household's next booking (明日预约) today or later, not cancelled. */
    booking: { date: string; status: BookingStatus } | null;
  } | null;
}

/** The actions of `system`, `user`: request and response of each. */
export interface CommonActions {
  'system.health': { req: Record<string, never>; res: HealthInfo };
  'user.me': { req: Record<string, never>; res: Me };
  'user.subscribe': { req: { templates: SubscribeTemplate[] }; res: { accepted: SubscribeTemplate[] } };
  /** The day's work with counts for the caller's home page (issue 12). */
  'user.home': { req: Record<string, never>; res: HomeCounts };
}
