/** What ordering's capabilities share: views of orders, rounds and the catalogue; the shop and the round open now. */
import { randomInt } from 'node:crypto';
import { AppError } from '../../../core/errors';
import { makeHandoverCode } from '../../../core/jobs';
import { ORDER_STATUS_TEXT, shownStatus } from '../../../core/order/labels';
import { roundIsOpen } from '../../../core/order/placement';
import { statusesAllowing } from '../../../core/order/state-machine';
import type { CatalogItemView, OrderView, Page, RoundView } from '../../../typings/api';
import type {
  CatalogItem,
  HouseholdDoc,
  OrderDoc,
  RefundDoc,
  RoundDoc,
  ShopDoc,
  ShopRound,
} from '../../../typings/entities';
import { payView, type PayViewer } from '../../../core/payment/view';
import { isDuplicateError } from '../../lib/db-errors';
import { type CallContext, type UserContext } from '../../lib/define-function';
import { requireResident } from '../../lib/access';
import { LIST_DEFAULT, LIST_MAX } from '../../lib/query';
import { idString } from '../../lib/validate';

export const id = idString();

const RESIDENT_CANCELLABLE = statusesAllowing('cancel', 'resident');

export function roundView(r: Pick<RoundDoc, '_id' | 'name' | 'opensAt' | 'closesAt'>, now: Date): RoundView {
  return { id: r._id, name: r.name, opensAt: r.opensAt, closesAt: r.closesAt, open: roundIsOpen(r, now) };
}

/** A round as the shop keeps it, as pages see it. */
export const shopRoundView = (r: ShopRound, now: Date): RoundView => roundView({ _id: r.id, ...r }, now);

/** An order as its household and gridworkers see it (`pay`: its refunds and who looks, issue 19). */
export function orderView(o: OrderDoc, pay: Partial<PayViewer> & { refunds?: readonly RefundDoc[] } = {}): OrderView {
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
    pay: payView(o, pay.refunds ?? [], {
      staff: pay.staff ?? false,
      mayPay: pay.mayPay ?? false,
      now: pay.now ?? new Date(0),
    }),
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

/** The round of a shop taking orders now (the latest opened, if several), if any. */
export function openRound(shop: Pick<ShopDoc, 'rounds'> | null, now: Date): ShopRound | null {
  const open = (shop?.rounds ?? []).filter((r) => roundIsOpen(r, now));
  return open.sort((a, b) => b.opensAt.localeCompare(a.opensAt))[0] ?? null;
}

/** An empty shop for a community (its first item or round creates it). */
export function emptyShop(communityId: string): ShopDoc {
  return { _id: communityId, communityId, items: {}, rounds: [], placing: {}, returning: {}, restocking: {} };
}

/** Makes sure a community has its shop document (created once; a concurrent creation is fine). */
export async function ensureShop(ctx: CallContext, communityId: string): Promise<void> {
  const res = await ctx.db.collection('shops').where({ _id: communityId }).count();
  if (res.total) return;
  try {
    await ctx.db.collection('shops').add(emptyShop(communityId));
  } catch (error) {
    if (!isDuplicateError(error)) throw error;
  }
}

/**
 * The household the caller orders for as a resident, in one read: the household whose members
 * include the caller (the usual case). Someone listed in two households (moved house) is resolved
 * through their user record, as `requireResident` does.
 */
export async function myHousehold(ctx: UserContext): Promise<HouseholdDoc> {
  const found = (await ctx.db.collection('households').where({ memberOpenids: ctx.caller.openid }).limit(2).get())
    .data as HouseholdDoc[];
  if (found.length === 1) return found[0] as HouseholdDoc;
  if (found.length === 0) throw new AppError('AUTH.NOT_MEMBER');
  return (await requireResident(ctx)).household;
}

const cryptoRng = () => randomInt(0, 1_000_000) / 1_000_000;

/** A fresh 取货码 for a household's round. */
export const newDoorCode = () => makeHandoverCode(cryptoRng);

/** One page of items in memory, in a stable order, with an opaque cursor (the index to start at). */
export function pageInMemory<T>(all: readonly T[], request: { cursor?: string; limit?: number }): Page<T> {
  const limit = Math.min(LIST_MAX, Math.max(1, request.limit ?? LIST_DEFAULT));
  let start = 0;
  if (request.cursor) {
    const n = Number(Buffer.from(request.cursor, 'base64url').toString('utf8'));
    if (!Number.isInteger(n) || n < 0 || n > all.length)
      throw new AppError('COMMON.INVALID_INPUT', '翻页位置无效，请刷新列表后重试', [
        { path: 'cursor', message: '翻页位置无效' },
      ]);
    start = n;
  }
  const items = all.slice(start, start + limit);
  const next = start + items.length;
  return {
    items,
    nextCursor: next < all.length ? Buffer.from(String(next)).toString('base64url') : null,
    total: all.length,
  };
}
