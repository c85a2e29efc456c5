/** 采样登记: the sampler scans each resident's personal code; a second scan is recognised; the count is theirs in the round. */
import type { CardView, TestRoundView } from '../../../../typings/api';
import { ApiError, call } from '../../../services/api';
import { showError } from '../../../utils/feedback';

function scanCode(): Promise<string | null> {
  return new Promise((resolve) => {
    wx.scanCode({
      onlyFromCamera: true,
      scanType: ['qrCode'],
      success: (res) => resolve(res.result),
      fail: () => resolve(null),
    });
  });
}

Component({
  data: {
    loading: true,
    busy: false,
    round: null as TestRoundView | null,
    point: '',
    last: null as { duplicate: boolean; card: CardView } | null,
    count: 0,
  },
  methods: {
    async onLoad() {
      try {
        const round = (await call('testing.rounds', { status: 'open', limit: 1 })).items[0] ?? null;
        // The sampler's own records in this round so far (also from before this page was opened).
        const mine = round ? await call('testing.myRecords', { roundId: round.id }) : null;
        this.setData({ loading: false, round, point: round?.points[0] ?? '', count: mine?.recorded ?? 0 });
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    onPoint(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ point: e.detail.value });
    },
    async scan() {
      const round = this.data.round;
      if (!round || this.data.busy) return;
      const personCode = await scanCode();
      if (!personCode) return;
      this.setData({ busy: true });
      try {
        const last = await call('testing.record', { roundId: round.id, point: this.data.point, personCode });
        this.setData({ busy: false, last, count: this.data.count + (last.duplicate ? 0 : 1) });
        wx.vibrateShort({ type: 'medium' });
      } catch (error) {
        this.setData({ busy: false });
        showError(this, error instanceof ApiError ? error : new ApiError('COMMON.INTERNAL', '登记失败，请重试'));
      }
    },
  },
});
