/** 我的网格: who looks after my grid, the grid group's QR code, latest notices. */
import type { MyGridView } from '../../../../typings/api';
import { call } from '../../../services/api';
import { showError, showSuccess } from '../../../utils/feedback';
import { chinaTime } from '../../../utils/format';
import { ROLE_LABELS } from '../../../utils/labels';
import { askSubscribe } from '../../../utils/subscribe';

Component({
  data: {
    loading: true,
    grid: null as null | (Omit<MyGridView, 'contacts' | 'notices'> & {
      contacts: Array<MyGridView['contacts'][number] & { roleText: string }>;
      notices: Array<MyGridView['notices'][number] & { timeText: string }>;
    }),
  },
  methods: {
    async onLoad() {
      try {
        const grid = await call('grid.mine', {});
        this.setData({
          loading: false,
          grid: {
            ...grid,
            contacts: grid.contacts.map((c) => ({ ...c, roleText: ROLE_LABELS[c.role] })),
            notices: grid.notices.map((n) => ({ ...n, timeText: chinaTime(n.postedAt) })),
          },
        });
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    /** Asked only on the resident's own tap; the server sends notices only for an accepted template. */
    async subscribeNotices() {
      const accepted = await askSubscribe(['notice']);
      if (accepted.includes('notice')) showSuccess(this, '已订阅，下次有新通知会提醒您');
      else showError(this, new Error('未订阅：可在右上角「设置」里打开通知'));
    },
    callPhone(e: WechatMiniprogram.BaseEvent<Record<string, never>, { phone: string | null }>) {
      const phone = e.currentTarget.dataset.phone;
      if (phone) wx.makePhoneCall({ phoneNumber: phone });
    },
  },
});
