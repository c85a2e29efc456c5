/**
 * 我的志愿服务: the registration's state, on duty / off duty (上岗 / 下岗), and the way to the
 * card, shifts and hours. Going off duty hands back delivery jobs not yet picked up.
 */
import type { MyVolunteerView } from '../../../../typings/api';
import { call } from '../../../services/api';
import { showError, showSuccess } from '../../../utils/feedback';
import { chinaTime } from '../../../utils/format';
import { TEAM_LABELS } from '../../../utils/labels';

/** What the page shows of the registration. */
export function summary(v: MyVolunteerView) {
  return {
    status: v.status,
    statusText: v.statusText,
    name: v.name,
    teamText: v.team ? TEAM_LABELS[v.team] : '待分配',
    where: [v.communityName, ...v.gridNames].join(' · '),
    buildings: v.buildingNames.join('、'),
    reason: v.rejectReason ? `原因：${v.rejectReason}` : '',
    onDuty: v.onDuty,
    sinceText: v.onDuty && v.dutySince ? `${chinaTime(v.dutySince)} 上岗` : '',
  };
}

Component({
  data: {
    loading: true,
    busy: false,
    me: null as ReturnType<typeof summary> | null,
  },
  methods: {
    onLoad() {
      return this.load();
    },
    async load() {
      try {
        const me = await call('volunteer.me', {});
        this.setData({ loading: false, me: me ? summary(me) : null });
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    async toggleDuty() {
      const me = this.data.me;
      if (!me || this.data.busy) return;
      this.setData({ busy: true });
      try {
        const res = await call('volunteer.setDuty', { onDuty: !me.onDuty });
        this.setData({
          busy: false,
          'me.onDuty': res.onDuty,
          'me.sinceText': res.onDuty && res.dutySince ? `${chinaTime(res.dutySince)} 上岗` : '',
        });
        showSuccess(
          this,
          res.onDuty
            ? '已上岗，注意防护'
            : res.releasedJobs
              ? `已下岗，${res.releasedJobs} 个未取货的配送任务已交还`
              : '已下岗，辛苦了',
        );
      } catch (error) {
        this.setData({ busy: false });
        showError(this, error);
      }
    },
    open(e: WechatMiniprogram.BaseEvent<Record<string, never>, { url: string }>) {
      wx.navigateTo({ url: e.currentTarget.dataset.url });
    },
    leave() {
      wx.showModal({
        title: '退出志愿服务',
        content: '退出后将下岗，已报名的班次会取消，未取货的配送任务会交还网格员。确定退出吗？',
        confirmText: '确定退出',
        confirmColor: '#d54941',
        success: (res) => {
          if (res.confirm) void this.doLeave();
        },
      });
    },
    async doLeave() {
      this.setData({ busy: true });
      try {
        const me = await call('volunteer.leave', {});
        this.setData({ busy: false, me: summary(me) });
        showSuccess(this, '已退出，感谢您的付出');
      } catch (error) {
        this.setData({ busy: false });
        showError(this, error);
      }
    },
  },
});
