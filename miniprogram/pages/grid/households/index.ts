/** 本网格住户: every household of my grid; order for elders without a smartphone (代下单). */
import type { GridHouseholdView } from '../../../../typings/api';
import { call } from '../../../services/api';
import { pickAndUploadImage } from '../../../services/storage';
import { showError, showSuccess } from '../../../utils/feedback';
import { staffGrids, type GridChip } from '../../../utils/grids';
import { loadNextPage } from '../../../utils/paging';

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    gridId: '',
    gridName: '',
    grids: [] as GridChip[],
    rows: [] as GridHouseholdView[],
    joinedCount: 0,
    total: 0,
    more: false,
    loadingMore: false,
    _cursor: '',
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      try {
        const { grids, gridId, gridName } = await staffGrids('all', query.gridId);
        this.setData({ grids, gridName });
        await this.load(gridId);
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    async load(gridId: string) {
      const page = await call('grid.households', { gridId });
      this.setData({
        loading: false,
        gridId,
        gridName: this.data.grids.find((g) => g.id === gridId)?.name ?? this.data.gridName,
        rows: page.items,
        joinedCount: page.joined,
        total: page.total,
        more: page.nextCursor !== null,
        _cursor: page.nextCursor ?? '',
      });
    },
    async switchGrid(e: WechatMiniprogram.CustomEvent<{ id: string }>) {
      this.setData({ loading: true, rows: [] });
      try {
        await this.load(e.detail.id);
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    /** The next page of households, when the list is scrolled to its end. */
    onReachBottom() {
      return loadNextPage(
        this,
        this.data._cursor,
        (cursor) => call('grid.households', { gridId: this.data.gridId, cursor }),
        (page) => {
          this.setData({
            rows: [...this.data.rows, ...page.items],
            joinedCount: page.joined,
            total: page.total,
            more: page.nextCursor !== null,
            _cursor: page.nextCursor ?? '',
          });
        },
      );
    },
    async uploadGroupQr() {
      try {
        const fileId = await pickAndUploadImage(`group-qr/${this.data.gridId}`);
        if (!fileId) return;
        await call('grid.setGroupQr', { gridId: this.data.gridId, fileId });
        showSuccess(this, '已更新，居民在「我的网格」可以看到');
      } catch (error) {
        showError(this, error);
      }
    },
    /** 代下单: the order form says for which household (building, room, head). */
    orderFor(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const h = this.data.rows.find((r) => r.id === e.currentTarget.dataset.id);
      if (!h) return;
      const label = `${h.buildingName} ${h.room} ${h.headName}`.trim();
      wx.navigateTo({
        url: `/pages/resident/order/index?forHouseholdId=${h.id}&for=${encodeURIComponent(label)}`,
      });
    },
  },
});
