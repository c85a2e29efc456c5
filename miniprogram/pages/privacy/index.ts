/**
 * The app's own privacy notice: what is collected, who sees it, how long it is kept, what the purge
 * deletes after the emergency, account closure and the access log — each sentence matching what the
 * code does (core/privacy/*: the purge plan, the closure rules, the logged views). The retention
 * period and, once the emergency is declared over, the date of the purge come from `user.retention`.
 */
import type { RetentionNotice } from '../../../typings/api';
import { call } from '../../services/api';
import { chinaWall } from '../../utils/format';

/** The retention sentence: the period, or the date the community's purge is due (or was done). */
export function retentionText(n: RetentionNotice | null): string {
  const days = n?.retentionDays ?? 30;
  if (n?.purgedAt) return `本社区已于 ${chinaWall(n.purgedAt)} 按解封后保留 ${days} 天的约定删除了下列信息。`;
  if (n?.purgeAt)
    return `社区已于 ${chinaWall(n.declaredAt as string)} 宣布解封：下列信息保留到 ${chinaWall(n.purgeAt)}，之后由系统自动删除。`;
  return `社区管理员宣布解封（封控结束）后，下列信息再保留 ${days} 天（管理员可调整天数，届时在这里和首页公布删除日期），期满由系统自动删除。`;
}

/** Sections of the notice, in the order a resident reads them. */
export function privacySections(n: RetentionNotice | null) {
  const logDays = n?.accessLogDays ?? 30;
  return [
    {
      title: '我们收集哪些信息',
      body: '您的微信身份标识（OpenID，不获取微信头像和昵称）；楼栋房号、户主姓名和手机号（用于配送和联系）；家庭成员的姓名、关系和年龄段（不收集身份证号和出生日期）；订单内容（买药订单含药品描述，可选拍处方）；志愿者报名信息（姓名、电话、党员与支部、单位、技能、时段、健康承诺）；核酸采样记录、检测结果和上门采样预约；网格员的敲门和联系记录。',
    },
    {
      title: '特殊人群信息（敏感个人信息）',
      body: '独居老人、孕产妇、残疾人、慢性病、血透等信息属于敏感个人信息，只有在您单独同意后才会保存，仅用于优先保障配送和就医，默认打码显示，仅本网格网格员可见；撤回同意后，特殊需求和照护台账立即删除。',
    },
    {
      title: '照片与位置',
      body: '仅在您上传处方或志愿者拍摄送达照片时使用相机或相册；我们不收集您的实时位置。使用前会先征得您的同意。',
    },
    {
      title: '谁能看到',
      body: '居民只能看到自己家庭的信息；志愿者只能在接到配送任务后看到该订单的地址和电话；网格员只能看到自己负责网格的信息；检测结果仅社区管理员和本网格网格员可见。手机号默认打码显示。',
    },
    {
      title: '查看记录',
      body: `每一次查看居民完整电话或住址（配送任务详情、订单池、住户名单、入群审核、配送单及导出、未检名单及导出、志愿者电话）都会记下谁、何时、看了什么，社区管理员可以查阅。查看记录保存 ${logDays} 天后删除。`,
    },
    {
      title: '保存多久、删除什么',
      body: `${retentionText(n)}删除：核酸采样记录、检测结果和采样卡，上门采样预约，未检名单的敲门记录，特殊人群台账，联系住户记录，家庭成员的特殊需求和同意记录，志愿者健康承诺，处方照片和送达照片（存储中的文件），买药订单的药品描述，订单和配送任务上的特殊人群标记。保留：每个网格每天的匿名统计（只有人数和单数，不含任何个人）；订单的商品、数量和金额（批次账目）；住户名册（楼栋房号、户主姓名电话、家庭成员姓名），您可随时更正或注销。`,
    },
    {
      title: '注销账号',
      body: '您可以在「注销账号」页面自行注销：您的账号、入群申请和待发消息删除；如果您是本户唯一绑定微信的人，本户档案及其特殊需求、照护台账、采样记录、预约、敲门和联系记录一并删除，家里还有其他人在用时只把您移出本户；您的订单只保留商品、数量和金额，不再含您的微信身份、备注、药品描述和照片。网格员、组长和管理员需先由社区管理员撤销角色，志愿者需先退出志愿者；进行中的订单需先完成或取消。',
    },
    {
      title: '您的权利',
      body: '您可以随时查看、更正家庭信息，撤回特殊人群信息的同意（撤回后立即删除），或注销账号。',
    },
  ];
}

/** The notice before the community's own dates are known (default retention). */
export const PRIVACY_SECTIONS = privacySections(null);

Component({
  data: { sections: PRIVACY_SECTIONS, notice: null as RetentionNotice | null },
  methods: {
    async onLoad() {
      try {
        const notice = await call('user.retention', {}, { retry: true });
        this.setData({ notice, sections: privacySections(notice) });
      } catch {
        // The notice stands with the default period; the community's dates show once reachable.
      }
    },
    closeAccount() {
      wx.navigateTo({ url: '/pages/resident/close/index' });
    },
  },
});
