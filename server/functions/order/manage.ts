/** The community admin's side: catalogue items and ordering rounds. */
import { CATALOG_CATEGORIES, UNITS } from '../../../typings/values';
import { AppError } from '../../../core/errors';
import type { CatalogAdminItemView } from '../../../typings/api';
import type { CatalogItem, RoundDoc } from '../../../typings/entities';
import { getDoc, mustGet } from '../../lib/access';
import { isDuplicateError } from '../../lib/db-errors';
import { defineActions } from '../../lib/define-function';
import { requestKey } from '../../lib/idempotency';
import { mapPage, pageFields, pageOf } from '../../lib/query';
import { findUser, requireAdmin } from '../../lib/users';
import { text, instant, z } from '../../lib/validate';
import { catalogueView, id, roundView } from './shared';

/** An item as the admin keeps it: shown or hidden, without the holds and restock keys. */
export function adminItemView(item: CatalogItem): CatalogAdminItemView {
  return { ...catalogueView(item), active: item.active };
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
      })
      .strict(),
    async handle(ctx, input) {
      const user = await findUser(ctx);
      if (!user?.roles.includes('communityAdmin') || !user.communityId) throw new AppError('AUTH.NOT_ADMIN');
      const { id: itemId, stock, ...fields } = input;
      if (itemId) {
        const item = await mustGet(ctx, 'catalog', itemId, '商品');
        if (item.communityId !== user.communityId) throw new AppError('AUTH.NOT_ADMIN');
        // Restocking sets the count; orders take from it with conditional writes, never from a stale copy.
        await ctx.db
          .collection('catalog')
          .doc(itemId)
          .update(stock === undefined ? fields : { ...fields, stock });
        const saved = { ...item, ...fields, ...(stock === undefined ? {} : { stock }) };
        return adminItemView(saved);
      }
      const fresh = { communityId: user.communityId, ...fields, stock: stock ?? 0, holds: [] as string[] };
      const { id: newId } = (await ctx.db.collection('catalog').add(fresh)) as { id: string };
      return adminItemView({ _id: newId, ...fresh });
    },
  },

  'order.items': {
    input: z.object(pageFields).strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      // Hidden items too (the admin shows them again); by category, then name.
      const page = await pageOf(ctx, 'catalog', { communityId: admin.communityId }, input, [
        { field: 'category', dir: 'asc' },
        { field: 'name', dir: 'asc' },
      ]);
      return mapPage(page, adminItemView);
    },
  },

  'order.restock': {
    input: z.object({ itemId: id, qty: z.number().int().min(1).max(100_000) }).strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const _ = ctx.db.command;
      const key = requestKey(ctx, `order.restock:${input.itemId}`);
      const item = await getDoc(ctx, 'catalog', input.itemId);
      if (!item || item.communityId !== admin.communityId) throw new AppError('COMMON.NOT_FOUND', '没有找到该商品');
      // One atomic increment, never read-then-set: orders taking stock meanwhile are kept. The key
      // of this request goes in with it, so a retry of the same request adds the quantity once.
      await ctx.db
        .collection('catalog')
        .where({ _id: item._id, communityId: admin.communityId, restocks: _.neq(key) })
        .update({ stock: _.inc(input.qty), restocks: _.push([key]) });
      return adminItemView((await getDoc(ctx, 'catalog', item._id)) ?? item);
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
      if (ctx.requestId) {
        // The page sends one request id per intent: a retried tap answers the round it opened.
        const _id = requestKey(ctx, 'order.openRound');
        try {
          await ctx.db.collection('rounds').add({ _id, ...round });
        } catch (error) {
          if (!isDuplicateError(error)) throw error;
          return roundView(await mustGet(ctx, 'rounds', _id, '批次'), ctx.now);
        }
        return roundView({ _id, ...round }, ctx.now);
      }
      const { id: roundId } = (await ctx.db.collection('rounds').add(round)) as { id: string };
      return roundView({ _id: roundId, ...round }, ctx.now);
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
