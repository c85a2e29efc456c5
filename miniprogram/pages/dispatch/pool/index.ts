/**
 * 订单池 (gridworker): the orders of my grid for a round, filtered by status, building, kind and
 * special needs; accept (one or all waiting) or reject with a reason the resident sees.
 */
import type { PoolOrderView, PoolQuery, PoolView } from '../../../../typings/api';
import type { OrderKind, OrderStatus } from '../../../../typings/entities';
import { call } from '../../../services/api';
import { showError, showLoadError, showSuccess } from '../../../utils/feedback';
import { loadNextPage } from '../../../utils/paging';
import { byNatural } from '../../../generated/natural-sort';

/**
 * Status tabs of the pool: the three with work waiting first (待接单, 待派单, 未送达 — in view on a
 * 375 pt phone), then the others in the order work flows (the row scrolls sideways).
 */
export const POOL_TABS: Array<{ value: OrderStatus; label: string }> = [
  { value: 'submitted', label: '待接单' },
  { value: 'accepted', label: '待派单' },
  { value: 'failed', label: '未送达' },
  { value: 'assigned', label: '已派单' },
  { value: 'pickedUp', label: '配送中' },
  { value: 'delivered', label: '已送达' },
  { value: 'rejected', label: '未受理' },
];

/** Tabs where something is waiting for the gridworker (the pool may open on one of them). */
const WORK_TABS: OrderStatus[] = ['submitted', 'accepted', 'failed'];

/** Orders one review call takes (the server's limit). */
const REVIEW_BATCH = 200;

const KIND_LABELS: Record<OrderKind, string> = { grocery: '买菜', loveBag: '爱心菜包', medicine: '买药', gas: '换气' };

/** One order as its card shows it. */
export interface PoolRow {
  id: string;
  place: string;
  who: string;
  phone: string;
  kind: string;
  content: string;
  /** What to pack, one entry per line: the item's name, then the amount (`1箱`) kept whole. */
  items: Array<{ name: string; amount: string }>;
  weight: string;
  /** Urgent medicine (急需): a warning tag on the card. */
  urgent: boolean;
  priority: boolean;
  contactless: boolean;
  note: string;
  extra: string;
  canReview: boolean;
  canRequeue: boolean;
  /** How it is paid (issue 19): 待支付 / 已支付 for WeChat Pay, else the mode (货到付现金, 转账, 免费). */
  payText: string;
  payTheme: string;
  /** Not WeChat Pay, or WeChat Pay and paid: it may be accepted. */
  acceptable: boolean;
  /** Why it may not be accepted yet. */
  payHint: string;
}

/** A row's pay badge; a server without payments (no `pay`) shows none and may accept. */
function payBadge(pay: PoolOrderView['pay'] | undefined) {
  if (!pay) return { payText: '', payTheme: 'default', acceptable: true, payHint: '' };
  return {
    payText: pay.mode === 'wechatPay' ? `微信支付 · ${pay.stateText}` : pay.stateText,
    payTheme: payBadgeTheme(pay),
    acceptable: pay.acceptable,
    payHint: pay.acceptable ? '' : '居民还没有完成微信支付，付款后才能接单（超时未付会自动取消）',
  };
}

/** The colour of a pay badge: 待支付 grey, 已支付 green, refunds orange, cash/transfer/free blue. */
export function payBadgeTheme(pay: PoolOrderView['pay']): string {
  if (pay.mode !== 'wechatPay') return 'primary';
  if (pay.state === 'paid') return 'success';
  if (pay.state === 'partlyRefunded' || pay.state === 'refunded') return 'warning';
  return 'default';
}

