/**
 * 订购批次 (community admin): the ordering round taking orders now, the rounds before and after it,
 * and opening the next one — its name and when it opens and closes, typed in China time. Outside a
 * round residents cannot order ("不在下单时间内").
 */
import type { RoundView } from '../../../../typings/api';
import { ApiError, call, newRequestId } from '../../../services/api';
import { showError, showLoadError, showSuccess } from '../../../utils/feedback';
import { chinaInstant, chinaWall } from '../../../utils/format';
import { loadNextPage } from '../../../utils/paging';

const HOUR = 3600_000;

/** A round as a row of the list: taking orders, not yet open, or closed. */
export function roundRow(r: RoundView, now: Date = new Date()) {
  const state = r.open ? 'open' : Date.parse(r.opensAt) > now.getTime() ? 'upcoming' : 'closed';
  return {
    ...r,
    state,
    stateText: { open: '下单中', upcoming: '未开始', closed: '已截单' }[state],
    stateTheme: { open: 'success', upcoming: 'primary', closed: 'default' }[state],
    whenText: `${chinaWall(r.opensAt)} 开始 · ${chinaWall(r.closesAt)} 截单`,
  };
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
    /** One id per opening intent: a retried tap does not open a second round. */
    _requestId: '',
  },
  methods: {
    onLoad() {
      return this.load();
    },
    show(rounds: RoundRow[], total: number, cursor: string) {
      this.setData({ rounds, total, cursor, current: rounds.find((r) => r.open) ?? null });
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
