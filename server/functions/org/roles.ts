/** Staff and roles granted by the admin. */
import { VOLUNTEER_MACHINE } from '../../../core/state/machines';
import { transition } from '../../lib/transition';
import { AppError } from '../../../core/errors';
import { maskPhone } from '../../../core/mask';
import { isGridRole, withoutRole, withRole } from '../../../core/org/roles';
import { naturalCompare } from '../../../core/natural-sort';
import type { StaffView, UserMatchView } from '../../../typings/api';
import type { GrantableRole, HouseholdDoc, StaffDoc, UserDoc } from '../../../typings/entities';
import { getByIds, getDoc, mustGet } from '../../lib/access';
import { type CallContext, defineActions } from '../../lib/define-function';
import { requireAdmin } from '../../lib/users';
import { text, z } from '../../lib/validate';
import { all } from '../../lib/query';
import { gridOf, id, role, usersById } from './shared';

async function staffViews(ctx: CallContext, communityId: string, users: UserDoc[]): Promise<StaffView[]> {
  const _ = ctx.db.command;
  const [profiles, grids] = await Promise.all([
    users.length ? all(ctx, 'staff', { _id: _.in(users.map((u) => u._id)) }) : Promise.resolve([]),
    all(ctx, 'grids', { communityId }),
  ]);
  const byId = new Map(profiles.map((p) => [p._id, p]));
  const gridName = new Map(grids.map((g) => [g._id, g.name]));
  return users.map((u) => {
    const p = byId.get(u._id);
    const gridIds = u.adminGridIds
      .filter((g) => gridName.has(g))
      .sort((a, b) => naturalCompare(gridName.get(a) ?? '', gridName.get(b) ?? ''));
    return {
      openid: u._id,
      name: u.nickName,
      roles: u.roles,
      gridIds,
      gridNames: gridIds.map((g) => gridName.get(g) ?? ''),
      phoneMasked: u.phone ? maskPhone(u.phone) : null,
      capacity: p?.capacity ?? null,
      homeBuildingId: p?.homeBuildingId ?? null,
      mustGridIds: p?.mustGridIds ?? [],
      mustNotGridIds: p?.mustNotGridIds ?? [],
    };
  });
}

async function staffView(ctx: CallContext, communityId: string, openid: string): Promise<StaffView> {
  const user = await mustGet(ctx, 'users', openid, '用户');
  return (await staffViews(ctx, communityId, [user]))[0] as StaffView;
}

