/**
 * 核酸检测轮次 (community admin): open a testing round (name, day, sampling points, how long a card
 * stays valid), see the rounds newest first, and close the one that is over. Samplers record and
 * checkpoints verify against the open round.
 */
import type { TestRoundView } from '../../../../typings/api';
import { ApiError, call, newRequestId } from '../../../services/api';
import { showError, showSuccess } from '../../../utils/feedback';
import { chinaDayAfter } from '../../../utils/format';
import { loadNextPage } from '../../../utils/paging';

/** A round as a row of the list. */
export function roundRow(r: TestRoundView) {
  return {
    ...r,
    open: r.status === 'open',
    statusText: r.status === 'open' ? '进行中' : '已结束',
    pointsText: r.points.join('、'),
    validText: `采样卡 ${r.validHours} 小时内有效`,
  };
}

/** Sampling points as typed: one per line or separated by commas (中文或英文逗号、顿号). */
export function splitPoints(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\n,，、;；]/)
        .map((p) => p.trim())
        .filter(Boolean),
    ),
  ];
}

const blankForm = () => ({ name: '', date: chinaDayAfter(new Date(), 0), points: '', validHours: '48' });

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    creating: false,
    saving: false,
    rounds: [] as Array<ReturnType<typeof roundRow>>,
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
    async load() {
      try {
        const page = await call('testing.rounds', {});
        this.setData({
          loading: false,
          rounds: page.items.map(roundRow),
          total: page.total,
          cursor: page.nextCursor ?? '',
        });
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    async onPullDownRefresh() {
      await this.load();
      wx.stopPullDownRefresh();
    },
    /** Older rounds, when the list is scrolled to its end. */
    onReachBottom() {
      return loadNextPage(
        this,
        this.data.cursor,
        (cursor) => call('testing.rounds', { cursor }),
        (page) => {
          this.setData({
            rounds: [...this.data.rounds, ...page.items.map(roundRow)],
            total: page.total,
            cursor: page.nextCursor ?? '',
          });
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
      const f = this.data.form;
      const points = splitPoints(f.points);
      if (!f.name.trim() || points.length === 0) {
        showError(this, new ApiError('COMMON.INVALID_INPUT', '请填写轮次名称和至少一个采样点'));
        return;
      }
      this.setData({ saving: true });
      try {
        const round = await call(
          'testing.openRound',
          { name: f.name.trim(), date: f.date.trim(), points, validHours: Number(f.validHours) },
          { requestId: this.data._requestId },
        );
        this.setData({
          saving: false,
          creating: false,
          total: this.data.total + 1,
          rounds: [roundRow(round), ...this.data.rounds],
        });
        showSuccess(this, '已开启，采样员可以开始登记');
      } catch (error) {
        this.setData({ saving: false });
        showError(this, error);
      }
    },
    close(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const id = e.currentTarget.dataset.id;
      const round = this.data.rounds.find((r) => r.id === id);
      wx.showModal({
        title: '结束这一轮检测？',
        content: `${round?.name ?? ''}结束后不能再登记采样，卡点将按下一轮查验。`,
        confirmText: '结束',
        success: (res) => {
          if (res.confirm) void this.doClose(id);
        },
      });
    },
    async doClose(id: string) {
      try {
        const round = await call('testing.closeRound', { roundId: id });
        const index = this.data.rounds.findIndex((r) => r.id === id);
        if (index >= 0) this.setData({ [`rounds[${index}]`]: roundRow(round) });
        showSuccess(this, '本轮已结束');
      } catch (error) {
        showError(this, error);
      }
    },
  },
});
