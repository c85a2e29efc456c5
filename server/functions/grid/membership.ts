/** Membership: join requests and their review (binding the household), the grid's households, invitations. */
import { JOIN_STATUSES } from '../../../typings/values';
import { next } from '../../../core/state/machine';
import { JOIN_MACHINE } from '../../../core/state/machines';
import { transition } from '../../lib/transition';
import { newHousehold } from '../../../core/org/new-household';
import { AppError } from '../../../core/errors';
import { maskName, maskPhone } from '../../../core/mask';
import { householdIdFor } from '../../../core/org/ids';
import type { GridHouseholdPage, JoinRequestView } from '../../../typings/api';
import type { Building, HouseholdDoc, JoinRequestDoc } from '../../../typings/entities';
import { getDoc, mustGet, requireGridStaff } from '../../lib/access';
import { logAccess } from '../../lib/access-log';
import { isDuplicateError } from '../../lib/db-errors';
import { defineActions, type CallContext } from '../../lib/define-function';
import { enqueue } from '../../lib/outbox';
import { note, z } from '../../lib/validate';
import { all, mapPage, pageFields, pageOf } from '../../lib/query';
import { roomPage } from '../../lib/room-page';
import { id } from './shared';

/**
 * The household at a building's room, however its id was made (seeded `h-0001`, imported, an older
 * id scheme): rooms are matched as written, the oldest record first if there ever were two.
 */
async function householdAt(ctx: CallContext, buildingId: string, room: string): Promise<HouseholdDoc | null> {
  const res = await ctx.db
    .collection('households')
    .where({ buildingId, room })
    .orderBy('createdAt', 'asc')
    .orderBy('_id', 'asc')
    .limit(1)
    .get();
  return (res.data as HouseholdDoc[])[0] ?? null;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * What the households search box matches, within the grid's households only (the caller scopes by
 * grid): each word typed (all must match) is a room by prefix (`1-8`, or `801` for the number after
 * the unit), a building's name (`2号楼`), the head's name by substring, or — 4 digits — the phone's
 * last 4. The words are escaped: never a pattern.
 */
function householdMatch(ctx: CallContext, raw: string, buildings: readonly Building[]): object | undefined {
  const words = raw.split(/\s+/).filter(Boolean).slice(0, 4);
  if (words.length === 0) return undefined;
  const _ = ctx.db.command;
  const re = (regexp: string) => ctx.db.RegExp({ regexp, options: 'i' });
  return _.and(
    words.map((word) => {
      const e = escapeRegExp(word);
      const any: object[] = [{ room: re(`^${e}`) }, { room: re(`-${e}`) }, { headName: re(e) }];
      if (/^\d{4}$/.test(word)) any.push({ phone: re(`${e}$`) });
      const named = buildings.filter((b) => b.name.includes(word)).map((b) => b._id);
      if (named.length) any.push({ buildingId: _.in(named) });
      return _.or(any);
    }),
  );
}

/**
 * Binds an approved request's person to their household (creating it on first approval) and
 * gives them the resident role. Every step is idempotent, so a retried or resumed approval
 * finishes the job without doubling anything.
 */
async function bindHousehold(ctx: CallContext, req: JoinRequestDoc, householdId: string): Promise<void> {
  const _ = ctx.db.command;
  const households = ctx.db.collection('households');
  const existing = await getDoc(ctx, 'households', householdId);
  if (!existing) {
    const building = await mustGet(ctx, 'buildings', req.buildingId, '楼栋');
    const fresh = newHousehold({
      _id: householdId,
      communityId: req.communityId,
      gridId: req.gridId,
      buildingId: building._id,
      room: req.room,
      headName: req.headName,
      phone: req.phone,
      memberOpenids: [req.openid],
      createdAt: ctx.now.toISOString(),
    });
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
    ctx.db
      .collection('buildings')
      .where({ _id: _.in(buildingIds) })
      .limit(1000)
      .get(),
    all(
      ctx,
      'households',
      { buildingId: _.in(buildingIds), room: _.in(rooms) },
      { _id: true, buildingId: true, room: true, headName: true, createdAt: true },
    ),
  ]);
  const names = new Map((buildings.data as Building[]).map((b) => [b._id, b.name]));
  const heads = new Map<string, string>();
  const oldestFirst = [...households].sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a._id.localeCompare(b._id),
  );
  for (const h of oldestFirst)
    if (!heads.has(`${h.buildingId}|${h.room}`)) heads.set(`${h.buildingId}|${h.room}`, maskName(h.headName));
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

