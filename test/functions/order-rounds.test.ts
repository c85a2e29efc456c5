/** @jest-environment node */
/**
 * An ordering round after it opened (issue 12): the community admin extends it or closes it early,
 * and sees it fill. The shop's copy (what placement reads) follows the round; orders placed stay.
 */
import type { HouseholdDoc, ShopDoc } from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';

let t: TestCloud;
let resident: string;
let household: HouseholdDoc;
const DAY = 86_400_000;
const loveBag = {
  kind: 'loveBag' as const,
  lines: [{ itemId: 'item-001', qty: 1 }],
  payment: 'free' as const,
  contactless: true,
};

const shopRound = async (id: string) =>
  ((await t.db.collection('shops').doc('c-xingfu').get()).data as ShopDoc[])[0]!.rounds.find((r) => r.id === id);

beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 2, households: 30, joinedShare: 0.9 } });
  household = (
    (
      await t.db
        .collection('households')
        .where({ gridId: 'g-01', memberOpenids: t.db.command.neq([]) })
        .limit(1)
        .get()
    ).data as HouseholdDoc[]
  )[0]!;
  resident = household.memberOpenids[0]!;
}, 60_000);
afterAll(() => t.close());

describe('extending a round', () => {
  it('moves the close later, in the round and in the shop; a retry answers the same', async () => {
    const before = (await t.ok('dev-admin', 'order.rounds', {})).items.find((r) => r.id === 'round-001')!;
    const closesAt = new Date(Date.parse(before.closesAt) + 2 * DAY).toISOString();
    const extended = await t.ok('dev-admin', 'order.extendRound', { roundId: 'round-001', closesAt });
    expect(extended).toMatchObject({ id: 'round-001', closesAt, open: true });
    expect((await shopRound('round-001'))?.closesAt).toBe(closesAt);
    expect(await t.ok('dev-admin', 'order.extendRound', { roundId: 'round-001', closesAt })).toEqual(extended);
  });

  it('refuses a close not later than now or than the current close', async () => {
    const now = await t.call('dev-admin', 'order.extendRound', {
      roundId: 'round-001',
      closesAt: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(now.ok ? 'ok' : now.code).toBe('COMMON.INVALID_INPUT');
    const earlier = await t.call('dev-admin', 'order.extendRound', {
      roundId: 'round-001',
      closesAt: new Date(Date.now() + 3600_000).toISOString(),
    });
    expect(earlier.ok ? 'ok' : earlier.message).toBe('新的截单时间要晚于原截单时间');
  });

  it('is the community admin’s only, and only for their own community’s rounds', async () => {
    const gw = await t.call('dev-gw-01', 'order.extendRound', {
      roundId: 'round-001',
      closesAt: new Date(Date.now() + 9 * DAY).toISOString(),
    });
    expect(gw.ok ? 'ok' : gw.code).toBe('AUTH.NOT_ADMIN');
    await t.db
      .collection('rounds')
      .doc('round-elsewhere')
      .set({
        communityId: 'c-elsewhere',
        name: '别的社区',
        opensAt: new Date().toISOString(),
        closesAt: new Date(Date.now() + DAY).toISOString(),
        createdBy: 'x',
      });
    const other = await t.call('dev-admin', 'order.closeRound', { roundId: 'round-elsewhere' });
    expect(other.ok ? 'ok' : other.code).toBe('COMMON.NOT_FOUND');
  });
});

describe('seeing a round fill and closing it early', () => {
  it('counts orders and households that ordered against the households of the community', async () => {
    const empty = await t.ok('dev-admin', 'order.roundFill', { roundIds: ['round-001'] });
    expect(empty).toEqual([{ roundId: 'round-001', orders: 0, households: 0, householdsTotal: 30 }]);
    await t.ok(resident, 'order.place', loveBag, 'rounds-order-0001');
    await t.ok(
      resident,
      'order.place',
      {
        kind: 'medicine',
        medicine: { description: '降压药 一盒', urgency: 'normal' },
        payment: 'cashOnDelivery',
        contactless: true,
      },
      'rounds-order-0002',
    );
    const fill = await t.ok('dev-admin', 'order.roundFill', { roundIds: ['round-001', 'round-elsewhere'] });
    // Another community's round is not answered.
    expect(fill).toEqual([{ roundId: 'round-001', orders: 2, households: 1, householdsTotal: 30 }]);
  });

  it('closes now: ordering stops, orders placed stay, a second close answers the same', async () => {
    const closed = await t.ok('dev-admin', 'order.closeRound', { roundId: 'round-001' });
    expect(closed.open).toBe(false);
    expect(Date.parse(closed.closesAt)).toBeLessThanOrEqual(Date.now());
    expect((await shopRound('round-001'))?.closesAt ?? closed.closesAt).toBe(closed.closesAt);
    const late = await t.call(resident, 'order.place', loveBag, 'rounds-order-0003');
    expect(late.ok ? 'ok' : late.code).toBe('ORDER.ROUND_CLOSED');
    const mine = await t.ok(resident, 'order.mine', {});
    expect(mine.items.map((o) => o.status)).toEqual(['submitted', 'submitted']);
    expect(await t.ok('dev-admin', 'order.closeRound', { roundId: 'round-001' })).toEqual(closed);
    expect((await t.ok('dev-admin', 'order.roundFill', { roundIds: ['round-001'] }))[0]?.orders).toBe(2);
  });

  it('does not extend a round that has closed: the admin opens a new one', async () => {
    const res = await t.call('dev-admin', 'order.extendRound', {
      roundId: 'round-001',
      closesAt: new Date(Date.now() + 9 * DAY).toISOString(),
    });
    expect(res.ok ? 'ok' : res.code).toBe('ORDER.ROUND_CLOSED');
  });
});
