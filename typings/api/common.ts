/** Shared pieces of the contract (paging, files, health) and the system and user actions. */
import type { Me, SubscribeTemplate } from '../entities';

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

/** The actions of `system`, `user`: request and response of each. */
export interface CommonActions {
  'system.health': { req: Record<string, never>; res: HealthInfo };
  'user.me': { req: Record<string, never>; res: Me };
  'user.subscribe': { req: { templates: SubscribeTemplate[] }; res: { accepted: SubscribeTemplate[] } };
}
