/**
 * 商品目录 (community admin): every item of the catalogue, hidden ones too; add and edit an item
 * (name, category, unit, price, per-household limit), hide or show it, and restock it by a
 * quantity — added to the stock in one atomic step, so orders coming in meanwhile are never lost.
 */
import type { CatalogAdminItemView, SaveItemInput } from '../../../../typings/api';
import { CATALOG_CATEGORIES, UNITS, type CatalogCategory, type Unit } from '../../../generated/values';
import { ApiError, call, newRequestId } from '../../../services/api';
import { showError, showLoadError, showSuccess } from '../../../utils/feedback';
import { yuan } from '../../../utils/format';
import { CATALOG_CATEGORY_LABELS } from '../../../utils/labels';
import { loadNextPage } from '../../../utils/paging';

/** An item as a row of the list. */
export function itemRow(i: CatalogAdminItemView) {
  return {
    ...i,
    categoryText: CATALOG_CATEGORY_LABELS[i.category],
    priceText: i.priceFen === 0 ? '免费' : `${yuan(i.priceFen)}/${i.unit}`,
    stockText: i.soldOut ? '已售罄' : `库存 ${i.stock}${i.unit}`,
    limitText: `每户限购 ${i.perHouseholdLimit}${i.unit}`,
    supplierText: i.supplier ? `供应商：${i.supplier}` : '',
    weightText: i.kgPerUnit ? `每${i.unit}约 ${i.kgPerUnit} 公斤` : '',
  };
}
type ItemRow = ReturnType<typeof itemRow>;

/** A price typed in yuan (`12`, `12.5`, `12.50`) in fen, or null when it is not one. */
export function fenOf(text: string): number | null {
  const m = /^(\d{1,5})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** A whole number within [min, max] as typed, or null. */
export function wholeIn(text: string, min: number, max: number): number | null {
  if (!/^\d{1,7}$/.test(text.trim())) return null;
  const n = Number(text.trim());
  return n >= min && n <= max ? n : null;
}

interface ItemForm {
  name: string;
  category: CatalogCategory;
  unit: Unit;
  price: string;
  stock: string;
  limit: string;
  active: boolean;
  /** Who supplies it (the round's settlement owes each supplier); empty: 未指定供应商. */
  supplier?: string;
  /** The supplier as saved (the form sends it only when changed). */
  supplierWas?: string;
  /** Weight of one unit in kg as typed (volunteers carry by it); empty: not set. */
  kg?: string;
  /** The weight as saved (sent only when changed). */
  kgWas?: string;
}

const blankForm = (): ItemForm => ({
  name: '',
  category: 'vegetable',
  unit: '斤',
  price: '',
  stock: '',
  limit: '5',
  active: true,
  supplier: '',
  supplierWas: '',
  kg: '',
  kgWas: '',
});

/** A weight typed in kg (`5`, `0.55`, `15`) within 0.01–100, or null when it is not one. */
export function kgOf(text: string): number | null {
  const m = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) return null;
  const kg = Number(m[0]);
  return kg >= 0.01 && kg <= 100 ? kg : null;
}

