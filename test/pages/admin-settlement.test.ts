/**
 * 批次结算 (community admin, issue 19): reachable from the admin's home; a round picked by name;
 * money in by payment mode, refunds, net and what each supplier is owed, in 元 with two decimals;
 * every WeChat payment and refund with the platform's id; 导出Excel opens the stored file; an
 * error state with a retry.
 */
import type { Page, RoundView, SettlementView } from '../../typings/api';
import { entriesFor, HOME_ENTRIES } from '../../miniprogram/utils/labels';
import { catalogItem, failure, orderRound } from '../helpers/fixtures';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';

jest.setTimeout(30_000);

const rounds: Page<RoundView> = {
  items: [
    orderRound({ id: 'r2', name: '8月21日第二批' }),
    orderRound({ id: 'r1', name: '8月20日第一批', open: false }),
  ],
  nextCursor: null,
  total: 2,
};

const settlement = (roundId: string, over: Partial<SettlementView> = {}): SettlementView => ({
  roundId,
  roundName: roundId === 'r1' ? '8月20日第一批' : '8月21日第二批',
  incomeByMode: {
    free: { orders: 3, amountFen: 0 },
    cashOnDelivery: { orders: 2, amountFen: 1205 },
    transfer: { orders: 0, amountFen: 0 },
    wechatPay: { orders: 4, amountFen: 123456 },
  },
  refundsByReason: {
    rejected: { count: 0, amountFen: 0 },
    cancelled: { count: 1, amountFen: 5000 },
    shortfall: { count: 2, amountFen: 301 },
    failedDelivery: { count: 0, amountFen: 0 },
    expired: { count: 0, amountFen: 0 },
  },
  refundedFen: 5301,
  refundsPendingFen: 800,
  netFen: 119360,
  suppliers: [
    {
      supplier: '城东蔬菜',
      items: [{ itemId: 'i1', name: '青菜', unit: '斤', qty: 30, priceFen: 250, amountFen: 7500 }],
      owedFen: 7500,
    },
    {
      supplier: '未指定供应商',
      items: [{ itemId: 'i2', name: '大米', unit: '袋', qty: 2, priceFen: 5005, amountFen: 10010 }],
      owedFen: 10010,
    },
  ],
  owedFen: 17510,
  counts: { orders: 12, paid: 4, awaiting: 1, refunds: 4, cancelled: 2 },
  transactions: [
    {
      orderId: 'o-1',
      kind: 'payment',
      amountFen: 5400,
      platformId: '4200000001',
      outNo: 'GL0001P01',
      at: '2022-08-20T02:00:00Z',
    },
    { orderId: 'o-2', kind: 'refund', amountFen: 800, platformId: null, outNo: 'GR0002C', at: '2022-08-20T03:00:00Z' },
  ],
  transactionsTotal: 812,
  ...over,
});

