/** 订单详情: the timeline to the door, whom to call, cancel while possible, confirm receipt. */
import type { OrderDetailView } from '../../../../typings/api';
import { call } from '../../../services/api';
import { showError, showSuccess } from '../../../utils/feedback';
import { chinaTime, yuan } from '../../../utils/format';

Component({
  data: {
    loading: true,
    id: '',
    order: null as OrderDetailView | null,
    steps: [] as Array<{ text: string; time: string; note: string }>,
    totalText: '',
    confirmingCancel: false,
  },
  methods: {
    onLoad(query: Record<string, string | undefined>) {
      this.setData({ id: query.id ?? '' });
      return this.load();
    },
    show(order: OrderDetailView) {
      this.setData({
        loading: false,
        order,
        steps: order.history.map((h) => ({ text: h.text, time: chinaTime(h.at), note: h.note ?? '' })),
        totalText: order.kind === 'medicine' ? '药费以药店实收为准' : yuan(order.totalFen),
      });
    },
    async load() {
      try {
        this.show(await call('order.detail', { orderId: this.data.id }));
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    askCancel() {
      this.setData({ confirmingCancel: true });
    },
    closeDialog() {
      this.setData({ confirmingCancel: false });
    },
    async cancel() {
      this.setData({ confirmingCancel: false });
      try {
        await call('order.cancel', { orderId: this.data.id });
        showSuccess(this, '已取消');
        await this.load();
      } catch (error) {
        showError(this, error);
      }
    },
    async confirm() {
      try {
        await call('order.confirm', { orderId: this.data.id });
        showSuccess(this, '已确认收货');
        await this.load();
      } catch (error) {
        showError(this, error);
      }
    },
    callPhone(e: WechatMiniprogram.BaseEvent<Record<string, never>, { phone: string }>) {
      if (e.currentTarget.dataset.phone) wx.makePhoneCall({ phoneNumber: e.currentTarget.dataset.phone });
    },
  },
});
