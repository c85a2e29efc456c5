/**
 * 重点人员台账 (gridworker, community admin — health data, names masked): returnees, home
 * isolation (start – end), code colour; the day's check-in (每日打卡) of each, once a day; add a
 * household member to the ledger. Grids are switched by name.
 */
import type { KeyPersonView, KeyPersonsView } from '../../../../typings/api';
import type { CodeColor, KeyPersonKind } from '../../../generated/values';
import { CODE_COLOR_LABELS, KEY_PERSON_KIND_LABELS } from '../../../generated/values';
import { call } from '../../../services/api';
import { showError, showLoadError, showSuccess, showWarning } from '../../../utils/feedback';
import { naturalCompare } from '../../../generated/natural-sort';

/** What a check-in can say, in the action sheet's order. */
const CHECKS: Array<{ label: string; codeColor: CodeColor | null; symptoms: boolean }> = [
  { label: '绿码，无发热等症状', codeColor: 'green', symptoms: false },
  { label: '黄码，无发热等症状', codeColor: 'yellow', symptoms: false },
  { label: '红码', codeColor: 'red', symptoms: false },
  { label: '有发热、咳嗽等症状（码色不变）', codeColor: null, symptoms: true },
];

/** One person as the list shows it. */
export interface LedgerRow {
  id: string;
  place: string;
  kinds: string;
  color: string;
  colorTheme: 'success' | 'warning' | 'danger';
  detail: string;
  checked: boolean;
  codeColor: CodeColor;
}

export function ledgerRow(p: KeyPersonView): LedgerRow {
  const parts: string[] = [];
  if (p.from) parts.push(`来自 ${p.from}`);
  if (p.returnedOn) parts.push(`${p.returnedOn.slice(5)} 返回`);
  if (p.isolationStart && p.isolationEnd)
    parts.push(`隔离 ${p.isolationStart.slice(5)} 至 ${p.isolationEnd.slice(5)}${p.isolating ? '（隔离中）' : ''}`);
  if (p.note) parts.push(p.note);
  return {
    id: p.id,
    place: `${p.buildingName} ${p.room} ${p.nameMasked}`,
    kinds: p.kinds.map((k) => KEY_PERSON_KIND_LABELS[k]).join('、'),
    color: CODE_COLOR_LABELS[p.codeColor],
    colorTheme: p.codeColor === 'green' ? 'success' : p.codeColor === 'yellow' ? 'warning' : 'danger',
    detail: parts.join(' · '),
    checked: p.checkedToday,
    codeColor: p.codeColor,
  };
}

