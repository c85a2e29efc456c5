/**
 * Every enumeration of the app, defined once: a const tuple (the values, in the order forms list
 * them), the union type derived from it, and the Chinese label of each value. Schemas
 * (`z.enum(ORDER_KINDS)`), switches and label maps all derive from here, so adding a value is one
 * edit here and the compiler points at every place that must handle it.
 *
 * This file is pure data with no imports: the build copies it into the mini-program
 * (`miniprogram/generated/values.ts`, see scripts/gen-values.ts) so pages show the same words.
 */

/** A label for every value of a tuple (a missing or extra key is a compile error). */
type Labels<T extends readonly string[]> = { readonly [K in T[number]]: string };

/** Roles a user can hold; checked by every cloud function. */
/** `sampler`: may record samples (核酸采样) without being in the 核酸检测 team; granted by the admin. */
export const ROLES = ['resident', 'volunteer', 'gridworker', 'groupLeader', 'communityAdmin', 'sampler'] as const;
export type Role = (typeof ROLES)[number];
export const ROLE_LABELS: Labels<typeof ROLES> = {
  resident: '居民',
  volunteer: '志愿者',
  gridworker: '网格员',
  groupLeader: '组长',
  communityAdmin: '社区管理员',
  sampler: '采样员',
};

/** Roles the community admin grants (by hand or by invitation code): every role but resident, which joining a grid makes. */
export type GrantableRole = Exclude<Role, 'resident'>;
export const GRANTABLE_ROLES: readonly GrantableRole[] = ROLES.filter((r): r is GrantableRole => r !== 'resident');

/** Special needs recorded per household member (sensitive personal information). */
export const SPECIAL_NEEDS = ['elderlyAlone', 'pregnant', 'disabled', 'chronic', 'dialysis', 'other'] as const;
export type SpecialNeed = (typeof SPECIAL_NEEDS)[number];
export const NEED_LABELS: Labels<typeof SPECIAL_NEEDS> = {
  elderlyAlone: '独居老人',
  pregnant: '孕产妇',
  disabled: '残疾人',
  chronic: '慢性病',
  dialysis: '血透',
  other: '其他',
};

/** Volunteer teams of the seeds (服务队). */
export const VOLUNTEER_TEAMS = [
  'checkpoint',
  'testing',
  'supplies',
  'disinfection',
  'delivery',
  'counselling',
] as const;
export type VolunteerTeam = (typeof VOLUNTEER_TEAMS)[number];
export const TEAM_LABELS: Labels<typeof VOLUNTEER_TEAMS> = {
  checkpoint: '卡点值守',
  testing: '核酸检测',
  supplies: '物资发放',
  disinfection: '消毒消杀',
  delivery: '送货配送',
  counselling: '心理疏导',
};

