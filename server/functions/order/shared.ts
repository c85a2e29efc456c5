/** What ordering's capabilities share: views of orders, rounds and the catalogue; the round open now. */
import { ORDER_STATUS_TEXT, shownStatus } from '../../../core/order/labels';
import { roundIsOpen } from '../../../core/order/placement';
import { statusesAllowing } from '../../../core/order/state-machine';
import type { CatalogItemView, OrderView, RoundView } from '../../../typings/api';
import type { CatalogItem, OrderDoc, RoundDoc } from '../../../typings/entities';
import { type CallContext } from '../../lib/define-function';
import { PAGE } from '../../lib/query';
import { idString } from '../../lib/validate';

export const id = idString();

const RESIDENT_CANCELLABLE = statusesAllowing('cancel', 'resident');

export function roundView(r: RoundDoc, now: Date): RoundView {
  return { id: r._id, name: r.name, opensAt: r.opensAt, closesAt: r.closesAt, open: roundIsOpen(r, now) };
}

/** An order as its household and gridworkers see it. */
export function orderView(o: OrderDoc): OrderView {
  const status = shownStatus(o.status);
  return {
    id: o._id,
    kind: o.kind,
    status,
    statusText: ORDER_STATUS_TEXT[o.status],
    roundId: o.roundId,
    lines: o.lines,
    medicine: o.medicine,
    gas: o.gas,
    totalFen: o.totalFen,
    payment: o.payment,
    contactless: o.contactless,
    note: o.note,
    priority: o.priority,
    onBehalf: o.onBehalf,
    room: o.room,
    rejectReason: o.rejectReason,
    createdAt: o.createdAt,
    canCancel: RESIDENT_CANCELLABLE.includes(status),
    canConfirm: status === 'delivered',
  };
}

/** A catalogue item as pages see it (without the household's remaining quota). */
export function catalogueView(item: CatalogItem): Omit<CatalogItemView, 'remaining'> {
  return {
    id: item._id,
    name: item.name,
    category: item.category,
    unit: item.unit,
    priceFen: item.priceFen,
    stock: item.stock,
    perHouseholdLimit: item.perHouseholdLimit,
    soldOut: item.stock <= 0,
  };
}

/** The round taking orders now, if any. */
export async function currentRound(ctx: CallContext, communityId: string): Promise<RoundDoc | null> {
  const _ = ctx.db.command;
  const now = ctx.now.toISOString();
  const res = await ctx.db
    .collection('rounds')
    .where({ communityId, opensAt: _.lte(now), closesAt: _.gt(now) })
    .orderBy('opensAt', 'desc')
    .limit(1)
    .get();
  return ((res.data as RoundDoc[])[0] ?? null) as RoundDoc | null;
}

export async function activeCatalogue(ctx: CallContext, communityId: string): Promise<CatalogItem[]> {
  // Every active item (not a first 1,000), without the holds (order ids) nobody needs to see.
  const out: CatalogItem[] = [];
  for (let skip = 0; ; skip += PAGE) {
    const res = await ctx.db
      .collection('catalog')
      .where({ communityId, active: true })
      .field({ holds: false })
      .orderBy('_id', 'asc')
      .skip(skip)
      .limit(PAGE)
      .get();
    out.push(...(res.data as CatalogItem[]));
    if (res.data.length < PAGE) return out;
  }
}
