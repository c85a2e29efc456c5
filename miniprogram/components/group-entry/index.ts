/**
 * 加入本网格 on a shared card: when a resident-facing page is opened from a WeChat group (the launch
 * carries a share ticket), the group is resolved to its grid in the cloud (`grid.groupGrid`, the group
 * as the platform's open data: share ticket → cloudID → openGId) and a group member who has not
 * joined yet is offered to join that grid, pre-filled. Members, the grid's staff and people of other
 * grids see nothing; neither does anyone when the group is not bound to a grid.
 */
import type { GroupGridView } from '../../../typings/api';
import { messages, t, uiState, type UiState } from '../../i18n/index';
import { call } from '../../services/api';

/** What the card shows, or null to show nothing. */
export function entryCard(g: GroupGridView) {
  if (g.you !== 'none' && g.you !== 'pending') return null;
  return {
    gridId: g.gridId,
    from: t('groupEntry.from', { grid: g.groupLabel || g.gridName }),
    place: `${g.communityName} · ${g.gridName}`,
    stats: t('groupEntry.stats', { joined: g.joined, households: g.households }),
    workers: g.gridworkers.length ? t('groupEntry.workers', { names: g.gridworkers.join('、') }) : '',
    pending: g.you === 'pending',
  };
}

Component({
  data: {
    view: null as ReturnType<typeof entryCard>,
    m: {} as Record<string, string>,
    ui: null as UiState | null,
  },
  lifetimes: {
    async attached() {
      if (!wx.getEnterOptionsSync().shareTicket) return;
      try {
        const grid = await call('grid.groupGrid', {}, { openData: { group: true } });
        const ui = uiState();
        this.setData({ view: entryCard(grid), ui, m: messages(['groupEntry'], ui.lang) });
      } catch {
        // Not a bound group, an expired ticket, no network: the page works as it would without the card.
      }
    },
  },
  methods: {
    join() {
      const view = this.data.view;
      if (view) wx.navigateTo({ url: `/pages/join/index?gridId=${view.gridId}` });
    },
  },
});
