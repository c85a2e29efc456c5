/** Chinese labels (one source: typings/values.ts, copied into generated/) and the home page's entries. */
import type { Role } from '../generated/values';
import { zh } from '../i18n/zh';

export {
  CATALOG_CATEGORY_LABELS,
  CONTACT_METHOD_LABELS,
  KNOCK_LABELS,
  NEED_LABELS,
  ORDER_KIND_LABELS,
  ORDER_STATUS_LABELS,
  ROLE_LABELS,
  SKILL_LABELS,
  SLOT_LABELS,
  TEAM_LABELS,
  TEST_RESULT_LABELS,
  WEEKDAY_LABELS,
} from '../generated/values';

/** One entry on the home page; its words are the catalogue's `entry.<key>.*` (`staff.entry.` for staff pages). */
export interface HomeEntry {
  key: string;
  /** Chinese title and note (the catalogue's source text). */
  title: string;
  note: string;
  url: string;
  roles: Role[];
  /** Not shown to users holding this role (joining is for those not yet in a grid). */
  hideFor?: Role[];
}

/** The catalogue's prefix of an entry's words: `entry` for residents' pages, `staff.entry` for staff pages. */
export function entryPrefix(key: string): 'entry' | 'staff.entry' {
  return Object.prototype.hasOwnProperty.call(zh, `entry.${key}.title`) ? 'entry' : 'staff.entry';
}

/** The Chinese words of an entry, from the catalogue (pure data: scripts use this file too). */
function words(key: string): { title: string; note: string } {
  const z = zh as Record<string, string>;
  const prefix = entryPrefix(key);
  return { title: z[`${prefix}.${key}.title`] ?? key, note: z[`${prefix}.${key}.note`] ?? '' };
}

/** Everything the home page can offer, by role. */
export const HOME_ENTRIES: HomeEntry[] = [
  // Joining is for people not yet in a grid; staff who joined already find it after their work.
  { key: 'join', ...words('join'), url: '/pages/join/index', roles: [], hideFor: ['resident'] },
  { key: 'my-grid', ...words('my-grid'), url: '/pages/resident/grid/index', roles: ['resident'] },
  { key: 'household', ...words('household'), url: '/pages/resident/household/index', roles: ['resident'] },
  { key: 'order', ...words('order'), url: '/pages/resident/order/index', roles: ['resident'] },
  { key: 'my-orders', ...words('my-orders'), url: '/pages/resident/orders/index', roles: ['resident'] },
  { key: 'joins', ...words('joins'), url: '/pages/grid/joins/index', roles: ['gridworker', 'groupLeader'] },
  {
    key: 'households',
    ...words('households'),
    url: '/pages/grid/households/index',
    roles: ['gridworker', 'groupLeader'],
  },
  { key: 'cards', ...words('cards'), url: '/pages/testing/cards/index', roles: ['resident'] },
  {
    key: 'sample',
    ...words('sample'),
    url: '/pages/testing/sample/index',
    roles: ['volunteer', 'sampler', 'gridworker', 'groupLeader'],
  },
  {
    key: 'verify',
    ...words('verify'),
    url: '/pages/testing/verify/index',
    roles: ['volunteer', 'sampler', 'gridworker', 'groupLeader', 'communityAdmin'],
  },
  {
    key: 'pool',
    ...words('pool'),
    url: '/pages/dispatch/pool/index',
    roles: ['gridworker', 'groupLeader', 'communityAdmin'],
  },
  { key: 'board', ...words('board'), url: '/pages/dispatch/board/index', roles: ['gridworker', 'groupLeader'] },
  {
    key: 'lists',
    ...words('lists'),
    url: '/pages/dispatch/lists/index',
    roles: ['gridworker', 'groupLeader', 'communityAdmin'],
  },
  { key: 'untested', ...words('untested'), url: '/pages/testing/coverage/index', roles: ['gridworker', 'groupLeader'] },
  // ── testing round and people without smartphones (issue 12) ──
  {
    key: 'grid-bookings',
    ...words('grid-bookings'),
    url: '/pages/grid/bookings/index',
    roles: ['gridworker', 'groupLeader', 'communityAdmin'],
  },
  {
    key: 'grid-ledger',
    ...words('grid-ledger'),
    url: '/pages/grid/ledger/index',
    roles: ['gridworker', 'communityAdmin'],
  },
  {
    key: 'grid-slips',
    ...words('grid-slips'),
    url: '/pages/grid/slips/index',
    roles: ['gridworker', 'communityAdmin'],
  },
  {
    key: 'grid-needs',
    ...words('grid-needs'),
    url: '/pages/grid/needs/index',
    roles: ['gridworker', 'groupLeader', 'communityAdmin'],
  },
  {
    key: 'grid-code-sheet',
    ...words('grid-code-sheet'),
    url: '/pages/grid/code-sheet/index',
    roles: ['gridworker', 'groupLeader', 'communityAdmin'],
  },
  {
    key: 'register',
    ...words('register'),
    url: '/pages/volunteer/register/index',
    roles: [],
    hideFor: ['volunteer', 'gridworker', 'groupLeader', 'communityAdmin'],
  },
  { key: 'volunteer-me', ...words('volunteer-me'), url: '/pages/volunteer/me/index', roles: ['volunteer'] },
  { key: 'volunteer-shifts', ...words('volunteer-shifts'), url: '/pages/volunteer/shifts/index', roles: ['volunteer'] },
  {
    key: 'admin-volunteers',
    ...words('admin-volunteers'),
    url: '/pages/admin/volunteers/index',
    roles: ['communityAdmin', 'gridworker'],
  },
  { key: 'admin-shifts', ...words('admin-shifts'), url: '/pages/admin/shifts/index', roles: ['communityAdmin'] },
  { key: 'admin-rounds', ...words('admin-rounds'), url: '/pages/admin/rounds/index', roles: ['communityAdmin'] },
  {
    key: 'test-results',
    ...words('test-results'),
    url: '/pages/testing/results/index',
    roles: ['communityAdmin', 'gridworker'],
  },
  { key: 'admin-catalog', ...words('admin-catalog'), url: '/pages/admin/catalog/index', roles: ['communityAdmin'] },
  {
    key: 'admin-order-rounds',
    ...words('admin-order-rounds'),
    url: '/pages/admin/order-rounds/index',
    roles: ['communityAdmin'],
  },
  { key: 'admin-outbox', ...words('admin-outbox'), url: '/pages/admin/outbox/index', roles: ['communityAdmin'] },
  // The round's money (issue 19): income, refunds, what each supplier is owed.
  {
    key: 'admin-settlement',
    ...words('admin-settlement'),
    url: '/pages/admin/settlement/index',
    roles: ['communityAdmin'],
  },
  { key: 'jobs', ...words('jobs'), url: '/pages/volunteer/jobs/index', roles: ['volunteer'] },
  // ── organisation (issue 7) ──
  {
    key: 'grid-dashboard',
    ...words('grid-dashboard'),
    url: '/pages/grid/dashboard/index',
    roles: ['gridworker', 'groupLeader'],
  },
  {
    key: 'grid-groups',
    ...words('grid-groups'),
    url: '/pages/grid/groups/index',
    roles: ['gridworker', 'groupLeader', 'communityAdmin'],
  },
  {
    key: 'admin-dashboard',
    ...words('admin-dashboard'),
    url: '/pages/admin/dashboard/index',
    roles: ['communityAdmin'],
  },
  { key: 'grids', ...words('grids'), url: '/pages/admin/structure/index', roles: ['communityAdmin'] },
  { key: 'admin-roles', ...words('admin-roles'), url: '/pages/admin/roles/index', roles: ['communityAdmin'] },
  { key: 'admin-assign', ...words('admin-assign'), url: '/pages/admin/assign/index', roles: ['communityAdmin'] },
  { key: 'redeem', ...words('redeem'), url: '/pages/admin/redeem/index', roles: [] },
  // ── end organisation ──
  // ── the end of the emergency (issue 14) ──
  {
    key: 'admin-emergency',
    ...words('admin-emergency'),
    url: '/pages/admin/emergency/index',
    roles: ['communityAdmin'],
  },
  {
    key: 'admin-access-log',
    ...words('admin-access-log'),
    url: '/pages/admin/access-log/index',
    roles: ['communityAdmin'],
  },
  { key: 'close-account', ...words('close-account'), url: '/pages/resident/close/index', roles: ['resident'] },
  { key: 'privacy', ...words('privacy'), url: '/pages/privacy/index', roles: [] },
];

