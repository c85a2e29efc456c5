/**
 * 志愿者报到: party members and residents report to their community (党员群众向社区报到) —
 * name, phone, party branch, work unit, grids, teams wished, skills, time slots and a health
 * self-declaration. Registering again edits the one registration; the state shows on top.
 */
import type { DirectoryView, MyVolunteerView, VolunteerInput, VolunteerPrefillView } from '../../../../typings/api';
import type { CarryAid, TimeSlot, VolunteerSkill, VolunteerTeam } from '../../../../typings/entities';
import { ApiError, call } from '../../../services/api';
import { showError } from '../../../utils/feedback';
import { SKILL_LABELS, SLOT_LABELS, TEAM_LABELS } from '../../../utils/labels';
import { CARRY_AID_LABELS } from '../../../generated/values';
import { naturalCompare } from '../../../generated/natural-sort';

type Option<T extends string> = { value: T; label: string };
const options = <T extends string>(labels: Record<T, string>): Array<Option<T>> =>
  (Object.keys(labels) as T[]).map((value) => ({ value, label: labels[value] }));

const RESULT = {
  pending: { theme: 'warning', title: '已报到，等待审核', description: '社区管理员或网格员审核后会为您分配服务队' },
  approved: { theme: 'success', title: '审核已通过', description: '' },
  rejected: { theme: 'error', title: '报到未通过', description: '' },
  left: { theme: 'default', title: '您已退出志愿服务', description: '可以重新报到' },
} as const;

/** The state card above the form. */
export function resultCard(v: MyVolunteerView) {
  const base = RESULT[v.status];
  const team = v.team ? `服务队：${TEAM_LABELS[v.team]}` : '';
  const description =
    v.status === 'rejected' && v.rejectReason
      ? `原因：${v.rejectReason}`
      : v.status === 'approved'
        ? team
        : base.description;
  return { status: v.status, theme: base.theme, title: base.title, description };
}

/** Local checks before sending (the server checks again, with the same messages). */
export function formErrors(d: {
  name: string;
  phone: string;
  hasPhone: boolean;
  partyMember: boolean;
  partyBranch: string;
  workUnit: string;
  gridIds: string[];
  teamsWished: string[];
  slots: string[];
  health: string[];
  handKg?: string;
}): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!d.name.trim()) errors.name = '请填写真实姓名';
  if (!(d.hasPhone && !d.phone.trim()) && !/^1[3-9]\d{9}$/.test(d.phone.trim())) errors.phone = '请填写11位手机号';
  if (d.partyMember && !d.partyBranch.trim()) errors.partyBranch = '党员请填写所在党支部';
  if (!d.workUnit.trim()) errors.workUnit = '请填写工作单位（无单位可填“无”或“退休”）';
  if (!d.gridIds.length) errors.gridIds = '请至少选择一个可以服务的网格';
  if (!d.teamsWished.length) errors.teamsWished = '请至少选择一个意向服务队';
  if (!d.slots.length) errors.slots = '请至少选择一个可服务时段';
  if (d.health.length < 3) errors.health = '请逐项确认健康承诺';
  // What they can carry (optional; a 15 kg gas cylinder goes only to those who declared they can).
  const kg = (d.handKg ?? '').trim();
  if (kg && (!/^\d{1,2}$/.test(kg) || Number(kg) < 1 || Number(kg) > 50))
    errors.handKg = '徒手能搬的重量应在 1–50 公斤之间';
  return errors;
}

