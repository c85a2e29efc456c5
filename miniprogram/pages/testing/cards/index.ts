/** 核酸采样卡: each member's personal code for the sampler, and the signed cards of every round. */
import type { CardView, PersonCodeView } from '../../../../typings/api';
import { call } from '../../../services/api';
import { showError } from '../../../utils/feedback';
import { chinaTime } from '../../../utils/format';

const RESULT_TEXT = { negative: '阴性', positive: '阳性' } as const;

Component({
  data: {
    loading: true,
    tab: 'cards',
    cards: [] as Array<CardView & { sampledText: string; resultText: string }>,
    codes: [] as PersonCodeView[],
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
    onTab(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ tab: e.detail.value });
    },
  },
});
