/**
 * Trust siblings (issue 10, issue 13's group side): WeChat group data comes only from the platform,
 * a room's floor fits its building, approval rechecks the building's grid, the group QR is a file
 * of this environment's storage.
 */
import { planImport, validateImport } from '../../core/org/import';
import { issueCloudId } from '../../localcloud/open-data';
import { invokeFunction, platformContext } from '../../localcloud/invoke';
import { FUNCTIONS } from '../../server/functions/registry';
import { groupQrFolder, isOwnStorageFile } from '../../server/lib/files';
import type { ActionName, Req } from '../../typings/api';
import type { Building, Grid } from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';

let t: TestCloud;
beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 3, households: 45 } });
});
afterAll(() => t.close());

/** Calls an action with extra top-level event fields, as wx.cloud.callFunction({data}) would send them. */
async function callTop<A extends ActionName>(
  openid: string | null,
  action: A,
  payload: Req<A>,
  top: Record<string, unknown>,
): Promise<any> {
  const name = action.split('.')[0] as keyof typeof FUNCTIONS;
  return invokeFunction(name, FUNCTIONS[name], { action, payload, ...top }, openid);
}

/** Asks the local cloud (over HTTP, as the page's dev path does) for a cloudID of a group, as `openid`. */
async function cloudIdFor(openid: string, openGId: string): Promise<string> {
  const res = await fetch(`${t.cloud.url}/dev/cloudid`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-gridlink-user': openid },
    body: JSON.stringify({ openGId }),
  });
  const body = (await res.json()) as { ok: boolean; data: { cloudID: string; expiresAt: string } };
  expect(body.ok).toBe(true);
  return body.data.cloudID;
}

const gridOf = async (id: string) => (await t.db.collection('grids').doc(id).get()).data[0] as Grid;
const buildingOf = async (gridId: string) =>
  (await t.db.collection('buildings').where({ gridId }).orderBy('_id', 'asc').limit(1).get()).data[0] as Building;

