/**
 * 打印个人码 (gridworker, group leader, admin): for a household without smartphones, a sheet with
 * one personal code (QR) per member, names masked, the room and the community — printed or saved
 * as an image and handed over, so an elder is sampled (the sampler scans it) and verified without
 * a phone. Pick the grid by name, then the household by building and room.
 */
import type { GridHouseholdView, HouseholdCodesView } from '../../../../typings/api';
import { call } from '../../../services/api';
import { showError, showLoadError } from '../../../utils/feedback';
import { householdSearchText, householdsMatching } from '../../../utils/find-household';
import { staffGrids, type GridChip } from '../../../utils/grids';
import { naturalCompare } from '../../../generated/natural-sort';

/** A household as the list offers it. */
export interface HouseholdChoice {
  id: string;
  place: string;
  note: string;
  /** What the search box matches: room, the head's name, the phone's last digits (not shown). */
  search: string;
}

export function householdChoice(h: GridHouseholdView): HouseholdChoice {
  return {
    id: h.id,
    place: `${h.buildingName} ${h.room}`,
    search: householdSearchText(h),
    note: `${h.members} 人${h.joined ? '' : ' · 未入群'}${h.priority ? ' · 特殊人群' : ''}`,
  };
}

Component({
  data: {
    loading: true,
    failed: false,
    gridId: '',
    grids: [] as GridChip[],
    households: [] as HouseholdChoice[],
    /** The households matching the search box (all when it is empty). */
    shown: [] as HouseholdChoice[],
    words: '',
    cursor: '',
    sheet: null as HouseholdCodesView | null,
    sheetLoading: false,
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      try {
        const mine = await staffGrids('all', query.gridId);
        this.setData({ grids: mine.grids, gridId: mine.gridId });
        if (query.householdId) await this.openSheet(query.householdId);
        await this.reload();
      } catch (error) {
        showLoadError(this, error);
      }
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
      const page = await call('grid.households', {
        gridId: this.data.gridId,
        limit: 50,
        ...(cursor ? { cursor } : {}),
      });
      const rows = page.items.map(householdChoice);
      const households = cursor ? [...this.data.households, ...rows] : rows;
      this.setData({
        loading: false,
        households: households.sort((a, b) => naturalCompare(a.place, b.place)),
        cursor: page.nextCursor ?? '',
      });
      this.refilter();
    },
    /** Search by room, the head's name or the phone's last digits; the rest of the list is loaded first. */
    async onWords(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ words: e.detail.value ?? '' });
      this.refilter();
      try {
        while (this.data.words.trim() && this.data.cursor) await this.reload(this.data.cursor);
      } catch (error) {
        showError(this, error);
      }
    },
    refilter() {
      this.setData({ shown: householdsMatching(this.data.households, this.data.words) });
    },
    async more() {
      try {
        await this.reload(this.data.cursor);
      } catch (error) {
        showError(this, error);
      }
    },
    async switchGrid(e: WechatMiniprogram.CustomEvent<{ id: string }>) {
      this.setData({ gridId: e.detail.id, sheet: null });
      await this.retry();
    },
    async pick(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      await this.openSheet(e.currentTarget.dataset.id);
    },
    async openSheet(householdId: string) {
      this.setData({ sheetLoading: true });
      try {
        this.setData({ sheet: await call('testing.householdCodes', { householdId }), sheetLoading: false });
        void wx.pageScrollTo({ scrollTop: 0, duration: 0 });
      } catch (error) {
        this.setData({ sheetLoading: false });
        showError(this, error);
      }
    },
    closeSheet() {
      this.setData({ sheet: null });
    },
  },
});
