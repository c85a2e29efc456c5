/** 消息发送 (community admin): each subscribe message's state, retry time and failure reason; filters; paging. */
import type { OutboxItemView, OutboxPage } from '../../typings/api';
import { HOME_ENTRIES } from '../../miniprogram/utils/labels';
import { failure } from '../helpers/fixtures';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';

jest.setTimeout(30_000);

const item = (over: Partial<OutboxItemView>): OutboxItemView => ({
  id: 'm1',
  kind: 'orderStatus',
  kindText: '订单状态通知',
  recipient: '居民甲',
  summary: '土豆 · 已取消 · 气站今日停供',
  status: 'sent',
  statusText: '已发送',
  attempts: 1,
  createdAt: '2022-08-20T02:00:00.000Z',
  nextAttemptAt: null,
  sentAt: '2022-08-20T02:01:00.000Z',
  error: null,
  ...over,
});

const COUNTS = { queued: 1, sending: 0, sent: 5, retrying: 1, failed: 2 };

function pageOf(items: OutboxItemView[], nextCursor: string | null = null): OutboxPage {
  return { items, nextCursor, total: 9, counts: COUNTS };
}

describe('消息发送 page', () => {
  it('is on the admin’s home page', () => {
    const entry = HOME_ENTRIES.find((e) => e.url === '/pages/admin/outbox/index');
    expect(entry).toMatchObject({ title: '消息发送', roles: ['communityAdmin'] });
  });

  it('shows each message’s state, when it goes out or why it did not, and filters by state', async () => {
    const { calls } = mockCall({
      'org.outbox': (p) => ({
        ok: true,
        data:
          p.status === 'failed'
            ? {
                ...pageOf([
                  item({
                    id: 'm3',
                    status: 'failed',
                    statusText: '发送失败',
                    error: '用户未订阅此消息或订阅次数已用完',
                  }),
                ]),
                total: 2,
              }
            : p.cursor === 'c2'
              ? pageOf([
                  item({
                    id: 'm4',
                    status: 'queued',
                    statusText: '排队中',
                    sentAt: null,
                    nextAttemptAt: '2022-08-20T02:00:00.000Z',
                  }),
                ])
              : pageOf(
                  [
                    item({}),
                    item({
                      id: 'm2',
                      kind: 'notice',
                      kindText: '网格通知',
                      summary: '明日全员核酸 · 请于 8:00 到 1 号采样点',
                      status: 'retrying',
                      statusText: '等待重试',
                      attempts: 2,
                      sentAt: null,
                      nextAttemptAt: '2022-08-20T02:04:00.000Z',
                      error: '微信系统繁忙（-1：system error）',
                    }),
                  ],
                  'c2',
                ),
      }),
    });
    const page = await loadPage('pages/admin/outbox/index');
    let text = textOf(page);
    expect(text).toContain('有 2 条消息发送失败');
    expect(text).toContain('全部 9');
    expect(text).toContain('发送失败 2');
    expect(text).toContain('订单状态通知');
    expect(text).toContain('发给 居民甲 · 2022-08-20 10:00');
    expect(text).toContain('土豆 · 已取消 · 气站今日停供');
    expect(text).toContain('2022-08-20 10:01 送达微信');
    expect(text).toContain('将于 2022-08-20 10:04 重试（已试 2 次）');
    expect(text).toContain('原因：微信系统繁忙（-1：system error）');
    expect(text).toContain('上拉加载更多');

    await page.instance.onReachBottom();
    await flush();
    expect(calls.filter((c) => c.action === 'org.outbox').at(-1)?.payload).toEqual({ cursor: 'c2' });
    expect(page.instance.data.rows.map((r: { id: string }) => r.id)).toEqual(['m1', 'm2', 'm4']);
    expect(textOf(page)).toContain('等待发送');

    await page.instance.onTab({ detail: { value: 'failed' } });
    await flush();
    expect(calls.filter((c) => c.action === 'org.outbox').at(-1)?.payload).toEqual({ status: 'failed' });
    text = textOf(page);
    expect(page.instance.data.rows.map((r: { id: string }) => r.id)).toEqual(['m3']);
    expect(text).toContain('已试 1 次，不再发送');
    expect(text).toContain('原因：用户未订阅此消息或订阅次数已用完');
  });

  it('says when there is nothing, and offers a retry when the list does not load', async () => {
    let fail = true;
    mockCall({
      'org.outbox': () =>
        fail
          ? failure('COMMON.INTERNAL', '系统繁忙')
          : {
              ok: true,
              data: {
                items: [],
                nextCursor: null,
                total: 0,
                counts: { ...COUNTS, failed: 0, sent: 0, queued: 0, retrying: 0 },
              },
            },
    });
    const page = await loadPage('pages/admin/outbox/index');
    expect(textOf(page)).toContain('消息列表没有加载出来');
    fail = false;
    tapButton(page, '.obx__retry');
    await flush();
    expect(textOf(page)).toContain('还没有订阅消息');
    expect(textOf(page)).not.toContain('发送失败，居民可能没有收到');
  });
});
