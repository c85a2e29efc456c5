/** Testing rounds over a long lockdown: every round reachable, page by page (no silent cap). */
import { startTestCloud, type TestCloud } from '../helpers/cloud';

let t: TestCloud;
beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 1, households: 10 } });
});
afterAll(() => t.close());

it('pages every round of a long lockdown, newest first, and filters the open ones', async () => {
  for (let i = 1; i <= 130; i += 1) {
    const r = await t.ok('dev-admin', 'testing.openRound', {
      name: `第${i}轮`,
      date: '2022-08-21',
      points: ['1号采样点'],
      validHours: 24,
    });
    if (i < 130) await t.ok('dev-admin', 'testing.closeRound', { roundId: r.id });
  }
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await t.ok('dev-admin', 'testing.rounds', { limit: 50, ...(cursor ? { cursor } : {}) });
    expect(page.total).toBe(130);
    seen.push(...page.items.map((r) => r.name));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  expect(seen).toHaveLength(130);
  expect(new Set(seen).size).toBe(130);
  // Newest first (two rounds opened in the same millisecond may swap).
  expect(seen.indexOf('第130轮')).toBeLessThanOrEqual(1);
  expect(seen.indexOf('第1轮')).toBeGreaterThanOrEqual(128);
  const open = await t.ok('dev-admin', 'testing.rounds', { status: 'open' });
  expect(open.items.map((r) => r.name)).toEqual(['第130轮']);
  expect(open.total).toBe(1);
});

it('opens one round per request id, however often the tap is retried', async () => {
  const input = { name: '重试轮', date: '2022-08-22', points: ['上门'], validHours: 24 };
  const [a, b] = await Promise.all([
    t.ok('dev-admin', 'testing.openRound', input, 'open-round-0001'),
    t.ok('dev-admin', 'testing.openRound', input, 'open-round-0001'),
  ]);
  const c = await t.ok('dev-admin', 'testing.openRound', input, 'open-round-0001');
  expect(new Set([a.id, b.id, c.id]).size).toBe(1);
  const all = await t.ok('dev-admin', 'testing.rounds', { limit: 100 });
  expect(all.items.filter((r) => r.name === '重试轮')).toHaveLength(1);
});
