/** What a placed order holds (the household's quota of the round, stock of the catalogue) and giving it back. */
import type { OrderDoc } from '../../typings/entities';

export type { QuotaDoc } from '../../typings/entities';
import type { CallContext } from './define-function';

/** The quota document of a household in a round. */
export const quotaId = (roundId: string, householdId: string) => `${roundId}:${householdId}`;

/** Gives back whatever this order took (quota and stock); safe to repeat. */
export async function releaseHolds(
  ctx: CallContext,
  order: Pick<OrderDoc, '_id' | 'roundId' | 'householdId' | 'lines'>,
): Promise<void> {
  if (order.lines.length === 0) return;
  const _ = ctx.db.command;
  await Promise.all([
    ctx.db
      .collection('quotas')
      .where({ _id: quotaId(order.roundId, order.householdId), orders: order._id })
      .update({
        orders: _.pull(order._id),
        used: Object.fromEntries(order.lines.map((l) => [l.itemId, _.inc(-l.qty)])),
      }),
    ...order.lines.map((l) =>
      ctx.db
        .collection('catalog')
        .where({ _id: l.itemId, holds: order._id })
        .update({ stock: _.inc(l.qty), holds: _.pull(order._id) }),
    ),
  ]);
}
