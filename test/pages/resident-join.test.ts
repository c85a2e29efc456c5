import type { HouseholdView, JoinRequestView } from '../../typings/api';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';
import { staffGridsView } from './support/staff-data';

const directory = {
  community: { id: 'c-xingfu', name: '幸福新村社区', district: '城关区' },
  grids: [
    { id: 'g-01', name: '第1网格', buildings: [{ id: 'b-001', name: '1号楼', floors: 6 }] },
    { id: 'g-02', name: '第2网格', buildings: [{ id: 'b-002', name: '2号楼', floors: 18 }] },
  ],
};

describe('加入网格 page', () => {
  it('lands a scanned invite in its grid, and sends the request for the gridworker to review', async () => {
    const { calls } = mockCall({
      'household.myJoin': () => ({ ok: true, data: null }),
      'household.resolveEntry': () => ({
        ok: true,
        data: {
          communityId: 'c-xingfu',
          communityName: '幸福新村社区',
          gridId: 'g-02',
          gridName: '第2网格',
          via: 'invite',
        },
      }),
      'household.directory': () => ({ ok: true, data: directory }),
      'household.requestJoin': (p: any) => ({
        ok: true,
        data: {
          id: 'join-x',
          status: 'pending',
          gridName: '第2网格',
          buildingName: '2号楼',
          room: p.room,
          reason: null,
        },
      }),
    });
    const page = await loadPage('pages/join/index', { scene: encodeURIComponent('i=0a1b2c3d4e5f6789') });
    expect(calls.find((c) => c.action === 'household.resolveEntry')?.payload).toEqual({
      inviteToken: '0a1b2c3d4e5f6789',
    });
    expect(textOf(page)).toContain('幸福新村社区 · 第2网格');
    page.instance.onBuilding({ detail: { value: ['b-002'] } });
    page.instance.onRoom({ detail: { value: '3-1201' } });
    page.instance.onName({ detail: { value: '次仁' } });
    page.instance.onPhone({ detail: { value: '13900001234' } });
    await flush();
    tapButton(page, '.join__submit');
    await flush();
    expect(calls.find((c) => c.action === 'household.requestJoin')?.payload).toEqual({
      gridId: 'g-02',
      buildingId: 'b-002',
      room: '3-1201',
      headName: '次仁',
      phone: '13900001234',
      via: 'invite',
      inviteToken: '0a1b2c3d4e5f6789',
    });
    expect(textOf(page)).toContain('已提交，等待网格员审核');
  });

  it('resolves a member opening the app from the grid’s WeChat group through its share ticket', async () => {
    (wx.getEnterOptionsSync as jest.Mock).mockReturnValueOnce({ scene: 1044, shareTicket: 'ticket-1', query: {} });
    (wx.getShareInfo as jest.Mock).mockImplementationOnce((o: { success: (r: unknown) => void }) =>
      o.success({ cloudID: 'cloud-id-1' }),
    );
    const { calls } = mockCall({
      'household.myJoin': () => ({ ok: true, data: null }),
      'household.resolveEntry': () => ({
        ok: true,
        data: {
          communityId: 'c-xingfu',
          communityName: '幸福新村社区',
          gridId: 'g-01',
          gridName: '第1网格',
          via: 'group',
        },
      }),
      'household.directory': () => ({ ok: true, data: directory }),
    });
    const page = await loadPage('pages/join/index');
    // The cloudID goes as the event's top-level `group` (the platform swaps in the data), never in the payload.
    expect(calls.find((c) => c.action === 'household.resolveEntry')).toMatchObject({
      payload: {},
      group: { cloudID: 'cloud-id-1' },
    });
    expect(page.instance.data).toMatchObject({ via: 'group', gridId: 'g-01' });
  });

  it('shows the state of an existing request instead of the form', async () => {
    mockCall({
      'household.myJoin': () => ({
        ok: true,
        data: { id: 'j', status: 'approved', gridName: '第1网格', buildingName: '1号楼', room: '1-101', reason: null },
      }),
    });
    const page = await loadPage('pages/join/index');
    expect(textOf(page)).toContain('已加入网格');
    expect(page.querySelector('.join__submit')).toBeFalsy();
  });

  it('shows why a request was refused and lets the resident apply again', async () => {
    mockCall({
      'household.myJoin': () => ({
        ok: true,
        data: {
          id: 'j',
          status: 'rejected',
          gridName: '第1网格',
          buildingName: '1号楼',
          room: '1-101',
          reason: '非本楼住户',
        },
      }),
      'household.communities': () => ({ ok: true, data: [directory.community] }),
      'household.directory': () => ({ ok: true, data: directory }),
    });
    const page = await loadPage('pages/join/index');
    expect(textOf(page)).toContain('原因：非本楼住户');
    tapButton(page, '.join__again');
    await flush();
    expect(page.querySelector('.join__submit')).toBeTruthy();
  });
});

