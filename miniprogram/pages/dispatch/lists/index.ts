/**
 * 采购与分拣单 (gridworker): the round's purchase list (totals per item, explicit units) to buy
 * from the supplier in one go, and the packing list per building then room (phones masked);
 * both printable here and exported as Excel to print or forward.
 */
import type { PackingListView, PurchaseListView } from '../../../../typings/api';
import { call } from '../../../services/api';
import { openExport } from '../../../utils/export';
import { showError } from '../../../utils/feedback';

Component({
  data: {
    loading: true,
    busy: false,
    tab: 'purchase' as 'purchase' | 'packing',
    gridId: '',
    roundId: '',
    /** Purchase list over all my grids (the whole community for its admin). */
    wide: false,
    purchase: null as PurchaseListView | null,
    packing: null as PackingListView | null,
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      try {
        let { gridId = '', roundId = '' } = query;
        if (!gridId || !roundId) {
          const pool = await call(
            'dispatch.pool',
            gridId ? { gridId, status: 'submitted', limit: 1 } : { status: 'submitted', limit: 1 },
          );
          gridId = gridId || pool.gridId;
          roundId = roundId || (pool.rounds[0]?.id ?? '');
        }
        this.setData({ gridId, roundId });
        if (!roundId) {
          this.setData({ loading: false });
          return;
        }
        const [purchase, packing] = await Promise.all([
          call('dispatch.purchaseList', { roundId, gridId }),
          call('dispatch.packingList', { roundId, gridId }),
        ]);
        this.setData({ loading: false, purchase, packing });
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    onTab(e: { detail: { value: 'purchase' | 'packing' } }) {
      this.setData({ tab: e.detail.value });
    },
    async toggleWide() {
      const wide = !this.data.wide;
      try {
        const { roundId, gridId } = this.data;
        const purchase = await call('dispatch.purchaseList', wide ? { roundId } : { roundId, gridId });
        this.setData({ wide, purchase });
      } catch (error) {
        showError(this, error);
      }
    },
    async exportList() {
      const { roundId, gridId, tab } = this.data;
      this.setData({ busy: true });
      try {
        const wide = tab === 'purchase' && this.data.wide;
        await openExport(
          await call('dispatch.exportLists', wide ? { roundId, list: tab } : { roundId, gridId, list: tab }),
        );
        this.setData({ busy: false });
      } catch (error) {
        this.setData({ busy: false });
        showError(this, error);
      }
    },
  },
});
