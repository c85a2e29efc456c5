/** 班次与名单 (community admin): define shifts per team, see who signed up, cancel a shift. */
import type { RosterView, ShiftInput, ShiftView } from '../../../../typings/api';
import type { VolunteerSkill, VolunteerTeam } from '../../../../typings/entities';
import { ApiError, call } from '../../../services/api';
import { showError, showSuccess } from '../../../utils/feedback';
import { chinaDayAfter } from '../../../utils/format';
import { SKILL_LABELS, TEAM_LABELS } from '../../../utils/labels';
import { loadNextPage } from '../../../utils/paging';

/** A shift as a row of the admin's list. */
export function adminShiftRow(s: ShiftView) {
  return {
    ...s,
    when: `${s.date.slice(5)} ${s.start}–${s.end}`,
    seatsText: `${s.taken}/${s.capacity}`,
    needs: s.qualifications.map((q) => SKILL_LABELS[q]).join('、'),
  };
}

const blankForm = () => ({
  team: 'checkpoint' as VolunteerTeam,
  title: '',
  place: '',
  date: chinaDayAfter(new Date(), 1),
  start: '08:00',
  end: '14:00',
  capacity: '4',
  qualifications: [] as VolunteerSkill[],
  cancelBeforeHours: '2',
});

Component({
  data: {
    loading: true,
    creating: false,
    saving: false,
    shifts: [] as Array<ReturnType<typeof adminShiftRow>>,
    /** Shifts in all (the list loads a page at a time). */
    total: 0,
    cursor: '',
    loadingMore: false,
    openId: '',
    roster: null as RosterView | null,
    form: blankForm(),
    teamOptions: (Object.keys(TEAM_LABELS) as VolunteerTeam[]).map((value) => ({ value, label: TEAM_LABELS[value] })),
    skillOptions: (Object.keys(SKILL_LABELS) as VolunteerSkill[]).map((value) => ({
      value,
      label: SKILL_LABELS[value],
    })),
  },
  methods: {
    onLoad() {
      return this.load();
    },
    async load() {
      try {
        const page = await call('volunteer.shifts', {});
        this.setData({
          loading: false,
          shifts: page.items.map(adminShiftRow),
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
            shifts: [...this.data.shifts, ...page.items.map(adminShiftRow)],
            total: page.total,
            cursor: page.nextCursor ?? '',
          });
        },
      );
    },
    toggleCreate() {
      this.setData({ creating: !this.data.creating, form: blankForm() });
    },
    onForm(e: WechatMiniprogram.CustomEvent<{ value: string | string[] }, Record<string, never>, { field: string }>) {
      this.setData({ [`form.${e.currentTarget.dataset.field}`]: e.detail.value });
    },
    async create() {
      const f = this.data.form;
      if (!f.title.trim() || !f.place.trim()) {
        showError(this, new ApiError('COMMON.INVALID_INPUT', '请填写班次名称和地点'));
        return;
      }
      const input: ShiftInput = {
        team: f.team,
        title: f.title.trim(),
        place: f.place.trim(),
        date: f.date.trim(),
        start: f.start.trim(),
        end: f.end.trim(),
        capacity: Number(f.capacity),
        qualifications: f.qualifications,
        cancelBeforeHours: Number(f.cancelBeforeHours),
      };
      this.setData({ saving: true });
      try {
        const shift = await call('volunteer.createShift', input);
        this.setData({
          saving: false,
          creating: false,
          total: this.data.total + 1,
          shifts: [...this.data.shifts, adminShiftRow(shift)].sort((a, b) =>
            `${a.date}${a.start}`.localeCompare(`${b.date}${b.start}`),
          ),
        });
        showSuccess(this, '班次已发布，志愿者可报名');
      } catch (error) {
        this.setData({ saving: false });
        showError(this, error);
      }
    },
    async openRoster(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const id = e.currentTarget.dataset.id;
      if (this.data.openId === id) {
        this.setData({ openId: '', roster: null });
        return;
      }
      try {
        const roster = await call('volunteer.roster', { shiftId: id });
        this.setData({ openId: id, roster });
      } catch (error) {
        showError(this, error);
      }
    },
    async cancelShift(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      try {
        const shift = await call('volunteer.cancelShift', { shiftId: e.currentTarget.dataset.id });
        const index = this.data.shifts.findIndex((s) => s.id === shift.id);
        this.setData({ [`shifts[${index}]`]: adminShiftRow(shift) });
        showSuccess(this, '班次已取消');
      } catch (error) {
        showError(this, error);
      }
    },
  },
});
