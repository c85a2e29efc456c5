/** Helpers of the organisation side, shared by the `org` and `grid` functions. */
import { AppError } from '../../../core/errors';
import type { UserDoc } from '../../../typings/entities';
import type { CallContext, UserContext } from '../../lib/define-function';
import { findUser } from '../../lib/users';

/** The SDK's most documents per `get()`. */
export const PAGE = 1000;

/** Every document matching a query, a page at a time (optionally only some fields). */
export async function all<T>(ctx: CallContext, collection: string, where: Record<string, unknown>, fields?: Record<string, true>): Promise<T[]> {
  const out: T[] = [];
  for (let skip = 0; ; skip += PAGE) {
    let query = ctx.db.collection(collection).where(where);
    if (fields) query = query.field(fields);
    const page = (await query.orderBy('_id', 'asc').skip(skip).limit(PAGE).get()).data as T[];
    out.push(...page);
    if (page.length < PAGE) return out;
  }
}

/** True if a query failed because the collection does not exist (a feature not deployed yet). */
export function isMissingCollection(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | null;
  return /COLLECTION_NOT_EXIST|not exist/i.test(`${e?.code ?? ''} ${e?.message ?? ''}`);
}

/** Like `all`, but null when the collection does not exist. */
export async function allIfExists<T>(ctx: CallContext, collection: string, where: Record<string, unknown>, fields?: Record<string, true>): Promise<T[] | null> {
  try {
    return await all<T>(ctx, collection, where, fields);
  } catch (error) {
    if (isMissingCollection(error)) return null;
    throw error;
  }
}

/** The caller as the admin of their community (else AUTH.NOT_ADMIN). */
export async function requireAdmin(ctx: UserContext): Promise<UserDoc & { communityId: string }> {
  const user = await findUser(ctx);
  if (!user?.roles.includes('communityAdmin') || !user.communityId) throw new AppError('AUTH.NOT_ADMIN');
  return user as UserDoc & { communityId: string };
}
