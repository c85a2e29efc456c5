import type { CatalogView } from '../../typings/api';
import { failure, orderView } from '../helpers/fixtures';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';

const catalog: CatalogView = {
  round: {
    id: 'round-001',
    name: '第1批次',
    opensAt: '2022-08-20T00:00:00Z',
    closesAt: '2022-08-21T10:00:00Z',
    open: true,
  },
  items: [
    {
      id: 'item-001',
      name: '爱心菜包',
      category: 'loveBag',
      unit: '份',
      priceFen: 0,
      stock: 100,
      perHouseholdLimit: 1,
      remaining: 1,
      soldOut: false,
    },
    {
      id: 'item-002',
      name: '大米 10斤装',
      category: 'staple',
      unit: '袋',
      priceFen: 4500,
      stock: 30,
      perHouseholdLimit: 2,
      remaining: 2,
      soldOut: false,
    },
    {
      id: 'item-003',
      name: '鸡蛋',
      category: 'meat',
      unit: '斤',
      priceFen: 650,
      stock: 0,
      perHouseholdLimit: 5,
      remaining: 5,
      soldOut: true,
    },
    {
      id: 'item-019',
      name: '液化气换瓶（15kg）',
      category: 'gas',
      unit: '罐',
      priceFen: 11000,
      stock: 60,
      perHouseholdLimit: 1,
      remaining: 1,
      soldOut: false,
    },
  ],
};
const placed = orderView({
  id: 'o1',
  kind: 'loveBag',
  lines: [{ itemId: 'item-001', name: '爱心菜包', unit: '份', qty: 1, priceFen: 0 }],
  totalFen: 0,
  payment: 'free',
});