export function ledgerSummary(v: Pick<KeyPersonsView, 'counts'>): string {
  const c = v.counts;
  return `共 ${c.total} 人 · 今日已打卡 ${c.checkedToday} · 隔离中 ${c.isolating} · 黄码 ${c.yellow} · 红码 ${c.red}`;
}

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    failed: false,
    gridId: '',
    grids: [] as Array<{ id: string; name: string; waiting: number }>,
    summary: '',
    /** The summary's figures, each kept whole on a narrow phone («黄码 0» never split). */
    summaryParts: [] as string[],
    rows: [] as LedgerRow[],
    cursor: '',
    checkVisible: false,
    checkItems: CHECKS.map((c) => ({ label: c.label })),
    _target: '',
    // The form that adds a person.
    adding: false,
    households: [] as Array<{ id: string; label: string }>,
    householdIndex: -1,
    members: [] as Array<{ id: string; name: string }>,
    memberId: '',
    kindOptions: (Object.keys(KEY_PERSON_KIND_LABELS) as KeyPersonKind[]).map((k) => ({
      value: k,
      label: KEY_PERSON_KIND_LABELS[k],
    })),
    kinds: [] as string[],
    colorOptions: (Object.keys(CODE_COLOR_LABELS) as CodeColor[]).map((c) => ({
      value: c,
      label: CODE_COLOR_LABELS[c],
    })),
    codeColor: 'green',
    from: '',
    isolationStart: '',
    isolationEnd: '',
    saving: false,
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      if (query.gridId) this.setData({ gridId: query.gridId });
      await this.retry();
    },
    async onPullDownRefresh() {
      await this.retry();
      wx.stopPullDownRefresh();
    },
    async retry() {
      try {
        await this.reload();
      } catch (error) {
        showLoadError(this, error);
      }
    },
    async reload(cursor?: string) {
      this.setData({ loading: !cursor, failed: false });
      const { gridId } = this.data;
      const v = await call('testing.keyPersons', { ...(gridId ? { gridId } : {}), ...(cursor ? { cursor } : {}) });
      const rows = v.items.map(ledgerRow);
      this.setData({
        loading: false,
        gridId: v.gridId,
        grids: v.grids.map((g) => ({ ...g, waiting: 0 })),
        summary: ledgerSummary(v),
        summaryParts: ledgerSummary(v).split(' · '),
        rows: cursor ? [...this.data.rows, ...rows] : rows,
        cursor: v.nextCursor ?? '',
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
      this.setData({ gridId: e.detail.id, adding: false });
      await this.retry();
    },
    check(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      this.setData({ checkVisible: true, _target: e.currentTarget.dataset.id });
    },
    closeSheet() {
      this.setData({ checkVisible: false });
    },
    async onCheck(e: { detail: { index: number } }) {
      const choice = CHECKS[e.detail.index];
      const personId = this.data._target;
      this.setData({ checkVisible: false });
      const row = this.data.rows.find((r) => r.id === personId);
      if (!choice || !row) return;
      try {
        const res = await call('testing.checkKeyPerson', {
          personId,
          codeColor: choice.codeColor ?? row.codeColor,
          symptoms: choice.symptoms,
        });
        if (res.duplicate) showWarning(this, '今天已经打过卡了，以第一次为准');
        else showSuccess(this, '今日打卡已记录');
        await this.reload();
      } catch (error) {
        showError(this, error);
      }
    },
    /** Opens the form: the grid's households (by building and room) to pick from. */
    async startAdd() {
      try {
        const page = await call('grid.households', { gridId: this.data.gridId, limit: 100 });
        const households = page.items
          .map((h) => ({ id: h.id, label: `${h.buildingName} ${h.room}` }))
          .sort((a, b) => naturalCompare(a.label, b.label));
        this.setData({ adding: true, households, householdIndex: -1, members: [], memberId: '', kinds: [] });
      } catch (error) {
        showError(this, error);
      }
    },
    cancelAdd() {
      this.setData({ adding: false });
    },
    async onHousehold(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      const householdIndex = Number(e.detail.value);
      const household = this.data.households[householdIndex];
      if (!household) return;
      this.setData({ householdIndex, members: [], memberId: '' });
      try {
        const sheet = await call('testing.householdCodes', { householdId: household.id });
        this.setData({ members: sheet.codes.map((c) => ({ id: c.memberId, name: c.nameMasked })) });
      } catch (error) {
        showError(this, error);
      }
    },
    onMember(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ memberId: e.detail.value });
    },
    onKinds(e: WechatMiniprogram.CustomEvent<{ value: string[] }>) {
      this.setData({ kinds: e.detail.value });
    },
    onColor(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ codeColor: e.detail.value });
    },
    onFrom(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ from: e.detail.value });
    },
    onStart(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ isolationStart: e.detail.value });
    },
    onEnd(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ isolationEnd: e.detail.value });
    },
    async save() {
      const d = this.data;
      const household = d.households[d.householdIndex];
      if (!household || !d.memberId) return showWarning(this, '请选择住户和人员');
      if (!d.kinds.length) return showWarning(this, '请选择重点人员类别');
      this.setData({ saving: true });
      try {
        await call('testing.saveKeyPerson', {
          householdId: household.id,
          memberId: d.memberId,
          kinds: d.kinds as KeyPersonKind[],
          codeColor: d.codeColor as CodeColor,
          ...(d.from.trim() ? { from: d.from.trim() } : {}),
          isolationStart: d.isolationStart || null,
          isolationEnd: d.isolationEnd || null,
        });
        this.setData({ saving: false, adding: false, from: '', isolationStart: '', isolationEnd: '' });
        showSuccess(this, '已加入台账');
        await this.reload();
      } catch (error) {
        this.setData({ saving: false });
        showError(this, error);
      }
    },
  },
});
