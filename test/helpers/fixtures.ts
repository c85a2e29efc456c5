/**
 * Contract-typed fixtures for page tests: a complete, valid view per type, with `Partial` overrides,
 * so a fixture breaks at compile time when the contract (typings/api.ts) changes.
 */
import type {
  ApiFailure,
  CatalogAdminItemView,
  ErrorCode,
  FieldIssue,
  MyVolunteerView,
  OrderDetailView,
  OrderView,
  PayBadgeView,
  PoolOrderView,
  ResultsView,
  RoundView,
  SampledView,
  ShiftView,
  VolunteerAdminView,
} from '../../typings/api';
import type { Me, OrderStatus } from '../../typings/entities';

/** A cash-on-delivery order's payment as the gridworker's pool shows it. */
export const cashBadge: PayBadgeView = {
  mode: 'cashOnDelivery',
  modeText: '货到付现金',
  state: null,
  stateText: '货到付现金',
  amountFen: 800,
  refundedFen: 0,
  transactionId: null,
  acceptable: true,
};

/** A failure answer, as a cloud function sends it. */
export function failure(code: ErrorCode, message: string, issues?: FieldIssue[]): ApiFailure {
  return issues ? { ok: false, code, message, issues } : { ok: false, code, message };
}

/** The caller as `user.me` answers (a resident unless overridden). */
export function me(over: Partial<Me> = {}): Me {
  return {
    openid: 'dev-res-0001',
    nickName: '居民',
    roles: ['resident'],
    communityId: 'c1',
    adminGridIds: [],
    householdId: 'h-0001',
    ...over,
  };
}

/** A grocery order of one bag of rice, waiting for the gridworker. */
export function orderView(over: Partial<OrderView> = {}): OrderView {
  const status: OrderStatus = over.status ?? 'submitted';
  return {
    id: 'o1',
    kind: 'grocery',
    status,
    statusText: '已提交，等待网格员接单',
    roundId: 'r',
    lines: [{ itemId: 'i', name: '大米 10斤装', unit: '袋', qty: 1, priceFen: 4500 }],
    medicine: null,
    gas: null,
    totalFen: 4500,
    payment: 'cashOnDelivery',
    contactless: true,
    note: '',
    priority: false,
    onBehalf: false,
    room: '1-101',
    rejectReason: null,
    createdAt: '2022-08-20T02:00:00Z',
    canCancel: status === 'submitted',
    canConfirm: status === 'delivered',
    pay: {
      mode: 'cashOnDelivery',
      modeText: '货到付现金',
      state: null,
      stateText: '货到付现金',
      amountFen: 4500,
      refundedFen: 0,
      paidAt: null,
      expiresAt: null,
      transactionId: null,
      canPay: false,
      refunds: [],
    },
    ...over,
  };
}

/** An order with an empty timeline and no contacts. */
export function orderDetail(over: Partial<OrderDetailView> = {}): OrderDetailView {
  return { ...orderView(over), history: [], contacts: [], ...over };
}

/** A volunteer's own registration, pending review. */
export function myVolunteer(over: Partial<MyVolunteerView> = {}): MyVolunteerView {
  return {
    status: 'pending',
    statusText: '待审核',
    name: '次仁卓玛',
    phoneMasked: '139****5678',
    partyMember: true,
    partyBranch: '第一党支部',
    workUnit: '城关区教育局',
    communityId: 'c-xingfu',
    communityName: '幸福新村社区',
    gridIds: ['g-01'],
    gridNames: ['第1网格'],
    teamsWished: ['delivery'],
    skills: [],
    slots: ['morning'],
    team: null,
    buildingNames: [],
    capacityKg: 15,
    rejectReason: null,
    onDuty: false,
    dutySince: null,
    pendingChange: null,
    ...over,
  };
}