describe('线上点单 page', () => {
  it('says why an item is greyed out or stops short of its limit (还可买 1袋)', async () => {
    const items = catalog.items.map((i) =>
      i.id === 'item-002'
        ? { ...i, remaining: 1 }
        : i.id === 'item-003'
          ? { ...i, stock: 20, soldOut: false, remaining: 0 }
          : i,
    );
    mockCall({ 'order.catalog': () => ({ ok: true, data: { ...catalog, items } }) });
    const page = await loadPage('pages/resident/order/index');
    const text = textOf(page);
    expect(text).toContain('¥45.00 / 袋 · 每户限 2袋，还可买 1袋');
    expect(text).toContain('¥6.50 / 斤 · 每户限 5斤，本轮已买满');
    expect(page.instance.data.groceries.map((g: { id: string; max: number }) => [g.id, g.max])).toEqual([
      ['item-002', 1],
      ['item-003', 0],
    ]);
  });

  it('shows the round and items with explicit units, prices and limits; sold-out items cannot be added', async () => {
    mockCall({ 'order.catalog': () => ({ ok: true, data: catalog }) });
    const page = await loadPage('pages/resident/order/index');
    const text = textOf(page);
    expect(text).toContain('第1批次 · 08-21 18:00 截单');
    expect(text).toContain('¥45.00 / 袋 · 每户限 2袋');
    expect(text).toContain('已售完');
    expect(page.instance.data.groceries.map((g: { id: string; max: number }) => [g.id, g.max])).toEqual([
      ['item-002', 2],
      ['item-003', 0],
    ]);
  });

  it('orders groceries with the chosen quantities, asking for status messages in the tap', async () => {
    const { calls } = mockCall({
      'order.catalog': () => ({ ok: true, data: catalog }),
      'order.place': () => ({ ok: true, data: placed }),
    });
    const page = await loadPage('pages/resident/order/index');
    page.instance.onQty({ detail: { value: 2 }, currentTarget: { dataset: { index: 0 } } });
    await flush();
    expect(textOf(page)).toContain('1 种商品，合计 ¥90.00');
    tapButton(page, '.order__submit');
    await flush();
    expect(wx.requestSubscribeMessage).toHaveBeenCalled();
    const place = calls.find((c) => c.action === 'order.place');
    expect(place?.payload).toEqual({
      kind: 'grocery',
      lines: [{ itemId: 'item-002', qty: 2 }],
      payment: 'cashOnDelivery',
      contactless: true,
    });
    expect(calls.find((c) => c.action === 'user.subscribe')?.payload).toEqual({ templates: ['orderStatus'] });
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/resident/order-detail/index?id=o1' });
  });

  it('retries a failed tap with the same request id, and starts a new one after success', async () => {
    let attempt = 0;
    const ids: Array<string | undefined> = [];
    mockCall({
      'order.catalog': () => ({ ok: true, data: catalog }),
      'order.place': (_p, ctx) => {
        ids.push(ctx.requestId);
        attempt += 1;
        return attempt === 1 ? failure('COMMON.INTERNAL', '系统繁忙，请稍后再试') : { ok: true, data: placed };
      },
    });
    const page = await loadPage('pages/resident/order/index');
    page.instance.onTab({ detail: { value: 'loveBag' } });
    await flush();
    tapButton(page, '.order__submit');
    await flush();
    expect(textOf(page)).toContain('系统繁忙');
    tapButton(page, '.order__submit');
    await flush();
    expect(ids[0]).toBeTruthy();
    expect(ids[1]).toBe(ids[0]);
    expect(page.instance.data._requestId).not.toBe(ids[0]);
  });

  it('asks for medicine with an optional prescription photo uploaded to cloud storage', async () => {
    (wx.chooseMedia as jest.Mock).mockImplementationOnce((o: { success: (r: unknown) => void }) =>
      o.success({ tempFiles: [{ tempFilePath: 'wxfile://tmp/rx.jpg' }] }),
    );
    (wx.cloud.uploadFile as jest.Mock).mockResolvedValueOnce({ fileID: 'cloud://env/prescriptions/rx.jpg' });
    const { calls } = mockCall({
      'order.catalog': () => ({ ok: true, data: catalog }),
      'order.place': () => ({ ok: true, data: placed }),
    });
    const page = await loadPage('pages/resident/order/index');
    page.instance.onTab({ detail: { value: 'medicine' } });
    page.instance.onMedicine({ detail: { value: '硝苯地平缓释片 2盒' } });
    page.instance.onUrgency({ detail: { value: 'urgent' } });
    await flush();
    tapButton(page, '.order__rx-btn');
    await flush();
    expect((wx.cloud.uploadFile as jest.Mock).mock.calls[0][0].cloudPath).toMatch(/^prescriptions\/\w+\.jpg$/);
    expect(textOf(page)).toContain('已上传处方照片');
    tapButton(page, '.order__submit');
    await flush();
    expect(calls.find((c) => c.action === 'order.place')?.payload).toMatchObject({
      kind: 'medicine',
      medicine: {
        description: '硝苯地平缓释片 2盒',
        urgency: 'urgent',
        prescriptionFileId: 'cloud://env/prescriptions/rx.jpg',
      },
    });
  });

  it('says when no round is open', async () => {
    mockCall({ 'order.catalog': () => ({ ok: true, data: { round: null, items: [] } }) });
    const page = await loadPage('pages/resident/order/index');
    expect(textOf(page)).toContain('现在不在下单时间内');
  });

  it('orders for a household when a gridworker opens it with forHouseholdId (代下单)', async () => {
    const { calls } = mockCall({
      'order.catalog': () => ({ ok: true, data: catalog }),
      'order.place': () => ({ ok: true, data: placed }),
    });
    const page = await loadPage('pages/resident/order/index', {
      forHouseholdId: 'h-0007',
      for: encodeURIComponent('2号楼 1-801 次仁旺堆'),
    });
    // It says for which household, by building, room and name (never the household's id).
    expect(textOf(page)).toContain('代 2号楼 1-801 次仁旺堆 下单');
    expect(textOf(page)).not.toContain('h-0007');
    expect(calls[0]?.payload).toEqual({ forHouseholdId: 'h-0007' });
    page.instance.onTab({ detail: { value: 'loveBag' } });
    await flush();
    tapButton(page, '.order__submit');
    await flush();
    expect(calls.find((c) => c.action === 'order.place')?.payload).toMatchObject({
      kind: 'loveBag',
      forHouseholdId: 'h-0007',
      payment: 'free',
    });
    expect(wx.requestSubscribeMessage).not.toHaveBeenCalled();
  });
});
