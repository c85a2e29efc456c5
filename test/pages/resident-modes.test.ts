/**
 * Every resident page in both languages (中文, བོད་ཡིག) and both modes (normal, 关怀模式): the page
 * draws itself with the language's classes and words — in Tibetan no Chinese is left once the data
 * itself is not Chinese — sets its title, and keeps its labels for screen readers filled.
 */
import type { Handlers } from '../helpers/page';
import type { CardView, CatalogView, HouseholdView, MyGridView } from '../../typings/api';
import { bo } from '../../miniprogram/i18n/bo';
import { zh } from '../../miniprogram/i18n/zh';
import { failure, me, orderDetail, orderView } from '../helpers/fixtures';
import { flush, loadPage, mockCall, tapButton, textOf, type LoadedPage } from '../helpers/page';

const HAN = /[\u3400-\u9fff\u3000-\u303f\uff01-\uff5e]/;
const TIBETAN = /[\u0f00-\u0fff]/;

// Data whose own words are not Chinese, so what is Chinese on a Tibetan page can only be ours.
const grid: MyGridView = {
  communityName: 'Xingfu',
  gridId: 'g-01',
  gridName: 'G-01',
  groupQrFileId: 'cloud://qr.png',
  contacts: [{ role: 'gridworker', name: 'Dolma', phone: '13800001111' }],
  notices: [{ id: 'n1', scope: 'grid', title: 'Notice 1', body: 'Line up at 8', postedAt: '2022-08-20T12:00:00Z' }],
};
const household: HouseholdView = {
  id: 'h1',
  gridId: 'g-01',
  gridName: 'G-01',
  buildingName: 'B1',
  room: '1-101',
  headName: 'Tashi',
  phoneMasked: '139****1234',
  members: [
    { id: 'm1', name: 'Tashi', relation: 'self', ageBand: '60-79', needs: ['dialysis'] },
    { id: 'm2', name: 'Pema', relation: 'spouse', ageBand: '60-79', needs: [] },
  ],
  sensitiveConsent: true,
  priority: true,
};
const catalog: CatalogView = {
  round: { id: 'r1', name: 'R1', opensAt: '2022-08-20T00:00:00Z', closesAt: '2022-08-21T10:00:00Z', open: true },
  items: [
    {
      id: 'i1',
      name: 'Love bag',
      category: 'loveBag',
      unit: '份',
      priceFen: 0,
      stock: 100,
      perHouseholdLimit: 1,
      remaining: 1,
      soldOut: false,
    },
    {
      id: 'i2',
      name: 'Rice 5kg',
      category: 'staple',
      unit: '袋',
      priceFen: 4500,
      stock: 30,
      perHouseholdLimit: 2,
      remaining: 2,
      soldOut: false,
    },
    {
      id: 'i3',
      name: 'Eggs',
      category: 'meat',
      unit: '斤',
      priceFen: 650,
      stock: 0,
      perHouseholdLimit: 5,
      remaining: 5,
      soldOut: true,
    },
    {
      id: 'i4',
      name: 'Gas 15kg',
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
const line = { itemId: 'i2', name: 'Rice 5kg', unit: '袋' as const, qty: 2, priceFen: 4500 };
const card: CardView = {
  roundId: 'r1',
  roundName: 'R1',
  serial: 'R1-G01-0007',
  nameMasked: 'T**i',
  place: 'B1 1-101',
  gridName: 'G-01',
  sampledAt: '2022-08-20T09:30:00+08:00',
  validUntil: '2022-08-22T09:30:00+08:00',
  seal: 'Xingfu RC',
  token: 'tok',
  qr: 'data:image/svg+xml;base64,PHN2Zy8+',
  result: 'negative',
};

const HANDLERS: Handlers = {
  'user.me': () => ({ ok: true, data: me({ nickName: 'Tashi' }) }),
  'household.myJoin': () => ({ ok: true, data: null }),
  'household.communities': () => ({ ok: true, data: [{ id: 'c1', name: 'Xingfu', district: 'Chengguan' }] }),
  'household.directory': () => ({
    ok: true,
    data: {
      community: { id: 'c1', name: 'Xingfu', district: 'Chengguan' },
      grids: [{ id: 'g-01', name: 'G-01', buildings: [{ id: 'b1', name: 'B1', floors: 6 }] }],
    },
  }),
  'grid.mine': () => ({ ok: true, data: grid }),
  'household.get': () => ({ ok: true, data: household }),
  'order.catalog': () => ({ ok: true, data: catalog }),
  // The server's status words are Chinese: a Tibetan page says them by status instead.
  'order.mine': () => ({
    ok: true,
    data: {
      items: [
        orderView({ lines: [line], priority: true }),
        orderView({ id: 'o2', kind: 'medicine', lines: [], status: 'delivered', statusText: '已送达' }),
      ],
      nextCursor: null,
      total: 2,
    },
  }),
  'order.detail': () => ({
    ok: true,
    data: orderDetail({
      status: 'assigned',
      statusText: '已安排志愿者配送',
      lines: [line],
      handoverCode: '4821',
      canCancel: true,
      history: [
        { status: 'submitted', at: '2022-08-20T02:00:00Z', by: 'u', text: '已提交，等待网格员接单' },
        { status: 'assigned', at: '2022-08-20T03:00:00Z', by: 'g', text: '已安排志愿者配送' },
      ],
      contacts: [{ role: 'gridworker', name: 'Dolma', phone: '13800001111' }],
    }),
  }),
  'testing.myCards': () => ({ ok: true, data: [card] }),
  'testing.personCodes': () => ({
    ok: true,
    data: [{ memberId: 'm1', nameMasked: 'T**i', token: 'p', qr: 'data:image/svg+xml;base64,PHN2Zy8+' }],
  }),
};

/** Each page, what it must say in Chinese, and the data fields a screen reader reads out. */
const PAGES: Array<{
  path: string;
  query?: Record<string, string>;
  zh: string[];
  labels?: (p: LoadedPage) => string[];
}> = [
  { path: 'pages/index/index', zh: ['我的设置', '关怀模式'] },
  { path: 'pages/join/index', zh: ['您住在哪里', '提交，等待网格员审核'] },
  {
    path: 'pages/resident/grid/index',
    zh: ['有事请找', '最新通知', '网格员'],
    labels: (p) => p.instance.data.grid.contacts.map((c: { callLabel: string }) => c.callLabel),
  },
  {
    path: 'pages/resident/household/index',
    zh: ['户主姓名', '血透', '60–79岁'],
    labels: (p) =>
      p.instance.data.members.flatMap((m: { label: string; removeLabel: string }) => [m.label, m.removeLabel]),
  },
  {
    path: 'pages/resident/order/index',
    zh: ['R1 · 08-21 18:00 截单', '¥45.00 / 袋 · 每户限 2袋'],
    labels: (p) => p.instance.data.groceries.map((g: { qtyLabel: string }) => g.qtyLabel),
  },
  {
    path: 'pages/resident/orders/index',
    zh: ['已提交，等待网格员接单', '药费到付', '共 2 单'],
    labels: (p) =>
      p.instance.data.orders.flatMap((o: { rowLabel: string; statusLabel: string }) => [o.rowLabel, o.statusLabel]),
  },
  {
    path: 'pages/resident/order-detail/index',
    query: { id: 'o1' },
    zh: ['已安排志愿者配送', '2袋', '取货码'],
    labels: (p) => [
      p.instance.data.codeLabel,
      ...p.instance.data.contacts.map((c: { callLabel: string }) => c.callLabel),
    ],
  },
  {
    path: 'pages/testing/cards/index',
    zh: ['核酸已采样', '采样时间 08-20 09:30', '检测结果：阴性'],
    labels: (p) =>
      p.instance.data.cards.flatMap((c: { qrLabel: string; resultLabel: string }) => [c.qrLabel, c.resultLabel]),
  },
];

const MODES = [
  { lang: 'zh', care: false },
  { lang: 'zh', care: true },
  { lang: 'bo', care: false },
  { lang: 'bo', care: true },
] as const;

beforeEach(() => {
  Object.assign(wx, {
    setNavigationBarTitle: jest.fn(),
    getAppBaseInfo: jest.fn(() => ({ SDKVersion: '3.4.0', fontSizeSetting: 17 })),
  });
});

describe.each(MODES)('resident pages in $lang, 关怀模式 $care', ({ lang, care }) => {
  it.each(PAGES)('$path', async ({ path, query, zh: words, labels }) => {
    wx.setStorageSync('gridlink.lang', lang);
    wx.setStorageSync('gridlink.care', care);
    mockCall(HANDLERS);
    const page = await loadPage(path, query ?? {});
    const root = page.dom.firstElementChild as HTMLElement;
    expect(root.className).toContain(`lang-${lang}`);
    expect(root.className.includes('--care')).toBe(care);
    const text = textOf(page);
    if (lang === 'zh') {
      for (const w of words) expect(text).toContain(w);
    } else {
      expect(text).toMatch(TIBETAN);
      // The language picker names each language in its own script (中文 / བོད་ཡིག), by design.
      const ours = text.replace('中文', '');
      expect({ path, chinese: ours.match(new RegExp(`.{0,12}${HAN.source}.{0,12}`))?.[0] ?? null }).toEqual({
        path,
        chinese: null,
      });
    }
    for (const label of labels?.(page) ?? []) expect(label.trim()).not.toBe('');
    const title = (wx as unknown as { setNavigationBarTitle: jest.Mock }).setNavigationBarTitle.mock.calls[0]?.[0]
      ?.title as string;
    expect(title).toMatch(lang === 'bo' ? TIBETAN : HAN);
  });
});

describe('home in 关怀模式 (适老化)', () => {
  it('reduces a resident’s home to four big actions, with the full list one tap away', async () => {
    wx.setStorageSync('gridlink.care', true);
    mockCall(HANDLERS);
    const page = await loadPage('pages/index/index');
    expect(page.querySelectorAll('.home__big-btn')).toHaveLength(4);
    expect(textOf(page)).toContain('点单我的订单我的采样卡联系网格员');
    expect(page.querySelector('.home__entry')).toBeFalsy();
    tapButton(page, '.home__more');
    await flush();
    expect(page.querySelectorAll('.home__entry').length).toBeGreaterThan(4);
    page.querySelectorAll('.home__big-btn')[3]?.dispatchEvent('tap');
    await flush();
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/resident/grid/index' });
  });

  it('follows the phone’s large font until the resident chooses, and the switch is remembered', async () => {
    (wx as unknown as { getAppBaseInfo: jest.Mock }).getAppBaseInfo.mockReturnValue({
      SDKVersion: '3.4.0',
      fontSizeSetting: 22,
    });
    mockCall(HANDLERS);
    const page = await loadPage('pages/index/index');
    expect(page.instance.data.care).toBe(true);
    expect(page.querySelectorAll('.home__big-btn')).toHaveLength(4);
    page.instance.onCare({ detail: { value: false } });
    await flush();
    expect(wx.getStorageSync('gridlink.care')).toBe(false);
    expect(page.instance.data.ui.cls).not.toContain('care');
    expect(page.querySelector('.home__big-btn')).toBeFalsy();
    expect(textOf(page)).toContain('关怀模式已关闭');
  });

  it('keeps the normal home for a resident at a normal font size', async () => {
    mockCall(HANDLERS);
    const page = await loadPage('pages/index/index');
    expect(page.querySelector('.home__big-btn')).toBeFalsy();
    expect(page.querySelectorAll('.home__entry').length).toBeGreaterThan(4);
  });
});

describe('language switch', () => {
  it('switches the home page to Tibetan and back, and remembers the choice', async () => {
    mockCall(HANDLERS);
    const page = await loadPage('pages/index/index');
    expect(textOf(page)).toContain(zh['entry.order.title']);
    page.querySelector('.home__lang--bo')?.dispatchEvent('tap');
    await flush();
    expect(wx.getStorageSync('gridlink.lang')).toBe('bo');
    expect(textOf(page)).toContain(bo['entry.order.title']);
    expect(textOf(page)).not.toContain(zh['entry.order.title']);
    expect(page.instance.data.roleTags).toEqual([bo['role.resident']]);
    page.querySelector('.home__lang--zh')?.dispatchEvent('tap');
    await flush();
    expect(textOf(page)).toContain(zh['entry.order.title']);
  });

  it('redraws a page in the new language when the resident comes back to it', async () => {
    mockCall(HANDLERS);
    const page = await loadPage('pages/resident/grid/index');
    expect(textOf(page)).toContain('有事请找');
    wx.setStorageSync('gridlink.lang', 'bo');
    page.instance.onShow();
    await flush();
    expect(textOf(page)).toContain(bo['grid.contacts'] as string);
    expect(page.instance.data.grid.contacts[0].roleText).toBe(bo['role.gridworker']);
  });
});

describe('server errors in the resident’s language', () => {
  it('translates a refusal by its code in Tibetan, and shows the server’s own words in Chinese', async () => {
    for (const lang of ['bo', 'zh'] as const) {
      wx.setStorageSync('gridlink.lang', lang);
      mockCall({
        ...HANDLERS,
        'household.update': () => failure('PRIVACY.CONSENT_REQUIRED', '登记特殊人群信息需要您单独同意'),
      });
      const page = await loadPage('pages/resident/household/index');
      tapButton(page, '.hh__save-btn');
      await flush();
      expect(textOf(page)).toContain(
        lang === 'bo' ? (bo['err.PRIVACY.CONSENT_REQUIRED'] as string) : '登记特殊人群信息需要您单独同意',
      );
    }
  });

  it('says a check made on the phone in the resident’s language too', async () => {
    wx.setStorageSync('gridlink.lang', 'bo');
    mockCall(HANDLERS);
    const page = await loadPage('pages/join/index');
    tapButton(page, '.join__submit');
    await flush();
    expect(textOf(page)).toContain(bo['join.pickFirst'] as string);
  });
});
