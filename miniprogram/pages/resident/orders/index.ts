/** 我的订单: every order of my household, newest first, with its status. */
import type { OrderView } from '../../../../typings/api';
import type { OrderStatus } from '../../../../typings/entities';
import { localize, t, type UiState } from '../../../i18n/index';
import { call } from '../../../services/api';
import { showError } from '../../../utils/feedback';
import { chinaTime, yuan } from '../../../utils/format';
import { statusSentence } from '../../../i18n/words';
import { loadNextPage } from '../../../utils/paging';

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
  const title =
    o.kind === 'grocery' && first
      ? o.lines.length > 1
        ? t('orders.titleMore', { name: first.name, n: o.lines.length })
        : first.name
      : t(`order.tab.${o.kind}`);
  const statusText = statusSentence(o.status, o.statusText);
  const timeText = chinaTime(o.createdAt);
  return {
    id: o.id,
    title,
    statusText,
    /** The colour says it to the eye; this says it to a screen reader. */
    statusLabel: t('orders.statusLabel', { status: statusText }),
    rowLabel: t('orders.rowLabel', { title, status: statusText, time: timeText }),
    tagTheme: STATUS_THEME[o.status],
    timeText,
    totalText: o.kind === 'medicine' ? t('orders.medicineFee') : yuan(o.totalFen),
    priority: o.priority,
  };
}

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    m: {} as Record<string, string>,
    ui: null as UiState | null,
    orders: [] as ReturnType<typeof orderRow>[],
    total: 0,
    totalText: '',
    more: false,
    loadingMore: false,
    _cursor: '',
  },
  methods: {
    onShow() {
      localize(this, ['orders']);
      return this.load();
    },
    async onPullDownRefresh() {
      await this.load();
      wx.stopPullDownRefresh();
    },
    async load() {
      try {
        const page = await call('order.mine', {}, { retry: true });
        this.setData({
          loading: false,
          orders: page.items.map(orderRow),
          total: page.total,
          totalText: t('orders.total', { n: page.total }),
          more: page.nextCursor !== null,
          _cursor: page.nextCursor ?? '',
        });
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    /** Older orders, when the list is scrolled to its end. */
    onReachBottom() {
      return loadNextPage(
        this,
        this.data._cursor,
        (cursor) => call('order.mine', { cursor }, { retry: true }),
        (page) => {
          this.setData({
            orders: [...this.data.orders, ...page.items.map(orderRow)],
            total: page.total,
            totalText: t('orders.total', { n: page.total }),
            more: page.nextCursor !== null,
            _cursor: page.nextCursor ?? '',
          });
        },
      );
    },
    open(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      wx.navigateTo({ url: `/pages/resident/order-detail/index?id=${e.currentTarget.dataset.id}` });
    },
    goOrder() {
      wx.navigateTo({ url: '/pages/resident/order/index' });
    },
  },
});
