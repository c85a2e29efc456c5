/**
 * 检测结果 (community admin, the grid's gridworker): the sampled of a grid in a round, by serial,
 * each with its result apart from "sampled" — 未出结果, 阴性, or 阳性 (a follow-up flag only the
 * admin and that grid's gridworker see); record a result, find a tube by its serial, list the
 * positives to follow up. Reached from home and from 未检名单.
 */
import type { ResultsView, SampledView, TestRoundView } from '../../../../typings/api';
import type { TestResult } from '../../../generated/values';
import { ApiError, call } from '../../../services/api';
import { showError, showLoadError, showSuccess } from '../../../utils/feedback';
import { chinaTime } from '../../../utils/format';
import { TEST_RESULT_LABELS } from '../../../utils/labels';
import { loadNextPage } from '../../../utils/paging';

/** A sampled person as a row: "sampled" always, the result beside it. */
export function resultRow(s: SampledView) {
  return {
    ...s,
    key: `${s.householdId}:${s.memberId}`,
    place: `${s.buildingName} ${s.room}`,
    sampledText: `已采样 ${chinaTime(s.sampledAt)}`,
    resultText: s.result === 'positive' ? '阳性 · 需跟进' : s.result ? TEST_RESULT_LABELS[s.result] : '未出结果',
    resultTheme: s.result === 'positive' ? 'danger' : s.result === 'negative' ? 'success' : 'default',
  };
}
type ResultRow = ReturnType<typeof resultRow>;

/** Filters of the list: every sampled person, or only one result. */
const FILTERS = [
  { value: 'all', label: '全部' },
  { value: 'positive', label: '阳性' },
  { value: 'negative', label: '阴性' },
];

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    failed: false,
    round: null as TestRoundView | null,
    gridId: '',
    gridName: '',
    grids: [] as ResultsView['grids'],
    filters: FILTERS,
    filter: 'all',
    serial: '',
    summary: '',
    rows: [] as ResultRow[],
    total: 0,
    cursor: '',
    loadingMore: false,
    busy: '',
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      this.setData({ gridId: query.gridId ?? '' });
      await this.start(query.roundId);
    },
    /** The round named, else the open one, else the latest; then its results. */
    async start(roundId?: string) {
      this.setData({ loading: true, failed: false });
      try {
        let round: TestRoundView | null = null;
        if (roundId) round = (await call('testing.rounds', { limit: 100 })).items.find((r) => r.id === roundId) ?? null;
        round ??=
          (await call('testing.rounds', { status: 'open', limit: 1 })).items[0] ??
          (await call('testing.rounds', { limit: 1 })).items[0] ??
          null;
        this.setData({ round });
        await this.reload();
      } catch (error) {
        showLoadError(this, error);
      }
    },
    retry() {
      return this.start(this.data.round?.id);
    },
    /** The query of the list as it is set now. */
    query(cursor?: string) {
      const { round, gridId, filter, serial } = this.data;
      return {
        roundId: (round as TestRoundView).id,
        ...(gridId ? { gridId } : {}),
        ...(filter === 'positive' || filter === 'negative' ? { result: filter as TestResult } : {}),
        ...(serial.trim() ? { serial: serial.trim().toUpperCase() } : {}),
        ...(cursor ? { cursor } : {}),
      };
    },
    async reload() {
      if (!this.data.round) {
        this.setData({ loading: false });
        return;
      }
      const view = await call('testing.results', this.query());
      const c = view.counts;
      this.setData({
        loading: false,
        gridId: view.gridId,
        gridName: view.gridName,
        grids: view.grids,
        summary: `已采样 ${c.sampled} 人 · 阴性 ${c.negative} · 阳性 ${c.positive} · 未出结果 ${c.none}`,
        rows: view.items.map(resultRow),
        total: view.total,
        cursor: view.nextCursor ?? '',
      });
    },
    async refresh() {
      this.setData({ loading: true });
      try {
        await this.reload();
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    async onPullDownRefresh() {
      await this.refresh();
      wx.stopPullDownRefresh();
    },
    onReachBottom() {
      return loadNextPage(
        this,
        this.data.cursor,
        (cursor) => call('testing.results', this.query(cursor)),
        (view) => {
          this.setData({ rows: [...this.data.rows, ...view.items.map(resultRow)], cursor: view.nextCursor ?? '' });
        },
      );
    },
    onGrid(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ gridId: e.detail.value });
      return this.refresh();
    },
    /** The grid switcher (grids by name, natural order). */
    switchGrid(e: WechatMiniprogram.CustomEvent<{ id: string }>) {
      this.setData({ gridId: e.detail.id });
      return this.refresh();
    },
    /** A filter chip (全部 / 阳性 / 阴性 …). */
    pickFilter(e: WechatMiniprogram.BaseEvent<Record<string, never>, { value: string }>) {
      return this.onFilter({ detail: { value: e.currentTarget.dataset.value } } as WechatMiniprogram.CustomEvent<{
        value: string;
      }>);
    },
    onFilter(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ filter: e.detail.value });
      return this.refresh();
    },
    onSerial(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ serial: e.detail.value });
    },
    find() {
      const serial = this.data.serial.trim();
      if (serial && !/^[\w-]{3,40}$/.test(serial)) {
        showError(this, new ApiError('COMMON.INVALID_INPUT', '请按采样卡上的编号填写，如 R1-G01-0007'));
        return undefined;
      }
      return this.refresh();
    },
    /** Records a result; a positive one is asked twice (it flags the person for follow-up). */
    record(e: WechatMiniprogram.BaseEvent<Record<string, never>, { key: string; result: TestResult }>) {
      const { key, result } = e.currentTarget.dataset;
      const row = this.data.rows.find((r) => r.key === key);
      if (!row || (result !== 'negative' && result !== 'positive')) return;
      if (result === 'negative') {
        void this.doRecord(row, result);
        return;
      }
      wx.showModal({
        title: '记为阳性？',
        content: `${row.place} ${row.nameMasked}（${row.serial}）将标记为需跟进，仅社区管理员和本网格网格员可见。`,
        confirmText: '记为阳性',
        success: (res) => {
          if (res.confirm) void this.doRecord(row, result);
        },
      });
    },
    async doRecord(row: ResultRow, result: TestResult) {
      const round = this.data.round;
      if (!round) return;
      this.setData({ busy: row.key });
      try {
        const saved = await call('testing.recordResult', {
          roundId: round.id,
          householdId: row.householdId,
          memberId: row.memberId,
          result,
        });
        const index = this.data.rows.findIndex((r) => r.key === row.key);
        if (index >= 0) this.setData({ [`rows[${index}]`]: resultRow({ ...row, result: saved.result }) });
        this.setData({ busy: '' });
        showSuccess(this, `已记录：${row.serial} ${TEST_RESULT_LABELS[saved.result]}`);
      } catch (error) {
        this.setData({ busy: '' });
        showError(this, error);
      }
    },
  },
});
