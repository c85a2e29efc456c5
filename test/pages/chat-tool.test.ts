/**
 * Issue 13 — the chat-tool subpackage (聊天工具模式): declared as WeChat requires (independent,
 * skyline, glass-easel, chatTools, ≤ 500 KB, nothing loaded from the main package); its board
 * renders from the group's open data, the gridworker @s the matched members not done yet, a
 * resident matches only on their own tap, the live card is prepared and shared; where WeChat is too
 * old the page falls back to the share card and subscribe messages. Also the 未检名单 share card.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ChatBoardView, LiveMessageView } from '../../typings/api';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';

jest.setTimeout(30_000);

const MINIPROGRAM = resolve(__dirname, '../../miniprogram');
const ROOT = join(MINIPROGRAM, 'packageChat');
const PAGE = 'packageChat/pages/board/index';
const app = JSON.parse(readFileSync(join(MINIPROGRAM, 'app.json'), 'utf8')) as {
  subPackages?: Array<Record<string, unknown> & { root: string; pages: string[] }>;
  chatTools?: Array<{ root: string; entryPagePath: string; desc: string; scopes?: string[] }>;
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

describe('the chat-tool subpackage', () => {
  it('is declared as WeChat requires: independent, skyline, glass-easel, one chatTools entry', () => {
    const sub = app.subPackages?.find((s) => s.root === 'packageChat');
    expect(sub).toMatchObject({ independent: true, renderer: 'skyline', componentFramework: 'glass-easel' });
    expect(app.chatTools).toHaveLength(1);
    const tool = app.chatTools![0]!;
    expect(tool.root).toBe('packageChat');
    expect(sub!.pages).toContain(tool.entryPagePath);
    expect(tool.desc.length).toBeGreaterThan(10);
    const pageJson = JSON.parse(readFileSync(join(MINIPROGRAM, `${PAGE}.json`), 'utf8'));
    expect(pageJson).toMatchObject({
      renderer: 'skyline',
      componentFramework: 'glass-easel',
      navigationStyle: 'custom',
    });
  });

  it('stays under 500 KB and loads nothing from the main package', () => {
    const files = filesUnder(ROOT);
    const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
    expect(bytes).toBeLessThan(500 * 1024);
    for (const file of files.filter((f) => f.endsWith('.ts'))) {
      const code = readFileSync(file, 'utf8');
      // Type-only imports vanish when compiled; any other import must stay inside the subpackage.
      for (const m of code.matchAll(/^import\s+(?!type\b)[^'"]*['"]([^'"]+)['"]/gm)) {
        const target = resolve(join(file, '..'), m[1] as string);
        expect({ file, target, inside: target.startsWith(ROOT) }).toEqual({ file, target, inside: true });
      }
    }
  });

  it('calls the same CloudBase environment as the main package', () => {
    const env = (path: string) => /CLOUD_ENV = '([^']+)'/.exec(readFileSync(path, 'utf8'))?.[1];
    expect(env(join(ROOT, 'lib/cloud.ts'))).toBe(env(join(MINIPROGRAM, 'config.ts')));
  });
});

const board = (over: Partial<ChatBoardView> = {}): ChatBoardView => ({
  gridId: 'g-01',
  gridName: '第1网格',
  you: 'member',
  matched: false,
  order: {
    roundId: 'round-009',
    roundName: '第9批团购',
    closesAt: '2022-04-10T10:00:00Z',
    done: 1,
    total: 2,
    rows: [
      { label: '1栋 1-1**', done: true },
      { label: '1栋 1-2**', done: false },
    ],
  },
  testing: {
    roundId: 'tr-9',
    roundName: '第9轮核酸',
    done: 0,
    total: 1,
    rows: [{ label: '1栋 1-1**', done: false, partly: true }],
  },
  ...over,
});

const live: LiveMessageView = {
  id: 'lm-1',
  roundId: 'round-009',
  roundName: '第9批团购',
  activityId: 'ACT#1',
  expiresAt: '2022-04-11T10:00:00Z',
  closesAt: '2022-04-10T10:00:00Z',
  ordered: 37,
  households: 120,
  title: '已有 37 户下单 · 18:00 截止',
  path: '/pages/resident/order/index',
  parameterList: [
    { name: 'member_count', value: '37' },
    { name: 'room_limit', value: '120' },
  ],
};

const w = wx as unknown as Record<string, unknown>;
/** Gives this WeChat the chat-tool APIs (the page opened in the chat tool, cloudID `cid-tool`). */
function chatToolWeChat() {
  w.getChatToolInfo = jest.fn((o: { success: (r: unknown) => void }) => o.success({ cloudID: 'cid-tool' }));
  w.notifyGroupMembers = jest.fn((o: { success?: () => void }) => o.success?.());
  w.updateShareMenu = jest.fn();
  w.canIUse = jest.fn(() => true);
}
afterEach(() => {
  for (const k of ['getChatToolInfo', 'notifyGroupMembers', 'updateShareMenu', 'canIUse']) delete w[k];
});

