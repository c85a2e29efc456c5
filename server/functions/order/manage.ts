/** The community admin's side: catalogue items (on the community's shop) and ordering rounds. */
import { randomUUID } from 'node:crypto';
import { CATALOG_CATEGORIES, UNITS } from '../../../typings/values';
import { AppError } from '../../../core/errors';
import type { CatalogAdminItemView } from '../../../typings/api';
import type { CatalogItem, RoundDoc, ShopDoc, ShopItem, ShopRound } from '../../../typings/entities';
import { getDoc, mustGet } from '../../lib/access';
import { isDuplicateError } from '../../lib/db-errors';
import { defineActions, type CallContext } from '../../lib/define-function';
import { getShop, shopItem, shopItems } from '../../lib/holds';
import { requestKey } from '../../lib/idempotency';
import { mapPage, pageFields, pageOf } from '../../lib/query';
import { findUser, requireAdmin } from '../../lib/users';
import { text, instant, z } from '../../lib/validate';
import { catalogueView, emptyShop, id, pageInMemory, roundView } from './shared';

/** An item as the admin keeps it: shown or hidden. */
export function adminItemView(item: CatalogItem): CatalogAdminItemView {
  return {
    ...catalogueView(item),
    active: item.active,
    supplier: item.supplier ?? '',
    ...(item.kgPerUnit ? { kgPerUnit: item.kgPerUnit } : {}),
  };
}

/**
 * Applies a change to a community's shop, creating the shop first if the community has none yet
 * (its first item or round). `change` answers how many documents it updated.
 */
async function onShop(
  ctx: CallContext,
  communityId: string,
  change: () => Promise<{ updated?: number }>,
): Promise<number> {
  const first = await change();
  if (first.updated) return first.updated;
  if (await getShop(ctx, communityId)) return 0;
  try {
    await ctx.db.collection('shops').add(emptyShop(communityId));
  } catch (error) {
    if (!isDuplicateError(error)) throw error;
  }
  return (await change()).updated ?? 0;
}

/** Adds a round to the shop's open-or-upcoming list (once) and drops the rounds that have ended. */
async function mirrorRound(ctx: CallContext, round: RoundDoc): Promise<void> {
  const _ = ctx.db.command;
  const shops = ctx.db.collection('shops');
  const entry: ShopRound = { id: round._id, name: round.name, opensAt: round.opensAt, closesAt: round.closesAt };
  await shops
    .doc(round.communityId)
    .update({ rounds: _.pull({ closesAt: _.lte(ctx.now.toISOString()) }) })
    .catch(() => undefined);
  if (Date.parse(round.closesAt) <= ctx.now.getTime()) return;
  await onShop(ctx, round.communityId, () =>
    shops.where({ _id: round.communityId, 'rounds.id': _.neq(round._id) }).update({ rounds: _.push([entry]) }),
  );
}

