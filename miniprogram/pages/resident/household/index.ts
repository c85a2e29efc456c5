/** 我的家庭: members, age bands and — only with separate consent — special needs. */
import type { HouseholdView, MemberInput } from '../../../../typings/api';
import { AGE_BANDS, RELATIONS, SPECIAL_NEEDS } from '../../../generated/values';
import { localize, t, type UiState } from '../../../i18n/index';
import { call } from '../../../services/api';
import { showError, showSuccess } from '../../../utils/feedback';

type MemberRow = MemberInput & { key: string; label: string; removeLabel: string };

let keySeq = 0;

/** The choices of the member rows, in the resident's language. */
function choices() {
  return {
    relations: RELATIONS.map((value) => ({ value, label: t(`relation.${value}`) })),
    ageBands: AGE_BANDS.map((value) => ({ value, label: t(`age.${value}`) })),
    needOptions: SPECIAL_NEEDS.map((value) => ({ value, label: t(`need.${value}`) })),
  };
}

/** Rows numbered for display and for screen readers ("成员2", "删除成员2"). */
function numbered(members: Array<MemberInput & { key: string }>): MemberRow[] {
  return members.map((m, i) => ({
    ...m,
    label: t('household.member', { n: i + 1 }),
    removeLabel: t('household.removeLabel', { n: i + 1 }),
  }));
}

Component({
  data: {
    loading: true,
    m: {} as Record<string, string>,
    ui: null as UiState | null,
    saving: false,
    household: null as HouseholdView | null,
    headName: '',
    phone: '',
    members: [] as MemberRow[],
    consent: false,
    relations: [] as Array<{ value: string; label: string }>,
    ageBands: [] as Array<{ value: string; label: string }>,
    needOptions: [] as Array<{ value: string; label: string }>,
  },
  methods: {
    onLoad() {
      this.relocalize();
      return this.load();
    },
    onShow() {
      this.relocalize();
    },
    relocalize() {
      const before = this.data.ui?.cls;
      localize(this, ['household']);
      if (before !== this.data.ui?.cls) this.setData({ ...choices(), members: numbered(this.data.members) });
    },
    show(household: HouseholdView) {
      this.setData({
        loading: false,
        household,
        headName: household.headName,
        phone: '',
        consent: household.sensitiveConsent,
        members: numbered(household.members.map((m) => ({ ...m, key: m.id }))),
      });
    },
    async load() {
      try {
        this.show(await call('household.get', {}));
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    patchMember(index: number, patch: Partial<MemberRow>) {
      this.setData({ members: numbered(this.data.members.map((m, i) => (i === index ? { ...m, ...patch } : m))) });
    },
    onHead(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ headName: e.detail.value });
    },
    onPhone(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ phone: e.detail.value });
    },
    onMemberName(e: WechatMiniprogram.CustomEvent<{ value: string }, Record<string, never>, { index: number }>) {
      this.patchMember(e.currentTarget.dataset.index, { name: e.detail.value });
    },
    onMemberField(
      e: WechatMiniprogram.CustomEvent<
        { value: string | string[] },
        Record<string, never>,
        { index: number; field: 'relation' | 'ageBand' | 'needs' }
      >,
    ) {
      this.patchMember(e.currentTarget.dataset.index, {
        [e.currentTarget.dataset.field]: e.detail.value,
      } as Partial<MemberRow>);
    },
    addMember() {
      keySeq += 1;
      this.setData({
        members: numbered([
          ...this.data.members,
          { key: `new-${keySeq}`, name: '', relation: 'child', ageBand: '18-59', needs: [] },
        ]),
      });
    },
    removeMember(e: WechatMiniprogram.BaseEvent<Record<string, never>, { index: number }>) {
      this.setData({ members: numbered(this.data.members.filter((_m, i) => i !== e.currentTarget.dataset.index)) });
    },
    onConsent(e: WechatMiniprogram.CustomEvent<{ checked: boolean }>) {
      const consent = e.detail.checked;
      // Withdrawing consent clears the needs on screen too: they will be deleted on save.
      this.setData({
        consent,
        members: consent ? this.data.members : numbered(this.data.members.map((m) => ({ ...m, needs: [] }))),
      });
    },
    async save() {
      const d = this.data;
      this.setData({ saving: true });
      try {
        const saved = await call('household.update', {
          headName: d.headName.trim(),
          ...(d.phone.trim() ? { phone: d.phone.trim() } : {}),
          sensitiveConsent: d.consent,
          members: d.members.map(({ key: _key, label: _label, removeLabel: _remove, ...m }) => ({
            ...m,
            id: m.id || undefined,
            needs: d.consent ? m.needs : [],
          })),
        });
        this.show(saved);
        this.setData({ saving: false });
        showSuccess(this, t('common.saved'));
      } catch (error) {
        this.setData({ saving: false });
        showError(this, error);
      }
    },
  },
});
