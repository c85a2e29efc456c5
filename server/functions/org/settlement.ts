/**
 * A round's settlement (issue 19, community admin): money in by payment mode, refunds, net, what is
 * owed to each supplier per the round's purchase list, every WeChat payment and refund with the
 * platform's id; and the same as an Excel file in cloud storage. A round may hold 100k orders: the
 * orders and refunds are read a page at a time (keyset by `_id`, only the fields needed) and folded
 * into running totals (core/payment/settlement.ts), never read whole.
 */
import {
  addOrder,
  addRefund,
  emptySettlement,
  finishSettlement,
  NO_SUPPLIER,
  VIEW_TRANSACTIONS,
  yuan,
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
import { getShop } from '../../lib/holds';
import { PAGE } from '../../lib/query';
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

/** Reads the round's orders and refunds page by page into the settlement's totals. */
async function settlementOf(
  ctx: UserContext,
  roundId: string,
  transactionsLimit: number,
): Promise<{ view: SettlementView; round: RoundDoc }> {
  const admin = await requireAdmin(ctx);
  const communityId = admin.communityId;
  const round = await roundOfCommunity(ctx, roundId, communityId);
  const shop = await getShop(ctx, communityId);
  const supplierOf = (itemId: string) => shop?.items[itemId]?.supplier?.trim() || NO_SUPPLIER;
  const acc: SettlementAcc = emptySettlement();
  await eachPage<SettlementOrder>(ctx, 'orders', { communityId, roundId }, ORDER_FIELDS, (docs) => {
    for (const o of docs) addOrder(acc, { ...o, lines: o.lines ?? [] }, supplierOf);
  });
  await eachPage<SettlementRefund>(ctx, 'refunds', { communityId, roundId }, REFUND_FIELDS, (docs) => {
    for (const r of docs) addRefund(acc, r);
  });
  return { view: finishSettlement(acc, { roundId, roundName: round.name }, transactionsLimit), round };
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
      return (await settlementOf(ctx, input.roundId, VIEW_TRANSACTIONS)).view;
    },
  },

  'org.settlementExcel': {
    input: z.object({ roundId: id }).strict(),
    async handle(ctx, input) {
      const { view, round } = await settlementOf(ctx, input.roundId, Number.POSITIVE_INFINITY);
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
