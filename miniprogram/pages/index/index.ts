/**
 * Home (我的): who I am, what my roles let me do, and my settings — language (中文 / བོད་ཡིག) and
 * 关怀模式. In elder mode a resident's home is a few big actions; the full list is one tap away.
 * Above the entries, the day's work with counts (issue 12, `user.home`): 待审核 3, 待派单 12, 我的任务 2 …,
 * each a link to the page where it is done; the same counts stand as badges beside the entries.
 */
import type { HomeCounts } from '../../../typings/api';
import type { Me } from '../../../typings/entities';
import { isDevelopBuild, devConfig } from '../../config';
import { careMode, day, LANGS, localize, setCare, setLang, t, type Lang, type UiState } from '../../i18n/index';
import { call, messageOf } from '../../services/api';
import { showError, showSuccess } from '../../utils/feedback';
import { localEntry } from '../../i18n/words';
import { entriesFor, type HomeEntry } from '../../utils/labels';
import { chinaDayAfter } from '../../utils/format';

/** One line of the day's work: a count (or, for a booking, its state) and the page where it is done. */
export interface WorkRow {
  key: string;
  title: string;
  /** null: a state, not a count (the household's booking). */
  count: number | null;
  note: string;
  url: string;
}

/** The day's work of the caller's roles, in the order of their day (staff first, then the household's). */
export function workRows(c: HomeCounts | null): WorkRow[] {
  if (!c) return [];
  const rows: WorkRow[] = [];
  const add = (key: string, count: number, url: string) =>
    rows.push({ key, title: t(`staff.home.work.${key}` as never), count, note: '', url });
  if (c.grids) {
    add('joins', c.grids.joins, '/pages/grid/joins/index');
    add('submitted', c.grids.submitted, '/pages/dispatch/pool/index');
    add('accepted', c.grids.accepted, '/pages/dispatch/board/index');
    add('bookings', c.grids.bookings, '/pages/grid/bookings/index');
    if (c.grids.untested !== null) add('untested', c.grids.untested, '/pages/testing/coverage/index');
  }
  if (c.admin) {
    add('volunteers', c.admin.volunteers, '/pages/admin/volunteers/index');
    add('outboxFailed', c.admin.outboxFailed, '/pages/admin/outbox/index');
  }
  if (c.volunteer) {
    add('myJobs', c.volunteer.myJobs, '/pages/volunteer/jobs/index');
    add('openJobs', c.volunteer.openJobs, '/pages/volunteer/jobs/index');
  }
  if (c.resident) {
    rows.push({
      key: 'activeOrders',
      title: t('home.work.activeOrders'),
      count: c.resident.activeOrders,
      note: '',
      url: '/pages/resident/orders/index',
    });
    const b = c.resident.booking;
    if (b && b.status !== 'cancelled')
      rows.push({
        key: 'booking',
        title: t('home.work.booking'),
        count: null,
        note: `${day(b.date)} · ${t(`home.work.booking.${b.status}`)}`,
        url: '/pages/testing/booking/index',
      });
  }
  return rows;
}

/** The count standing beside a home entry, by the entry's key. */
export function entryBadges(c: HomeCounts | null): Record<string, number> {
  if (!c) return {};
  const out: Record<string, number> = {};
  if (c.grids) {
    out.joins = c.grids.joins;
    out.pool = c.grids.submitted;
    out.board = c.grids.accepted;
    out['grid-bookings'] = c.grids.bookings;
    if (c.grids.untested !== null) out.untested = c.grids.untested;
  }
  if (c.admin) {
    out['admin-volunteers'] = c.admin.volunteers;
    out['admin-outbox'] = c.admin.outboxFailed;
  }
  if (c.volunteer) out.jobs = c.volunteer.myJobs + c.volunteer.openJobs;
  if (c.resident) out['my-orders'] = c.resident.activeOrders;
  return out;
}

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
    entries: [] as Array<HomeEntry & { badge: number }>,
    /** The day's work with counts (empty until `user.home` answers; nothing shown if it fails). */
    work: [] as WorkRow[],
    _counts: null as HomeCounts | null,
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
      // Back from a page where work was done: the counts again.
      if (this.data.me) void this.loadCounts();
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
        entries: me
          ? entriesFor(me.roles, me)
              .map(localEntry)
              .map((e) => ({ ...e, badge: entryBadges(this.data._counts)[e.key] ?? 0 }))
          : [],
        work: me ? workRows(this.data._counts) : [],
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
        void this.loadCounts();
      } catch (error) {
        this.setData({ loading: false, me: null, error: messageOf(error) });
        showError(this, error);
      }
    },
    /** The day's work with counts; on failure the home stays as it is (the entries are the way in). */
    async loadCounts() {
      try {
        const counts = await call('user.home', {});
        this.setData({ _counts: counts });
        this.refreshUi();
      } catch {
        // No counts shown.
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
