/// <reference lib="dom" />

/**
 * Journeys through the real pages in headless Chromium (the browser preview, issue 15): one local
 * cloud and one browser for the file, one browser context per user. Each journey fails on a
 * console error, an uncaught error, a failed request, a cloud call answered ok:false that the
 * journey did not expect, or a blank page. Every wait is on a condition (text on the page, the
 * page on top of the stack), never a fixed sleep.
 */
import { demoCommunity } from '../../localcloud/seed/demo-community';
import { hasChromium, Session, startRig, type Rig } from './harness';

// No silent skip: without Chromium this file fails, unless the run opts out by name
// (GRIDLINK_BROWSER_TESTS=0, e.g. on a laptop without Debian's chromium; CI installs it).
const optedOut = process.env.GRIDLINK_BROWSER_TESTS === '0';
if (!hasChromium && !optedOut) {
  throw new Error(
    "Chromium not found at /usr/bin/chromium: install Debian's chromium (apt-get install chromium) or set GRIDLINK_BROWSER_TESTS=0",
  );
}
const describeIfChromium = optedOut ? describe.skip : describe;

jest.setTimeout(60_000);

/**
 * Who plays which part, read from the demo seed (pure and deterministic: the local cloud is seeded
 * with the same documents): a grid whose delivery volunteers are all off duty, so a dispatch there
 * leaves an open job to grab; a resident of that grid; a volunteer of the 核酸检测 team.
 */
function cast() {
  const demo = demoCommunity();
  const delivery = demo.volunteers.filter((v) => v.status === 'approved' && v.team === 'delivery');
  const quiet = demo.grids.find((g) => {
    const mine = delivery.filter((v) => v.gridIds.includes(g._id));
    const joined = demo.households.some((h) => h.gridId === g._id && h.memberOpenids.length > 0);
    return mine.length > 0 && mine.every((v) => !v.onDuty) && joined && g.gridworkerIds.length > 0;
  });
  if (!quiet) throw new Error('the demo seed has no grid whose delivery volunteers are all off duty');
  const resident = demo.households.find((h) => h.gridId === quiet._id && h.memberOpenids.length > 0)?.memberOpenids[0];
  const volunteer = delivery.find((v) => v.gridIds.includes(quiet._id))?._id;
  const sampler = demo.volunteers.find((v) => v.status === 'approved' && v.team === 'testing')?._id;
  if (!resident || !volunteer || !sampler)
    throw new Error('the demo seed lacks a resident, volunteer or sampler for the journeys');
  return { gridworker: quiet.gridworkerIds[0] as string, resident, volunteer, sampler };
}

/** A page's own class (wcsc scopes classes per component, so match the end of the name). */
const cls = (name: string) => `[class*="${name}"]`;

