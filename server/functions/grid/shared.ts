/** What the grid's capabilities share. */
import { AppError } from '../../../core/errors';
import type { NoticeView } from '../../../typings/api';
import type { Grid, NoticeDoc, UserDoc } from '../../../typings/entities';
import { type CallContext, type UserContext } from '../../lib/define-function';
import { findUser } from '../../lib/users';
import { idString } from '../../lib/validate';

export const id = idString();

export function noticeView(n: NoticeDoc): NoticeView {
  return { id: n._id, scope: n.gridId ? 'grid' : 'community', title: n.title, body: n.body, postedAt: n.postedAt };
}

/** Notices a grid's people see: the grid's own and the community's, newest first. */
export async function noticesOf(
  ctx: CallContext,
  grid: Pick<Grid, '_id' | 'communityId'>,
  limit: number,
): Promise<NoticeView[]> {
  const _ = ctx.db.command;
  const res = await ctx.db
    .collection('notices')
    .where(_.or([{ gridId: grid._id }, { communityId: grid.communityId, gridId: null }]))
    .orderBy('postedAt', 'desc')
    .limit(limit)
    .get();
  return (res.data as NoticeDoc[]).map(noticeView);
}

export async function requireAdminOf(ctx: UserContext, communityId: string): Promise<UserDoc> {
  const user = await findUser(ctx);
  if (!user?.roles.includes('communityAdmin') || user.communityId !== communityId) throw new AppError('AUTH.NOT_ADMIN');
  return user;
}
