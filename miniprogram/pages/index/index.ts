/** Home: who I am, and what my roles let me do. */
import type { Me } from '../../../typings/entities';
import { isDevelopBuild, devConfig } from '../../config';
import { call, messageOf } from '../../services/api';
import { showError } from '../../utils/feedback';
import { entriesFor, ROLE_LABELS, type HomeEntry } from '../../utils/labels';

Component({
  data: {
    loading: true,
    me: null as Me | null,
    roleTags: [] as string[],
    entries: [] as HomeEntry[],
    error: '',
    showDev: false,
  },
  methods: {
    onLoad() {
      this.setData({ showDev: isDevelopBuild() || devConfig().localCloud });
      return this.load();
    },
    async load() {
      this.setData({ loading: true, error: '' });
      try {
        const me = await call('user.me', {});
        this.setData({ loading: false, me, roleTags: me.roles.map((r) => ROLE_LABELS[r]), entries: entriesFor(me.roles) });
      } catch (error) {
        this.setData({ loading: false, me: null, error: messageOf(error) });
        showError(this, error);
      }
    },
    onEntryTap(e: WechatMiniprogram.BaseEvent<Record<string, never>, { url: string }>) {
      wx.navigateTo({ url: e.currentTarget.dataset.url });
    },
    openDev() {
      wx.navigateTo({ url: '/pages/dev/index' });
    },
  },
});
