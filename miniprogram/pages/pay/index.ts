/**
 * 家人代付 (issue 19): the card a relative opens from a shared pay link — the amount, the items and a
 * masked room, nothing else — and pays with their own WeChat (`order.payFor`). Opened with
 * `share=1` by the household (or the gridworker of a 代下单 order), the page makes the link
 * (`order.payLink`), shows the very card the relative will see, and shares it.
 */
import type { PayCardView, PayLinkView } from '../../../typings/api';
import { localize, qty, t, type UiState } from '../../i18n/index';
import { ApiError, call } from '../../services/api';
import { showError, showLoadError, showSuccess, showWarning } from '../../utils/feedback';
import { chinaTime, yuan } from '../../utils/format';
import { payTheme, requestPayment, SYNC_DELAYS_MS } from '../../utils/pay';

/** The card as the page shows it. */
export function cardRows(card: PayCardView) {
  const paid = card.state === 'paid' || card.state === 'partlyRefunded' || card.state === 'refunded';
  const lines = card.lines.map((l, i) => ({
    key: `${i}`,
    name: l.name,
    qtyText: qty(l.qty, l.unit),
    priceText: l.priceFen ? yuan(l.priceFen * l.qty) : '',
  }));
  if (!lines.length && card.kind === 'medicine')
    lines.push({ key: 'm', name: t('pay.cardMedicine'), qtyText: '', priceText: '' });
  if (!lines.length && card.kind === 'gas')
    lines.push({ key: 'g', name: t('pay.cardGas'), qtyText: '', priceText: '' });
  return {
    totalText: yuan(card.totalFen),
    roomText: t('pay.cardRoom', { room: card.roomMasked }),
    stateWord: t(`pay.state.${card.state}`),
    theme: payTheme(card),
    lines,
    expiresText: card.state === 'awaiting' && card.canPay ? t('pay.expires', { time: chinaTime(card.expiresAt) }) : '',
    payText: t('pay.cardPay', { total: yuan(card.totalFen) }),
    canPay: card.canPay,
    endText: paid ? t('pay.cardPaid') : card.canPay ? '' : t('pay.cardClosed'),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    failed: false,
    m: {} as Record<string, string>,
    ui: null as UiState | null,
    /** Opened by the household to share the card (not by the relative paying). */
    sharing: false,
    card: null as ReturnType<typeof cardRows> | null,
    paying: false,
    /** The link is wrong or expired: trying again cannot help, the family shares it anew. */
    invalidText: '',
    _orderId: '',
    _token: '',
    _totalFen: 0,
  },
  methods: {
    onLoad(query: Record<string, string | undefined>) {
      localize(this, ['pay']);
      const sharing = query.share === '1';
      this.setData({
        sharing,
        _orderId: decodeURIComponent(query.orderId ?? ''),
        _token: query.token ?? '',
      });
      if (sharing) wx.showShareMenu({ withShareTicket: true, menus: ['shareAppMessage'] });
      return this.load();
    },
    onShow() {
      localize(this, ['pay']);
    },
    async load() {
      this.setData({ loading: true, failed: false });
      try {
        // Sharing: a fresh link (it replaces an older one) — once per visit, not on a retry of the card.
        if (this.data.sharing && !this.data._token) {
          const link: PayLinkView = await call('order.payLink', { orderId: this.data._orderId });
          this.setData({ _token: link.token, _totalFen: link.totalFen });
        }
        await this.showCard();
      } catch (error) {
        const badLink =
          error instanceof ApiError &&
          (error.code === 'PAY.LINK_INVALID' || (error.code === 'COMMON.INVALID_INPUT' && !this.data.sharing));
        if (badLink) this.setData({ loading: false, invalidText: t('err.PAY.LINK_INVALID') });
        else showLoadError(this, error);
      }
    },
    async showCard(): Promise<PayCardView> {
      const card = await call(
        'order.payCard',
        { orderId: this.data._orderId, token: this.data._token },
        { retry: true },
      );
      this.setData({ loading: false, card: cardRows(card), _totalFen: card.totalFen });
      return card;
    },
    /** 代付: the relative's own WeChat pays; the card then shows what the platform confirmed. */
    async payFor() {
      if (this.data.paying || !this.data.card?.canPay) return;
      this.setData({ paying: true });
      try {
        const params = await call('order.payFor', { orderId: this.data._orderId, token: this.data._token });
        const outcome = await requestPayment(params);
        if (outcome === 'paid') {
          for (const delay of SYNC_DELAYS_MS) {
            if (delay) await sleep(delay);
            const card = await this.showCard();
            if (card.state !== 'awaiting') break;
          }
          showSuccess(this, t('pay.cardThanks'));
        } else if (outcome === 'failed') showWarning(this, t('err.generic'));
      } catch (error) {
        showError(this, error);
      }
      this.setData({ paying: false });
    },
    onShareAppMessage() {
      const orderId = encodeURIComponent(this.data._orderId);
      return {
        title: t('pay.shareTitle', { total: yuan(this.data._totalFen) }),
        path: `/pages/pay/index?orderId=${orderId}&token=${this.data._token}`,
      };
    },
  },
});
