/** 订单详情: the timeline to the door, whom to call, cancel while possible, confirm receipt. */
import type { OrderDetailView } from '../../../../typings/api';
import { getLang, localize, qty, t, type UiState } from '../../../i18n/index';
import { call, newRequestId } from '../../../services/api';
import { showError, showSuccess } from '../../../utils/feedback';
import { chinaTime, yuan } from '../../../utils/format';
import { statusSentence } from '../../../i18n/words';

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    m: {} as Record<string, string>,
    ui: null as UiState | null,
    id: '',
    order: null as OrderDetailView | null,
    statusText: '',
    steps: [] as Array<{ text: string; time: string; note: string }>,
    lines: [] as Array<{ itemId: string; name: string; qtyText: string }>,
    contacts: [] as Array<{ name: string; phone: string; roleText: string; callLabel: string }>,
    totalText: '',
    codeLabel: '',
    reasonText: '',
    confirmingCancel: false,
    _order: null as OrderDetailView | null,
  },
  methods: {
    onLoad(query: Record<string, string | undefined>) {
      localize(this, ['detail']);
      this.setData({ id: query.id ?? '' });
      return this.load();
    },
    onShow() {
      const before = this.data.ui?.cls;
      localize(this, ['detail']);
      if (this.data._order && before !== this.data.ui?.cls) this.show(this.data._order);
    },
    show(order: OrderDetailView) {
      const zh = getLang() === 'zh';
      this.setData({
        loading: false,
        order,
        _order: order,
        statusText: statusSentence(order.status, order.statusText),
        // In Chinese the server's words; otherwise each step's status in the resident's language.
        steps: order.history.map((h) => ({
          text: zh && h.text ? h.text : t(`orderStatusText.${h.status}`),
          time: chinaTime(h.at),
          note: h.note ?? '',
        })),
        lines: order.lines.map((l) => ({ itemId: l.itemId, name: l.name, qtyText: qty(l.qty, l.unit) })),
        contacts: order.contacts.map((c) => ({
          name: c.name,
          phone: c.phone ?? '',
          roleText: t(`role.${c.role}`),
          callLabel: t('common.call', { name: c.name }),
        })),
        totalText: order.kind === 'medicine' ? t('detail.medicineFee') : yuan(order.totalFen),
        reasonText: order.rejectReason ? t('detail.reason', { reason: order.rejectReason }) : '',
        codeLabel: order.handoverCode ? t('detail.codeLabel', { code: order.handoverCode.split('').join(' ') }) : '',
      });
    },
    async load() {
      try {
        this.show(await call('order.detail', { orderId: this.data.id }, { retry: true }));
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
        // Cancelling twice is harmless (the server answers the cancelled order), so it may retry.
        await call('order.cancel', { orderId: this.data.id }, { requestId: newRequestId() });
        showSuccess(this, t('detail.cancelled'));
        await this.load();
      } catch (error) {
        showError(this, error);
      }
    },
    async confirm() {
      try {
        await call('order.confirm', { orderId: this.data.id }, { requestId: newRequestId() });
        showSuccess(this, t('detail.confirmed'));
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
