import { AGE_BANDS, JOIN_VIAS, RELATIONS, SPECIAL_NEEDS } from '../../../typings/values';
import { randomBytes } from 'node:crypto';
import { AppError } from '../../../core/errors';
import { floorOf, hasPriority, membersToStore, PHONE_PATTERN, ROOM_PATTERN } from '../../../core/household';
import type { EntryView, HouseholdView, JoinView } from '../../../typings/api';
import type { Building, Grid, HouseholdDoc, JoinRequestDoc } from '../../../typings/entities';
import { getDoc, mustGet, requireResident } from '../../lib/access';
import { defineFunction, type CallContext } from '../../lib/define-function';
import { maskPhone } from '../../../core/mask';
import { ensureUser } from '../../lib/users';
import { all } from '../../lib/query';
import { idString, text, note, z } from '../../lib/validate';
import { requireGroup } from '../../lib/open-data';

const id = idString();
const ageBand = z.enum(AGE_BANDS);
const relation = z.enum(RELATIONS);
const need = z.enum(SPECIAL_NEEDS);
const headName = text(20, 1, '请填写户主姓名');
const phone = z.string().trim().regex(PHONE_PATTERN, '请填写11位手机号');

/** The resident's view of their join request. */
async function joinView(ctx: CallContext, req: JoinRequestDoc): Promise<JoinView> {
  const [grid, building] = await Promise.all([
    getDoc(ctx, 'grids', req.gridId),
    getDoc(ctx, 'buildings', req.buildingId),
  ]);
  return {
    id: req._id,
    status: req.status,
    gridName: grid?.name ?? '',
    buildingName: building?.name ?? '',
    room: req.room,
    reason: req.reason,
  };
}

/** The household as its members see it. */
export async function householdView(ctx: CallContext, h: HouseholdDoc): Promise<HouseholdView> {
  const [grid, building] = await Promise.all([getDoc(ctx, 'grids', h.gridId), getDoc(ctx, 'buildings', h.buildingId)]);
  return {
    id: h._id,
    gridId: h.gridId,
    gridName: grid?.name ?? '',
    buildingName: building?.name ?? '',
    room: h.room,
    headName: h.headName,
    phoneMasked: maskPhone(h.phone),
    members: h.members,
    sensitiveConsent: h.sensitiveConsentAt !== null,
    priority: h.priority,
  };
}

/** A new member's id: the server's, opaque (`m-` + 16 hex); clients never choose one. */
function newMemberId(): string {
  return `m-${randomBytes(8).toString('hex')}`;
}

