/**
 * 网格群与邀请 (gridworker, group leader; the community admin for any grid of the community):
 * - bind the WeChat group the page was opened from to the grid (`grid.bindGroup`; the group is
 *   the platform's open data from the launch's share ticket, never the payload). Not opened from
 *   a group: say how (share this page into the group, open the card there) and offer the share,
 *   with `withShareTicket` so the card opened in the group carries the group;
 * - make an invite for the grid (`grid.createInvite`): its code image when the server sends one,
 *   a card to share to residents (opens the join page with the invite), and a door poster's text
 *   per building to copy and print.
 */
import type { DirectoryView, InviteView } from '../../../../typings/api';
import type { Me } from '../../../../typings/entities';
import { call } from '../../../services/api';
import { showError, showSuccess } from '../../../utils/feedback';
import { chinaTime } from '../../../utils/format';

type GridOption = DirectoryView['grids'][number];

/** The grids a user may look after here: every grid of the community for its admin, else their own. */
export function gridsFor(me: Me, directory: DirectoryView | null): GridOption[] {
  const all = directory?.grids ?? [];
  if (me.roles.includes('communityAdmin')) return all;
  if (!me.roles.includes('gridworker') && !me.roles.includes('groupLeader')) return [];
  return me.adminGridIds.map((id) => all.find((g) => g.id === id) ?? { id, name: id, buildings: [] });
}

/** A door poster's text for one building (printed next to the code). */
export function posterText(
  grid: Pick<GridOption, 'name'>,
  buildingName: string,
  invite: InviteView,
  contact: string,
): string {
  return [
    `【${grid.name} · ${buildingName}】户户入群`,
    '微信扫一扫本页的小程序码，选择楼栋、填写房号和户主姓名，网格员审核后即可入群：在「网格通」下单买菜买药、看网格通知、领采样卡。',
    contact ? `网格联系人：${contact}` : '',
    `二维码有效期至 ${chinaTime(invite.expiresAt)}`,
  ]
    .filter(Boolean)
    .join('\n');
}

/** Whether the app was opened from a WeChat group (a share card opened in a group carries a share ticket). */
function openedFromGroup(): boolean {
  return Boolean(wx.getEnterOptionsSync().shareTicket);
}

interface ShareEvent {
  from?: string;
  target?: { dataset?: Record<string, unknown> };
}

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    /** The caller may look after at least one grid. */
    staff: false,
    grids: [] as Array<{ id: string; name: string }>,
    gridId: '',
    gridName: '',
    inGroup: false,
    binding: false,
    /** Bound groups by grid, as the last bind answered (there is no read of it yet). */
    groupsByGrid: {} as Record<string, number>,
    groups: -1,
    inviting: false,
    invite: null as (InviteView & { expiresText: string }) | null,
    posters: [] as Array<{ buildingId: string; buildingName: string; text: string }>,
    _options: [] as GridOption[],
    _contact: '',
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      // A card shared from here carries the group's share ticket when opened in that group.
      wx.showShareMenu({ withShareTicket: true, menus: ['shareAppMessage'] });
      try {
        const me = await call('user.me', {});
        const directory = me.communityId ? await call('household.directory', { communityId: me.communityId }) : null;
        const options = gridsFor(me, directory);
        const chosen = options.find((g) => g.id === query.gridId) ?? options[0];
        this.setData({
          loading: false,
          staff: options.length > 0,
          inGroup: openedFromGroup(),
          grids: options.map((g) => ({ id: g.id, name: g.name })),
          _options: options,
          _contact: me.nickName,
        });
        if (chosen) this.useGrid(chosen.id);
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    onShow() {
      if (!this.data.loading) this.setData({ inGroup: openedFromGroup() });
    },
    useGrid(gridId: string) {
      const grid = this.data._options.find((g) => g.id === gridId);
      this.setData({
        gridId,
        gridName: grid?.name ?? gridId,
        invite: null,
        posters: [],
        groups: this.data.groupsByGrid[gridId] ?? -1,
      });
    },
    switchGrid(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      this.useGrid(e.currentTarget.dataset.id);
    },
    /** Binds the group the app was opened from: the group travels as open data (a fresh cloudID from the share ticket). */
    async bind() {
      if (this.data.binding) return;
      this.setData({ binding: true });
      try {
        const res = await call('grid.bindGroup', { gridId: this.data.gridId }, { openData: { group: true } });
        this.setData({ binding: false, [`groupsByGrid.${res.gridId}`]: res.groups, groups: res.groups });
        showSuccess(this, `已绑定本群到${this.data.gridName}`);
      } catch (error) {
        this.setData({ binding: false });
        showError(this, error);
      }
    },
    async createInvite() {
      if (this.data.inviting) return;
      this.setData({ inviting: true });
      try {
        const invite = await call('grid.createInvite', { gridId: this.data.gridId });
        const grid = this.data._options.find((g) => g.id === this.data.gridId) ?? {
          name: this.data.gridName,
          buildings: [],
        };
        this.setData({
          inviting: false,
          invite: { ...invite, expiresText: chinaTime(invite.expiresAt) },
          posters: grid.buildings.map((b) => ({
            buildingId: b.id,
            buildingName: b.name,
            text: posterText(grid, b.name, invite, this.data._contact),
          })),
        });
      } catch (error) {
        this.setData({ inviting: false });
        showError(this, error);
      }
    },
    copyPoster(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const poster = this.data.posters.find((p) => p.buildingId === e.currentTarget.dataset.id);
      if (!poster) return;
      wx.setClipboardData({
        data: poster.text,
        success: () => showSuccess(this, `已复制${poster.buildingName}的海报文字`),
      });
    },
    joinAsResident() {
      wx.navigateTo({ url: '/pages/join/index' });
    },
    /**
     * The invite button shares the join page with the invite; anything else shares this page, so
     * that the gridworker opens it in the group and binds the group from there.
     */
    onShareAppMessage(res: ShareEvent) {
      const d = this.data;
      const kind = res?.target?.dataset?.custom ?? res?.target?.dataset?.kind;
      if (res?.from === 'button' && kind === 'invite' && d.invite) {
        return { title: `邀请您加入${d.gridName}（户户入群）`, path: `/pages/join/index?invite=${d.invite.token}` };
      }
      return {
        title: `网格员请在群里点开：绑定本群到${d.gridName}`,
        path: `/pages/grid/groups/index?gridId=${d.gridId}`,
      };
    },
  },
});
