/**
 * 消息发送 (community admin): the community's WeChat subscribe messages and where each is —
 * 排队中, 发送中, 已发送, 等待重试 (and when the next try is), 发送失败 (and why) — newest first,
 * filtered by state. Read-only: the `order` function's timer sends, retries and gives up by itself.
 */
import type { OutboxItemView, OutboxPage } from '../../../../typings/api';
import { OUTBOX_STATUSES, OUTBOX_STATUS_LABELS, type OutboxStatus } from '../../../generated/values';
import { call } from '../../../services/api';
import { showLoadError } from '../../../utils/feedback';
import { chinaWall } from '../../../utils/format';
import { loadNextPage } from '../../../utils/paging';

const THEMES: Record<OutboxStatus, string> = {
  queued: 'default',
  sending: 'primary',
  sent: 'success',
  retrying: 'warning',
  failed: 'danger',
};

/** A message as a row: its state as a tag, its times in China time, what went wrong. */
export function outboxRow(m: OutboxItemView) {
  const when =
    m.status === 'sent' && m.sentAt
      ? `${chinaWall(m.sentAt)} 送达微信`
      : m.status === 'retrying' && m.nextAttemptAt
        ? `将于 ${chinaWall(m.nextAttemptAt)} 重试（已试 ${m.attempts} 次）`
        : m.status === 'failed'
          ? `已试 ${m.attempts} 次，不再发送`
          : m.status === 'sending'
            ? '正在发送'
            : '等待发送';
  return {
    ...m,
    theme: THEMES[m.status] ?? 'default',
    createdText: chinaWall(m.createdAt),
    whenText: when,
    reasonText: m.error && (m.status === 'failed' || m.status === 'retrying') ? m.error : '',
  };
}
type OutboxRow = ReturnType<typeof outboxRow>;

/** The filter tabs, each with its count. */
function tabsOf(counts: OutboxPage['counts'] | null) {
  const all = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : null;
  return [
    { value: '', text: all === null ? '全部' : `全部 ${all}` },
    ...OUTBOX_STATUSES.map((s) => ({
      value: s,
      text: counts ? `${OUTBOX_STATUS_LABELS[s]} ${counts[s]}` : OUTBOX_STATUS_LABELS[s],
    })),
  ];
}

Component({
  data: {
    loading: true,
    failed: false,
    status: '' as OutboxStatus | '',
    tabs: tabsOf(null),
    rows: [] as OutboxRow[],
    total: 0,
    cursor: '',
    loadingMore: false,
    /** Messages that will not go out: the admin's attention. */
    failedCount: 0,
  },
  methods: {
    onLoad() {
      return this.load();
    },
    query(cursor?: string) {
      const status = this.data.status;
      return call('org.outbox', { ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) });
    },
    show(page: OutboxPage, rows: OutboxRow[]) {
      this.setData({
        rows,
        total: page.total,
        cursor: page.nextCursor ?? '',
        tabs: tabsOf(page.counts),
        failedCount: page.counts.failed,
      });
    },
    async load() {
      this.setData({ loading: true, failed: false });
      try {
        const page = await this.query();
        this.setData({ loading: false });
        this.show(page, page.items.map(outboxRow));
      } catch (error) {
        showLoadError(this, error);
      }
    },
    onTab(e: { detail: { value: OutboxStatus | '' } }) {
      this.setData({ status: e.detail.value });
      return this.load();
    },
    async onPullDownRefresh() {
      await this.load();
      wx.stopPullDownRefresh();
    },
    onReachBottom() {
      return loadNextPage(
        this,
        this.data.cursor,
        (cursor) => this.query(cursor),
        (page) => this.show(page, [...this.data.rows, ...page.items.map(outboxRow)]),
      );
    },
  },
});
