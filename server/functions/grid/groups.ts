/**
 * The grid's WeChat groups and notices. A group is bound to one grid (issue 13): `groupBindings`
 * holds one document per group (`_id` from its openGId, so two binds at once cannot put it in two
 * grids), with what the gridworker called it; the grid's `groupIds` is what lookups use.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../../../core/errors';
import { maskName } from '../../../core/mask';
import type { BoundGroupView, GroupGridView } from '../../../typings/api';
import type { Grid, GroupBindingDoc, NoticeDoc } from '../../../typings/entities';
import { getDoc, mustGet, requireGridStaff, staffOf } from '../../lib/access';
import { isDuplicateError } from '../../lib/db-errors';
import { defineActions, type CallContext, type UserContext } from '../../lib/define-function';
import { enqueue } from '../../lib/outbox';
import { findUser } from '../../lib/users';
import { idString, note, text, multiline, z } from '../../lib/validate';
import { all } from '../../lib/query';
import { requireGroup } from '../../lib/open-data';
import { groupQrFolder, isOwnStorageFile } from '../../lib/files';
import { id, noticeView, requireAdminOf } from './shared';

/** The binding id of a group: short, and the same for the same group whoever binds it. */
export function bindingIdOf(openGId: string): string {
  return `gb-${createHash('sha256').update(openGId).digest('hex').slice(0, 24)}`;
}

/** A short tag of a group's id, to tell unnamed groups apart without showing the id. */
function groupTag(openGId: string): string {
  return `群…${openGId.slice(-4)}`;
}

function boundView(b: GroupBindingDoc): BoundGroupView {
  return { id: b._id, label: b.label, tag: groupTag(b.openGId), boundByName: b.boundByName, boundAt: b.boundAt };
}

/** The grid's bound groups: its bindings, and groups bound before bindings were recorded. */
async function boundGroups(ctx: CallContext, grid: Grid): Promise<BoundGroupView[]> {
  const bindings = await all(ctx, 'groupBindings', { gridId: grid._id });
  const recorded = new Set(bindings.map((b) => b.openGId));
  const earlier = (grid.groupIds ?? [])
    .filter((g) => !recorded.has(g))
    .map((g) => ({ id: bindingIdOf(g), label: '', tag: groupTag(g), boundByName: '', boundAt: null }));
  const views = bindings.map(boundView).sort((a, b) => (a.boundAt ?? '').localeCompare(b.boundAt ?? ''));
  return [...earlier, ...views];
}

