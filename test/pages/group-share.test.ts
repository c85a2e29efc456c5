/**
 * Share and bind (issue 13): resident pages that make sense in the grid's WeChat group share with a
 * share ticket; a card opened from a bound group resolves the group to its grid (open data, in the
 * cloud) and offers 加入本网格 pre-filled; every share card leads to a page the app has.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { GroupGridView, MyGridView, RoundView } from '../../typings/api';
import { failure } from '../helpers/fixtures';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';

jest.setTimeout(30_000);

const MINIPROGRAM = resolve(__dirname, '../../miniprogram');
const app = JSON.parse(readFileSync(join(MINIPROGRAM, 'app.json'), 'utf8')) as {
  pages: string[];
  subPackages?: Array<{ root: string; pages: string[] }>;
  subpackages?: Array<{ root: string; pages: string[] }>;
};
const PAGES = new Set([
  ...app.pages,
  ...[...(app.subPackages ?? []), ...(app.subpackages ?? [])].flatMap((s) =>
    s.pages.map((p) => `${s.root.replace(/\/+$/, '')}/${p}`),
  ),
]);

/** Pages of app.json whose code shares a card (`onShareAppMessage`). */
const sharing = [...PAGES].filter((page) => {
  const file = join(MINIPROGRAM, `${page}.ts`);
  return existsSync(file) && /\bonShareAppMessage\s*\(/.test(readFileSync(file, 'utf8'));
});

describe('every share card', () => {
  it('is on the resident pages that make sense in a group, and not on personal ones', () => {
    for (const page of ['pages/resident/order/index', 'pages/resident/grid/index', 'pages/join/index']) {
      expect(sharing).toContain(page);
    }
    // A household's own data never goes into a group: its orders, its sampled card, its members.
    for (const page of [
      'pages/resident/orders/index',
      'pages/resident/order-detail/index',
      'pages/resident/household/index',
      'pages/testing/cards/index',
    ]) {
      expect(sharing).not.toContain(page);
    }
  });

  it.each(sharing)('of %s leads to a page the app has, and carries the group (withShareTicket)', (page) => {
    const code = readFileSync(join(MINIPROGRAM, `${page}.ts`), 'utf8');
    const paths = [...code.matchAll(/['`]\/(pages\/[\w/-]+)(?:\?[^'`]*)?['`]/g)].map((m) => m[1] as string);
    const shared = [...code.matchAll(/path(?::|\s*=)\s*['`]\/(pages\/[\w/-]+)/g)].map((m) => m[1] as string);
    expect(shared.length).toBeGreaterThan(0);
    for (const path of [...shared, ...paths])
      expect({ page, path, exists: PAGES.has(path) }).toEqual({ page, path, exists: true });
    expect(code).toMatch(/showShareMenu\(\{\s*withShareTicket:\s*true/);
  });
});

const round: RoundView = {
  id: 'round-007',
  name: '第7批团购',
  opensAt: '2022-04-10T00:00:00Z',
  closesAt: '2022-04-10T10:00:00Z',
  open: true,
};

const myGrid = (over: Partial<MyGridView> = {}): MyGridView => ({
  communityName: '幸福新村社区',
  gridId: 'g-01',
  gridName: '第1网格',
  groupQrFileId: null,
  contacts: [],
  notices: [{ id: 'n1', scope: 'grid', title: '明早8点核酸', body: '请在楼下排队', postedAt: '2022-04-09T12:00:00Z' }],
  ...over,
});

const groupGrid = (over: Partial<GroupGridView> = {}): GroupGridView => ({
  communityName: '幸福新村社区',
  gridId: 'g-01',
  gridName: '第1网格',
  groupLabel: '1号楼团购群',
  gridworkers: ['卓*'],
  households: 120,
  joined: 37,
  you: 'none',
  ...over,
});

const directory = {
  community: { id: 'c-xingfu', name: '幸福新村社区', district: '城关区' },
  grids: [
    { id: 'g-01', name: '第1网格', buildings: [{ id: 'b-001', name: '1号楼', floors: 6 }] },
    {
      id: 'g-02',
      name: '第2网格',
      buildings: [
        { id: 'b-002', name: '2号楼', floors: 18 },
        { id: 'b-003', name: '3号楼', floors: 18 },
      ],
    },
  ],
};

/** The app was opened from a card in a WeChat group: a share ticket, and a fresh cloudID for it. */
const opensFromGroup = () => {
  (wx.getEnterOptionsSync as jest.Mock).mockReturnValue({ scene: 1044, shareTicket: 'ticket-9', query: {}, path: '' });
  (wx.getGroupEnterInfo as jest.Mock).mockImplementation((o: { success: (r: unknown) => void }) =>
    o.success({ cloudID: 'cloud-id-9' }),
  );
};

afterEach(() => {
  (wx.getEnterOptionsSync as jest.Mock).mockImplementation(() => ({ scene: 1001, query: {}, path: '' }));
});

describe('share handlers', () => {
  it('线上点单 shares the open round with its cutoff, never whom one orders for', async () => {
    mockCall({ 'order.catalog': () => ({ ok: true, data: { round, items: [] } }) });
    const page = await loadPage('pages/resident/order/index', { forHouseholdId: 'h-0042' });
    expect(wx.showShareMenu).toHaveBeenCalledWith(expect.objectContaining({ withShareTicket: true }));
    const card = page.instance.onShareAppMessage({ from: 'menu' });
    expect(card.path).toBe('/pages/resident/order/index');
    expect(card.title).toContain('第7批团购正在接单');
    expect(card.title).toContain('截止');
    expect(JSON.stringify(card)).not.toContain('h-0042');
  });

  it('线上点单 shares a plain card when no round is open', async () => {
    mockCall({ 'order.catalog': () => ({ ok: true, data: { round: null, items: [] } }) });
    const page = await loadPage('pages/resident/order/index');
    expect(page.instance.onShareAppMessage({ from: 'menu' })).toEqual({
      title: '网格团购：线上点单，送到家门口',
      path: '/pages/resident/order/index',
    });
  });

  it('我的网格 shares the latest notice', async () => {
    mockCall({ 'grid.mine': () => ({ ok: true, data: myGrid() }) });
    const page = await loadPage('pages/resident/grid/index');
    expect(wx.showShareMenu).toHaveBeenCalledWith(expect.objectContaining({ withShareTicket: true }));
    expect(page.instance.onShareAppMessage({ from: 'menu' })).toEqual({
      title: '【第1网格通知】明早8点核酸',
      path: '/pages/resident/grid/index',
    });
    mockCall({ 'grid.mine': () => ({ ok: true, data: myGrid({ notices: [] }) }) });
    const quiet = await loadPage('pages/resident/grid/index');
    expect(quiet.instance.onShareAppMessage({ from: 'menu' }).title).toBe('第1网格的网格通知和联系人');
  });

  it('加入网格 shares the grid chosen, pre-filled for whoever opens it', async () => {
    mockCall({
      'household.myJoin': () => ({ ok: true, data: null }),
      'household.communities': () => ({
        ok: true,
        data: [{ id: 'c-xingfu', name: '幸福新村社区', district: '城关区' }],
      }),
      'household.directory': () => ({ ok: true, data: directory }),
    });
    const page = await loadPage('pages/join/index');
    expect(wx.showShareMenu).toHaveBeenCalledWith(expect.objectContaining({ withShareTicket: true }));
    expect(page.instance.onShareAppMessage({ from: 'menu' })).toEqual({
      title: '加入网格：线上买菜买药、看网格通知',
      path: '/pages/join/index',
    });
    page.instance.onGrid({ detail: { value: ['g-02'] } });
    await flush();
    expect(page.instance.onShareAppMessage({ from: 'menu' })).toEqual({
      title: '邀请您加入第2网格（户户入群）',
      path: '/pages/join/index?gridId=g-02',
    });
  });
});

describe('a card opened from the grid’s group', () => {
  it('resolves the group to its grid (open data only) and offers 加入本网格, pre-filled', async () => {
    opensFromGroup();
    const { calls } = mockCall({
      'order.catalog': () => failure('AUTH.NOT_MEMBER', '请先加入您所在的网格'),
      'grid.groupGrid': () => ({ ok: true, data: groupGrid() }),
    });
    const page = await loadPage('pages/resident/order/index');
    const ask = calls.find((c) => c.action === 'grid.groupGrid');
    // The group travels as the top-level cloudID the platform replaces, never in the payload.
    expect(ask).toMatchObject({ payload: {}, group: { cloudID: 'cloud-id-9' } });
    const text = textOf(page);
    expect(text).toContain('来自1号楼团购群的微信群');
    expect(text).toContain('幸福新村社区 · 第1网格');
    expect(text).toContain('本网格已有 37/120 户入群');
    expect(text).toContain('网格员：卓*');
    const card = page.querySelector('.group-entry-host');
    expect(card?.querySelector('.group-entry')).toBeTruthy();
    tapButton(card!, '.group-entry__join');
    await flush();
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/join/index?gridId=g-01' });
  });

  it('tells a member who asked already that the request is waiting, and shows members nothing', async () => {
    opensFromGroup();
    mockCall({
      'grid.mine': () => ({ ok: true, data: myGrid() }),
      'grid.groupGrid': () => ({ ok: true, data: groupGrid({ you: 'pending' }) }),
    });
    const pending = await loadPage('pages/resident/grid/index');
    expect(textOf(pending)).toContain('您的入群申请正在等网格员审核');
    expect(pending.querySelector('.group-entry-host')?.querySelector('.group-entry')).toBeTruthy();
    expect(pending.querySelector('.group-entry-host')?.querySelector('.group-entry__join')).toBeFalsy();

    for (const you of ['member', 'staff', 'elsewhere'] as const) {
      mockCall({
        'grid.mine': () => ({ ok: true, data: myGrid() }),
        'grid.groupGrid': () => ({ ok: true, data: groupGrid({ you }) }),
      });
      const page = await loadPage('pages/resident/grid/index');
      const card = page.querySelector('.group-entry-host')?.querySelector('.group-entry');
      expect({ you, card: Boolean(card), text: textOf(page).includes('加入本网格') }).toEqual({
        you,
        card: false,
        text: false,
      });
    }
  });

  it('asks nothing when not opened from a group, and shows nothing for a group not bound', async () => {
    const { calls } = mockCall({ 'grid.mine': () => ({ ok: true, data: myGrid() }) });
    await loadPage('pages/resident/grid/index');
    expect(calls.some((c) => c.action === 'grid.groupGrid')).toBe(false);

    opensFromGroup();
    mockCall({
      'grid.mine': () => ({ ok: true, data: myGrid() }),
      'grid.groupGrid': () => failure('JOIN.GROUP_UNKNOWN', '这个微信群还没有绑定网格，请联系网格员'),
    });
    const page = await loadPage('pages/resident/grid/index');
    expect(page.querySelector('.group-entry-host')).toBeTruthy();
    expect(page.querySelector('.group-entry-host')?.querySelector('.group-entry')).toBeFalsy();
    expect(textOf(page)).not.toContain('这个微信群还没有绑定网格');
  });
});

describe('the join page, the landing of codes and cards', () => {
  const base = {
    'household.myJoin': () => ({ ok: true as const, data: null }),
    'household.communities': () => ({
      ok: true as const,
      data: [{ id: 'c-xingfu', name: '幸福新村社区', district: '城关区' }],
    }),
    'household.directory': () => ({ ok: true as const, data: directory }),
  };

  it('pre-fills the grid a shared card’s 加入本网格 names', async () => {
    mockCall(base);
    const page = await loadPage('pages/join/index', { gridId: 'g-02' });
    expect(page.instance.data).toMatchObject({ gridId: 'g-02', gridName: '第2网格', via: 'manual' });
    expect(page.instance.data.buildingOptions).toHaveLength(2);
  });

  it('fills in the building of a door poster’s code', async () => {
    const { calls } = mockCall({
      ...base,
      'household.resolveEntry': () => ({
        ok: true,
        data: {
          communityId: 'c-xingfu',
          communityName: '幸福新村社区',
          gridId: 'g-02',
          gridName: '第2网格',
          via: 'invite',
          buildingId: 'b-003',
        },
      }),
    });
    const page = await loadPage('pages/join/index', { scene: encodeURIComponent('i=0a1b2c3d4e5f6789') });
    expect(calls.find((c) => c.action === 'household.resolveEntry')?.payload).toEqual({
      inviteToken: '0a1b2c3d4e5f6789',
    });
    expect(page.instance.data).toMatchObject({ gridId: 'g-02', buildingId: 'b-003', via: 'invite' });
    expect(textOf(page)).toContain('3号楼');
  });

  it('says an expired code is expired, and leaves the form to fill by hand', async () => {
    mockCall({
      ...base,
      'household.resolveEntry': () => failure('JOIN.INVITE_INVALID', '邀请码无效或已过期，请向网格员重新获取'),
    });
    const page = await loadPage('pages/join/index', { scene: encodeURIComponent('i=0a1b2c3d4e5f6789') });
    expect(textOf(page)).toContain('邀请码无效或已过期');
    expect(page.instance.data).toMatchObject({ loading: false, via: 'manual', _inviteToken: '' });
    expect(page.instance.data.gridOptions).toHaveLength(2);
  });
});
