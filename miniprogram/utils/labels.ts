/** Chinese labels (one source: typings/values.ts, copied into generated/) and the home page's entries. */
import type { Role } from '../generated/values';

export {
  CONTACT_METHOD_LABELS,
  KNOCK_LABELS,
  NEED_LABELS,
  ORDER_KIND_LABELS,
  ORDER_STATUS_LABELS,
  ROLE_LABELS,
  SKILL_LABELS,
  SLOT_LABELS,
  TEAM_LABELS,
  WEEKDAY_LABELS,
} from '../generated/values';

/** One entry on the home page. */
export interface HomeEntry {
  key: string;
  title: string;
  note: string;
  url: string;
  roles: Role[];
  /** Not shown to users holding this role (joining is for those not yet in a grid). */
  hideFor?: Role[];
}

/** Everything the home page can offer, by role. */
export const HOME_ENTRIES: HomeEntry[] = [
  { key: 'join', title: '加入网格', note: '绑定楼栋房号，户户入群', url: '/pages/join/index', roles: [], hideFor: ['resident'] },
  { key: 'my-grid', title: '我的网格', note: '网格员、组长联系方式和通知', url: '/pages/resident/grid/index', roles: ['resident'] },
  { key: 'household', title: '我的家庭', note: '家庭成员与特殊需求', url: '/pages/resident/household/index', roles: ['resident'] },
  { key: 'order', title: '线上点单', note: '买菜、买药、换气、爱心菜包', url: '/pages/resident/order/index', roles: ['resident'] },
  { key: 'my-orders', title: '我的订单', note: '查看进度、确认收货', url: '/pages/resident/orders/index', roles: ['resident'] },
  { key: 'joins', title: '入群审核', note: '审核本网格居民的入群申请', url: '/pages/grid/joins/index', roles: ['gridworker', 'groupLeader'] },
  { key: 'households', title: '本网格住户', note: '住户名单、代下单', url: '/pages/grid/households/index', roles: ['gridworker', 'groupLeader'] },
  { key: 'cards', title: '核酸采样卡', note: '个人码与采样卡', url: '/pages/testing/cards/index', roles: ['resident'] },
  { key: 'sample', title: '采样登记', note: '扫居民个人码', url: '/pages/testing/sample/index', roles: ['volunteer', 'gridworker', 'groupLeader'] },
  { key: 'verify', title: '查验采样卡', note: '卡点、物资发放', url: '/pages/testing/verify/index', roles: ['volunteer', 'gridworker', 'groupLeader', 'communityAdmin'] },
  { key: 'pool', title: '订单池', note: '接单、派单', url: '/pages/dispatch/pool/index', roles: ['gridworker', 'groupLeader', 'communityAdmin'] },
  { key: 'board', title: '派单看板', note: '一键派单、改派、短缺上报', url: '/pages/dispatch/board/index', roles: ['gridworker', 'groupLeader'] },
  { key: 'lists', title: '采购与配送单', note: '采购汇总、分楼栋配送单', url: '/pages/dispatch/lists/index', roles: ['gridworker', 'groupLeader', 'communityAdmin'] },
  { key: 'untested', title: '未检名单', note: '应检尽检，不漏一户', url: '/pages/testing/coverage/index', roles: ['gridworker', 'groupLeader'] },
  { key: 'register', title: '志愿者报到', note: '党员群众向社区报到，报名志愿服务', url: '/pages/volunteer/register/index', roles: [], hideFor: ['volunteer', 'gridworker', 'groupLeader', 'communityAdmin'] },
  { key: 'volunteer-me', title: '我的志愿服务', note: '审核状态、上岗下岗、志愿者证', url: '/pages/volunteer/me/index', roles: ['volunteer'] },
  { key: 'volunteer-shifts', title: '班次报名', note: '卡点、采样、物资发放班次', url: '/pages/volunteer/shifts/index', roles: ['volunteer'] },
  { key: 'admin-volunteers', title: '志愿者管理', note: '报到审核、分队、统计、导出时长', url: '/pages/admin/volunteers/index', roles: ['communityAdmin', 'gridworker'] },
  { key: 'admin-shifts', title: '班次与名单', note: '设置班次、查看报名名单', url: '/pages/admin/shifts/index', roles: ['communityAdmin'] },
  { key: 'jobs', title: '配送任务', note: '抢单、取货、送达', url: '/pages/volunteer/jobs/index', roles: ['volunteer'] },
  // ── organisation (issue 7) ──
  { key: 'grid-dashboard', title: '网格看板', note: '入群率、订单、特殊人群台账、今日联系', url: '/pages/grid/dashboard/index', roles: ['gridworker', 'groupLeader'] },
  { key: 'admin-dashboard', title: '社区看板', note: '各网格统计、发布社区通知', url: '/pages/admin/dashboard/index', roles: ['communityAdmin'] },
  { key: 'grids', title: '网格管理', note: '网格、楼栋、导入住户表', url: '/pages/admin/structure/index', roles: ['communityAdmin'] },
  { key: 'admin-roles', title: '角色与邀请码', note: '授予、撤销角色，生成邀请码', url: '/pages/admin/roles/index', roles: ['communityAdmin'] },
  { key: 'admin-assign', title: '网格员分配', note: '按工作量均衡分配，可指定后重排', url: '/pages/admin/assign/index', roles: ['communityAdmin'] },
  { key: 'redeem', title: '输入邀请码', note: '成为网格员、组长或志愿者', url: '/pages/admin/redeem/index', roles: [] },
  // ── end organisation ──
  { key: 'privacy', title: '隐私保护指引', note: '我们收集什么、为什么、保存多久', url: '/pages/privacy/index', roles: [] },
];

/** Entries for a user's roles (entries with no roles are for everyone). */
export function entriesFor(roles: readonly Role[]): HomeEntry[] {
  return HOME_ENTRIES.filter(
    (e) => !e.hideFor?.some((r) => roles.includes(r)) && (e.roles.length === 0 || e.roles.some((r) => roles.includes(r))),
  );
}
