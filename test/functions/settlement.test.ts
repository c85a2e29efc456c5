/** @jest-environment node */
/**
 * The settled round (issue 19, org.settlement / org.settlementExcel): money in by payment mode,
 * refunds confirmed and pending, net, what each supplier is owed per the purchase list (the
 * catalogue's supplier, or 未指定供应商), every WeChat payment and refund with the platform's id —
 * over more orders than one database page; only the community's own admin; an Excel file in storage.
 */
import ExcelJS from 'exceljs';
import type { OrderDoc, RefundDoc, UserDoc } from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';
import { yuan } from '../../core/payment/settlement';

let t: TestCloud;
const COMMUNITY = 'c-xingfu';
const ROUND = 'settle-round';
const T0 = '2022-08-20T02:00:00.000Z';
let vegId = '';
let riceId = '';

const order = (id: string, over: Partial<OrderDoc>): OrderDoc => ({
  _id: id,
  communityId: COMMUNITY,
  gridId: 'g-settle',
  buildingId: 'b-settle',
  householdId: `h-${id}`,
  room: '101',
  roundId: ROUND,
  kind: 'grocery',
  lines: [],
  medicine: null,
  gas: null,
  totalFen: 0,
  payment: 'cashOnDelivery',
  contactless: true,
  note: '',
  priority: false,
  status: 'accepted',
  placedBy: 'someone',
  onBehalf: false,
  rejectReason: null,
  history: [],
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

const paid = (id: string, amountFen: number, state: 'paid' | 'partlyRefunded' | 'awaiting', refundedFen = 0) => ({
  state,
  outTradeNo: `GL${id}`,
  attempt: 1,
  amountFen,
  transactionId: state === 'awaiting' ? null : `4200${id}`,
  paidAt: state === 'awaiting' ? null : T0,
  expiresAt: '2022-08-20T02:15:00.000Z',
  refundedFen,
  payerOpenid: null,
  prepayId: null,
});

const refund = (id: string, orderId: string, over: Partial<RefundDoc>): RefundDoc => ({
  _id: id,
  communityId: COMMUNITY,
  orderId,
  roundId: ROUND,
  householdId: `h-${orderId}`,
  outTradeNo: `GL${orderId}`,
  totalFen: 1000,
  amountFen: 100,
  reason: 'shortfall',
  reasonText: '缺货：青菜 1斤',
  state: 'done',
  refundId: `5030${id}`,
  attempts: 1,
  nextAttemptAt: null,
  lastError: null,
  createdAt: '2022-08-20T03:00:00.000Z',
  doneAt: '2022-08-20T03:05:00.000Z',
  ...over,
});

/** Cash orders beyond one database page (1,000), each delivered with one 斤 of 青菜 at 2 元. */
const BULK = 1003;

beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 1, households: 10, joinedShare: 1, at: new Date() } });
  const base = {
    category: 'vegetable' as const,
    unit: '斤' as const,
    perHouseholdLimit: 50,
    active: true,
    stock: 100,
  };
  vegId = (await t.ok('dev-admin', 'order.saveItem', { ...base, name: '青菜', priceFen: 200, supplier: '城东蔬菜' }))
    .id;
  riceId = (await t.ok('dev-admin', 'order.saveItem', { ...base, name: '大米', unit: '袋', priceFen: 5000 })).id;
  await t.db.collection('rounds').add({
    _id: ROUND,
    communityId: COMMUNITY,
    name: '8月20日第一批',
    opensAt: T0,
    closesAt: '2022-08-21T02:00:00.000Z',
    createdBy: 'dev-admin',
  });
  await t.db.collection('users').add({
    _id: 'other-admin',
    nickName: '别的社区管理员',
    roles: ['communityAdmin'],
    communityId: 'c-other',
    adminGridIds: [],
    householdId: null,
    createdAt: T0,
  } satisfies UserDoc);
  const veg = (qty: number) => ({ itemId: vegId, name: '青菜', unit: '斤' as const, qty, priceFen: 200 });
  const rice = (qty: number) => ({ itemId: riceId, name: '大米', unit: '袋' as const, qty, priceFen: 5000 });
  const docs: OrderDoc[] = [
    // WeChat Pay, paid: 2 斤 青菜 + 1 袋 大米 = 54.00.
    order('w1', {
      payment: 'wechatPay',
      status: 'delivered',
      lines: [veg(2), rice(1)],
      totalFen: 5400,
      pay: paid('w1', 5400, 'paid'),
    }),
    // Paid, then 1 斤 short at the door: 2.00 refunded (confirmed).
    order('w2', {
      payment: 'wechatPay',
      status: 'received',
      lines: [veg(3)],
      totalFen: 600,
      pay: paid('w2', 600, 'partlyRefunded', 200),
    }),
    // Awaiting payment: no money in, not on the purchase list (not accepted).
    order('w3', {
      payment: 'wechatPay',
      status: 'submitted',
      lines: [rice(2)],
      totalFen: 10000,
      pay: paid('w3', 10000, 'awaiting'),
    }),
    // Paid, then cancelled before packing: refund pending with the platform.
    order('w4', {
      payment: 'wechatPay',
      status: 'cancelled',
      lines: [rice(1)],
      totalFen: 5000,
      pay: paid('w4', 5000, 'paid'),
    }),
    // Transfer, received: 50.00.
    order('t1', { payment: 'transfer', status: 'received', lines: [rice(1)], totalFen: 5000 }),
    // Free 爱心菜包: counted, 0.
    order('f1', { payment: 'free', status: 'delivered', lines: [], totalFen: 0, kind: 'loveBag' }),
    // Cash, delivered 2 斤 short of 3: 2.00 due, not 6.00.
    order('s1', {
      status: 'delivered',
      lines: [veg(3)],
      totalFen: 600,
      shortfall: [{ itemId: vegId, name: '青菜', unit: '斤', expected: 3, counted: 1 }],
    }),
    // Another community's order in a round of the same id is never counted.
    order('x1', { communityId: 'c-other', payment: 'transfer', status: 'received', lines: [rice(9)], totalFen: 45000 }),
  ];
  for (let i = 0; i < BULK; i += 1)
    docs.push(order(`c${String(i).padStart(5, '0')}`, { status: 'delivered', lines: [veg(1)], totalFen: 200 }));
  for (let i = 0; i < docs.length; i += 100)
    await Promise.all(docs.slice(i, i + 100).map((d) => t.db.collection('orders').add(d)));
  await t.db.collection('refunds').add(refund('GRw2', 'w2', { amountFen: 200, totalFen: 600 }));
  await t.db.collection('refunds').add(
    refund('GRw4', 'w4', {
      amountFen: 5000,
      totalFen: 5000,
      reason: 'cancelled',
      state: 'processing',
      refundId: null,
      doneAt: null,
    }),
  );
}, 120_000);
afterAll(() => t.close());

