/**
 * 我的任务 (delivery volunteer): my jobs (to pick up, on the way, done) and open jobs to grab
 * (抢单). An open job shows its building, floors and weight — doors and phones only once it is mine.
 */
import type { JobCardView, Page } from '../../../../typings/api';
import { call } from '../../../services/api';
import { showError, showSuccess } from '../../../utils/feedback';
import { chinaTime } from '../../../utils/format';
import { loadNextPage } from '../../../utils/paging';

/** One job as its card shows it. */
export interface JobRow {
  id: string;
  title: string;
  status: string;
  statusText: string;
  weight: string;
  flags: string[];
  reason: string;
  due: string;
  progress: string;
}

/** Cards for a list of jobs. */
export function jobRows(jobs: readonly JobCardView[]): JobRow[] {
  return jobs.map((j) => ({
    id: j.id,
    title: j.title,
    status: j.status,
    statusText: j.statusText,
    weight: `约${j.weightKg}公斤`,
    flags: [j.priority ? '特殊需求' : '', j.medicine ? '药品' : ''].filter(Boolean),
    reason: j.reasonShort,
    due: j.status === 'assigned' && j.pickupBy ? `请在 ${chinaTime(j.pickupBy)} 前取货` : '',
    progress: j.status === 'pickedUp' ? `还剩 ${j.pendingCount} / ${j.stopCount} 户` : '',
  }));
}

/** The page data for one list after a page arrived (appended to the rows already shown). */
function listData(tab: 'mine' | 'open', page: Page<JobCardView>, shown: readonly JobRow[]): Record<string, unknown> {
  return {
    [tab]: [...shown, ...jobRows(page.items)],
    [`${tab}Total`]: page.total,
    [`${tab}More`]: page.nextCursor !== null,
    [`_${tab}Cursor`]: page.nextCursor ?? '',
  };
}

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    tab: 'mine' as 'mine' | 'open',
    mine: [] as JobRow[],
    open: [] as JobRow[],
    /** How many in all (each list loads a page at a time). */
    mineTotal: 0,
    openTotal: 0,
    mineMore: false,
    openMore: false,
    loadingMore: false,
    grabbing: '',
    _mineCursor: '',
    _openCursor: '',
  },
  methods: {
    async onShow() {
      await this.reload();
    },
    async reload() {
      try {
        const [mine, open] = await Promise.all([call('dispatch.myJobs', {}), call('dispatch.openJobs', {})]);
        this.setData({ loading: false, ...listData('mine', mine, []), ...listData('open', open, []) });
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    /** The next page of the list shown, when it is scrolled to its end. */
    onReachBottom() {
      const tab = this.data.tab;
      const cursor = tab === 'mine' ? this.data._mineCursor : this.data._openCursor;
      return loadNextPage(
        this,
        cursor,
        (cursor) => call(tab === 'mine' ? 'dispatch.myJobs' : 'dispatch.openJobs', { cursor }),
        (page) => {
          this.setData(listData(tab, page, tab === 'mine' ? this.data.mine : this.data.open));
        },
      );
    },
    onTab(e: { detail: { value: 'mine' | 'open' } }) {
      this.setData({ tab: e.detail.value });
    },
    open(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      wx.navigateTo({ url: `/pages/volunteer/job/index?id=${e.currentTarget.dataset.id}` });
    },
    async grab(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const jobId = e.currentTarget.dataset.id;
      this.setData({ grabbing: jobId });
      try {
        await call('dispatch.grab', { jobId });
        showSuccess(this, '抢单成功，请按时取货');
        this.setData({ grabbing: '', tab: 'mine' });
        await this.reload();
      } catch (error) {
        this.setData({ grabbing: '' });
        showError(this, error);
        await this.reload();
      }
    },
  },
});