describe('批次结算 page', () => {
  it('is on the admin’s home page, for the community admin only', () => {
    const entry = HOME_ENTRIES.find((e) => e.url === '/pages/admin/settlement/index');
    expect(entry).toMatchObject({ title: '批次结算', roles: ['communityAdmin'] });
    expect(entriesFor(['communityAdmin']).map((e) => e.key)).toContain('admin-settlement');
    expect(entriesFor(['gridworker']).map((e) => e.key)).not.toContain('admin-settlement');
  });

  it('shows a round’s money in 元 with two decimals, its suppliers and transactions; picks another round by name', async () => {
    const { calls } = mockCall({
      'order.rounds': () => ({ ok: true, data: rounds }),
      'org.settlement': (p) => ({ ok: true, data: settlement(p.roundId) }),
    });
    const page = await loadPage('pages/admin/settlement/index');
    expect(calls.find((c) => c.action === 'org.settlement')?.payload).toEqual({ roundId: 'r2' });
    const text = textOf(page);
    expect(text).toContain('8月21日第二批');
    expect(text).toContain('8月20日第一批');
    expect(text).toContain('1193.60');
    expect(text).toContain('收入 1246.61 元 − 已到账退款 53.01 元');
    expect(text).toContain('另有 8.00 元退款处理中');
    expect(text).toContain('应付供应商 175.10 元');
    expect(text).toContain('微信支付');
    expect(text).toContain('1234.56 元');
    expect(text).toContain('货到付现金');
    expect(text).toContain('12.05 元');
    expect(text).toContain('缺货退差价');
    expect(text).toContain('-3.01 元');
    expect(text).toContain('城东蔬菜');
    expect(text).toContain('30斤 × 2.50 元');
    expect(text).toContain('未指定供应商');
    expect(text).toContain('2袋 × 50.05 元');
    expect(text).toContain('100.10 元');
    expect(text).toContain('微信支付单号 4200000001');
    // What each mode counts, and no internal order ids (the merchant number identifies a payment).
    expect(text).toContain('单已送达（未送达的不计）');
    expect(text).not.toMatch(/订单 o-\d/);
    expect(text).toContain('微信退款单号 （平台未确认）');
    expect(text).toContain('共 812 笔，这里显示最近 2 笔，完整明细请导出 Excel');

    page.instance.pick({ currentTarget: { dataset: { id: 'r1' } } });
    await flush();
    expect(calls.filter((c) => c.action === 'org.settlement').at(-1)?.payload).toEqual({ roundId: 'r1' });
    expect(calls.filter((c) => c.action === 'order.rounds')).toHaveLength(1);
  });

  it('exports Excel: the file in cloud storage is downloaded and opened', async () => {
    const download = jest.fn((o: { url: string; success: (r: { tempFilePath: string }) => void }) =>
      o.success({ tempFilePath: 'wxfile://tmp/settlement.xlsx' }),
    );
    Object.assign(wx, { downloadFile: download });
    const { calls } = mockCall({
      'order.rounds': () => ({ ok: true, data: rounds }),
      'org.settlement': (p) => ({ ok: true, data: settlement(p.roundId) }),
      'org.settlementExcel': () => ({
        ok: true,
        data: { fileId: 'http://127.0.0.1:8787/storage/settlement/c/r2-20220820.xlsx' },
      }),
    });
    const page = await loadPage('pages/admin/settlement/index', { roundId: 'r1' });
    expect(calls.find((c) => c.action === 'org.settlement')?.payload).toEqual({ roundId: 'r1' });
    tapButton(page, '.stl__export');
    await flush();
    expect(calls.find((c) => c.action === 'org.settlementExcel')?.payload).toEqual({ roundId: 'r1' });
    expect(download.mock.calls[0]?.[0].url).toBe('http://127.0.0.1:8787/storage/settlement/c/r2-20220820.xlsx');
    expect(wx.openDocument).toHaveBeenCalledWith(
      expect.objectContaining({ filePath: 'wxfile://tmp/settlement.xlsx', fileType: 'xlsx' }),
    );
  });

  it('says when the settlement did not load and loads it again on retry', async () => {
    let fail = true;
    mockCall({
      'order.rounds': () => ({ ok: true, data: rounds }),
      'org.settlement': (p) =>
        fail ? failure('AUTH.NOT_ADMIN', '仅社区管理员可操作') : { ok: true, data: settlement(p.roundId) },
    });
    const page = await loadPage('pages/admin/settlement/index');
    expect(textOf(page)).toContain('结算没有加载出来');
    fail = false;
    tapButton(page, '.stl__retry');
    await flush();
    expect(textOf(page)).toContain('1193.60');
  });

  it('says when there is no round yet', async () => {
    mockCall({ 'order.rounds': () => ({ ok: true, data: { items: [], nextCursor: null, total: 0 } }) });
    const page = await loadPage('pages/admin/settlement/index');
    expect(textOf(page)).toContain('还没有订购批次');
  });

  it('takes each catalogue item’s supplier on the admin’s catalogue (sent only when typed or changed)', async () => {
    const { calls } = mockCall({
      'order.items': () => ({
        ok: true,
        data: { items: [catalogItem({ supplier: '粮油站' })], nextCursor: null, total: 1 },
      }),
      'order.saveItem': (p) => ({ ok: true, data: catalogItem({ ...p, id: 'item-001' }) }),
    });
    const page = await loadPage('pages/admin/catalog/index');
    expect(textOf(page)).toContain('供应商：粮油站');
    tapButton(page, '.cat__edit');
    await flush();
    expect(page.instance.data.form).toMatchObject({ supplier: '粮油站' });
    page.instance.onForm({ detail: { value: '城东蔬菜批发' }, currentTarget: { dataset: { field: 'supplier' } } });
    tapButton(page, '.cat__save');
    await flush();
    expect(calls.filter((c) => c.action === 'order.saveItem').at(-1)?.payload).toMatchObject({
      id: 'item-001',
      supplier: '城东蔬菜批发',
    });
    expect(textOf(page)).toContain('供应商：城东蔬菜批发');
    // Unchanged, it is not sent (the item keeps it).
    tapButton(page, '.cat__edit');
    await flush();
    tapButton(page, '.cat__save');
    await flush();
    expect(calls.filter((c) => c.action === 'order.saveItem').at(-1)?.payload).not.toHaveProperty('supplier');
  });
});
