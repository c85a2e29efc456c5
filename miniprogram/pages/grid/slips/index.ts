/**
 * 代下单小票 (gridworker, admin): the orders placed for households without smartphones, each with
 * its 取货码; open one as a print-friendly slip (order, items, code, when it comes) to hand over,
 * so at the door the household says the code to the volunteer — no photo needed.
 */
import type { OrderSlipView } from '../../../../typings/api';
import { call } from '../../../services/api';
import { showError, showLoadError } from '../../../utils/feedback';
import { yuan } from '../../../utils/format';
import { staffGrids, type GridChip } from '../../../utils/grids';
import { PAYMENT_MODE_LABELS } from '../../../generated/values';

/** A slip as the page shows it. */
export interface SlipRow {
  orderId: string;
  place: string;
  name: string;
  items: string[];
  total: string;
  payment: string;
  code: string;
  when: string;
  status: string;
  placedAt: string;
  /** WeChat Pay (issue 19): a relative pays through a shared card, or the household pays cash instead. */
  wechatPay: boolean;
}

export function slipRow(s: OrderSlipView): SlipRow {
  const when = [
    s.roundName,
    s.deliveryDay ? `${s.deliveryDay.slice(5)} 送达` : '',
    !s.deliveryDay && s.closesAt ? `${s.closesAt.slice(5, 10)} ${s.closesAt.slice(11, 16)} 截单后配送` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return {
    orderId: s.orderId,
    place: s.place,
    name: s.headNameMasked,
    items: s.lines.map((l) => `${l.name} × ${l.qty}${l.unit}`),
    total: yuan(s.totalFen),
    payment: s.payment,
    code: s.code ?? '（接单后生成）',
    when,
    status: s.status,
    placedAt: `${s.createdAt.slice(5, 10)} ${s.createdAt.slice(11, 16)}`,
    wechatPay: s.payment === PAYMENT_MODE_LABELS.wechatPay,
  };
}

Component({
  data: {
    loading: true,
    failed: false,
    gridId: '',
    grids: [] as GridChip[],
    rows: [] as SlipRow[],
    cursor: '',
    slip: null as SlipRow | null,
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      try {
        const mine = await staffGrids('all', query.gridId);
        this.setData({ grids: mine.grids, gridId: mine.gridId });
        await this.reload();
        if (query.orderId) this.setData({ slip: this.data.rows.find((r) => r.orderId === query.orderId) ?? null });
      } catch (error) {
        showLoadError(this, error);
      }
    },
    async onPullDownRefresh() {
      await this.retry();
      wx.stopPullDownRefresh();
    },
    async retry() {
      if (!this.data.gridId) return this.onLoad({});
      try {
        await this.reload();
      } catch (error) {
        showLoadError(this, error);
      }
    },
    async reload(cursor?: string) {
      this.setData({ loading: !cursor, failed: false });
      const page = await call('testing.orderSlips', { gridId: this.data.gridId, ...(cursor ? { cursor } : {}) });
      const rows = page.items.map(slipRow);
      this.setData({
        loading: false,
        rows: cursor ? [...this.data.rows, ...rows] : rows,
        cursor: page.nextCursor ?? '',
      });
    },
    async more() {
      try {
        await this.reload(this.data.cursor);
      } catch (error) {
        showError(this, error);
      }
    },
    async switchGrid(e: WechatMiniprogram.CustomEvent<{ id: string }>) {
      this.setData({ gridId: e.detail.id, slip: null });
      await this.retry();
    },
    open(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      this.setData({ slip: this.data.rows.find((r) => r.orderId === e.currentTarget.dataset.id) ?? null });
      void wx.pageScrollTo({ scrollTop: 0, duration: 0 });
    },
    back() {
      this.setData({ slip: null });
    },
    /** 请家属代付: the pay page makes the card and shares it to the household's relative. */
    askFamily() {
      if (this.data.slip) wx.navigateTo({ url: `/pages/pay/index?orderId=${this.data.slip.orderId}&share=1` });
    },
  },
});
