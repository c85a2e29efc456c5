/**
 * 核酸采样卡: each member's personal code for the sampler, and the signed cards of every round.
 * The latest answer is kept on the phone: with no network the page shows it, saying as of when
 * (a signed card verifies offline at the checkpoint, so a kept card is still a card).
 */
import type { CardView, PersonCodeView } from '../../../../typings/api';
import { day, localize, t, type UiState } from '../../../i18n/index';
import { call, isNetworkError, newRequestId } from '../../../services/api';
import { CACHE, keep, kept } from '../../../services/offline';
import { showError, showSuccess } from '../../../utils/feedback';
import { chinaDayAfter, chinaTime } from '../../../utils/format';

interface CardsAnswer {
  cards: CardView[];
  codes: PersonCodeView[];
}

type CardRow = CardView & {
  sampledText: string;
  /** Until when the card counts (and how long that still is), or that it has expired. */
  validText: string;
  expired: boolean;
  serialText: string;
  resultText: string;
  resultLabel: string;
  qrLabel: string;
};
type CodeRow = PersonCodeView & { codeLabel: string };

/** How long a card is valid, said from `now`: `有效至 08-21 14:30（还剩约 20 小时）`, or expired. */
export function validText(validUntil: string, now: Date): { text: string; expired: boolean } {
  const left = Date.parse(validUntil) - now.getTime();
  const time = chinaTime(validUntil);
  if (left <= 0) return { text: t('cards.expired', { time }), expired: true };
  const hours = Math.max(1, Math.floor(left / 3600_000));
  return { text: `${t('cards.validUntil', { time })}${t('cards.hoursLeft', { hours })}`, expired: false };
}

function cardRow(c: CardView, now: Date = new Date()): CardRow {
  const resultText = c.result ? t(c.result === 'negative' ? 'cards.negative' : 'cards.positive') : '';
  const valid = validText(c.validUntil, now);
  return {
    ...c,
    validText: valid.text,
    expired: valid.expired,
    sampledText: t('cards.sampledAt', { time: chinaTime(c.sampledAt) }),
    serialText: t('cards.serial', { serial: c.serial }),
    resultText,
    // A result is shown apart from "sampled", in words as well as colour.
    resultLabel: resultText ? t('cards.result', { result: resultText }) : '',
    qrLabel: t('cards.qrLabel', { name: c.nameMasked }),
  };
}

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    m: {} as Record<string, string>,
    ui: null as UiState | null,
    tab: 'cards',
    cards: [] as CardRow[],
    codes: [] as CodeRow[],
    booked: false,
    /** Set when the page shows the kept copy: "network down, saved at …". */
    offlineText: '',
    asOfText: '',
    _answer: null as CardsAnswer | null,
  },
  methods: {
    async onShow() {
      localize(this, ['cards']);
      try {
        const [cards, codes] = await Promise.all([
          call('testing.myCards', {}, { retry: true }),
          call('testing.personCodes', {}, { retry: true }),
        ]);
        const snapshot = keep<CardsAnswer>(CACHE.cards, { cards, codes });
        this.show(snapshot.data, '', '');
      } catch (error) {
        const snapshot = isNetworkError(error) ? kept<CardsAnswer>(CACHE.cards) : null;
        if (snapshot) {
          const time = chinaTime(snapshot.at);
          this.show(snapshot.data, t('common.offline', { time }), t('cards.asOf', { time }));
        } else {
          this.setData({ loading: false, offlineText: isNetworkError(error) ? t('common.offlineNoCache') : '' });
          showError(this, error);
        }
      }
    },
    show(answer: CardsAnswer, offlineText: string, asOfText: string) {
      this.setData({
        loading: false,
        _answer: answer,
        offlineText,
        asOfText,
        cards: answer.cards.map((c) => cardRow(c)),
        codes: answer.codes.map((c) => ({ ...c, codeLabel: t('cards.codeLabel', { name: c.nameMasked }) })),
        tab: answer.cards.length ? this.data.tab : 'codes',
      });
    },
    async bookTomorrow() {
      try {
        // Booking twice changes nothing on the server, so a lost answer is retried with the same id.
        const res = await call(
          'testing.book',
          { date: chinaDayAfter(new Date(), 1), memberIds: this.data.codes.map((c) => c.memberId) },
          { requestId: newRequestId() },
        );
        this.setData({ booked: true });
        showSuccess(this, t('cards.bookedToast', { date: day(res.date), n: res.booked }));
      } catch (error) {
        showError(this, error);
      }
    },
    /** 明日预约 with a reason, and where each booking stands. */
    openBookings() {
      void wx.navigateTo({ url: '/pages/testing/booking/index' });
    },
    onTab(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ tab: e.detail.value });
    },
  },
});
