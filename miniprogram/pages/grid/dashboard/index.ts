/**
 * 网格看板: the gridworker's grid at a glance — 入群率 per building, today's orders and
 * deliveries, testing coverage, the special-needs ledger with its recurring needs, who has not
 * been contacted today (recorded with one tap) and the grid's notices (posted from here).
 */
import type { CareLedgerRow, GridDashboardView } from '../../../../typings/api';
import type { ContactMethod, OrderStatus } from '../../../../typings/entities';
import { ApiError, call } from '../../../services/api';
import { showError, showLoadError, showSuccess } from '../../../utils/feedback';
import { chinaTime } from '../../../utils/format';
import { staffGrids, type GridChip } from '../../../utils/grids';
import { CONTACT_METHOD_LABELS, NEED_LABELS, ORDER_STATUS_LABELS, WEEKDAY_LABELS } from '../../../utils/labels';
import { byNatural, compareRooms } from '../../../generated/natural-sort';

/** `0.667` → `66.7%`. */
function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

function refillText(row: CareLedgerRow): string {
  if (row.refillInDays === null) return '';
  if (row.refillInDays < 0) return `取药已逾期 ${-row.refillInDays} 天`;
  if (row.refillInDays === 0) return '今天该取药';
  return `${row.refillInDays} 天后取药（${row.refillDueOn ?? ''}）`;
}

/** The dashboard as the template shows it. */
function toView(d: GridDashboardView) {
  return {
    gridName: d.gridName,
    day: d.day,
    joinText: `${d.joined} / ${d.households} 户（${percent(d.joinRate)}）`,
    ordersText: `${d.ordersTodayTotal} 单`,
    orderTags: (Object.entries(d.ordersToday) as Array<[OrderStatus, number]>).map(
      ([s, n]) => `${ORDER_STATUS_LABELS[s]} ${n}`,
    ),
    deliveredText: `${d.deliveredToday} 单`,
    jobsText: d.jobs ? `配送中 ${d.jobs.active} 趟 · 今日送完 ${d.jobs.doneToday} 趟` : '',
    testingText: d.testing
      ? `${d.testing.sampled} / ${d.testing.total} 人（${percent(d.testing.total ? d.testing.sampled / d.testing.total : 0)}）`
      : '暂无检测轮次',
    testingName: d.testing?.roundName ?? '',
    contactText: `今日已联系 ${d.contactedToday} 户，特殊人群 ${d.specialNeeds} 人`,
    buildings: [...d.buildings].sort(byNatural((b) => b.buildingName)).map((b) => ({
      ...b,
      text: `${b.joined} / ${b.households} 户`,
      pct: percent(b.joinRate),
      width: Math.round(b.joinRate * 100),
    })),
    ledger: d.ledger.map((r) => ({
      ...r,
      needsText: r.needs.map((n) => NEED_LABELS[n]).join('、'),
      dialysisText: r.dialysisWeekdays.length
        ? `透析：${r.dialysisWeekdays.map((w) => WEEKDAY_LABELS[w]).join('、')}`
        : '',
      refillText: refillText(r),
      overdue: r.refillInDays !== null && r.refillInDays <= 0,
    })),
    notContacted: [...d.notContacted]
      .sort(compareRooms)
      .map((h) => ({ ...h, needsText: h.needs.map((n) => NEED_LABELS[n]).join('、') })),
    notices: d.notices.map((n) => ({ ...n, timeText: chinaTime(n.postedAt) })),
  };
}

