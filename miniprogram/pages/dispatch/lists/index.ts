/**
 * 采购与分拣单 (gridworker): the round's purchase list (totals per item, explicit units) to buy
 * from the supplier in one go, and the packing list per building then room (phones masked);
 * both printable here and exported as Excel to print or forward. By default only orders the
 * gridworker has accepted count — orders still 待接单 are left out and the list says so.
 */
import type { PackingListView, PurchaseListView } from '../../../../typings/api';
import { call } from '../../../services/api';
import { openExport } from '../../../utils/export';
import { showError } from '../../../utils/feedback';
import { staffGrids, type GridChip } from '../../../utils/grids';
import { byNatural } from '../../../generated/natural-sort';

/** What the purchase list's head says about the orders in it. */
export function purchaseNote(p: PurchaseListView): string {
  if (p.withSubmitted) return `含待接单的订单，共 ${p.orderCount} 单`;
  return p.submittedLeftOut
    ? `只算已接单的 ${p.orderCount} 单；还有 ${p.submittedLeftOut} 单待接单未计入`
    : `只算已接单的 ${p.orderCount} 单`;
}

/** The packing list in walking order: buildings by number, rooms by unit, floor and number. */
export function sortedPacking(p: PackingListView): PackingListView {
  return {
    ...p,
    buildings: [...p.buildings]
      .sort(byNatural((b) => b.buildingName))
      .map((b) => ({ ...b, rooms: [...b.rooms].sort(byNatural((r) => r.room)) })),
  };
}

Component({
  data: {
    loading: true,
    busy: false,
    tab: 'purchase' as 'purchase' | 'packing',
    gridId: '',
    grids: [] as GridChip[],
    roundId: '',
    rounds: [] as Array<{ id: string; name: string }>,
    /** Purchase list over all my grids (the whole community for its admin). */
    wide: false,
    /** Count orders still waiting to be accepted too (off by default). */
    withSubmitted: false,
    purchase: null as PurchaseListView | null,
    purchaseNote: '',
    packing: null as PackingListView | null,
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      try {
        const { grids, gridId } = await staffGrids('orders', query.gridId);
        const pool = await call('dispatch.pool', { gridId, status: 'accepted', limit: 1 });
        const roundId =
          query.roundId && pool.rounds.some((r) => r.id === query.roundId) ? query.roundId : (pool.rounds[0]?.id ?? '');
        this.setData({ grids, gridId, roundId, rounds: pool.rounds });
        if (!roundId) {
          this.setData({ loading: false });
          return;
        }
        await this.load();
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    async load() {
      const { roundId, gridId, wide, withSubmitted } = this.data;
      const [purchase, packing] = await Promise.all([
        call('dispatch.purchaseList', wide ? { roundId, withSubmitted } : { roundId, gridId, withSubmitted }),
        call('dispatch.packingList', { roundId, gridId, withSubmitted }),
      ]);
      this.setData({
        loading: false,
        purchase: { ...purchase, items: [...purchase.items].sort(byNatural((i) => i.name)) },
        purchaseNote: purchaseNote(purchase),
        packing: sortedPacking(packing),
      });
    },
    async reload(patch: Record<string, unknown>) {
      this.setData({ ...patch, loading: true });
      try {
        await this.load();
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    onTab(e: { detail: { value: 'purchase' | 'packing' } }) {
      this.setData({ tab: e.detail.value });
    },
    switchGrid(e: WechatMiniprogram.CustomEvent<{ id: string }>) {
      return this.reload({ gridId: e.detail.id });
    },
    pickRound(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      return this.reload({ roundId: e.currentTarget.dataset.id });
    },
    toggleWide() {
      return this.reload({ wide: !this.data.wide });
    },
    toggleSubmitted() {
      return this.reload({ withSubmitted: !this.data.withSubmitted });
    },
    async exportList() {
      const { roundId, gridId, tab, withSubmitted } = this.data;
      this.setData({ busy: true });
      try {
        const wide = tab === 'purchase' && this.data.wide;
        await openExport(
          await call(
            'dispatch.exportLists',
            wide ? { roundId, list: tab, withSubmitted } : { roundId, gridId, list: tab, withSubmitted },
          ),
        );
        this.setData({ busy: false });
      } catch (error) {
        this.setData({ busy: false });
        showError(this, error);
      }
    },
  },
});