/** Residents: join a grid, keep the household profile. */
export const main = defineFunction('household', {
  'household.communities': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const communities = await all(ctx, 'communities', {});
      return communities.map((c) => ({ id: c._id, name: c.name, district: c.district }));
    },
  },

  'household.directory': {
    input: z.object({ communityId: id }).strict(),
    async handle(ctx, input) {
      const community = await mustGet(ctx, 'communities', input.communityId, '社区');
      const [grids, buildings] = await Promise.all([
        all(ctx, 'grids', { communityId: community._id }),
        all(ctx, 'buildings', { communityId: community._id }),
      ]);
      const byGrid = new Map<string, Building[]>();
      for (const b of buildings) byGrid.set(b.gridId, [...(byGrid.get(b.gridId) ?? []), b]);
      return {
        community: { id: community._id, name: community.name, district: community.district },
        grids: grids.map((g) => ({
          id: g._id,
          name: g.name,
          buildings: (byGrid.get(g._id) ?? []).map((b) => ({ id: b._id, name: b.name, floors: b.floors })),
        })),
      };
    },
  },

  'household.resolveEntry': {
    // The group, if any, is the platform's open data (ctx.openData), never the payload's.
    input: z.object({ inviteToken: idString(32).min(4).optional() }).strict(),
    async handle(ctx, input) {
      let grid: Grid | null;
      let via: EntryView['via'];
      let buildingId: string | undefined;
      if (input.inviteToken) {
        const invite = await getDoc(ctx, 'invites', input.inviteToken);
        if (!invite || Date.parse(invite.expiresAt) <= ctx.now.getTime()) throw new AppError('JOIN.INVITE_INVALID');
        grid = await getDoc(ctx, 'grids', invite.gridId);
        via = 'invite';
        // A door poster's invite names its building: the join page fills it in.
        if (invite.buildingId) buildingId = invite.buildingId;
      } else {
        const openGId = requireGroup(ctx.openData, '请从网格的微信群里打开小程序');
        const found = await ctx.db.collection('grids').where({ groupIds: openGId }).limit(1).get();
        grid = (found.data as Grid[])[0] ?? null;
        if (!grid) throw new AppError('JOIN.GROUP_UNKNOWN');
        via = 'group';
      }
      if (!grid) throw new AppError('JOIN.INVITE_INVALID');
      const community = await mustGet(ctx, 'communities', grid.communityId, '社区');
      return {
        communityId: community._id,
        communityName: community.name,
        gridId: grid._id,
        gridName: grid.name,
        via,
        ...(buildingId ? { buildingId } : {}),
      };
    },
  },

  'household.requestJoin': {
    input: z
      .object({
        gridId: id,
        buildingId: id,
        room: z.string().trim().regex(ROOM_PATTERN, '请填写房号，例如 2-301'),
        headName,
        phone,
        via: z.enum(JOIN_VIAS),
        inviteToken: idString(32).min(4).optional(),
      })
      .strict(),
    async handle(ctx, input) {
      const user = await ensureUser(ctx);
      if (user.householdId) throw new AppError('JOIN.ALREADY_MEMBER');
      const [grid, building] = await Promise.all([
        mustGet(ctx, 'grids', input.gridId, '网格'),
        mustGet(ctx, 'buildings', input.buildingId, '楼栋'),
      ]);
      if (building.gridId !== grid._id) throw new AppError('COMMON.INVALID_INPUT', '该楼栋不属于所选网格');
      const floor = floorOf(input.room);
      if (floor > building.floors) {
        throw new AppError(
          'COMMON.INVALID_INPUT',
          `${building.name}只有 ${building.floors} 层，房号 ${input.room} 在第 ${floor} 层，请核对房号`,
        );
      }
      if (input.via === 'group') {
        // Only the group the platform says the caller opened the app from, and only one bound to this grid.
        const openGId = requireGroup(ctx.openData, '请从网格的微信群里打开小程序后再申请');
        if (!(grid.groupIds ?? []).includes(openGId)) throw new AppError('JOIN.GROUP_UNKNOWN');
      }
      if (input.via === 'invite') {
        const invite = input.inviteToken ? await getDoc(ctx, 'invites', input.inviteToken) : null;
        if (!invite || invite.gridId !== grid._id || Date.parse(invite.expiresAt) <= ctx.now.getTime()) {
          throw new AppError('JOIN.INVITE_INVALID');
        }
      }
      // One open request per person: asking again replaces the pending one.
      const request: JoinRequestDoc = {
        _id: `join-${ctx.caller.openid}`,
        openid: ctx.caller.openid,
        communityId: grid.communityId,
        gridId: grid._id,
        buildingId: building._id,
        room: input.room,
        headName: input.headName,
        phone: input.phone,
        via: input.via,
        status: 'pending',
        reason: null,
        householdId: null,
        createdAt: ctx.now.toISOString(),
        reviewedBy: null,
        reviewedAt: null,
      };
      const { _id, ...rest } = request;
      await ctx.db.collection('joinRequests').doc(_id).set(rest);
      return {
        id: _id,
        status: 'pending',
        gridName: grid.name,
        buildingName: building.name,
        room: input.room,
        reason: null,
      };
    },
  },

  'household.myJoin': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const req = await getDoc(ctx, 'joinRequests', `join-${ctx.caller.openid}`);
      return req ? joinView(ctx, req) : null;
    },
  },

  'household.get': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const { household } = await requireResident(ctx);
      return householdView(ctx, household);
    },
  },

  'household.update': {
    input: z
      .object({
        headName,
        phone: phone.optional(),
        members: z
          .array(
            z
              .object({
                id: idString().optional(),
                name: text(20, 1, '请填写成员姓名'),
                relation,
                ageBand,
                needs: z.array(need).max(6),
                needNote: note(100).optional(),
              })
              .strict(),
          )
          .min(1, '请至少登记一位家庭成员')
          .max(20, '一户最多登记 20 位成员'),
        sensitiveConsent: z.boolean(),
      })
      .strict(),
    async handle(ctx, input) {
      const { household } = await requireResident(ctx);
      const members = membersToStore(input, household.members, newMemberId);
      const next = {
        headName: input.headName,
        phone: input.phone ?? household.phone,
        members,
        sensitiveConsentAt: input.sensitiveConsent ? (household.sensitiveConsentAt ?? ctx.now.toISOString()) : null,
        priority: hasPriority(members),
      };
      await ctx.db.collection('households').doc(household._id).update(next);
      // Recurring-care records (dialysis days, refill cycles) never outlive the consent or the need (PIPL).
      const keep = next.sensitiveConsentAt
        ? members.filter((m) => m.needs.length > 0).map((m) => `${household._id}:${m.id}`)
        : [];
      const _ = ctx.db.command;
      await ctx.db
        .collection('careNeeds')
        .where({ householdId: household._id, ...(keep.length ? { _id: _.nin(keep) } : {}) })
        .remove();
      return householdView(ctx, { ...household, ...next });
    },
  },
});
