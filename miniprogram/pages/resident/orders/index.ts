/** 我的订单: every order of my household, newest first, with its status. */
import type { OrderView } from '../../../../typings/api';
import type { OrderStatus } from '../../../../typings/entities';
import { call } from '../../../services/api';
import { showError } from '../../../utils/feedback';
import { chinaTime, yuan } from '../../../utils/format';

const KIND_TITLE = { grocery: '买菜买粮', loveBag: '爱心菜包', medicine: '买药', gas: '换液化气' } as const;

/** Tag colour per status: what needs the resident's eye stands out. */
export const STATUS_THEME: Record<OrderStatus, 'primary' | 'success' | 'warning' | 'danger' | 'default'> = {
  submitted: 'primary',
  accepted: 'primary',
  assigned: 'primary',
  pickedUp: 'warning',
  delivered: 'success',
  received: 'default',
  failed: 'danger',
  rejected: 'danger',
  cancelled: 'default',
};

/** One row of the list. */
export function orderRow(o: OrderView) {
  const first = o.lines[0];
  const title = o.kind === 'grocery' && first ? `${first.name}${o.lines.length > 1 ? ` 等${o.lines.length}种` : ''}` : KIND_TITLE[o.kind];
  return {
    id: o.id,
    title,
    statusText: o.statusText,
    tagTheme: STATUS_THEME[o.status],
    timeText: chinaTime(o.createdAt),
    totalText: o.kind === 'medicine' ? '药费到付' : yuan(o.totalFen),
    priority: o.priority,
  };
}

Component({
  options: { pureDataPattern: /^_/ },
  data: { loading: true, orders: [] as ReturnType<typeof orderRow>[], total: 0, more: false, loadingMore: false, _cursor: '' },
  methods: {
    onShow() {
      return this.load();
    },
    async onPullDownRefresh() {
      await this.load();
      wx.stopPullDownRefresh();
    },
    async load() {
      try {
        const page = await call('order.mine', {});
        this.setData({ loading: false, orders: page.items.map(orderRow), total: page.total, more: page.nextCursor !== null, _cursor: page.nextCursor ?? '' });
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    /** Older orders, when the list is scrolled to its end. */
    async onReachBottom() {
      if (!this.data.more || this.data.loadingMore) return;
      this.setData({ loadingMore: true });
      try {
        const page = await call('order.mine', { cursor: this.data._cursor });
        this.setData({ orders: [...this.data.orders, ...page.items.map(orderRow)], total: page.total, more: page.nextCursor !== null, _cursor: page.nextCursor ?? '' });
      } catch (error) {
        showError(this, error);
      }
      this.setData({ loadingMore: false });
    },
    open(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      wx.navigateTo({ url: `/pages/resident/order-detail/index?id=${e.currentTarget.dataset.id}` });
    },
    goOrder() {
      wx.navigateTo({ url: '/pages/resident/order/index' });
    },
  },
});
