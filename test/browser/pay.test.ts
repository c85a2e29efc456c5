/// <reference lib="dom" />

/**
 * WeChat Pay in the browser preview (issue 19): the preview's `wx.requestPayment` pays through the
 * local cloud's payment stand-in (`POST /dev/pay/<outTradeNo>`), which sends the platform's callback;
 * the resident's order then shows 已支付. Cancelling leaves it 待支付 with 去支付.
 */
import { demoCommunity } from '../../localcloud/seed/demo-community';
import { hasChromium, Session, startRig, type Rig } from './harness';

const optedOut = process.env.GRIDLINK_BROWSER_TESTS === '0';
if (!hasChromium && !optedOut) {
  throw new Error(
    "Chromium not found at /usr/bin/chromium: install Debian's chromium (apt-get install chromium) or set GRIDLINK_BROWSER_TESTS=0",
  );
}
const describeIfChromium = optedOut ? describe.skip : describe;

jest.setTimeout(120_000);

/** Two residents of different households (each orders once: the quota is per household). */
function residents(): [string, string] {
  const joined = demoCommunity().households.filter((h) => h.memberOpenids.length > 0);
  const a = joined[0]?.memberOpenids[0];
  const b = joined[1]?.memberOpenids[0];
  if (!a || !b) throw new Error('the demo seed has fewer than two joined households');
  return [a, b];
}

describeIfChromium('WeChat Pay in the preview', () => {
  let rig: Rig;
  const [payer, canceller] = residents();

  beforeAll(async () => {
    rig = await startRig();
  }, 180_000);
  afterAll(() => rig?.close());

  /** Places a one-item WeChat Pay order and answers at the payment sheet. */
  const placeWechatPay = async (user: string): Promise<Session> => {
    const s = await Session.open(rig, user, 'pages/resident/order/index', 30_000);
    await s.see('提交订单');
    await s.top.locator('[class*="t-stepper__plus"]').first().click();
    await s.tap('微信支付');
    await s.tap('提交订单');
    await s.dialog('subscribe', 'confirm');
    await s.page.locator('[data-pv="pay"]').waitFor({ state: 'visible', timeout: 15_000 });
    return s;
  };

  it('pays: the stand-in platform takes the payment and its callback marks the order 已支付', async () => {
    const s = await placeWechatPay(payer);
    await s.dialog('pay', 'confirm');
    await s.waitPage('pages/resident/order-detail/index', 20_000);
    await s.see('已支付', 20_000);
    expect(s.problems).toEqual([]);
    await s.close();
  });

  it('cancelled, the order stays 待支付 with 去支付 and its expiry', async () => {
    const s = await placeWechatPay(canceller);
    await s.dialog('pay', 'cancel');
    await s.waitPage('pages/resident/order-detail/index', 20_000);
    await s.see('待支付');
    await s.see('去支付');
    await s.see(/前完成支付/);
    expect(s.problems).toEqual([]);
    await s.close();
  });
});
