/** 线上点单: groceries, the free 爱心菜包, medicine, gas refills — one tap, never twice. */
import type { CatalogItemView, PlaceOrderInput } from '../../../../typings/api';
import type { OrderKind, PaymentMode } from '../../../../typings/entities';
import { localize, qty, t, unitText, type UiState } from '../../../i18n/index';
import { call, newRequestId } from '../../../services/api';
import { pickAndUploadImage } from '../../../services/storage';
import { showError, showLoadError, showSuccess, showWarning } from '../../../utils/feedback';
import { chinaTime, yuan } from '../../../utils/format';
import { requestPayment, syncUntilPaid } from '../../../utils/pay';
import { askSubscribe } from '../../../utils/subscribe';

interface ItemRow {
  id: string;
  name: string;
  unit: string;
  /** Price, unit and limit in the resident's language. */
  metaText: string;
  qtyLabel: string;
  priceFen: number;
  priceText: string;
  perHouseholdLimit: number;
  remaining: number;
  soldOut: boolean;
  /** Most this household can add now: its quota left and the stock left. */
  max: number;
  qty: number;
}

/**
 * What an item's line says under its name: price and limit — and, when the + stops short of the
 * limit or the item is greyed out, why (sold out, the household's quota used, little stock left).
 */
export function itemMeta(i: CatalogItemView): string {
  const price = yuan(i.priceFen);
  const unit = unitText(i.unit);
  const limit = qty(i.perHouseholdLimit, i.unit);
  const max = Math.max(0, Math.min(i.remaining, i.stock));
  if (i.soldOut || i.stock <= 0) return t('order.soldOutMeta', { price, unit });
  if (i.remaining <= 0) return t('order.limitReached', { price, unit, limit });
  if (i.stock < i.remaining) return t('order.stockLeft', { price, unit, left: qty(max, i.unit) });
  if (i.remaining < i.perHouseholdLimit) return t('order.itemLeft', { price, unit, limit, left: qty(max, i.unit) });
  return t(i.category === 'gas' ? 'order.gasMeta' : 'order.itemMeta', { price, unit, limit });
}

function row(i: CatalogItemView): ItemRow {
  return {
    id: i.id,
    name: i.name,
    unit: i.unit,
    metaText: itemMeta(i),
    qtyLabel: t('order.qtyLabel', { name: i.name }),
    priceFen: i.priceFen,
    priceText: yuan(i.priceFen),
    perHouseholdLimit: i.perHouseholdLimit,
    remaining: i.remaining,
    soldOut: i.soldOut,
    max: Math.max(0, Math.min(i.remaining, i.stock)),
    qty: 0,
  };
}

/** What the bottom bar says and whether the order can be sent, from the form alone. */
export function summarise(d: {
  tab: OrderKind;
  groceries: ItemRow[];
  loveBag: ItemRow | null;
  gas: ItemRow | null;
  gasCylinders: number;
  medicine: string;
}): { summary: string; canSubmit: boolean } {
  switch (d.tab) {
    case 'grocery': {
      const chosen = d.groceries.filter((g) => g.qty > 0);
      const total = chosen.reduce((s, g) => s + g.qty * g.priceFen, 0);
      return {
        summary: chosen.length ? t('order.sumGrocery', { n: chosen.length, total: yuan(total) }) : t('order.pickItems'),
        canSubmit: chosen.length > 0,
      };
    }
    case 'loveBag':
      return {
        summary: t('order.sumBag'),
        canSubmit: Boolean(d.loveBag && d.loveBag.remaining > 0 && !d.loveBag.soldOut),
      };
    case 'gas':
      return {
        summary: d.gas ? t('order.sumGas', { n: d.gasCylinders, total: yuan(d.gasCylinders * d.gas.priceFen) }) : '',
        canSubmit: Boolean(d.gas && d.gas.max > 0),
      };
    case 'medicine':
      return { summary: t('order.sumMedicine'), canSubmit: d.medicine.trim().length >= 2 };
  }
}