export const membershipActions = defineActions('grid', {
  'grid.joinRequests': {
    input: z.object({ gridId: id, status: z.enum(JOIN_STATUSES).optional(), ...pageFields }).strict(),
    async handle(ctx, input) {
      const { grid } = await requireGridStaff(ctx, input.gridId);
      const page = await pageOf(
        ctx,
        'joinRequests',
        { gridId: input.gridId, status: input.status ?? 'pending' },
        input,
        [{ field: 'createdAt', dir: 'desc' }],
      );
      await logAccess(ctx, {
        view: 'grid.joinRequests',
        communityId: grid.communityId,
        subject: grid.name,
        rows: page.items.length,
      });
      return { items: await requestViews(ctx, page.items), nextCursor: page.nextCursor, total: page.total };
    },
  },

  'grid.reviewJoin': {
    input: z
      .object({ requestId: id, approve: z.boolean(), reason: note(100).optional() })
      .strict()
      .refine((v) => v.approve || Boolean(v.reason), { message: '请填写不通过的原因', path: ['reason'] }),
    async handle(ctx, input) {
      const req = await mustGet(ctx, 'joinRequests', input.requestId, '入群申请');
      await requireGridStaff(ctx, req.gridId);
      if (input.approve) {
        // Buildings move between grids (org.saveBuilding): approve only while the room is still in the request's grid.
        const building = await getDoc(ctx, 'buildings', req.buildingId);
        if (!building || building.gridId !== req.gridId) {
          throw new AppError('COMMON.CONFLICT', '该楼栋已调整到其他网格，不能在本网格通过；请不通过并请居民重新申请');
        }
      }
      // The household that is there (seeded, imported, or made by an earlier join) by building +
      // room; only a room nobody is on record for gets a new household, under the one id function.
      // A retried approval finds the household the first try bound to (or made) the same way.
      const householdId =
        (await householdAt(ctx, req.buildingId, req.room))?._id ?? householdIdFor(req.buildingId, req.room);
      const reviewed = { reviewedBy: ctx.caller.openid, reviewedAt: ctx.now.toISOString() };
      let decided: JoinRequestDoc;
      if (req.status === 'approved' && input.approve) {
        // A retried approval: finish binding below (to the household at the room, recorded on the request).
        if (req.householdId !== householdId)
          await ctx.db.collection('joinRequests').doc(req._id).update({ householdId });
        decided = { ...req, householdId };
      } else {
        const event = input.approve ? 'approve' : 'reject';
        if (!next(JOIN_MACHINE, req.status, event, 'staff')) throw new AppError('JOIN.NOT_PENDING');
        const patch = input.approve
          ? { householdId, reason: null, ...reviewed }
          : { reason: input.reason ?? null, ...reviewed };
        // One conditional write: two gridworkers deciding at once cannot both win.
        const moved = await transition(
          ctx.db,
          'joinRequests',
          { _id: req._id, createdAt: req.createdAt },
          JOIN_MACHINE,
          event,
          'staff',
          patch,
        );
        if (!moved.updated) throw new AppError('JOIN.NOT_PENDING');
        decided = { ...req, ...patch, status: moved.to };
      }
      if (decided.status === 'approved') await bindHousehold(ctx, decided, householdId);
      await enqueue(ctx, [
        {
          openid: req.openid,
          template: 'joinResult',
          page: 'pages/index/index',
          data: {
            subject: '加入网格',
            result: decided.status === 'approved' ? '已通过' : '未通过',
            note: decided.reason ?? '欢迎加入网格',
          },
          communityId: req.communityId,
        },
      ]);
      const [view] = await requestViews(ctx, [decided]);
      return view as JoinRequestView;
    },
  },

  'grid.households': {
    input: z
      .object({
        gridId: id,
        buildingId: id.optional(),
        /** The search box: a room (`1-801`, `801`), the head's name, or the phone's last 4 digits. */
        q: note(20).optional(),
        ...pageFields,
      })
      .strict(),
    async handle(ctx, input): Promise<GridHouseholdPage> {
      const { grid } = await requireGridStaff(ctx, input.gridId);
      const _ = ctx.db.command;
      const where: Record<string, string> = { gridId: grid._id };
      if (input.buildingId) where.buildingId = input.buildingId;
      const [joined, buildings] = await Promise.all([
        ctx.db
          .collection('households')
          .where({ ...where, 'memberOpenids.0': _.exists(true) })
          .count(),
        all(ctx, 'buildings', { gridId: grid._id }),
      ]);
      const match = householdMatch(ctx, input.q ?? '', buildings);
      // Walking order: buildings by number, rooms by unit, floor and number (1-101 < 1-801 < 1-1001).
      const page = await roomPage(
        ctx,
        where,
        buildings.filter((b) => !input.buildingId || b._id === input.buildingId),
        input,
        match,
      );
      const names = new Map(buildings.map((b) => [b._id, b.name]));
      await logAccess(ctx, {
        view: 'grid.households',
        communityId: grid.communityId,
        subject: grid.name,
        rows: page.items.length,
      });
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

  // grid.createInvite: ./invites.ts (issue 13: the invite's code image, door posters).
});
