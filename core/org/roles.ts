/** Who may hold which role, and what granting or revoking one does to a user's record. */
import type { GrantableRole, Role, UserDoc } from '../../typings/entities';
import { AppError } from '../errors';

/** Roles that look after grids and therefore need at least one grid. */
export const GRID_ROLES: readonly GrantableRole[] = ['gridworker', 'groupLeader'];

/** Roles a code or an admin may grant. */
export const GRANTABLE_ROLES: readonly GrantableRole[] = [
  'volunteer',
  'gridworker',
  'groupLeader',
  'communityAdmin',
  'sampler',
];

/** Letters of invitation codes: no 0/O, 1/I/L, easy to read aloud and type on a phone. */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** Whether a role is tied to grids. */
export function isGridRole(role: Role): boolean {
  return (GRID_ROLES as readonly Role[]).includes(role);
}

/** The part of a user record roles change. */
export type RoleFields = Pick<UserDoc, 'roles' | 'communityId' | 'adminGridIds'>;

/**
 * A user's record after being granted a role in a community (idempotent: granting twice changes
 * nothing). A user of another community cannot be given a role here.
 */
export function withRole(
  user: RoleFields,
  role: GrantableRole,
  communityId: string,
  gridIds: readonly string[],
): RoleFields {
  if (user.communityId && user.communityId !== communityId) {
    throw new AppError('COMMON.CONFLICT', '该用户属于其他社区，不能在本社区授予角色');
  }
  if (isGridRole(role) && gridIds.length === 0)
    throw new AppError('COMMON.INVALID_INPUT', '网格员和组长需要指定负责的网格');
  return {
    roles: user.roles.includes(role) ? [...user.roles] : [...user.roles, role],
    communityId,
    adminGridIds: isGridRole(role) ? [...new Set([...user.adminGridIds, ...gridIds])] : [...user.adminGridIds],
  };
}

/**
 * A user's record after a role is taken away: grid roles also give up their grids when no grid
 * role is left. An admin cannot take their own admin role (the community would lose its last key).
 */
export function withoutRole(user: RoleFields & { _id: string }, role: GrantableRole, actingOpenid: string): RoleFields {
  if (role === 'communityAdmin' && user._id === actingOpenid)
    throw new AppError('COMMON.CONFLICT', '不能撤销自己的社区管理员角色');
  const roles = user.roles.filter((r) => r !== role);
  const keepsGrids = roles.some(isGridRole);
  return { roles, communityId: user.communityId, adminGridIds: keepsGrids ? [...user.adminGridIds] : [] };
}

/** Why a code cannot be redeemed now, or null when it can. */
export function codeRefusal(
  code: { revoked: boolean; used: number; maxUses: number; expiresAt: string; redeemers: Record<string, string> },
  openid: string,
  now: Date,
): 'revoked' | 'expired' | 'usedUp' | 'already' | null {
  if (code.redeemers[openid]) return 'already';
  if (code.revoked) return 'revoked';
  if (Date.parse(code.expiresAt) <= now.getTime()) return 'expired';
  if (code.used >= code.maxUses) return 'usedUp';
  return null;
}
