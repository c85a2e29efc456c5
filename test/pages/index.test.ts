import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HOME_ENTRIES } from '../../miniprogram/utils/labels';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';

describe('home page', () => {
  it('greets the user with their roles and offers what those roles may do', async () => {
    mockCall({
      'user.me': () => ({
        ok: true,
        data: {
          openid: 'dev-gw-01',
          nickName: '卓玛',
          roles: ['gridworker'],
          communityId: 'c1',
          adminGridIds: ['g-01'],
          householdId: null,
        },
      }),
    });
    const page = await loadPage('pages/index/index');
    const text = textOf(page);
    expect(text).toContain('卓玛');
    expect(text).toContain('网格员');
    expect(text).toContain('隐私保护指引');
    // In the order of a gridworker's day: orders and dispatch first; joining a grid is not first
    // for someone who already looks after one, but after all of their own work.
    const keys: string[] = page.instance.data.entries.map((e: { key: string }) => e.key);
    expect(keys.slice(0, 7)).toEqual(['pool', 'board', 'joins', 'grid-dashboard', 'households', 'lists', 'untested']);
    expect(keys.at(-1)).toBe('join');
  });

  it('tells a newcomer with no role how to join', async () => {
    mockCall({
      'user.me': () => ({
        ok: true,
        data: { openid: 'u', nickName: '微信用户', roles: [], communityId: null, adminGridIds: [], householdId: null },
      }),
    });
    const page = await loadPage('pages/index/index');
    expect(textOf(page)).toContain('您还未加入网格');
  });

  it("shows the server's message when loading fails, and retries on tap", async () => {
    let fail = true;
    const { calls } = mockCall({
      'user.me': () =>
        fail
          ? { ok: false, code: 'AUTH.NO_IDENTITY', message: '无法识别您的身份，请在微信中重新打开小程序' }
          : {
              ok: true,
              data: {
                openid: 'u',
                nickName: '次仁',
                roles: ['resident'],
                communityId: 'c',
                adminGridIds: [],
                householdId: 'h',
              },
            },
    });
    const page = await loadPage('pages/index/index');
    expect(textOf(page)).toContain('无法识别您的身份');
    fail = false;
    tapButton(page, '.home__retry');
    await flush();
    expect(textOf(page)).toContain('次仁');
    expect(calls.filter((c) => c.action === 'user.me')).toHaveLength(2);
  });

  describe("the day's work with counts (user.home)", () => {
    const me = (roles: string[], extra: Record<string, unknown> = {}) => ({
      ok: true as const,
      data: {
        openid: 'u',
        nickName: '卓玛',
        roles: roles as never,
        communityId: 'c1',
        adminGridIds: ['g-01'],
        householdId: null,
        ...extra,
      },
    });

    it('shows a gridworker 待审核, 待接单, 待派单, 明日预约待认领 and 未检测户, with badges beside the entries', async () => {
      mockCall({
        'user.me': () => me(['gridworker']),
        'user.home': () => ({
          ok: true,
          data: {
            grids: { joins: 3, submitted: 5, accepted: 12, bookings: 2, untested: 7 },
            admin: null,
            volunteer: null,
            resident: null,
          },
        }),
      });
      const page = await loadPage('pages/index/index');
      const rows = page.instance.data.work.map((r: { title: string; count: number }) => `${r.title} ${r.count}`);
      expect(rows).toEqual(['待审核 3', '待接单 5', '待派单 12', '明日预约待认领 2', '未检测户 7']);
      const text = textOf(page);
      expect(text).toContain('今日待办');
      expect(text).toContain('待派单');
      const badges = Object.fromEntries(
        page.instance.data.entries.map((e: { key: string; badge: number }) => [e.key, e.badge]),
      );
      expect(badges).toMatchObject({ joins: 3, pool: 5, board: 12, 'grid-bookings': 2, untested: 7 });
      // The main tap: a line of work opens the page where it is done.
      page.querySelector('.home__work-accepted')?.querySelector('.t-cell')?.dispatchEvent('tap');
      await flush();
      expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/dispatch/board/index' });
    });

    it('shows an admin the community’s counts and the volunteers and messages waiting; no round open, no 未检测户', async () => {
      mockCall({
        'user.me': () => me(['communityAdmin'], { adminGridIds: [] }),
        'user.home': () => ({
          ok: true,
          data: {
            grids: { joins: 1, submitted: 0, accepted: 4, bookings: 0, untested: null },
            admin: { volunteers: 6, outboxFailed: 1 },
            volunteer: null,
            resident: null,
          },
        }),
      });
      const page = await loadPage('pages/index/index');
      const keys = page.instance.data.work.map((r: { key: string }) => r.key);
      expect(keys).toEqual(['joins', 'submitted', 'accepted', 'bookings', 'volunteers', 'outboxFailed']);
      expect(textOf(page)).toContain('志愿者报到待审');
      expect(textOf(page)).toContain('消息发送失败');
    });

    it('shows a volunteer 我的任务 and 可抢单, and a resident their orders and booking', async () => {
      mockCall({
        'user.me': () => me(['resident', 'volunteer'], { householdId: 'h1', adminGridIds: [] }),
        'user.home': () => ({
          ok: true,
          data: {
            grids: null,
            admin: null,
            volunteer: { myJobs: 2, openJobs: 9 },
            resident: { activeOrders: 1, booking: { date: '2022-08-21', status: 'claimed' } },
          },
        }),
      });
      const page = await loadPage('pages/index/index');
      const rows = page.instance.data.work.map((r: { title: string; count: number | null; note: string }) =>
        r.count === null ? `${r.title} ${r.note}` : `${r.title} ${r.count}`,
      );
      expect(rows).toEqual([
        '我的任务 2',
        '可抢单 9',
        '进行中的订单 1',
        expect.stringMatching(/^明日预约 .*网格员已认领$/),
      ]);
      page.querySelector('.home__work-booking')?.querySelector('.t-cell')?.dispatchEvent('tap');
      await flush();
      expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/testing/booking/index' });
    });

    it('keeps the home whole when the counts fail to load (no blank page, entries still there)', async () => {
      mockCall({
        'user.me': () => me(['gridworker']),
        'user.home': () => ({ ok: false, code: 'COMMON.INTERNAL', message: '服务暂时不可用' }),
      });
      const page = await loadPage('pages/index/index');
      expect(page.instance.data.work).toEqual([]);
      expect(page.instance.data.entries.length).toBeGreaterThan(5);
      expect(textOf(page)).not.toContain('今日待办');
    });
  });

  it('reaches every page of app.json from the home, through its entries and the links of the pages they open', () => {
    const root = resolve(__dirname, '../../miniprogram');
    const app = JSON.parse(readFileSync(join(root, 'app.json'), 'utf8')) as { pages: string[] };
    const linksOf = (page: string) =>
      ['ts', 'wxml']
        .map((ext) => readFileSync(join(root, `${page}.${ext}`), 'utf8'))
        .flatMap((code) => [...code.matchAll(/\/(pages\/[\w-]+(?:\/[\w-]+)*\/index)\b/g)].map((m) => m[1] as string));
    const reached = new Set<string>(['pages/index/index']);
    const queue = ['pages/index/index', ...HOME_ENTRIES.map((e) => e.url.slice(1))];
    while (queue.length) {
      const page = queue.shift() as string;
      reached.add(page);
      if (!app.pages.includes(page)) continue;
      for (const next of linksOf(page)) if (!reached.has(next) && !queue.includes(next)) queue.push(next);
    }
    expect(app.pages.filter((p) => !reached.has(p))).toEqual([]);
  });
});