describe('the settled round', () => {
  it('adds up money in, refunds, net and what each supplier is owed, to the cent, over more than a page', async () => {
    const view = await t.ok('dev-admin', 'org.settlement', { roundId: ROUND });
    expect(view.roundName).toBe('8月20日第一批');
    expect(view.incomeByMode).toEqual({
      free: { orders: 1, amountFen: 0 },
      cashOnDelivery: { orders: BULK + 1, amountFen: BULK * 200 + 200 },
      transfer: { orders: 1, amountFen: 5000 },
      wechatPay: { orders: 3, amountFen: 5400 + 600 + 5000 },
    });
    expect(view.refundsByReason.shortfall).toEqual({ count: 1, amountFen: 200 });
    expect(view.refundsByReason.cancelled).toEqual({ count: 0, amountFen: 0 });
    expect(view.refundedFen).toBe(200);
    expect(view.refundsPendingFen).toBe(5000);
    expect(view.netFen).toBe(BULK * 200 + 200 + 5000 + 11000 - 200);
    // The purchase list: accepted orders (not the awaiting w3, not the cancelled w4).
    expect(view.suppliers).toEqual([
      {
        supplier: '城东蔬菜',
        items: [
          {
            itemId: vegId,
            name: '青菜',
            unit: '斤',
            qty: 2 + 3 + 3 + BULK,
            priceFen: 200,
            amountFen: (8 + BULK) * 200,
          },
        ],
        owedFen: (8 + BULK) * 200,
      },
      {
        supplier: '未指定供应商',
        items: [{ itemId: riceId, name: '大米', unit: '袋', qty: 2, priceFen: 5000, amountFen: 10000 }],
        owedFen: 10000,
      },
    ]);
    expect(view.owedFen).toBe((8 + BULK) * 200 + 10000);
    expect(view.counts).toEqual({ orders: 7 + BULK, paid: 3, awaiting: 1, refunds: 2, cancelled: 1 });
    expect(view.transactionsTotal).toBe(5);
    expect(view.transactions).toEqual(
      expect.arrayContaining([
        { orderId: 'w1', kind: 'payment', amountFen: 5400, platformId: '4200w1', outNo: 'GLw1', at: T0 },
        {
          orderId: 'w2',
          kind: 'refund',
          amountFen: 200,
          platformId: '5030GRw2',
          outNo: 'GRw2',
          at: '2022-08-20T03:05:00.000Z',
        },
        {
          orderId: 'w4',
          kind: 'refund',
          amountFen: 5000,
          platformId: null,
          outNo: 'GRw4',
          at: '2022-08-20T03:00:00.000Z',
        },
      ]),
    );
  });

  it('counts in the database the same figures the export reads order by order', async () => {
    const view = await t.ok('dev-admin', 'org.settlement', { roundId: ROUND });
    const { fileId } = await t.ok('dev-admin', 'org.settlementExcel', { roundId: ROUND });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await (await fetch(fileId)).arrayBuffer());
    const summary = new Map<string, string>();
    wb.getWorksheet('汇总')?.eachRow((row) => {
      const [label, , amount] = (row.values as unknown[]).slice(1).map((v) => String(v ?? ''));
      summary.set(label as string, amount as string);
    });
    expect(summary.get('收入·微信支付')).toBe(yuan(view.incomeByMode.wechatPay.amountFen));
    expect(summary.get('收入·货到付现金')).toBe(yuan(view.incomeByMode.cashOnDelivery.amountFen));
    expect(summary.get('收入·转账')).toBe(yuan(view.incomeByMode.transfer.amountFen));
    expect(summary.get('退款合计（已到账）')).toBe(yuan(-view.refundedFen));
    expect(summary.get('净收入')).toBe(yuan(view.netFen));
    expect(summary.get('应付供应商合计')).toBe(yuan(view.owedFen));
    let txRows = 0;
    wb.getWorksheet('交易明细')?.eachRow(() => (txRows += 1));
    expect(txRows - 2).toBe(view.transactionsTotal);
  });

  it('is for the community admin of that community only', async () => {
    const resident = ((await t.db.collection('users').where({ roles: 'resident' }).limit(1).get()).data[0] as UserDoc)
      ._id;
    for (const action of ['org.settlement', 'org.settlementExcel'] as const) {
      expect(await t.call(resident, action, { roundId: ROUND })).toMatchObject({ ok: false, code: 'AUTH.NOT_ADMIN' });
      expect(await t.call('dev-gw-01', action, { roundId: ROUND })).toMatchObject({
        ok: false,
        code: 'AUTH.NOT_ADMIN',
      });
      expect(await t.call(null, action, { roundId: ROUND })).toMatchObject({ ok: false, code: 'AUTH.NO_IDENTITY' });
      // Another community's admin: the round is not theirs.
      expect(await t.call('other-admin', action, { roundId: ROUND })).toMatchObject({
        ok: false,
        code: 'COMMON.NOT_FOUND',
      });
      expect(await t.call('dev-admin', action, { roundId: 'no-such-round' })).toMatchObject({
        ok: false,
        code: 'COMMON.NOT_FOUND',
      });
    }
  });

  it('exports the settlement to an Excel file in storage, amounts in 元', async () => {
    const { fileId } = await t.ok('dev-admin', 'org.settlementExcel', { roundId: ROUND });
    expect(fileId).toMatch(/\/storage\/settlement\/c-xingfu\/settle-round-\d{14}\.xlsx$/);
    const res = await fetch(fileId);
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    expect(wb.worksheets.map((w) => w.name)).toEqual(['汇总', '供应商', '交易明细']);
    const rows = (name: string) => {
      const out: string[][] = [];
      wb.getWorksheet(name)?.eachRow((row) =>
        out.push((row.values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(v)))),
      );
      return out;
    };
    const summary = rows('汇总');
    expect(summary).toContainEqual(['收入·微信支付', '3', '110.00']);
    expect(summary).toContainEqual(['收入·货到付现金', String(BULK + 1), (BULK * 2 + 2).toFixed(2)]);
    expect(summary).toContainEqual(['退款·缺货退差价', '1', '-2.00']);
    expect(summary).toContainEqual(['净收入', String(7 + BULK), ((BULK * 200 + 200 + 16000 - 200) / 100).toFixed(2)]);
    expect(rows('供应商')).toContainEqual(['未指定供应商', '大米', '2', '袋', '50.00', '100.00']);
    const tx = rows('交易明细');
    expect(tx).toContainEqual(['2022-08-20 10:00', '支付', 'w1', 'GLw1', '4200w1', '54.00']);
    expect(tx).toContainEqual(['2022-08-20 11:00', '退款', 'w4', 'GRw4', '（平台未确认）', '-50.00']);
  });

  it('keeps a supplier the admin names on the item, and answers it on the admin’s catalogue', async () => {
    const saved = await t.ok('dev-admin', 'order.saveItem', {
      id: riceId,
      name: '大米',
      category: 'staple',
      unit: '袋',
      priceFen: 5000,
      perHouseholdLimit: 50,
      active: true,
      supplier: '粮油站',
    });
    expect(saved.supplier).toBe('粮油站');
    const view = await t.ok('dev-admin', 'org.settlement', { roundId: ROUND });
    expect(view.suppliers.map((s) => s.supplier)).toEqual(['城东蔬菜', '粮油站']);
  });
});
