/** The grid's WeChat groups and notices. */
import { AppError } from '../../../core/errors';
import type { NoticeDoc } from '../../../typings/entities';
import { requireGridStaff } from '../../lib/access';
import { defineActions, type CallContext } from '../../lib/define-function';
import { enqueue } from '../../lib/outbox';
import { findUser } from '../../lib/users';
import { idString, text, multiline, z } from '../../lib/validate';
import { all } from '../../lib/query';
import { requireGroup } from '../../lib/open-data';
import { groupQrFolder, isOwnStorageFile } from '../../lib/files';
import { id, noticeView, requireAdminOf } from './shared';

/**
 * Queues the notice as a WeChat subscribe message for the residents it is for who accepted the
 * notice template (the outbox sends only while they hold a grant; see server/lib/outbox.ts).
 */
async function queueNotice(ctx: CallContext, notice: Omit<NoticeDoc, '_id'>): Promise<number> {
  const _ = ctx.db.command;
  const subscribed = { 'subscriptions.notice': _.gt(0) };
  let openids: string[];
  if (notice.gridId) {
    const households = await all(ctx, 'households', { gridId: notice.gridId }, { memberOpenids: true });
    const members = [...new Set(households.flatMap((h) => h.memberOpenids))];
    openids = [];
    for (let i = 0; i < members.length; i += 500) {
      const users = await all(ctx, 'users', { _id: _.in(members.slice(i, i + 500)), ...subscribed }, { _id: true });
      openids.push(...users.map((u) => u._id));
    }
  } else {
    openids = (await all(ctx, 'users', { communityId: notice.communityId, ...subscribed }, { _id: true })).map(
      (u) => u._id,
    );
  }
  const messages = openids.map((openid) => ({
    openid,
    template: 'notice' as const,
    page: 'pages/resident/grid/index',
    data: { title: notice.title.slice(0, 20), body: notice.body.slice(0, 20) },
  }));
  for (let i = 0; i < messages.length; i += 500) await enqueue(ctx, messages.slice(i, i + 500));
  return messages.length;
}

export const groupActions = defineActions('grid', {
  'grid.bindGroup': {
    // The group is the platform's open data (ctx.openData), never the payload's.
    input: z.object({ gridId: id }).strict(),
    async handle(ctx, input) {
      const { grid } = await requireGridStaff(ctx, input.gridId);
      const openGId = requireGroup(ctx.openData, '请在网格微信群里打开小程序后再绑定');
      const _ = ctx.db.command;
      const taken = await ctx.db
        .collection('grids')
        .where({ groupIds: openGId, _id: _.neq(grid._id) })
        .count();
      if (taken.total) throw new AppError('COMMON.CONFLICT', '这个微信群已经绑定了其他网格');
      await ctx.db
        .collection('grids')
        .doc(grid._id)
        .update({ groupIds: _.addToSet(openGId) });
      return { gridId: grid._id, groups: new Set([...(grid.groupIds ?? []), openGId]).size };
    },
  },

  'grid.setGroupQr': {
    input: z.object({ gridId: id, fileId: idString(512) }).strict(),
    async handle(ctx, input) {
      await requireGridStaff(ctx, input.gridId);
      // Only a file this environment's storage holds, uploaded where the page puts this grid's group QR.
      if (!isOwnStorageFile(input.fileId, groupQrFolder(input.gridId))) {
        throw new AppError('COMMON.INVALID_INPUT', '群二维码图片无效，请在本页重新上传');
      }
      await ctx.db.collection('grids').doc(input.gridId).update({ groupQrFileId: input.fileId });
      return { gridId: input.gridId };
    },
  },

  'grid.postNotice': {
    input: z
      .object({ gridId: id.nullable(), title: text(40, 1, '请填写标题'), body: multiline(1000, 1, '请填写内容') })
      .strict(),
    async handle(ctx, input) {
      let communityId: string;
      if (input.gridId) {
        communityId = (await requireGridStaff(ctx, input.gridId)).grid.communityId;
      } else {
        const me = await findUser(ctx);
        if (!me?.communityId) throw new AppError('AUTH.NOT_ADMIN');
        communityId = (await requireAdminOf(ctx, me.communityId)).communityId as string;
      }
      const notice: Omit<NoticeDoc, '_id'> = {
        communityId,
        gridId: input.gridId,
        title: input.title,
        body: input.body,
        postedBy: ctx.caller.openid,
        postedAt: ctx.now.toISOString(),
      };
      const { id: noticeId } = (await ctx.db.collection('notices').add(notice)) as { id: string };
      await queueNotice(ctx, notice);
      return noticeView({ _id: noticeId, ...notice });
    },
  },

  // ── dashboard, contacts, care ledger (issue 7) ──
});
