/** @jest-environment node */
/**
 * The day's work on the home page (`user.home`, issue 12): scoped by the caller's roles and grids —
 * a gridworker counts their grids only, the admin the whole community, nobody else's — and every
 * count served by a declared index (no query of it scans a collection).
 */
import { constraints } from '../../localcloud/db/indexes';
import { Store } from '../../localcloud/db/store';
import { INDEXES } from '../../server/lib/schema';
import type { Grid, HouseholdDoc } from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';

let t: TestCloud;
let seq = 0;
const rid = () => `req-home-${String((seq += 1)).padStart(6, '0')}`;
let byGrid: Record<string, HouseholdDoc[]>;

beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 3, households: 60, joinedShare: 0.9 } });
  const all = (await t.db.collection('households').orderBy('_id', 'asc').limit(200).get()).data as HouseholdDoc[];
  byGrid = {};
  for (const h of all.filter((x) => x.memberOpenids.length > 0)) (byGrid[h.gridId] ??= []).push(h);
}, 60_000);
afterAll(() => t.close());

const grids = async (openid: string) => (await t.ok(openid, 'user.home', {})).grids!;

async function joinRequest(openid: string, gridId: string): Promise<void> {
  await t.ok(openid, 'user.me', {});
  const grid = ((await t.db.collection('grids').doc(gridId).get()).data as Grid[])[0]!;
  await t.ok(openid, 'household.requestJoin', {
    gridId,
    buildingId: grid.buildingIds[0]!,
    room: '9-909',
    headName: '申请人',
    phone: '13912345678',
    via: 'manual',
  });
}

describe('user.home', () => {
  it('counts a gridworker’s grids only, and the admin’s whole community', async () => {
    const [gw1, gw2, admin] = [await grids('dev-gw-01'), await grids('dev-gw-02'), await grids('dev-admin')];
    await joinRequest('home-joiner-1', 'g-01');
    await joinRequest('home-joiner-2', 'g-02');
    for (const gridId of ['g-01', 'g-01', 'g-02'])
      await t.ok(
        byGrid[gridId]!.shift()!.memberOpenids[0]!,
        'order.place',
        { kind: 'loveBag', lines: [{ itemId: 'item-001', qty: 1 }], payment: 'free', contactless: true },
        rid(),
      );
    expect(await grids('dev-gw-01')).toMatchObject({ joins: gw1.joins + 1, submitted: gw1.submitted + 2 });
    expect(await grids('dev-gw-02')).toMatchObject({ joins: gw2.joins + 1, submitted: gw2.submitted + 1 });
    expect(await grids('dev-admin')).toMatchObject({ joins: admin.joins + 2, submitted: admin.submitted + 3 });
  });

  it('answers only the parts of the caller’s roles: nothing for someone with no role, the household for a resident', async () => {
    expect(await t.ok('home-nobody', 'user.home', {})).toEqual({
      grids: null,
      admin: null,
      volunteer: null,
      resident: null,
    });
    const h = byGrid['g-03']![0]!;
    const mine = await t.ok(h.memberOpenids[0]!, 'user.home', {});
    expect(mine).toMatchObject({ grids: null, admin: null, resident: { activeOrders: 0, booking: null } });
    expect((await t.ok('dev-admin', 'user.home', {})).admin).toEqual({
      volunteers: expect.any(Number),
      outboxFailed: expect.any(Number),
    });
    expect(await t.call(null, 'user.home', {})).toMatchObject({ ok: false, code: 'AUTH.NO_IDENTITY' });
  });

  it('filters every query on the fields of a declared index only (no count reads a field no index has)', async () => {
    await t.ok('dev-admin', 'testing.openRound', {
      name: '索引轮',
      date: '2022-08-20',
      points: ['上门'],
      validHours: 48,
    });
    /** Whether an index of the collection (or the primary key) covers every field the query constrains. */
    const served = (collection: string, criteria: Record<string, unknown>) => {
      const fields = [...constraints(criteria).keys()];
      if (fields.length === 0) return false;
      if (fields.length === 1 && fields[0] === '_id') return true;
      return INDEXES.filter((i) => i.collection === collection).some((index) => {
        const covered: string[] = [];
        for (const key of Object.keys(index.keys)) {
          if (!fields.includes(key)) break;
          covered.push(key);
        }
        return covered.length > 0 && fields.every((f) => covered.includes(f));
      });
    };
    const spy = jest.spyOn(Store.prototype, 'candidates');
    try {
      for (const who of ['dev-admin', 'dev-gw-01', 'dev-vol-001', byGrid['g-03']![0]!.memberOpenids[0]!])
        await t.ok(who, 'user.home', {});
      const queries = spy.mock.calls.map(([collection, where]) => ({ collection, where }));
      expect(new Set(queries.map((q) => q.collection))).toEqual(
        new Set([
          'grids',
          'joinRequests',
          'orders',
          'bookings',
          'testRounds',
          'households',
          'samples',
          'volunteers',
          'outbox',
          'jobs',
        ]),
      );
      // The open testing round is read by the shared server/lib/test-rounds.ts (one document, not a count).
      const unserved = queries.filter((q) => q.collection !== 'testRounds' && !served(q.collection, q.where));
      expect(unserved).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });
});
