/**
 * 网格群与邀请: bind the WeChat group the page was opened from (open data only), see and unbind the
 * bound groups, the grid's invite code (the same on every tap), a door poster per building.
 */
import type { BoundGroupView, DirectoryView, InviteView } from '../../typings/api';
import { failure, me as meView } from '../helpers/fixtures';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';

jest.setTimeout(30_000);

const gridworker = meView({
  openid: 'dev-gw-01',
  nickName: '网格员卓玛',
  roles: ['gridworker'],
  communityId: 'c-xingfu',
  adminGridIds: ['g-01'],
  householdId: null,
});
const admin = meView({
  openid: 'dev-admin',
  nickName: '社区管理员',
  roles: ['communityAdmin'],
  communityId: 'c-xingfu',
  adminGridIds: [],
  householdId: null,
});

const directory: DirectoryView = {
  community: { id: 'c-xingfu', name: '幸福新村社区', district: '城关区' },
  grids: [
    {
      id: 'g-01',
      name: '第1网格',
      buildings: [
        { id: 'b-001', name: '1号楼', floors: 6 },
        { id: 'b-002', name: '2号楼', floors: 6 },
      ],
    },
    { id: 'g-02', name: '第2网格', buildings: [{ id: 'b-003', name: '3号楼', floors: 18 }] },
  ],
};

const invite = (over: Partial<InviteView> = {}): InviteView => ({
  token: 'a1b2c3d4e5f60718',
  scene: 'i=a1b2c3d4e5f60718',
  page: 'pages/join/index',
  expiresAt: '2022-08-29T02:00:00.000Z',
  ...over,
});

const bound = (over: Partial<BoundGroupView> = {}): BoundGroupView => ({
  id: 'gb-1',
  label: '1号楼团购群',
  tag: '群…0001',
  boundByName: '网格员卓玛',
  boundAt: '2022-04-10T02:00:00.000Z',
  ...over,
});

/** The grid's bound groups, as `grid.groups` answers. */
const groupsOf = (groups: BoundGroupView[]) => (p: { gridId: string }) => ({
  ok: true as const,
  data: { gridId: p.gridId, gridName: p.gridId === 'g-02' ? '第2网格' : '第1网格', groups },
});

const opensFromGroup = () => {
  (wx.getEnterOptionsSync as jest.Mock).mockReturnValue({
    scene: 1044,
    shareTicket: 'ticket-1',
    query: {},
    path: 'pages/grid/groups/index',
  });
  (wx.getGroupEnterInfo as jest.Mock).mockImplementation((o: { success: (r: unknown) => void }) =>
    o.success({ cloudID: 'cloud-id-group' }),
  );
};

afterEach(() => {
  (wx.getEnterOptionsSync as jest.Mock).mockImplementation(() => ({ scene: 1001, query: {}, path: '' }));
});