type View = ReturnType<typeof toView>;

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    failed: false,
    gridId: '',
    grids: [] as GridChip[],
    view: null as View | null,
    title: '',
    body: '',
    posting: false,
    editing: false,
    care: { householdId: '', memberId: '', name: '', weekdays: [] as boolean[], refillEveryDays: '', lastRefillOn: '' },
    weekdayLabels: WEEKDAY_LABELS.slice(1),
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      try {
        const { grids, gridId } = await staffGrids('all', query.gridId);
        this.setData({ gridId, grids });
        await this.load();
      } catch (error) {
        showLoadError(this, error);
      }
    },
    async load() {
      const d = await call('grid.dashboard', { gridId: this.data.gridId });
      this.setData({ loading: false, failed: false, view: toView(d) });
    },
    /** 重试 after a failed load (the grid list too when that was what failed). */
    async retry() {
      this.setData({ loading: true, failed: false });
      if (!this.data.gridId) return this.onLoad({});
      await this.load().catch((error: unknown) => showLoadError(this, error));
    },
    async switchGrid(e: WechatMiniprogram.CustomEvent<{ id: string }>) {
      this.setData({ gridId: e.detail.id, loading: true, failed: false });
      await this.load().catch((error: unknown) => showLoadError(this, error));
    },
    async contact(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string; method: ContactMethod }>) {
      const { id, method } = e.currentTarget.dataset;
      try {
        await call('grid.recordContact', { householdId: id, method });
        showSuccess(this, `已记录${CONTACT_METHOD_LABELS[method]}联系`);
        await this.load();
      } catch (error) {
        showError(this, error);
      }
    },
    editCare(e: WechatMiniprogram.BaseEvent<Record<string, never>, { index: number }>) {
      const row = this.data.view?.ledger[e.currentTarget.dataset.index];
      if (!row) return;
      this.setData({
        editing: true,
        care: {
          householdId: row.householdId,
          memberId: row.memberId,
          name: `${row.buildingName} ${row.room} ${row.nameMasked}`,
          weekdays: [1, 2, 3, 4, 5, 6, 7].map((w) => row.dialysisWeekdays.includes(w)),
          refillEveryDays: row.refillEveryDays ? String(row.refillEveryDays) : '',
          lastRefillOn: row.lastRefillOn ?? '',
        },
      });
    },
    toggleWeekday(e: WechatMiniprogram.BaseEvent<Record<string, never>, { index: number }>) {
      const i = e.currentTarget.dataset.index;
      this.setData({ [`care.weekdays[${i}]`]: !this.data.care.weekdays[i] });
    },
    onCareInput(
      e: WechatMiniprogram.CustomEvent<
        { value: string },
        Record<string, never>,
        { field: 'refillEveryDays' | 'lastRefillOn' }
      >,
    ) {
      this.setData({ [`care.${e.currentTarget.dataset.field}`]: e.detail.value.trim() });
    },
    closeCare() {
      this.setData({ editing: false });
    },
    async saveCare() {
      const c = this.data.care;
      const every = c.refillEveryDays ? Number(c.refillEveryDays) : 0;
      if (!Number.isInteger(every) || every < 0 || every > 180)
        return showError(this, new ApiError('COMMON.INVALID_INPUT', '取药周期请填 0 到 180 天'));
      if (c.lastRefillOn && !/^\d{4}-\d{2}-\d{2}$/.test(c.lastRefillOn))
        return showError(this, new ApiError('COMMON.INVALID_INPUT', '上次取药日期格式如 2022-08-20'));
      try {
        await call('grid.saveCare', {
          householdId: c.householdId,
          memberId: c.memberId,
          dialysisWeekdays: c.weekdays.map((on, i) => (on ? i + 1 : 0)).filter((w) => w > 0),
          refillEveryDays: every,
          lastRefillOn: c.lastRefillOn || null,
        });
        this.setData({ editing: false });
        showSuccess(this, '已保存');
        await this.load();
      } catch (error) {
        showError(this, error);
      }
      return undefined;
    },
    onTitle(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ title: e.detail.value });
    },
    onBody(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ body: e.detail.value });
    },
    async postNotice() {
      const title = this.data.title.trim();
      const body = this.data.body.trim();
      if (!title || !body) return showError(this, new ApiError('COMMON.INVALID_INPUT', '请填写通知的标题和内容'));
      this.setData({ posting: true });
      try {
        await call('grid.postNotice', { gridId: this.data.gridId, title, body });
        this.setData({ title: '', body: '', posting: false });
        showSuccess(this, '已发布，本网格居民可以看到');
        await this.load();
      } catch (error) {
        this.setData({ posting: false });
        showError(this, error);
      }
      return undefined;
    },
  },
});
