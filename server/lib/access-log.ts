/**
 * The access log: one entry per request that showed unmasked phones or addresses of residents
 * (core/privacy/access.ts names the views). The entry's id is the invocation's, so however many
 * rows a request shows — or however often a handler asks — it writes once.
 */
import { LOGGED_VIEWS, type LoggedView } from '../../core/privacy/access';
import type { AccessField, AccessLogDoc } from '../../typings/entities';
import { isDuplicateError } from './db-errors';
import type { UserContext } from './define-function';

/**
 * Records that the caller saw `rows` unmasked rows of `view` (nothing when none was shown).
 * `shown` narrows what the view shows whole (e.g. staff see a job's addresses but masked phones).
 */
export async function logAccess(
  ctx: UserContext,
  entry: { view: LoggedView; communityId: string; subject: string; rows: number; shown?: readonly AccessField[] },
): Promise<void> {
  if (entry.rows <= 0) return;
  const doc: AccessLogDoc = {
    _id: ctx.invocationId,
    communityId: entry.communityId,
    viewer: ctx.caller.openid,
    view: entry.view,
    shown: [...(entry.shown ?? LOGGED_VIEWS[entry.view].shown)],
    rows: entry.rows,
    subject: entry.subject,
    at: ctx.now.toISOString(),
  };
  try {
    await ctx.db.collection('accessLog').add(doc);
  } catch (error) {
    if (!isDuplicateError(error)) throw error;
  }
}