describe('WeChat group data comes only from the platform', () => {
  it('never takes group data from the payload', async () => {
    const forged = { cloudID: 'cid', data: { openGId: 'G-forged-1' } };
    expect(await t.call('dev-gw-01', 'grid.bindGroup', { gridId: 'g-01', group: forged } as never)).toMatchObject({
      ok: false,
    });
    expect((await gridOf('g-01')).groupIds ?? []).not.toContain('G-forged-1');
    expect(await t.call('member', 'household.resolveEntry', { group: forged } as never)).toMatchObject({ ok: false });
  });

  it('never trusts a client-made {cloudID, data} object at the top level', async () => {
    const forged = { cloudID: 'cid', data: { openGId: 'G-forged-2' } };
    expect(await callTop('dev-gw-01', 'grid.bindGroup', { gridId: 'g-01' } as never, { group: forged })).toMatchObject({
      ok: false,
    });
    expect((await gridOf('g-01')).groupIds ?? []).not.toContain('G-forged-2');
    // Not even when a client claims the platform marker in its event.
    expect(
      await callTop(
        'member',
        'household.resolveEntry',
        {},
        { group: forged, OPEN_DATA_INFO: '{"keys":["group"]}', WX_OPEN_DATA_INFO: '{"keys":["group"]}' },
      ),
    ).toMatchObject({ ok: false, code: 'COMMON.INVALID_INPUT' });
  });

  it('binds, resolves and joins with a cloudID the platform replaced', async () => {
    const gwId = await cloudIdFor('dev-gw-02', 'G-real-1');
    expect(
      await callTop('dev-gw-02', 'grid.bindGroup', { gridId: 'g-02' } as never, { group: { cloudID: gwId } }),
    ).toMatchObject({ ok: true, data: { gridId: 'g-02' } });
    expect((await gridOf('g-02')).groupIds).toContain('G-real-1');

    const residentId = await cloudIdFor('newcomer-group', 'G-real-1');
    expect(
      await callTop('newcomer-group', 'household.resolveEntry', {}, { group: { cloudID: residentId } }),
    ).toMatchObject({
      ok: true,
      data: { gridId: 'g-02', via: 'group' },
    });
    const building = await buildingOf('g-02');
    const join = {
      gridId: 'g-02',
      buildingId: building._id,
      room: '1-101',
      headName: '群友',
      phone: '13900002222',
      via: 'group' as const,
    };
    // Via the group: only with the group's platform data, and only a group bound to that grid.
    expect(await t.call('newcomer-group', 'household.requestJoin', join)).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
    });
    const otherGroup = await cloudIdFor('newcomer-group', 'G-elsewhere');
    expect(
      await callTop('newcomer-group', 'household.requestJoin', join, { group: { cloudID: otherGroup } }),
    ).toMatchObject({ ok: false, code: 'JOIN.GROUP_UNKNOWN' });
    const again = await cloudIdFor('newcomer-group', 'G-real-1');
    expect(await callTop('newcomer-group', 'household.requestJoin', join, { group: { cloudID: again } })).toMatchObject(
      { ok: true, data: { status: 'pending' } },
    );
  });

  it('refuses a cloudID of another user (-601007) or an expired one (-601006), as WeChat does', async () => {
    const theirs = await cloudIdFor('dev-gw-03', 'G-theirs');
    expect(await callTop('member', 'household.resolveEntry', {}, { group: { cloudID: theirs } })).toMatchObject({
      ok: false,
      code: 'AUTH.FORBIDDEN',
    });
    const old = issueCloudId('member', { openGId: 'G-real-1' }, Date.now() - 6 * 60_000);
    const expired = await callTop('member', 'household.resolveEntry', {}, { group: { cloudID: old.cloudID } });
    expect(expired).toMatchObject({ ok: false, code: 'COMMON.INVALID_INPUT' });
    expect(expired.message).toContain('过期');
    expect(
      await callTop('member', 'household.resolveEntry', {}, { group: { cloudID: 'no-such-cloud-id' } }),
    ).toMatchObject({ ok: false });
  });

  it('reads open data only from top-level fields the platform context names', async () => {
    const main = FUNCTIONS.household;
    const event = {
      action: 'household.resolveEntry',
      payload: {},
      group: { cloudID: 'x', data: { openGId: 'G-real-1' } },
    };
    const context = platformContext('household', 'member');
    // Without the platform's OPEN_DATA_INFO the same event is refused.
    expect(await main(structuredClone(event), context)).toMatchObject({ ok: false, code: 'COMMON.INVALID_INPUT' });
    const environment = {
      ...JSON.parse(context.environment as string),
      WX_OPEN_DATA_INFO: JSON.stringify({ keys: ['group'] }),
    };
    expect(await main(structuredClone(event), { ...context, environment: JSON.stringify(environment) })).toMatchObject({
      ok: true,
      data: { gridId: 'g-02' },
    });
  });
});

describe('a room’s floor fits its building', () => {
  it('refuses a join to a floor above the building', async () => {
    const building = await buildingOf('g-01');
    const room = `${building.floors + 6}03`;
    const res = await t.call('newcomer-floor', 'household.requestJoin', {
      gridId: 'g-01',
      buildingId: building._id,
      room,
      headName: '高楼',
      phone: '13900003333',
      via: 'manual',
    });
    expect(res).toMatchObject({ ok: false, code: 'COMMON.INVALID_INPUT' });
    expect(!res.ok && res.message).toContain(`${building.floors + 6}`);
    expect(!res.ok && res.message).toContain(`${building.floors}`);
  });

  it('refuses an import row above an existing building’s floors', () => {
    const { rows } = validateImport([
      ['网格', '楼栋', '房号', '户主', '电话', '人数'],
      ['第1网格', '1号楼', '1203', '张三', '13900001111', '2'],
      ['第1网格', '1号楼', '501', '李四', '13900001112', '2'],
    ]);
    const plan = planImport(rows, {
      communityId: 'c-x',
      grids: [{ _id: 'g-1', name: '第1网格' }],
      buildings: [{ _id: 'b-1', name: '1号楼', gridId: 'g-1', floors: 6 }],
      households: [],
    });
    expect(plan.errors).toEqual([{ row: 2, column: '房号', message: expect.stringMatching(/12.*6|6.*12/) }]);
    expect(plan.households.map((h) => h.row.room)).toEqual(['501']);
  });
});

