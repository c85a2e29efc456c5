/** Purchase and packing lists of a round, and their Excel export. */
import { DISPATCH_LISTS } from '../../../typings/values';
import { AppError } from '../../../core/errors';
import { maskName, maskPhone } from '../../../core/mask';
import type { PackingListView, PurchaseListView } from '../../../typings/api';
import type { OrderDoc, OrderStatus } from '../../../typings/entities';
import { getByIds, requireGridStaff } from '../../lib/access';
import { logAccess } from '../../lib/access-log';
import { defineActions, type UserContext } from '../../lib/define-function';
import { workbook } from '../../lib/excel';
import { all } from '../../lib/query';
import { naturalCompare } from '../../../core/natural-sort';
import { z } from '../../lib/validate';
import { id, staffGrids, roundOf } from './shared';

/** Orders accepted by the gridworker, whose goods are bought and packed (the lists' default). */
const ACCEPTED_STATUSES: OrderStatus[] = ['accepted', 'assigned', 'pickedUp', 'failed', 'delivered', 'received'];

/** What a list counts: accepted orders only (default), or those still waiting to be accepted too. */
function statusesOf(withSubmitted: boolean | undefined): OrderStatus[] {
  return withSubmitted ? ['submitted', ...ACCEPTED_STATUSES] : ACCEPTED_STATUSES;
}

/** Which orders a list holds, in words. */
function basisText(withSubmitted: boolean | undefined): string {
  return withSubmitted ? '已接单和待接单的订单' : '已接单的订单（不含待接单）';
}

function linesText(lines: ReadonlyArray<{ name: string; qty: number; unit: string }>): string {
  return lines.map((l) => `${l.name}×${l.qty}${l.unit}`).join('，');
}

async function purchaseList(
  ctx: UserContext,
  roundId: string,
  gridId: string | undefined,
  withSubmitted?: boolean,
): Promise<PurchaseListView> {
  const { user, grids } = await staffGrids(ctx);
  const _ = ctx.db.command;
  let scopeGrids = grids;
  if (gridId) {
    const grid = grids.find((g) => g._id === gridId);
    if (!grid) throw new AppError('AUTH.NOT_GRIDWORKER');
    scopeGrids = [grid];
  }
  const round = await roundOf(ctx, roundId, user.communityId as string);
  const scope = { roundId, gridId: _.in(scopeGrids.map((g) => g._id)) };
  const [orders, waiting] = await Promise.all([
    all(ctx, 'orders', { ...scope, status: _.in(statusesOf(withSubmitted)) }),
    withSubmitted
      ? Promise.resolve({ total: 0 })
      : ctx.db
          .collection('orders')
          .where({ ...scope, status: 'submitted' })
          .count(),
  ]);
  const items = new Map<string, PurchaseListView['items'][number]>();
  for (const o of orders) {
    for (const l of o.lines) {
      const key = `${l.itemId}\u0000${l.unit}`;
      const seen = items.get(key);
      if (seen) {
        seen.qty += l.qty;
        seen.orders += 1;
      } else items.set(key, { itemId: l.itemId, name: l.name, unit: l.unit, qty: l.qty, orders: 1 });
    }
  }
  const wholeCommunity = !gridId && user.roles.includes('communityAdmin');
  return {
    roundId,
    roundName: round.name,
    scope: wholeCommunity ? '全社区' : scopeGrids.map((g) => g.name).join('、'),
    orderCount: orders.length,
    basis: basisText(withSubmitted),
    withSubmitted: Boolean(withSubmitted),
    submittedLeftOut: waiting.total ?? 0,
    items: [...items.values()].sort((a, b) => naturalCompare(a.name, b.name)),
    medicine: orders.filter((o) => o.kind === 'medicine').length,
    gas: orders.filter((o) => o.kind === 'gas').length,
  };
}

