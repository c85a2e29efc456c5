/**
 * 明日预约 (resident): book home sampling for tomorrow for members of the household, with the
 * reason (返并人员, 时空伴随, 黄码, 居家隔离期满, 其他); see where each booking stands (待认领 →
 * 网格员已认领 → 已上门 → 已办结) and cancel one not yet done.
 */
import type { MyBookingView } from '../../../../typings/api';
import type { BookingReason } from '../../../generated/values';
import {
  BOOKING_OUTCOME_LABELS,
  BOOKING_REASON_LABELS,
  BOOKING_STATUS_LABELS,
  KNOCK_LABELS,
} from '../../../generated/values';
import { call, newRequestId } from '../../../services/api';
import { showError, showLoadError, showSuccess, showWarning } from '../../../utils/feedback';
import { chinaDayAfter } from '../../../utils/format';

/** One of my bookings as the list shows it. */
export interface MyBookingRow {
  id: string;
  title: string;
  reason: string;
  status: string;
  theme: 'warning' | 'primary' | 'success' | 'default';
  canCancel: boolean;
}

export function myBookingRow(b: MyBookingView): MyBookingRow {
  let status = BOOKING_STATUS_LABELS[b.status];
  if (b.status === 'visited' && b.knock) status = `网格员已上门（${KNOCK_LABELS[b.knock]}）`;
  if (b.status === 'closed' && b.outcome) status = `已办结：${BOOKING_OUTCOME_LABELS[b.outcome]}`;
  return {
    id: b.id,
    title: `${b.date.slice(5)} ${b.nameMasked}`,
    reason: BOOKING_REASON_LABELS[b.reason],
    status,
    theme:
      b.status === 'booked'
        ? 'warning'
        : b.status === 'closed'
          ? 'success'
          : b.status === 'cancelled'
            ? 'default'
            : 'primary',
    canCancel: b.status === 'booked' || b.status === 'claimed' || b.status === 'visited',
  };
}

Component({
  data: {
    loading: true,
    failed: false,
    busy: false,
    members: [] as Array<{ id: string; name: string }>,
    chosen: [] as string[],
    reasons: (Object.keys(BOOKING_REASON_LABELS) as BookingReason[]).map((r) => ({
      value: r,
      label: BOOKING_REASON_LABELS[r],
    })),
    reason: '',
    note: '',
    tomorrow: '',
    rows: [] as MyBookingRow[],
    requestId: '',
  },
  methods: {
    async onLoad() {
      await this.load();
    },
    async onPullDownRefresh() {
      await this.load();
      wx.stopPullDownRefresh();
    },
    async load() {
      this.setData({ loading: true, failed: false, tomorrow: chinaDayAfter(new Date(), 1) });
      try {
        const [household, mine] = await Promise.all([call('household.get', {}), call('testing.myBookings', {})]);
        this.setData({
          loading: false,
          members: household.members.map((m) => ({ id: m.id, name: m.name })),
          rows: mine.map(myBookingRow),
        });
      } catch (error) {
        showLoadError(this, error);
      }
    },
    onMembers(e: WechatMiniprogram.CustomEvent<{ value: string[] }>) {
      this.setData({ chosen: e.detail.value });
    },
    onReason(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ reason: e.detail.value });
    },
    onNote(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ note: e.detail.value });
    },
    async book() {
      const { chosen, reason, note, tomorrow } = this.data;
      if (!chosen.length) return showWarning(this, '请选择要预约的家庭成员');
      if (!reason) return showWarning(this, '请选择预约原因');
      // One request id per intent: a retried tap books once.
      const requestId = this.data.requestId || newRequestId();
      this.setData({ busy: true, requestId });
      try {
        const res = await call(
          'testing.book',
          {
            date: tomorrow,
            memberIds: chosen,
            reason: reason as BookingReason,
            ...(note.trim() ? { note: note.trim() } : {}),
          },
          { requestId },
        );
        showSuccess(this, `已预约 ${res.booked} 人，网格员认领后上门`);
        this.setData({ busy: false, chosen: [], note: '', requestId: '' });
        this.setData({ rows: (await call('testing.myBookings', {})).map(myBookingRow) });
      } catch (error) {
        this.setData({ busy: false });
        showError(this, error);
      }
    },
    async cancel(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const bookingId = e.currentTarget.dataset.id;
      try {
        const b = await call('testing.cancelBooking', { bookingId });
        this.setData({ rows: this.data.rows.map((r) => (r.id === b.id ? myBookingRow(b) : r)) });
        showSuccess(this, '已取消预约');
      } catch (error) {
        showError(this, error);
      }
    },
  },
});