/** A registration as the reviewing staff see it, pending review. */
export function volunteerAdmin(over: Partial<VolunteerAdminView> = {}): VolunteerAdminView {
  return {
    id: 'o-vol',
    status: 'pending',
    name: '次仁卓玛',
    phoneMasked: '139****5678',
    partyMember: true,
    partyBranch: '第一党支部',
    workUnit: '城关区教育局',
    gridIds: ['g-01'],
    gridNames: ['第1网格'],
    teamsWished: ['delivery', 'checkpoint'],
    skills: ['driving'],
    slots: ['morning'],
    team: null,
    buildingIds: [],
    capacityKg: 15,
    rejectReason: null,
    onDuty: false,
    idle: false,
    createdAt: '2022-08-20T00:00:00.000Z',
    pendingChange: null,
    carryText: '徒手15公斤，有小推车',
    ...over,
  };
}

/** An open checkpoint shift with one seat left. */
export function shiftView(over: Partial<ShiftView> = {}): ShiftView {
  return {
    id: 's-1',
    team: 'checkpoint',
    teamText: '卡点值守',
    title: '卡点值守（早班）',
    place: '北门3号卡点',
    date: '2022-08-21',
    start: '08:00',
    end: '14:00',
    capacity: 4,
    taken: 3,
    qualifications: [],
    status: 'open',
    cancelBy: '2022-08-21T06:00:00+08:00',
    mine: false,
    canSignUp: true,
    whyNot: null,
    canCancel: false,
    ...over,
  };
}

/** A catalogue item as the admin keeps it: a bag of rice, shown to residents. */
export function catalogItem(over: Partial<CatalogAdminItemView> = {}): CatalogAdminItemView {
  return {
    id: 'item-001',
    name: '大米 10斤装',
    category: 'staple',
    unit: '袋',
    priceFen: 4500,
    stock: 20,
    perHouseholdLimit: 2,
    active: true,
    soldOut: false,
    ...over,
  };
}

/** An ordering round (批次), open now. */
export function orderRound(over: Partial<RoundView> = {}): RoundView {
  return {
    id: 'round-001',
    name: '第1批次',
    opensAt: '2022-08-20T00:00:00.000Z',
    closesAt: '2022-08-21T12:00:00.000Z',
    open: true,
    ...over,
  };
}

/** A sampled member with no result yet. */
export function sampled(over: Partial<SampledView> = {}): SampledView {
  return {
    householdId: 'h-0001',
    memberId: 'm1',
    buildingName: '1号楼',
    room: '1-101',
    nameMasked: '次*',
    serial: 'R1-G01-0001',
    sampledAt: '2022-08-20T09:30:00+08:00',
    result: null,
    ...over,
  };
}

/** The results of 第1网格 in a round: the rows given, counted. */
export function resultsView(items: SampledView[], over: Partial<ResultsView> = {}): ResultsView {
  const count = (r: SampledView['result']) => items.filter((i) => i.result === r).length;
  return {
    items,
    nextCursor: null,
    total: items.length,
    gridId: 'g-01',
    gridName: '第1网格',
    grids: [{ id: 'g-01', name: '第1网格' }],
    counts: { sampled: items.length, negative: count('negative'), positive: count('positive'), none: count(null) },
    ...over,
  };
}

/** An order on the gridworker's pool (a cash order waiting to be accepted, unless `over` says otherwise). */
export function poolOrder(id: string, room: string, over: Partial<PoolOrderView> = {}): PoolOrderView {
  return {
    id,
    kind: 'grocery',
    status: 'submitted',
    statusText: '已提交',
    roundId: 'r1',
    buildingId: 'b1',
    buildingName: '1号楼',
    room,
    headMasked: '次**玛',
    phoneMasked: '138****0001',
    lines: [{ itemId: 'item-009', name: '土豆', unit: '斤', qty: 4 }],
    medicine: null,
    priority: false,
    contactless: false,
    note: '',
    weightKg: 2,
    rejectReason: null,
    jobId: null,
    shortfall: [],
    failReason: null,
    createdAt: '2022-08-20T01:00:00Z',
    gas: null,
    pay: cashBadge,
    ...over,
  };
}
