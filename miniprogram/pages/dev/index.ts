/** 本地调试: point the app at the local cloud and act as any demo user. Develop builds only. */
import type { Role } from '../../../typings/entities';
import { CLOUD_ENV, devConfig, saveDevConfig } from '../../config';
import { ApiError, call, devHeaders } from '../../services/api';
import { showError, showSuccess } from '../../utils/feedback';
import { ROLE_LABELS } from '../../utils/labels';

interface DemoUser {
  openid: string;
  nickName: string;
  roles: Role[];
  roleText: string;
}

Component({
  data: { localCloud: false, baseUrl: '', token: '', openid: '', health: '', users: [] as DemoUser[] },
  methods: {
    onLoad() {
      const dev = devConfig();
      this.setData({ localCloud: dev.localCloud, baseUrl: dev.baseUrl, token: dev.token, openid: dev.openid });
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
    /** The dev token `GRIDLINK_HOST=0.0.0.0 npm start` printed (真机调试 over the LAN). */
    onToken(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      const token = e.detail.value.trim();
      saveDevConfig({ token });
      this.setData({ token });
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
      const dev = devConfig();
      wx.request({
        url: `${dev.baseUrl}/dev/users`,
        method: 'GET',
        header: devHeaders(dev, false),
        success: (res) => {
          const body = res.data as {
            ok: boolean;
            message?: string;
            data?: Array<{ openid: string; nickName: string; roles: Role[] }>;
          };
          if (!body.ok) {
            // e.g. 401: a local cloud open to the LAN and no (or a wrong) dev token
            showError(this, new ApiError('AUTH.NO_IDENTITY', body.message ?? '本地云拒绝了请求'));
            return;
          }
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