export const manageActions = defineActions('order', {
  'order.saveItem': {
    input: z
      .object({
        id: id.optional(),
        name: text(40, 1, '请填写商品名称'),
        category: z.enum(CATALOG_CATEGORIES),
        unit: z.enum(UNITS),
        priceFen: z.number().int().min(0).max(1_000_000),
        stock: z.number().int().min(0).max(1_000_000).optional(),
        perHouseholdLimit: z.number().int().min(1).max(100),
        active: z.boolean(),
        /** Who supplies it (the round's settlement); empty: 未指定供应商. */
        supplier: text(30, 0).optional(),
        /** Weight of one unit, kg: what volunteers carry (a 15 kg cylinder, a 5 kg bag of rice). */
        kgPerUnit: z.number().min(0.01).max(100).optional(),
      })
      .strict(),
    async handle(ctx, input) {
      const user = await findUser(ctx);
      if (!user?.roles.includes('communityAdmin') || !user.communityId) throw new AppError('AUTH.NOT_ADMIN');
      const communityId = user.communityId;
      const _ = ctx.db.command;
      const shops = ctx.db.collection('shops');
      const { id: itemId, stock, ...fields } = input;
      if (itemId) {
        const item = shopItem(await getShop(ctx, communityId), itemId);
        if (!item) throw new AppError('COMMON.NOT_FOUND', '没有找到该商品');
        // A stocktake sets the count; orders take from it with conditional increments, never from a stale copy.
        const change = { ...fields, ...(stock === undefined ? {} : { stock }) };
        await shops
          .where({ _id: communityId, [`items.${itemId}`]: _.exists(true) })
          .update(Object.fromEntries(Object.entries(change).map(([k, v]) => [`items.${itemId}.${k}`, v])));
        return adminItemView({ _id: itemId, communityId, ...item, ...change });
      }
      // A retried tap adds the item once (its id comes from the request).
      const newId = ctx.requestId ? requestKey(ctx, 'order.saveItem') : randomUUID().replace(/-/g, '');
      const fresh: ShopItem = { ...fields, stock: stock ?? 0 };
      await onShop(ctx, communityId, () =>
        shops
          .where({ _id: communityId, [`items.${newId}`]: _.exists(false) })
          .update({ [`items.${newId}`]: _.set(fresh) }),
      );
      const saved = shopItem(await getShop(ctx, communityId), newId) ?? fresh;
      return adminItemView({ _id: newId, communityId, ...saved });
    },
  },

  'order.items': {
    input: z.object(pageFields).strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      // Hidden items too (the admin shows them again); by category, then name.
      const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
      const items = shopItems(await getShop(ctx, admin.communityId)).sort(
        (a, b) => cmp(a.category, b.category) || cmp(a.name, b.name) || cmp(a._id, b._id),
      );
      return mapPage(pageInMemory(items, input), adminItemView);
    },
  },

  'order.restock': {
    input: z.object({ itemId: id, qty: z.number().int().min(1).max(100_000) }).strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const _ = ctx.db.command;
      const key = requestKey(ctx, `order.restock:${input.itemId}`);
      const c = admin.communityId;
      const view = (shop: ShopDoc | null) => {
        const item = shopItem(shop, input.itemId);
        if (!item) throw new AppError('COMMON.NOT_FOUND', '没有找到该商品');
        return adminItemView({ _id: input.itemId, communityId: c, ...item });
      };
      // Read first: an item not of this community is refused before any write.
      const read = await getShop(ctx, c);
      view(read);
      // Added already (a retry: its marker still there, or its log entry): the answer only.
      if (!read?.restocking?.[key] && (await getDoc(ctx, 'restocks', key))) return view(read);
      // One atomic increment with this request's marker: orders taking stock meanwhile are kept,
      // and a retry (the marker there) adds nothing. The log entry below outlives the marker.
      const at = ctx.now.toISOString();
      const res = read?.restocking?.[key]
        ? { updated: 0 }
        : ((await ctx.db
            .collection('shops')
            .where({ _id: c, [`items.${input.itemId}`]: _.exists(true), [`restocking.${key}`]: _.exists(false) })
            .updateAndReturn({
              [`items.${input.itemId}.stock`]: _.inc(input.qty),
              [`restocking.${key}`]: { at, itemId: input.itemId, qty: input.qty, by: ctx.caller.openid },
            })) as { updated?: number; doc?: ShopDoc | null });
      const shop = res.updated && 'doc' in res && res.doc ? res.doc : await getShop(ctx, c);
      const answer = view(shop);
      if (!shop?.restocking?.[key]) throw new AppError('COMMON.CONFLICT', '补货未完成，请重试');
      try {
        await ctx.db
          .collection('restocks')
          .add({ _id: key, communityId: c, itemId: input.itemId, qty: input.qty, by: ctx.caller.openid, at });
      } catch (error) {
        if (!isDuplicateError(error)) throw error;
      }
      return answer;
    },
  },

  'order.openRound': {
    input: z
      .object({ name: text(30), opensAt: instant(), closesAt: instant() })
      .strict()
      .refine((v) => Date.parse(v.closesAt) > Date.parse(v.opensAt), {
        message: '截单时间要晚于开始时间',
        path: ['closesAt'],
      }),
    async handle(ctx, input) {
      const user = await findUser(ctx);
      if (!user?.roles.includes('communityAdmin') || !user.communityId) throw new AppError('AUTH.NOT_ADMIN');
      const round: Omit<RoundDoc, '_id'> = {
        communityId: user.communityId,
        name: input.name,
        opensAt: new Date(input.opensAt).toISOString(),
        closesAt: new Date(input.closesAt).toISOString(),
        createdBy: ctx.caller.openid,
      };
      let saved: RoundDoc;
      if (ctx.requestId) {
        // The page sends one request id per intent: a retried tap answers the round it opened.
        const _id = requestKey(ctx, 'order.openRound');
        try {
          await ctx.db.collection('rounds').add({ _id, ...round });
          saved = { _id, ...round };
        } catch (error) {
          if (!isDuplicateError(error)) throw error;
          saved = await mustGet(ctx, 'rounds', _id, '批次');
        }
      } else {
        const { id: roundId } = (await ctx.db.collection('rounds').add(round)) as { id: string };
        saved = { _id: roundId, ...round };
      }
      // Placement reads the rounds from the shop (the same read as the catalogue).
      await mirrorRound(ctx, saved);
      return roundView(saved, ctx.now);
    },
  },

  'order.rounds': {
    input: z.object(pageFields).strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const page = await pageOf(ctx, 'rounds', { communityId: admin.communityId }, input, [
        { field: 'opensAt', dir: 'desc' },
      ]);
      return mapPage(page, (r) => roundView(r, ctx.now));
    },
  },
});
