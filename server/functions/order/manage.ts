/** The community admin's side: catalogue items and ordering rounds. */
import { CATALOG_CATEGORIES, UNITS } from '../../../typings/values';
import { AppError } from '../../../core/errors';
import type { RoundDoc } from '../../../typings/entities';
import { mustGet } from '../../lib/access';
import { defineActions } from '../../lib/define-function';
import { findUser } from '../../lib/users';
import { text, instant, z } from '../../lib/validate';
import { catalogueView, id, roundView } from './shared';

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
        await ctx.db.collection('catalog').doc(itemId).update(stock === undefined ? fields : { ...fields, stock });
        const saved = { ...item, ...fields, ...(stock === undefined ? {} : { stock }) };
        return { ...catalogueView(saved), remaining: saved.perHouseholdLimit };
      }
      const fresh = { communityId: user.communityId, ...fields, stock: stock ?? 0, holds: [] as string[] };
      const { id: newId } = (await ctx.db.collection('catalog').add(fresh)) as { id: string };
      return { ...catalogueView({ _id: newId, ...fresh }), remaining: fresh.perHouseholdLimit };
    },
  },

  'order.openRound': {
    input: z
      .object({ name: text(30), opensAt: instant(), closesAt: instant() })
      .strict()
      .refine((v) => Date.parse(v.closesAt) > Date.parse(v.opensAt), { message: '截单时间要晚于开始时间', path: ['closesAt'] }),
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
      const { id: roundId } = (await ctx.db.collection('rounds').add(round)) as { id: string };
      return roundView({ _id: roundId, ...round }, ctx.now);
    },
  },
});
