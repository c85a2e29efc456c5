/** @jest-environment node */
/**
 * Issue 13 — invites with a real mini-program code (made once per invite, kept in storage), door
 * posters per building, and the grid's WeChat groups: bound once, listed, unbound, and resolved from a
 * shared card (open data only from the platform).
 */
import { maskName } from '../../core/mask';
import { issueCloudId } from '../../localcloud/open-data';
import { invokeFunction } from '../../localcloud/invoke';
import { clearWxCalls, defineWxApi, wxCalls, wxError } from '../../localcloud/wechat';
import { getUnlimited } from '../../localcloud/wechat/apis/wxacode';
import { FUNCTIONS } from '../../server/functions/registry';
import { inviteSlotId } from '../../server/functions/grid/invites';
import type { ActionName, Req } from '../../typings/api';
import type { Building, HouseholdDoc, InviteCodeDoc, UserDoc } from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';

let t: TestCloud;
beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 3, households: 45 } });
});
afterAll(() => t.close());
beforeEach(() => clearWxCalls());

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Calls an action from inside a WeChat group: `group` is the cloudID the platform replaces. */
async function fromGroup<A extends ActionName>(openid: string, openGId: string, action: A, payload: Req<A>) {
  const name = action.split('.')[0] as keyof typeof FUNCTIONS;
  const group = { cloudID: issueCloudId(openid, { openGId }).cloudID };
  return invokeFunction(name, FUNCTIONS[name], { action, payload, group }, openid) as Promise<any>;
}

/** Calls an action with extra top-level event fields, as a client could send them. */
async function withTop<A extends ActionName>(openid: string, action: A, payload: Req<A>, top: object) {
  const name = action.split('.')[0] as keyof typeof FUNCTIONS;
  return invokeFunction(name, FUNCTIONS[name], { action, payload, ...top }, openid) as Promise<any>;
}

const buildingsOf = async (gridId: string) =>
  (await t.db.collection('buildings').where({ gridId }).orderBy('_id', 'asc').get()).data as Building[];

async function residentOf(gridId: string): Promise<string> {
  const h = (await t.db.collection('households').where({ gridId }).orderBy('_id', 'asc').get()).data as HouseholdDoc[];
  const withMember = h.find((x) => x.memberOpenids.length > 0);
  if (!withMember) throw new Error(`no joined household in ${gridId}`);
  return withMember.memberOpenids[0] as string;
}

describe('the invite’s mini-program code', () => {
  it('is made once per invite: the same invite and the same stored PNG on every tap', async () => {
    const first = await t.ok('dev-gw-01', 'grid.createInvite', { gridId: 'g-01' });
    expect(first).toMatchObject({ scene: `i=${first.token}`, page: 'pages/join/index', buildingId: null });
    expect(first.scene.length).toBeLessThanOrEqual(32);
    expect(first.qrError).toBeUndefined();
    expect(first.qr).toMatch(new RegExp(`/storage/invite-qr/g-01/${first.token}\\.png$`));
    const image = Buffer.from(await (await fetch(first.qr as string)).arrayBuffer());
    expect(image.subarray(0, 8)).toEqual(PNG);

    const again = await t.ok('dev-gw-01', 'grid.createInvite', { gridId: 'g-01' });
    expect(again).toEqual(first);
    // WeChat was asked once, as documented: scene, an existing page without `/`, check_path, env_version, width.
    const calls = wxCalls('wxacode.getUnlimited');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.request).toEqual({
      scene: first.scene,
      page: 'pages/join/index',
      check_path: true,
      env_version: 'release',
      width: 600,
    });
    expect(calls[0]?.errcode).toBe(0);
  });

  it('gives taps at the same moment one invite, not one each', async () => {
    const many = await Promise.all(
      Array.from({ length: 5 }, () => t.ok('dev-gw-02', 'grid.createInvite', { gridId: 'g-02' })),
    );
    expect(new Set(many.map((i) => i.token)).size).toBe(1);
    const later = await t.ok('dev-gw-02', 'grid.createInvite', { gridId: 'g-02' });
    expect(later.token).toBe(many[0]?.token);
    expect(later.qr).toBeTruthy();
    const invites = await t.db.collection('invites').where({ gridId: 'g-02' }).count();
    expect(invites.total).toBe(1);
  });

  it('is replaced when a third of its life is left; the old invite keeps working until it expires', async () => {
    const old = await t.ok('dev-gw-03', 'grid.createInvite', { gridId: 'g-03' });
    const soon = new Date(Date.now() + 5 * 24 * 3600_000).toISOString();
    await t.db.collection('inviteCodes').doc(inviteSlotId('g-03', null)).update({ expiresAt: soon });
    const fresh = await t.ok('dev-gw-03', 'grid.createInvite', { gridId: 'g-03' });
    expect(fresh.token).not.toBe(old.token);
    expect(fresh.qr).not.toBe(old.qr);
    expect(await t.ok('someone-new', 'household.resolveEntry', { inviteToken: old.token })).toMatchObject({
      gridId: 'g-03',
      via: 'invite',
    });
  });

  it('answers the invite without an image, and why, when WeChat refuses; makes it on a later tap', async () => {
    defineWxApi('wxacode.getUnlimited', () => wxError(41030, 'invalid page'));
    try {
      const [building] = await buildingsOf('g-01');
      const refused = await t.ok('dev-gw-01', 'grid.createInvite', { gridId: 'g-01', buildingId: building!._id });
      expect(refused.qr).toBeUndefined();
      expect(refused.qrError).toContain('页面不存在');
      const slot = (await t.db.collection('inviteCodes').doc(inviteSlotId('g-01', building!._id)).get())
        .data[0] as InviteCodeDoc;
      expect(slot.fileId).toBeNull();
    } finally {
      defineWxApi('wxacode.getUnlimited', (request) => getUnlimited(request));
    }
    const [building] = await buildingsOf('g-01');
    const made = await t.ok('dev-gw-01', 'grid.createInvite', { gridId: 'g-01', buildingId: building!._id });
    expect(made.qr).toBeTruthy();
  });

  it('is only for the grid’s staff, and a building only of that grid', async () => {
    expect(await t.call('dev-gw-02', 'grid.createInvite', { gridId: 'g-01' })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_GRIDWORKER',
    });
    const [other] = await buildingsOf('g-02');
    expect(await t.call('dev-gw-01', 'grid.createInvite', { gridId: 'g-01', buildingId: other!._id })).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
    });
    expect(await t.call('dev-gw-01', 'grid.doorPoster', { gridId: 'g-01', buildingId: 'b-nope' })).toMatchObject({
      ok: false,
      code: 'COMMON.NOT_FOUND',
    });
  });
});

