/** Purchase and packing lists of a round, and their Excel export. */
import { DISPATCH_LISTS } from '../../../typings/values';
import { AppError } from '../../../core/errors';
import { maskName, maskPhone } from '../../../core/mask';
import type { PackingListView, PurchaseListView } from '../../../typings/api';
import type { OrderDoc, OrderStatus } from '../../../typings/entities';
import { getByIds, requireGridStaff } from '../../lib/access';
import { defineActions, type UserContext } from '../../lib/define-function';
import { workbook } from '../../lib/excel';
import { all } from '../../lib/query';
import { z } from '../../lib/validate';
import { id, staffGrids, roundOf } from './shared';

/** Statuses whose goods are still to be bought and packed. */
const LIVE_STATUSES: OrderStatus[] = [
  'submitted',
  'accepted',
  'assigned',
  'pickedUp',
  'failed',
  'delivered',
  'received',
];

function linesText(lines: ReadonlyArray<{ name: string; qty: number; unit: string }>): string {
  return lines.map((l) => `${l.name}×${l.qty}${l.unit}`).join('，');
}

async function purchaseList(ctx: UserContext, roundId: string, gridId: string | undefined): Promise<PurchaseListView> {
  const { user, grids } = await staffGrids(ctx);
  const _ = ctx.db.command;
  let scopeGrids = grids;
  if (gridId) {
    const grid = grids.find((g) => g._id === gridId);
    if (!grid) throw new AppError('AUTH.NOT_GRIDWORKER');
    scopeGrids = [grid];
  }
  const round = await roundOf(ctx, roundId, user.communityId as string);
  const orders = await all(ctx, 'orders', {
    roundId,
    gridId: _.in(scopeGrids.map((g) => g._id)),
    status: _.in(LIVE_STATUSES),
  });
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
    items: [...items.values()].sort((a, b) => a.name.localeCompare(b.name, 'zh')),
    medicine: orders.filter((o) => o.kind === 'medicine').length,
    gas: orders.filter((o) => o.kind === 'gas').length,
  };
}

async function packingList(ctx: UserContext, roundId: string, gridId: string): Promise<PackingListView> {
  const { user, grid } = await requireGridStaff(ctx, gridId);
  const _ = ctx.db.command;
  const round = await roundOf(ctx, roundId, user.communityId ?? grid.communityId);
  const orders = await all(ctx, 'orders', { roundId, gridId, status: _.in(LIVE_STATUSES) });
  const [households, buildings] = await Promise.all([
    getByIds(
      ctx,
      'households',
      orders.map((o) => o.householdId),
    ),
    all(ctx, 'buildings', { gridId }),
  ]);
  const byHousehold = new Map(households.map((h) => [h._id, h]));
  const roomOrder = (a: OrderDoc, b: OrderDoc) => a.room.localeCompare(b.room, 'zh', { numeric: true });
  return {
    roundId,
    roundName: round.name,
    gridName: grid.name,
    buildings: buildings
      .sort((a, b) => a.name.localeCompare(b.name, 'zh', { numeric: true }))
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
    input: z.object({ roundId: id, gridId: id.optional() }).strict(),
    handle: (ctx, input) => purchaseList(ctx, input.roundId, input.gridId),
  },

  'dispatch.packingList': {
    input: z.object({ roundId: id, gridId: id }).strict(),
    handle: (ctx, input) => packingList(ctx, input.roundId, input.gridId),
  },

  'dispatch.exportLists': {
    input: z
      .object({ roundId: id, gridId: id.optional(), list: z.enum(DISPATCH_LISTS) })
      .strict()
      .refine((v) => v.list === 'purchase' || Boolean(v.gridId), { message: '分拣单请先选择网格', path: ['gridId'] }),
    async handle(ctx, input) {
      if (input.list === 'purchase') {
        const view = await purchaseList(ctx, input.roundId, input.gridId);
        return workbook(`${view.roundName}-${view.scope}-采购汇总.xlsx`, [
          {
            name: '采购汇总',
            title: `${view.roundName} ${view.scope} 采购汇总（${view.orderCount} 单）`,
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
      const view = await packingList(ctx, input.roundId, input.gridId as string);
      return workbook(`${view.roundName}-${view.gridName}-分拣单.xlsx`, [
        {
          name: '分拣单',
          title: `${view.roundName} ${view.gridName} 分拣单（按楼栋、房号）`,
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
