/**
 * People without smartphones (代下单, Taiyuan and Wuhan): the slip of an order a gridworker placed
 * for a household — items, the 取货码 and when it comes — to print and hand over, so at the door
 * the volunteer takes the code (dispatch's handover), not a photo. Only that grid's gridworker and
 * the community admin read it (the code opens the household's delivery).
 *
 * It lives here, apart from the order function, because it only reads; it reads orders and rounds.
 */
import { AppError } from '../../../core/errors';
import { maskName } from '../../../core/mask';
import { toChinaIso } from '../../../core/time';
import type { OrderSlipView } from '../../../typings/api';
import type { OrderDoc } from '../../../typings/entities';
import { ORDER_STATUS_LABELS, PAYMENT_MODE_LABELS } from '../../../typings/values';
import { getByIds, mustGet } from '../../lib/access';
import { defineActions } from '../../lib/define-function';
import { pageFields, pageOf } from '../../lib/query';
import { findUser } from '../../lib/users';
import { z } from '../../lib/validate';
import { id, maySeeResults } from './shared';

/** Orders that never go out have no slip. */
const NO_SLIP = ['cancelled', 'rejected', 'placing'];

export const assistActions = defineActions('testing', {
  'testing.orderSlips': {
    input: z.object({ gridId: id, orderId: id.optional(), ...pageFields }).strict(),
    async handle(ctx, input) {
      const [user, grid] = await Promise.all([findUser(ctx), mustGet(ctx, 'grids', input.gridId, '网格')]);
      if (!maySeeResults(user, grid))
        throw new AppError('AUTH.NOT_GRIDWORKER', '代下单小票仅限本网格网格员和社区管理员打印');
      const _ = ctx.db.command;
      const where = {
        gridId: grid._id,
        onBehalf: true,
        status: _.nin(NO_SLIP),
        ...(input.orderId ? { _id: input.orderId } : {}),
      };
      const page = await pageOf(ctx, 'orders', where, input, [{ field: 'createdAt', dir: 'desc' }]);
      const [households, buildings, rounds] = await Promise.all([
        getByIds(
          ctx,
          'households',
          page.items.map((o) => o.householdId),
        ),
        getByIds(
          ctx,
          'buildings',
          page.items.map((o) => o.buildingId),
        ),
        getByIds(
          ctx,
          'rounds',
          page.items.map((o) => o.roundId),
        ),
      ]);
      const hh = new Map(households.map((h) => [h._id, h]));
      const names = new Map(buildings.map((b) => [b._id, b.name]));
      const rs = new Map(rounds.map((r) => [r._id, r]));
      const slip = (o: OrderDoc): OrderSlipView => {
        const round = rs.get(o.roundId) as (typeof rounds)[number] & { deliveryDay?: string | null };
        return {
          orderId: o._id,
          place: `${names.get(o.buildingId) ?? ''} ${o.room}`.trim(),
          headNameMasked: maskName(hh.get(o.householdId)?.headName ?? ''),
          lines: o.lines.map((l) => ({ name: l.name, qty: l.qty, unit: l.unit, priceFen: l.priceFen })),
          totalFen: o.totalFen,
          payment: PAYMENT_MODE_LABELS[o.payment],
          code: o.handoverCode ?? null,
          roundName: round?.name ?? '',
          closesAt: round?.closesAt ? toChinaIso(new Date(round.closesAt)) : null,
          deliveryDay: round?.deliveryDay ?? null,
          status: o.status === 'placing' ? '' : ORDER_STATUS_LABELS[o.status],
          createdAt: toChinaIso(new Date(o.createdAt)),
        };
      };
      return { items: page.items.map(slip), nextCursor: page.nextCursor, total: page.total };
    },
  },
});
