import { randomBytes } from 'node:crypto';
import { next } from '../../../core/state/machine';
import { JOIN_MACHINE } from '../../../core/state/machines';
import { transition } from '../../lib/transition';
import { AppError } from '../../../core/errors';
import { maskName, maskPhone } from '../../../core/mask';
import { careStatus } from '../../../core/org/dashboard';
import { floorOf } from '../../../core/household';
import { householdIdFor, memberIdFor } from '../../../core/org/ids';
import { chinaDay } from '../../../core/time';
import type { CareLedgerRow, ContactView, GridDashboardView, GridHouseholdPage, JoinRequestView, NoticeView } from '../../../typings/api';
import type { Building, CareDoc, Community, ContactDoc, Grid, HouseholdDoc, InviteDoc, JoinRequestDoc, NoticeDoc, UserDoc } from '../../../typings/entities';
import { getDoc, mustGet, requireGridStaff, requireResident } from '../../lib/access';
import { isDuplicateError } from '../../lib/db-errors';
import { defineFunction, type CallContext, type UserContext } from '../../lib/define-function';
import { enqueue } from '../../lib/outbox';
import { findUser } from '../../lib/users';
import { idString, text, note, multiline, dateString, z } from '../../lib/validate';
import { all, mapPage, pageFields, pageOf } from '../../lib/query';
import { loadStats } from '../org/stats';

const id = idString();
const INVITE_DAYS = 30;

function noticeView(n: NoticeDoc): NoticeView {
  return { id: n._id, scope: n.gridId ? 'grid' : 'community', title: n.title, body: n.body, postedAt: n.postedAt };
}


/**
 * The household at a building's room, however its id was made (seeded `h-0001`, imported, an older
 * id scheme): rooms are matched as written, the oldest record first if there ever were two.
 */
async function householdAt(ctx: CallContext, buildingId: string, room: string): Promise<HouseholdDoc | null> {
  const res = await ctx.db.collection('households').where({ buildingId, room }).orderBy('createdAt', 'asc').orderBy('_id', 'asc').limit(1).get();
  return (res.data as HouseholdDoc[])[0] ?? null;
}

/**
 * Binds an approved request's person to their household (creating it on first approval) and
 * gives them the resident role. Every step is idempotent, so a retried or resumed approval
 * finishes the job without doubling anything.
 */
async function bindHousehold(ctx: CallContext, req: JoinRequestDoc, householdId: string): Promise<void> {
  const _ = ctx.db.command;
  const households = ctx.db.collection('households');
  const existing = await getDoc<HouseholdDoc>(ctx, 'households', householdId);
  if (!existing) {
    const building = await mustGet<Building>(ctx, 'buildings', req.buildingId, '楼栋');
    const fresh: HouseholdDoc = {
      _id: householdId,
      communityId: req.communityId,
      gridId: req.gridId,
      buildingId: building._id,
      room: req.room,
      floor: floorOf(req.room),
      headName: req.headName,
      phone: req.phone,
      members: [{ id: memberIdFor(householdId, 0), name: req.headName, relation: 'self', ageBand: '18-59', needs: [] }],
      memberOpenids: [req.openid],
      sensitiveConsentAt: null,
      priority: false,
      createdAt: ctx.now.toISOString(),
    };
    try {
      await households.add(fresh);
    } catch (error) {
      if (!isDuplicateError(error)) throw error;
      await households.doc(householdId).update({ memberOpenids: _.addToSet(req.openid) });
    }
  } else {
    await households.doc(householdId).update({ memberOpenids: _.addToSet(req.openid) });
  }
  await ctx.db
    .collection('users')
    .doc(req.openid)
    .update({ roles: _.addToSet('resident'), householdId, communityId: req.communityId });
}

