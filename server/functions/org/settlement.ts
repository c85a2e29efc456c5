/**
 * A round's settlement (issue 19, community admin): money in by payment mode, refunds, net, what is
 * owed to each supplier per the round's purchase list, every WeChat payment and refund with the
 * platform's id; and the same as an Excel file in cloud storage. A round may hold 100k orders: the
 * page's figures are counted in the database (aggregations grouping orders, bought lines and
 * refunds), the export reads every order and refund a page at a time (keyset by `_id`, only the
 * fields needed) into running totals (core/payment/settlement.ts) — never one unbounded read.
 */
import {
  addOrder,
  addOrderGroup,
  addPurchase,
  addRefund,
  addRefundGroup,
  emptySettlement,
  finishSettlement,
  NO_SUPPLIER,
  paymentTransaction,
  PURCHASED_STATUSES,
  refundTransaction,
  takeOffShortfall,
  VIEW_TRANSACTIONS,
  yuan,
  type OrderGroup,
  type PurchaseGroup,
  type RefundGroup,
  type SettlementAcc,
  type SettlementOrder,
  type SettlementRefund,
} from '../../../core/payment/settlement';
import { AppError } from '../../../core/errors';
import { toChinaIso } from '../../../core/time';
import type { SettlementView } from '../../../typings/api';
import type { RoundDoc } from '../../../typings/entities';
import { PAYMENT_MODES, PAYMENT_MODE_LABELS, REFUND_REASONS, REFUND_REASON_LABELS } from '../../../typings/values';
import { getDoc } from '../../lib/access';
import { defineActions, type CallContext, type UserContext } from '../../lib/define-function';
import { storeFile } from '../../lib/files';
import { getShop, shopItem } from '../../lib/holds';
import { aggregateAll, aggregateOps, PAGE } from '../../lib/query';
import type { CollectionName } from '../../lib/schema';
import { requireAdmin } from '../../lib/users';
import { z } from '../../lib/validate';
import { id } from './shared';

const ORDER_FIELDS = {
  payment: true,
  status: true,
  totalFen: true,
  lines: true,
  pay: true,
  shortfall: true,
} as const;

const REFUND_FIELDS = {
  orderId: true,
  amountFen: true,
  reason: true,
  state: true,
  refundId: true,
  createdAt: true,
  doneAt: true,
} as const;

/** Every document matching `where`, a page of PAGE at a time in `_id` order (keyset: no skip), folded by `fold`. */
async function eachPage<T extends { _id: string }>(
  ctx: CallContext,
  collection: CollectionName,
  where: Record<string, unknown>,
  fields: Record<string, true>,
  fold: (docs: T[]) => void,
): Promise<void> {
  const _ = ctx.db.command;
  let after: string | null = null;
  for (;;) {
    const query: object = after === null ? where : { ...where, _id: _.gt(after) };
    const docs = (
      await ctx.db.collection(collection).where(query).field(fields).orderBy('_id', 'asc').limit(PAGE).get()
    ).data as T[];
    fold(docs);
    const last = docs.at(-1);
    if (docs.length < PAGE || !last) return;
    after = last._id;
  }
}

/** The round, of the admin's own community (another community's round is not found). */
async function roundOfCommunity(ctx: CallContext, roundId: string, communityId: string): Promise<RoundDoc> {
  const round = await getDoc(ctx, 'rounds', roundId);
  if (!round || round.communityId !== communityId) throw new AppError('COMMON.NOT_FOUND', '本社区没有这个订购批次');
  return round;
}

/** The admin's round, and who supplies each item (the catalogue's supplier; 未指定供应商 when none). */
async function scopeOf(ctx: UserContext, roundId: string) {
  const admin = await requireAdmin(ctx);
  const communityId = admin.communityId;
  const round = await roundOfCommunity(ctx, roundId, communityId);
  const shop = await getShop(ctx, communityId);
  const supplierOf = (itemId: string) => shopItem(shop, itemId)?.supplier?.trim() || NO_SUPPLIER;
  return { communityId, round, supplierOf };
}

/**
 * The export's settlement: every order and refund of the round read a page at a time (keyset by
 * `_id`, only the fields needed) and folded in, so every transaction is listed.
 */
