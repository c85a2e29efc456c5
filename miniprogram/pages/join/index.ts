/**
 * 加入网格 (户户入群): arrive by the grid's invite QR (`scene=i=<token>`; a door poster's invite also
 * fills in the building), from the grid's WeChat group (share ticket → cloudID, resolved by the
 * platform), from a shared card's 加入本网格 (`gridId` pre-filled), or pick the grid by hand; then
 * wait for the gridworker's approval. An invite or group that no longer leads anywhere says so and
 * leaves the form to fill by hand.
 */
import type { DirectoryView, EntryView, JoinView } from '../../../typings/api';
import type { JoinVia } from '../../../typings/entities';
import { localize, t, type UiState } from '../../i18n/index';
import { call, newRequestId } from '../../services/api';
import { showError, showWarning } from '../../utils/feedback';
import { askSubscribe } from '../../utils/subscribe';

const STATUS_TEXT = {
  pending: { theme: 'warning', title: 'join.pending', description: 'join.pendingNote' },
  approved: { theme: 'success', title: 'join.approved', description: 'join.approvedNote' },
  rejected: { theme: 'error', title: 'join.rejected', description: null },
} as const;

/** The status card for a join request, in the resident's language. */
export function statusCard(join: JoinView) {
  const base = STATUS_TEXT[join.status];
  const where = `${join.gridName} ${join.buildingName} ${join.room}`;
  const note = base.description ? t(base.description) : '';
  return {
    status: join.status,
    theme: base.theme,
    title: t(base.title),
    description: join.reason ? t('join.reason', { reason: join.reason }) : t('join.statusWhere', { where, note }),
  };
}

/** The invite token in a mini-program code's scene (`i=<token>`, URL-encoded by WeChat). */
export function inviteFromScene(scene: string | undefined): string | undefined {
  if (!scene) return undefined;
  const match = /(?:^|&)i=([0-9a-f]{4,32})(?:&|$)/.exec(decodeURIComponent(scene));
  return match?.[1];
}

/** The card this page shares to a WeChat group: join the grid chosen here (pre-filled), or any. */
export function joinShareCard(gridId: string, gridName: string): { title: string; path: string } {
  return gridId
    ? { title: t('join.shareTitle', { grid: gridName }), path: `/pages/join/index?gridId=${gridId}` }
    : { title: t('join.shareAny'), path: '/pages/join/index' };
}