async function requestViews(ctx: CallContext, requests: JoinRequestDoc[]): Promise<JoinRequestView[]> {
  if (requests.length === 0) return [];
  const _ = ctx.db.command;
  const buildingIds = [...new Set(requests.map((r) => r.buildingId))];
  const rooms = [...new Set(requests.map((r) => r.room))];
  // The households at the requested rooms, found by building + room (never by a computed id):
  // the gridworker compares the request with the head on record, masked.
  const [buildings, households] = await Promise.all([
    ctx.db.collection('buildings').where({ _id: _.in(buildingIds) }).limit(1000).get(),
    all<Pick<HouseholdDoc, '_id' | 'buildingId' | 'room' | 'headName' | 'createdAt'>>(
      ctx,
      'households',
      { buildingId: _.in(buildingIds), room: _.in(rooms) },
      { _id: true, buildingId: true, room: true, headName: true, createdAt: true },
    ),
  ]);
  const names = new Map((buildings.data as Building[]).map((b) => [b._id, b.name]));
  const heads = new Map<string, string>();
  const oldestFirst = [...households].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a._id.localeCompare(b._id));
  for (const h of oldestFirst) if (!heads.has(`${h.buildingId}|${h.room}`)) heads.set(`${h.buildingId}|${h.room}`, maskName(h.headName));
  return requests.map((r) => ({
    id: r._id,
    status: r.status,
    buildingId: r.buildingId,
    buildingName: names.get(r.buildingId) ?? '',
    room: r.room,
    headName: r.headName,
    phoneMasked: maskPhone(r.phone),
    via: r.via,
    createdAt: r.createdAt,
    reason: r.reason,
    existingHeadName: heads.get(`${r.buildingId}|${r.room}`) ?? null,
  }));
}