async function settlementRead(ctx: UserContext, roundId: string): Promise<{ view: SettlementView; round: RoundDoc }> {
  const { communityId, round, supplierOf } = await scopeOf(ctx, roundId);
  const acc: SettlementAcc = emptySettlement();
  await eachPage<SettlementOrder>(ctx, 'orders', { communityId, roundId }, ORDER_FIELDS, (docs) => {
    for (const o of docs) addOrder(acc, { ...o, lines: o.lines ?? [] }, supplierOf);
  });
  await eachPage<SettlementRefund>(ctx, 'refunds', { communityId, roundId }, REFUND_FIELDS, (docs) => {
    for (const r of docs) addRefund(acc, r);
  });
  return { view: finishSettlement(acc, { roundId, roundName: round.name }), round };
}

/**
 * The page's settlement, counted in the database (a round may hold 100k orders): orders grouped by
 * mode, status, pay state and whether the platform confirmed; the purchase list summed by item and
 * price; refunds by reason and state; cash and transfer orders short at the door read one by one
 * (few); and only the latest VIEW_TRANSACTIONS payments and refunds.
 */
async function settlementCounted(ctx: UserContext, roundId: string): Promise<SettlementView> {
  const { communityId, round, supplierOf } = await scopeOf(ctx, roundId);
  const _ = ctx.db.command;
  const $ = aggregateOps(ctx);
  const scope = { communityId, roundId };
  const paidWhere = {
    ...scope,
    payment: 'wechatPay',
    'pay.state': _.in(['paid', 'partlyRefunded', 'refunded']),
    'pay.transactionId': _.neq(null),
  };
  const [groups, lines, refundGroups, paidCount, refundCount, latestPaid, latestRefunds] = await Promise.all([
    aggregateAll<{
      _id: Omit<OrderGroup, 'orders' | 'totalFen' | 'payFen'>;
      orders: number;
      totalFen: number;
      payFen: number;
    }>(ctx, 'orders', [
      { match: scope },
      {
        group: {
          _id: {
            payment: '$payment',
            status: '$status',
            payState: $.ifNull(['$pay.state', null]),
            confirmed: $.cond([$.eq([$.ifNull(['$pay.transactionId', null]), null]), false, true]),
          },
          orders: $.sum(1),
          totalFen: $.sum('$totalFen'),
          payFen: $.sum($.ifNull(['$pay.amountFen', 0])),
        },
      },
    ]),
    aggregateAll<{ _id: Omit<PurchaseGroup, 'qty'>; qty: number }>(ctx, 'orders', [
      { match: { ...scope, status: _.in([...PURCHASED_STATUSES]) } },
      { project: { lines: 1 } },
      { unwind: '$lines' },
      {
        group: {
          _id: { itemId: '$lines.itemId', unit: '$lines.unit', priceFen: '$lines.priceFen', name: '$lines.name' },
          qty: $.sum('$lines.qty'),
        },
      },
    ]),
    aggregateAll<{ _id: Pick<RefundGroup, 'reason' | 'state'>; count: number; amountFen: number }>(ctx, 'refunds', [
      { match: scope },
      { group: { _id: { reason: '$reason', state: '$state' }, count: $.sum(1), amountFen: $.sum('$amountFen') } },
    ]),
    ctx.db.collection('orders').where(paidWhere).count(),
    ctx.db.collection('refunds').where(scope).count(),
    ctx.db
      .collection('orders')
      .where(paidWhere)
      .field({ payment: true, pay: true })
      .orderBy('pay.paidAt', 'desc')
      .limit(VIEW_TRANSACTIONS)
      .get(),
    ctx.db
      .collection('refunds')
      .where(scope)
      .field(REFUND_FIELDS)
      .orderBy('createdAt', 'desc')
      .limit(VIEW_TRANSACTIONS)
      .get(),
  ]);
  const acc: SettlementAcc = emptySettlement();
  for (const g of groups)
    addOrderGroup(acc, {
      ...g._id,
      payState: g._id.payState ?? null,
      orders: g.orders,
      totalFen: g.totalFen,
      payFen: g.payFen,
    });
  for (const l of lines) addPurchase(acc, { ...l._id, qty: l.qty }, supplierOf);
  for (const g of refundGroups) addRefundGroup(acc, { ...g._id, count: g.count, amountFen: g.amountFen });
  // Cash and transfer orders handed over short: their totals were counted whole.
  await eachPage<SettlementOrder>(
    ctx,
    'orders',
    {
      ...scope,
      payment: _.in(['cashOnDelivery', 'transfer']),
      status: _.in(['delivered', 'received']),
      'shortfall.0': _.exists(true),
    },
    ORDER_FIELDS,
    (docs) => {
      for (const o of docs) takeOffShortfall(acc, { ...o, lines: o.lines ?? [] });
    },
  );
  for (const o of latestPaid.data as SettlementOrder[]) {
    const tx = paymentTransaction(o);
    if (tx) acc.transactions.push(tx);
  }
  for (const r of latestRefunds.data as SettlementRefund[]) acc.transactions.push(refundTransaction(r));
  return finishSettlement(
    acc,
    { roundId, roundName: round.name },
    VIEW_TRANSACTIONS,
    (paidCount.total ?? 0) + (refundCount.total ?? 0),
  );
}

