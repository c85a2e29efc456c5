/** Issue 10, households and people: joining a household that is there, one id per room, one floor rule, server member ids. */
import { maskName } from '../../core/mask';
import type { HouseholdDoc } from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';

let t: TestCloud;
beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 2, households: 30, joinedShare: 0 } });
});
afterAll(() => t.close());

const csv = (rows: string[][]) => Buffer.from(rows.map((r) => r.join(',')).join('\r\n'), 'utf8').toString('base64');
const stored = async (id: string) => ((await t.db.collection('households').doc(id).get()).data as HouseholdDoc[])[0];
const atRoom = async (buildingId: string, room: string) =>
  (await t.db.collection('households').where({ buildingId, room }).get()).data as HouseholdDoc[];

/** Asks to join, has the grid's gridworker look at the request and approve it; answers the list row seen. */
async function joinAndApprove(openid: string, buildingId: string, room: string, headName: string, phone: string) {
  const join = await t.ok(openid, 'household.requestJoin', {
    gridId: 'g-01',
    buildingId,
    room,
    headName,
    phone,
    via: 'manual',
  });
  const row = (await t.ok('dev-gw-01', 'grid.joinRequests', { gridId: 'g-01' })).items.find((r) => r.id === join.id);
  const approved = await t.ok('dev-gw-01', 'grid.reviewJoin', { requestId: join.id, approve: true });
  return { join, row, approved };
}

describe('joining a household that is already there', () => {
  it('binds a joiner of a seeded room to the seeded household, and shows the gridworker its head masked', async () => {
    const seeded = (
      (await t.db.collection('households').where({ gridId: 'g-01' }).orderBy('_id', 'asc').limit(1).get())
        .data as HouseholdDoc[]
    )[0]!;
    const { row } = await joinAndApprove(
      'joiner-seeded',
      seeded.buildingId,
      seeded.room,
      seeded.headName,
      '13900007001',
    );
    expect(row?.existingHeadName).toBe(maskName(seeded.headName));
    const mine = await t.ok('joiner-seeded', 'household.get', {});
    expect(mine.id).toBe(seeded._id);
    expect(mine.members.map((m) => m.id)).toEqual(seeded.members.map((m) => m.id));
    expect((await stored(seeded._id))?.memberOpenids).toContain('joiner-seeded');
    expect(await atRoom(seeded.buildingId, seeded.room)).toHaveLength(1);
  });

  it('binds a joiner of an imported room to the imported household', async () => {
    const report = await t.ok('dev-admin', 'org.import', {
      fileName: 'x.csv',
      dryRun: false,
      base64: csv([
        ['网格', '楼栋', '房号', '户主', '电话', '人数'],
        ['第1网格', '1号楼', '7-1001', '尼玛次仁', '13800007002', '3'],
      ]),
    });
    expect(report.applied).toBe(true);
    const [imported] = await atRoom('b-001', '7-1001');
    expect(imported).toBeDefined();
    const { row } = await joinAndApprove('joiner-imported', 'b-001', '7-1001', '尼玛次仁', '13800007002');
    expect(row?.existingHeadName).toBe('尼**仁');
    expect((await t.ok('joiner-imported', 'household.get', {})).id).toBe(imported!._id);
    expect(await atRoom('b-001', '7-1001')).toHaveLength(1);
  });

  it('creates the household on the first approval of a new room, and a retried approval changes nothing', async () => {
    const { join, row } = await joinAndApprove('joiner-new', 'b-001', '1203', '拉姆', '13900007003');
    expect(row?.existingHeadName).toBeNull();
    const mine = await t.ok('joiner-new', 'household.get', {});
    const doc = await stored(mine.id);
    // One floor rule: 1203 is on floor 12 whoever creates the household.
    expect(doc).toMatchObject({ room: '1203', floor: 12, buildingId: 'b-001' });
    await t.ok('dev-gw-01', 'grid.reviewJoin', { requestId: join.id, approve: true });
    expect(await atRoom('b-001', '1203')).toHaveLength(1);
    expect((await t.ok('joiner-new', 'household.get', {})).id).toBe(mine.id);
  });
});