describe('the WeChat stand-in refuses what WeChat refuses', () => {
  const ask = (request: Record<string, unknown>) => getUnlimited(request, () => new Set(['pages/join/index']));
  const code = (answer: ReturnType<typeof ask>) => ('binary' in answer ? 0 : answer.errcode);

  it.each([
    ['no scene', { page: 'pages/join/index' }, 40169],
    ['an empty scene', { scene: '' }, 40169],
    ['a scene of 33 characters', { scene: 'i'.repeat(33) }, 40169],
    ['a scene that is not a string', { scene: 12 }, 40169],
    ['Chinese in the scene', { scene: 'i=网格' }, 40129],
    ['% in the scene (URL-encoded)', { scene: 'i=%E7' }, 40129],
    ['a page with a leading /', { scene: 'i=1', page: '/pages/join/index' }, 41030],
    ['a page with a query', { scene: 'i=1', page: 'pages/join/index?i=1' }, 41030],
    ['a page the app does not have', { scene: 'i=1', page: 'pages/nope/index' }, 41030],
    ['a width under 280', { scene: 'i=1', width: 200 }, 40097],
    ['a width over 1280', { scene: 'i=1', width: 1281 }, 40097],
    ['an unknown env_version', { scene: 'i=1', env_version: 'beta' }, 40097],
    ['check_path not a boolean', { scene: 'i=1', check_path: 'false' }, 40097],
    ['a bad line_color', { scene: 'i=1', line_color: { r: 300, g: 0, b: 0 } }, 40097],
    ['a misspelt field', { scene: 'i=1', check_page: false }, 47001],
  ])('refuses %s', (_what, request, errcode) => {
    expect(code(ask(request))).toBe(errcode);
  });

  it('takes 32 allowed characters, an unpublished page with check_path false, and answers a PNG of the width', () => {
    const scene = "i=0123456789aZ!#$&'()*+,/:;=?@-.";
    expect(scene.length).toBe(32);
    const ok = ask({ scene, page: 'pages/join/index', width: 280, env_version: 'develop' });
    const image = 'binary' in ok ? (ok.binary as Buffer) : Buffer.alloc(0);
    expect(image.subarray(0, 8)).toEqual(PNG);
    expect(image.readUInt32BE(16)).toBe(280); // IHDR width
    expect(code(ask({ scene: 'i=1', page: 'pages/new/index', check_path: false }))).toBe(0);
    expect(code(ask({ scene: 'i=1', line_color: { r: '0', g: '82', b: '217' } }))).toBe(0);
  });

  it('checks pages against the real app.json', () => {
    expect(code(getUnlimited({ scene: 'i=1', page: 'pages/join/index' }))).toBe(0);
    expect(code(getUnlimited({ scene: 'i=1', page: 'pages/grid/poster/index' }))).toBe(0);
    expect(code(getUnlimited({ scene: 'i=1', page: 'pages/join/nope' }))).toBe(41030);
  });
});

