/** Chinese labels for every status and role, from typed maps so nothing can go unlabelled. */
import type { KnockStatus, Role, SpecialNeed } from '../../typings/entities';

/** Role names as residents and staff say them. */
export const ROLE_LABELS: Record<Role, string> = {
  resident: '居民',
  volunteer: '志愿者',
  gridworker: '网格员',
  groupLeader: '组长',
  communityAdmin: '社区管理员',
};

/** Special needs, as the ledger says them. */
export const NEED_LABELS: Record<SpecialNeed, string> = {
  elderlyAlone: '独居老人',
  pregnant: '孕产妇',
  disabled: '残疾人',
  chronic: '慢性病',
  dialysis: '血透',
  other: '其他',
};

/** Door-knock outcomes, in the order the gridworker's action sheet offers them. */
export const KNOCK_LABELS: Record<KnockStatus, string> = {
  notHome: '敲门无人',
  cannotCome: '需上门采样',
  refused: '拒绝采样',
  scheduled: '已预约',
};

/** One entry on the home page. */
export interface HomeEntry {
  key: string;
  title: string;
  note: string;
  url: string;
  roles: Role[];
  /** Not shown to users holding this role (joining is for those not yet in a grid). */
  hideFor?: Role;
  /** False until the page exists; such entries are not shown. */
  ready: boolean;
}

/** Everything the home page can offer, by role. */
export const HOME_ENTRIES: HomeEntry[] = [
  { key: 'join', title: '加入网格', note: '绑定楼栋房号，户户入群', url: '/pages/join/index', roles: [], hideFor: 'resident', ready: true },
  { key: 'my-grid', title: '我的网格', note: '网格员、组长联系方式和通知', url: '/pages/resident/grid/index', roles: ['resident'], ready: true },
  { key: 'household', title: '我的家庭', note: '家庭成员与特殊需求', url: '/pages/resident/household/index', roles: ['resident'], ready: true },
  { key: 'order', title: '线上点单', note: '买菜、买药、换气、爱心菜包', url: '/pages/resident/order/index', roles: ['resident'], ready: true },
  { key: 'my-orders', title: '我的订单', note: '查看进度、确认收货', url: '/pages/resident/orders/index', roles: ['resident'], ready: true },
  { key: 'joins', title: '入群审核', note: '审核本网格居民的入群申请', url: '/pages/grid/joins/index', roles: ['gridworker', 'groupLeader'], ready: true },
  { key: 'households', title: '本网格住户', note: '住户名单、代下单', url: '/pages/grid/households/index', roles: ['gridworker', 'groupLeader'], ready: true },
  { key: 'cards', title: '核酸采样卡', note: '个人码与采样卡', url: '/pages/testing/cards/index', roles: ['resident'], ready: true },
  { key: 'sample', title: '采样登记', note: '扫居民个人码', url: '/pages/testing/sample/index', roles: ['volunteer', 'gridworker', 'groupLeader'], ready: true },
  { key: 'verify', title: '查验采样卡', note: '卡点、物资发放', url: '/pages/testing/verify/index', roles: ['volunteer', 'gridworker', 'groupLeader', 'communityAdmin'], ready: true },
  { key: 'pool', title: '订单池', note: '接单、派单', url: '/pages/grid/pool/index', roles: ['gridworker', 'groupLeader'], ready: false },
  { key: 'lists', title: '采购与配送单', note: '采购汇总、分楼栋配送单', url: '/pages/grid/lists/index', roles: ['gridworker', 'groupLeader'], ready: false },
  { key: 'untested', title: '未检名单', note: '应检尽检，不漏一户', url: '/pages/testing/coverage/index', roles: ['gridworker', 'groupLeader'], ready: true },
  { key: 'register', title: '志愿者报到', note: '报名参加志愿服务', url: '/pages/volunteer/register/index', roles: ['resident', 'volunteer'], ready: false },
  { key: 'jobs', title: '我的任务', note: '上岗、接单、送达', url: '/pages/volunteer/jobs/index', roles: ['volunteer'], ready: false },
  { key: 'grids', title: '网格管理', note: '网格、网格员与统计', url: '/pages/admin/grids/index', roles: ['communityAdmin'], ready: false },
  { key: 'privacy', title: '隐私保护指引', note: '我们收集什么、为什么、保存多久', url: '/pages/privacy/index', roles: [], ready: true },
];

/** Entries for a user's roles (entries with no roles are for everyone), only pages that exist. */
export function entriesFor(roles: readonly Role[]): HomeEntry[] {
  return HOME_ENTRIES.filter(
    (e) => e.ready && !(e.hideFor && roles.includes(e.hideFor)) && (e.roles.length === 0 || e.roles.some((r) => roles.includes(r))),
  );
}