/** The form of a first registration, from what the app already knows of the person. */
export function prefilled(known: VolunteerPrefillView, grids: ReadonlyArray<{ id: string }>) {
  return {
    name: known.name,
    phoneMasked: known.phoneMasked ?? '',
    gridIds: known.gridId && grids.some((g) => g.id === known.gridId) ? [known.gridId] : [],
  };
}

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    submitting: false,
    result: null as ReturnType<typeof resultCard> | null,
    editing: true,
    communityId: '',
    communityName: '',
    name: '',
    phone: '',
    phoneMasked: '',
    partyMember: 'no' as 'yes' | 'no',
    partyBranch: '',
    workUnit: '',
    gridIds: [] as string[],
    teamsWished: [] as VolunteerTeam[],
    skills: [] as VolunteerSkill[],
    slots: [] as TimeSlot[],
    health: [] as string[],
    errors: {} as Record<string, string>,
    gridOptions: [] as Array<{ value: string; label: string }>,
    teamOptions: options(TEAM_LABELS),
    skillOptions: options(SKILL_LABELS),
    slotOptions: options(SLOT_LABELS),
    aidOptions: options(CARRY_AID_LABELS),
    /** Kilograms they can carry by hand (typed). */
    handKg: '',
    aid: 'none' as CarryAid,
    _directory: null as DirectoryView | null,
  },
  methods: {
    async onLoad() {
      try {
        const [me, communities, known] = await Promise.all([
          call('volunteer.me', {}),
          call('household.communities', {}),
          call('volunteer.prefill', {}),
        ]);
        const communityId = me?.communityId ?? known.communityId ?? communities[0]?.id ?? '';
        const directory = communityId ? await call('household.directory', { communityId }) : null;
        const grids = [...(directory?.grids ?? [])].sort((a, b) => naturalCompare(a.name, b.name));
        this.setData({
          loading: false,
          communityId,
          communityName: directory?.community.name ?? '',
          gridOptions: grids.map((g) => ({ value: g.id, label: g.name })),
          _directory: directory,
          // A first registration starts from what the app knows: name, phone (kept, shown masked), own grid.
          ...(me ? this.fromView(me) : prefilled(known, grids)),
        });
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    fromView(me: MyVolunteerView) {
      return {
        result: resultCard(me),
        editing: false,
        name: me.name,
        phone: '',
        phoneMasked: me.phoneMasked,
        partyMember: me.partyMember ? ('yes' as const) : ('no' as const),
        partyBranch: me.partyBranch ?? '',
        workUnit: me.workUnit,
        gridIds: me.gridIds,
        teamsWished: me.teamsWished,
        skills: me.skills,
        slots: me.slots,
        health: [],
        handKg: me.carry ? String(me.carry.handKg) : '',
        aid: me.carry?.aid ?? ('none' as CarryAid),
      };
    },
    edit() {
      this.setData({ editing: true });
    },
    openMine() {
      wx.navigateTo({ url: '/pages/volunteer/me/index' });
    },
    onInput(e: WechatMiniprogram.CustomEvent<{ value: string | string[] }, Record<string, never>, { field: string }>) {
      const field = e.currentTarget.dataset.field;
      this.setData({ [field]: e.detail.value, [`errors.${field}`]: '' });
    },
    async submit() {
      const d = this.data;
      const errors = formErrors({ ...d, hasPhone: Boolean(d.phoneMasked), partyMember: d.partyMember === 'yes' });
      if (Object.keys(errors).length) {
        this.setData({ errors });
        showError(this, new ApiError('COMMON.INVALID_INPUT', Object.values(errors)[0] as string));
        return;
      }
      const input: VolunteerInput = {
        name: d.name.trim(),
        ...(d.phone.trim() ? { phone: d.phone.trim() } : {}),
        partyMember: d.partyMember === 'yes',
        ...(d.partyMember === 'yes' ? { partyBranch: d.partyBranch.trim() } : {}),
        workUnit: d.workUnit.trim(),
        communityId: d.communityId,
        gridIds: d.gridIds,
        teamsWished: d.teamsWished,
        skills: d.skills,
        slots: d.slots,
        health: {
          noSymptoms: d.health.includes('noSymptoms'),
          noRiskContact: d.health.includes('noRiskContact'),
          promise: d.health.includes('promise'),
        },
        ...(d.handKg.trim() ? { carry: { handKg: Number(d.handKg.trim()), aid: d.aid } } : {}),
      };
      this.setData({ submitting: true });
      try {
        const me = await call('volunteer.register', input);
        this.setData({ submitting: false, errors: {}, ...this.fromView(me) });
      } catch (error) {
        const issues = error instanceof ApiError ? (error.issues ?? []) : [];
        this.setData({
          submitting: false,
          errors: Object.fromEntries(issues.map((i) => [i.path.split('.')[0] as string, i.message])),
        });
        showError(this, error);
      }
    },
  },
});
