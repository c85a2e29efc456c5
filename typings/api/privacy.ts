/**
 * The end of the emergency (PIPL, issue 14): the admin's declaration (解封) and the purge it
 * schedules, the access log of unmasked phones and addresses, a resident's account closure (注销),
 * and what residents are told about retention.
 */
import type { AccessField, EmergencyEndStatus } from '../entities';
import type { Page, PageQuery } from './common';

/** One step of the purge plan as the admin's report shows it. */
export interface PurgeStepView {
  id: string;
  /** What goes, in Chinese (e.g. 核酸采样记录、检测结果和采样卡). */
  label: string;
  collection: string;
  /** `delete`: whole documents go; `clear`: the sensitive fields are cleared, the rest stays. */
  action: 'delete' | 'clear';
  /** Documents it takes (dry run: now; a record: what went). */
  count: number;
  /** Storage files it deletes (photos). */
  files: number;
}

/** What a purge deleted, after it ran. */
export interface PurgeRecordView {
  declarationId: string;
  declaredAt: string;
  declaredByName: string;
  retentionDays: number;
  startedAt: string;
  finishedAt: string;
  steps: PurgeStepView[];
  documents: number;
  files: number;
  aggregates: number;
}

/** The community's emergency-end state, the dry run of the purge and the records of past purges. */
export interface EmergencyView {
  /** null: the emergency was never declared over. */
  status: EmergencyEndStatus | null;
  declarationId: string | null;
  retentionDays: number;
  /** Default retention when declaring. */
  defaultRetentionDays: number;
  declaredAt: string | null;
  declaredByName: string | null;
  purgeAt: string | null;
  purgedAt: string | null;
  /** Undo is possible until the purge begins. */
  canUndo: boolean;
  canDeclare: boolean;
  /** What the purge would delete if it ran now (nothing written to compute it). */
  dryRun: { steps: PurgeStepView[]; documents: number; files: number };
  /** What stays: the kinds of anonymous aggregates, and the collections left as they are. */
  keeps: string[];
  records: PurgeRecordView[];
}

/** One access-log entry as the admin sees it (by name, never by OPENID). */
export interface AccessLogView {
  id: string;
  at: string;
  viewerName: string;
  /** The viewer's roles at the time of reading (empty: closed account). */
  viewerRoles: string[];
  view: string;
  /** The view in Chinese (配送任务详情, 本网格住户 …). */
  viewText: string;
  shown: AccessField[];
  rows: number;
  subject: string;
}

/** What closing an account did. */
export interface ClosureView {
  /** False when there was no account to close (a retried closure that had finished). */
  closed: boolean;
  /** What happened to the household: deleted (the last member), left (others remain), none. */
  household: 'deleted' | 'left' | 'none';
  ordersAnonymised: number;
  /** Documents deleted, per collection. */
  deleted: Record<string, number>;
  files: number;
}

/** What residents are told about retention (privacy page, home banner). */
export interface RetentionNotice {
  retentionDays: number;
  /** Set while the emergency is declared over and not yet purged (or after: `purgedAt`). */
  declaredAt: string | null;
  purgeAt: string | null;
  purgedAt: string | null;
  /** Days the access log is kept. */
  accessLogDays: number;
}

/** The actions of the end of the emergency (served by `org` and `user`). */
export interface PrivacyActions {
  'org.emergency': { req: Record<string, never>; res: EmergencyView };
  'org.declareEnd': { req: { retentionDays: number }; res: EmergencyView };
  'org.undoEnd': { req: Record<string, never>; res: EmergencyView };
  'org.accessLog': { req: PageQuery; res: Page<AccessLogView> };
  'user.close': { req: { confirm: true }; res: ClosureView };
  'user.retention': { req: Record<string, never>; res: RetentionNotice };
}
