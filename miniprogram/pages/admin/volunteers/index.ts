/**
 * 志愿者管理 (community admin; gridworkers for their grids): review registrations — approve with a
 * team and buildings, or reject with a reason —, the approved list, statistics, hours export.
 */
import type { VolunteerAdminView, VolunteerStatsView } from '../../../../typings/api';
import type { VolunteerStatus, VolunteerTeam } from '../../../../typings/entities';
import { call } from '../../../services/api';
import { openExport } from '../../../utils/export';
import { showError, showSuccess } from '../../../utils/feedback';
import { SKILL_LABELS, SLOT_LABELS, TEAM_LABELS } from '../../../utils/labels';

type Tab = 'pending' | 'approved' | 'stats';

/** A volunteer as a card of the list. */
export function volunteerRow(v: VolunteerAdminView) {
  return {
    ...v,
    party: v.partyMember ? `党员 · ${v.partyBranch ?? ''}` : '群众',
    wished: v.teamsWished.map((t) => TEAM_LABELS[t]).join('、'),
    skillText: v.skills.map((s) => SKILL_LABELS[s]).join('、') || '无',
    slotText: v.slots.map((s) => SLOT_LABELS[s]).join('、'),
    teamText: v.team ? TEAM_LABELS[v.team] : '',
    grids: v.gridNames.join('、'),
  };
}

/** The statistics as the page shows them. */
export function statsView(s: VolunteerStatsView) {
  return {
    ...s,
    partyPercent: `${Math.round(s.partyShare * 100)}%`,
    teams: s.byTeam.filter((t) => t.approved > 0),
    idleRows: s.idle.map((i) => ({ ...i, wished: i.teamsWished.map((t) => TEAM_LABELS[t]).join('、') })),
  };
}

interface ReviewForm {
  id: string;
  mode: 'approve' | 'reject';
  team: VolunteerTeam | '';
  buildingIds: string[];
  capacityKg: string;
  reason: string;
  buildingOptions: Array<{ value: string; label: string }>;
}

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    tab: 'pending' as Tab,
    rows: [] as Array<ReturnType<typeof volunteerRow>>,
    stats: null as ReturnType<typeof statsView> | null,
    form: null as ReviewForm | null,
    busy: false,
    exporting: false,
    teamOptions: (Object.keys(TEAM_LABELS) as VolunteerTeam[]).map((value) => ({ value, label: TEAM_LABELS[value] })),
    _buildings: {} as Record<string, Array<{ value: string; label: string }>>,
  },
  methods: {
    async onLoad() {
      try {
        const me = await call('user.me', {});
        if (me.communityId) {
          const directory = await call('household.directory', { communityId: me.communityId });
          this.setData({
            _buildings: Object.fromEntries(
              directory.grids.map((g) => [g.id, g.buildings.map((b) => ({ value: b.id, label: b.name }))]),
            ),
          });
        }
      } catch (error) {
        showError(this, error);
      }
      await this.load();
    },
    async load() {
      this.setData({ loading: true, form: null });
      try {
        if (this.data.tab === 'stats') {
          this.setData({ loading: false, stats: statsView(await call('volunteer.stats', {})) });
        } else {
          const list = await call('volunteer.list', { status: this.data.tab as VolunteerStatus });
          this.setData({ loading: false, rows: list.map(volunteerRow) });
        }
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    switchTab(e: WechatMiniprogram.BaseEvent<Record<string, never>, { tab: Tab }>) {
      this.setData({ tab: e.currentTarget.dataset.tab });
      return this.load();
    },
    startReview(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string; mode: 'approve' | 'reject' }>) {
      const v = this.data.rows.find((r) => r.id === e.currentTarget.dataset.id);
      if (!v) return;
      const buildingOptions = v.gridIds.flatMap((g) => this.data._buildings[g] ?? []);
      const form: ReviewForm = {
        id: v.id,
        mode: e.currentTarget.dataset.mode,
        team: v.team ?? v.teamsWished[0] ?? '',
        buildingIds: v.buildingIds,
        capacityKg: String(v.capacityKg || 15),
        reason: '',
        buildingOptions,
      };
      this.setData({ form });
    },
    closeReview() {
      this.setData({ form: null });
    },
    onForm(
      e: WechatMiniprogram.CustomEvent<
        { value: string | string[] },
        Record<string, never>,
        { field: keyof ReviewForm }
      >,
    ) {
      this.setData({ [`form.${e.currentTarget.dataset.field}`]: e.detail.value });
    },
    async confirmReview() {
      const form = this.data.form;
      if (!form || this.data.busy) return;
      this.setData({ busy: true });
      try {
        if (form.mode === 'approve') {
          await call('volunteer.review', {
            volunteerId: form.id,
            approve: true,
            ...(form.team ? { team: form.team } : {}),
            buildingIds: form.team === 'delivery' ? form.buildingIds : [],
            ...(form.team === 'delivery' ? { capacityKg: Number(form.capacityKg) || 15 } : {}),
          });
        } else {
          await call('volunteer.review', { volunteerId: form.id, approve: false, reason: form.reason.trim() });
        }
        this.setData({
          busy: false,
          form: null,
          rows: this.data.rows.filter((r) => r.id !== form.id || this.data.tab === 'approved'),
        });
        showSuccess(this, form.mode === 'approve' ? '已通过，已分配服务队' : '已告知不通过的原因');
        if (this.data.tab === 'approved') await this.load();
      } catch (error) {
        this.setData({ busy: false });
        showError(this, error);
      }
    },
    async callVolunteer(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      try {
        const { phone } = await call('volunteer.contact', { volunteerId: e.currentTarget.dataset.id });
        wx.makePhoneCall({ phoneNumber: phone });
      } catch (error) {
        showError(this, error);
      }
    },
    async exportHours() {
      this.setData({ exporting: true });
      try {
        await openExport(await call('volunteer.exportHours', {}));
        this.setData({ exporting: false });
      } catch (error) {
        this.setData({ exporting: false });
        showError(this, error);
      }
    },
  },
});
