/**
 * The end of the emergency (PIPL): what the purge deletes, in one place. The community admin
 * declares the emergency over (解封); after the retention period the purge timer runs this plan
 * in order — first the anonymous aggregates kept for the record, then every step, each in batches
 * until nothing matches it. Every step's match excludes what it already did (deleted documents
 * are gone, cleared fields no longer match), so a purge cut short by a crash continues where it
 * stopped and a second run finds nothing.
 *
 * Every collection of server/lib/schema.ts is classified in COLLECTION_FATES (a test keeps the
 * two in step): deleted by the purge, cleared of its sensitive fields, or kept, and why.
 */
import type {
  DailyAggregateDoc,
  EmergencyEndStatus,
  HouseholdMember,
  JobStop,
  OrderStatus,
} from '../../typings/entities';
import type { Machine } from '../state/machine';
import { chinaDay } from '../time';

/** Days health and special-needs data are kept after the emergency is declared over, unless the admin says otherwise. */
export const DEFAULT_RETENTION_DAYS = 30;
export const MIN_RETENTION_DAYS = 1;
export const MAX_RETENTION_DAYS = 180;

const DAY_MS = 86_400_000;

/** What a cleared free-text field holds afterwards (a medicine order's description). */
export const CLEARED_TEXT = '（已删除）';

/** Who acts on a declaration: the community admin, or the purge timer. */
export type EndActor = 'admin' | 'system';
export type EndEvent = 'undo' | 'begin' | 'finish' | 'declare';

/**
 * A declaration's life: declared → (undone before the purge | purging → purged). A community
 * whose declaration was undone or purged may declare again (a new declaration id).
 */
export const EMERGENCY_END_MACHINE: Machine<EmergencyEndStatus, EndEvent, EndActor> = {
  declared: { undo: { to: 'undone', by: ['admin'] }, begin: { to: 'purging', by: ['system'] } },
  undone: { declare: { to: 'declared', by: ['admin'] } },
  purging: { finish: { to: 'purged', by: ['system'] } },
  purged: { declare: { to: 'declared', by: ['admin'] } },
};

/** When the purge of a declaration made at `declaredAt` may begin. */
export function purgeAtFor(declaredAt: Date, retentionDays: number): Date {
  return new Date(declaredAt.getTime() + retentionDays * DAY_MS);
}

/** Whether the purge of this declaration should run now (declared and due, or begun and unfinished). */
export function purgeDue(end: { status: EmergencyEndStatus; purgeAt: string }, now: Date): boolean {
  if (end.status === 'purging') return true;
  return end.status === 'declared' && Date.parse(end.purgeAt) <= now.getTime();
}