/** Notices a grid's people see: the grid's own and the community's, newest first. */
async function noticesOf(ctx: CallContext, grid: Pick<Grid, '_id' | 'communityId'>, limit: number): Promise<NoticeView[]> {
  const _ = ctx.db.command;
  const res = await ctx.db
    .collection('notices')
    .where(_.or([{ gridId: grid._id }, { communityId: grid.communityId, gridId: null }]))
    .orderBy('postedAt', 'desc')
    .limit(limit)
    .get();
  return (res.data as NoticeDoc[]).map(noticeView);
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
    const households = await all<Pick<HouseholdDoc, 'memberOpenids'>>(ctx, 'households', { gridId: notice.gridId }, { memberOpenids: true });
    const members = [...new Set(households.flatMap((h) => h.memberOpenids))];
    openids = [];
    for (let i = 0; i < members.length; i += 500) {
      const users = await all<Pick<UserDoc, '_id'>>(ctx, 'users', { _id: _.in(members.slice(i, i + 500)), ...subscribed }, { _id: true });
      openids.push(...users.map((u) => u._id));
    }
  } else {
    openids = (await all<Pick<UserDoc, '_id'>>(ctx, 'users', { communityId: notice.communityId, ...subscribed }, { _id: true })).map((u) => u._id);
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

async function requireAdminOf(ctx: UserContext, communityId: string): Promise<UserDoc> {
  const user = await findUser(ctx);
  if (!user?.roles.includes('communityAdmin') || user.communityId !== communityId) throw new AppError('AUTH.NOT_ADMIN');
  return user;
}

/** Grids: the resident's grid page, and what gridworkers do to run their grid's membership. */
export const main = defineFunction('grid', {
  'grid.mine': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const { household } = await requireResident(ctx);
      const _ = ctx.db.command;
      const grid = await mustGet<Grid>(ctx, 'grids', household.gridId, '网格');
      const [community, staff, notices] = await Promise.all([
        mustGet<Community>(ctx, 'communities', grid.communityId, '社区'),
        ctx.db.collection('users').where({ _id: _.in([...grid.gridworkerIds, ...grid.groupLeaderIds]) }).limit(100).get(),
        noticesOf(ctx, grid, 5),
      ]);
      const contacts: ContactView[] = (staff.data as UserDoc[])
        .map((u) => ({
          role: grid.gridworkerIds.includes(u._id) ? ('gridworker' as const) : ('groupLeader' as const),
          name: u.nickName,
          phone: u.phone ?? null,
        }))
        .sort((a, b) => (a.role === b.role ? 0 : a.role === 'gridworker' ? -1 : 1));
      return {
        communityName: community.name,
        gridId: grid._id,
        gridName: grid.name,
        contacts,
        groupQrFileId: grid.groupQrFileId ?? null,
        notices,
      };
    },
  },

  'grid.joinRequests': {
    input: z.object({ gridId: id, status: z.enum(['pending', 'approved', 'rejected']).optional(), ...pageFields }).strict(),
    async handle(ctx, input) {
      await requireGridStaff(ctx, input.gridId);
      const page = await pageOf<JoinRequestDoc>(ctx, 'joinRequests', { gridId: input.gridId, status: input.status ?? 'pending' }, input, [{ field: 'createdAt', dir: 'desc' }]);
      return { items: await requestViews(ctx, page.items), nextCursor: page.nextCursor, total: page.total };
    },
  },

  'grid.reviewJoin': {
    input: z
      .object({ requestId: id, approve: z.boolean(), reason: note(100).optional() })
      .strict()
      .refine((v) => v.approve || Boolean(v.reason), { message: '请填写不通过的原因', path: ['reason'] }),
    async handle(ctx, input) {
      const req = await mustGet<JoinRequestDoc>(ctx, 'joinRequests', input.requestId, '入群申请');
      await requireGridStaff(ctx, req.gridId);
      // The household that is there (seeded, imported, or made by an earlier join) by building +
      // room; only a room nobody is on record for gets a new household, under the one id function.
      // A retried approval finds the household the first try bound to (or made) the same way.
      const householdId = (await householdAt(ctx, req.buildingId, req.room))?._id ?? householdIdFor(req.buildingId, req.room);
      const reviewed = { reviewedBy: ctx.caller.openid, reviewedAt: ctx.now.toISOString() };
      let decided: JoinRequestDoc;
      if (req.status === 'approved' && input.approve) {
        // A retried approval: finish binding below (to the household at the room, recorded on the request).
        if (req.householdId !== householdId) await ctx.db.collection('joinRequests').doc(req._id).update({ householdId });
        decided = { ...req, householdId };
      } else {
        const event = input.approve ? 'approve' : 'reject';
        if (!next(JOIN_MACHINE, req.status, event, 'staff')) throw new AppError('JOIN.NOT_PENDING');
        const patch = input.approve ? { householdId, reason: null, ...reviewed } : { reason: input.reason ?? null, ...reviewed };
        // One conditional write: two gridworkers deciding at once cannot both win.
        const moved = await transition(ctx.db, 'joinRequests', { _id: req._id, createdAt: req.createdAt }, JOIN_MACHINE, event, 'staff', patch);
        if (!moved.updated) throw new AppError('JOIN.NOT_PENDING');
        decided = { ...req, ...patch, status: moved.to };
      }
      if (decided.status === 'approved') await bindHousehold(ctx, decided, householdId);
      await enqueue(ctx, [
        {
          openid: req.openid,
          template: 'joinResult',
          page: 'pages/index/index',
          data: { result: decided.status === 'approved' ? '已通过' : '未通过', note: decided.reason ?? '欢迎加入网格' },
        },
      ]);
      const [view] = await requestViews(ctx, [decided]);
      return view as JoinRequestView;
    },
  },

  'grid.households': {
    input: z.object({ gridId: id, buildingId: id.optional(), ...pageFields }).strict(),
    async handle(ctx, input): Promise<GridHouseholdPage> {
      const { grid } = await requireGridStaff(ctx, input.gridId);
      const _ = ctx.db.command;
      const where: Record<string, string> = { gridId: grid._id };
      if (input.buildingId) where.buildingId = input.buildingId;
      const [page, joined, buildings] = await Promise.all([
        pageOf<HouseholdDoc>(ctx, 'households', where, input, [
          { field: 'buildingId', dir: 'asc' },
          { field: 'room', dir: 'asc' },
        ]),
        ctx.db.collection('households').where({ ...where, 'memberOpenids.0': _.exists(true) }).count(),
        all<Building>(ctx, 'buildings', { gridId: grid._id }),
      ]);
      const names = new Map(buildings.map((b) => [b._id, b.name]));
      return {
        ...mapPage(page, (h) => ({
          id: h._id,
          buildingId: h.buildingId,
          buildingName: names.get(h.buildingId) ?? '',
          room: h.room,
          headName: h.headName,
          phoneMasked: maskPhone(h.phone),
          members: h.members.length,
          joined: h.memberOpenids.length > 0,
          priority: h.priority,
        })),
        joined: joined.total ?? 0,
      };
    },
  },

  'grid.createInvite': {
    input: z.object({ gridId: id }).strict(),
    async handle(ctx, input) {
      const { grid } = await requireGridStaff(ctx, input.gridId);
      const token = randomBytes(8).toString('hex');
      const invite: InviteDoc = {
        _id: token,
        communityId: grid.communityId,
        gridId: grid._id,
        createdBy: ctx.caller.openid,
        expiresAt: new Date(ctx.now.getTime() + INVITE_DAYS * 24 * 3600_000).toISOString(),
      };
      await ctx.db.collection('invites').add(invite);
      return { token, scene: `i=${token}`, page: 'pages/join/index', expiresAt: invite.expiresAt };
    },
  },

  'grid.bindGroup': {
    input: z
      .object({
        gridId: id,
        group: z.object({ cloudID: idString(512).optional(), data: z.object({ openGId: idString(128) }).optional() }),
      })
      .strict(),
    async handle(ctx, input) {
      const openGId = input.group.data?.openGId;
      if (!openGId) throw new AppError('COMMON.INVALID_INPUT', '请在网格微信群里打开小程序后再绑定');
      const { grid } = await requireGridStaff(ctx, input.gridId);
      const _ = ctx.db.command;
      const taken = await ctx.db.collection('grids').where({ groupIds: openGId, _id: _.neq(grid._id) }).count();
      if (taken.total) throw new AppError('COMMON.CONFLICT', '这个微信群已经绑定了其他网格');
      await ctx.db.collection('grids').doc(grid._id).update({ groupIds: _.addToSet(openGId) });
      return { gridId: grid._id, groups: new Set([...(grid.groupIds ?? []), openGId]).size };
    },
  },

  'grid.setGroupQr': {
    input: z.object({ gridId: id, fileId: idString(512) }).strict(),
    async handle(ctx, input) {
      await requireGridStaff(ctx, input.gridId);
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

  'grid.dashboard': {
    input: z.object({ gridId: id }).strict(),
    async handle(ctx, input): Promise<GridDashboardView> {
      const { grid } = await requireGridStaff(ctx, input.gridId);
      const [stats, notices] = await Promise.all([loadStats(ctx, grid.communityId, [grid], ctx.now), noticesOf(ctx, grid, 10)]);
      const own = stats.get(grid._id);
      if (!own) throw new Error(`no stats for ${grid._id}`);
      return { ...own, gridName: grid.name, notices };
    },
  },

  'grid.recordContact': {
    input: z.object({ householdId: id, method: z.enum(['phone', 'visit', 'wechat']), note: note(100).optional() }).strict(),
    async handle(ctx, input) {
      const household = await mustGet<HouseholdDoc>(ctx, 'households', input.householdId, '住户');
      await requireGridStaff(ctx, household.gridId);
      const day = chinaDay(ctx.now);
      // One record per household per day: recording again keeps the latest (a retry changes nothing).
      const contact: Omit<ContactDoc, '_id'> = {
        gridId: household.gridId,
        householdId: household._id,
        day,
        method: input.method,
        note: input.note ?? '',
        by: ctx.caller.openid,
        at: ctx.now.toISOString(),
      };
      await ctx.db.collection('contacts').doc(`${day}:${household._id}`).set(contact);
      return { householdId: household._id, day };
    },
  },

  'grid.saveCare': {
    input: z
      .object({
        householdId: id,
        memberId: id,
        dialysisWeekdays: z.array(z.number().int().min(1).max(7)).max(7),
        refillEveryDays: z.number().int().min(0).max(180),
        lastRefillOn: dateString().nullable(),
        note: note(100).optional(),
      })
      .strict(),
    async handle(ctx, input): Promise<CareLedgerRow> {
      const household = await mustGet<HouseholdDoc>(ctx, 'households', input.householdId, '住户');
      await requireGridStaff(ctx, household.gridId);
      // Recurring needs are special-needs data: kept only under the household's separate consent.
      if (!household.sensitiveConsentAt) throw new AppError('PRIVACY.CONSENT_REQUIRED', '该户未同意登记特殊人群信息，不能记录');
      const member = household.members.find((m) => m.id === input.memberId);
      if (!member) throw new AppError('COMMON.NOT_FOUND', '该住户没有这位成员');
      if (member.needs.length === 0) throw new AppError('COMMON.INVALID_INPUT', '这位成员没有登记特殊需求');
      const today = chinaDay(ctx.now);
      if (input.lastRefillOn && input.lastRefillOn > today) throw new AppError('COMMON.INVALID_INPUT', '上次取药日期不能晚于今天');
      const care: Omit<CareDoc, '_id'> = {
        communityId: household.communityId,
        gridId: household.gridId,
        householdId: household._id,
        memberId: member.id,
        dialysisWeekdays: [...new Set(input.dialysisWeekdays)].sort((a, b) => a - b),
        refillEveryDays: input.refillEveryDays,
        lastRefillOn: input.lastRefillOn,
        note: input.note ?? '',
        updatedBy: ctx.caller.openid,
        updatedAt: ctx.now.toISOString(),
      };
      await ctx.db.collection('careNeeds').doc(`${household._id}:${member.id}`).set(care);
      const building = await getDoc<Building>(ctx, 'buildings', household.buildingId);
      return {
        householdId: household._id,
        memberId: member.id,
        buildingName: building?.name ?? '',
        room: household.room,
        nameMasked: maskName(member.name),
        needs: member.needs,
        ...careStatus(care, today),
      };
    },
  },
});