function groupCloudId(shareTicket: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    wx.getShareInfo({ shareTicket, success: (res) => resolve(res.cloudID), fail: () => resolve(undefined) });
  });
}

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    m: {} as Record<string, string>,
    ui: null as UiState | null,
    status: null as ReturnType<typeof statusCard> | null,
    entryText: '',
    via: 'manual' as JoinVia,
    gridId: '',
    gridName: '',
    buildingId: '',
    buildingName: '',
    room: '',
    headName: '',
    phone: '',
    submitting: false,
    picker: '' as '' | 'grid' | 'building',
    gridOptions: [] as Array<{ label: string; value: string }>,
    buildingOptions: [] as Array<{ label: string; value: string }>,
    _inviteToken: '',
    _directory: null as DirectoryView | null,
    /** One id per joining intent: a retried submit is recognised, not repeated. */
    _requestId: '',
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      localize(this, ['join']);
      this.setData({ entryText: t('join.intro'), _requestId: newRequestId() });
      // A card shared into a group carries the group (share ticket) when opened there.
      wx.showShareMenu({ withShareTicket: true, menus: ['shareAppMessage'] });
      try {
        const existing = await call('household.myJoin', {});
        if (existing && existing.status !== 'rejected') {
          this.setData({ loading: false, status: statusCard(existing) });
          return;
        }
        let entry: EntryView | null = null;
        try {
          entry = await this.resolveEntry(query);
        } catch (error) {
          // An expired invite, a group not bound to a grid: say so, and let them pick by hand.
          this.setData({ _inviteToken: '' });
          showError(this, error);
        }
        const communityId = entry?.communityId ?? (await call('household.communities', {}))[0]?.id;
        const directory = communityId ? await call('household.directory', { communityId }) : null;
        this.setData({
          loading: false,
          status: existing ? statusCard(existing) : null,
          _directory: directory,
          gridOptions: (directory?.grids ?? []).map((g) => ({ label: g.name, value: g.id })),
          ...(entry
            ? {
                via: entry.via,
                gridId: entry.gridId,
                gridName: entry.gridName,
                entryText: `${entry.communityName} · ${entry.gridName}`,
              }
            : {}),
        });
        const chosen = entry?.gridId ?? directory?.grids.find((g) => g.id === query.gridId)?.id;
        if (chosen) this.useGrid(chosen);
        if (entry?.buildingId) this.useBuilding(entry.buildingId);
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    async resolveEntry(query: Record<string, string | undefined>): Promise<EntryView | null> {
      const inviteToken = inviteFromScene(query.scene) ?? query.invite;
      if (inviteToken) {
        this.setData({ _inviteToken: inviteToken });
        return call('household.resolveEntry', { inviteToken });
      }
      const launch = wx.getEnterOptionsSync();
      if (launch.shareTicket) {
        const cloudID = await groupCloudId(launch.shareTicket);
        // The platform swaps a wx.cloud.CloudID for the group's open data before the function runs.
        if (cloudID) return call('household.resolveEntry', {}, { openData: { group: cloudID } });
      }
      return null;
    },
    useGrid(gridId: string) {
      const grid = this.data._directory?.grids.find((g) => g.id === gridId);
      this.setData({
        gridId,
        gridName: grid?.name ?? this.data.gridName,
        buildingId: '',
        buildingName: '',
        buildingOptions: (grid?.buildings ?? []).map((b) => ({
          label: t('join.buildingOption', { name: b.name, floors: b.floors }),
          value: b.id,
        })),
      });
    },
    /** Fills in the building a door poster's invite names, if the grid has it. */
    useBuilding(buildingId: string) {
      const option = this.data.buildingOptions.find((b) => b.value === buildingId);
      if (option) this.setData({ buildingId, buildingName: option.label });
    },
    onShareAppMessage() {
      return joinShareCard(this.data.gridId, this.data.gridName);
    },
    pickGrid() {
      if (this.data.via === 'manual') this.setData({ picker: 'grid' });
    },
    pickBuilding() {
      if (this.data.gridId) this.setData({ picker: 'building' });
    },
    closePicker() {
      this.setData({ picker: '' });
    },
    onGrid(e: WechatMiniprogram.CustomEvent<{ value: string[] }>) {
      this.setData({ picker: '' });
      if (e.detail.value[0]) this.useGrid(e.detail.value[0]);
    },
    onBuilding(e: WechatMiniprogram.CustomEvent<{ value: string[] }>) {
      const id = e.detail.value[0] ?? '';
      const option = this.data.buildingOptions.find((b) => b.value === id);
      this.setData({ picker: '', buildingId: id, buildingName: option?.label ?? '' });
    },
    onRoom(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ room: e.detail.value });
    },
    onName(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ headName: e.detail.value });
    },
    onPhone(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ phone: e.detail.value });
    },
    again() {
      this.setData({ status: null });
    },
    onShow() {
      localize(this, ['join']);
    },
    async submit() {
      const d = this.data;
      if (!d.gridId || !d.buildingId) {
        showWarning(this, t('join.pickFirst'));
        return;
      }
      const asked = askSubscribe(['joinResult']);
      this.setData({ submitting: true });
      try {
        await asked;
        const join = await call(
          'household.requestJoin',
          {
            gridId: d.gridId,
            buildingId: d.buildingId,
            room: d.room.trim(),
            headName: d.headName.trim(),
            phone: d.phone.trim(),
            via: d.via,
            ...(d._inviteToken ? { inviteToken: d._inviteToken } : {}),
          },
          { requestId: d._requestId, ...(d.via === 'group' ? { openData: { group: true as const } } : {}) },
        );
        this.setData({ submitting: false, status: statusCard(join), _requestId: newRequestId() });
      } catch (error) {
        this.setData({ submitting: false });
        showError(this, error);
      }
    },
  },
});