/** What the form asks `order.saveItem` for, or the first thing to fix. */
export function saveInput(f: ItemForm, id: string): { input: SaveItemInput } | { error: string } {
  const name = f.name.trim();
  if (!name || name.length > 40) return { error: '请填写商品名称（40 字以内）' };
  const priceFen = fenOf(f.price);
  if (priceFen === null) return { error: '请填写价格（元，最多两位小数；免费填 0）' };
  const perHouseholdLimit = wholeIn(f.limit, 1, 100);
  if (perHouseholdLimit === null) return { error: '每户限购应为 1–100 的整数' };
  const supplier = (f.supplier ?? '').trim();
  if (supplier.length > 30) return { error: '供应商名称请在 30 字以内' };
  const kgText = (f.kg ?? '').trim();
  const kgPerUnit = kgText ? kgOf(kgText) : null;
  if (kgText && kgPerUnit === null) return { error: `单件重量应为 0.01–100 公斤（每${f.unit}多重，如大米一袋 5）` };
  const input: SaveItemInput = {
    name,
    category: f.category,
    unit: f.unit,
    priceFen,
    perHouseholdLimit,
    active: f.active,
    // Sent only when typed or changed (omitted, an item keeps its supplier).
    ...(supplier !== (f.supplierWas ?? '').trim() ? { supplier } : {}),
    // Sent only when typed or changed (omitted, an item keeps its weight).
    ...(kgPerUnit !== null && kgText !== (f.kgWas ?? '').trim() ? { kgPerUnit } : {}),
  };
  if (id) return { input: { id, ...input } };
  // A new item's starting stock; an existing item's is only ever added to (补货).
  const stock = wholeIn(f.stock || '0', 0, 1_000_000);
  if (stock === null) return { error: '库存应为 0–1000000 的整数' };
  return { input: { ...input, stock } };
}

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    failed: false,
    items: [] as ItemRow[],
    total: 0,
    cursor: '',
    loadingMore: false,
    /** The form: '' closed, 'new', or the id of the item edited. */
    editing: '',
    form: blankForm(),
    saving: false,
    categoryOptions: CATALOG_CATEGORIES.map((c) => ({ value: c, label: CATALOG_CATEGORY_LABELS[c] })),
    unitOptions: UNITS.map((u) => ({ value: u, label: u })),
    /** The item being restocked, and how many to add. */
    restocking: '',
    restockQty: '',
    /** One id per restock intent: a retried tap adds the quantity once. */
    _restockRequest: '',
  },
  methods: {
    onLoad() {
      return this.load();
    },
    async load() {
      this.setData({ loading: true, failed: false });
      try {
        const page = await call('order.items', {});
        this.setData({
          loading: false,
          items: page.items.map(itemRow),
          total: page.total,
          cursor: page.nextCursor ?? '',
        });
      } catch (error) {
        showLoadError(this, error);
      }
    },
    async onPullDownRefresh() {
      await this.load();
      wx.stopPullDownRefresh();
    },
    onReachBottom() {
      return loadNextPage(
        this,
        this.data.cursor,
        (cursor) => call('order.items', { cursor }),
        (page) => {
          this.setData({
            items: [...this.data.items, ...page.items.map(itemRow)],
            total: page.total,
            cursor: page.nextCursor ?? '',
          });
        },
      );
    },
    startNew() {
      this.setData({ editing: this.data.editing === 'new' ? '' : 'new', form: blankForm(), restocking: '' });
    },
    startEdit(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const item = this.data.items.find((i) => i.id === e.currentTarget.dataset.id);
      if (!item) return;
      const form: ItemForm = {
        name: item.name,
        category: item.category,
        unit: item.unit,
        price: (item.priceFen / 100).toFixed(2).replace(/\.00$/, ''),
        stock: '',
        limit: String(item.perHouseholdLimit),
        active: item.active,
        supplier: item.supplier ?? '',
        supplierWas: item.supplier ?? '',
        kg: item.kgPerUnit ? String(item.kgPerUnit) : '',
        kgWas: item.kgPerUnit ? String(item.kgPerUnit) : '',
      };
      this.setData({ editing: item.id, form, restocking: '' });
    },
    cancelEdit() {
      this.setData({ editing: '' });
    },
    onForm(e: WechatMiniprogram.CustomEvent<{ value: string }, Record<string, never>, { field: string }>) {
      this.setData({ [`form.${e.currentTarget.dataset.field}`]: e.detail.value });
    },
    onActive(e: WechatMiniprogram.CustomEvent<{ value: boolean }>) {
      this.setData({ 'form.active': e.detail.value });
    },
    /** Puts a saved item in the list: in its place, or first when new. */
    put(item: CatalogAdminItemView, isNew: boolean) {
      const row = itemRow(item);
      if (isNew) {
        this.setData({ items: [row, ...this.data.items], total: this.data.total + 1 });
        return;
      }
      const index = this.data.items.findIndex((i) => i.id === item.id);
      if (index >= 0) this.setData({ [`items[${index}]`]: row });
    },
    async save() {
      const { editing } = this.data;
      const checked = saveInput(this.data.form, editing === 'new' ? '' : editing);
      if ('error' in checked) {
        showError(this, new ApiError('COMMON.INVALID_INPUT', checked.error));
        return;
      }
      this.setData({ saving: true });
      try {
        const item = await call('order.saveItem', checked.input);
        this.put(item, editing === 'new');
        this.setData({ saving: false, editing: '' });
        showSuccess(this, editing === 'new' ? '已添加' : '已保存');
      } catch (error) {
        this.setData({ saving: false });
        showError(this, error);
      }
    },
    /** Hides an item from residents (or shows it again); its stock and orders stay. */
    async toggleActive(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const item = this.data.items.find((i) => i.id === e.currentTarget.dataset.id);
      if (!item) return;
      try {
        const saved = await call('order.saveItem', {
          id: item.id,
          name: item.name,
          category: item.category,
          unit: item.unit,
          priceFen: item.priceFen,
          perHouseholdLimit: item.perHouseholdLimit,
          active: !item.active,
        });
        this.put(saved, false);
        showSuccess(this, saved.active ? '已上架，居民可以订购' : '已下架，居民看不到了');
      } catch (error) {
        showError(this, error);
      }
    },
    startRestock(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const id = e.currentTarget.dataset.id;
      this.setData({
        restocking: this.data.restocking === id ? '' : id,
        restockQty: '',
        editing: '',
        _restockRequest: newRequestId(),
      });
    },
    onRestockQty(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ restockQty: e.detail.value });
    },
    async restock() {
      const { restocking: itemId, restockQty } = this.data;
      const qty = wholeIn(restockQty, 1, 100_000);
      if (!itemId) return;
      if (qty === null) {
        showError(this, new ApiError('COMMON.INVALID_INPUT', '补货数量应为 1–100000 的整数'));
        return;
      }
      this.setData({ saving: true });
      try {
        const item = await call('order.restock', { itemId, qty }, { requestId: this.data._restockRequest });
        this.put(item, false);
        this.setData({ saving: false, restocking: '', restockQty: '' });
        showSuccess(this, `已补货 ${qty}${item.unit}，现有 ${item.stock}${item.unit}`);
      } catch (error) {
        this.setData({ saving: false });
        showError(this, error);
      }
    },
  },
});
