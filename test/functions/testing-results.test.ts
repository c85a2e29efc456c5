/** @jest-environment node */
/**
 * Test results (阴性 / 阳性): recorded beside the sample, apart from "sampled"; a positive is a
 * follow-up flag only the community admin and that grid's gridworker see and record.
 */
import type { HouseholdDoc } from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';

let t: TestCloud;
let roundId: string;
let g1: HouseholdDoc[];

beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 3, households: 60, joinedShare: 1 } });
  const households = (
    await t.db.collection('households').where({ gridId: 'g-01' }).orderBy('_id', 'asc').limit(100).get()
  ).data as HouseholdDoc[];
  g1 = households.filter((h) => h.memberOpenids.length > 0);
  const base = { communityId: 'c-xingfu', householdId: null, createdAt: new Date().toISOString() };
  await Promise.all([
    t.db
      .collection('users')
      .doc('leader-g01')
      .set({ ...base, nickName: '组长', roles: ['groupLeader'], adminGridIds: ['g-01'] }),
    t.db
      .collection('users')
      .doc('sampler-r')
      .set({ ...base, nickName: '采样员', roles: ['sampler'], adminGridIds: [] }),
  ]);
  roundId = (
    await t.ok('dev-admin', 'testing.openRound', {
      name: '结果测试轮',
      date: '2022-08-20',
      points: ['上门'],
      validHours: 48,
    })
  ).id;
  for (const h of g1.slice(0, 3))
    await t.ok('dev-gw-01', 'testing.record', {
      roundId,
      point: '上门',
      householdId: h._id,
      memberId: h.members[0]!.id,
    });
}, 60_000);
afterAll(() => t.close());

const who = (i: number) => ({ householdId: g1[i]!._id, memberId: g1[i]!.members[0]!.id });

describe('recording a result', () => {
  it('is for the admin and that grid’s gridworker, not a group leader, a sampler or another grid’s gridworker', async () => {
    expect(await t.ok('dev-gw-01', 'testing.recordResult', { roundId, ...who(0), result: 'negative' })).toMatchObject({
      result: 'negative',
    });
    expect(await t.ok('dev-admin', 'testing.recordResult', { roundId, ...who(1), result: 'positive' })).toMatchObject({
      result: 'positive',
    });
    for (const openid of ['dev-gw-02', 'leader-g01', 'sampler-r', g1[2]!.memberOpenids[0]!]) {
      expect(await t.call(openid, 'testing.recordResult', { roundId, ...who(2), result: 'positive' })).toMatchObject({
        ok: false,
        code: 'AUTH.NOT_GRIDWORKER',
      });
    }
    // Not sampled: nothing to record a result for.
    expect(await t.call('dev-gw-01', 'testing.recordResult', { roundId, ...who(5), result: 'negative' })).toMatchObject(
      { ok: false, code: 'COMMON.NOT_FOUND' },
    );
  });
});

describe('the results of a grid', () => {
  it('lists the sampled by serial, each result apart from "sampled", with counts', async () => {
    const view = await t.ok('dev-gw-01', 'testing.results', { roundId, gridId: 'g-01' });
    expect(view.counts).toEqual({ sampled: 3, negative: 1, positive: 1, none: 1 });
    expect(view).toMatchObject({ gridId: 'g-01', gridName: '第1网格', grids: [{ id: 'g-01', name: '第1网格' }] });
    // The admin sees every grid's, by name; without a grid, the first.
    const admin = await t.ok('dev-admin', 'testing.results', { roundId });
    expect(admin.grids.map((g) => g.name)).toEqual(['第1网格', '第2网格', '第3网格']);
    expect(admin.gridId).toBe('g-01');
    expect(await t.call('dev-gw-01', 'testing.results', { roundId, gridId: 'g-02' })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_GRIDWORKER',
    });
    expect(view.items.map((r) => r.serial)).toEqual(['R1-G01-0001', 'R1-G01-0002', 'R1-G01-0003']);
    expect(view.items.map((r) => r.result)).toEqual(['negative', 'positive', null]);
    expect(view.items[0]).toMatchObject({
      householdId: g1[0]!._id,
      room: g1[0]!.room,
      memberId: g1[0]!.members[0]!.id,
    });
    expect(view.items[0]!.nameMasked).not.toBe(g1[0]!.members[0]!.name);

    const positives = await t.ok('dev-admin', 'testing.results', { roundId, gridId: 'g-01', result: 'positive' });
    expect(positives.items.map((r) => r.householdId)).toEqual([g1[1]!._id]);
    expect(
      (await t.ok('dev-admin', 'testing.results', { roundId, gridId: 'g-01', serial: 'R1-G01-0003' })).items,
    ).toHaveLength(1);

    for (const openid of ['dev-gw-02', 'leader-g01', 'sampler-r']) {
      expect(await t.call(openid, 'testing.results', { roundId, gridId: 'g-01' })).toMatchObject({
        ok: false,
        code: 'AUTH.NOT_GRIDWORKER',
      });
    }
  });

  it('shows a rescanned card’s result to the gridworker only, never to the sampler', async () => {
    const bySampler = await t.ok('sampler-r', 'testing.record', { roundId, point: '上门', ...who(1) });
    expect(bySampler).toMatchObject({ duplicate: true, card: { result: null } });
    const byGridworker = await t.ok('dev-gw-01', 'testing.record', { roundId, point: '上门', ...who(1) });
    expect(byGridworker).toMatchObject({ duplicate: true, card: { result: 'positive' } });
    // The household sees its own.
    const cards = await t.ok(g1[1]!.memberOpenids[0]!, 'testing.myCards', {});
    expect(cards[0]).toMatchObject({ result: 'positive' });
  });
});
