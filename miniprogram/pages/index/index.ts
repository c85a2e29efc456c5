/**
 * Home (我的): who I am, what my roles let me do, and my settings — language (中文 / བོད་ཡིག) and
 * 关怀模式. In elder mode a resident's home is a few big actions; the full list is one tap away.
 */
import type { Me } from '../../../typings/entities';
import { isDevelopBuild, devConfig } from '../../config';
import { careMode, day, LANGS, localize, setCare, setLang, t, type Lang, type UiState } from '../../i18n/index';
import { call, messageOf } from '../../services/api';
import { showError, showSuccess } from '../../utils/feedback';
import { localEntry } from '../../i18n/words';
import { entriesFor, type HomeEntry } from '../../utils/labels';
import { chinaDayAfter } from '../../utils/format';

/** The big actions of elder mode (适老化: few, large, always in the same place). */
const BIG_ACTIONS = [
  { key: 'order', icon: 'shop', url: '/pages/resident/order/index' },
  { key: 'orders', icon: 'view-list', url: '/pages/resident/orders/index' },
  { key: 'cards', icon: 'qrcode', url: '/pages/testing/cards/index' },
  { key: 'contact', icon: 'call', url: '/pages/resident/grid/index' },
] as const;

Component({
  data: {
    loading: true,
    me: null as Me | null,
    roleTags: [] as string[],
    entries: [] as HomeEntry[],
    big: [] as Array<{ key: string; icon: string; url: string; title: string }>,
    simple: false,
    showAll: false,
    error: '',
    showDev: false,
    langs: LANGS,
    care: false,
    m: {} as Record<string, string>,
    ui: null as UiState | null,
    /** When the community declared the emergency over: the day health data will be deleted (issue 14). */
    retention: '',
    _purgeAt: '',
  },
  methods: {
    onLoad() {
      this.setData({ showDev: isDevelopBuild() || devConfig().localCloud });
      this.refreshUi();
      return this.load();
    },
    onShow() {
      this.refreshUi();
    },
    /** Texts, classes and the derived lists, in the current language and mode. */
    refreshUi() {
      localize(this, ['home']);
      const me = this.data.me;
      const care = careMode();
      this.setData({
        care,
        simple: care && Boolean(me?.roles.includes('resident')),
        roleTags: me ? me.roles.map((r) => t(`role.${r}`)) : [],
        entries: me ? entriesFor(me.roles).map(localEntry) : [],
        big: BIG_ACTIONS.map((a) => ({ ...a, title: t(`home.big.${a.key}`) })),
        retention: this.data._purgeAt ? t('home.retention', { date: day(this.data._purgeAt) }) : '',
      });
    },
    async load() {
      this.setData({ loading: true, error: '' });
      try {
        const me = await call('user.me', {}, { retry: true });
        this.setData({ loading: false, me });
        this.refreshUi();
        if (me.roles.includes('resident')) void this.loadRetention();
      } catch (error) {
        this.setData({ loading: false, me: null, error: messageOf(error) });
        showError(this, error);
      }
    },
    /** The purge date once the emergency is declared over; nothing shown when unknown (a banner, not a blocker). */
    async loadRetention() {
      try {
        const notice = await call('user.retention', {});
        this.setData({ _purgeAt: notice.purgeAt ? chinaDayAfter(new Date(notice.purgeAt), 0) : '' });
        this.refreshUi();
      } catch {
        // No banner.
      }
    },
    onEntryTap(e: WechatMiniprogram.BaseEvent<Record<string, never>, { url: string }>) {
      wx.navigateTo({ url: e.currentTarget.dataset.url });
    },
    toggleAll() {
      this.setData({ showAll: !this.data.showAll });
    },
    onLang(e: WechatMiniprogram.BaseEvent<Record<string, never>, { lang: Lang }>) {
      setLang(e.currentTarget.dataset.lang);
      this.refreshUi();
      if (this.data.error) this.setData({ error: t('err.generic') });
    },
    onCare(e: WechatMiniprogram.CustomEvent<{ value: boolean }>) {
      const on = Boolean(e.detail.value);
      setCare(on);
      this.refreshUi();
      showSuccess(this, t(on ? 'home.careOn' : 'home.careOff'));
    },
    openDev() {
      wx.navigateTo({ url: '/pages/dev/index' });
    },
  },
});