describe('我的家庭 page', () => {
  const household: HouseholdView = {
    id: 'h1',
    gridId: 'g-01',
    gridName: '第1网格',
    buildingName: '1号楼',
    room: '1-101',
    headName: '格桑',
    phoneMasked: '139****1234',
    members: [{ id: 'm1', name: '格桑', relation: 'self', ageBand: '60-79', needs: ['dialysis'] }],
    sensitiveConsent: true,
    priority: true,
  };

  it('shows the phone masked and withdraws consent by deleting the needs', async () => {
    const { calls } = mockCall({
      'household.get': () => ({ ok: true, data: household }),
      'household.update': (p) => ({
        ok: true,
        data: {
          ...household,
          sensitiveConsent: p.sensitiveConsent,
          members: p.members.map((m, i) => ({ ...m, id: m.id ?? `m${i}` })),
          priority: false,
        },
      }),
    });
    const page = await loadPage('pages/resident/household/index');
    expect(textOf(page)).toContain('139****1234');
    expect(textOf(page)).not.toContain('13900001234');
    page.instance.onConsent({ detail: { checked: false } });
    await flush();
    tapButton(page, '.hh__save-btn');
    await flush();
    const sent = calls.find((c) => c.action === 'household.update')?.payload as any;
    expect(sent.sensitiveConsent).toBe(false);
    expect(sent.members[0].needs).toEqual([]);
    expect(sent).not.toHaveProperty('phone');
  });

  it("shows the server's refusal", async () => {
    mockCall({
      'household.get': () => ({ ok: true, data: household }),
      'household.update': () => ({
        ok: false,
        code: 'PRIVACY.CONSENT_REQUIRED',
        message: '登记特殊人群信息需要您单独同意',
      }),
    });
    const page = await loadPage('pages/resident/household/index');
    tapButton(page, '.hh__save-btn');
    await flush();
    expect(textOf(page)).toContain('登记特殊人群信息需要您单独同意');
  });
});

describe('我的网格 page', () => {
  it('lists whom to call and the latest notices; tapping a contact calls them', async () => {
    mockCall({
      'grid.mine': () => ({
        ok: true,
        data: {
          communityName: '幸福新村社区',
          gridId: 'g-01',
          gridName: '第1网格',
          groupQrFileId: null,
          contacts: [{ role: 'gridworker', name: '网格员卓玛', phone: '13800001111' }],
          notices: [
            { id: 'n1', scope: 'grid', title: '明早8点核酸', body: '请在楼下排队', postedAt: '2022-08-20T12:00:00Z' },
          ],
        },
      }),
    });
    const page = await loadPage('pages/resident/grid/index');
    expect(textOf(page)).toContain('网格员卓玛');
    expect(textOf(page)).toContain('明早8点核酸');
    page.instance.callPhone({ currentTarget: { dataset: { phone: '13800001111' } } });
    expect(wx.makePhoneCall).toHaveBeenCalledWith({ phoneNumber: '13800001111' });
  });

  it('subscribes to notices only on the resident’s tap, and tells the server only what was accepted', async () => {
    const { calls } = mockCall({
      'grid.mine': () => ({
        ok: true,
        data: {
          communityName: '幸福新村社区',
          gridId: 'g-01',
          gridName: '第1网格',
          groupQrFileId: null,
          contacts: [],
          notices: [],
        },
      }),
      'user.subscribe': (p: any) => ({ ok: true, data: { accepted: p.templates } }),
    });
    const page = await loadPage('pages/resident/grid/index');
    expect(wx.requestSubscribeMessage).not.toHaveBeenCalled();
    tapButton(page, '.grid__subscribe');
    await flush();
    expect(wx.requestSubscribeMessage).toHaveBeenCalledWith(
      expect.objectContaining({ tmplIds: ['TEMPLATE_ID_NOTICE'] }),
    );
    expect(calls.find((c) => c.action === 'user.subscribe')?.payload).toEqual({ templates: ['notice'] });
  });
});