describe('approval rechecks the building’s grid', () => {
  it('refuses to approve a request whose building moved to another grid', async () => {
    const building = await buildingOf('g-01');
    const join = await t.ok('newcomer-moved', 'household.requestJoin', {
      gridId: 'g-01',
      buildingId: building._id,
      room: '1-102',
      headName: '搬迁',
      phone: '13900004444',
      via: 'manual',
    });
    await t.ok('dev-admin', 'org.saveBuilding', {
      id: building._id,
      gridId: 'g-03',
      name: building.name,
      floors: building.floors,
      hasLift: building.hasLift,
      distanceM: building.distanceM,
    });
    expect(await t.call('dev-gw-01', 'grid.reviewJoin', { requestId: join.id, approve: true })).toMatchObject({
      ok: false,
      code: 'COMMON.CONFLICT',
    });
    expect(await t.call('newcomer-moved', 'household.get', {})).toMatchObject({ ok: false, code: 'AUTH.NOT_MEMBER' });
    // Refusing it stays possible.
    expect(
      await t.call('dev-gw-01', 'grid.reviewJoin', { requestId: join.id, approve: false, reason: '楼栋已调整' }),
    ).toMatchObject({ ok: true });
  });
});

describe('the group QR is a file of this environment’s storage', () => {
  it('accepts only the local cloud’s own storage URL under the grid’s group-qr folder', async () => {
    for (const fileId of [
      'cloud://matrix/qr.png',
      'https://evil.example/storage/group-qr/g-01/a.png',
      `${t.cloud.url}/storage/prescriptions/g-01/a.png`,
      `${t.cloud.url}/storage/group-qr/g-02/a.png`,
      `${t.cloud.url}/storage/group-qr/g-01/../../x.png`,
      `${t.cloud.url}/storage/group-qr/g-01/a.png?x=1`,
    ]) {
      expect([fileId, await t.call('dev-gw-01', 'grid.setGroupQr', { gridId: 'g-01', fileId })]).toMatchObject([
        fileId,
        { ok: false, code: 'COMMON.INVALID_INPUT' },
      ]);
    }
    const good = `${t.cloud.url}/storage/group-qr/g-01/lx3k9a1b2c.jpg`;
    expect(await t.call('dev-gw-01', 'grid.setGroupQr', { gridId: 'g-01', fileId: good })).toMatchObject({ ok: true });
    expect((await gridOf('g-01')).groupQrFileId).toBe(good);
  });
});

describe('own storage files on CloudBase', () => {
  it('accepts cloud://<this env>.<bucket>/group-qr/<grid>/<name> only', () => {
    const saved = { db: process.env.GRIDLINK_DB_URL, env: process.env.TCB_ENV };
    delete process.env.GRIDLINK_DB_URL;
    process.env.TCB_ENV = 'gridlink-prod-4g2x';
    try {
      const folder = groupQrFolder('g-01');
      expect(
        isOwnStorageFile(
          'cloud://gridlink-prod-4g2x.6772-gridlink-prod-4g2x-1300000000/group-qr/g-01/lx3k9a.png',
          folder,
        ),
      ).toBe(true);
      for (const bad of [
        'cloud://other-env-9z.6f74-other-env-9z-1300000000/group-qr/g-01/lx3k9a.png',
        'cloud://gridlink-prod-4g2x.6772-gridlink-prod-4g2x-1300000000/prescriptions/g-01/lx3k9a.png',
        'cloud://gridlink-prod-4g2x.6772-gridlink-prod-4g2x-1300000000/group-qr/g-02/lx3k9a.png',
        'cloud://gridlink-prod-4g2x.6772-gridlink-prod-4g2x-1300000000/group-qr/g-01/../x/a.png',
        'https://gridlink-prod-4g2x.tcb.qcloud.la/group-qr/g-01/lx3k9a.png',
      ]) {
        expect([bad, isOwnStorageFile(bad, folder)]).toEqual([bad, false]);
      }
    } finally {
      if (saved.db === undefined) delete process.env.GRIDLINK_DB_URL;
      else process.env.GRIDLINK_DB_URL = saved.db;
      if (saved.env === undefined) delete process.env.TCB_ENV;
      else process.env.TCB_ENV = saved.env;
    }
  });
});
