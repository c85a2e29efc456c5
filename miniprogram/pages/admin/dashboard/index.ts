/** 社区看板: every grid's figures and the community's totals; a notice to the whole community. */
import type { CommunityDashboardView, DashboardCounts } from '../../../../typings/api';
import type { OrderStatus } from '../../../../typings/entities';
import { ApiError, call } from '../../../services/api';
import { showError, showLoadError, showSuccess } from '../../../utils/feedback';
import { ORDER_STATUS_LABELS } from '../../../utils/labels';
import { byNatural } from '../../../generated/natural-sort';

function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

/** The order statuses in the order work flows (what is waiting first). */
const FLOW: OrderStatus[] = [
  'submitted',
  'accepted',
  'assigned',
  'pickedUp',
  'failed',
  'delivered',
  'received',
  'rejected',
  'cancelled',
];

/** A dashboard's counts in words, with spaces around every number (`今日订单 24 单`, `已派单 18 · 待接单 6`). */
export function countsView(c: DashboardCounts) {
  const byStatus = FLOW.filter((s) => c.ordersToday[s]).map((s) => `${ORDER_STATUS_LABELS[s]} ${c.ordersToday[s]}`);
  return {
    joinText: `入群 ${c.joined} / ${c.households} 户（${percent(c.joinRate)}）`,
    ordersText: `今日订单 ${c.ordersTodayTotal} 单`,
    ordersDetail: byStatus.join(' · '),
    deliveredText: `今日送达 ${c.deliveredToday} 单${c.jobs && c.jobs.active ? ` · 配送中 ${c.jobs.active} 趟` : ''}`,
    testingText: c.testing ? `核酸已采 ${c.testing.sampled} / ${c.testing.total} 人` : '暂无检测轮次',
    careText: `特殊人群 ${c.specialNeeds} 人 · 今日已联系 ${c.contactedToday} 户`,
  };
}

function toView(d: CommunityDashboardView) {
  return {
    communityName: d.communityName,
    day: d.day,
    totals: countsView(d.totals),
    testingRound: d.totals.testing?.roundName ?? '',
    grids: [...d.grids].sort(byNatural((g) => g.gridName)).map((g) => ({
      ...countsView(g),
      gridId: g.gridId,
      gridName: g.gridName,
      workersText: g.gridworkers.join('、') || '未分配网格员',
      notContacted: g.notContacted,
    })),
  };
}

Component({
  data: {
    loading: true,
    failed: false,
    view: null as ReturnType<typeof toView> | null,
    title: '',
    body: '',
    posting: false,
  },
  methods: {
    async onLoad() {
      await this.load();
    },
    async load() {
      try {
        this.setData({ loading: false, failed: false, view: toView(await call('org.dashboard', {})) });
      } catch (error) {
        showLoadError(this, error);
      }
    },
    retry() {
      this.setData({ loading: true, failed: false });
      return this.load();
    },
    openGrid(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      wx.navigateTo({ url: `/pages/grid/dashboard/index?gridId=${e.currentTarget.dataset.id}` });
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
        await call('grid.postNotice', { gridId: null, title, body });
        this.setData({ title: '', body: '', posting: false });
        showSuccess(this, '已发布到全社区');
      } catch (error) {
        this.setData({ posting: false });
        showError(this, error);
      }
      return undefined;
    },
  },
});