const when = (iso: string) => (iso ? toChinaIso(new Date(iso)).slice(0, 16).replace('T', ' ') : '');

/** The settlement as an .xlsx: 汇总, 供应商, 交易明细 sheets, amounts in 元 with two decimals. */
async function settlementWorkbook(view: SettlementView): Promise<{ fileName: string; bytes: Buffer }> {
  // exceljs is heavy: loaded only when an export is asked for.
  const { workbook } = await import('../../lib/excel');
  const fileName = `${view.roundName}-结算.xlsx`;
  const file = await workbook(fileName, [
    {
      name: '汇总',
      title: `${view.roundName} 结算（金额单位：元）`,
      columns: [
        { header: '项目', width: 24 },
        { header: '笔数', width: 10 },
        { header: '金额（元）', width: 16 },
      ],
      rows: [
        ...PAYMENT_MODES.map((m) => [
          `收入·${PAYMENT_MODE_LABELS[m]}`,
          view.incomeByMode[m].orders,
          yuan(view.incomeByMode[m].amountFen),
        ]),
        ...REFUND_REASONS.map((r) => [
          `退款·${REFUND_REASON_LABELS[r]}`,
          view.refundsByReason[r].count,
          yuan(-view.refundsByReason[r].amountFen),
        ]),
        ['退款合计（已到账）', '', yuan(-view.refundedFen)],
        ['退款处理中（未计入）', '', yuan(view.refundsPendingFen)],
        ['净收入', view.counts.orders, yuan(view.netFen)],
        ['应付供应商合计', '', yuan(view.owedFen)],
      ],
    },
    {
      name: '供应商',
      title: `${view.roundName} 应付供应商（按采购汇总）`,
      columns: [
        { header: '供应商', width: 18 },
        { header: '商品', width: 20 },
        { header: '数量', width: 10 },
        { header: '单位', width: 8 },
        { header: '单价（元）', width: 12 },
        { header: '金额（元）', width: 14 },
      ],
      rows: view.suppliers.flatMap((s) => [
        ...s.items.map((i) => [s.supplier, i.name, i.qty, i.unit, yuan(i.priceFen), yuan(i.amountFen)]),
        [`${s.supplier} 合计`, '', '', '', '', yuan(s.owedFen)],
      ]),
    },
    {
      name: '交易明细',
      title: `${view.roundName} 微信支付与退款明细（共 ${view.transactions.length} 笔）`,
      columns: [
        { header: '时间', width: 18 },
        { header: '类型', width: 8 },
        { header: '订单号', width: 26 },
        { header: '商户单号', width: 34 },
        { header: '微信支付单号/退款单号', width: 34 },
        { header: '金额（元）', width: 14 },
      ],
      rows: view.transactions.map((t) => [
        when(t.at),
        t.kind === 'payment' ? '支付' : '退款',
        t.orderId,
        t.outNo,
        t.platformId ?? '（平台未确认）',
        yuan(t.kind === 'payment' ? t.amountFen : -t.amountFen),
      ]),
    },
  ]);
  return { fileName, bytes: Buffer.from(file.base64, 'base64') };
}

export const settlementActions = defineActions('org', {
  'org.settlement': {
    input: z.object({ roundId: id }).strict(),
    async handle(ctx, input) {
      return settlementCounted(ctx, input.roundId);
    },
  },

  'org.settlementExcel': {
    input: z.object({ roundId: id }).strict(),
    async handle(ctx, input) {
      const { view, round } = await settlementRead(ctx, input.roundId);
      const { bytes } = await settlementWorkbook(view);
      const stamp = ctx.now
        .toISOString()
        .replace(/[-:.TZ]/g, '')
        .slice(0, 14);
      const fileId = await storeFile(`settlement/${round.communityId}/${round._id}-${stamp}.xlsx`, bytes);
      return { fileId };
    },
  },
});