describe('the chat-tool board page', () => {
  it('renders the group’s board from the chat tool’s open data, masked, and switches to testing', async () => {
    chatToolWeChat();
    const { calls } = mockCall({ 'grid.chatBoard': () => ({ ok: true, data: board() }) });
    const page = await loadPage(PAGE);
    expect(calls[0]).toMatchObject({ action: 'grid.chatBoard', payload: {}, group: { cloudID: 'cid-tool' } });
    const text = textOf(page);
    expect(text).toContain('第1网格');
    expect(text).toContain('已下单 1 / 2 户');
    expect(text).toContain('1栋 1-2**');
    expect(wx.showShareMenu).toHaveBeenCalledWith(expect.objectContaining({ withShareTicket: true }));
    page.querySelector('#tab-testing')!.dispatchEvent('tap');
    await flush();
    expect(textOf(page)).toContain('已采样 0 / 1 户');
    expect(textOf(page)).toContain('部分');
  });

  it('lets the gridworker @ the matched members not done yet, linking to the order or 采样卡 page', async () => {
    chatToolWeChat();
    mockCall({
      'grid.chatBoard': () => ({
        ok: true,
        data: board({ you: 'staff', remind: { order: ['gop-1', 'gop-2'], testing: ['gop-3'] } }),
      }),
    });
    const page = await loadPage(PAGE);
    tapButton(page, '#remind');
    await flush();
    const notify = w.notifyGroupMembers as jest.Mock;
    expect(notify).toHaveBeenCalledTimes(1);
    expect(notify.mock.calls[0][0]).toMatchObject({
      title: '本轮团购下单',
      members: ['gop-1', 'gop-2'],
      entrancePath: '/pages/resident/order/index',
      type: 'complete',
    });
    expect(textOf(page)).toContain('已提醒 2 位住户');
    page.querySelector('#tab-testing')!.dispatchEvent('tap');
    await flush();
    tapButton(page, '#remind');
    await flush();
    expect(notify.mock.calls[1][0]).toMatchObject({ members: ['gop-3'], entrancePath: '/pages/testing/cards/index' });
    // WeChat's limit: 30, a Chinese character counting 2.
    for (const title of notify.mock.calls.map((c) => c[0].title as string)) {
      expect([...title].reduce((n, ch) => n + (ch.charCodeAt(0) < 0x100 ? 1 : 2), 0)).toBeLessThanOrEqual(30);
    }
  });

  it('prepares the live card (updateShareMenu with the activity id and template) and shares it', async () => {
    chatToolWeChat();
    const { calls } = mockCall({
      'grid.chatBoard': () => ({ ok: true, data: board({ you: 'staff', remind: { order: [], testing: [] } }) }),
      'grid.liveMessage': () => ({ ok: true, data: live }),
    });
    const page = await loadPage(PAGE);
    tapButton(page, '#live');
    await flush();
    expect(calls.find((c) => c.action === 'grid.liveMessage')).toMatchObject({
      payload: { gridId: 'g-01', roundId: 'round-009' },
      group: { cloudID: 'cid-tool' },
    });
    expect(w.updateShareMenu).toHaveBeenCalledWith({
      withShareTicket: true,
      isUpdatableMessage: true,
      activityId: 'ACT#1',
      templateInfo: { parameterList: live.parameterList },
    });
    expect(page.instance.onShareAppMessage()).toEqual({
      title: '已有 37 户下单 · 18:00 截止',
      path: '/pages/resident/order/index',
    });
    expect(page.querySelector('#live-share')).toBeTruthy();
    // Nobody matched yet: the remind tap says so, and @s no one.
    tapButton(page, '#remind');
    await flush();
    expect(w.notifyGroupMembers).not.toHaveBeenCalled();
    expect(textOf(page)).toContain('确认“这是我家”后才能被提醒');
  });

  it('matches a resident only on their own tap, with consent', async () => {
    chatToolWeChat();
    const { calls } = mockCall({
      'grid.chatBoard': () => ({ ok: true, data: board() }),
      'grid.matchMember': () => ({ ok: true, data: { matched: true, label: '1栋 1-2**' } }),
    });
    const page = await loadPage(PAGE);
    expect(calls.filter((c) => c.action === 'grid.matchMember')).toHaveLength(0);
    expect(textOf(page)).toContain('点按即同意');
    tapButton(page, '#mine');
    await flush();
    expect(calls.find((c) => c.action === 'grid.matchMember')).toMatchObject({
      payload: { consent: true },
      group: { cloudID: 'cid-tool' },
    });
    expect(textOf(page)).toContain('已确认：1栋 1-2**');
  });

  it('falls back to the share card and subscribe messages on an old WeChat (no chat-tool APIs, no group)', async () => {
    const { calls } = mockCall({});
    const page = await loadPage(PAGE);
    expect(calls).toHaveLength(0);
    expect(textOf(page)).toContain('8.0.56');
    expect(page.querySelector('#fallback-share')).toBeTruthy();
    tapButton(page, '#fallback-subscribe');
    await flush();
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/resident/grid/index' });
    expect(page.instance.onShareAppMessage()).toMatchObject({ path: '/pages/resident/order/index' });
  });

  it('opened from a group card on a WeChat without notifyGroupMembers: the board, and no @', async () => {
    (wx.getGroupEnterInfo as jest.Mock).mockImplementation(
      (o: { success: (r: unknown) => void; needGroupOpenID?: boolean }) =>
        o.success({ cloudID: o.needGroupOpenID ? 'cid-card' : 'wrong' }),
    );
    mockCall({
      'grid.chatBoard': () => ({ ok: true, data: board({ you: 'staff', remind: { order: ['gop-1'], testing: [] } }) }),
    });
    const page = await loadPage(PAGE);
    expect(textOf(page)).toContain('1栋 1-1**');
    tapButton(page, '#remind');
    await flush();
    expect(textOf(page)).toContain('请分享动态卡片到群里');
    (wx.getGroupEnterInfo as jest.Mock).mockImplementation((o: { fail?: () => void }) => o.fail?.());
  });

  it('shows the cloud’s refusal (not the grid’s member)', async () => {
    chatToolWeChat();
    mockCall({
      'grid.chatBoard': () => ({
        ok: false,
        code: 'AUTH.NOT_MEMBER',
        message: '只有本网格的住户和网格员能看这个群的接龙',
      }),
    });
    const page = await loadPage(PAGE);
    expect(textOf(page)).toContain('只有本网格的住户和网格员');
  });
});

describe('the 未检名单 share card', () => {
  it('tells the group how many households are left, never who, and leads to the 采样卡 page', () => {
    // The page module registers its Component on load: a stand-in Component while it is required.
    const g = globalThis as Record<string, unknown>;
    const saved = g.Component;
    g.Component = jest.fn();
    let card: (r: { name: string } | null, n: number) => { title: string; path: string } = () => ({
      title: '',
      path: '',
    });
    try {
      jest.isolateModules(() => {
        card = require('../../miniprogram/pages/testing/coverage/index').untestedShareCard;
      });
    } finally {
      g.Component = saved;
    }
    expect(card({ name: '第9轮核酸' }, 7)).toEqual({
      title: '第9轮核酸：本网格还有 7 户未采样，请尽快采样或预约上门',
      path: '/pages/testing/cards/index',
    });
    expect(card({ name: '第9轮核酸' }, 0).title).toContain('已全部采样');
    expect(card(null, 3).path).toBe('/pages/testing/cards/index');
  });
});
