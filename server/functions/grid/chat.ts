/**
 * The grid's WeChat group, live (issue 13): the round's live group order (动态消息), and the
 * chat-tool board (聊天工具模式) — who has ordered in this round and who is sampled in this testing
 * round, by household and masked — with the members who matched themselves to their household, so
 * the gridworker can @ the ones not done yet (wx.notifyGroupMembers, on the page).
 *
 * The group is always the platform's open data (ctx.openData), never the payload's. A member's
 * group_openid is matched to a household only by that member's own call (their OPENID from the
 * context, their group_openid from their own open data): never guessed, never for someone else.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../../../core/errors';
import type { ChatBoardRow, ChatBoardView, LiveMessageView } from '../../../typings/api';
import type { Grid, HouseholdDoc, LiveMessageDoc, RoundDoc } from '../../../typings/entities';
import { getDoc, mustGet, requireGridStaff, staffOf } from '../../lib/access';
import { isDuplicateError } from '../../lib/db-errors';
import { defineActions, type UserContext } from '../../lib/define-function';
import { LIVE_ORDER_PAGE, liveMessageId, liveTitle, openParameters, orderedHouseholdIds } from '../../lib/live-message';
import { OPEN_DATA_FIELDS, groupOf, requireGroup } from '../../lib/open-data';
import { aggregateAll, aggregateOps, all } from '../../lib/query';
import { findUser } from '../../lib/users';
import { openTestRound } from '../../lib/test-rounds';
import { callWx } from '../../lib/wechat';
import { z } from '../../lib/validate';
import { id } from './shared';

const GROUP_OPENID = /^[\w-]{1,128}$/;
const IN_GROUP = '请在网格微信群里（或群聊天工具里）打开小程序';

/** The caller's own group_openid in the group, as the platform said (wx.getChatToolInfo / getGroupEnterInfo needGroupOpenID). */
function ownGroupOpenid(ctx: UserContext): string {
  const entry = ctx.openData?.get(OPEN_DATA_FIELDS.group);
  const value = entry && 'data' in entry ? (entry.data.group_openid ?? entry.data.groupOpenid) : undefined;
  if (typeof value !== 'string' || !GROUP_OPENID.test(value)) {
    throw new AppError('COMMON.INVALID_INPUT', '请在群聊天工具里打开小程序后再确认（需要你在本群的身份）');
  }
  return value;
}

/** The grid a group is bound to. */
async function gridOfGroup(ctx: UserContext, openGId: string): Promise<Grid> {
  const found = await ctx.db.collection('grids').where({ groupIds: openGId }).limit(1).get();
  const grid = (found.data as Grid[])[0];
  if (!grid) throw new AppError('JOIN.GROUP_UNKNOWN');
  return grid;
}

/** A room with its last digits hidden: `2-301` → `2-3**`. */
export function maskRoom(room: string): string {
  const hide = Math.min(2, Math.max(room.length - 1, 0));
  return room.slice(0, room.length - hide) + '*'.repeat(hide);
}

/** A household on a board: its building and masked room (no names, no ids). */
function label(h: Pick<HouseholdDoc, 'buildingId' | 'room'>, buildings: Map<string, string>): string {
  return `${buildings.get(h.buildingId) ?? ''} ${maskRoom(h.room)}`.trim();
}

function matchId(openGId: string, openid: string): string {
  return `gm-${createHash('sha256').update(`${openGId}|${openid}`).digest('hex').slice(0, 24)}`;
}

/** The round residents can order in now (the one closing first, if two overlap). */
async function currentRound(ctx: UserContext, communityId: string): Promise<RoundDoc | null> {
  const _ = ctx.db.command;
  const now = ctx.now.toISOString();
  const res = await ctx.db
    .collection('rounds')
    .where({ communityId, opensAt: _.lte(now), closesAt: _.gt(now) })
    .orderBy('closesAt', 'asc')
    .limit(1)
    .get();
  return (res.data as RoundDoc[])[0] ?? null;
}

function liveView(
  message: LiveMessageDoc,
  round: RoundDoc,
  ordered: number,
  households: number,
  now: Date,
): LiveMessageView {
  return {
    id: message._id,
    roundId: round._id,
    roundName: round.name,
    activityId: message.activityId,
    expiresAt: message.expiresAt,
    closesAt: round.closesAt,
    ordered,
    households,
    title: liveTitle(ordered, round.closesAt, now),
    path: `/${LIVE_ORDER_PAGE}`,
    parameterList: openParameters(ordered, households),
  };
}

