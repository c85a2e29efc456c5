/**
 * The day's work on the home page (issue 12): counts for the caller's roles, each a `count()` (or a
 * one-row aggregation) served by an index of server/lib/schema.ts — never a read of the documents.
 * Scoped by who asks: an admin counts their community, a gridworker or group leader their grids, a
 * volunteer their jobs and their grids' open jobs, a resident their household.
 */
import { chinaDay } from '../../../core/time';
import type { HomeCounts } from '../../../typings/api';
import type { BookingDoc, UserDoc, VolunteerDoc } from '../../../typings/entities';
import type { OrderStatus } from '../../../typings/values';
import { getDoc } from '../../lib/access';
import { defineActions, type UserContext } from '../../lib/define-function';
import { aggregateAll, aggregateOps, all } from '../../lib/query';
import { openTestRound } from '../../lib/test-rounds';
import { ensureUser } from '../../lib/users';
import { z } from '../../lib/validate';

/** Orders still on their way to the household (not received, cancelled or rejected). */
export const ACTIVE_ORDER_STATUSES: OrderStatus[] = [
  'submitted',
  'accepted',
  'assigned',
  'pickedUp',
  'delivered',
  'failed',
];

/** How many documents a query matches. */
async function countOf(ctx: UserContext, collection: Parameters<UserContext['db']['collection']>[0], where: object) {
  const res = await ctx.db.collection(collection).where(where).count();
  return res.total ?? 0;
}

/** The grids a member of staff looks after: the whole community for its admin, else their own. */
async function staffGridIds(ctx: UserContext, user: UserDoc): Promise<string[]> {
  if (!user.communityId) return [];
  const _ = ctx.db.command;
  if (user.roles.includes('communityAdmin'))
    return (await all(ctx, 'grids', { communityId: user.communityId }, { communityId: true })).map((g) => g._id);
  if (!user.roles.some((r) => r === 'gridworker' || r === 'groupLeader') || user.adminGridIds.length === 0) return [];
  // Only grids of the user's own community (a stale grant elsewhere counts nothing).
  const grids = await all(ctx, 'grids', { _id: _.in(user.adminGridIds) }, { communityId: true });
  return grids.filter((g) => g.communityId === user.communityId).map((g) => g._id);
}

/** Households of these grids of which nobody is sampled in the round: all of them less those with a sample. */
async function untestedHouseholds(ctx: UserContext, roundId: string, gridIds: string[]): Promise<number> {
  const _ = ctx.db.command;
  const $ = aggregateOps(ctx);
  const [households, sampled] = await Promise.all([
    countOf(ctx, 'households', { gridId: _.in(gridIds) }),
    aggregateAll<{ n: number }>(ctx, 'samples', [
      { match: { roundId, gridId: _.in(gridIds) } },
      { group: { _id: '$householdId' } },
      { group: { _id: null, n: $.sum(1) } },
    ]),
  ]);
  return Math.max(0, households - (sampled[0]?.n ?? 0));
}

async function gridCounts(ctx: UserContext, communityId: string, gridIds: string[]): Promise<HomeCounts['grids']> {
  const _ = ctx.db.command;
  const grids = _.in(gridIds);
  const today = chinaDay(ctx.now);
  const round = await openTestRound(ctx, communityId);
  const [joins, submitted, accepted, bookings, untested] = await Promise.all([
    countOf(ctx, 'joinRequests', { gridId: grids, status: 'pending' }),
    countOf(ctx, 'orders', { gridId: grids, status: 'submitted' }),
    countOf(ctx, 'orders', { gridId: grids, status: 'accepted' }),
    countOf(ctx, 'bookings', { gridId: grids, status: 'booked', date: _.gte(today) }),
    round ? untestedHouseholds(ctx, round._id, gridIds) : Promise.resolve(null),
  ]);
  return { joins, submitted, accepted, bookings, untested };
}

async function volunteerCounts(ctx: UserContext): Promise<HomeCounts['volunteer']> {
  const v: VolunteerDoc | null = await getDoc(ctx, 'volunteers', ctx.caller.openid);
  // Jobs are for approved volunteers of the delivery team (others are not shown 配送任务).
  if (!v || v.status !== 'approved' || v.team !== 'delivery') return null;
  const _ = ctx.db.command;
  const [myJobs, openJobs] = await Promise.all([
    countOf(ctx, 'jobs', { volunteerId: ctx.caller.openid, status: _.in(['assigned', 'pickedUp']) }),
    v.gridIds.length ? countOf(ctx, 'jobs', { gridId: _.in(v.gridIds), status: 'open' }) : Promise.resolve(0),
  ]);
  return { myJobs, openJobs };
}

async function residentCounts(ctx: UserContext, householdId: string): Promise<HomeCounts['resident']> {
  const _ = ctx.db.command;
  const today = chinaDay(ctx.now);
  const [activeOrders, bookings] = await Promise.all([
    countOf(ctx, 'orders', { householdId, status: _.in(ACTIVE_ORDER_STATUSES) }),
    ctx.db
      .collection('bookings')
      .where({ householdId, date: _.gte(today) })
      .orderBy('date', 'asc')
      .limit(20)
      .get(),
  ]);
  const next = (bookings.data as BookingDoc[]).find((b) => b.status !== 'cancelled');
  return { activeOrders, booking: next ? { date: next.date, status: next.status } : null };
}

export const homeActions = defineActions('user', {
  'user.home': {
    input: z.object({}).strict(),
    async handle(ctx): Promise<HomeCounts> {
      const user = await ensureUser(ctx);
      const isAdmin = user.roles.includes('communityAdmin') && Boolean(user.communityId);
      const gridIds = await staffGridIds(ctx, user);
      const [grids, admin, volunteer, resident] = await Promise.all([
        gridIds.length && user.communityId ? gridCounts(ctx, user.communityId, gridIds) : Promise.resolve(null),
        isAdmin
          ? Promise.all([
              countOf(ctx, 'volunteers', { communityId: user.communityId, status: 'pending' }),
              countOf(ctx, 'outbox', { communityId: user.communityId, status: 'failed' }),
            ]).then(([volunteers, outboxFailed]) => ({ volunteers, outboxFailed }))
          : Promise.resolve(null),
        user.roles.includes('volunteer') ? volunteerCounts(ctx) : Promise.resolve(null),
        user.roles.includes('resident') && user.householdId
          ? residentCounts(ctx, user.householdId)
          : Promise.resolve(null),
      ]);
      return { grids, admin, volunteer, resident };
    },
  },
});