describe('two rooms, two households', () => {
  it('keeps 东101 and 西101 of one building apart', async () => {
    await joinAndApprove('joiner-east', 'b-001', '东101', '东家', '13900007004');
    await joinAndApprove('joiner-west', 'b-001', '西101', '西家', '13900007005');
    const east = await t.ok('joiner-east', 'household.get', {});
    const west = await t.ok('joiner-west', 'household.get', {});
    expect(east.id).not.toBe(west.id);
    expect(west).toMatchObject({ room: '西101', headName: '西家' });
    expect(JSON.stringify(west)).not.toContain('东家');
    expect((await stored(east.id))?.memberOpenids).toEqual(['joiner-east']);
  });

  it('imports 东102 and 西102 as two households', async () => {
    const report = await t.ok('dev-admin', 'org.import', {
      fileName: 'x.csv',
      dryRun: false,
      base64: csv([
        ['网格', '楼栋', '房号', '户主', '电话', '人数'],
        ['第1网格', '1号楼', '东102', '东邻', '13800007006', '1'],
        ['第1网格', '1号楼', '西102', '西邻', '13800007007', '1'],
      ]),
    });
    expect(report).toMatchObject({ applied: true, errors: [], households: { created: 2, existing: 0 } });
    expect(await atRoom('b-001', '东102')).toHaveLength(1);
    expect(await atRoom('b-001', '西102')).toHaveLength(1);
  });
});

describe('member ids are the server’s', () => {
  it('refuses another household’s member id, keeps its own, and makes opaque ids for new members', async () => {
    const mine = await t.ok('joiner-new', 'household.get', {});
    const other = (
      (await t.db.collection('households').where({ gridId: 'g-02' }).limit(1).get()).data as HouseholdDoc[]
    )[0]!;
    const stolen = other.members[0]!;
    const before = await stored(mine.id);
    const bad = await t.call('joiner-new', 'household.update', {
      headName: '拉姆',
      members: [
        { id: mine.members[0]!.id, name: '拉姆', relation: 'self', ageBand: '18-59', needs: [] },
        { id: stolen.id, name: stolen.name, relation: 'other', ageBand: stolen.ageBand, needs: [] },
      ],
      sensitiveConsent: false,
    });
    expect(bad).toMatchObject({ ok: false, code: 'HOUSEHOLD.MEMBER_UNKNOWN' });
    expect(await stored(mine.id)).toEqual(before);

    const saved = await t.ok('joiner-new', 'household.update', {
      headName: '拉姆',
      members: [
        { id: mine.members[0]!.id, name: '拉姆', relation: 'self', ageBand: '18-59', needs: [] },
        { name: '小拉姆', relation: 'child', ageBand: '0-6', needs: [] },
      ],
      sensitiveConsent: false,
    });
    expect(saved.members[0]?.id).toBe(mine.members[0]!.id);
    expect(saved.members[1]?.id).toMatch(/^m-[0-9a-f]{16}$/);
    // A member dropped from the household cannot be brought back under its old id by anyone.
    const dropped = saved.members[1]!.id;
    await t.ok('joiner-new', 'household.update', {
      headName: '拉姆',
      members: [{ id: mine.members[0]!.id, name: '拉姆', relation: 'self', ageBand: '18-59', needs: [] }],
      sensitiveConsent: false,
    });
    expect(
      await t.call('joiner-east', 'household.update', {
        headName: '东家',
        members: [{ id: dropped, name: '小拉姆', relation: 'child', ageBand: '0-6', needs: [] }],
        sensitiveConsent: false,
      }),
    ).toMatchObject({ ok: false, code: 'HOUSEHOLD.MEMBER_UNKNOWN' });
  });
});
