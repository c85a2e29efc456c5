/** 我的网格: who looks after my grid, the grid group's QR code, latest notices. */
import type { MyGridView } from '../../../../typings/api';
import { localize, t, type UiState } from '../../../i18n/index';
import { call } from '../../../services/api';
import { showError, showSuccess, showWarning } from '../../../utils/feedback';
import { chinaTime } from '../../../utils/format';
import { askSubscribe } from '../../../utils/subscribe';

/** The card this page shares to a WeChat group: the latest notice, else the grid's contacts page. */
export function gridShareCard(grid: Pick<MyGridView, 'gridName' | 'notices'> | null): { title: string; path: string } {
  const path = '/pages/resident/grid/index';
  const latest = grid?.notices[0];
  if (grid && latest) return { title: t('grid.shareNotice', { grid: grid.gridName, title: latest.title }), path };
  return { title: grid ? t('grid.shareTitle', { grid: grid.gridName }) : t('join.shareAny'), path };
}

type GridData = Omit<MyGridView, 'contacts' | 'notices'> & {
  contacts: Array<MyGridView['contacts'][number] & { roleText: string; callLabel: string }>;
  notices: Array<MyGridView['notices'][number] & { timeText: string }>;
};

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    m: {} as Record<string, string>,
    ui: null as UiState | null,
    grid: null as null | GridData,
    _raw: null as MyGridView | null,
  },
  methods: {
    async onLoad() {
      localize(this, ['grid']);
      // A card shared into the grid's group carries the group (share ticket) when opened there.
      wx.showShareMenu({ withShareTicket: true, menus: ['shareAppMessage'] });
      try {
        this.show(await call('grid.mine', {}, { retry: true }));
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    onShow() {
      const before = this.data.ui?.cls;
      localize(this, ['grid']);
      if (this.data._raw && before !== this.data.ui?.cls) this.show(this.data._raw);
    },
    show(grid: MyGridView) {
      this.setData({
        loading: false,
        _raw: grid,
        grid: {
          ...grid,
          contacts: grid.contacts.map((c) => ({
            ...c,
            roleText: t(`role.${c.role}`),
            callLabel: c.phone ? t('common.call', { name: c.name }) : `${c.name} ${t(`role.${c.role}`)}`,
          })),
          notices: grid.notices.map((n) => ({ ...n, timeText: chinaTime(n.postedAt) })),
        },
      });
    },
    /** Asked only on the resident's own tap; the server sends notices only for an accepted template. */
    async subscribeNotices() {
      const accepted = await askSubscribe(['notice']);
      if (accepted.includes('notice')) showSuccess(this, t('grid.subscribed'));
      else showWarning(this, t('grid.notSubscribed'));
    },
    onShareAppMessage() {
      return gridShareCard(this.data._raw);
    },
    callPhone(e: WechatMiniprogram.BaseEvent<Record<string, never>, { phone: string | null }>) {
      const phone = e.currentTarget.dataset.phone;
      if (phone) wx.makePhoneCall({ phoneNumber: phone });
    },
  },
});
