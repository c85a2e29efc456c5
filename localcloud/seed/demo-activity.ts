/**
 * A lived-in demo for `npm start`: on the first start, residents of the first gridworker's grid
 * place orders through the real cloud functions (groceries, 爱心菜包, medicine), and the
 * gridworker accepts some of them, so the order pool, the dispatch board and the volunteers' jobs
 * have something to show. Tests start from the plain seed; only the local cloud's `main` runs this.
 */
import { chinaDay } from '../../core/time';
import { callAction as call } from '../invoke';
import type { Db } from '../../server/lib/cloud';
import type { CatalogItem, HouseholdDoc, ShopDoc, UserDoc } from '../../typings/entities';

/** What the demo activity did. */
export interface DemoActivity {
  gridId: string;
  placed: number;
  accepted: number;
}

/** Places `orders` orders in the first gridworker's grid and accepts about half of them. */
export async function demoActivity(db: Db, orders = 30): Promise<DemoActivity | null> {
  const gw = ((await db.collection('users').doc('dev-gw-01').get()).data as UserDoc[])[0];
  const gridId = gw?.adminGridIds[0];
  if (!gridId) return null;
  const households = (await db.collection('households').where({ gridId }).limit(200).get()).data as HouseholdDoc[];
  const joined = households.filter((h) => h.memberOpenids.length > 0).slice(0, orders);
  const shop = (
    (
      await db
        .collection('shops')
        .doc(gw?.communityId ?? '')
        .get()
    ).data as ShopDoc[]
  )[0];
  const items: CatalogItem[] = Object.entries(shop?.items ?? {})
    .map(([_id, item]) => ({ _id, communityId: shop?.communityId ?? '', ...item }))
    .filter((i) => i.active && i.stock > 0)
    .sort((a, b) => a._id.localeCompare(b._id));
  const groceries = items.filter((i) => ['vegetable', 'meat', 'staple', 'daily'].includes(i.category));
  const loveBag = items.find((i) => i.category === 'loveBag');
  const placedIds: string[] = [];
  for (const [n, h] of joined.entries()) {
    const openid = h.memberOpenids[0] as string;
    const requestId = `demo-activity-${h._id}`;
    let result;
    if (n % 5 === 0 && loveBag) {
      result = await call(
        openid,
        'order.place',
        { kind: 'loveBag', lines: [{ itemId: loveBag._id, qty: 1 }], payment: 'free', contactless: true },
        requestId,
      );
    } else if (n % 11 === 3) {
      result = await call(
        openid,
        'order.place',
        {
          kind: 'medicine',
          medicine: { description: '硝苯地平缓释片 一盒', urgency: n % 2 ? 'urgent' : 'normal' },
          payment: 'cashOnDelivery',
          contactless: true,
        },
        requestId,
      );
    } else {
      const lines = [0, 1, 2]
        .map((k) => groceries[(n * 3 + k) % groceries.length])
        .filter((i): i is CatalogItem => Boolean(i));
      const unique = [...new Map(lines.map((i) => [i._id, { itemId: i._id, qty: 1 }])).values()];
      result = await call(
        openid,
        'order.place',
        {
          kind: 'grocery',
          lines: unique,
          payment: 'transfer',
          contactless: true,
          note: n % 4 ? '' : '放门口，敲门即可',
        },
        requestId,
      );
    }
    if (result.ok) placedIds.push(result.data.id);
  }
  const toAccept = placedIds.filter((_, i) => i % 2 === 0);
  const review = toAccept.length
    ? await call('dev-gw-01', 'dispatch.review', { orderIds: toAccept, accept: true }, 'demo-activity-accept')
    : null;
  return { gridId, placed: placedIds.length, accepted: review?.ok ? review.data.changed : 0 };
}

/**
 * The demo keeps ordering open relative to today: when `npm start` finds no ordering round open
 * now (the seeded one closes three days after the first start), the demo admin opens one for the
 * next three days through the real function, once per China day (the day is the request id).
 */
export async function keepDemoRoundLive(db: Db, now = new Date()): Promise<string | null> {
  const admin = ((await db.collection('users').doc('dev-admin').get()).data as UserDoc[])[0];
  if (!admin?.communityId) return null;
  const _ = db.command;
  const iso = now.toISOString();
  const open = await db
    .collection('rounds')
    .where({ communityId: admin.communityId, opensAt: _.lte(iso), closesAt: _.gt(iso) })
    .count();
  if ((open.total ?? 0) > 0) return null;
  const day = chinaDay(now);
  const round = await call(
    'dev-admin',
    'order.openRound',
    {
      name: `${day.slice(5).replace('-', '月')}日起订购批次`,
      opensAt: iso,
      closesAt: new Date(now.getTime() + 3 * 24 * 3600_000).toISOString(),
    },
    `demo-round-${day}`,
  );
  return round.ok ? round.data.id : null;
}

/** What the demo testing round holds. */
export interface DemoTesting {
  roundId: string;
  recorded: number;
  results: number;
  booked: number;
}

/**
 * A testing round under way in the first gridworker's grid, for screenshots of the testing pages
 * with something on them: the admin opens today's round, the gridworker samples the members of
 * the first `households` households (so the rest show on 未检名单), results come back for half of
 * them, and one family books sampling at home for tomorrow. All through the real functions.
 */
export async function demoTesting(db: Db, households = 20, now = new Date()): Promise<DemoTesting | null> {
  const gw = ((await db.collection('users').doc('dev-gw-01').get()).data as UserDoc[])[0];
  const gridId = gw?.adminGridIds[0];
  if (!gridId) return null;
  const day = chinaDay(now);
  const point = '1号采样点（社区广场）';
  const round = await call(
    'dev-admin',
    'testing.openRound',
    { name: `${day.slice(5).replace('-', '月')}日全员核酸`, date: day, points: [point, '上门'], validHours: 48 },
    `demo-testing-round-${day}`,
  );
  if (!round.ok) return null;
  const roundId = round.data.id;
  const all = (await db.collection('households').where({ gridId }).limit(200).get()).data as HouseholdDoc[];
  const sampled = all.slice(0, households);
  let recorded = 0;
  let results = 0;
  for (const [n, h] of sampled.entries()) {
    for (const m of h.members) {
      const args = { roundId, point, householdId: h._id, memberId: m.id };
      const rec = await call('dev-gw-01', 'testing.record', args, `demo-testing-${h._id}-${m.id}`);
      if (!rec.ok) continue;
      recorded += 1;
      if (n % 2 === 0) {
        const res = await call(
          'dev-gw-01',
          'testing.recordResult',
          { roundId, householdId: h._id, memberId: m.id, result: 'negative' },
          `demo-testing-result-${h._id}-${m.id}`,
        );
        if (res.ok) results += 1;
      }
    }
  }
  let booked = 0;
  const family = all.slice(households).find((h) => h.memberOpenids.length > 0);
  if (family) {
    const tomorrow = chinaDay(new Date(now.getTime() + 24 * 3600_000));
    const book = await call(
      family.memberOpenids[0] as string,
      'testing.book',
      { date: tomorrow, memberIds: family.members.map((m) => m.id), reason: 'returnee' },
      `demo-testing-book-${family._id}`,
    );
    if (book.ok) booked = book.data.booked;
  }
  return { roundId, recorded, results, booked };
}
