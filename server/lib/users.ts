import { AppError } from '../../core/errors';
import type { UserDoc } from '../../typings/entities';
import { isDuplicateError } from './db-errors';
import type { UserContext } from './define-function';

/** Loads the caller's user record, or null before their first visit. */
export async function findUser(ctx: UserContext): Promise<UserDoc | null> {
  const res = await ctx.db.collection('users').doc(ctx.caller.openid).get();
  return ((res.data as UserDoc[] | undefined)?.[0] ?? null) as UserDoc | null;
}

/** Loads the caller's user record, creating an empty one on the first visit. */
export async function ensureUser(ctx: UserContext): Promise<UserDoc> {
  const found = await findUser(ctx);
  if (found) return found;
  const fresh: UserDoc = {
    _id: ctx.caller.openid,
    nickName: '微信用户',
    roles: [],
    communityId: null,
    adminGridIds: [],
    householdId: null,
    createdAt: ctx.now.toISOString(),
  };
  try {
    await ctx.db.collection('users').add(fresh);
    return fresh;
  } catch (error) {
    if (!isDuplicateError(error)) throw error;
    // Two first calls raced: the other one created it; read theirs.
    const again = await findUser(ctx);
    if (again) return again;
    throw error;
  }
}

/** The caller as the admin of their community (else AUTH.NOT_ADMIN). */
export async function requireAdmin(ctx: UserContext): Promise<UserDoc & { communityId: string }> {
  const user = await findUser(ctx);
  if (!user?.roles.includes('communityAdmin') || !user.communityId) throw new AppError('AUTH.NOT_ADMIN');
  return user as UserDoc & { communityId: string };
}
