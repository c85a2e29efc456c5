/** 本地调试: point the app at the local cloud and act as any demo user. Develop builds only. */
import type { Role } from '../../../typings/entities';
import { CLOUD_ENV, devConfig, saveDevConfig } from '../../config';
import { ApiError, call } from '../../services/api';
import { showError, showSuccess } from '../../utils/feedback';
import { ROLE_LABELS } from '../../utils/labels';

interface DemoUser {
  openid: string;
  nickName: string;
  roles: Role[];
  roleText: string;
}

Component({
  data: { localCloud: false, baseUrl: '', openid: '', health: '', users: [] as DemoUser[] },
  methods: {
    onLoad() {
      const dev = devConfig();
      this.setData({ localCloud: dev.localCloud, baseUrl: dev.baseUrl, openid: dev.openid });
    },
    onToggle(e: WechatMiniprogram.CustomEvent<{ value: boolean }>) {
      const dev = saveDevConfig({ localCloud: e.detail.value });
      if (!dev.localCloud && wx.cloud) wx.cloud.init({ env: CLOUD_ENV, traceUser: true });
      this.setData({ localCloud: dev.localCloud });
    },
    onUrl(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      const baseUrl = e.detail.value.trim().replace(/\/+$/, '');
      saveDevConfig({ baseUrl });
      this.setData({ baseUrl });
    },
    async checkHealth() {
      try {
        const res = await call('system.health', {});
        this.setData({ health: `连接正常：${res.runtime === 'local' ? '本地云' : '云开发'}，服务器时间 ${res.now}` });
      } catch (error) {
        this.setData({ health: '' });
        showError(this, error);
      }
    },
    loadUsers() {
      wx.request({
        url: `${devConfig().baseUrl}/dev/users`,
        method: 'GET',
        success: (res) => {
          const body = res.data as { ok: boolean; data?: Array<{ openid: string; nickName: string; roles: Role[] }> };
          const users = (body.data ?? []).map((u) => ({
            ...u,
            roleText: u.roles.map((r) => ROLE_LABELS[r]).join('、') || '未加入',
          }));
          this.setData({ users });
        },
        fail: () => showError(this, new ApiError('COMMON.INTERNAL', '无法连接本地云，请先运行 npm start')),
      });
    },
    pickUser(e: WechatMiniprogram.BaseEvent<Record<string, never>, { openid: string }>) {
      const { openid } = saveDevConfig({ openid: e.currentTarget.dataset.openid });
      this.setData({ openid });
      showSuccess(this, `已切换为 ${openid}`);
    },
  },
});
