/// <reference lib="dom" />

/**
 * Journeys through the real pages in headless Chromium (the browser preview, issue 15): one local
 * cloud and one browser for the file, one browser context per user. Each journey fails on a
 * console error, an uncaught error, a failed request, a cloud call answered ok:false that the
 * journey did not expect, or a blank page.
 */
import { hasChromium, Session, startRig, type Rig } from './harness';

// No silent skip: without Chromium this file fails, unless the run opts out by name
// (GRIDLINK_BROWSER_TESTS=0, e.g. on a laptop without Debian's chromium; CI installs it).
const optedOut = process.env.GRIDLINK_BROWSER_TESTS === '0';
if (!hasChromium && !optedOut) {
  throw new Error('Chromium not found at /usr/bin/chromium: install Debian\'s chromium (apt-get install chromium) or set GRIDLINK_BROWSER_TESTS=0');
}
const describeIfChromium = optedOut ? describe.skip : describe;

jest.setTimeout(60_000);

describeIfChromium('the mini-program in Chromium', () => {
  let rig: Rig;
  const sessions: Session[] = [];
  let orderId = '';
  let handoverCode = '';

  const open = async (user: string, route?: string) => {
    const s = await Session.open(rig, user, route);
    sessions.push(s);
    return s;
  };

  const clean = (s: Session) => expect(s.problems).toEqual([]);

  beforeAll(async () => {
    rig = await startRig();
  }, 60_000);

  afterAll(async () => {
    for (const s of sessions) await s.close().catch(() => undefined);
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

  test('resident orders → sees the order and its handover code', async () => {
    const s = await open('dev-res-0001', 'pages/resident/order/index');
    await s.see('提交订单');
    await s.top.locator('[class*="t-stepper__plus"]').first().click();
    await s.tap('提交订单');
    // The subscribe-message prompt appears inside the tap, as in WeChat.
    await s.dialog('subscribe', 'confirm');
    await s.waitPage('pages/resident/order-detail/index');
    await s.see('订单内容');
    orderId = new URLSearchParams(s.page.url().split('?').pop()).get('id') ?? '';
    expect(orderId).not.toBe('');
    // Back to the list: the order is there.
    await s.page.evaluate(() => (window as any).__gridlinkShell.navigate('reLaunch', '/pages/resident/orders/index'));
    await s.waitPage('pages/resident/orders/index');
    await s.see(/共 \d+ 单/);
    clean(s);
  });

  test('gridworker accepts the order → dispatches it on the board', async () => {
    const s = await open('dev-gw-01', 'pages/dispatch/pool/index');
    await s.see('接单');
    await s.top.getByText('接单', { exact: true }).first().click();
    await s.page.waitForTimeout(500);
    await s.page.evaluate(() => (window as any).__gridlinkShell.navigate('navigateTo', '/pages/dispatch/board/index'));
    await s.waitPage('pages/dispatch/board/index');
    await s.tap('一键派单');
    await s.page.waitForTimeout(1000);
    clean(s);
    // The resident now sees the handover code on the order.
    const r = await open('dev-res-0001', `pages/resident/order-detail/index?id=${orderId}`);
    await r.see('取货码');
    handoverCode = (await r.top.locator('[class*="detail__code-value"]').innerText()).trim();
    expect(handoverCode).toMatch(/\S+/);
    clean(r);
  });

  test('volunteer goes on duty → sees the job list', async () => {
    const s = await open('dev-vol-001', 'pages/volunteer/me/index');
    const onOff = s.top.getByText(/^(上岗|下岗)$/).first();
    await onOff.waitFor();
    if ((await onOff.innerText()).trim() === '下岗') {
      await onOff.click();
      await s.top.getByText('上岗', { exact: true }).first().waitFor();
    }
    await s.top.getByText('上岗', { exact: true }).first().click();
    await s.see('在岗中');
    await s.page.evaluate(() => (window as any).__gridlinkShell.navigate('navigateTo', '/pages/volunteer/jobs/index'));
    await s.waitPage('pages/volunteer/jobs/index');
    // 一键派单 already assigned the job to a volunteer of the grid, so there is nothing left to
    // grab here; grabbing and delivering with the code are not covered yet (see README).
    await s.see(/抢单|我的|暂无|没有/);
    clean(s);
  });
});
