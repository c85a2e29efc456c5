/**
 * An ordering round after it opened (issue 12): extend it, close it early, see it fill. The round
 * document is the record; the shop keeps a copy placement reads (`shops.rounds`), brought in line
 * after every change — a retry (or a call after a crash between the two writes) brings it in line again.
 */
import { AppError } from '../../../core/errors';
import type { RoundFillView } from '../../../typings/api';
import type { OrderStatus } from '../../../typings/values';
import type { RoundDoc, ShopDoc, ShopRound } from '../../../typings/entities';
import { getDoc } from '../../lib/access';
import { defineActions, type CallContext } from '../../lib/define-function';
import { getShop } from '../../lib/holds';
import { aggregateAll, aggregateOps, all } from '../../lib/query';
import { requireAdmin } from '../../lib/users';
import { instant, z } from '../../lib/validate';
import { id, roundView } from './shared';

/** Orders that count towards a round's fill (every status but cancelled and rejected). */
const LIVE: OrderStatus[] = ['submitted', 'accepted', 'assigned', 'pickedUp', 'delivered', 'failed', 'received'];

/** The round of the admin's community, or COMMON.NOT_FOUND (another community's is not told apart). */
async function roundOf(ctx: CallContext, communityId: string, roundId: string): Promise<RoundDoc> {
  const round = await getDoc(ctx, 'rounds', roundId);
  if (!round || round.communityId !== communityId) throw new AppError('COMMON.NOT_FOUND', '没有找到该批次');
  return round;
}

/**
 * Brings the shop's copy of a round in line with the round: its close set in place (by position,
 * conditional on the id still being there), or added back while it still takes orders. A placement
 * that began before an early close still finds its round (it reads the round at the time it held stock).
 */
async function syncShop(ctx: CallContext, round: RoundDoc): Promise<void> {
  const _ = ctx.db.command;
  const shops = ctx.db.collection('shops');
  for (let attempt = 0; attempt < 8; attempt += 1) {
    // The round as it is now: another tap (an extension, a close) may have moved it since `round` was read,
    // and the copy must end equal to the round whichever sync writes last.
    const latest: RoundDoc = (await getDoc(ctx, 'rounds', round._id)) ?? round;
    const shop: ShopDoc | null = await getShop(ctx, latest.communityId);
    if (!shop) return;
    const i = shop.rounds.findIndex((r) => r.id === latest._id);
    let res: { updated?: number };
    if (i < 0) {
      if (Date.parse(latest.closesAt) <= ctx.now.getTime()) return; // ended: the shop need not know it
      const entry: ShopRound = {
        id: latest._id,
        name: latest.name,
        opensAt: latest.opensAt,
        closesAt: latest.closesAt,
      };
      res = await shops
        .where({ _id: latest.communityId, 'rounds.id': _.neq(latest._id) })
        .update({ rounds: _.push([entry]) });
    } else {
      const copy = shop.rounds[i] as ShopRound;
      if (copy.closesAt === latest.closesAt) return;
      // Conditional on the copy read: a sync that wrote meanwhile makes this one read again.
      res = await shops
        .where({ _id: latest.communityId, [`rounds.${i}.id`]: latest._id, [`rounds.${i}.closesAt`]: copy.closesAt })
        .update({ [`rounds.${i}.closesAt`]: latest.closesAt });
    }
    if (res.updated) {
      // Written: done, unless the round moved again while we wrote (then the copy is brought in line again).
      const after = await getDoc(ctx, 'rounds', latest._id);
      if (!after || after.closesAt === latest.closesAt) return;
    }
    // The list or the round moved under us (a round opened or ended, another tap): read both again.
  }
  throw new AppError('COMMON.CONFLICT', '批次正在变动，请稍后重试');
}

/** Sets a round's close from `from` to `to` (conditional: only if nobody changed it meanwhile). */
async function moveClose(ctx: CallContext, round: RoundDoc, to: string): Promise<RoundDoc> {
  const res = await ctx.db
    .collection('rounds')
    .where({ _id: round._id, communityId: round.communityId, closesAt: round.closesAt })
    .update({ closesAt: to });
  if (res.updated) return { ...round, closesAt: to };
  const again = await getDoc(ctx, 'rounds', round._id);
  if (again?.closesAt === to) return again;
  throw new AppError('COMMON.CONFLICT', '批次刚被他人修改，请刷新后重试');
}

export const roundActions = defineActions('order', {
  'order.extendRound': {
    input: z.object({ roundId: id, closesAt: instant() }).strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const round = await roundOf(ctx, admin.communityId, input.roundId);
      const to = new Date(input.closesAt).toISOString();
      // Already there (a retried tap): the answer, with the shop brought in line.
      if (round.closesAt === to) {
        await syncShop(ctx, round);
        return roundView(round, ctx.now);
      }
      const now = ctx.now.getTime();
      if (Date.parse(round.closesAt) <= now)
        throw new AppError('ORDER.ROUND_CLOSED', '该批次已截单，不能延长；请开启新批次');
      if (Date.parse(to) <= now)
        throw new AppError('COMMON.INVALID_INPUT', '新的截单时间要晚于现在', [
          { path: 'closesAt', message: '要晚于现在' },
        ]);
      if (Date.parse(to) <= Date.parse(round.closesAt))
        throw new AppError('COMMON.INVALID_INPUT', '新的截单时间要晚于原截单时间', [
          { path: 'closesAt', message: '要晚于原截单时间' },
        ]);
      const moved = await moveClose(ctx, round, to);
      await syncShop(ctx, moved);
      return roundView(moved, ctx.now);
    },
  },

  'order.closeRound': {
    input: z.object({ roundId: id }).strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const round = await roundOf(ctx, admin.communityId, input.roundId);
      // Closed already (a retry, or it ran out): answered as it is; orders placed in it stay.
      const closed =
        Date.parse(round.closesAt) <= ctx.now.getTime() ? round : await moveClose(ctx, round, ctx.now.toISOString());
      await syncShop(ctx, closed);
      return roundView(closed, ctx.now);
    },
  },

  'order.roundFill': {
    input: z.object({ roundIds: z.array(id).min(1).max(20) }).strict(),
    async handle(ctx, input): Promise<RoundFillView[]> {
      const admin = await requireAdmin(ctx);
      const _ = ctx.db.command;
      const $ = aggregateOps(ctx);
      const ids = [...new Set(input.roundIds)];
      const [rounds, grids] = await Promise.all([
        all(ctx, 'rounds', { _id: _.in(ids), communityId: admin.communityId }, { communityId: true }),
        all(ctx, 'grids', { communityId: admin.communityId }, { communityId: true }),
      ]);
      const householdsTotal = grids.length
        ? ((
            await ctx.db
              .collection('households')
              .where({ gridId: _.in(grids.map((g) => g._id)) })
              .count()
          ).total ?? 0)
        : 0;
      const mine = new Set(rounds.map((r) => r._id));
      return Promise.all(
        ids
          .filter((roundId) => mine.has(roundId))
          .map(async (roundId) => {
            const live = { roundId, status: _.in(LIVE) };
            const [orders, households] = await Promise.all([
              ctx.db.collection('orders').where(live).count(),
              aggregateAll<{ n: number }>(ctx, 'orders', [
                { match: live },
                { group: { _id: '$householdId' } },
                { group: { _id: null, n: $.sum(1) } },
              ]),
            ]);
            return { roundId, orders: orders.total ?? 0, households: households[0]?.n ?? 0, householdsTotal };
          }),
      );
    },
  },
});
