import type { FunctionName } from '../../typings/api';
import type { CloudMain } from '../lib/define-function';
import { main as dispatch } from './dispatch';
import { main as grid } from './grid';
import { main as household } from './household';
import { main as order } from './order';
import { main as org } from './org';
import { main as payment } from './payment';
import { main as system } from './system';
import { main as testing } from './testing';
import { main as user } from './user';
import { main as volunteer } from './volunteer';

/** Every cloud function by name: the local cloud serves these, the build bundles each. */
export const FUNCTIONS: Record<FunctionName, CloudMain> = {
  system,
  user,
  household,
  grid,
  order,
  testing,
  volunteer,
  dispatch,
  org,
  // WeChat Pay's callback (issue 19): the platform's notifications, no client actions.
  payment,
};

/** A timer trigger: CloudBase runs it from the function's config.json, the local cloud on an interval. */
export interface TimerSpec {
  fn: FunctionName;
  trigger: string;
  /** CloudBase's 7-field cron (seconds first). */
  cron: string;
  /** The same period, for the local cloud. */
  everyMs: number;
}

/** Every timer trigger of the app. */
export const TIMERS: TimerSpec[] = [
  // One trigger per function (WeChat's config.json takes one). Every minute: a placement cut off by a
  // crash holds nothing for more than 2 minutes (PLACING_TIMEOUT_MS + this), queued messages go out,
  // and deliveries unconfirmed for a day are confirmed.
  { fn: 'order', trigger: 'everyMinute', cron: '0 */1 * * * * *', everyMs: 60_000 },
  // ── dispatch (issue 4) ──
  { fn: 'dispatch', trigger: 'sweepJobs', cron: '0 */2 * * * * *', everyMs: 2 * 60_000 },
  // ── the end of the emergency (issue 14): the purge after the retention period, in batches, and the access log's expiry ──
  { fn: 'org', trigger: 'purge', cron: '0 */10 * * * * *', everyMs: 10 * 60_000 },
];