/** Where the caller stands with a grid (a group's card offers joining only to who has not). */
async function standing(ctx: UserContext, grid: Grid): Promise<GroupGridView['you']> {
  const user = await findUser(ctx);
  if (staffOf(user, grid)) return 'staff';
  if (user?.householdId) {
    const household = await getDoc(ctx, 'households', user.householdId);
    if (household?.memberOpenids.includes(ctx.caller.openid))
      return household.gridId === grid._id ? 'member' : 'elsewhere';
  }
  const join = await getDoc(ctx, 'joinRequests', `join-${ctx.caller.openid}`);
  return join?.status === 'pending' && join.gridId === grid._id ? 'pending' : 'none';
}

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
    input: z.object({ gridId: id, label: note(20).optional() }).strict(),
    async handle(ctx, input) {
      const { user, grid } = await requireGridStaff(ctx, input.gridId);
      const openGId = requireGroup(ctx.openData, '请在网格微信群里打开小程序后再绑定');
      const _ = ctx.db.command;
      // Bound before bindings were recorded: only `groupIds` says so.
      const taken = await ctx.db
        .collection('grids')
        .where({ groupIds: openGId, _id: _.neq(grid._id) })
        .count();
      if (taken.total) throw new AppError('COMMON.CONFLICT', '这个微信群已经绑定了其他网格');
      const bindingId = bindingIdOf(openGId);
      const fresh: GroupBindingDoc = {
        _id: bindingId,
        communityId: grid.communityId,
        gridId: grid._id,
        openGId,
        label: input.label ?? '',
        boundBy: ctx.caller.openid,
        boundByName: user.nickName,
        boundAt: ctx.now.toISOString(),
      };
      let binding = fresh;
      try {
        await ctx.db.collection('groupBindings').add(fresh);
      } catch (error) {
        if (!isDuplicateError(error)) throw error;
        // Bound already (a retry, or someone else first): the first binding stands.
        binding = await mustGet(ctx, 'groupBindings', bindingId, '群绑定');
        if (binding.gridId !== grid._id) throw new AppError('COMMON.CONFLICT', '这个微信群已经绑定了其他网格');
        if (input.label !== undefined && input.label !== binding.label) {
          await ctx.db.collection('groupBindings').doc(bindingId).update({ label: input.label });
          binding = { ...binding, label: input.label };
        }
      }
      await ctx.db
        .collection('grids')
        .doc(grid._id)
        .update({ groupIds: _.addToSet(openGId) });
      return {
        gridId: grid._id,
        groups: new Set([...(grid.groupIds ?? []), openGId]).size,
        group: boundView(binding),
      };
    },
  },

  'grid.groups': {
    input: z.object({ gridId: id }).strict(),
    async handle(ctx, input) {
      const { grid } = await requireGridStaff(ctx, input.gridId);
      return { gridId: grid._id, gridName: grid.name, groups: await boundGroups(ctx, grid) };
    },
  },

  'grid.unbindGroup': {
    input: z.object({ gridId: id, groupId: id }).strict(),
    async handle(ctx, input) {
      const { grid } = await requireGridStaff(ctx, input.gridId);
      const binding = await getDoc(ctx, 'groupBindings', input.groupId);
      const openGId =
        binding?.gridId === grid._id
          ? binding.openGId
          : (grid.groupIds ?? []).find((g) => bindingIdOf(g) === input.groupId);
      if (!openGId) throw new AppError('COMMON.NOT_FOUND', '没有找到这个群的绑定（可能已经解绑）');
      const _ = ctx.db.command;
      // Lookups first (the group stops landing here), then the record: a crash between leaves it listed, to unbind again.
      await ctx.db
        .collection('grids')
        .doc(grid._id)
        .update({ groupIds: _.pull(openGId) });
      if (binding?.gridId === grid._id) await ctx.db.collection('groupBindings').doc(binding._id).remove();
      return { gridId: grid._id, groups: (grid.groupIds ?? []).filter((g) => g !== openGId).length };
    },
  },

  'grid.groupGrid': {
    // The group is the platform's open data (ctx.openData), never the payload's; the answer is masked.
    input: z.object({}).strict(),
    async handle(ctx) {
      const openGId = requireGroup(ctx.openData, '请从网格的微信群里打开小程序');
      const found = await ctx.db.collection('grids').where({ groupIds: openGId }).limit(1).get();
      const grid = (found.data as Grid[])[0];
      if (!grid) throw new AppError('JOIN.GROUP_UNKNOWN');
      const _ = ctx.db.command;
      const households = ctx.db.collection('households');
      const [community, binding, you, total, joined, workers] = await Promise.all([
        mustGet(ctx, 'communities', grid.communityId, '社区'),
        getDoc(ctx, 'groupBindings', bindingIdOf(openGId)),
        standing(ctx, grid),
        households.where({ gridId: grid._id }).count(),
        households.where({ gridId: grid._id, 'memberOpenids.0': _.exists(true) }).count(),
        all(ctx, 'users', { adminGridIds: grid._id, roles: 'gridworker' }, { nickName: true }),
      ]);
      return {
        communityName: community.name,
        gridId: grid._id,
        gridName: grid.name,
        groupLabel: binding?.gridId === grid._id ? binding.label : '',
        gridworkers: workers.map((w) => maskName(w.nickName)).sort(),
        households: total.total ?? 0,
        joined: joined.total ?? 0,
        you,
      };
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
