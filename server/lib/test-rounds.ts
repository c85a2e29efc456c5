/** The testing round a community is in now, read the same way by every function that needs it. */
import type { TestRoundDoc } from '../../typings/entities';
import type { CallContext } from './define-function';

/** The community's current open testing round (the latest opened), or null. */
export async function openTestRound(ctx: CallContext, communityId: string): Promise<TestRoundDoc | null> {
  const res = await ctx.db
    .collection('testRounds')
    .where({ communityId, status: 'open' })
    .orderBy('openedAt', 'desc')
    .limit(1)
    .get();
  return (res.data as TestRoundDoc[])[0] ?? null;
}
