/** 本网格住户: every household of my grid; order for elders without a smartphone (代下单). */
import type { GridHouseholdView } from '../../../../typings/api';
import { call } from '../../../services/api';
import { pickAndUploadImage } from '../../../services/storage';
import { showError, showLoadError, showSuccess } from '../../../utils/feedback';
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
    /** The rows matching the search box (all rows when it is empty). */
    shown: [] as GridHouseholdView[],
    words: '',
    failed: false,
    joinedCount: 0,
    /** Households of the grid in all. */
    total: 0,
    /** Households the search found (the server counts them). */
    found: 0,
    more: false,
    loadingMore: false,
    _cursor: '',
    /** The search last asked for: an answer to an older one (typed over since) is dropped. */
    _asked: 0,
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      try {
        const { grids, gridId, gridName } = await staffGrids('all', query.gridId);
        this.setData({ grids, gridName, gridId });
        await this.load(gridId);
      } catch (error) {
        showLoadError(this, error);
      }
    },
    /** The error state's 重试: the grid list too when that was what failed. */
    async retry() {
      this.setData({ loading: true, failed: false });
      if (!this.data.gridId) return this.onLoad({});
      try {
        await this.load(this.data.gridId);
      } catch (error) {
        showLoadError(this, error);
      }
    },
    /** What the list asks the server for: the grid, and the search box's words (matched server-side). */
    query(gridId: string) {
      const q = this.data.words.trim().slice(0, 20);
      return q ? { gridId, q } : { gridId };
    },
    async load(gridId: string) {
      const asked = this.data._asked + 1;
      this.setData({ _asked: asked });
      const page = await call('grid.households', this.query(gridId));
      if (asked !== this.data._asked) return;
      this.setData({
        loading: false,
        failed: false,
        gridId,
        gridName: this.data.grids.find((g) => g.id === gridId)?.name ?? this.data.gridName,
        rows: page.items,
        joinedCount: page.joined,
        ...this.counted(page.total),
        more: page.nextCursor !== null,
        _cursor: page.nextCursor ?? '',
      });
      this.refilter();
    },
    async switchGrid(e: WechatMiniprogram.CustomEvent<{ id: string }>) {
      this.setData({ loading: true, failed: false, rows: [], shown: [], gridId: e.detail.id });
      try {
        await this.load(e.detail.id);
      } catch (error) {
        showLoadError(this, error);
      }
    },
    /** Search by room, building, the head's name or the phone's last 4 digits: the server finds them. */
    async onWords(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ words: e.detail.value ?? '' });
      try {
        await this.load(this.data.gridId);
      } catch (error) {
        showLoadError(this, error);
      }
    },
    /** A page's total: the grid's households, or those the search found. */
    counted(total: number): { total: number } | { found: number } {
      return this.data.words.trim() ? { found: total } : { total };
    },
    refilter() {
      this.setData({ shown: this.data.rows });
    },
    /** The next page of households, when the list is scrolled to its end. */
    onReachBottom() {
      return loadNextPage(
        this,
        this.data._cursor,
        (cursor) => call('grid.households', { ...this.query(this.data.gridId), cursor }),
        (page) => {
          this.setData({
            rows: [...this.data.rows, ...page.items],
            joinedCount: page.joined,
            ...this.counted(page.total),
            more: page.nextCursor !== null,
            _cursor: page.nextCursor ?? '',
          });
          this.refilter();
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
