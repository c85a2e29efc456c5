/**
 * 代登记特殊需求 (grid staff): for a household without WeChat, record its members' special needs
 * with the consent the gridworker heard beside them — who gave it, how (上门 / 电话), which day.
 * Households in the app record and consent themselves (我的家庭); removing every need withdraws
 * the consent too.
 */
import type { GridHouseholdView, HouseholdNeedsView } from '../../../../typings/api';
import type { ContactMethod, SpecialNeed } from '../../../generated/values';
import { CONTACT_METHOD_LABELS, NEED_LABELS } from '../../../generated/values';
import { call } from '../../../services/api';
import { showError, showLoadError, showSuccess, showWarning } from '../../../utils/feedback';
import { chinaDayAfter } from '../../../utils/format';
import { householdSearchText, householdsMatching } from '../../../utils/find-household';
import { staffGrids, type GridChip } from '../../../utils/grids';
import { naturalCompare } from '../../../generated/natural-sort';

const METHODS: ContactMethod[] = ['visit', 'phone'];

/** A household as the list offers it (those without WeChat first). */
export interface HouseholdChoice {
  id: string;
  place: string;
  note: string;
  /** What the search box matches: room, the head's name, the phone's last digits (not shown). */
  search: string;
  joined: boolean;
}

export function householdChoice(h: GridHouseholdView): HouseholdChoice {
  return {
    id: h.id,
    place: `${h.buildingName} ${h.room}`,
    search: householdSearchText(h),
    note: `${h.members} 人${h.joined ? ' · 已入群' : ' · 未入群'}`,
    joined: h.joined,
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
    form: null as HouseholdNeedsView | null,
    needOptions: (Object.keys(NEED_LABELS) as SpecialNeed[]).map((n) => ({ value: n, label: NEED_LABELS[n] })),
    methods: METHODS.map((m) => ({ value: m, label: CONTACT_METHOD_LABELS[m] })),
    chosen: {} as Record<string, string[]>,
    heardFrom: '',
    method: 'visit',
    heardOn: '',
    consentText: '',
    saving: false,
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
      const households = (cursor ? [...this.data.households, ...rows] : rows).sort(
        (a, b) => Number(a.joined) - Number(b.joined) || naturalCompare(a.place, b.place),
      );
      this.setData({ loading: false, households, cursor: page.nextCursor ?? '' });
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
      this.setData({ gridId: e.detail.id, form: null });
      await this.retry();
    },
    async pick(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      try {
        const form = await call('testing.householdNeeds', { householdId: e.currentTarget.dataset.id });
        const c = form.consent;
        this.setData({
          form,
          chosen: Object.fromEntries(form.members.map((m) => [m.memberId, [...m.needs]])),
          heardFrom: c?.heardFrom ?? '',
          method: c?.method ?? 'visit',
          heardOn: c?.heardOn ?? chinaDayAfter(new Date(), 0),
          consentText: c ? `已记录同意：${c.heardFrom}，${CONTACT_METHOD_LABELS[c.method]}，${c.heardOn}` : '',
        });
      } catch (error) {
        showError(this, error);
      }
    },
    back() {
      this.setData({ form: null });
    },
    onNeeds(e: WechatMiniprogram.CustomEvent<{ value: string[] }>) {
      const memberId = (e.currentTarget as unknown as { dataset: { id: string } }).dataset.id;
      this.setData({ chosen: { ...this.data.chosen, [memberId]: e.detail.value } });
    },
    onHeardFrom(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ heardFrom: e.detail.value });
    },
    onMethod(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ method: e.detail.value });
    },
    onHeardOn(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ heardOn: e.detail.value });
    },
    async save() {
      const { form, chosen, heardFrom, method, heardOn } = this.data;
      if (!form) return;
      const members = form.members.map((m) => ({
        memberId: m.memberId,
        needs: (chosen[m.memberId] ?? []) as SpecialNeed[],
      }));
      const any = members.some((m) => m.needs.length > 0);
      if (any && !heardFrom.trim()) return showWarning(this, '请填写是谁同意的（如：户主本人、女儿电话同意）');
      this.setData({ saving: true });
      try {
        const saved = await call('testing.recordNeeds', {
          householdId: form.householdId,
          members,
          ...(any ? { consent: { heardFrom: heardFrom.trim(), method: method as ContactMethod, heardOn } } : {}),
        });
        this.setData({ saving: false, form: null });
        showSuccess(this, saved.consent ? '已登记特殊需求和同意记录' : '已清除特殊需求和同意记录');
      } catch (error) {
        this.setData({ saving: false });
        showError(this, error);
      }
    },
  },
});