describeIfChromium('the mini-program in Chromium', () => {
  let rig: Rig;
  const who = cast();
  let orderId = '';

  /**
   * One phone per user for the whole file (a browser context: its own storage and problem log).
   * A user's later visits navigate inside the shell (reLaunch), as the app itself would.
   */
  const phones = new Map<string, Session>();
  const open = async (user: string, route = 'pages/index/index') => {
    const known = phones.get(user);
    if (known) {
      await go(known, 'reLaunch', `/${route}`);
      return known;
    }
    const s = await Session.open(rig, user, route);
    phones.set(user, s);
    return s;
  };

  const clean = (s: Session) => expect(s.problems).toEqual([]);

  /** Opens a page as the app does (wx.navigateTo / reLaunch through the shell) and waits for it. */
  const go = async (s: Session, kind: 'navigateTo' | 'reLaunch', url: string) => {
    await s.page.evaluate(([k, u]) => (window as any).__gridlinkShell.navigate(k, u), [kind, url] as const);
    await s.waitPage(url.replace(/^\//, '').split('?')[0] as string);
  };

  /** The resident orders one item on pages/resident/order; answers the order id. */
  const placeOrder = async (user: string): Promise<string> => {
    const s = await open(user, 'pages/resident/order/index');
    await s.see('提交订单');
    await s.top.locator('[class*="t-stepper__plus"]').first().click();
    await s.tap('提交订单');
    // The subscribe-message prompt appears inside the tap, as in WeChat.
    await s.dialog('subscribe', 'confirm');
    await s.waitPage('pages/resident/order-detail/index');
    await s.see('订单内容');
    const id = new URLSearchParams(s.page.url().split('?').pop()).get('id') ?? '';
    expect(id).not.toBe('');
    clean(s);
    return id;
  };

  /** The gridworker accepts the order in the pool, then runs 一键派单 on the board. */
  const acceptAndDispatch = async (user: string): Promise<Session> => {
    const s = await open(user, 'pages/dispatch/pool/index');
    // The journey's order is the only one waiting in this grid's pool: accepted, it leaves the list.
    const accept = s.top.getByText('接单', { exact: true });
    await accept.first().click();
    await accept.first().waitFor({ state: 'detached' });
    await go(s, 'navigateTo', '/pages/dispatch/board/index');
    await s.see(/待派单 [1-9]/);
    await s.tap('一键派单');
    await s.top.locator(cls('board__summary')).first().waitFor();
    return s;
  };

  /** The 取货码 the resident shows on the order's page. */
  const handoverCode = async (user: string, id: string): Promise<string> => {
    const s = await open(user, `pages/resident/order-detail/index?id=${id}`);
    await s.see('取货码');
    const code = (await s.top.locator('[class*="detail__code-value"]').innerText()).trim();
    expect(code).toMatch(/^\d{4}$/);
    clean(s);
    return code;
  };

  beforeAll(async () => {
    rig = await startRig();
  }, 60_000);

  afterAll(async () => {
    for (const s of phones.values()) await s.close().catch(() => undefined);
    await rig?.close();
  });

  // How fast is measured by `npm run bench` (preview.*), never here: this checks it works.
  test('the first page opens, and navigating there and back keeps the page stack', async () => {
    const s = await open('dev-res-0001');
    await s.see('我能做的事');
    // Navigate (a frame is kept loaded ahead), then back: onShow on the page below.
    await s.tap('我的订单');
    await s.waitPage('pages/resident/orders/index');
    await s.page.click('[data-pv=back]');
    await s.waitPage('pages/index/index');
    expect(s.page.url()).toContain('#/pages/index/index');
    clean(s);
  });

  test('a new user joins a grid → the gridworker approves → the home shows the resident entries', async () => {
    const openid = 'dev-journey-newcomer';
    const r = await open(openid);
    await r.see('加入网格');
    await r.top.getByText('加入网格', { exact: true }).first().click();
    await r.waitPage('pages/join/index');
    await r.see('您住在哪里');
    // The grid and the building come from pickers (the first of each).
    await r.top.getByText('网格', { exact: true }).first().click();
    await r.top.locator(cls('t-picker__confirm')).first().click();
    await r.see('第1网格');
    await r.top.getByText('楼栋', { exact: true }).first().click();
    await r.top.locator(cls('t-picker__confirm')).last().click();
    await r.see(/号楼（\d+层）/);
    await r.top.getByPlaceholder('如 2-301').fill('9-909');
    await r.top.getByPlaceholder('请输入').fill('测试新户');
    await r.top.getByPlaceholder('用于配送联系，默认打码显示').fill('13912345678');
    await r.tap('提交，等待网格员审核');
    await r.dialog('subscribe', 'confirm');
    await r.see('已提交，等待网格员审核');
    clean(r);

    const g = await open('dev-gw-01', 'pages/grid/joins/index');
    const row = g.top.locator(cls('joins__row'), { hasText: '9-909' });
    await row.getByText('该房尚无住户记录，通过后将新建一户').waitFor();
    await row.getByText('通过', { exact: true }).click();
    await row.waitFor({ state: 'detached' });
    clean(g);

    await go(r, 'reLaunch', '/pages/index/index');
    await r.see('线上点单');
    await r.see('我的家庭');
    expect(await r.text()).not.toContain('加入网格');
    clean(r);
  });

  test('resident orders → sees the order in the list', async () => {
    orderId = await placeOrder('dev-res-0001');
    // Back to the list: the order is there.
    const s = await open('dev-res-0001', 'pages/resident/orders/index');
    await s.see(/共 \d+ 单/);
    clean(s);
  });

  test('gridworker accepts the order → dispatches it → the resident sees the handover code', async () => {
    const g = await acceptAndDispatch('dev-gw-01');
    clean(g);
    await handoverCode('dev-res-0001', orderId);
  });

  test("volunteer goes on duty → grabs the open job → picks up → delivers with the resident's code", async () => {
    // An order in a grid with nobody on duty: 一键派单 leaves it as an open job to grab.
    const id = await placeOrder(who.resident);
    const g = await acceptAndDispatch(who.gridworker);
    await g.see('还没有人接，等在岗志愿者抢单');
    clean(g);
    const code = await handoverCode(who.resident, id);

    const v = await open(who.volunteer, 'pages/volunteer/me/index');
    await v.see('未上岗');
    await v.top.getByText('上岗', { exact: true }).first().click();
    await v.see('在岗中');
    await go(v, 'navigateTo', '/pages/volunteer/jobs/index');
    await v.tap(/^可抢任务 [1-9]/);
    await v.top.getByText('抢单', { exact: true }).first().click();
    // Grabbed: the page turns to 我的任务, where the job waits to be picked up.
    await v.see(/^我的任务 1/);
    await v.top.locator(cls('jobs__card'), { hasText: '待取货' }).first().click();
    await v.waitPage('pages/volunteer/job/index');
    await v.tap('核对无误，确认取货');
    // Picked up: each door takes the resident's code.
    const codeInput = v.top.getByPlaceholder('居民出示的4位码');
    await codeInput.fill(code);
    await v.tap('凭码送达');
    await v.see(/^已完成 · 约/);
    clean(v);

    const r = await open(who.resident, `pages/resident/order-detail/index?id=${id}`);
    await r.see('已送达');
    clean(r);
  });

  test("sampler scans the resident's personal code → the resident's card shows", async () => {
    // No page opens a testing round (the admin has none for it): the admin's call, over HTTP as
    // the pages make it, stands in for that missing page. Everything after is the pages.
    const opened = await fetch(`${rig.cloud.url}/fn/testing`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gridlink-user': 'dev-admin' },
      body: JSON.stringify({
        action: 'testing.openRound',
        payload: {
          name: '浏览器旅程检测',
          date: new Date().toISOString().slice(0, 10),
          points: ['1号采样点'],
          validHours: 48,
        },
      }),
    }).then((res) => res.json() as Promise<{ ok: boolean }>);
    expect(opened.ok).toBe(true);

    const r = await open('dev-res-0001', 'pages/testing/cards/index');
    await r.tap('个人码（采样时出示）');
    await r.see('请采样人员扫码登记');
    // The personal code the resident shows (the preview remembers codes seen in answers).
    const personCode = await r.page.evaluate(
      () => (JSON.parse(localStorage.getItem('preview:codes') || '[]') as Array<{ value: string }>)[0]?.value ?? '',
    );
    expect(personCode).not.toBe('');

    const s = await open(who.sampler, 'pages/testing/sample/index');
    await s.see('浏览器旅程检测');
    await s.tap('扫居民个人码登记');
    await s.page.locator('[data-pv="scan"] [data-pv="prompt-input"]').fill(personCode);
    await s.dialog('scan', 'confirm');
    await s.see('登记成功');
    await s.see('本轮你已登记 1 人');
    clean(s);

    await open('dev-res-0001', 'pages/testing/cards/index');
    await r.see('核酸已采样');
    await r.see('浏览器旅程检测');
    clean(r);
  });

  test('admin imports a household sheet (CSV) → checked, imported, the new grid listed', async () => {
    const csv = [
      '网格,楼栋,单元,房号,户主,电话,人数',
      '旅程网格,旅程1号楼,1,101,测试甲,13800000001,2',
      '旅程网格,旅程1号楼,1,202,测试乙,13800000002,张三、李四',
    ].join('\r\n');
    const a = await open('dev-admin', 'pages/admin/structure/index');
    await a.see('第1网格');
    await a.tap('选择表格文件并检查');
    // WeChat asks for privacy consent (the page's privacy popup) before chooseMessageFile.
    await a.tap('同意并继续');
    await a.page
      .locator('[data-pv="file"] [data-pv="file-input"]')
      .setInputFiles({ name: '住户表.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
    await a.see('住户表.csv');
    await a.see(/共 2 行：网格 新增 1、已有 0；楼栋 新增 1、已有 0；住户 新增 2、已有 0/);
    await a.tap('检查通过，确认导入');
    await a.see('导入完成');
    await a.see(/旅程网格 · 2 户/);
    clean(a);
  });
});