async function packingList(
  ctx: UserContext,
  roundId: string,
  gridId: string,
  withSubmitted?: boolean,
  logAs: 'dispatch.packingList' | 'dispatch.exportLists' = 'dispatch.packingList',
): Promise<PackingListView> {
  const { user, grid } = await requireGridStaff(ctx, gridId);
  const _ = ctx.db.command;
  const round = await roundOf(ctx, roundId, user.communityId ?? grid.communityId);
  const orders = await all(ctx, 'orders', { roundId, gridId, status: _.in(statusesOf(withSubmitted)) });
  const [households, buildings] = await Promise.all([
    getByIds(
      ctx,
      'households',
      orders.map((o) => o.householdId),
    ),
    all(ctx, 'buildings', { gridId }),
  ]);
  const byHousehold = new Map(households.map((h) => [h._id, h]));
  const roomOrder = (a: OrderDoc, b: OrderDoc) => naturalCompare(a.room, b.room);
  await logAccess(ctx, { view: logAs, communityId: grid.communityId, subject: grid.name, rows: orders.length });
  return {
    roundId,
    roundName: round.name,
    gridName: grid.name,
    basis: basisText(withSubmitted),
    buildings: buildings
      .sort((a, b) => naturalCompare(a.name, b.name))
      .map((b) => ({
        buildingId: b._id,
        buildingName: b.name,
        rooms: orders
          .filter((o) => o.buildingId === b._id)
          .sort(roomOrder)
          .map((o) => {
            const h = byHousehold.get(o.householdId);
            return {
              orderId: o._id,
              room: o.room,
              headMasked: h ? maskName(h.headName) : '',
              phoneMasked: h ? maskPhone(h.phone) : '',
              priority: o.priority,
              contactless: o.contactless,
              lines: o.medicine
                ? `药品：${o.medicine.description}`
                : o.kind === 'gas'
                  ? '液化气换瓶'
                  : linesText(o.lines),
              note: o.note,
            };
          }),
      }))
      .filter((b) => b.rooms.length > 0),
  };
}

export const listActions = defineActions('dispatch', {
  'dispatch.purchaseList': {
    input: z.object({ roundId: id, gridId: id.optional(), withSubmitted: z.boolean().optional() }).strict(),
    handle: (ctx, input) => purchaseList(ctx, input.roundId, input.gridId, input.withSubmitted),
  },

  'dispatch.packingList': {
    input: z.object({ roundId: id, gridId: id, withSubmitted: z.boolean().optional() }).strict(),
    handle: (ctx, input) => packingList(ctx, input.roundId, input.gridId, input.withSubmitted),
  },

  'dispatch.exportLists': {
    input: z
      .object({
        roundId: id,
        gridId: id.optional(),
        list: z.enum(DISPATCH_LISTS),
        withSubmitted: z.boolean().optional(),
      })
      .strict()
      .refine((v) => v.list === 'purchase' || Boolean(v.gridId), { message: '分拣单请先选择网格', path: ['gridId'] }),
    async handle(ctx, input) {
      if (input.list === 'purchase') {
        const view = await purchaseList(ctx, input.roundId, input.gridId, input.withSubmitted);
        return workbook(`${view.roundName}-${view.scope}-采购汇总.xlsx`, [
          {
            name: '采购汇总',
            title: `${view.roundName} ${view.scope} 采购汇总（${view.basis} ${view.orderCount} 单）`,
            columns: [
              { header: '商品', width: 20 },
              { header: '数量', width: 10 },
              { header: '单位', width: 8 },
              { header: '订单数', width: 10 },
            ],
            rows: [
              ...view.items.map((i) => [i.name, i.qty, i.unit, i.orders]),
              ...(view.medicine ? [['代购药品（另见分拣单）', view.medicine, '单', view.medicine]] : []),
              ...(view.gas ? [['液化气换瓶', view.gas, '瓶', view.gas]] : []),
            ],
          },
        ]);
      }
      const view = await packingList(
        ctx,
        input.roundId,
        input.gridId as string,
        input.withSubmitted,
        'dispatch.exportLists',
      );
      return workbook(`${view.roundName}-${view.gridName}-分拣单.xlsx`, [
        {
          name: '分拣单',
          title: `${view.roundName} ${view.gridName} 分拣单（${view.basis}，按楼栋、房号）`,
          columns: [
            { header: '楼栋', width: 12 },
            { header: '房号', width: 10 },
            { header: '户主', width: 10 },
            { header: '电话', width: 14 },
            { header: '物资', width: 40 },
            { header: '备注', width: 20 },
          ],
          rows: view.buildings.flatMap((b) =>
            b.rooms.map((r) => [
              b.buildingName,
              r.room,
              r.headMasked,
              r.phoneMasked,
              r.lines,
              [r.priority ? '特殊需求优先' : '', r.contactless ? '无接触' : '', r.note].filter(Boolean).join('；'),
            ]),
          ),
        },
      ]);
    },
  },
});
