/** 本网格住户: every household of my grid; order for elders without a smartphone (代下单). */
import type { GridHouseholdView } from '../../../../typings/api';
import { call } from '../../../services/api';
import { pickAndUploadImage } from '../../../services/storage';
import { showError, showSuccess } from '../../../utils/feedback';
import { loadNextPage } from '../../../utils/paging';

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    gridId: '',
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
        const gridId = query.gridId ?? (await call('user.me', {})).adminGridIds[0] ?? '';
        const page = await call('grid.households', { gridId });
        this.setData({
          loading: false,
          gridId,
          rows: page.items,
          joinedCount: page.joined,
          total: page.total,
          more: page.nextCursor !== null,
          _cursor: page.nextCursor ?? '',
        });
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
    orderFor(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      wx.navigateTo({ url: `/pages/resident/order/index?forHouseholdId=${e.currentTarget.dataset.id}` });
    },
  },
});
