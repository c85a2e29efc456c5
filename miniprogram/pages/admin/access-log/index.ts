/**
 * 查看记录 (community admin, PIPL): who saw residents' whole phone numbers or addresses — job
 * details, household lists, packing lists and exports — newest first, by the person's name, a page
 * at a time. Entries are kept for the retention period, then deleted by the timer.
 */
import type { AccessLogView, Page } from '../../../../typings/api';
import { call } from '../../../services/api';
import { showLoadError } from '../../../utils/feedback';
import { chinaWall } from '../../../utils/format';
import { ROLE_LABELS } from '../../../utils/labels';
import { loadNextPage } from '../../../utils/paging';
import type { Role } from '../../../generated/values';

/** An entry as one row. */
export function logRow(e: AccessLogView) {
  const roles = e.viewerRoles.filter((r): r is Role => Object.prototype.hasOwnProperty.call(ROLE_LABELS, r));
  return {
    ...e,
    when: chinaWall(e.at),
    who: roles.length ? `${e.viewerName}（${roles.map((r) => ROLE_LABELS[r]).join('、')}）` : e.viewerName,
    what: `${e.viewText} · ${e.rows} ${e.view === 'volunteer.contact' ? '人' : '条'} · ${e.subject}`,
    phone: e.shown.includes('phone'),
  };
}
type Row = ReturnType<typeof logRow>;

Component({
  data: {
    loading: true,
    failed: false,
    rows: [] as Row[],
    total: 0,
    cursor: '',
    loadingMore: false,
  },
  methods: {
    onLoad() {
      return this.load();
    },
    show(page: Page<AccessLogView>, before: Row[] = []) {
      this.setData({ rows: [...before, ...page.items.map(logRow)], total: page.total, cursor: page.nextCursor ?? '' });
    },
    async load() {
      this.setData({ loading: true, failed: false });
      try {
        const page = await call('org.accessLog', {}, { retry: true });
        this.setData({ loading: false });
        this.show(page);
      } catch (error) {
        showLoadError(this, error);
      }
    },
    async onPullDownRefresh() {
      await this.load();
      wx.stopPullDownRefresh();
    },
    onReachBottom() {
      return loadNextPage(
        this,
        this.data.cursor,
        (cursor) => call('org.accessLog', { cursor }),
        (page) => this.show(page, this.data.rows),
      );
    },
  },
});
