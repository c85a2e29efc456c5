/**
 * Invites (issue 13): the grid's invite and each building's door poster, with a real mini-program
 * code (`wxacode.getUnlimited`, scene `i=<token>`, opening the join page) kept in cloud storage.
 *
 * One current invite per grid and per building (`inviteCodes`, keyed by both): every tap answers the
 * same invite and the same stored image — WeChat is asked once per invite, and two taps at once
 * cannot make two. A fresh invite replaces it only when it has less than a third of its life left;
 * the old one stays valid until it expires (it may be printed on a door).
 */
import { randomBytes } from 'node:crypto';
import { AppError } from '../../../core/errors';
import { maskName, maskPhone } from '../../../core/mask';
import type { DoorPosterView, InviteView } from '../../../typings/api';
import type { Building, Grid, InviteCodeDoc, InviteDoc, UserDoc } from '../../../typings/entities';
import { getDoc, mustGet, requireGridStaff } from '../../lib/access';
import { isDuplicateError } from '../../lib/db-errors';
import { defineActions, type UserContext } from '../../lib/define-function';
import { inviteQrFolder, storeFile } from '../../lib/files';
import { all } from '../../lib/query';
import { z } from '../../lib/validate';
import { INVITE_PAGE, makeCode } from '../../lib/wxacode';
import { id } from './shared';

const DAY_MS = 24 * 3600_000;
/** The grid's own invite (groups page, shared cards) lives 30 days. */
export const INVITE_DAYS = 30;
/** A door poster stays on the door: its invite lives 90 days. */
export const POSTER_DAYS = 90;

/** The `inviteCodes` id of a grid's (buildingId null) or a building's current invite. */
export function inviteSlotId(gridId: string, buildingId: string | null): string {
  return `ic-${gridId}-${buildingId ?? 'grid'}`;
}

/** The building of a grid, or a clear refusal. */
async function buildingOf(ctx: UserContext, grid: Grid, buildingId: string): Promise<Building> {
  const building = await mustGet(ctx, 'buildings', buildingId, '楼栋');
  if (building.gridId !== grid._id) throw new AppError('COMMON.INVALID_INPUT', '该楼栋不属于所选网格');
  return building;
}

/**
 * The current invite of the grid (or building): the stored one while it has a third of its life
 * left, else a new one put in its place by a conditional write — a tap that loses the race drops
 * its own invite and answers the winner's.
 */
async function currentInvite(ctx: UserContext, grid: Grid, buildingId: string | null): Promise<InviteCodeDoc> {
  const slotId = inviteSlotId(grid._id, buildingId);
  const days = buildingId ? POSTER_DAYS : INVITE_DAYS;
  const now = ctx.now.getTime();
  const slots = ctx.db.collection('inviteCodes');
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const slot = await getDoc(ctx, 'inviteCodes', slotId);
    if (slot && Date.parse(slot.expiresAt) - now >= (days * DAY_MS) / 3) return slot;
    const token = randomBytes(8).toString('hex');
    const invite: InviteDoc = {
      _id: token,
      communityId: grid.communityId,
      gridId: grid._id,
      buildingId,
      createdBy: ctx.caller.openid,
      expiresAt: new Date(now + days * DAY_MS).toISOString(),
    };
    await ctx.db.collection('invites').add(invite);
    const fresh: InviteCodeDoc = {
      _id: slotId,
      gridId: grid._id,
      buildingId,
      token,
      expiresAt: invite.expiresAt,
      fileId: null,
      updatedAt: ctx.now.toISOString(),
    };
    if (!slot) {
      try {
        await slots.add(fresh);
        return fresh;
      } catch (error) {
        if (!isDuplicateError(error)) throw error;
      }
    } else {
      const { _id, ...rest } = fresh;
      const res = await slots.where({ _id, token: slot.token }).update(rest);
      if (res.updated) return fresh;
    }
    // Another tap put its invite there first: use that one.
    await ctx.db.collection('invites').doc(token).remove();
  }
  throw new AppError('COMMON.CONFLICT', '邀请码正在生成，请稍后再试');
}

/**
 * The invite's code image: the stored one, or made now (WeChat once per invite) and stored at a
 * path named by the token, so a retry stores the same file at the same place.
 */
async function codeOf(ctx: UserContext, slot: InviteCodeDoc): Promise<{ qr: string } | { qrError: string }> {
  if (slot.fileId) return { qr: slot.fileId };
  const made = await makeCode(`i=${slot.token}`, INVITE_PAGE);
  if ('error' in made) return { qrError: made.error };
  let fileId: string;
  try {
    fileId = await storeFile(`${inviteQrFolder(slot.gridId)}/${slot.token}.${made.ext}`, made.bytes);
  } catch {
    return { qrError: '小程序码已生成，但保存到云存储失败，请稍后再试' };
  }
  await ctx.db
    .collection('inviteCodes')
    .where({ _id: slot._id, token: slot.token })
    .update({ fileId, updatedAt: ctx.now.toISOString() });
  return { qr: fileId };
}

async function inviteView(ctx: UserContext, grid: Grid, buildingId: string | null): Promise<InviteView> {
  const slot = await currentInvite(ctx, grid, buildingId);
  return {
    token: slot.token,
    scene: `i=${slot.token}`,
    page: INVITE_PAGE,
    expiresAt: slot.expiresAt,
    buildingId: slot.buildingId,
    ...(await codeOf(ctx, slot)),
  };
}

/** What the caller is to residents of the grid, for the poster's contact line. */
function roleWord(user: UserDoc, grid: Grid): string {
  if ((user.roles.includes('gridworker') || user.roles.includes('groupLeader')) && user.adminGridIds.includes(grid._id))
    return user.roles.includes('gridworker') ? '网格员' : '楼栋长';
  return '社区工作人员';
}

/** The caller's contact line on a door: masked (the default), and whole (their own service phone). */
export function contactLines(user: UserDoc, grid: Grid): DoorPosterView['contact'] {
  const role = roleWord(user, grid);
  const name = user.nickName.trim();
  const masked = [role, maskName(name), user.phone ? maskPhone(user.phone) : ''].filter(Boolean).join(' ');
  const full = user.phone ? [role, name, user.phone].filter(Boolean).join(' ') : null;
  return { masked, full };
}

export const inviteActions = defineActions('grid', {
  'grid.createInvite': {
    input: z.object({ gridId: id, buildingId: id.optional() }).strict(),
    async handle(ctx, input) {
      const { grid } = await requireGridStaff(ctx, input.gridId);
      if (input.buildingId) await buildingOf(ctx, grid, input.buildingId);
      return inviteView(ctx, grid, input.buildingId ?? null);
    },
  },

  'grid.doorPoster': {
    input: z.object({ gridId: id, buildingId: id }).strict(),
    async handle(ctx, input) {
      const { user, grid } = await requireGridStaff(ctx, input.gridId);
      const building = await buildingOf(ctx, grid, input.buildingId);
      const [community, buildings, invite] = await Promise.all([
        mustGet(ctx, 'communities', grid.communityId, '社区'),
        all(ctx, 'buildings', { gridId: grid._id }, { _id: true, name: true }),
        inviteView(ctx, grid, building._id),
      ]);
      return {
        gridId: grid._id,
        gridName: grid.name,
        communityName: community.name,
        buildingId: building._id,
        buildingName: building.name,
        buildings: buildings
          .map((b) => ({ id: b._id, name: b.name }))
          .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN', { numeric: true })),
        invite,
        contact: contactLines(user, grid),
      };
    },
  },
});