/** At most this many people answer a search. */
const MATCH_LIMIT = 20;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * People the admin can grant a role to, found by name or phone: users of the community (by their
 * name, their phone, or their household's head and phone), and — by the whole 11-digit phone
 * only — someone who has opened the mini-program but joined no community yet. Phones masked.
 */
async function findUsers(ctx: CallContext, communityId: string, query: string): Promise<UserMatchView[]> {
  const q = query.replace(/\s+/g, '');
  const digits = /^\d{3,11}$/.test(q);
  const fullPhone = /^1\d{10}$/.test(q);
  const pattern = ctx.db.RegExp({ regexp: digits ? `${escapeRegExp(q)}$` : escapeRegExp(q), options: '' });
  const _ = ctx.db.command;
  const limited = async <T>(name: 'users' | 'households', where: object): Promise<T[]> =>
    (await ctx.db.collection(name).where(where).limit(MATCH_LIMIT).get()).data as T[];
  const [byUser, byHousehold, outsider] = await Promise.all([
    limited<UserDoc>('users', digits ? { communityId, phone: pattern } : { communityId, nickName: pattern }),
    limited<HouseholdDoc>('households', digits ? { communityId, phone: pattern } : { communityId, headName: pattern }),
    fullPhone ? limited<UserDoc>('users', { communityId: null, phone: q }) : Promise.resolve([] as UserDoc[]),
  ]);
  const members = await usersById(
    ctx,
    byHousehold.flatMap((h) => h.memberOpenids),
  );
  const users = new Map<string, UserDoc>();
  for (const u of [...byUser, ...members.values(), ...outsider]) if (!users.has(u._id)) users.set(u._id, u);
  const households = await getByIds(
    ctx,
    'households',
    [...users.values()].map((u) => u.householdId).filter((h): h is string => Boolean(h)),
  );
  const buildings = households.length
    ? await all(ctx, 'buildings', { _id: _.in([...new Set(households.map((h) => h.buildingId))]) })
    : [];
  const householdOf = new Map(households.map((h) => [h._id, h]));
  const buildingName = new Map(buildings.map((b) => [b._id, b.name]));
  return [...users.values()]
    .slice(0, MATCH_LIMIT)
    .map((u) => {
      const h = u.householdId ? householdOf.get(u.householdId) : undefined;
      const phone = u.phone ?? h?.phone ?? null;
      return {
        openid: u._id,
        name: u.nickName,
        phoneMasked: phone ? maskPhone(phone) : null,
        roles: u.roles,
        place: h ? `${buildingName.get(h.buildingId) ?? ''} ${h.room}`.trim() : null,
        inCommunity: u.communityId === communityId,
      };
    })
    .sort((a, b) => naturalCompare(a.name, b.name));
}

/**
 * Gives a user a role (and grids) in a community. Each write is an atomic set operation, so a
 * retried or concurrent grant neither loses nor doubles anything.
 */
export async function grant(
  ctx: CallContext,
  user: UserDoc,
  roleName: GrantableRole,
  communityId: string,
  gridIds: readonly string[],
): Promise<void> {
  withRole(user, roleName, communityId, gridIds); // refuses another community, or a grid role without grids
  const _ = ctx.db.command;
  const users = ctx.db.collection('users');
  const res = await users
    .where({ _id: user._id, communityId: _.in([null, communityId]) })
    .update({ roles: _.addToSet(roleName), communityId });
  if (!res.updated) {
    const again = await getDoc(ctx, 'users', user._id);
    if (again?.communityId !== communityId || !again.roles.includes(roleName))
      throw new AppError('COMMON.CONFLICT', '该用户属于其他社区，不能在本社区授予角色');
  }
  for (const gridId of gridIds) {
    await users.doc(user._id).update({ adminGridIds: _.addToSet(gridId) });
    const list = roleName === 'gridworker' ? 'gridworkerIds' : 'groupLeaderIds';
    await ctx.db
      .collection('grids')
      .doc(gridId)
      .update({ [list]: _.addToSet(user._id) });
  }
}

export const roleActions = defineActions('org', {
  'org.staff': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const admin = await requireAdmin(ctx);
      const _ = ctx.db.command;
      const users = await all(ctx, 'users', {
        communityId: admin.communityId,
        roles: _.in(['volunteer', 'gridworker', 'groupLeader', 'communityAdmin']),
      });
      const order = (u: UserDoc) =>
        u.roles.includes('communityAdmin')
          ? 0
          : u.roles.includes('gridworker')
            ? 1
            : u.roles.includes('groupLeader')
              ? 2
              : 3;
      users.sort((a, b) => order(a) - order(b) || naturalCompare(a.nickName, b.nickName) || a._id.localeCompare(b._id));
      return staffViews(ctx, admin.communityId, users);
    },
  },

  'org.findUsers': {
    input: z.object({ query: text(20, 1, '请输入姓名或手机号') }).strict(),
    async handle(ctx, input): Promise<UserMatchView[]> {
      const admin = await requireAdmin(ctx);
      return findUsers(ctx, admin.communityId, input.query);
    },
  },

  'org.grantRole': {
    input: z.object({ openid: id, role, gridIds: z.array(id).max(50).optional() }).strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const user = await getDoc(ctx, 'users', input.openid);
      if (!user) throw new AppError('COMMON.NOT_FOUND', '没有找到该用户，请让对方先打开一次小程序');
      const gridIds = isGridRole(input.role) ? [...new Set(input.gridIds ?? [])] : [];
      await Promise.all(gridIds.map((g) => gridOf(ctx, admin.communityId, g)));
      await grant(ctx, user, input.role, admin.communityId, gridIds);
      return staffView(ctx, admin.communityId, user._id);
    },
  },

  'org.revokeRole': {
    input: z.object({ openid: id, role }).strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const user = await getDoc(ctx, 'users', input.openid);
      if (!user || user.communityId !== admin.communityId) throw new AppError('COMMON.NOT_FOUND', '本社区没有该用户');
      const next = withoutRole(user, input.role, ctx.caller.openid);
      const _ = ctx.db.command;
      const change: Record<string, unknown> = { roles: _.pull(input.role) };
      if (next.adminGridIds.length === 0) change.adminGridIds = [];
      await ctx.db.collection('users').doc(user._id).update(change);
      if (input.role === 'volunteer') {
        // The volunteer functions go by the registration: an approved one would outlive the role.
        await transition(ctx.db, 'volunteers', { _id: user._id }, VOLUNTEER_MACHINE, 'leave', 'staff', {
          onDuty: false,
        });
      }
      if (input.role === 'gridworker' || input.role === 'groupLeader') {
        const list = input.role === 'gridworker' ? 'gridworkerIds' : 'groupLeaderIds';
        await ctx.db
          .collection('grids')
          .where({ communityId: admin.communityId, [list]: user._id })
          .update({ [list]: _.pull(user._id) });
      }
      return staffView(ctx, admin.communityId, user._id);
    },
  },

  'org.saveStaffProfile': {
    input: z
      .object({
        openid: id,
        capacity: z.number().int().min(1).max(10_000),
        homeBuildingId: id.nullable(),
        mustGridIds: z.array(id).max(20),
        mustNotGridIds: z.array(id).max(50),
      })
      .strict()
      .refine((v) => !v.mustGridIds.some((g) => v.mustNotGridIds.includes(g)), {
        message: '同一网格不能既必须负责又不能负责',
        path: ['mustNotGridIds'],
      }),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const user = await getDoc(ctx, 'users', input.openid);
      if (!user || user.communityId !== admin.communityId || !user.roles.some(isGridRole)) {
        throw new AppError('COMMON.NOT_FOUND', '本社区没有这位网格员或组长');
      }
      await Promise.all([...input.mustGridIds, ...input.mustNotGridIds].map((g) => gridOf(ctx, admin.communityId, g)));
      if (input.homeBuildingId) {
        const home = await getDoc(ctx, 'buildings', input.homeBuildingId);
        if (home?.communityId !== admin.communityId) throw new AppError('COMMON.NOT_FOUND', '本社区没有这个楼栋');
      }
      const profile: Omit<StaffDoc, '_id'> = {
        communityId: admin.communityId,
        capacity: input.capacity,
        homeBuildingId: input.homeBuildingId,
        mustGridIds: input.mustGridIds,
        mustNotGridIds: input.mustNotGridIds,
        updatedAt: ctx.now.toISOString(),
      };
      await ctx.db.collection('staff').doc(user._id).set(profile);
      return staffView(ctx, admin.communityId, user._id);
    },
  },
});
