/** 输入邀请码: a code from the community admin makes the caller a gridworker, group leader, volunteer or admin. */
import { ApiError, call } from '../../../services/api';
import { showError } from '../../../utils/feedback';
import { ROLE_LABELS } from '../../../utils/labels';

Component({
  data: { code: '', busy: false, done: '' },
  methods: {
    onLoad(query: Record<string, string | undefined>) {
      if (query.code) this.setData({ code: query.code });
    },
    onCode(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ code: e.detail.value });
    },
    async redeem() {
      const code = this.data.code.replace(/\s+/g, '');
      if (code.length < 4) return showError(this, new ApiError('COMMON.INVALID_INPUT', '请输入管理员给您的邀请码'));
      this.setData({ busy: true });
      try {
        const r = await call('org.redeemCode', { code });
        this.setData({
          busy: false,
          done: `您已成为${r.communityName}的${ROLE_LABELS[r.role]}${r.fresh ? '' : '（此前已使用过该邀请码）'}`,
        });
      } catch (error) {
        this.setData({ busy: false });
        showError(this, error);
      }
      return undefined;
    },
    goHome() {
      wx.reLaunch({ url: '/pages/index/index' });
    },
  },
});
