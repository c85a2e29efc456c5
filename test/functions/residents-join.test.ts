import type { HouseholdDoc, UserDoc } from '../../typings/entities';
import { issueCloudId } from '../../localcloud/open-data';
import { invokeFunction } from '../../localcloud/invoke';
import { FUNCTIONS } from '../../server/functions/registry';
import { startTestCloud, type TestCloud } from '../helpers/cloud';

let t: TestCloud;
beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 3, households: 45 } });
});
afterAll(() => t.close());

const firstBuildingOf = async (gridId: string) =>
  (
    (await t.db.collection('buildings').where({ gridId }).orderBy('_id', 'asc').limit(1).get()).data[0] as {
      _id: string;
    }
  )._id;

describe('joining a grid by hand (户户入群)', () => {
  it('goes pending, is approved by the grid’s own gridworker, and binds the household', async () => {
    const directory = await t.ok('newcomer-1', 'household.directory', { communityId: 'c-xingfu' });
    expect(directory.grids.map((g) => g.id)).toEqual(['g-01', 'g-02', 'g-03']);
    const buildingId = directory.grids[0]?.buildings[0]?.id as string;

    const join = await t.ok('newcomer-1', 'household.requestJoin', {
      gridId: 'g-01',
      buildingId,
      room: '9-901',
      headName: '格桑',
      phone: '13900001111',
      via: 'manual',
    });
    expect(join).toMatchObject({ status: 'pending', room: '9-901', gridName: '第1网格' });
    expect(await t.call('newcomer-1', 'household.get', {})).toMatchObject({ ok: false, code: 'AUTH.NOT_MEMBER' });

    // Another grid's gridworker can neither see nor decide it.
    expect(await t.call('dev-gw-02', 'grid.joinRequests', { gridId: 'g-01' })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_GRIDWORKER',
    });
    expect(await t.call('dev-gw-02', 'grid.reviewJoin', { requestId: join.id, approve: true })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_GRIDWORKER',
    });

    const pending = (await t.ok('dev-gw-01', 'grid.joinRequests', { gridId: 'g-01' })).items;
    const mine = pending.find((r) => r.id === join.id);
    expect(mine).toMatchObject({ headName: '格桑', phoneMasked: '139****1111', existingHeadName: null });

    const approved = await t.ok('dev-gw-01', 'grid.reviewJoin', { requestId: join.id, approve: true });
    expect(approved.status).toBe('approved');
    const me = await t.ok('newcomer-1', 'user.me', {});
    expect(me.roles).toContain('resident');
    const household = await t.ok('newcomer-1', 'household.get', {});
    expect(household).toMatchObject({ room: '9-901', headName: '格桑', phoneMasked: '139****1111', gridId: 'g-01' });
    expect(JSON.stringify(household)).not.toContain('13900001111');

    const outbox = (await t.db.collection('outbox').where({ openid: 'newcomer-1', template: 'joinResult' }).get()).data;
    expect(outbox).toHaveLength(1);
  });

  it('puts a second family member into the same household', async () => {
    const buildingId = await firstBuildingOf('g-01');
    const join = await t.ok('newcomer-2', 'household.requestJoin', {
      gridId: 'g-01',
      buildingId,
      room: '9-901',
      headName: '格桑',
      phone: '13900002222',
      via: 'manual',
    });
    const [row] = (await t.ok('dev-gl-01', 'grid.joinRequests', { gridId: 'g-01' })).items.filter(
      (r) => r.id === join.id,
    );
    expect(row?.existingHeadName).toBe('格*'); // the head on record, masked
    await t.ok('dev-gl-01', 'grid.reviewJoin', { requestId: join.id, approve: true });
    const a = await t.ok('newcomer-1', 'household.get', {});
    const b = await t.ok('newcomer-2', 'household.get', {});
    expect(b.id).toBe(a.id);
    const stored = (await t.db.collection('households').doc(a.id).get()).data[0] as HouseholdDoc;
    expect(stored.memberOpenids.sort()).toEqual(['newcomer-1', 'newcomer-2']);
  });

  it('lets exactly one of two gridworkers deciding at once win, and refuses a second decision', async () => {
    const buildingId = await firstBuildingOf('g-02');
    const join = await t.ok('newcomer-3', 'household.requestJoin', {
      gridId: 'g-02',
      buildingId,
      room: '8-801',
      headName: '达瓦',
      phone: '13900003333',
      via: 'manual',
    });
    const [a, b] = await Promise.all([
      t.call('dev-gw-02', 'grid.reviewJoin', { requestId: join.id, approve: false, reason: '查无此人' }),
      t.call('dev-gl-02', 'grid.reviewJoin', { requestId: join.id, approve: true }),
    ]);
    const outcomes = [a, b].map((r) => (r.ok ? 'ok' : r.code)).sort();
    expect(outcomes).toEqual(['JOIN.NOT_PENDING', 'ok']);
    expect(
      await t.call('dev-gw-02', 'grid.reviewJoin', { requestId: join.id, approve: false, reason: '再次' }),
    ).toMatchObject({
      ok: false,
      code: 'JOIN.NOT_PENDING',
    });
  });

  it('requires a reason to reject, and shows it to the resident', async () => {
    const buildingId = await firstBuildingOf('g-03');
    const join = await t.ok('outsider', 'household.requestJoin', {
      gridId: 'g-03',
      buildingId,
      room: '1-101',
      headName: '外来人',
      phone: '13900004444',
      via: 'manual',
    });
    expect(await t.call('dev-gw-03', 'grid.reviewJoin', { requestId: join.id, approve: false })).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
    });
    await t.ok('dev-gw-03', 'grid.reviewJoin', { requestId: join.id, approve: false, reason: '非本小区住户' });
    expect(await t.ok('outsider', 'household.myJoin', {})).toMatchObject({
      status: 'rejected',
      reason: '非本小区住户',
    });
    const user = (await t.db.collection('users').doc('outsider').get()).data[0] as UserDoc;
    expect(user.householdId).toBeNull();
  });

  it('refuses a building of another grid and bad phone numbers, naming the field', async () => {
    const otherBuilding = await firstBuildingOf('g-02');
    expect(
      await t.call('newcomer-9', 'household.requestJoin', {
        gridId: 'g-01',
        buildingId: otherBuilding,
        room: '1-101',
        headName: '王',
        phone: '13900005555',
        via: 'manual',
      }),
    ).toMatchObject({ ok: false, code: 'COMMON.INVALID_INPUT', message: '该楼栋不属于所选网格' });
    const bad = await t.call('newcomer-9', 'household.requestJoin', {
      gridId: 'g-01',
      buildingId: otherBuilding,
      room: '1-101',
      headName: '王',
      phone: '12345',
      via: 'manual',
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues?.[0]?.path).toBe('phone');
  });
});

