/**
 * 网格群与邀请 (gridworker, group leader; the community admin for any grid of the community):
 * - bind the WeChat group the page was opened from to the grid (`grid.bindGroup`; the group is
 *   the platform's open data from the launch's share ticket, never the payload), with a name for it
 *   (WeChat does not tell apps a group's name). Not opened from a group: say how (share this page
 *   into the group, open the card there) and offer the share, with `withShareTicket` so the card
 *   opened in the group carries the group;
 * - see the groups bound to the grid (`grid.groups`) and unbind one bound by mistake;
 * - the grid's invite (`grid.createInvite`): its mini-program code image (made once per invite, the
 *   same on every tap) and a card to share to residents (opens the join page with the invite);
 * - a door poster per building (pages/grid/poster): its own code, which fills in the building.
 */
import type { BoundGroupView, DirectoryView, InviteView } from '../../../../typings/api';
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

/** One bound group as the list shows it. */
export function groupRow(g: BoundGroupView): { id: string; title: string; note: string } {
  return {
    id: g.id,
    title: g.label || `未命名的群（${g.tag}）`,
    note: g.boundAt ? `${g.boundByName || '网格员'} 绑定于 ${chinaTime(g.boundAt)}` : '早先绑定的群',
  };
}

/** The bound-group count in words. */
export function groupCount(gridName: string, n: number): string {
  if (n < 0) return '';
  return n === 0 ? `${gridName}还没有绑定微信群` : `${gridName}已绑定 ${n} 个微信群`;
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
    label: '',
    /** The grid's bound groups; -1 until read. */
    groups: -1,
    groupRows: [] as ReturnType<typeof groupRow>[],
    countText: '',
    inviting: false,
    invite: null as (InviteView & { expiresText: string }) | null,
    buildings: [] as Array<{ id: string; name: string }>,
    _options: [] as GridOption[],
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
        });
        if (chosen) await this.useGrid(chosen.id);
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    onShow() {
      if (!this.data.loading) this.setData({ inGroup: openedFromGroup() });
    },
    async useGrid(gridId: string) {
      const grid = this.data._options.find((g) => g.id === gridId);
      const gridName = grid?.name ?? gridId;
      this.setData({
        gridId,
        gridName,
        invite: null,
        groups: -1,
        groupRows: [],
        countText: '',
        buildings: (grid?.buildings ?? []).map((b) => ({ id: b.id, name: b.name })),
      });
      await this.loadGroups();
    },
    async loadGroups() {
      const gridId = this.data.gridId;
      try {
        const res = await call('grid.groups', { gridId }, { retry: true });
        if (res.gridId !== this.data.gridId) return; // switched grid meanwhile
        this.showGroups(res.groups);
      } catch (error) {
        showError(this, error);
      }
    },
    showGroups(groups: BoundGroupView[]) {
      this.setData({
        groups: groups.length,
        groupRows: groups.map(groupRow),
        countText: groupCount(this.data.gridName, groups.length),
      });
    },
    switchGrid(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      void this.useGrid(e.currentTarget.dataset.id);
    },
    onLabel(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ label: e.detail.value });
    },
    /** Binds the group the app was opened from: the group travels as open data (a fresh cloudID from the share ticket). */
    async bind() {
      if (this.data.binding) return;
      this.setData({ binding: true });
      try {
        const label = this.data.label.trim();
        const res = await call(
          'grid.bindGroup',
          { gridId: this.data.gridId, ...(label ? { label } : {}) },
          { openData: { group: true } },
        );
        this.setData({ binding: false, label: '' });
        showSuccess(this, `已绑定本群到${this.data.gridName}`);
        if (res.gridId === this.data.gridId) await this.loadGroups();
      } catch (error) {
        this.setData({ binding: false });
        showError(this, error);
      }
    },
    unbind(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const row = this.data.groupRows.find((r) => r.id === e.currentTarget.dataset.id);
      if (!row) return;
      wx.showModal({
        title: '解绑这个微信群？',
        content: `解绑后，从「${row.title}」点开小程序将不再认出${this.data.gridName}。已入群的居民不受影响。`,
        confirmText: '解绑',
        confirmColor: '#d54941',
        success: async (res) => {
          if (!res.confirm) return;
          try {
            await call('grid.unbindGroup', { gridId: this.data.gridId, groupId: row.id });
            showSuccess(this, '已解绑');
            await this.loadGroups();
          } catch (error) {
            showError(this, error);
          }
        },
      });
    },
    /** The grid's current invite and its code: the same invite and image however often it is tapped. */
    async createInvite() {
      if (this.data.inviting) return;
      this.setData({ inviting: true });
      try {
        const invite = await call('grid.createInvite', { gridId: this.data.gridId });
        this.setData({ inviting: false, invite: { ...invite, expiresText: chinaTime(invite.expiresAt) } });
      } catch (error) {
        this.setData({ inviting: false });
        showError(this, error);
      }
    },
    openPoster(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const buildingId = e.currentTarget.dataset.id;
      if (buildingId)
        wx.navigateTo({ url: `/pages/grid/poster/index?gridId=${this.data.gridId}&buildingId=${buildingId}` });
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
