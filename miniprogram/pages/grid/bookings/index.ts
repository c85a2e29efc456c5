/**
 * 明日预约 (gridworker, group leader): the grid's home-sampling bookings of a day in walking order
 * (building, room), with why each was booked; 认领 one (if another gridworker was first, say so),
 * record the knock at the door, and close it with how it ended. Grids are switched by name.
 */
import type { BookingItemView } from '../../../../typings/api';
import type { BookingOutcome, KnockStatus } from '../../../generated/values';
import {
  BOOKING_OUTCOME_LABELS,
  BOOKING_REASON_LABELS,
  BOOKING_STATUS_LABELS,
  KNOCK_LABELS,
  NEED_LABELS,
} from '../../../generated/values';
import { call } from '../../../services/api';
import { showError, showLoadError, showSuccess } from '../../../utils/feedback';
import { chinaDayAfter } from '../../../utils/format';
import { staffGrids, type GridChip } from '../../../utils/grids';

const KNOCKS = Object.keys(KNOCK_LABELS) as KnockStatus[];
const OUTCOMES = Object.keys(BOOKING_OUTCOME_LABELS) as BookingOutcome[];

/** One booking as the list shows it. */
export interface BookingRow {
  id: string;
  place: string;
  nameMasked: string;
  reason: string;
  note: string;
  needs: string[];
  status: string;
  statusTheme: 'default' | 'primary' | 'warning' | 'success';
  canClaim: boolean;
  canWork: boolean;
  who: string;
}

export function bookingRow(b: BookingItemView): BookingRow {
  const open = b.status === 'claimed' || b.status === 'visited';
  let status = BOOKING_STATUS_LABELS[b.status];
  if (b.status === 'visited' && b.knock) status = `已上门：${KNOCK_LABELS[b.knock]}`;
  if (b.status === 'closed' && b.outcome) status = `已办结：${BOOKING_OUTCOME_LABELS[b.outcome]}`;
  return {
    id: b.id,
    place: `${b.buildingName} ${b.room}`,
    nameMasked: b.nameMasked,
    reason: BOOKING_REASON_LABELS[b.reason],
    note: b.note,
    needs: b.needs.map((n) => NEED_LABELS[n]),
    status,
    statusTheme: b.status === 'booked' ? 'warning' : b.status === 'closed' ? 'success' : open ? 'primary' : 'default',
    canClaim: b.status === 'booked',
    canWork: open && b.mine,
    who: open && !b.mine && b.claimedBy ? `${b.claimedBy} 已认领` : '',
  };
}

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    failed: false,
    gridId: '',
    grids: [] as GridChip[],
    day: 'tomorrow',
    days: [
      { value: 'tomorrow', label: '明天' },
      { value: 'today', label: '今天' },
    ],
    summary: '',
    rows: [] as BookingRow[],
    cursor: '',
    busy: '',
    knockVisible: false,
    knockItems: KNOCKS.map((k) => ({ label: KNOCK_LABELS[k] })),
    closeVisible: false,
    closeItems: OUTCOMES.map((o) => ({ label: BOOKING_OUTCOME_LABELS[o] })),
    _target: '',
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      try {
        const mine = await staffGrids('all', query.gridId);
        this.setData({ grids: mine.grids, gridId: mine.gridId });
        await this.reload();
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
    date(): string {
      return chinaDayAfter(new Date(), this.data.day === 'today' ? 0 : 1);
    },
    async reload(cursor?: string) {
      const { gridId } = this.data;
      this.setData({ loading: !cursor, failed: false });
      const page = await call('testing.bookingList', { gridId, date: this.date(), ...(cursor ? { cursor } : {}) });
      const c = page.counts;
      const rows = page.items.map(bookingRow);
      this.setData({
        loading: false,
        summary: `共 ${page.total} 人 · 待认领 ${c.booked} · 已认领 ${c.claimed + c.visited} · 已办结 ${c.closed}`,
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
      this.setData({ gridId: e.detail.id });
      await this.retry();
    },
    /** A day chip (明天 / 今天). */
    pickDay(e: WechatMiniprogram.BaseEvent<Record<string, never>, { value: string }>) {
      return this.onDay({ detail: { value: e.currentTarget.dataset.value } } as WechatMiniprogram.CustomEvent<{
        value: string;
      }>);
    },
    async onDay(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ day: e.detail.value });
      await this.retry();
    },
    /** Puts the fresh booking in its row. */
    replace(b: BookingItemView) {
      this.setData({ rows: this.data.rows.map((r) => (r.id === b.id ? bookingRow(b) : r)) });
    },
    async claim(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const bookingId = e.currentTarget.dataset.id;
      this.setData({ busy: bookingId });
      try {
        this.replace(await call('testing.claimBooking', { bookingId }));
        showSuccess(this, '已认领，请按时上门');
      } catch (error) {
        showError(this, error);
        // Someone else may have been first: show the list as it is now.
        await this.reload().catch(() => undefined);
      }
      this.setData({ busy: '' });
    },
    knock(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      this.setData({ knockVisible: true, _target: e.currentTarget.dataset.id });
    },
    finish(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      this.setData({ closeVisible: true, _target: e.currentTarget.dataset.id });
    },
    closeSheets() {
      this.setData({ knockVisible: false, closeVisible: false });
    },
    async onKnock(e: { detail: { index: number } }) {
      const status = KNOCKS[e.detail.index];
      const bookingId = this.data._target;
      this.setData({ knockVisible: false });
      if (!status || !bookingId) return;
      try {
        this.replace(await call('testing.knockBooking', { bookingId, status }));
        showSuccess(this, `已记录：${KNOCK_LABELS[status]}`);
      } catch (error) {
        showError(this, error);
      }
    },
    async onClose(e: { detail: { index: number } }) {
      const outcome = OUTCOMES[e.detail.index];
      const bookingId = this.data._target;
      this.setData({ closeVisible: false });
      if (!outcome || !bookingId) return;
      try {
        this.replace(await call('testing.closeBooking', { bookingId, outcome }));
        showSuccess(this, `已办结：${BOOKING_OUTCOME_LABELS[outcome]}`);
      } catch (error) {
        showError(this, error);
      }
    },
  },
});