describe('网格群与邀请 page', () => {
  it('loads the gridworker’s grid, its bound groups in words, and turns on sharing with a share ticket', async () => {
    const { calls } = mockCall({
      'user.me': () => ({ ok: true, data: gridworker }),
      'household.directory': () => ({ ok: true, data: directory }),
      'grid.groups': groupsOf([
        bound(),
        bound({ id: 'gb-2', label: '', tag: '群…7f3a', boundAt: null, boundByName: '' }),
      ]),
    });
    const page = await loadPage('pages/grid/groups/index');
    expect(page.instance.data).toMatchObject({ staff: true, gridId: 'g-01', gridName: '第1网格', groups: 2 });
    // Only their own grid: no switch between grids.
    expect(page.instance.data.grids).toEqual([{ id: 'g-01', name: '第1网格' }]);
    expect(calls.find((c) => c.action === 'grid.groups')?.payload).toEqual({ gridId: 'g-01' });
    expect(wx.showShareMenu).toHaveBeenCalledWith(expect.objectContaining({ withShareTicket: true }));
    const text = textOf(page);
    expect(text).toContain('第1网格已绑定 2 个微信群');
    expect(text).toContain('1号楼团购群');
    expect(text).toContain('网格员卓玛 绑定于');
    // An unnamed group is told apart by its tag; one bound before bindings were recorded says so.
    expect(text).toContain('未命名的群（群…7f3a）');
    expect(text).toContain('早先绑定的群');
    expect(text).toContain('显示邀请码');
  });

  it('says so in words when no group is bound yet', async () => {
    mockCall({
      'user.me': () => ({ ok: true, data: gridworker }),
      'household.directory': () => ({ ok: true, data: directory }),
      'grid.groups': groupsOf([]),
    });
    const page = await loadPage('pages/grid/groups/index');
    expect(textOf(page)).toContain('第1网格还没有绑定微信群');
  });

  it('shows the invite’s code image and a card for residents; a door poster per building opens the poster page', async () => {
    const { calls } = mockCall({
      'user.me': () => ({ ok: true, data: gridworker }),
      'household.directory': () => ({ ok: true, data: directory }),
      'grid.groups': groupsOf([]),
      'grid.createInvite': () => ({ ok: true, data: invite({ qr: 'cloud://env-1.bucket/invite-qr/g-01/a1b2.png' }) }),
    });
    const page = await loadPage('pages/grid/groups/index');
    tapButton(page, '.groups__invite');
    await flush();
    expect(calls.find((c) => c.action === 'grid.createInvite')?.payload).toEqual({ gridId: 'g-01' });
    expect(page.querySelector('.groups__qr')).toBeTruthy();
    const text = textOf(page);
    expect(text).toContain('第1网格 · 扫码入群');
    expect(text).toContain('i=a1b2c3d4e5f60718');
    expect(text).toContain('每次打开都是同一个码');

    // One poster per building of the grid.
    expect(page.querySelectorAll('.groups__make-poster')).toHaveLength(2);
    tapButton(page, '.groups__make-poster');
    await flush();
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/grid/poster/index?gridId=g-01&buildingId=b-001' });

    // The invite button shares the join page with the invite; the menu shares this page (to bind in the group).
    expect(
      page.instance.onShareAppMessage({ from: 'button', target: { dataset: { custom: 'invite' } } }),
    ).toMatchObject({
      path: '/pages/join/index?invite=a1b2c3d4e5f60718',
    });
    expect(page.instance.onShareAppMessage({ from: 'menu' })).toMatchObject({
      path: '/pages/grid/groups/index?gridId=g-01',
    });
  });

  it('says why there is no code image when WeChat refused it', async () => {
    mockCall({
      'user.me': () => ({ ok: true, data: gridworker }),
      'household.directory': () => ({ ok: true, data: directory }),
      'grid.groups': groupsOf([]),
      'grid.createInvite': () => ({ ok: true, data: invite({ qrError: '生成小程序码太频繁，请稍后再试' }) }),
    });
    const page = await loadPage('pages/grid/groups/index');
    tapButton(page, '.groups__invite');
    await flush();
    expect(page.querySelector('.groups__qr')).toBeFalsy();
    expect(textOf(page)).toContain('生成小程序码太频繁，请稍后再试');
    expect(textOf(page)).toContain('可先把邀请卡片分享给居民');
  });

  it('binds the group it was opened from with the name given, the group as open data (never in the payload)', async () => {
    opensFromGroup();
    let groups: BoundGroupView[] = [];
    const { calls } = mockCall({
      'user.me': () => ({ ok: true, data: admin }),
      'household.directory': () => ({ ok: true, data: directory }),
      'grid.groups': (p) => groupsOf(groups)(p),
      'grid.bindGroup': (p) => {
        groups = [bound({ label: p.label ?? '' })];
        return { ok: true, data: { gridId: p.gridId, groups: 1, group: groups[0]! } };
      },
    });
    // The admin opened the card shared for the second grid.
    const page = await loadPage('pages/grid/groups/index', { gridId: 'g-02' });
    expect(page.instance.data.grids.map((g: { id: string }) => g.id)).toEqual(['g-01', 'g-02']);
    expect(textOf(page)).toContain('绑定本群到第2网格');
    expect(textOf(page)).not.toContain('分享本页到网格群');

    page.instance.onLabel({ detail: { value: ' 3号楼买菜群 ' } });
    tapButton(page, '.groups__bind');
    await flush();
    const bind = calls.find((c) => c.action === 'grid.bindGroup');
    // openData requested: the launch's fresh cloudID goes as the event's top-level `group`, which only the platform fills.
    expect(bind).toMatchObject({
      payload: { gridId: 'g-02', label: '3号楼买菜群' },
      group: { cloudID: 'cloud-id-group' },
    });
    expect(bind?.payload).toEqual({ gridId: 'g-02', label: '3号楼买菜群' });
    expect(wx.getGroupEnterInfo).toHaveBeenCalled();
    expect(textOf(page)).toContain('第2网格已绑定 1 个微信群');
    expect(textOf(page)).toContain('3号楼买菜群');
  });

  it('shows the server’s refusal when the group is bound elsewhere', async () => {
    opensFromGroup();
    mockCall({
      'user.me': () => ({ ok: true, data: gridworker }),
      'household.directory': () => ({ ok: true, data: directory }),
      'grid.groups': groupsOf([]),
      'grid.bindGroup': () => failure('COMMON.CONFLICT', '这个微信群已经绑定了其他网格'),
    });
    const page = await loadPage('pages/grid/groups/index');
    tapButton(page, '.groups__bind');
    await flush();
    expect(textOf(page)).toContain('这个微信群已经绑定了其他网格');
    expect(page.instance.data.groups).toBe(0);
  });

  it('unbinds a group after asking', async () => {
    let groups = [bound()];
    const { calls } = mockCall({
      'user.me': () => ({ ok: true, data: gridworker }),
      'household.directory': () => ({ ok: true, data: directory }),
      'grid.groups': (p) => groupsOf(groups)(p),
      'grid.unbindGroup': (p) => {
        groups = [];
        return { ok: true, data: { gridId: p.gridId, groups: 0 } };
      },
    });
    (wx.showModal as jest.Mock).mockImplementation((o: { success: (r: { confirm: boolean }) => void }) =>
      o.success({ confirm: true }),
    );
    const page = await loadPage('pages/grid/groups/index');
    tapButton(page, '.groups__unbind');
    await flush();
    expect((wx.showModal as jest.Mock).mock.calls[0][0].content).toContain('1号楼团购群');
    expect(calls.find((c) => c.action === 'grid.unbindGroup')?.payload).toEqual({ gridId: 'g-01', groupId: 'gb-1' });
    expect(textOf(page)).toContain('第1网格还没有绑定微信群');
  });

  it('explains how to bind when not opened from a group, and offers sharing this page', async () => {
    const { calls } = mockCall({
      'user.me': () => ({ ok: true, data: gridworker }),
      'household.directory': () => ({ ok: true, data: directory }),
      'grid.groups': groupsOf([]),
    });
    const page = await loadPage('pages/grid/groups/index');
    const text = textOf(page);
    expect(text).toContain('要绑定网格群，请在微信群里打开本页');
    expect(text).toContain('分享本页到网格群');
    expect(page.querySelector('.groups__bind')).toBeFalsy();
    expect(page.querySelector('.groups__share')).toBeTruthy();
    expect(calls.some((c) => c.action === 'grid.bindGroup')).toBe(false);
    expect(page.instance.onShareAppMessage({ from: 'button', target: { dataset: { custom: 'bind' } } })).toEqual({
      title: '网格员请在群里点开：绑定本群到第1网格',
      path: '/pages/grid/groups/index?gridId=g-01',
    });
  });

  it('sends a resident who opens the shared card to the join page', async () => {
    opensFromGroup();
    mockCall({
      'user.me': () => ({ ok: true, data: meView() }),
      'household.directory': () => ({ ok: true, data: directory }),
    });
    const page = await loadPage('pages/grid/groups/index', { gridId: 'g-01' });
    expect(textOf(page)).toContain('这是网格员、楼栋长的页面');
    tapButton(page, '.groups__join');
    await flush();
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/join/index' });
  });
});
