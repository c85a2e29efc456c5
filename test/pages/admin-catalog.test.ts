/** 商品目录 (community admin): list every item, add and edit, hide and show, restock by a quantity. */
import type { CatalogAdminItemView } from '../../typings/api';
import { catalogItem, failure } from '../helpers/fixtures';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';

jest.setTimeout(30_000);

const form = (page: Awaited<ReturnType<typeof loadPage>>, field: string, value: string) =>
  page.instance.onForm({ detail: { value }, currentTarget: { dataset: { field } } });

describe('商品目录 page', () => {
  it('lists every item, hidden ones marked; adds one only once it is valid', async () => {
    const saved: CatalogAdminItemView[] = [];
    const { calls } = mockCall({
      'order.items': () => ({
        ok: true,
        data: {
          items: [
            catalogItem(),
            catalogItem({ id: 'item-009', name: '口罩', category: 'daily', unit: '盒', active: false }),
          ],
          nextCursor: null,
          total: 2,
        },
      }),
      'order.saveItem': (p) => {
        const item = catalogItem({ ...p, id: 'item-new', stock: p.stock ?? 0, soldOut: !p.stock });
        saved.push(item);
        return { ok: true, data: item };
      },
    });
    const page = await loadPage('pages/admin/catalog/index');
    const text = textOf(page);
    expect(text).toContain('大米 10斤装');
    expect(text).toContain('¥45.00/袋 · 库存 20袋 · 每户限购 2袋');
    expect(text).toContain('口罩');
    expect(text).toContain('已下架');
    expect(text).toContain('共 2 种商品');

    tapButton(page, '.cat__new');
    await flush();
    // Nothing typed: nothing sent.
    tapButton(page, '.cat__save');
    await flush();
    expect(calls.some((c) => c.action === 'order.saveItem')).toBe(false);
    expect(textOf(page)).toContain('请填写商品名称');
    form(page, 'name', '大白菜');
    form(page, 'price', '1.5元');
    tapButton(page, '.cat__save');
    await flush();
    expect(calls.some((c) => c.action === 'order.saveItem')).toBe(false);
    expect(textOf(page)).toContain('请填写价格');

    form(page, 'category', 'vegetable');
    form(page, 'unit', '斤');
    form(page, 'price', '1.5');
    form(page, 'stock', '200');
    form(page, 'limit', '10');
    // The weight volunteers carry by: a weight that is not one is refused on the page.
    form(page, 'kg', '0');
    tapButton(page, '.cat__save');
    await flush();
    expect(calls.some((c) => c.action === 'order.saveItem')).toBe(false);
    expect(textOf(page)).toContain('单件重量应为 0.01–100 公斤');
    form(page, 'kg', '0.5');
    tapButton(page, '.cat__save');
    await flush();
    expect(calls.find((c) => c.action === 'order.saveItem')?.payload).toEqual({
      name: '大白菜',
      category: 'vegetable',
      unit: '斤',
      priceFen: 150,
      stock: 200,
      perHouseholdLimit: 10,
      active: true,
      kgPerUnit: 0.5,
    });
    expect(textOf(page)).toContain('每斤约 0.5 公斤');
    expect(page.instance.data.items[0]).toMatchObject({ id: 'item-new', name: '大白菜' });
    expect(textOf(page)).toContain('共 3 种商品');
  });

  it('edits an item without setting its stock, and hides it', async () => {
    const { calls } = mockCall({
      'order.items': () => ({ ok: true, data: { items: [catalogItem()], nextCursor: null, total: 1 } }),
      'order.saveItem': (p) => ({ ok: true, data: catalogItem({ ...p, id: 'item-001' }) }),
    });
    const page = await loadPage('pages/admin/catalog/index');
    tapButton(page, '.cat__edit');
    await flush();
    expect(page.instance.data.form).toMatchObject({ name: '大米 10斤装', price: '45', limit: '2' });
    expect(page.querySelector('.cat__stock')).toBeFalsy();
    form(page, 'price', '42.8');
    tapButton(page, '.cat__save');
    await flush();
    expect(calls.filter((c) => c.action === 'order.saveItem').at(-1)?.payload).toEqual({
      id: 'item-001',
      name: '大米 10斤装',
      category: 'staple',
      unit: '袋',
      priceFen: 4280,
      perHouseholdLimit: 2,
      active: true,
    });
    expect(textOf(page)).toContain('¥42.80/袋');

    tapButton(page, '.cat__toggle');
    await flush();
    expect(calls.filter((c) => c.action === 'order.saveItem').at(-1)?.payload).toMatchObject({
      id: 'item-001',
      active: false,
    });
    expect(calls.filter((c) => c.action === 'order.saveItem').at(-1)?.payload).not.toHaveProperty('stock');
    expect(textOf(page)).toContain('已下架');
    expect(textOf(page)).toContain('上架');
  });

  it('restocks by a quantity with one request id per intent, and shows the new stock', async () => {
    const requestIds: Array<string | undefined> = [];
    const { calls } = mockCall({
      'order.items': () => ({
        ok: true,
        data: { items: [catalogItem({ stock: 0, soldOut: true })], nextCursor: null, total: 1 },
      }),
      'order.restock': (p, e) => {
        requestIds.push(e.requestId);
        return { ok: true, data: catalogItem({ stock: 3 + p.qty }) };
      },
    });
    const page = await loadPage('pages/admin/catalog/index');
    expect(textOf(page)).toContain('已售罄');
    tapButton(page, '.cat__restock');
    await flush();
    page.instance.onRestockQty({ detail: { value: '0' } });
    tapButton(page, '.cat__restock-confirm');
    await flush();
    expect(calls.some((c) => c.action === 'order.restock')).toBe(false);
    expect(textOf(page)).toContain('补货数量应为 1–100000 的整数');

    page.instance.onRestockQty({ detail: { value: '50' } });
    tapButton(page, '.cat__restock-confirm');
    await flush();
    expect(calls.find((c) => c.action === 'order.restock')?.payload).toEqual({ itemId: 'item-001', qty: 50 });
    expect(requestIds[0]).toMatch(/^[\w-]{8,64}$/);
    // Orders came in meanwhile: the page shows the stock the server counted, not its own sum.
    expect(textOf(page)).toContain('库存 53袋');
    expect(textOf(page)).not.toContain('已售罄');
  });

  it('shows an error state with a retry when the list does not load', async () => {
    let fail = true;
    mockCall({
      'order.items': () =>
        fail
          ? failure('COMMON.INTERNAL', '服务暂时不可用')
          : { ok: true, data: { items: [catalogItem()], nextCursor: null, total: 1 } },
    });
    const page = await loadPage('pages/admin/catalog/index');
    expect(textOf(page)).toContain('商品目录没有加载出来');
    fail = false;
    tapButton(page, '.cat__retry');
    await flush();
    expect(textOf(page)).toContain('大米 10斤装');
  });
});