/** Age bands of household members (no birth dates are collected). */
export const AGE_BANDS = ['0-6', '7-17', '18-59', '60-79', '80+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];
export const AGE_BAND_LABELS: Labels<typeof AGE_BANDS> = {
  '0-6': '0–6岁',
  '7-17': '7–17岁',
  '18-59': '18–59岁',
  '60-79': '60–79岁',
  '80+': '80岁以上',
};

/** A member's relation to the head of the household. */
export const RELATIONS = ['self', 'spouse', 'child', 'parent', 'grandchild', 'other'] as const;
export type Relation = (typeof RELATIONS)[number];
export const RELATION_LABELS: Labels<typeof RELATIONS> = {
  self: '本人',
  spouse: '配偶',
  child: '子女',
  parent: '父母',
  grandchild: '孙辈',
  other: '其他',
};

/** Categories of the catalogue (loveBag and gas items are ordered from their own entries). */
export const CATALOG_CATEGORIES = ['vegetable', 'meat', 'staple', 'daily', 'medicine', 'gas', 'loveBag'] as const;
export type CatalogCategory = (typeof CATALOG_CATEGORIES)[number];
export const CATALOG_CATEGORY_LABELS: Labels<typeof CATALOG_CATEGORIES> = {
  vegetable: '蔬菜',
  meat: '肉蛋',
  staple: '米面粮油',
  daily: '日用品',
  medicine: '药品',
  gas: '液化气',
  loveBag: '爱心菜包',
};

/** Units goods are sold in. */
export const UNITS = ['斤', '份', '袋', '瓶', '罐', '盒', '箱', '个', '把', '桶'] as const;
export type Unit = (typeof UNITS)[number];

/** Life of an order, from the resident's tap to their door. */
export const ORDER_STATUSES = [
  'submitted',
  'accepted',
  'rejected',
  'assigned',
  'pickedUp',
  'delivered',
  'failed',
  'cancelled',
  'received',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
/** Short status words (lists, dashboards, filters). */
export const ORDER_STATUS_LABELS: Labels<typeof ORDER_STATUSES> = {
  submitted: '待接单',
  accepted: '已接单',
  rejected: '已拒绝',
  assigned: '已派单',
  pickedUp: '配送中',
  delivered: '已送达',
  failed: '未送达',
  cancelled: '已取消',
  received: '已收货',
};
/** The resident's sentence for each status (order timeline). */
export const ORDER_STATUS_TEXT: Labels<typeof ORDER_STATUSES> = {
  submitted: '已提交，等待网格员接单',
  accepted: '网格员已接单',
  rejected: '未受理',
  assigned: '已安排志愿者配送',
  pickedUp: '志愿者已取货，正在配送',
  delivered: '已送达',
  failed: '配送未成功，将重新安排',
  cancelled: '已取消',
  received: '已签收',
};

/** Who acts on an order. */
export const ORDER_ACTORS = ['resident', 'gridworker', 'volunteer', 'system'] as const;
export type OrderActor = (typeof ORDER_ACTORS)[number];

/** What can happen to an order. */
export const ORDER_EVENTS = [
  'accept',
  'reject',
  'cancel',
  'assign',
  'unassign',
  'pickUp',
  'deliver',
  'fail',
  'requeue',
  'confirm',
] as const;
export type OrderEvent = (typeof ORDER_EVENTS)[number];

/** What kind of order. */
export const ORDER_KINDS = ['grocery', 'loveBag', 'medicine', 'gas'] as const;
export type OrderKind = (typeof ORDER_KINDS)[number];
export const ORDER_KIND_LABELS: Labels<typeof ORDER_KINDS> = {
  grocery: '买菜',
  loveBag: '爱心菜包',
  medicine: '买药',
  gas: '换气',
};

/** How soon a medicine order is needed (urgent ones have a delivery deadline, see core/policy.ts). */
export const MEDICINE_URGENCIES = ['normal', 'urgent'] as const;
export type MedicineUrgency = (typeof MEDICINE_URGENCIES)[number];
export const MEDICINE_URGENCY_LABELS: Labels<typeof MEDICINE_URGENCIES> = { normal: '普通', urgent: '急需' };

/** How the resident pays. */
export const PAYMENT_MODES = ['free', 'cashOnDelivery', 'transfer', 'wechatPay'] as const;
export type PaymentMode = (typeof PAYMENT_MODES)[number];
export const PAYMENT_MODE_LABELS: Labels<typeof PAYMENT_MODES> = {
  free: '免费',
  cashOnDelivery: '货到付现金',
  transfer: '转账',
  wechatPay: '微信支付',
};

/** Where a WeChat Pay order's money is (issue 19; core/payment/state.ts moves it). */
export const PAY_STATES = ['awaiting', 'paid', 'partlyRefunded', 'refunded', 'closed'] as const;
export type PayState = (typeof PAY_STATES)[number];
export const PAY_STATE_LABELS: Labels<typeof PAY_STATES> = {
  awaiting: '待支付',
  paid: '已支付',
  partlyRefunded: '已部分退款',
  refunded: '已退款',
  closed: '已关闭',
};

/** Why money goes back to the resident (issue 19). */
export const REFUND_REASONS = ['rejected', 'cancelled', 'shortfall', 'failedDelivery', 'expired'] as const;
export type RefundReason = (typeof REFUND_REASONS)[number];
export const REFUND_REASON_LABELS: Labels<typeof REFUND_REASONS> = {
  rejected: '订单未受理',
  cancelled: '订单已取消',
  shortfall: '缺货退差价',
  failedDelivery: '配送未成功',
  expired: '支付超时，订单已取消',
};

/** Where a refund is (issue 19): retried until the platform confirms. */
export const REFUND_STATES = ['pending', 'processing', 'done', 'failed'] as const;
export type RefundState = (typeof REFUND_STATES)[number];
export const REFUND_STATE_LABELS: Labels<typeof REFUND_STATES> = {
  pending: '待退款',
  processing: '退款中',
  done: '已退款',
  failed: '退款失败，处理中',
};

/** How a resident found their grid. */
export const JOIN_VIAS = ['invite', 'group', 'manual'] as const;
export type JoinVia = (typeof JOIN_VIAS)[number];

/** State of a request to join a grid. */
export const JOIN_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type JoinStatus = (typeof JOIN_STATUSES)[number];
export const JOIN_STATUS_LABELS: Labels<typeof JOIN_STATUSES> = {
  pending: '待审核',
  approved: '已通过',
  rejected: '未通过',
};

/** Door-knock outcomes, in the order the gridworker's action sheet offers them. */
export const KNOCK_STATUSES = ['notHome', 'cannotCome', 'refused', 'scheduled'] as const;
export type KnockStatus = (typeof KNOCK_STATUSES)[number];
export const KNOCK_LABELS: Labels<typeof KNOCK_STATUSES> = {
  notHome: '敲门无人',
  cannotCome: '需上门采样',
  refused: '拒绝采样',
  scheduled: '已预约',
};

/** Result of a sample (核酸结果). */
export const TEST_RESULTS = ['negative', 'positive'] as const;
export type TestResult = (typeof TEST_RESULTS)[number];
export const TEST_RESULT_LABELS: Labels<typeof TEST_RESULTS> = { negative: '阴性', positive: '阳性' };

/** Why a resident books tomorrow's sampling (明日预约, Taiyuan's categories). */
export const BOOKING_REASONS = ['returnee', 'spatiotemporal', 'yellowCode', 'isolationEnd', 'other'] as const;
export type BookingReason = (typeof BOOKING_REASONS)[number];
export const BOOKING_REASON_LABELS: Labels<typeof BOOKING_REASONS> = {
  returnee: '返并人员',
  spatiotemporal: '时空伴随',
  yellowCode: '黄码',
  isolationEnd: '居家隔离期满',
  other: '其他',
};

/** Where a booking stands: booked → claimed (认领) by a gridworker → visited (敲门) → closed; or cancelled by the resident. */
export const BOOKING_STATUSES = ['booked', 'claimed', 'visited', 'closed', 'cancelled'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];
export const BOOKING_STATUS_LABELS: Labels<typeof BOOKING_STATUSES> = {
  booked: '已预约，待认领',
  claimed: '网格员已认领',
  visited: '网格员已上门',
  closed: '已办结',
  cancelled: '已取消',
};

/** How a closed booking ended. */
export const BOOKING_OUTCOMES = ['sampled', 'notHome', 'refused', 'notNeeded'] as const;
export type BookingOutcome = (typeof BOOKING_OUTCOMES)[number];
export const BOOKING_OUTCOME_LABELS: Labels<typeof BOOKING_OUTCOMES> = {
  sampled: '已上门采样',
  notHome: '多次敲门无人',
  refused: '拒绝采样',
  notNeeded: '无需采样',
};

/** Why someone is on the 重点人员 ledger. */
export const KEY_PERSON_KINDS = ['returnee', 'homeIsolation', 'spatiotemporal', 'other'] as const;
export type KeyPersonKind = (typeof KEY_PERSON_KINDS)[number];
export const KEY_PERSON_KIND_LABELS: Labels<typeof KEY_PERSON_KINDS> = {
  returnee: '返并人员',
  homeIsolation: '居家隔离',
  spatiotemporal: '时空伴随',
  other: '其他',
};

/** Health code colour (健康码). */
export const CODE_COLORS = ['green', 'yellow', 'red'] as const;
export type CodeColor = (typeof CODE_COLORS)[number];
export const CODE_COLOR_LABELS: Labels<typeof CODE_COLORS> = { green: '绿码', yellow: '黄码', red: '红码' };

/** State of a volunteer's registration (报到). */
export const VOLUNTEER_STATUSES = ['pending', 'approved', 'rejected', 'left'] as const;
export type VolunteerStatus = (typeof VOLUNTEER_STATUSES)[number];
export const VOLUNTEER_STATUS_LABELS: Labels<typeof VOLUNTEER_STATUSES> = {
  pending: '待审核',
  approved: '已通过',
  rejected: '未通过',
  left: '已退出',
};

/** Skills a volunteer declares. */
export const VOLUNTEER_SKILLS = ['medical', 'driving', 'interpreting'] as const;
export type VolunteerSkill = (typeof VOLUNTEER_SKILLS)[number];
export const SKILL_LABELS: Labels<typeof VOLUNTEER_SKILLS> = {
  medical: '医护',
  driving: '驾驶皮卡',
  interpreting: '藏汉双语翻译',
};

/** What helps a volunteer carry heavy things (a 15 kg gas cylinder): nothing, a hand trolley, an e-bike, a car. */
export const CARRY_AIDS = ['none', 'trolley', 'ebike', 'car'] as const;
export type CarryAid = (typeof CARRY_AIDS)[number];
export const CARRY_AID_LABELS: Labels<typeof CARRY_AIDS> = {
  none: '徒手',
  trolley: '小推车',
  ebike: '电动车',
  car: '汽车',
};

/** The two legs of a gas-cylinder swap (换气): collect the empty at the door, bring the full one back. */
export const GAS_LEGS = ['collectEmpty', 'returnFull'] as const;
export type GasLeg = (typeof GAS_LEGS)[number];
export const GAS_LEG_LABELS: Labels<typeof GAS_LEGS> = { collectEmpty: '取空瓶', returnFull: '送满瓶' };

/** Times of day a volunteer can serve. */
export const TIME_SLOTS = ['morning', 'afternoon', 'evening', 'night'] as const;
export type TimeSlot = (typeof TIME_SLOTS)[number];
export const SLOT_LABELS: Labels<typeof TIME_SLOTS> = {
  morning: '上午',
  afternoon: '下午',
  evening: '晚上',
  night: '夜间',
};

/** How a gridworker reached a household. */
export const CONTACT_METHODS = ['phone', 'visit', 'wechat'] as const;
export type ContactMethod = (typeof CONTACT_METHODS)[number];
export const CONTACT_METHOD_LABELS: Labels<typeof CONTACT_METHODS> = { phone: '电话', visit: '上门', wechat: '微信' };

/** Subscribe-message templates a user may accept (微信订阅消息). */
export const SUBSCRIBE_TEMPLATES = ['orderStatus', 'joinResult', 'notice'] as const;
export type SubscribeTemplate = (typeof SUBSCRIBE_TEMPLATES)[number];
/** What each message kind tells (the admin's outbox list). */
export const SUBSCRIBE_TEMPLATE_LABELS: Labels<typeof SUBSCRIBE_TEMPLATES> = {
  orderStatus: '订单状态通知',
  joinResult: '审核结果通知',
  notice: '网格通知',
};

/** Where a subscribe message is in the outbox (server/lib/outbox.ts). */
export const OUTBOX_STATUSES = ['queued', 'sending', 'sent', 'retrying', 'failed'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];
export const OUTBOX_STATUS_LABELS: Labels<typeof OUTBOX_STATUSES> = {
  queued: '排队中',
  sending: '发送中',
  sent: '已发送',
  retrying: '等待重试',
  failed: '发送失败',
};

/** The dispatch's spreadsheets of a round: the purchase summary and the packing list. */
export const DISPATCH_LISTS = ['purchase', 'packing'] as const;
export type DispatchList = (typeof DISPATCH_LISTS)[number];

/** Life of a delivery job (one trip of one volunteer). */
export const JOB_STATUSES = ['open', 'assigned', 'pickedUp', 'done', 'released'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const JOB_STATUS_LABELS: Labels<typeof JOB_STATUSES> = {
  open: '待接单',
  assigned: '待取货',
  pickedUp: '配送中',
  done: '已完成',
  released: '已退回',
};

/** What can happen to a job. */
export const JOB_EVENTS = ['grab', 'assign', 'reassign', 'pickUp', 'finish', 'release'] as const;
export type JobEvent = (typeof JOB_EVENTS)[number];

/** Weekdays, 1 = Monday … 7 = Sunday. */
export const WEEKDAY_LABELS = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'] as const;
