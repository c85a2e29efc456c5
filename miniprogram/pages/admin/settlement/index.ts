/**
 * 批次结算 (community admin, issue 19): for a round picked by name, the money in by payment mode,
 * refunds (confirmed, and those the platform has not confirmed yet), the net, what each supplier is
 * owed per the round's purchase list, and every WeChat payment and refund with the platform's id —
 * in 元 with two decimals; exported to Excel (a file in cloud storage, opened on the phone).
 */
import type { RoundView, SettlementView } from '../../../../typings/api';
import { PAYMENT_MODES, PAYMENT_MODE_LABELS, REFUND_REASONS, REFUND_REASON_LABELS } from '../../../generated/values';
import type { PaymentMode } from '../../../generated/values';
import { call } from '../../../services/api';
import { showError, showLoadError, showSuccess } from '../../../utils/feedback';
import { chinaWall } from '../../../utils/format';

/** Fen as 元 with two decimals, integers only (`123456` → `1234.56`). */
export function yuanText(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(fen));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Which orders a mode's income counts (cash and transfer once handed over, WeChat Pay once the platform confirmed). */
const INCOME_COUNTED: Record<PaymentMode, string> = {
  free: '已送达',
  cashOnDelivery: '已送达（未送达的不计）',
  transfer: '已送达（未送达的不计）',
  wechatPay: '已支付（平台已确认）',
};

/** The settlement as the page shows it. */
export function settlementRows(v: SettlementView) {
  const incomeFen = PAYMENT_MODES.reduce((s, m) => s + v.incomeByMode[m].amountFen, 0);
  return {
    roundName: v.roundName,
    netText: yuanText(v.netFen),
    incomeText: yuanText(incomeFen),
    refundedText: yuanText(v.refundedFen),
    pendingText: v.refundsPendingFen ? yuanText(v.refundsPendingFen) : '',
    owedText: yuanText(v.owedFen),
    countsText: `共 ${v.counts.orders} 单 · 微信已支付 ${v.counts.paid} 单 · 待支付 ${v.counts.awaiting} 单 · 退款 ${v.counts.refunds} 笔 · 已取消 ${v.counts.cancelled} 单`,
    income: PAYMENT_MODES.map((m) => ({
      key: m,
      label: PAYMENT_MODE_LABELS[m],
      note: `${v.incomeByMode[m].orders} 单${INCOME_COUNTED[m]}`,
      amount: `${yuanText(v.incomeByMode[m].amountFen)} 元`,
    })),
    refunds: REFUND_REASONS.filter((r) => v.refundsByReason[r].count > 0).map((r) => ({
      key: r,
      label: REFUND_REASON_LABELS[r],
      note: `${v.refundsByReason[r].count} 笔`,
      amount: `-${yuanText(v.refundsByReason[r].amountFen)} 元`,
    })),
    suppliers: v.suppliers.map((s) => ({
      name: s.supplier,
      owed: `${yuanText(s.owedFen)} 元`,
      items: s.items.map((i) => ({
        key: `${i.itemId}-${i.unit}-${i.priceFen}`,
        name: i.name,
        detail: `${i.qty}${i.unit} × ${yuanText(i.priceFen)} 元`,
        amount: `${yuanText(i.amountFen)} 元`,
      })),
    })),
    transactions: [...v.transactions].reverse().map((t) => ({
      key: `${t.kind}-${t.outNo}`,
      title: `${t.kind === 'payment' ? '支付' : '退款'} ${t.kind === 'payment' ? '' : '-'}${yuanText(t.amountFen)} 元`,
      detail: t.at ? chinaWall(t.at) : '时间未知',
      ids: `商户单号 ${t.outNo} · ${t.kind === 'payment' ? '微信支付单号' : '微信退款单号'} ${t.platformId ?? '（平台未确认）'}`,
      theme: t.kind === 'payment' ? 'success' : 'warning',
    })),
    transactionsNote:
      v.transactionsTotal > v.transactions.length
        ? `共 ${v.transactionsTotal} 笔，这里显示最近 ${v.transactions.length} 笔，完整明细请导出 Excel`
        : `共 ${v.transactionsTotal} 笔`,
  };
}

/** Opens a file of cloud storage (an Excel export) on the phone. */
function openStored(fileId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const open = (filePath: string) =>
      wx.openDocument({ filePath, fileType: 'xlsx', showMenu: true, success: () => resolve(), fail: reject });
    if (fileId.startsWith('cloud://'))
      wx.cloud.downloadFile({ fileID: fileId, success: (r) => open(r.tempFilePath), fail: reject });
    else wx.downloadFile({ url: fileId, success: (r) => open(r.tempFilePath), fail: reject });
  });
}

Component({
  data: {
    loading: true,
    failed: false,
    rounds: [] as Array<Pick<RoundView, 'id' | 'name'>>,
    roundId: '',
    view: null as ReturnType<typeof settlementRows> | null,
    exporting: false,
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      this.setData({ roundId: query.roundId ?? '' });
      return this.load();
    },
    async load() {
      this.setData({ loading: true, failed: false });
      try {
        if (!this.data.rounds.length) {
          const page = await call('order.rounds', {}, { retry: true });
          const rounds = page.items.map((r) => ({ id: r.id, name: r.name }));
          const roundId = rounds.some((r) => r.id === this.data.roundId) ? this.data.roundId : (rounds[0]?.id ?? '');
          this.setData({ rounds, roundId });
        }
        if (!this.data.roundId) {
          this.setData({ loading: false, view: null });
          return;
        }
        const view = await call('org.settlement', { roundId: this.data.roundId }, { retry: true });
        this.setData({ loading: false, view: settlementRows(view) });
      } catch (error) {
        showLoadError(this, error);
      }
    },
    pick(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      if (e.currentTarget.dataset.id === this.data.roundId) return undefined;
      this.setData({ roundId: e.currentTarget.dataset.id, view: null });
      return this.load();
    },
    async onPullDownRefresh() {
      this.setData({ rounds: [] });
      await this.load();
      wx.stopPullDownRefresh();
    },
    async exportExcel() {
      if (this.data.exporting || !this.data.roundId) return;
      this.setData({ exporting: true });
      try {
        const { fileId } = await call('org.settlementExcel', { roundId: this.data.roundId });
        await openStored(fileId);
        showSuccess(this, '已导出');
      } catch (error) {
        showError(this, error);
      }
      this.setData({ exporting: false });
    },
  },
});
