/** 我的网格: who looks after my grid, the grid group's QR code, latest notices. */
import type { MyGridView } from '../../../../typings/api';
import { call } from '../../../services/api';
import { showError } from '../../../utils/feedback';
import { chinaTime } from '../../../utils/format';
import { ROLE_LABELS } from '../../../utils/labels';

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
    callPhone(e: WechatMiniprogram.BaseEvent<Record<string, never>, { phone: string | null }>) {
      const phone = e.currentTarget.dataset.phone;
      if (phone) wx.makePhoneCall({ phoneNumber: phone });
    },
  },
});