/**
 * Each role's entries in the order of its working day: what it does first thing and most often
 * on top (a gridworker accepts and dispatches orders before anything else; an admin looks at the
 * whole community first). Entries a role does not list follow in HOME_ENTRIES order.
 */
export const DAILY_ORDER: Partial<Record<Role, string[]>> = {
  communityAdmin: [
    'admin-dashboard',
    'pool',
    'lists',
    'admin-volunteers',
    'admin-order-rounds',
    'admin-catalog',
    'test-results',
    'admin-rounds',
    'admin-shifts',
    'admin-roles',
    'grid-groups',
    'grids',
    'admin-assign',
    'verify',
  ],
  gridworker: [
    'pool',
    'board',
    'joins',
    'grid-dashboard',
    'households',
    'lists',
    'untested',
    'grid-bookings',
    'grid-ledger',
    'sample',
    'verify',
    'test-results',
    'admin-volunteers',
    'grid-groups',
  ],
  groupLeader: [
    'pool',
    'board',
    'joins',
    'grid-dashboard',
    'households',
    'lists',
    'untested',
    'sample',
    'verify',
    'grid-groups',
  ],
  volunteer: ['jobs', 'volunteer-me', 'volunteer-shifts', 'sample', 'verify'],
  resident: ['order', 'my-orders', 'cards', 'my-grid', 'household'],
};

/** Roles in the order their work comes first on a shared home page (staff before resident). */
const ROLE_PRECEDENCE: Role[] = ['communityAdmin', 'gridworker', 'groupLeader', 'volunteer', 'sampler', 'resident'];

/**
 * Entries for a user's roles (entries with no roles are for everyone), in the order of their daily
 * work. `sampler: false` (from `user.me`) hides 采样登记 from a volunteer who may not record samples
 * (not in the testing team); absent, the roles alone decide.
 */
export function entriesFor(roles: readonly Role[], me: { sampler?: boolean } = {}): HomeEntry[] {
  const shown = HOME_ENTRIES.filter(
    (e) =>
      !e.hideFor?.some((r) => roles.includes(r)) &&
      (e.roles.length === 0 || e.roles.some((r) => roles.includes(r))) &&
      !(e.key === 'sample' && me.sampler === false),
  );
  const order: string[] = [];
  for (const role of ROLE_PRECEDENCE)
    if (roles.includes(role)) for (const key of DAILY_ORDER[role] ?? []) if (!order.includes(key)) order.push(key);
  // Then the rest in HOME_ENTRIES order — joining a grid last for anyone who already has a role.
  const rank = (e: HomeEntry) => {
    const i = order.indexOf(e.key);
    if (i >= 0) return i;
    return order.length + HOME_ENTRIES.indexOf(e) + (e.key === 'join' && roles.length > 0 ? 10_000 : 0);
  };
  return [...shown].sort((a, b) => rank(a) - rank(b));
}
