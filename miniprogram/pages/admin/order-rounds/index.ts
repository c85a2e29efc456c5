/**
 * 订购批次 (community admin): the ordering round taking orders now, the rounds before and after it,
 * and opening the next one — its name and when it opens and closes, typed in China time. Outside a
 * round residents cannot order ("不在下单时间内"). A round taking orders (or yet to open) can be
 * extended or closed early (orders placed stay); each round shows how it fills (orders, households
 * that ordered of the households of the community).
 */
import type { RoundFillView, RoundView } from '../../../../typings/api';
import { ApiError, call, newRequestId } from '../../../services/api';
import { showError, showLoadError, showSuccess } from '../../../utils/feedback';
import { chinaInstant, chinaWall } from '../../../utils/format';
import { loadNextPage } from '../../../utils/paging';

const HOUR = 3600_000;

/** A round as a row of the list: taking orders, not yet open, or closed. */
export function roundRow(r: RoundView, now: Date = new Date()) {
  // Closed early before it opened: closed, not "not yet open".
  const state = r.open
    ? 'open'
    : Date.parse(r.closesAt) <= now.getTime()
      ? 'closed'
      : Date.parse(r.opensAt) > now.getTime()
        ? 'upcoming'
        : 'closed';
  return {
    ...r,
    state,
    stateText: { open: '下单中', upcoming: '未开始', closed: '已截单' }[state],
    stateTheme: { open: 'success', upcoming: 'primary', closed: 'default' }[state],
    whenText: `${chinaWall(r.opensAt)} 开始 · ${chinaWall(r.closesAt)} 截单`,
    /** Extend and close early: only while it has not closed. */
    canChange: state !== 'closed',
    /** How it fills, once `order.roundFill` answered ('' until then). */
    fillText: '',
    fillPercent: 0,
  };
}

/** A round's fill as words: `已下单 12 单 · 10/30 户（33%）`. */
export function fillText(f: RoundFillView): { fillText: string; fillPercent: number } {
  const pct = f.householdsTotal ? Math.round((f.households / f.householdsTotal) * 100) : 0;
  return { fillText: `已下单 ${f.orders} 单 · ${f.households}/${f.householdsTotal} 户（${pct}%）`, fillPercent: pct };
}

/** The new close as typed, or the first thing to fix: later than now and than the current close. */
export function extendInput(
  typed: string,
  round: Pick<RoundView, 'closesAt'>,
  now: Date = new Date(),
): { closesAt: string } | { error: string } {
  const closesAt = chinaInstant(typed);
  if (!closesAt) return { error: '时间请按 2022-08-20 08:00 的格式填写（北京时间）' };
  if (Date.parse(closesAt) <= now.getTime()) return { error: '新的截单时间要晚于现在' };
  if (Date.parse(closesAt) <= Date.parse(round.closesAt)) return { error: '新的截单时间要晚于原截单时间' };
  return { closesAt };
}
type RoundRow = ReturnType<typeof roundRow>;

/** The form as the round to open, or the first thing to fix. */
export function openInput(f: {
  name: string;
  opensAt: string;
  closesAt: string;
}): { input: { name: string; opensAt: string; closesAt: string } } | { error: string } {
  const name = f.name.trim();
  if (!name || name.length > 30) return { error: '请填写批次名称（30 字以内）' };
  const opensAt = chinaInstant(f.opensAt);
  const closesAt = chinaInstant(f.closesAt);
  if (!opensAt || !closesAt) return { error: '时间请按 2022-08-20 08:00 的格式填写（北京时间）' };
  if (Date.parse(closesAt) <= Date.parse(opensAt)) return { error: '截单时间要晚于开始时间' };
  return { input: { name, opensAt, closesAt } };
}

