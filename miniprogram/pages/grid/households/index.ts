/** 本网格住户: every household of my grid; order for elders without a smartphone (代下单). */
import type { GridHouseholdView } from '../../../../typings/api';
import { call } from '../../../services/api';
import { showError } from '../../../utils/feedback';

Component({
  data: { loading: true, rows: [] as GridHouseholdView[], joinedCount: 0 },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      try {
        const gridId = query.gridId ?? (await call('user.me', {})).adminGridIds[0] ?? '';
        const rows = await call('grid.households', { gridId });
        this.setData({ loading: false, rows, joinedCount: rows.filter((r) => r.joined).length });
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    orderFor(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      wx.navigateTo({ url: `/pages/resident/order/index?forHouseholdId=${e.currentTarget.dataset.id}` });
    },
  },
});