/** The card this page shares to a WeChat group: the open round and its cutoff (never whom one orders for). */
export function orderShareCard(round: { name: string; closesText: string } | null): { title: string; path: string } {
  return {
    title: round ? t('order.shareRound', { name: round.name, closes: round.closesText }) : t('order.shareTitle'),
    path: '/pages/resident/order/index',
  };
}

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    /** The catalogue did not load: the error state with its retry button. */
    failed: false,
    m: {} as Record<string, string>,
    ui: null as UiState | null,
    round: null as null | { name: string; closesText: string; text: string },
    tab: 'grocery' as OrderKind,
    groceries: [] as ItemRow[],
    loveBag: null as ItemRow | null,
    gas: null as ItemRow | null,
    gasCylinders: 1,
    medicine: '',
    prescriptionFileId: '',
    urgency: 'normal' as 'normal' | 'urgent',
    payment: 'cashOnDelivery' as PaymentMode,
    /** WeChat Pay is open in this community (a merchant number is bound): only then is 微信支付 offered. */
    wechatPay: false,
    contactless: true,
    note: '',
    summary: '',
    canSubmit: false,
    submitting: false,
    onBehalf: false,
    /** For whom a gridworker orders (代下单): building, room and head of the household. */
    behalfText: '',
    _forHouseholdId: '',
    /** One id per ordering intent: a retried tap after a failure reuses it. */
    _requestId: '',
  },
  observers: {
    // The bottom bar follows the form: derived here, once, whatever changed it.
    'tab, groceries, loveBag, gas, gasCylinders, medicine'(
      tab: OrderKind,
      groceries: ItemRow[],
      loveBag: ItemRow | null,
      gas: ItemRow | null,
      gasCylinders: number,
      medicine: string,
    ) {
      this.setData(summarise({ tab, groceries, loveBag, gas, gasCylinders, medicine }));
    },
  },
  methods: {
    onShow() {
      localize(this, ['order', 'payment', 'pay']);
    },
    onLoad(query: Record<string, string | undefined>) {
      localize(this, ['order', 'payment', 'pay']);
      // Shared into the grid's group, the card carries the group (share ticket) when opened there.
      wx.showShareMenu({ withShareTicket: true, menus: ['shareAppMessage'] });
      const household = query.for ? decodeURIComponent(query.for) : '';
      this.setData({
        _forHouseholdId: query.forHouseholdId ?? '',
        onBehalf: Boolean(query.forHouseholdId),
        behalfText: query.forHouseholdId ? t('order.behalfFor', { household }) : '',
        _requestId: newRequestId(),
      });
      return this.load();
    },
    async load() {
      this.setData({ loading: true, failed: false });
      try {
        const forHouseholdId = this.data._forHouseholdId || undefined;
        const cat = await call('order.catalog', forHouseholdId ? { forHouseholdId } : {}, { retry: true });
        const bag = cat.items.find((i) => i.category === 'loveBag');
        const gas = cat.items.find((i) => i.category === 'gas');
        const next = {
          loading: false,
          round: cat.round?.open
            ? {
                name: cat.round.name,
                closesText: chinaTime(cat.round.closesAt),
                text: t('order.round', { name: cat.round.name, closes: chinaTime(cat.round.closesAt) }),
              }
            : null,
          groceries: cat.items.filter((i) => i.category !== 'loveBag' && i.category !== 'gas').map(row),
          loveBag: bag ? row(bag) : null,
          gas: gas ? row(gas) : null,
          wechatPay: cat.wechatPay === true,
          payment: cat.wechatPay !== true && this.data.payment === 'wechatPay' ? 'cashOnDelivery' : this.data.payment,
        };
        this.setData(next);
      } catch (error) {
        showLoadError(this, error);
      }
    },
    onShareAppMessage() {
      return orderShareCard(this.data.round);
    },
    onTab(e: WechatMiniprogram.CustomEvent<{ value: OrderKind }>) {
      const tab = e.detail.value;
      this.setData({
        tab,
        payment: tab === 'loveBag' ? 'free' : this.data.payment === 'free' ? 'cashOnDelivery' : this.data.payment,
      });
    },
    onQty(e: WechatMiniprogram.CustomEvent<{ value: number }, Record<string, never>, { index: number }>) {
      const index = e.currentTarget.dataset.index;
      const groceries = this.data.groceries.map((g, i) => (i === index ? { ...g, qty: Number(e.detail.value) } : g));
      this.setData({ groceries });
    },
    onGas(e: WechatMiniprogram.CustomEvent<{ value: number }>) {
      this.setData({ gasCylinders: Number(e.detail.value) });
    },
    onMedicine(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ medicine: e.detail.value });
    },
    async addPrescription() {
      try {
        const fileId = await pickAndUploadImage('prescriptions');
        if (fileId) this.setData({ prescriptionFileId: fileId });
      } catch (error) {
        showError(this, error);
      }
    },
    onUrgency(e: WechatMiniprogram.CustomEvent<{ value: 'normal' | 'urgent' }>) {
      this.setData({ urgency: e.detail.value });
    },
    onPayment(e: WechatMiniprogram.CustomEvent<{ value: PaymentMode }>) {
      this.setData({ payment: e.detail.value });
    },
    onContactless(e: WechatMiniprogram.CustomEvent<{ value: boolean }>) {
      this.setData({ contactless: e.detail.value });
    },
    onNote(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ note: e.detail.value });
    },
    input(): PlaceOrderInput {
      const d = this.data;
      const base = {
        payment: d.tab === 'loveBag' ? ('free' as const) : d.payment,
        contactless: d.contactless,
        note: d.note.trim() || undefined,
      };
      const forHouseholdId = d._forHouseholdId || undefined;
      switch (d.tab) {
        case 'grocery':
          return {
            ...base,
            forHouseholdId,
            kind: 'grocery',
            lines: d.groceries.filter((g) => g.qty > 0).map((g) => ({ itemId: g.id, qty: g.qty })),
          };
        case 'loveBag':
          return { ...base, forHouseholdId, kind: 'loveBag' };
        case 'gas':
          return { ...base, forHouseholdId, kind: 'gas', gasCylinders: d.gasCylinders };
        case 'medicine':
          return {
            ...base,
            forHouseholdId,
            kind: 'medicine',
            medicine: {
              description: d.medicine.trim(),
              urgency: d.urgency,
              ...(d.prescriptionFileId ? { prescriptionFileId: d.prescriptionFileId } : {}),
            },
          };
      }
    },
    async submit() {
      if (this.data.submitting || !this.data.canSubmit) return;
      // Ask for status messages inside the tap, before anything asynchronous.
      const asked = this.data.onBehalf ? Promise.resolve([]) : askSubscribe(['orderStatus']);
      this.setData({ submitting: true });
      try {
        await asked;
        const input = this.input();
        const order = await call('order.place', input, { requestId: this.data._requestId });
        this.setData({ submitting: false, _requestId: newRequestId() });
        if (input.payment === 'wechatPay') {
          // 代下单: the household's relatives pay through a shared card; otherwise the resident pays now.
          if (this.data.onBehalf) wx.navigateTo({ url: `/pages/pay/index?orderId=${order.id}&share=1` });
          else await this.payNow(order.id);
          return;
        }
        showSuccess(this, t('order.placed'));
        wx.navigateTo({ url: `/pages/resident/order-detail/index?id=${order.id}` });
      } catch (error) {
        // Same request id on the next tap: if this one did go through, it is not placed twice.
        this.setData({ submitting: false });
        showError(this, error);
      }
    },
    /**
     * Pays a WeChat Pay order just placed: the platform's parameters, WeChat's payment sheet, then
     * the server confirms with the platform. Cancelled or failed, the order stays 待支付 and its
     * detail offers 去支付 until it expires.
     */
    async payNow(orderId: string) {
      this.setData({ submitting: true });
      try {
        const outcome = await requestPayment(await call('order.pay', { orderId }));
        if (outcome === 'paid') {
          const pay = await syncUntilPaid(orderId);
          if (pay.state === 'paid') showSuccess(this, t('pay.paid'));
          else showWarning(this, t('pay.checking'));
        } else showWarning(this, t('pay.notPaid'));
      } catch (error) {
        showError(this, error);
      }
      this.setData({ submitting: false });
      wx.navigateTo({ url: `/pages/resident/order-detail/index?id=${orderId}` });
    },
  },
});
