/**
 * 未检名单 (gridworker): coverage of the current testing round for my grid, per building, and
 * who is not yet sampled — special needs first, with the door-knock status — plus tomorrow's
 * bookings (明日预约); record a knock; export the list as Excel to print or forward; open 检测结果
 * to record the sampled's results (the admin and the gridworker only).
 */
import type { CoverageView, TestRoundView } from '../../../../typings/api';
import type { KnockStatus } from '../../../../typings/entities';
import { call } from '../../../services/api';
import { openExport } from '../../../utils/export';
import { showError, showSuccess } from '../../../utils/feedback';
import { chinaDayAfter } from '../../../utils/format';
import { KNOCK_LABELS, NEED_LABELS } from '../../../utils/labels';

const KNOCKS = Object.keys(KNOCK_LABELS) as KnockStatus[];

/** One not-yet-sampled household as the list shows it. */
interface PendingRow {
  householdId: string;
  place: string;
  people: string;
  needs: string[];
  knock: string;
}

/** Special-needs households first, then by building and room (the order a gridworker walks). */
export function pendingRows(pending: CoverageView['pending']): PendingRow[] {
  const rows = pending.map((p) => {
    const needs = [...new Set(p.members.flatMap((m) => m.needs))].map((n) => NEED_LABELS[n]);
    return {
      householdId: p.householdId,
      place: `${p.buildingName} ${p.room}`,
      people: p.members.map((m) => m.nameMasked).join('、'),
      needs,
      knock: p.knock ? KNOCK_LABELS[p.knock] : '',
    };
  });
  return rows.sort((a, b) => Number(b.needs.length > 0) - Number(a.needs.length > 0) || a.place.localeCompare(b.place, 'zh'));
}

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    busy: false,
    gridId: '',
    round: null as TestRoundView | null,
    summary: '',
    buildings: [] as Array<{ buildingId: string; buildingName: string; text: string; percent: number }>,
    rows: [] as PendingRow[],
    booked: 0,
    canResults: false,
    sheetVisible: false,
    sheetItems: KNOCKS.map((k) => ({ label: KNOCK_LABELS[k] })),
    _target: '',
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      try {
        const me = await call('user.me', {});
        const gridId = query.gridId ?? me.adminGridIds[0] ?? '';
        // Results (阴性/阳性) are for the admin and the grid's gridworker, not group leaders.
        this.setData({ canResults: me.roles.includes('communityAdmin') || me.roles.includes('gridworker') });
        // The open round, else the latest one.
        const open = (await call('testing.rounds', { status: 'open', limit: 1 })).items[0];
        const round = open ?? (await call('testing.rounds', { limit: 1 })).items[0] ?? null;
        this.setData({ gridId, round });
        await this.reload();
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    async reload() {
      const { round, gridId } = this.data;
      if (!round || !gridId) {
        this.setData({ loading: false });
        return;
      }
      const [cov, bookings] = await Promise.all([
        call('testing.coverage', { roundId: round.id, gridId }),
        call('testing.bookings', { gridId, date: chinaDayAfter(new Date(), 1) }),
      ]);
      this.setData({
        loading: false,
        summary: `已采 ${cov.sampled} / 应采 ${cov.total} 人 · 明日预约 ${bookings.length} 人`,
        booked: bookings.length,
        buildings: cov.buildings.map((b) => ({
          buildingId: b.buildingId,
          buildingName: b.buildingName,
          text: `${b.sampled} / ${b.total}`,
          percent: b.total ? Math.round((b.sampled / b.total) * 100) : 100,
        })),
        rows: pendingRows(cov.pending),
      });
    },
    knock(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      this.setData({ sheetVisible: true, _target: e.currentTarget.dataset.id });
    },
    closeSheet() {
      this.setData({ sheetVisible: false });
    },
    async onKnock(e: { detail: { index: number } }) {
      const status = KNOCKS[e.detail.index];
      const { round, _target: householdId } = this.data;
      this.setData({ sheetVisible: false });
      if (!status || !round || !householdId) return;
      try {
        await call('testing.knock', { roundId: round.id, householdId, status });
        const rows = this.data.rows.map((r) => (r.householdId === householdId ? { ...r, knock: KNOCK_LABELS[status] } : r));
        this.setData({ rows });
        showSuccess(this, `已记录：${KNOCK_LABELS[status]}`);
      } catch (error) {
        showError(this, error);
      }
    },
    /** 检测结果 of this grid and round: record 阴性/阳性 for the sampled. */
    openResults() {
      const { round, gridId } = this.data;
      if (!round) return;
      void wx.navigateTo({ url: `/pages/testing/results/index?roundId=${encodeURIComponent(round.id)}&gridId=${encodeURIComponent(gridId)}` });
    },
    async exportList() {
      const { round, gridId } = this.data;
      if (!round) return;
      this.setData({ busy: true });
      try {
        await openExport(await call('testing.exportCoverage', { roundId: round.id, gridId }));
        this.setData({ busy: false });
      } catch (error) {
        this.setData({ busy: false });
        showError(this, error);
      }
    },
  },
});
