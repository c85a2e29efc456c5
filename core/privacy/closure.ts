/**
 * Closing an account (注销, PIPL art. 47): who may, and what goes. Decided here, done by the user
 * function (server/functions/user/close.ts) step by step, the user document last, so a closure cut
 * short is finished by trying again.
 *
 * - Staff (gridworker, group leader, community admin, sampler) are refused until the admin removes
 *   their roles: others rely on them (grids, rounds, reviews), and closing would orphan that work.
 * - A registered volunteer (pending or approved) is refused until they leave (我的志愿服务 → 退出),
 *   which hands back their jobs and shift seats; a volunteer who left or was rejected may close.
 * - Orders still under way (submitted … picked up) must finish or be cancelled first.
 * - The household: if the person is its only bound member it is deleted with everything about it
 *   (members, special needs, care records, samples, cards, bookings, door knocks, contact logs);
 *   if others remain it stays, without this person (its head name and phone belong to the
 *   household and are kept up to date by those who remain).
 * - Their orders (and, when the household goes, all its orders) are anonymised: no OPENID, note,
 *   medicine description or photos; items, quantities, amounts, grid and room stay for the round's accounts.
 * - Deleted: the user document, join requests, volunteer registration, shift sign-ups, duty logs,
 *   queued messages; their OPENID is removed from delivery jobs' notify lists and role codes.
 * - Kept: access-log entries of what they viewed as staff (accountability; deleted after the
 *   retention period like every entry), shown as 已注销用户.
 */
import type { OrderEventRecord, OrderStatus, Role } from '../../typings/entities';
import { FINAL_STATUSES } from '../order/state-machine';
import { CLEARED_TEXT } from './purge';

/** What stands in for an OPENID in anonymised records. */
export const CLOSED_ACCOUNT = 'closed-account';

/** Roles that must be removed by the admin before the account can be closed. */
export const STAFF_ROLES: readonly Role[] = ['gridworker', 'groupLeader', 'communityAdmin', 'sampler'];

/** Order statuses that no longer need the resident (delivered ones are confirmed by the timer). */
export const SETTLED_STATUSES: readonly OrderStatus[] = [...FINAL_STATUSES, 'delivered'];

/** Why a closure is refused now (Chinese, for the resident), or null. */
export function closureRefusal(input: {
  roles: readonly Role[];
  volunteerStatus: string | null;
  activeOrders: number;
}): { code: 'AUTH.FORBIDDEN' | 'COMMON.CONFLICT'; message: string } | null {
  const staff = input.roles.filter((r) => STAFF_ROLES.includes(r));
  if (staff.length)
    return {
      code: 'AUTH.FORBIDDEN',
      message: '您仍担任社区或网格的工作职务，请先请社区管理员撤销您的角色，再注销账号',
    };
  if (input.roles.includes('volunteer') || input.volunteerStatus === 'pending' || input.volunteerStatus === 'approved')
    return {
      code: 'AUTH.FORBIDDEN',
      message: '您还是登记的志愿者，请先在「我的志愿服务」中退出志愿者，再注销账号',
    };
  if (input.activeOrders > 0)
    return {
      code: 'COMMON.CONFLICT',
      message: `您还有 ${input.activeOrders} 个进行中的订单，请等订单完成或取消后再注销账号`,
    };
  return null;
}

/** What happens to the household: deleted when the person is its only bound member, else they leave it. */
export function householdFate(memberOpenids: readonly string[], openid: string): 'deleted' | 'left' {
  return memberOpenids.every((m) => m === openid) ? 'deleted' : 'left';
}

/**
 * The patch that anonymises one order: no OPENID anywhere, no free text, no medicine description
 * or photos (their files are deleted by the caller), no hand-over code. What the round's accounts
 * need stays: items, quantities, prices, totals, payment, status, grid, building, room, times.
 */
export function anonymisedOrder(
  order: {
    placedBy: string;
    history: OrderEventRecord[];
    medicine: { description: string; urgency: string; prescriptionFileId: string | null } | null;
  },
  openids: ReadonlySet<string>,
): Record<string, unknown> {
  const hide = (who: string) => (openids.has(who) ? CLOSED_ACCOUNT : who);
  return {
    placedBy: hide(order.placedBy),
    history: order.history.map((h) => ({ ...h, by: hide(h.by) })),
    note: '',
    medicine: order.medicine ? { ...order.medicine, description: CLEARED_TEXT, prescriptionFileId: null } : null,
    proofFileId: null,
    handoverCode: null,
  };
}
