/**
 * 订单详情: the timeline to the door; what was ordered at what price, how it is paid, the note;
 * whom to call — the grid's staff, and once a volunteer carries it, the volunteer (name and number
 * masked, dialled through the phone's call screen); cancel only before the gridworker accepts it
 * (after that the goods are being bought and packed); confirm receipt.
 */
import type { CourierView, OrderDetailView } from '../../../../typings/api';
import type { OrderStatus } from '../../../../typings/entities';
import { getLang, localize, qty, t, unitText, type UiState } from '../../../i18n/index';
import { call, newRequestId } from '../../../services/api';
import { showError, showLoadError, showSuccess, showWarning } from '../../../utils/feedback';
import { chinaTime, yuan } from '../../../utils/format';
import { statusSentence } from '../../../i18n/words';
import { payRows, requestPayment, syncUntilPaid } from '../../../utils/pay';

/** A gas swap's two legs for the resident (取空瓶, 送满瓶), each with its state and time. */
export function gasLegRows(gas: OrderDetailView['gas']): Array<{ label: string; state: string; done: boolean }> {
  if (!gas) return [];
  const refill = gas.collectEmpty === 'done' && gas.returnFull === 'pending';
  const at = (iso: string | null | undefined) => (iso ? chinaTime(iso) : '');
  return [
    {
      label: t('detail.gas.collect'),
      done: gas.collectEmpty === 'done',
      state:
        gas.collectEmpty === 'done'
          ? t('detail.gas.collected', { time: at(gas.collectedAt) }).trim()
          : gas.collectJobId
            ? t('detail.gas.collecting')
            : t('detail.gas.awaitCollect'),
    },
    {
      label: t('detail.gas.return'),
      done: gas.returnFull === 'done',
      state:
        gas.returnFull === 'done'
          ? t('detail.gas.returned', { time: at(gas.returnedAt) }).trim()
          : refill
            ? gas.fullReadyAt
              ? t('detail.gas.fullReady')
              : t('detail.gas.refilling')
            : t('detail.gas.plan'),
    },
  ];
}

