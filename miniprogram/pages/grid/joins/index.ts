/** 入群审核: the gridworker lets residents of their grid in (outsiders can't slip in). */
import type { JoinRequestView } from '../../../../typings/api';
import { call } from '../../../services/api';
import { showError, showLoadError, showSuccess } from '../../../utils/feedback';
import { staffGrids, type GridChip } from '../../../utils/grids';
import { loadNextPage } from '../../../utils/paging';

const VIA_TEXT = { invite: '扫码加入', group: '从网格群进入', manual: '自行选择' } as const;

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    failed: false,
    gridId: '',
    grids: [] as GridChip[],
    requests: [] as Array<JoinRequestView & { viaText: string }>,
    /** Pending requests in all (the list loads a page at a time). */
    total: 0,
    more: false,
    loadingMore: false,
    rejecting: false,
    rejectPresets: ['非本楼住户', '房号有误', '信息不全'],
    _rejectId: '',
    _cursor: '',
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      try {
        const { grids, gridId } = await staffGrids('joins', query.gridId);
        this.setData({ gridId, grids });
        await this.load();
      } catch (error) {
        showLoadError(this, error);
      }
    },
    /** 重试 after a failed load (the grid list too when that was what failed). */
    async retry() {
      this.setData({ loading: true, failed: false });
      if (!this.data.gridId) return this.onLoad({});
      await this.load().catch((error: unknown) => showLoadError(this, error));
    },
    async load() {
      const page = await call('grid.joinRequests', { gridId: this.data.gridId });
      this.setData({
        loading: false,
        failed: false,
        requests: page.items.map((r) => ({ ...r, viaText: VIA_TEXT[r.via] })),
        total: page.total,
        more: page.nextCursor !== null,
        _cursor: page.nextCursor ?? '',
      });
    },
    async switchGrid(e: WechatMiniprogram.CustomEvent<{ id: string }>) {
      this.setData({ gridId: e.detail.id, loading: true, failed: false, requests: [] });
      try {
        await this.load();
      } catch (error) {
        showLoadError(this, error);
      }
    },
    /** The next page, when the list is scrolled to its end. */
    onReachBottom() {
      return loadNextPage(
        this,
        this.data._cursor,
        (cursor) => call('grid.joinRequests', { gridId: this.data.gridId, cursor }),
        (page) => {
          this.setData({
            requests: [...this.data.requests, ...page.items.map((r) => ({ ...r, viaText: VIA_TEXT[r.via] }))],
            total: page.total,
            more: page.nextCursor !== null,
            _cursor: page.nextCursor ?? '',
          });
        },
      );
    },
    async decide(requestId: string, approve: boolean, reason?: string) {
      try {
        await call('grid.reviewJoin', { requestId, approve, ...(reason ? { reason } : {}) });
        showSuccess(this, approve ? '已通过' : '已驳回');
      } catch (error) {
        showError(this, error);
      }
      await this.load().catch((error: unknown) => showError(this, error));
    },
    approve(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      return this.decide(e.currentTarget.dataset.id, true);
    },
    askReject(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      this.setData({ rejecting: true, _rejectId: e.currentTarget.dataset.id });
    },
    closeReject() {
      this.setData({ rejecting: false });
    },
    /** The reason dialog answered (it refuses an empty reason itself). */
    reject(e: WechatMiniprogram.CustomEvent<{ reason: string }>) {
      this.setData({ rejecting: false });
      return this.decide(this.data._rejectId, false, e.detail.reason);
    },
  },
});
