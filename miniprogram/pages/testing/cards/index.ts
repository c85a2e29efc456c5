/** 核酸采样卡: each member's personal code for the sampler, and the signed cards of every round. */
import type { CardView, PersonCodeView } from '../../../../typings/api';
import { call } from '../../../services/api';
import { showError, showSuccess } from '../../../utils/feedback';
import { chinaDayAfter, chinaTime } from '../../../utils/format';

const RESULT_TEXT = { negative: '阴性', positive: '阳性' } as const;

Component({
  data: {
    loading: true,
    tab: 'cards',
    cards: [] as Array<CardView & { sampledText: string; resultText: string }>,
    codes: [] as PersonCodeView[],
    booked: false,
  },
  methods: {
    async onShow() {
      try {
        const [cards, codes] = await Promise.all([call('testing.myCards', {}), call('testing.personCodes', {})]);
        this.setData({
          loading: false,
          // A result, when recorded, is shown apart from "sampled".
          cards: cards.map((c) => ({ ...c, sampledText: chinaTime(c.sampledAt), resultText: c.result ? RESULT_TEXT[c.result] : '' })),
          codes,
          tab: cards.length ? this.data.tab : 'codes',
        });
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    async bookTomorrow() {
      try {
        const res = await call('testing.book', { date: chinaDayAfter(new Date(), 1), memberIds: this.data.codes.map((c) => c.memberId) });
        this.setData({ booked: true });
        showSuccess(this, `已预约 ${res.date}，共 ${res.booked} 人`);
      } catch (error) {
        showError(this, error);
      }
    },
    onTab(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ tab: e.detail.value });
    },
  },
});