export const chatActions = defineActions('grid', {
  'grid.liveMessage': {
    input: z.object({ gridId: id, roundId: id }).strict(),
    async handle(ctx, input) {
      const { grid } = await requireGridStaff(ctx, input.gridId);
      const round = await getDoc(ctx, 'rounds', input.roundId);
      if (!round || round.communityId !== grid.communityId)
        throw new AppError('COMMON.NOT_FOUND', '没有找到该订购批次');
      const now = ctx.now.toISOString();
      if (round.opensAt > now || round.closesAt <= now) throw new AppError('ORDER.ROUND_CLOSED');
      // Opened from a group: the message is that group's; it must be one of this grid's groups.
      const openGId = groupOf(ctx.openData);
      if (openGId && !(grid.groupIds ?? []).includes(openGId)) {
        throw new AppError('COMMON.CONFLICT', '这个微信群还没有绑定本网格，请先在群里绑定');
      }
      const messageId = liveMessageId(round._id, grid._id, openGId);
      const [existing, ordered, households] = await Promise.all([
        getDoc(ctx, 'liveMessages', messageId),
        orderedHouseholdIds(ctx, round._id, grid._id).then((s) => s.size),
        ctx.db
          .collection('households')
          .where({ gridId: grid._id })
          .count()
          .then((c) => c.total ?? 0),
      ]);
      if (existing && existing.state === 'open' && existing.expiresAt > now) {
        return liveView(existing, round, ordered, existing.roomLimit, ctx.now);
      }
      const made = await callWx<{ activity_id: string; expiration_time: number }>(
        'updatableMessage.createActivityId',
        {},
      );
      if (made.errcode !== 0 || typeof made.activity_id !== 'string' || !made.activity_id) {
        console.error(`[gridlink] createActivityId refused: ${made.errcode} ${made.errmsg}`);
        throw new AppError('COMMON.RATE_LIMITED', '微信暂时无法生成动态卡片，请稍后再试，或先分享普通卡片');
      }
      const expiresAt =
        typeof made.expiration_time === 'number' && made.expiration_time > 0
          ? new Date(made.expiration_time * 1000).toISOString()
          : new Date(ctx.now.getTime() + 24 * 3600_000).toISOString();
      const fresh: LiveMessageDoc = {
        _id: messageId,
        communityId: grid.communityId,
        gridId: grid._id,
        roundId: round._id,
        openGId,
        activityId: made.activity_id,
        expiresAt,
        state: 'open',
        sentCount: ordered,
        roomLimit: households,
        createdBy: ctx.caller.openid,
        createdAt: now,
        updatedAt: now,
      };
      const messages = ctx.db.collection('liveMessages');
      if (existing) {
        // Its id ran out (24 h) while the round is still open: a new id, only if nobody replaced it first.
        const { _id: _ignored, ...rest } = fresh;
        const res = await messages.where({ _id: messageId, activityId: existing.activityId }).update(rest);
        if (!res.updated) {
          const now2 = await mustGet(ctx, 'liveMessages', messageId, '动态卡片');
          return liveView(now2, round, ordered, now2.roomLimit, ctx.now);
        }
        return liveView(fresh, round, ordered, households, ctx.now);
      }
      try {
        await messages.add(fresh);
      } catch (error) {
        if (!isDuplicateError(error)) throw error;
        // Two taps at once: the first message stands.
        const first = await mustGet(ctx, 'liveMessages', messageId, '动态卡片');
        return liveView(first, round, ordered, first.roomLimit, ctx.now);
      }
      return liveView(fresh, round, ordered, households, ctx.now);
    },
  },

  'grid.chatBoard': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const openGId = requireGroup(ctx.openData, IN_GROUP);
      const grid = await gridOfGroup(ctx, openGId);
      const user = await findUser(ctx);
      const staff = staffOf(user, grid);
      if (!staff) {
        const household = user?.householdId ? await getDoc(ctx, 'households', user.householdId) : null;
        if (!household || household.gridId !== grid._id || !household.memberOpenids.includes(ctx.caller.openid)) {
          throw new AppError('AUTH.NOT_MEMBER', '只有本网格的住户和网格员能看这个群的接龙');
        }
      }
      const [households, buildings, round, testRound, matches, mine] = await Promise.all([
        all(ctx, 'households', { gridId: grid._id }, { buildingId: true, room: true, members: true }),
        all(ctx, 'buildings', { gridId: grid._id }, { name: true }),
        currentRound(ctx, grid.communityId),
        openTestRound(ctx, grid.communityId),
        staff ? all(ctx, 'groupMembers', { openGId, gridId: grid._id }) : Promise.resolve([]),
        getDoc(ctx, 'groupMembers', matchId(openGId, ctx.caller.openid)),
      ]);
      const names = new Map(buildings.map((b) => [b._id, b.name]));
      const sorted = [...households].sort(
        (a, b) =>
          (names.get(a.buildingId) ?? '').localeCompare(names.get(b.buildingId) ?? '', 'zh') ||
          a.room.localeCompare(b.room, 'zh', { numeric: true }),
      );
      const view: ChatBoardView = {
        gridId: grid._id,
        gridName: grid.name,
        you: staff ? 'staff' : 'member',
        matched: Boolean(mine),
        order: null,
        testing: null,
      };
      const notOrdered = new Set<string>();
      const notSampled = new Set<string>();
      if (round) {
        const ordered = await orderedHouseholdIds(ctx, round._id, grid._id);
        const rows: ChatBoardRow[] = sorted.map((h) => ({ label: label(h, names), done: ordered.has(h._id) }));
        for (const h of sorted) if (!ordered.has(h._id)) notOrdered.add(h._id);
        view.order = {
          roundId: round._id,
          roundName: round.name,
          closesAt: round.closesAt,
          done: rows.filter((r) => r.done).length,
          total: rows.length,
          rows,
        };
      }
      if (testRound) {
        const $ = aggregateOps(ctx);
        const sampled = await aggregateAll<{ _id: string; memberIds: string[] }>(ctx, 'samples', [
          { match: { roundId: testRound._id, gridId: grid._id } },
          { group: { _id: '$householdId', memberIds: $.addToSet('$memberId') } },
        ]);
        const byHousehold = new Map(sampled.map((s) => [s._id, new Set(s.memberIds)]));
        const rows: ChatBoardRow[] = [];
        for (const h of sorted) {
          if (!h.members.length) continue;
          const got = byHousehold.get(h._id);
          const count = h.members.filter((m) => got?.has(m.id)).length;
          const done = count === h.members.length;
          if (!done) notSampled.add(h._id);
          rows.push({ label: label(h, names), done, ...(count > 0 && !done ? { partly: true } : {}) });
        }
        view.testing = {
          roundId: testRound._id,
          roundName: testRound.name,
          done: rows.filter((r) => r.done).length,
          total: rows.length,
          rows,
        };
      }
      if (staff) {
        view.remind = {
          order: view.order ? matches.filter((m) => notOrdered.has(m.householdId)).map((m) => m.groupOpenid) : [],
          testing: view.testing ? matches.filter((m) => notSampled.has(m.householdId)).map((m) => m.groupOpenid) : [],
        };
      }
      return view;
    },
  },

  'grid.matchMember': {
    // Consent is the member's own tap; the group and their group_openid are the platform's open data.
    input: z.object({ consent: z.literal(true) }).strict(),
    async handle(ctx) {
      const openGId = requireGroup(ctx.openData, IN_GROUP);
      const groupOpenid = ownGroupOpenid(ctx);
      const user = await findUser(ctx);
      const household = user?.householdId ? await getDoc(ctx, 'households', user.householdId) : null;
      if (!household || !household.memberOpenids.includes(ctx.caller.openid)) {
        throw new AppError('AUTH.NOT_MEMBER', '请先加入网格、登记本户后再在群里确认');
      }
      const grid = await gridOfGroup(ctx, openGId);
      if (household.gridId !== grid._id) throw new AppError('AUTH.FORBIDDEN', '这个群不是你所在网格的群');
      const building = await getDoc(ctx, 'buildings', household.buildingId);
      await ctx.db.collection('groupMembers').doc(matchId(openGId, ctx.caller.openid)).set({
        openGId,
        groupOpenid,
        openid: ctx.caller.openid,
        communityId: grid.communityId,
        gridId: grid._id,
        householdId: household._id,
        matchedAt: ctx.now.toISOString(),
      });
      return {
        matched: true as const,
        label: label(household, new Map(building ? [[building._id, building.name]] : [])),
      };
    },
  },

  'grid.unmatchMember': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const openGId = requireGroup(ctx.openData, IN_GROUP);
      const res = await ctx.db.collection('groupMembers').doc(matchId(openGId, ctx.caller.openid)).remove();
      return { removed: Number((res as { deleted?: number }).deleted ?? 0) > 0 };
    },
  },
});