/** The oldest access-log entry still kept at `now` (entries before it are deleted). */
export function accessLogCutoff(now: Date, retentionDays: number): Date {
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

// ── the plan ──

/** A condition on one field, as the server turns it into a query (`db.command`). */
export type FieldMatch = { eq: string | number | boolean } | { ne: null } | { nin: Array<string | null> };

/**
 * One step: a collection, which of its documents (within the community: by its `communityId`, or
 * by `gridId` among the community's grids for collections that have no community field), and what
 * happens to them — deleted whole, a fixed patch, or a per-document patch (REWRITES).
 */
export interface PurgeStep {
  id: string;
  collection: string;
  scope: 'community' | 'grids';
  action: 'delete' | 'clear';
  /** All must hold (besides the scope); `any` (if given): at least one of them too. */
  match: Record<string, FieldMatch>;
  any?: Array<Record<string, FieldMatch>>;
  /** For `clear`: the fields set (constant), or the name of a per-document rewrite. */
  set?: Record<string, string | boolean | null>;
  rewrite?: keyof typeof REWRITES;
  /** A field holding a storage file id: the file is deleted before the field is cleared. */
  fileField?: string;
  /** What goes, for the admin's report and the privacy page. */
  label: string;
}

/** Every step, in order. 重点人员 (keyPersons and their daily check-ins) go with the rest of the health data. */
export const PURGE_PLAN: readonly PurgeStep[] = [
  {
    id: 'samples',
    collection: 'samples',
    scope: 'community',
    action: 'delete',
    match: {},
    label: '核酸采样记录、检测结果和采样卡',
  },
  { id: 'bookings', collection: 'bookings', scope: 'grids', action: 'delete', match: {}, label: '上门采样预约' },
  { id: 'knocks', collection: 'knocks', scope: 'grids', action: 'delete', match: {}, label: '未检名单的敲门记录' },
  {
    id: 'keyPersonChecks',
    collection: 'keyPersonChecks',
    scope: 'community',
    action: 'delete',
    match: {},
    label: '重点人员每日打卡记录',
  },
  {
    id: 'keyPersons',
    collection: 'keyPersons',
    scope: 'community',
    action: 'delete',
    match: {},
    label: '重点人员台账（返并、居家隔离、健康码）',
  },
  {
    id: 'careNeeds',
    collection: 'careNeeds',
    scope: 'community',
    action: 'delete',
    match: {},
    label: '特殊人群台账（血透日、慢病取药周期）',
  },
  { id: 'contacts', collection: 'contacts', scope: 'grids', action: 'delete', match: {}, label: '联系住户记录' },
  {
    id: 'groupMembers',
    collection: 'groupMembers',
    scope: 'grids',
    action: 'delete',
    match: {},
    label: '微信群成员与住户的匹配',
  },
  {
    id: 'householdNeeds',
    collection: 'households',
    scope: 'community',
    action: 'clear',
    match: {},
    any: [{ priority: { eq: true } }, { sensitiveConsentAt: { ne: null } }],
    rewrite: 'householdNeeds',
    label: '家庭成员的特殊需求、说明及其单独同意记录',
  },
  {
    id: 'volunteerHealth',
    collection: 'volunteers',
    scope: 'community',
    action: 'clear',
    match: { health: { ne: null } },
    set: { health: null },
    label: '志愿者健康承诺',
  },
  {
    id: 'prescriptions',
    collection: 'orders',
    scope: 'community',
    action: 'clear',
    match: { 'medicine.prescriptionFileId': { ne: null } },
    set: { 'medicine.prescriptionFileId': null },
    fileField: 'medicine.prescriptionFileId',
    label: '处方照片（存储中的文件）',
  },
  {
    id: 'proofPhotos',
    collection: 'orders',
    scope: 'community',
    action: 'clear',
    match: { proofFileId: { ne: null } },
    set: { proofFileId: null },
    fileField: 'proofFileId',
    label: '送达门口照片（存储中的文件）',
  },
  {
    id: 'medicineNotes',
    collection: 'orders',
    scope: 'community',
    action: 'clear',
    match: { kind: { eq: 'medicine' }, 'medicine.description': { nin: [CLEARED_TEXT, null] } },
    set: { 'medicine.description': CLEARED_TEXT },
    label: '买药订单的药品描述',
  },
  {
    id: 'orderPriority',
    collection: 'orders',
    scope: 'community',
    action: 'clear',
    match: { priority: { eq: true } },
    set: { priority: false },
    label: '订单上的特殊人群优先标记',
  },
  {
    id: 'jobPriority',
    collection: 'jobs',
    scope: 'community',
    action: 'clear',
    match: { 'stops.priority': { eq: true } },
    rewrite: 'jobPriority',
    label: '配送任务上的特殊人群优先标记',
  },
];

/** The per-document patches of `clear` steps whose new value depends on the document. */
export const REWRITES = {
  /** Members keep name, relation and age band; their needs and notes go, and the consent with them. */
  householdNeeds(doc: { members?: HouseholdMember[] }): Record<string, unknown> {
    return {
      members: (doc.members ?? []).map((m) => ({
        id: m.id,
        name: m.name,
        relation: m.relation,
        ageBand: m.ageBand,
        needs: [],
      })),
      sensitiveConsentAt: null,
      heardConsent: null,
      priority: false,
    };
  },
  /** Stops lose their priority flag (which says a household had special needs). */
  jobPriority(doc: { stops?: JobStop[] }): Record<string, unknown> {
    return { stops: (doc.stops ?? []).map((s) => ({ ...s, priority: false })) };
  },
} as const;

/** The step-ids of the plan, aggregates first (the id of the aggregate phase). */
export const AGGREGATE_STEP = 'aggregates';

/** The next step to run after `done` (null: the purge is finished). */
export function nextStep(done: readonly string[]): string | null {
  if (!done.includes(AGGREGATE_STEP)) return AGGREGATE_STEP;
  return PURGE_PLAN.find((s) => !done.includes(s.id))?.id ?? null;
}

/** What happens to each collection at the end of the emergency, and why. */
export type CollectionFate = { fate: 'deleted' | 'cleared' | 'kept'; why: string };

/** Every collection of the app (server/lib/schema.ts COLLECTIONS), classified. */
export const COLLECTION_FATES: Readonly<Record<string, CollectionFate>> = {
  samples: { fate: 'deleted', why: '健康信息：采样、结果、采样卡' },
  bookings: { fate: 'deleted', why: '健康信息：上门采样预约' },
  knocks: { fate: 'deleted', why: '健康信息：谁未参加检测' },
  keyPersons: { fate: 'deleted', why: '健康信息：重点人员台账（返并、居家隔离、健康码）' },
  keyPersonChecks: { fate: 'deleted', why: '健康信息：重点人员每日打卡' },
  careNeeds: { fate: 'deleted', why: '敏感个人信息：特殊人群台账' },
  contacts: { fate: 'deleted', why: '联系记录（关怀特殊人群时记下）' },
  households: { fate: 'cleared', why: '特殊需求、说明和同意记录清除；房号、户主、电话留作社区住户名册' },
  volunteers: { fate: 'cleared', why: '健康承诺清除；报名信息留作志愿服务记录' },
  orders: { fate: 'cleared', why: '处方、送达照片、药品描述和优先标记清除；商品、数量、金额留作批次账目' },
  jobs: { fate: 'cleared', why: '优先标记清除；配送记录保留' },
  accessLog: { fate: 'deleted', why: '查看记录：保存期满后逐条删除（与解封无关）' },
  dailyAggregates: { fate: 'kept', why: '匿名统计：每个网格每天的计数，不含任何个人' },
  purgeRecords: { fate: 'kept', why: '删除记录：删了什么、何时、依据哪次解封' },
  emergencyEnds: { fate: 'kept', why: '解封宣布与撤销记录' },
  communities: { fate: 'kept', why: '社区结构' },
  grids: { fate: 'kept', why: '网格结构' },
  buildings: { fate: 'kept', why: '楼栋结构' },
  users: { fate: 'kept', why: '账号：本人可随时注销' },
  shops: { fate: 'kept', why: '商品目录、库存和订购批次' },
  restocks: { fate: 'kept', why: '补货记录' },
  notices: { fate: 'kept', why: '社区通知' },
  idempotency: { fate: 'kept', why: '请求去重记录，不含健康信息' },
  outbox: { fate: 'kept', why: '订阅消息发送记录，不含健康信息' },
  joinRequests: { fate: 'kept', why: '入群申请：本人注销时删除' },
  invites: { fate: 'kept', why: '网格邀请' },
  inviteCodes: { fate: 'kept', why: '网格邀请码图片' },
  groupBindings: { fate: 'kept', why: '网格微信群绑定' },
  liveMessages: { fate: 'kept', why: '群里的动态团购卡片：批次、网格和下单户数，不含个人' },
  groupMembers: { fate: 'deleted', why: '群成员与本户的匹配（微信身份与住户的关联）：解封后删除，注销时删除' },
  rounds: { fate: 'kept', why: '订购批次' },
  testRounds: { fate: 'kept', why: '检测轮次（日期、采样点），不含个人' },
  counters: { fate: 'kept', why: '编号计数器' },
  staff: { fate: 'kept', why: '网格员分配设置' },
  roleCodes: { fate: 'kept', why: '角色邀请码' },
  assignRuns: { fate: 'kept', why: '网格员分配记录' },
  shifts: { fate: 'kept', why: '志愿者班次' },
  shiftSignups: { fate: 'kept', why: '班次报名（服务时长证明）' },
  dutyLogs: { fate: 'kept', why: '上岗记录（服务时长证明）' },
  refunds: { fate: 'kept', why: '微信支付退款记录（金额、原因、平台退款单号），批次账目的一部分，不含健康信息' },
};

// ── aggregates ──

/** What the aggregate phase reads (only these fields). */
export interface AggregateSources {
  samples: Array<{ gridId: string; roundId: string; result: string | null }>;
  /** China day of each testing round. */
  roundDays: ReadonlyMap<string, string>;
  bookings: Array<{ gridId: string; date: string }>;
  knocks: Array<{ gridId: string; day: string }>;
  contacts: Array<{ gridId: string; day: string }>;
  orders: Array<{
    gridId: string;
    createdAt: string;
    status: OrderStatus | 'placing';
    kind: string;
    priority: boolean;
  }>;
  households: Array<{ gridId: string; priority: boolean }>;
  careNeeds: Array<{ gridId: string }>;
}

type Counts = Omit<DailyAggregateDoc, '_id' | 'communityId' | 'gridId' | 'day' | 'declarationId'>;

const ZERO: Counts = {
  sampled: 0,
  negative: 0,
  positive: 0,
  homeSamplingBooked: 0,
  doorsKnocked: 0,
  householdsContacted: 0,
  ordersPlaced: 0,
  ordersDelivered: 0,
  medicineOrders: 0,
  priorityOrders: 0,
  specialNeedsHouseholds: 0,
  careRecords: 0,
};

/** The id of a grid's aggregate of a day. */
export function aggregateId(communityId: string, gridId: string, day: string): string {
  return `${communityId}:${gridId}:${day}`;
}

/**
 * Anonymous counts per grid and China day: nothing in them names or points to a person. Counts
 * with no day of their own (special-needs households, care records) are put on the declaration's day.
 */
export function aggregate(
  src: AggregateSources,
  communityId: string,
  declarationId: string,
  declaredOn: string,
): DailyAggregateDoc[] {
  const rows = new Map<string, DailyAggregateDoc>();
  const row = (gridId: string, day: string): DailyAggregateDoc => {
    const id = aggregateId(communityId, gridId, day);
    let r = rows.get(id);
    if (!r) {
      r = { _id: id, communityId, gridId, day, ...ZERO, declarationId };
      rows.set(id, r);
    }
    return r;
  };
  for (const s of src.samples) {
    const r = row(s.gridId, src.roundDays.get(s.roundId) ?? declaredOn);
    r.sampled += 1;
    if (s.result === 'negative') r.negative += 1;
    if (s.result === 'positive') r.positive += 1;
  }
  for (const b of src.bookings) row(b.gridId, b.date).homeSamplingBooked += 1;
  for (const k of src.knocks) row(k.gridId, k.day).doorsKnocked += 1;
  for (const c of src.contacts) row(c.gridId, c.day).householdsContacted += 1;
  for (const o of src.orders) {
    if (o.status === 'placing') continue;
    const r = row(o.gridId, chinaDay(new Date(o.createdAt)));
    r.ordersPlaced += 1;
    if (o.status === 'delivered' || o.status === 'received') r.ordersDelivered += 1;
    if (o.kind === 'medicine') r.medicineOrders += 1;
    if (o.priority) r.priorityOrders += 1;
  }
  for (const h of src.households) if (h.priority) row(h.gridId, declaredOn).specialNeedsHouseholds += 1;
  for (const c of src.careNeeds) row(c.gridId, declaredOn).careRecords += 1;
  return [...rows.values()].sort((a, b) => a._id.localeCompare(b._id));
}

/** Totals of a report: documents over all steps, and files. */
export function totals(counts: Readonly<Record<string, number>>, files: number): { documents: number; files: number } {
  return { documents: Object.values(counts).reduce((a, b) => a + b, 0), files };
}