describe('door posters per building', () => {
  it('gives each building its own invite, which fills in the building on the join page', async () => {
    await t.db.collection('buildings').add({
      _id: 'b-poster-2',
      communityId: (await buildingsOf('g-02'))[0]!.communityId,
      gridId: 'g-02',
      name: '99号楼',
      floors: 6,
      hasLift: false,
      distanceM: 100,
    });
    const [b1, b2] = await buildingsOf('g-02');
    const p1 = await t.ok('dev-gw-02', 'grid.doorPoster', { gridId: 'g-02', buildingId: b1!._id });
    const p2 = await t.ok('dev-gw-02', 'grid.doorPoster', { gridId: 'g-02', buildingId: b2!._id });
    expect(p1).toMatchObject({ gridId: 'g-02', buildingId: b1!._id, buildingName: b1!.name });
    expect(p1.invite.token).not.toBe(p2.invite.token);
    expect(p1.invite.qr).toBeTruthy();
    expect(p1.buildings.map((b) => b.id).sort()).toEqual((await buildingsOf('g-02')).map((b) => b._id).sort());
    // A door poster lives longer than the grid's invite.
    expect(Date.parse(p1.invite.expiresAt) - Date.now()).toBeGreaterThan(80 * 24 * 3600_000);
    expect((await t.ok('dev-gw-02', 'grid.doorPoster', { gridId: 'g-02', buildingId: b1!._id })).invite).toEqual(
      p1.invite,
    );
    expect(await t.ok('scanner-1', 'household.resolveEntry', { inviteToken: p1.invite.token })).toMatchObject({
      gridId: 'g-02',
      buildingId: b1!._id,
      via: 'invite',
    });
  });

  it('prints the contact masked by default, whole only from the caller’s own service phone', async () => {
    const me = (await t.db.collection('users').doc('dev-gw-01').get()).data[0] as UserDoc;
    await t.db.collection('users').doc('dev-gw-01').update({ phone: '13912345678' });
    const [b] = await buildingsOf('g-01');
    const poster = await t.ok('dev-gw-01', 'grid.doorPoster', { gridId: 'g-01', buildingId: b!._id });
    expect(poster.contact.masked).toBe(`网格员 ${maskName(me.nickName)} 139****5678`);
    expect(poster.contact.masked).not.toContain('13912345678');
    expect(poster.contact.masked).not.toContain(me.nickName);
    expect(poster.contact.full).toBe(`网格员 ${me.nickName} 13912345678`);
  });
});

