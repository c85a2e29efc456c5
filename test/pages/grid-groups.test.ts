/** 网格群与邀请: bind the WeChat group the page was opened from (open data only), invites with door posters. */
import type { DirectoryView, InviteView } from '../../typings/api';
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
  it('loads the gridworker’s grid and turns on sharing with a share ticket', async () => {
    mockCall({
      'user.me': () => ({ ok: true, data: gridworker }),
      'household.directory': () => ({ ok: true, data: directory }),
    });
    const page = await loadPage('pages/grid/groups/index');
    expect(page.instance.data).toMatchObject({ staff: true, gridId: 'g-01', gridName: '第1网格' });
    // Only their own grid: no switch between grids.
    expect(page.instance.data.grids).toEqual([{ id: 'g-01', name: '第1网格' }]);
    expect(wx.showShareMenu).toHaveBeenCalledWith(expect.objectContaining({ withShareTicket: true }));
    expect(textOf(page)).toContain('生成邀请码');
  });

  it('creates an invite: its code image when sent, a card for residents and a door poster per building', async () => {
    const { calls } = mockCall({
      'user.me': () => ({ ok: true, data: gridworker }),
      'household.directory': () => ({ ok: true, data: directory }),
      'grid.createInvite': () => ({ ok: true, data: invite({ qr: 'data:image/svg+xml;base64,PHN2Zy8+' }) }),
    });
    const page = await loadPage('pages/grid/groups/index');
    tapButton(page, '.groups__invite');
    await flush();
    expect(calls.find((c) => c.action === 'grid.createInvite')?.payload).toEqual({ gridId: 'g-01' });
    expect(page.querySelector('.groups__qr')).toBeTruthy();
    const text = textOf(page);
    expect(text).toContain('第1网格 · 扫码入群');
    expect(text).toContain('i=a1b2c3d4e5f60718');
    expect(page.instance.data.posters.map((p: { buildingName: string }) => p.buildingName)).toEqual(['1号楼', '2号楼']);
    expect(text).toContain('【第1网格 · 1号楼】户户入群');
    expect(text).toContain('网格联系人：网格员卓玛');

    tapButton(page, '.groups__copy');
    await flush();
    expect((wx.setClipboardData as jest.Mock).mock.calls[0][0].data).toContain('【第1网格 · 1号楼】户户入群');

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

  it('says so when the server sends no code image', async () => {
    mockCall({
      'user.me': () => ({ ok: true, data: gridworker }),
      'household.directory': () => ({ ok: true, data: directory }),
      'grid.createInvite': () => ({ ok: true, data: invite() }),
    });
    const page = await loadPage('pages/grid/groups/index');
    tapButton(page, '.groups__invite');
    await flush();
    expect(page.querySelector('.groups__qr')).toBeFalsy();
    expect(textOf(page)).toContain('可先把邀请卡片分享给居民');
  });

  it('binds the group it was opened from, the group as open data (never in the payload), and shows the bound groups', async () => {
    opensFromGroup();
    const { calls } = mockCall({
      'user.me': () => ({ ok: true, data: admin }),
      'household.directory': () => ({ ok: true, data: directory }),
      'grid.bindGroup': (p) => ({ ok: true, data: { gridId: p.gridId, groups: 2 } }),
    });
    // The admin opened the card shared for the second grid.
    const page = await loadPage('pages/grid/groups/index', { gridId: 'g-02' });
    expect(page.instance.data.grids.map((g: { id: string }) => g.id)).toEqual(['g-01', 'g-02']);
    expect(textOf(page)).toContain('绑定本群到第2网格');
    expect(textOf(page)).not.toContain('分享本页到网格群');

    tapButton(page, '.groups__bind');
    await flush();
    const bind = calls.find((c) => c.action === 'grid.bindGroup');
    // openData requested: the launch's fresh cloudID goes as the event's top-level `group`, which only the platform fills.
    expect(bind).toMatchObject({ payload: { gridId: 'g-02' }, group: { cloudID: 'cloud-id-group' } });
    expect(bind?.payload).toEqual({ gridId: 'g-02' });
    expect(wx.getGroupEnterInfo).toHaveBeenCalled();
    expect(textOf(page)).toContain('第2网格已绑定 2 个微信群');
  });

  it('shows the server’s refusal when the group is bound elsewhere', async () => {
    opensFromGroup();
    mockCall({
      'user.me': () => ({ ok: true, data: gridworker }),
      'household.directory': () => ({ ok: true, data: directory }),
      'grid.bindGroup': () => failure('COMMON.CONFLICT', '这个微信群已经绑定了其他网格'),
    });
    const page = await loadPage('pages/grid/groups/index');
    tapButton(page, '.groups__bind');
    await flush();
    expect(textOf(page)).toContain('这个微信群已经绑定了其他网格');
    expect(page.instance.data.groups).toBe(-1);
  });

  it('explains how to bind when not opened from a group, and offers sharing this page', async () => {
    const { calls } = mockCall({
      'user.me': () => ({ ok: true, data: gridworker }),
      'household.directory': () => ({ ok: true, data: directory }),
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
