/**
 * 群接龙 (聊天工具模式, issue 13): the board of the group's grid — who has ordered in this round and
 * who is sampled in this testing round, by household, masked. A resident matches themselves to
 * their household once, on their own tap (their group_openid comes from the platform, never from
 * the page); the gridworker @s the matched members not done yet (wx.notifyGroupMembers, linking to
 * the order or 采样卡 page) and shares the round as a live card (动态消息) whose subtitle the cloud
 * keeps up to date. Where WeChat is too old or the chat tool is not granted, the page says so and
 * falls back to the share card and subscribe messages.
 */
import type { ChatBoardRow, ChatBoardView, LiveMessageView } from '../../../../typings/api';
import { ChatApiError, canNotify, chatCall, chatWx, groupCloudId } from '../../lib/cloud';

/** Where a reminder leads, by board. */
export const REMIND = {
  order: { title: '本轮团购下单', entrancePath: '/pages/resident/order/index' },
  testing: { title: '本轮核酸采样', entrancePath: '/pages/testing/cards/index' },
} as const;

type Kind = keyof typeof REMIND;

/** How long the remind title is by WeChat's count (Chinese 2, else 1): at most 30. */
export function notifyTitleLength(title: string): number {
  return [...title].reduce((n, c) => n + (c.charCodeAt(0) < 0x100 ? 1 : 2), 0);
}

function messageOf(error: unknown): string {
  return error instanceof ChatApiError ? error.message : '出了点问题，请稍后再试';
}

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    /** No group, or WeChat too old: the share card and subscribe messages instead. */
    fallback: false,
    fallbackText: '',
    /** Opened in the chat tool (reminders possible), not from a plain card. */
    chatTool: false,
    error: '',
    tab: 'order' as Kind,
    board: null as ChatBoardView | null,
    rows: [] as ChatBoardRow[],
    summary: '',
    busy: false,
    live: null as LiveMessageView | null,
    notice: '',
  },
  methods: {
    async onLoad() {
      wx.showShareMenu({ withShareTicket: true, menus: ['shareAppMessage'] });
      await this.load();
    },
    async load() {
      const group = await groupCloudId();
      if (!group) {
        this.setData({
          loading: false,
          fallback: true,
          fallbackText: '请从网格微信群里打开（需要微信 8.0.56 及以上版本）。也可以把卡片分享到群里，并订阅消息提醒。',
        });
        return;
      }
      try {
        const board = await chatCall('grid.chatBoard', {}, group.cloudID);
        this.setData({ loading: false, chatTool: group.chatTool, board, error: '' });
        this.show(this.data.tab);
      } catch (error) {
        this.setData({ loading: false, error: messageOf(error) });
      }
    },
    show(tab: Kind) {
      const board = this.data.board;
      const part = board ? board[tab] : null;
      this.setData({
        tab,
        rows: part ? part.rows : [],
        summary: part
          ? `${part.roundName}：${tab === 'order' ? '已下单' : '已采样'} ${part.done} / ${part.total} 户`
          : tab === 'order'
            ? '现在没有进行中的团购批次'
            : '现在没有进行中的检测轮次',
      });
    },
    switchTab(e: WechatMiniprogram.BaseEvent<Record<string, never>, { tab: Kind }>) {
      this.show(e.currentTarget.dataset.tab);
    },
    /** The resident's own consent: their group identity (from the platform) is matched to their household. */
    async confirmMine() {
      this.setData({ busy: true });
      try {
        const group = await groupCloudId();
        if (!group) throw new ChatApiError('COMMON.INVALID_INPUT', '请在群聊天工具里打开后再确认');
        const res = await chatCall('grid.matchMember', { consent: true }, group.cloudID);
        this.setData({ 'board.matched': true, notice: `已确认：${res.label}` });
      } catch (error) {
        this.setData({ notice: messageOf(error) });
      }
      this.setData({ busy: false });
    },
    async withdrawMine() {
      const group = await groupCloudId();
      if (!group) return;
      try {
        await chatCall('grid.unmatchMember', {}, group.cloudID);
        this.setData({ 'board.matched': false, notice: '已撤回匹配' });
      } catch (error) {
        this.setData({ notice: messageOf(error) });
      }
    },
    /** @ the matched members not done yet (a tap: WeChat allows the call only on one). */
    remind() {
      const kind = this.data.tab;
      const members = this.data.board?.remind?.[kind] ?? [];
      if (!members.length) {
        this.setData({ notice: '没有可提醒的住户（住户在群里确认“这是我家”后才能被提醒）' });
        return;
      }
      if (!this.data.chatTool || !canNotify()) {
        this.setData({ notice: '当前不能在群里@住户：请分享动态卡片到群里，住户也会收到订阅消息' });
        return;
      }
      chatWx().notifyGroupMembers?.({
        title: REMIND[kind].title,
        members,
        entrancePath: REMIND[kind].entrancePath,
        type: 'complete',
        success: () => this.setData({ notice: `已提醒 ${members.length} 位住户` }),
        fail: () => this.setData({ notice: '提醒没有发出，请稍后再试' }),
      });
    },
    /** The gridworker's live card of this round: made once, then the share button sends it. */
    async prepareLive() {
      const board = this.data.board;
      if (!board?.order) return;
      this.setData({ busy: true });
      try {
        const group = await groupCloudId();
        const live = await chatCall(
          'grid.liveMessage',
          { gridId: board.gridId, roundId: board.order.roundId },
          group?.cloudID,
        );
        const api = chatWx();
        if (typeof api.updateShareMenu === 'function') {
          api.updateShareMenu({
            withShareTicket: true,
            isUpdatableMessage: true,
            activityId: live.activityId,
            templateInfo: { parameterList: live.parameterList },
          });
        }
        this.setData({ live, notice: '动态卡片已准备好，点“发到群里”' });
      } catch (error) {
        this.setData({ notice: messageOf(error) });
      }
      this.setData({ busy: false });
    },
    /** Subscribe messages live in the main package (its templates): the grid page asks for them. */
    openSubscribe() {
      void wx.navigateTo({ url: '/pages/resident/grid/index' });
    },
    onShareAppMessage() {
      const live = this.data.live;
      if (live) return { title: live.title, path: live.path };
      const name = this.data.board?.gridName ?? '网格';
      return { title: `${name}接龙：本轮团购和核酸`, path: '/pages/resident/order/index' };
    },
  },
});
