/// <reference lib="dom" />

/**
 * The invite code and the door poster in the browser preview (issue 13): the grid's code image is
 * the stored PNG the WeChat stand-in made, and a building's poster is drawn on a canvas 2d and made
 * an image that can be saved — in Chromium, as on a phone. Fails on any console error, failed
 * request or refused call; every wait is on a condition.
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

jest.setTimeout(90_000);

/** A page's own class (wcsc scopes classes per component, so match the end of the name). */
const cls = (name: string) => `[class*="${name}"]`;

describeIfChromium('invite code and door poster in Chromium', () => {
  let rig: Rig;
  const demo = demoCommunity();
  const grid = demo.grids[0]!;
  const gridworker = grid.gridworkerIds[0]!;
  const building = demo.buildings.find((b) => b.gridId === grid._id)!;

  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(() => rig?.close());

  test('the gridworker shows the grid’s code, opens a building’s poster, and saves it as an image', async () => {
    // A light page first; the first frame of a cold browser can take a while on a busy machine.
    const s = await Session.open(rig, gridworker, 'pages/privacy/index', 45_000);
    const go = async (url: string) => {
      await s.page.evaluate((u) => (window as any).__gridlinkShell.navigate('navigateTo', u), url);
      await s.waitPage(url.replace(/^\//, '').split('?')[0] as string, 30_000);
    };
    await go(`/pages/grid/groups/index?gridId=${grid._id}`);
    await s.see('显示邀请码', 20_000);
    await s.tap('显示邀请码');
    await s.see('扫码入群', 20_000);
    // The stored code image loads (a real PNG from the local storage).
    const qr = s.top.locator(`${cls('groups__qr')} img`).first();
    await qr.waitFor({ state: 'attached' });
    await s.page.waitForFunction(
      () => {
        const f = document.querySelector('iframe.pv-frame--top') as HTMLIFrameElement | null;
        const img = f?.contentDocument?.querySelector('[class*="groups__qr"] img') as HTMLImageElement | null;
        return Boolean(img?.complete && img.naturalWidth > 0);
      },
      null,
      { timeout: 15_000 },
    );
    expect(await qr.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(600);

    await go(`/pages/grid/poster/index?gridId=${grid._id}&buildingId=${building._id}`);
    await s.see(`${grid.name} · 楼栋门口海报`, 20_000);
    // The poster becomes an image (the canvas read back as a blob: WeChat's temp file path).
    await s.page.waitForFunction(
      () => {
        const f = document.querySelector('iframe.pv-frame--top') as HTMLIFrameElement | null;
        const img = f?.contentDocument?.querySelector('img[src^="blob:"]') as HTMLImageElement | null;
        return Boolean(img?.complete && img.naturalWidth > 0);
      },
      null,
      { timeout: 30_000 },
    );
    const drawn = await s.page.evaluate(() => {
      const f = document.querySelector('iframe.pv-frame--top') as HTMLIFrameElement;
      const canvas = f.contentDocument?.querySelector('canvas') as HTMLCanvasElement;
      const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
      // Dark modules inside the code's square (x 300–940, y 500–1140), the blue header band.
      const code = ctx.getImageData(300, 500, 640, 640).data;
      let dark = 0;
      for (let i = 0; i < code.length; i += 4) if ((code[i] as number) < 60) dark += 1;
      const band = ctx.getImageData(20, 20, 1, 1).data;
      return { width: canvas.width, height: canvas.height, dark: dark / (640 * 640), band: [...band].slice(0, 3) };
    });
    expect(drawn).toMatchObject({ width: 1240, height: 1754, band: [0, 82, 217] });
    expect(drawn.dark).toBeGreaterThan(0.2);
    expect(drawn.dark).toBeLessThan(0.8);

    const download = s.page.waitForEvent('download');
    await s.tap('保存到相册（打印张贴）');
    // The preview asks for the privacy authorisation first, as WeChat does.
    await s.top.getByText('同意并继续').first().click();
    expect((await download).suggestedFilename()).toMatch(/\.png$/);
    expect(s.problems).toEqual([]);
    await s.close();
  });
});