describe('入群审核 page (gridworker)', () => {
  it('approves, and refuses only with a reason', async () => {
    const reviews: unknown[] = [];
    const request: JoinRequestView = {
      id: 'join-a',
      status: 'pending',
      buildingId: 'b-001',
      buildingName: '1号楼',
      room: '1-101',
      headName: '格桑',
      phoneMasked: '139****1234',
      via: 'invite',
      createdAt: '',
      reason: null,
      existingHeadName: null,
    };
    mockCall({
      'user.me': () => ({
        ok: true,
        data: {
          openid: 'gw',
          nickName: 'gw',
          roles: ['gridworker'],
          communityId: 'c',
          adminGridIds: ['g-01'],
          householdId: null,
        },
      }),
      'grid.staffGrids': () => ({ ok: true, data: staffGridsView({}) }),
      'grid.joinRequests': () => ({
        ok: true,
        data: { items: [request], nextCursor: null, total: 1 },
      }),
      'grid.reviewJoin': (p) => {
        reviews.push(p);
        return {
          ok: true,
          data: { ...request, status: p.approve ? 'approved' : 'rejected', reason: p.reason ?? null },
        };
      },
    });
    const page = await loadPage('pages/grid/joins/index');
    expect(textOf(page)).toContain('1号楼 1-101 · 格桑');
    expect(textOf(page)).toContain('扫码加入');
    tapButton(page, '.joins__approve');
    await flush();
    expect(reviews).toEqual([{ requestId: 'join-a', approve: true }]);
    page.instance.askReject({ currentTarget: { dataset: { id: 'join-a' } } });
    await flush();
    const dialog = page.querySelector('.joins__reason-dialog')!;
    dialog.instance.onConfirm();
    await flush();
    expect(reviews).toHaveLength(1);
    dialog.instance.onInput({ detail: { value: ' 非本楼住户 ' } });
    dialog.instance.onConfirm();
    await flush();
    expect(reviews[1]).toEqual({ requestId: 'join-a', approve: false, reason: '非本楼住户' });
  });
});

describe('入群审核 page paging', () => {
  it('shows the total and loads the next page of requests on scroll', async () => {
    const row = (i: number): JoinRequestView => ({
      id: `join-${i}`,
      status: 'pending',
      buildingId: 'b-001',
      buildingName: '1号楼',
      room: `1-${100 + i}`,
      headName: `住户${i}`,
      phoneMasked: '139****1234',
      via: 'manual',
      createdAt: '',
      reason: null,
      existingHeadName: null,
    });
    const { calls } = mockCall({
      'grid.joinRequests': (p) => ({
        ok: true,
        data: p.cursor
          ? { items: [row(50), row(51)], nextCursor: null, total: 52 }
          : { items: Array.from({ length: 50 }, (_, i) => row(i)), nextCursor: 'next-1', total: 52 },
      }),
    });
    const page = await loadPage('pages/grid/joins/index', { gridId: 'g-01' });
    expect(textOf(page)).toContain('共 52 条待审核');
    expect(textOf(page)).toContain('上拉加载更多');
    await page.instance.onReachBottom();
    await flush();
    expect(calls.filter((c) => c.action === 'grid.joinRequests').at(-1)?.payload).toEqual({
      gridId: 'g-01',
      cursor: 'next-1',
    });
    expect(page.instance.data.requests).toHaveLength(52);
    expect(textOf(page)).toContain('1号楼 1-151 · 住户51');
    expect(textOf(page)).toContain('已全部加载');
  });
});

describe('本网格住户 page (gridworker)', () => {
  it('lists the grid’s households and opens ordering for one (代下单)', async () => {
    mockCall({
      'user.me': () => ({
        ok: true,
        data: {
          openid: 'gw',
          nickName: 'gw',
          roles: ['gridworker'],
          communityId: 'c',
          adminGridIds: ['g-01'],
          householdId: null,
        },
      }),
      'grid.staffGrids': () => ({ ok: true, data: staffGridsView({}) }),
      'grid.households': (p: any) => ({
        ok: true,
        data: p.cursor
          ? {
              items: [
                {
                  id: 'h-0009',
                  buildingId: 'b-002',
                  buildingName: '2号楼',
                  room: '2-101',
                  headName: '次仁',
                  phoneMasked: '137****0000',
                  members: 2,
                  joined: true,
                  priority: false,
                },
              ],
              nextCursor: null,
              total: 3,
              joined: 2,
            }
          : {
              items: [
                {
                  id: 'h-0007',
                  buildingId: 'b-001',
                  buildingName: '1号楼',
                  room: '1-101',
                  headName: '卓玛',
                  phoneMasked: '139****1234',
                  members: 1,
                  joined: false,
                  priority: true,
                },
                {
                  id: 'h-0008',
                  buildingId: 'b-001',
                  buildingName: '1号楼',
                  room: '1-102',
                  headName: '扎西',
                  phoneMasked: '138****5678',
                  members: 3,
                  joined: true,
                  priority: false,
                },
              ],
              nextCursor: 'c2',
              total: 3,
              joined: 2,
            },
      }),
    });
    const page = await loadPage('pages/grid/households/index');
    expect(textOf(page)).toContain('第1网格 · 共 3 户，已入群 2 户');
    expect(textOf(page)).toContain('上拉加载更多');
    await page.instance.onReachBottom();
    await flush();
    expect(textOf(page)).toContain('2号楼 2-101 · 次仁');
    expect(textOf(page)).toContain('已全部加载');
    expect(textOf(page)).toContain('1号楼 1-101 · 卓玛');
    tapButton(page, '.hhs__order');
    await flush();
    // The order form is told for which household (building, room, head), by name.
    expect(wx.navigateTo).toHaveBeenCalledWith({
      url: `/pages/resident/order/index?forHouseholdId=h-0007&for=${encodeURIComponent('1号楼 1-101 卓玛')}`,
    });
  });
});