/** Opens now, closes at 20:00 tomorrow (China time). */
const blankForm = (now = new Date()) => ({
  name: '',
  opensAt: chinaWall(now),
  closesAt: `${chinaWall(new Date(now.getTime() + 24 * HOUR)).slice(0, 10)} 20:00`,
});

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    failed: false,
    creating: false,
    saving: false,
    rounds: [] as RoundRow[],
    /** The round taking orders now, if any. */
    current: null as RoundRow | null,
    total: 0,
    cursor: '',
    loadingMore: false,
    form: blankForm(),
    /** The round whose close is being moved, and the new close as typed (China time). */
    extending: '',
    extendAt: '',
    /** One id per opening intent: a retried tap does not open a second round. */
    _requestId: '',
    /** One id per extending intent. */
    _extendId: '',
  },
  methods: {
    onLoad() {
      return this.load();
    },
    show(rounds: RoundRow[], total: number, cursor: string) {
      this.setData({ rounds, total, cursor, current: rounds.find((r) => r.open) ?? null });
      void this.loadFill(rounds.filter((r) => !r.fillText).map((r) => r.id));
    },
    /** How these rounds fill; the list stands without it if it fails. */
    async loadFill(ids: string[]) {
      if (ids.length === 0) return;
      try {
        const fills: RoundFillView[] = [];
        for (let i = 0; i < ids.length; i += 20)
          fills.push(...(await call('order.roundFill', { roundIds: ids.slice(i, i + 20) })));
        const byId = new Map(fills.map((f) => [f.roundId, fillText(f)]));
        const rounds = this.data.rounds.map((r) => ({ ...r, ...(byId.get(r.id) ?? {}) }));
        this.setData({ rounds, current: rounds.find((r) => r.open) ?? null });
      } catch {
        // The rounds without their fill.
      }
    },
    /** Puts a round the server answered in place of its row (its fill read again). */
    replace(round: RoundView) {
      const rows = this.data.rounds.map((r) => (r.id === round.id ? roundRow(round) : r));
      this.show(rows, this.data.total, this.data.cursor);
    },
    startExtend(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const id = e.currentTarget.dataset.id;
      const round = this.data.rounds.find((r) => r.id === id);
      if (!round) return;
      if (this.data.extending === id) {
        this.setData({ extending: '' });
        return;
      }
      // A day more by default, typed as the admin reads it.
      this.setData({
        extending: id,
        extendAt: chinaWall(new Date(Date.parse(round.closesAt) + 24 * HOUR)),
        _extendId: newRequestId(),
      });
    },
    onExtendAt(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ extendAt: e.detail.value });
    },
    async confirmExtend() {
      const round = this.data.rounds.find((r) => r.id === this.data.extending);
      if (!round) return;
      const checked = extendInput(this.data.extendAt, round);
      if ('error' in checked) {
        showError(this, new ApiError('COMMON.INVALID_INPUT', checked.error));
        return;
      }
      this.setData({ saving: true });
      try {
        const saved = await call(
          'order.extendRound',
          { roundId: round.id, closesAt: checked.closesAt },
          { requestId: this.data._extendId },
        );
        this.setData({ saving: false, extending: '' });
        this.replace(saved);
        showSuccess(this, `已延长至 ${chinaWall(saved.closesAt)} 截单`);
      } catch (error) {
        this.setData({ saving: false });
        showError(this, error);
      }
    },
    closeEarly(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const id = e.currentTarget.dataset.id;
      const round = this.data.rounds.find((r) => r.id === id);
      wx.showModal({
        title: '提前截单？',
        content: `${round?.name ?? ''}截单后居民不能再下单；已下的订单照常接单、配送。`,
        confirmText: '截单',
        success: (res) => {
          if (res.confirm) void this.doClose(id);
        },
      });
    },
    async doClose(id: string) {
      try {
        const saved = await call('order.closeRound', { roundId: id }, { requestId: newRequestId() });
        this.replace(saved);
        showSuccess(this, '已截单，已下的订单照常处理');
      } catch (error) {
        showError(this, error);
      }
    },
    async load() {
      this.setData({ loading: true, failed: false });
      try {
        const page = await call('order.rounds', {});
        this.setData({ loading: false });
        this.show(
          page.items.map((r) => roundRow(r)),
          page.total,
          page.nextCursor ?? '',
        );
      } catch (error) {
        showLoadError(this, error);
      }
    },
    async onPullDownRefresh() {
      await this.load();
      wx.stopPullDownRefresh();
    },
    onReachBottom() {
      return loadNextPage(
        this,
        this.data.cursor,
        (cursor) => call('order.rounds', { cursor }),
        (page) => {
          this.show([...this.data.rounds, ...page.items.map((r) => roundRow(r))], page.total, page.nextCursor ?? '');
        },
      );
    },
    toggleCreate() {
      this.setData({ creating: !this.data.creating, form: blankForm(), _requestId: newRequestId() });
    },
    onForm(e: WechatMiniprogram.CustomEvent<{ value: string }, Record<string, never>, { field: string }>) {
      this.setData({ [`form.${e.currentTarget.dataset.field}`]: e.detail.value });
    },
    async create() {
      const checked = openInput(this.data.form);
      if ('error' in checked) {
        showError(this, new ApiError('COMMON.INVALID_INPUT', checked.error));
        return;
      }
      this.setData({ saving: true });
      try {
        const round = await call('order.openRound', checked.input, { requestId: this.data._requestId });
        const rows = [roundRow(round), ...this.data.rounds.filter((r) => r.id !== round.id)].sort(
          (a, b) => Date.parse(b.opensAt) - Date.parse(a.opensAt),
        );
        this.setData({ saving: false, creating: false });
        this.show(rows, this.data.total + 1, this.data.cursor);
        showSuccess(this, round.open ? '已开启，居民现在可以下单' : '已安排，到开始时间后居民可以下单');
      } catch (error) {
        this.setData({ saving: false });
        showError(this, error);
      }
    },
  },
});