/** While a volunteer has the order (assigned to them, or on the way). */
const CARRIED: OrderStatus[] = ['assigned', 'pickedUp'];
/** Accepted by the gridworker and not yet at the door: bought, packed, carried — no more cancelling. */
const PACKING: OrderStatus[] = ['accepted', 'assigned', 'pickedUp'];

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    /** The order did not load: the error state with its retry button. */
    failed: false,
    m: {} as Record<string, string>,
    ui: null as UiState | null,
    id: '',
    order: null as OrderDetailView | null,
    statusText: '',
    /** A gas swap's legs (empty for other orders). */
    gasLegs: [] as ReturnType<typeof gasLegRows>,
    steps: [] as Array<{ text: string; time: string; note: string }>,
    lines: [] as Array<{ itemId: string; name: string; qtyText: string; priceText: string }>,
    paymentText: '',
    /** How it is paid and where the money is (issue 19): 待支付 / 已支付 / 已退款, refunds. */
    pay: null as ReturnType<typeof payRows> | null,
    paying: false,
    /** The volunteer carrying the order (masked), once there is one. */
    courier: null as null | { name: string; phoneMasked: string; roleText: string; callLabel: string },
    /** Cancelling is over: the gridworker accepted and the goods are being bought and packed. */
    packing: false,
    _courierPhone: '',
    contacts: [] as Array<{ name: string; phone: string; roleText: string; callLabel: string }>,
    totalText: '',
    codeLabel: '',
    reasonText: '',
    confirmingCancel: false,
    /** Under the cancel question: a paid order's money goes back. */
    cancelNote: '',
    _order: null as OrderDetailView | null,
  },
  methods: {
    onLoad(query: Record<string, string | undefined>) {
      localize(this, ['detail', 'payment', 'pay']);
      this.setData({ id: query.id ?? '' });
      return this.load();
    },
    onShow() {
      const before = this.data.ui?.cls;
      localize(this, ['detail', 'payment', 'pay']);
      if (this.data._order && before !== this.data.ui?.cls) this.show(this.data._order);
    },
    show(order: OrderDetailView) {
      const zh = getLang() === 'zh';
      this.setData({
        loading: false,
        order,
        _order: order,
        // Not paid yet: the gridworker does not see it to accept, so the headline says 待支付, not 等待接单.
        statusText: order.pay?.canPay ? t('pay.state.awaiting') : statusSentence(order.status, order.statusText),
        gasLegs: gasLegRows(order.gas),
        // In Chinese the server's words; otherwise each step's status in the resident's language.
        steps: order.history.map((h) => ({
          text: zh && h.text ? h.text : t(`orderStatusText.${h.status}`),
          time: chinaTime(h.at),
          note: h.note ?? '',
        })),
        lines: order.lines.map((l) => ({
          itemId: l.itemId,
          name: l.name,
          qtyText: qty(l.qty, l.unit),
          priceText: l.priceFen
            ? t('detail.linePrice', {
                price: yuan(l.priceFen),
                unit: unitText(l.unit),
                subtotal: yuan(l.priceFen * l.qty),
              })
            : '',
        })),
        paymentText: t(`payment.${order.payment}`),
        pay: order.pay ? payRows(order.pay) : null,
        packing: PACKING.includes(order.status),
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
      this.setData({ failed: false });
      let order: OrderDetailView;
      try {
        order = await call('order.detail', { orderId: this.data.id }, { retry: true });
        this.show(order);
      } catch (error) {
        // The order itself did not load: the error state with its retry button.
        showLoadError(this, error);
        return;
      }
      try {
        // The volunteer carrying it — or, for a gas swap, the one collecting the empty cylinder.
        const collecting = order.gas?.collectEmpty === 'pending' && !!order.gas.collectJobId;
        if (CARRIED.includes(order.status) || collecting) {
          const courier = await call('dispatch.courier', { orderId: this.data.id });
          this.showCourier(courier);
          // A collection round nobody has taken yet: no one is coming for the empty so far.
          if (collecting && !courier.assigned && order.gas)
            this.setData({ gasLegs: gasLegRows({ ...order.gas, collectJobId: null }) });
        } else this.setData({ courier: null, _courierPhone: '' });
      } catch (error) {
        showError(this, error);
      }
    },
    /** 去支付: WeChat's payment sheet, then the server confirms with the platform. */
    async payNow() {
      if (this.data.paying) return;
      this.setData({ paying: true });
      try {
        const outcome = await requestPayment(await call('order.pay', { orderId: this.data.id }));
        if (outcome === 'paid') {
          const pay = await syncUntilPaid(this.data.id);
          if (pay.state === 'paid') showSuccess(this, t('pay.paid'));
          else showWarning(this, t('pay.checking'));
        } else showWarning(this, t('pay.notPaid'));
      } catch (error) {
        showError(this, error);
      }
      this.setData({ paying: false });
      await this.load();
    },
    /** 请家人代付: the card a relative pays through is made and shared from the pay page. */
    askFamily() {
      wx.navigateTo({ url: `/pages/pay/index?orderId=${this.data.id}&share=1` });
    },
    showCourier(c: CourierView) {
      const name = c.nameMasked ?? '';
      this.setData({
        courier: c.assigned
          ? {
              name,
              phoneMasked: c.phoneMasked ?? '',
              roleText: t('detail.courier'),
              callLabel: t('common.call', { name }),
            }
          : null,
        _courierPhone: c.phone ?? '',
      });
    },
    /** Calls the volunteer: the number is dialled, never shown. */
    callCourier() {
      if (this.data._courierPhone) wx.makePhoneCall({ phoneNumber: this.data._courierPhone });
    },
    askCancel() {
      // A paid order: say the money goes back, and how much.
      const pay = (this.data._order ?? this.data.order)?.pay;
      const back = pay?.state === 'paid' ? pay.amountFen - pay.refundedFen : 0;
      this.setData({
        confirmingCancel: true,
        cancelNote: back > 0 ? t('detail.cancelRefund', { amount: yuan(back) }) : '',
      });
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
