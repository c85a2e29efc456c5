import type { Db } from '../../server/lib/cloud';
import { demoCommunity, type DemoOptions } from './demo-community';

/**
 * Writes documents through the SDK a few at a time. `doc(id).set` is an upsert, so a seed cut
 * short by a crash completes on the next start instead of failing on duplicates.
 */
export async function insertAll(
  db: Db,
  collection: string,
  docs: readonly { _id: string }[],
  parallel = 16,
): Promise<void> {
  for (let i = 0; i < docs.length; i += parallel) {
    await Promise.all(
      docs.slice(i, i + parallel).map(({ _id, ...rest }) => db.collection(collection).doc(_id).set(rest)),
    );
  }
}

/** Seeds the demo community when the database has none; answers whether it seeded. */
export async function seedIfEmpty(db: Db, options: DemoOptions = {}): Promise<boolean> {
  const existing = await db.collection('communities').count();
  if (existing.total && existing.total > 0) return false;
  // The demo's ordering round opens when the community is first seeded.
  const demo = demoCommunity({ at: new Date(), ...options });
  // Everything but the community first: its presence marks a complete seed.
  for (const [collection, docs] of Object.entries(demo)) {
    if (collection !== 'communities') await insertAll(db, collection, docs as { _id: string }[]);
  }
  await insertAll(db, 'communities', demo.communities);
  return true;
}