describe('the grid’s WeChat groups', () => {
  it('binds a group once, with the name the gridworker gives it, and lists it readably', async () => {
    const bound = await fromGroup('dev-gw-01', 'G-team-0001', 'grid.bindGroup', {
      gridId: 'g-01',
      label: '1号楼团购群',
    });
    expect(bound).toMatchObject({
      ok: true,
      data: { gridId: 'g-01', groups: 1, group: { label: '1号楼团购群', tag: '群…0001' } },
    });
    // Again (a retry): the same binding, nothing doubled.
    expect(await fromGroup('dev-gw-01', 'G-team-0001', 'grid.bindGroup', { gridId: 'g-01' })).toMatchObject({
      ok: true,
      data: { groups: 1, group: { label: '1号楼团购群' } },
    });
    const list = await t.ok('dev-gw-01', 'grid.groups', { gridId: 'g-01' });
    expect(list.groups).toHaveLength(1);
    expect(list.groups[0]).toMatchObject({ label: '1号楼团购群', tag: '群…0001' });
    expect(list.groups[0]?.boundByName).toBeTruthy();
    expect(JSON.stringify(list)).not.toContain('G-team-0001');
    expect(await fromGroup('dev-gw-02', 'G-team-0001', 'grid.bindGroup', { gridId: 'g-02' })).toMatchObject({
      ok: false,
      code: 'COMMON.CONFLICT',
    });
    expect(await t.call('dev-gw-02', 'grid.groups', { gridId: 'g-01' })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_GRIDWORKER',
    });
  });

  it('binds a group to one grid when two grids bind it at the same moment', async () => {
    const [a, b] = await Promise.all([
      fromGroup('dev-gw-02', 'G-race-0001', 'grid.bindGroup', { gridId: 'g-02' }),
      fromGroup('dev-gw-03', 'G-race-0001', 'grid.bindGroup', { gridId: 'g-03' }),
    ]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
    const grids = await t.db.collection('grids').where({ groupIds: 'G-race-0001' }).count();
    expect(grids.total).toBe(1);
  });

  it('resolves a shared card’s group to its grid, masked, and says where the member stands', async () => {
    await fromGroup('dev-gw-02', 'G-share-0002', 'grid.bindGroup', { gridId: 'g-02', label: '二网格群' });
    const stranger = await fromGroup('new-neighbour', 'G-share-0002', 'grid.groupGrid', {});
    expect(stranger).toMatchObject({ ok: true, data: { gridId: 'g-02', groupLabel: '二网格群', you: 'none' } });
    expect(stranger.data.households).toBeGreaterThan(0);
    expect(stranger.data.joined).toBeLessThanOrEqual(stranger.data.households);
    expect(stranger.data.gridworkers.length).toBeGreaterThan(0);
    for (const name of stranger.data.gridworkers) expect(name).toMatch(/\*/);
    expect(JSON.stringify(stranger.data)).not.toMatch(/1[3-9]\d{9}/);

    const member = await residentOf('g-02');
    expect((await fromGroup(member, 'G-share-0002', 'grid.groupGrid', {})).data.you).toBe('member');
    const elsewhere = await residentOf('g-01');
    expect((await fromGroup(elsewhere, 'G-share-0002', 'grid.groupGrid', {})).data.you).toBe('elsewhere');
    expect((await fromGroup('dev-gw-02', 'G-share-0002', 'grid.groupGrid', {})).data.you).toBe('staff');

    expect(await fromGroup('new-neighbour', 'G-not-bound', 'grid.groupGrid', {})).toMatchObject({
      ok: false,
      code: 'JOIN.GROUP_UNKNOWN',
    });
  });

  it('never takes the group from the payload or a client-made open-data object', async () => {
    const forged = { cloudID: 'cid', data: { openGId: 'G-share-0002' } };
    expect(await t.call('new-neighbour', 'grid.groupGrid', { group: forged } as never)).toMatchObject({ ok: false });
    const top = await withTop(
      'new-neighbour',
      'grid.groupGrid',
      {},
      { group: forged, OPEN_DATA_INFO: '{"keys":["group"]}' },
    );
    expect(top).toMatchObject({ ok: false, code: 'COMMON.INVALID_INPUT' });
    expect(await t.call('new-neighbour', 'grid.groupGrid', {})).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
    });
    // Another user's cloudID is refused as such.
    const theirs = { cloudID: issueCloudId('dev-gw-02', { openGId: 'G-share-0002' }).cloudID };
    expect(await withTop('new-neighbour', 'grid.groupGrid', {}, { group: theirs })).toMatchObject({
      ok: false,
      code: 'AUTH.FORBIDDEN',
    });
  });

  it('unbinds a group (it stops landing in the grid) and lists groups bound before bindings were recorded', async () => {
    await fromGroup('dev-gw-03', 'G-gone-0003', 'grid.bindGroup', { gridId: 'g-03' });
    const _ = t.db.command;
    await t.db
      .collection('grids')
      .doc('g-03')
      .update({ groupIds: _.addToSet('G-legacy-0009') });
    const list = await t.ok('dev-gw-03', 'grid.groups', { gridId: 'g-03' });
    const tags = list.groups.map((g) => g.tag);
    expect(tags).toEqual(expect.arrayContaining(['群…0003', '群…0009']));
    const legacy = list.groups.find((g) => g.tag === '群…0009');
    expect(legacy).toMatchObject({ label: '', boundAt: null });

    const gone = list.groups.find((g) => g.tag === '群…0003');
    const left = await t.ok('dev-gw-03', 'grid.unbindGroup', { gridId: 'g-03', groupId: gone!.id });
    expect(left.groups).toBe(list.groups.length - 1);
    expect(await fromGroup('new-neighbour', 'G-gone-0003', 'grid.groupGrid', {})).toMatchObject({
      ok: false,
      code: 'JOIN.GROUP_UNKNOWN',
    });
    expect(await t.call('dev-gw-03', 'grid.unbindGroup', { gridId: 'g-03', groupId: gone!.id })).toMatchObject({
      ok: false,
      code: 'COMMON.NOT_FOUND',
    });
    await t.ok('dev-gw-03', 'grid.unbindGroup', { gridId: 'g-03', groupId: legacy!.id });
    expect((await t.ok('dev-gw-03', 'grid.groups', { gridId: 'g-03' })).groups.map((g) => g.tag)).not.toContain(
      '群…0009',
    );
    // Unbound, the group may be bound to another grid.
    expect(await fromGroup('dev-gw-02', 'G-gone-0003', 'grid.bindGroup', { gridId: 'g-02' })).toMatchObject({
      ok: true,
    });
  });
});
