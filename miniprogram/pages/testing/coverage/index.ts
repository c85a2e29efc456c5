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
import { showError, showLoadError, showSuccess } from '../../../utils/feedback';
import { chinaDayAfter } from '../../../utils/format';
import { staffGrids, type GridChip } from '../../../utils/grids';
import { KNOCK_LABELS, NEED_LABELS } from '../../../utils/labels';
import { byNatural, naturalCompare } from '../../../generated/natural-sort';

const KNOCKS = Object.keys(KNOCK_LABELS) as KnockStatus[];

/** One not-yet-sampled household as the list shows it. */
interface PendingRow {
  householdId: string;
  place: string;
  people: string;
  needs: string[];
  knock: string;
  /** Who is not yet sampled (masked), to record by picking one at the door (elders without phones). */
  members: Array<{ memberId: string; nameMasked: string; needs: string[] }>;
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
      members: p.members.map((m) => ({
        memberId: m.memberId,
        nameMasked: m.nameMasked,
        needs: m.needs.map((n) => NEED_LABELS[n]),
      })),
    };
  });
  return rows.sort((a, b) => Number(b.needs.length > 0) - Number(a.needs.length > 0) || naturalCompare(a.place, b.place));
}

/**
 * The 未检名单 reminder as a card for the grid's WeChat group: counts only (never who), leading
 * residents to their 采样卡 page, where they book a door visit.
 */
export function untestedShareCard(round: Pick<TestRoundView, 'name'> | null, households: number): { title: string; path: string } {
  const path = '/pages/testing/cards/index';
  if (!round) return { title: '核酸检测提醒：请按时采样', path };
  if (!households) return { title: `${round.name}：本网格已全部采样，谢谢大家`, path };
  return { title: `${round.name}：本网格还有 ${households} 户未采样，请尽快采样或预约上门`, path };
}

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    failed: false,
    busy: false,
    gridId: '',
    grids: [] as GridChip[],
    round: null as TestRoundView | null,
    summary: '',
    buildings: [] as Array<{ buildingId: string; buildingName: string; text: string; percent: number }>,
    rows: [] as PendingRow[],
    booked: 0,
    canResults: false,
    sheetVisible: false,
    sheetItems: KNOCKS.map((k) => ({ label: KNOCK_LABELS[k] })),
    pickVisible: false,
    pickItems: [] as Array<{ label: string }>,
    _target: '',
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      wx.showShareMenu({ withShareTicket: true, menus: ['shareAppMessage'] });
      try {
        const [me, mine] = await Promise.all([call('user.me', {}), staffGrids('all', query.gridId)]);
        const gridId = mine.gridId;
        this.setData({ grids: mine.grids });
        // Results (阴性/阳性) are for the admin and the grid's gridworker, not group leaders.
        this.setData({ canResults: me.roles.includes('communityAdmin') || me.roles.includes('gridworker') });
        // The open round, else the latest one.
        const open = (await call('testing.rounds', { status: 'open', limit: 1 })).items[0];
        const round = open ?? (await call('testing.rounds', { limit: 1 })).items[0] ?? null;
        this.setData({ gridId, round });
        await this.reload();
      } catch (error) {
        showLoadError(this, error);
      }
    },
    /** 重试 after a failed load: the rounds and grids again when those were what failed. */
    async retry() {
      this.setData({ loading: true, failed: false });
      if (!this.data.gridId || !this.data.round) return this.onLoad({});
      await this.reload().catch((error: unknown) => showLoadError(this, error));
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
        buildings: [...cov.buildings].sort(byNatural((b) => b.buildingName)).map((b) => ({
          buildingId: b.buildingId,
          buildingName: b.buildingName,
          text: `${b.sampled} / ${b.total}`,
          percent: b.total ? Math.round((b.sampled / b.total) * 100) : 100,
        })),
        rows: pendingRows(cov.pending),
        failed: false,
      });
    },
    async switchGrid(e: WechatMiniprogram.CustomEvent<{ id: string }>) {
      this.setData({ gridId: e.detail.id, loading: true, failed: false });
      try {
        await this.reload();
      } catch (error) {
        showLoadError(this, error);
      }
    },
    onShareAppMessage() {
      return untestedShareCard(this.data.round, this.data.rows.length);
    },
    knock(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      this.setData({ sheetVisible: true, _target: e.currentTarget.dataset.id });
    },
    closeSheet() {
      this.setData({ sheetVisible: false, pickVisible: false });
    },
    /** 登记采样 without a personal code: pick the household's member (an elder without a phone). */
    pickMember(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const row = this.data.rows.find((r) => r.householdId === e.currentTarget.dataset.id);
      if (!row) return;
      this.setData({
        pickVisible: true,
        _target: row.householdId,
        pickItems: row.members.map((m) => ({ label: m.nameMasked })),
      });
    },
    async onPick(e: { detail: { index: number } }) {
      const { round, _target: householdId } = this.data;
      const row = this.data.rows.find((r) => r.householdId === householdId);
      const member = row?.members[e.detail.index];
      this.setData({ pickVisible: false });
      if (!round || !row || !member) return;
      // Door to door: the round's 上门 point if it has one, else its first.
      const point = round.points.find((p) => p.includes('上门')) ?? round.points[0] ?? '';
      try {
        const res = await call('testing.record', { roundId: round.id, point, householdId, memberId: member.memberId });
        const members = row.members.filter((m) => m.memberId !== member.memberId);
        const rows = members.length
          ? this.data.rows.map((r) =>
              r.householdId === householdId
                ? {
                  ...r,
                  members,
                  people: members.map((m) => m.nameMasked).join('、'),
                  needs: [...new Set(members.flatMap((m) => m.needs))],
                }
                : r,
            )
          : this.data.rows.filter((r) => r.householdId !== householdId);
        this.setData({ rows });
        showSuccess(this, res.duplicate ? `${member.nameMasked} 已采过（${res.card.serial}）` : `已登记 ${member.nameMasked}，编号 ${res.card.serial}`);
      } catch (error) {
        showError(this, error);
      }
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
