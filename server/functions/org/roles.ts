/** Staff and roles granted by the admin. */
import { VOLUNTEER_MACHINE } from '../../../core/state/machines';
import { transition } from '../../lib/transition';
import { AppError } from '../../../core/errors';
import { maskPhone } from '../../../core/mask';
import { isGridRole, withoutRole, withRole } from '../../../core/org/roles';
import type { StaffView } from '../../../typings/api';
import type { GrantableRole, StaffDoc, UserDoc } from '../../../typings/entities';
import { getDoc, mustGet } from '../../lib/access';
import { type CallContext, defineActions } from '../../lib/define-function';
import { requireAdmin } from '../../lib/users';
import { z } from '../../lib/validate';
import { all } from '../../lib/query';
import { gridOf, id, role } from './shared';

async function staffViews(ctx: CallContext, communityId: string, users: UserDoc[]): Promise<StaffView[]> {
  const _ = ctx.db.command;
  const profiles = users.length ? await all(ctx, 'staff', { _id: _.in(users.map((u) => u._id)) }) : [];
  const byId = new Map(profiles.map((p) => [p._id, p]));
  return users.map((u) => {
    const p = byId.get(u._id);
    return {
      openid: u._id,
      name: u.nickName,
      roles: u.roles,
      gridIds: u.adminGridIds,
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
      users.sort((a, b) => order(a) - order(b) || a._id.localeCompare(b._id));
      return staffViews(ctx, admin.communityId, users);
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
