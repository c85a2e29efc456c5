/** 班次报名: the community's shifts by day; sign up within capacity, cancel before the deadline. */
import type { ShiftView } from '../../../../typings/api';
import { call } from '../../../services/api';
import { showError, showSuccess } from '../../../utils/feedback';
import { chinaTime } from '../../../utils/format';
import { SKILL_LABELS } from '../../../utils/labels';
import { loadNextPage } from '../../../utils/paging';

/** A shift as a row of the list. */
export function shiftRow(s: ShiftView) {
  return {
    ...s,
    when: `${s.date.slice(5)} ${s.start}–${s.end}`,
    seatsText: `${s.taken}/${s.capacity} 人`,
    full: s.taken >= s.capacity,
    needs: s.qualifications.map((q) => SKILL_LABELS[q]).join('、'),
    cancelText: `开始前可取消，截止 ${chinaTime(s.cancelBy)}`,
  };
}

type ShiftRow = ReturnType<typeof shiftRow>;

/** The list split for the page: the volunteer's own team's shifts (or ones they hold) first, the others after. */
export function splitShifts(shifts: readonly ShiftRow[]): { own: ShiftRow[]; others: ShiftRow[] } {
  const own = shifts.filter((s) => s.mine || s.ownTeam !== false);
  const others = shifts.filter((s) => !(s.mine || s.ownTeam !== false));
  return { own, others };
}

Component({
  data: {
    loading: true,
    busyId: '',
    shifts: [] as ShiftRow[],
    /** Shifts of my team first; other teams' (which I cannot join) under a heading, folded. */
    own: [] as ShiftRow[],
    others: [] as ShiftRow[],
    showOthers: false,
    /** Shifts in all (the list loads a page at a time). */
    total: 0,
    cursor: '',
    loadingMore: false,
  },
  observers: {
    shifts(shifts: ShiftRow[]) {
      this.setData(splitShifts(shifts));
    },
  },
  methods: {
    onLoad() {
      return this.load();
    },
    toggleOthers() {
      this.setData({ showOthers: !this.data.showOthers });
    },
    async load() {
      try {
        const page = await call('volunteer.shifts', {});
        this.setData({
          loading: false,
          shifts: page.items.map(shiftRow),
          total: page.total,
          cursor: page.nextCursor ?? '',
        });
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    /** Later shifts, when the list is scrolled to its end. */
    onReachBottom() {
      return loadNextPage(
        this,
        this.data.cursor,
        (cursor) => call('volunteer.shifts', { cursor }),
        (page) => {
          this.setData({
            shifts: [...this.data.shifts, ...page.items.map(shiftRow)],
            total: page.total,
            cursor: page.nextCursor ?? '',
          });
        },
      );
    },
    replace(view: ShiftView) {
      const index = this.data.shifts.findIndex((s) => s.id === view.id);
      if (index >= 0) this.setData({ shifts: this.data.shifts.map((s, i) => (i === index ? shiftRow(view) : s)) });
    },
    async signUp(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      await this.act(e.currentTarget.dataset.id, 'volunteer.signUp', '报名成功，请按时到岗');
    },
    async cancel(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      await this.act(e.currentTarget.dataset.id, 'volunteer.cancelSignup', '已取消报名');
    },
    async act(shiftId: string, action: 'volunteer.signUp' | 'volunteer.cancelSignup', done: string) {
      if (this.data.busyId) return;
      this.setData({ busyId: shiftId });
      try {
        const view = await call(action, { shiftId });
        this.setData({ busyId: '' });
        this.replace(view);
        showSuccess(this, done);
      } catch (error) {
        this.setData({ busyId: '' });
        showError(this, error);
        // The seats may have changed meanwhile (someone took the last one): show the truth.
        await this.load();
      }
    },
  },
});