/** Cards of the pool: special needs first (the server's order), what to pack in one line. */
export function poolRows(orders: readonly PoolOrderView[]): PoolRow[] {
  return orders.map((o) => ({
    id: o.id,
    place: `${o.buildingName} ${o.room}`,
    who: o.headMasked,
    phone: o.phoneMasked,
    kind: KIND_LABELS[o.kind],
    content:
      o.medicine ??
      (o.kind === 'gas'
        ? // A gas swap's two legs and where it is: 液化气换瓶 · 取空瓶✓ 送满瓶… · 空瓶已取，送站充气中
          `液化气换瓶${o.gas ? ` · ${o.gas.legs.map((l) => `${l.label}${l.done ? '✓' : '…'}`).join(' ')} · ${o.gas.stageText}` : ''}`
        : o.lines.map((l) => `${l.name} ${l.qty}${l.unit}`).join('，')),
    items: o.medicine || o.kind === 'gas' ? [] : o.lines.map((l) => ({ name: l.name, amount: `${l.qty}${l.unit}` })),
    weight: `约${o.weightKg}公斤`,
    urgent: Boolean(o.urgent),
    priority: o.priority,
    contactless: o.contactless,
    note: o.note,
    extra: o.rejectReason
      ? `未受理：${o.rejectReason}`
      : o.failReason
        ? `未送达：${o.failReason}`
        : o.shortfall.length
          ? `短缺：${o.shortfall.map((s) => `${s.name}少${s.expected - s.counted}${s.unit}`).join('，')}`
          : '',
    canReview: o.status === 'submitted' || o.status === 'accepted',
    canRequeue: o.status === 'failed',
    ...payBadge(o.pay as PoolOrderView['pay'] | undefined),
  }));
}

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    /** The pool did not load: the error state with its retry button. */
    failed: false,
    busy: false,
    gridId: '',
    grids: [] as PoolView['grids'],
    /** Filters set (building, kind, special needs), to say why the list may be empty. */
    filtered: false,
    emptyText: '没有符合条件的订单',
    rounds: [] as PoolView['rounds'],
    roundId: '',
    buildings: [] as PoolView['buildings'],
    buildingId: '',
    kinds: (Object.keys(KIND_LABELS) as OrderKind[]).map((k) => ({ value: k, label: KIND_LABELS[k] })),
    kind: '',
    priorityOnly: false,
    tabs: POOL_TABS.map((t) => ({ ...t, text: t.label })),
    status: 'submitted' as OrderStatus,
    rows: [] as PoolRow[],
    /** Orders matching the filters in all (the list loads a page at a time). */
    total: 0,
    more: false,
    loadingMore: false,
    rejecting: false,
    rejectPresets: ['今日缺货', '超出限购', '不在配送范围'],
    _rejectIds: [] as string[],
    _cursor: '',
    _counts: {} as PoolView['counts'],
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      this.setData({ gridId: query.gridId ?? '' });
      await this.reload();
      // Open on the tab that has work: nothing to accept, but orders to dispatch or to arrange again.
      const counts = this.data._counts;
      if (!counts.submitted) {
        const next = POOL_TABS.find((t) => t.value !== 'submitted' && counts[t.value] && WORK_TABS.includes(t.value));
        if (next) {
          this.setData({ status: next.value });
          await this.reload();
        }
      }
    },
    query(): PoolQuery {
      const d = this.data;
      const q: PoolQuery = { status: d.status };
      if (d.gridId) q.gridId = d.gridId;
      if (d.roundId) q.roundId = d.roundId;
      if (d.buildingId) q.buildingId = d.buildingId;
      if (d.kind) q.kind = d.kind as OrderKind;
      if (d.priorityOnly) q.priority = true;
      return q;
    },
    async reload() {
      this.setData({ failed: false });
      try {
        const pool = await call('dispatch.pool', this.query());
        const counts = pool.counts;
        const d = this.data;
        const filtered = Boolean(d.buildingId || d.kind || d.priorityOnly || d.roundId);
        const tab = POOL_TABS.find((t) => t.value === d.status)?.label ?? '';
        const gridName = pool.grids.find((g) => g.id === pool.gridId)?.name ?? '';
        this.setData({
          loading: false,
          gridId: pool.gridId,
          grids: pool.grids,
          filtered,
          emptyText: filtered ? `筛选条件下没有${tab}的订单` : `${gridName}现在没有${tab}的订单`,
          _counts: counts,
          rounds: pool.rounds,
          buildings: [...pool.buildings].sort(byNatural((b) => b.name)),
          tabs: POOL_TABS.map((t) => ({ ...t, text: counts[t.value] ? `${t.label} ${counts[t.value]}` : t.label })),
          rows: poolRows(pool.items),
          total: pool.total,
          more: pool.nextCursor !== null,
          _cursor: pool.nextCursor ?? '',
        });
      } catch (error) {
        showLoadError(this, error);
      }
    },
    /** The next page of the pool, when the list is scrolled to its end. */
    onReachBottom() {
      return loadNextPage(
        this,
        this.data._cursor,
        (cursor) => call('dispatch.pool', { ...this.query(), cursor }),
        (pool) => {
          this.setData({
            rows: [...this.data.rows, ...poolRows(pool.items)],
            total: pool.total,
            more: pool.nextCursor !== null,
            _cursor: pool.nextCursor ?? '',
          });
        },
      );
    },
    onTab(e: { detail: { value: OrderStatus } }) {
      this.setData({ status: e.detail.value });
      return this.reload();
    },
    pick(
      e: WechatMiniprogram.BaseEvent<
        Record<string, never>,
        { field: 'gridId' | 'roundId' | 'buildingId' | 'kind'; value: string }
      >,
    ) {
      const { field, value } = e.currentTarget.dataset;
      const next = this.data[field] === value && field !== 'gridId' ? '' : value;
      this.setData(field === 'gridId' ? { gridId: next, buildingId: '' } : { [field]: next });
      return this.reload();
    },
    switchGrid(e: WechatMiniprogram.CustomEvent<{ id: string }>) {
      this.setData({ gridId: e.detail.id, buildingId: '' });
      return this.reload();
    },
    /** Clears every filter (building, kind, round, special needs). */
    clearFilters() {
      this.setData({ buildingId: '', kind: '', roundId: '', priorityOnly: false });
      return this.reload();
    },
    togglePriority() {
      this.setData({ priorityOnly: !this.data.priorityOnly });
      return this.reload();
    },
    async review(orderIds: string[], accept: boolean, reason?: string) {
      if (orderIds.length === 0) return;
      this.setData({ busy: true });
      try {
        const res = { changed: 0, skipped: 0 };
        // The server takes up to REVIEW_BATCH orders a call: a big grid's orders go in batches.
        for (let i = 0; i < orderIds.length; i += REVIEW_BATCH) {
          const batch = orderIds.slice(i, i + REVIEW_BATCH);
          const done = await call(
            'dispatch.review',
            reason ? { orderIds: batch, accept, reason } : { orderIds: batch, accept },
          );
          res.changed += done.changed;
          res.skipped += done.skipped;
        }
        showSuccess(
          this,
          `${accept ? '已接单' : '已标记不受理'} ${res.changed} 单${res.skipped ? `，${res.skipped} 单状态已变化` : ''}`,
        );
        this.setData({ busy: false });
        await this.reload();
      } catch (error) {
        this.setData({ busy: false });
        showError(this, error);
      }
    },
    accept(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      return this.review([e.currentTarget.dataset.id], true);
    },
    /** Accepts every order of the tab: the ones shown and those on pages not loaded yet. */
    async acceptAll() {
      // Unpaid WeChat Pay orders wait for their payment.
      const ids = this.data.rows.filter((r) => r.canReview && r.acceptable).map((r) => r.id);
      try {
        for (let cursor = this.data._cursor; cursor;) {
          const pool = await call('dispatch.pool', { ...this.query(), cursor, limit: 100 });
          ids.push(
            ...pool.items
              .filter((o) => (o.status === 'submitted' || o.status === 'accepted') && (o.pay?.acceptable ?? true))
              .map((o) => o.id),
          );
          cursor = pool.nextCursor ?? '';
        }
      } catch (error) {
        showError(this, error);
        return undefined;
      }
      return this.review(ids, true);
    },
    askReject(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      this.setData({ rejecting: true, _rejectIds: [e.currentTarget.dataset.id] });
    },
    closeReject() {
      this.setData({ rejecting: false });
    },
    /** The reason dialog answered (it refuses an empty reason itself). */
    confirmReject(e: WechatMiniprogram.CustomEvent<{ reason: string }>) {
      this.setData({ rejecting: false });
      return this.review(this.data._rejectIds, false, e.detail.reason);
    },
    async requeue(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      try {
        await call('dispatch.requeue', { orderId: e.currentTarget.dataset.id });
        showSuccess(this, '已退回待派单');
        await this.reload();
      } catch (error) {
        showError(this, error);
      }
    },
    toBoard() {
      wx.navigateTo({ url: `/pages/dispatch/board/index?gridId=${this.data.gridId}` });
    },
    toLists() {
      wx.navigateTo({
        url: `/pages/dispatch/lists/index?gridId=${this.data.gridId}&roundId=${this.data.roundId || (this.data.rounds[0]?.id ?? '')}`,
      });
    },
  },
});
