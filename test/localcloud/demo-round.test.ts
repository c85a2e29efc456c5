/** `npm start` a week after the first start still orders: the demo opens a round relative to today. */
import { keepDemoRoundLive } from '../../localcloud/seed/demo-activity';
import { startTestCloud, type TestCloud } from '../helpers/cloud';

let t: TestCloud;
beforeAll(async () => {
  t = await startTestCloud({
    seed: { grids: 1, households: 10, joinedShare: 1, at: new Date(Date.now() - 10 * 24 * 3600_000) },
  });
});
afterAll(() => t.close());

it('opens one ordering round for today when the seeded one has closed, and only once', async () => {
  const resident = 'dev-res-0001';
  expect((await t.ok(resident, 'order.catalog', {})).round?.open ?? false).toBe(false);
  const opened = await keepDemoRoundLive(t.db);
  expect(opened).toEqual(expect.any(String));
  expect(await t.ok(resident, 'order.catalog', {})).toMatchObject({ round: { open: true } });
  expect(await keepDemoRoundLive(t.db)).toBeNull();
  const rounds = await t.ok('dev-admin', 'order.rounds', {});
  expect(rounds.items.filter((r) => r.open)).toHaveLength(1);
});
