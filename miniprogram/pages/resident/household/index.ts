/** 我的家庭: members, age bands and — only with separate consent — special needs. */
import type { HouseholdView, MemberInput } from '../../../../typings/api';
import type { AgeBand, Relation, SpecialNeed } from '../../../../typings/entities';
import { call } from '../../../services/api';
import { showError, showSuccess } from '../../../utils/feedback';
import { NEED_LABELS } from '../../../utils/labels';

type MemberRow = MemberInput & { key: string };

const RELATIONS: Array<{ value: Relation; label: string }> = [
  { value: 'self', label: '本人' },
  { value: 'spouse', label: '配偶' },
  { value: 'child', label: '子女' },
  { value: 'parent', label: '父母' },
  { value: 'grandchild', label: '孙辈' },
  { value: 'other', label: '其他' },
];
const AGE_BANDS: AgeBand[] = ['0-6', '7-17', '18-59', '60-79', '80+'];
let keySeq = 0;

Component({
  data: {
    loading: true,
    saving: false,
    household: null as HouseholdView | null,
    headName: '',
    phone: '',
    members: [] as MemberRow[],
    consent: false,
    relations: RELATIONS,
    ageBands: AGE_BANDS,
    needOptions: (Object.keys(NEED_LABELS) as SpecialNeed[]).map((value) => ({ value, label: NEED_LABELS[value] })),
  },
  methods: {
    onLoad() {
      return this.load();
    },
    show(household: HouseholdView) {
      this.setData({
        loading: false,
        household,
        headName: household.headName,
        phone: '',
        consent: household.sensitiveConsent,
        members: household.members.map((m) => ({ ...m, key: m.id })),
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
      this.setData({ members: this.data.members.map((m, i) => (i === index ? { ...m, ...patch } : m)) });
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
    onMemberField(e: WechatMiniprogram.CustomEvent<{ value: string | string[] }, Record<string, never>, { index: number; field: 'relation' | 'ageBand' | 'needs' }>) {
      this.patchMember(e.currentTarget.dataset.index, { [e.currentTarget.dataset.field]: e.detail.value } as Partial<MemberRow>);
    },
    addMember() {
      keySeq += 1;
      this.setData({ members: [...this.data.members, { key: `new-${keySeq}`, name: '', relation: 'child', ageBand: '18-59', needs: [] }] });
    },
    removeMember(e: WechatMiniprogram.BaseEvent<Record<string, never>, { index: number }>) {
      this.setData({ members: this.data.members.filter((_m, i) => i !== e.currentTarget.dataset.index) });
    },
    onConsent(e: WechatMiniprogram.CustomEvent<{ checked: boolean }>) {
      const consent = e.detail.checked;
      // Withdrawing consent clears the needs on screen too: they will be deleted on save.
      this.setData({ consent, members: consent ? this.data.members : this.data.members.map((m) => ({ ...m, needs: [] })) });
    },
    async save() {
      const d = this.data;
      this.setData({ saving: true });
      try {
        const saved = await call('household.update', {
          headName: d.headName.trim(),
          ...(d.phone.trim() ? { phone: d.phone.trim() } : {}),
          sensitiveConsent: d.consent,
          members: d.members.map(({ key: _key, ...m }) => ({ ...m, id: m.id || undefined, needs: d.consent ? m.needs : [] })),
        });
        this.show(saved);
        this.setData({ saving: false });
        showSuccess(this, '已保存');
      } catch (error) {
        this.setData({ saving: false });
        showError(this, error);
      }
    },
  },
});