describe('joining by invite QR and by the grid’s WeChat group', () => {
  it('resolves an invite token to its grid; rejects unknown tokens and invites of another grid', async () => {
    const invite = await t.ok('dev-gw-01', 'grid.createInvite', { gridId: 'g-01' });
    expect(invite.scene.length).toBeLessThanOrEqual(32);
    expect(await t.ok('scanner', 'household.resolveEntry', { inviteToken: invite.token })).toMatchObject({
      gridId: 'g-01',
      via: 'invite',
    });
    expect(await t.call('scanner', 'household.resolveEntry', { inviteToken: 'deadbeef00' })).toMatchObject({
      ok: false,
      code: 'JOIN.INVITE_INVALID',
    });
    const buildingId = await firstBuildingOf('g-02');
    expect(
      await t.call('scanner', 'household.requestJoin', {
        gridId: 'g-02',
        buildingId,
        room: '2-202',
        headName: '扎西',
        phone: '13900006666',
        via: 'invite',
        inviteToken: invite.token,
      }),
    ).toMatchObject({ ok: false, code: 'JOIN.INVITE_INVALID' });
    expect(await t.call('dev-gw-02', 'grid.createInvite', { gridId: 'g-01' })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_GRIDWORKER',
    });
  });

  it('binds a WeChat group to one grid and lands its members there', async () => {
    // The page sends wx.cloud.CloudID(id) as the top-level `group`; the (local) platform swaps in the group's data.
    const inGroup = (openid: string, action: 'household.resolveEntry' | 'grid.bindGroup', payload: object) =>
      invokeFunction(
        action.split('.')[0] as string,
        action === 'grid.bindGroup' ? FUNCTIONS.grid : FUNCTIONS.household,
        {
          action,
          payload,
          group: { cloudID: issueCloudId(openid, { openGId: 'G-openg-001' }).cloudID },
        },
        openid,
      );
    expect(await inGroup('member', 'household.resolveEntry', {})).toMatchObject({
      ok: false,
      code: 'JOIN.GROUP_UNKNOWN',
    });
    expect(await inGroup('dev-gw-02', 'grid.bindGroup', { gridId: 'g-02' })).toMatchObject({ ok: true });
    expect(await inGroup('member', 'household.resolveEntry', {})).toMatchObject({
      ok: true,
      data: { gridId: 'g-02', via: 'group' },
    });
    expect(await inGroup('dev-gw-01', 'grid.bindGroup', { gridId: 'g-01' })).toMatchObject({
      ok: false,
      code: 'COMMON.CONFLICT',
    });
  });
});

describe('household profile', () => {
  it('keeps special needs only with separate consent, and deletes them when consent is withdrawn', async () => {
    const members = [
      { name: '格桑', relation: 'self' as const, ageBand: '60-79' as const, needs: ['dialysis' as const] },
      { name: '卓玛', relation: 'spouse' as const, ageBand: '60-79' as const, needs: [] },
    ];
    expect(
      await t.call('newcomer-1', 'household.update', {
        headName: '格桑',
        phone: '13900001111',
        members,
        sensitiveConsent: false,
      }),
    ).toMatchObject({
      ok: false,
      code: 'PRIVACY.CONSENT_REQUIRED',
    });
    const saved = await t.ok('newcomer-1', 'household.update', {
      headName: '格桑',
      phone: '13900001111',
      members,
      sensitiveConsent: true,
    });
    expect(saved).toMatchObject({ priority: true, sensitiveConsent: true });
    expect(saved.members[0]?.needs).toEqual(['dialysis']);
    // The gridworker keeps the dialysis days of that member (recurring care).
    const dialysisMember = saved.members[0]!.id;
    const stored0 = (await t.db.collection('households').doc(saved.id).get()).data[0] as HouseholdDoc;
    await t.db
      .collection('careNeeds')
      .doc(`${saved.id}:${dialysisMember}`)
      .set({
        communityId: stored0.communityId,
        gridId: stored0.gridId,
        householdId: saved.id,
        memberId: dialysisMember,
        dialysisWeekdays: [1, 3, 5],
        refillEveryDays: 0,
        lastRefillOn: null,
        note: '',
      });
    await t.ok('newcomer-1', 'household.update', {
      headName: '格桑',
      phone: '13900001111',
      members: saved.members.map(({ id, name, relation, ageBand, needs }) => ({ id, name, relation, ageBand, needs })),
      sensitiveConsent: true,
    });
    expect((await t.db.collection('careNeeds').where({ householdId: saved.id }).count()).total).toBe(1);

    const plain = members.map((m) => ({ ...m, needs: [] }));
    const withdrawn = await t.ok('newcomer-2', 'household.update', {
      headName: '格桑',
      phone: '13900001111',
      members: plain,
      sensitiveConsent: false,
    });
    expect(withdrawn).toMatchObject({ priority: false, sensitiveConsent: false });
    const stored = (await t.db.collection('households').doc(saved.id).get()).data[0] as HouseholdDoc;
    expect(stored.members.flatMap((m) => m.needs)).toEqual([]);
    expect(stored.sensitiveConsentAt).toBeNull();
    // …and the recurring-care record goes with the consent, at once.
    expect((await t.db.collection('careNeeds').where({ householdId: saved.id }).count()).total).toBe(0);
  });

  it('shows the resident’s grid: contacts with their service phones, and notices for the grid and community', async () => {
    await t.ok('dev-gw-01', 'grid.postNotice', {
      gridId: 'g-01',
      title: '明早8点核酸',
      body: '请在楼下排队，保持间距',
    });
    await t.ok('dev-gw-02', 'grid.postNotice', { gridId: 'g-02', title: '二网格通知', body: '只给二网格' });
    await t.ok('dev-admin', 'grid.postNotice', { gridId: null, title: '社区通知', body: '全体居民' });
    expect(await t.call('dev-gw-01', 'grid.postNotice', { gridId: null, title: 'x', body: 'y' })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_ADMIN',
    });
    const mine = await t.ok('newcomer-1', 'grid.mine', {});
    expect(mine.gridName).toBe('第1网格');
    expect(mine.contacts.map((c) => c.role)).toEqual(['gridworker', 'groupLeader']);
    expect(mine.contacts[0]?.phone).toMatch(/^1\d{10}$/);
    expect(mine.notices.map((n) => n.title).sort()).toEqual(['明早8点核酸', '社区通知']);
  });
});

describe('the grid’s household list', () => {
  it('shows a gridworker the households of their grid only, phones masked, with who has joined', async () => {
    const page = await t.ok('dev-gw-03', 'grid.households', { gridId: 'g-03', limit: 100 });
    const rows = page.items;
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.every((r) => /^1\d\d\*{4}\d{4}$/.test(r.phoneMasked))).toBe(true);
    expect(rows.some((r) => r.joined)).toBe(true);
    const stored = (await t.db.collection('households').where({ gridId: 'g-03' }).count()).total;
    expect(page.total).toBe(stored);
    expect(rows).toHaveLength(Math.min(stored, 100));
    expect(await t.call('dev-gw-03', 'grid.households', { gridId: 'g-01' })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_GRIDWORKER',
    });
    expect(await t.call('dev-res-0001', 'grid.households', { gridId: 'g-01' })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_GRIDWORKER',
    });
  });
});
