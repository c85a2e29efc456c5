/// <reference lib="dom" />
/**
 * One local cloud (in memory, demo community seeded) and one headless Chromium (Debian's
 * /usr/bin/chromium via playwright-core; nothing downloaded) for the preview's browser runs:
 * the journey tests and `npm run screenshots`. Every console error, uncaught error, failed
 * request and cloud call answered `ok: false` is recorded, so a run can fail on any of them.
 */
import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Frame, FrameLocator, Page } from 'playwright-core';
import { startLocalCloud, type LocalCloud } from '../../localcloud/app';
import { ensurePreview } from '../../localcloud/preview';

export const CHROMIUM = process.env.GRIDLINK_CHROMIUM ?? '/usr/bin/chromium';

/** Whether a browser run is possible here (CI installs Debian's chromium; see .ci/run). */
export const hasChromium = existsSync(CHROMIUM);

/** Flags that keep Chromium quiet on a machine without outside network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface Problem {
  kind: 'console' | 'pageerror' | 'http' | 'requestfailed' | 'call';
  text: string;
}

export interface Rig {
  cloud: LocalCloud;
  browser: Browser;
  close(): Promise<void>;
}

export async function startRig(options: { demoOrders?: boolean } = {}): Promise<Rig> {
  const cloud = await startLocalCloud({ dataDir: null, port: 0 });
  if (options.demoOrders) {
    const { demoActivity } = await import('../../localcloud/seed/demo-activity');
    const { database } = await import('../../server/lib/cloud');
    await demoActivity(database());
  }
  await ensurePreview();
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  return {
    cloud,
    browser,
    async close() {
      await browser.close();
      await cloud.close();
    },
  };
}

/** A phone session as one demo user: its own storage, its own problem log. */
export class Session {
  readonly problems: Problem[] = [];
  /** Cloud calls answered ok:false that the journey expects (by error code), not problems. */
  readonly allowedCodes = new Set<string>();

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly base: string,
  ) {}

  static async open(rig: Rig, user: string, route = 'pages/index/index', timeout?: number): Promise<Session> {
    const context = await rig.browser.newContext({ viewport: { width: 900, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    const s = new Session(context, page, rig.cloud.url);
    page.on('console', (m) => {
      if (m.type() === 'error') s.problems.push({ kind: 'console', text: `${m.text()} @ ${m.location().url}` });
    });
    page.on('pageerror', (e) => s.problems.push({ kind: 'pageerror', text: `${e.message}\n${e.stack ?? ''}` }));
    page.on('requestfailed', (r) => {
      if (!/\/(fonts|icons)\//.test(r.url()))
        s.problems.push({ kind: 'requestfailed', text: `${r.url()} ${r.failure()?.errorText ?? ''}` });
    });
    page.on('response', async (r) => {
      if (r.status() >= 400) s.problems.push({ kind: 'http', text: `${r.status()} ${r.url()}` });
      else if (r.url().includes('/fn/')) {
        const body = (await r.json().catch(() => null)) as { ok?: boolean; code?: string; message?: string } | null;
        if (body && body.ok === false && !s.allowedCodes.has(String(body.code))) {
          s.problems.push({
            kind: 'call',
            text: `${r.url()} ${JSON.stringify(r.request().postDataJSON()?.action)} → ${body.code} ${body.message}`,
          });
        }
      }
    });
    await s.goto(user, route, timeout);
    return s;
  }

  async goto(user: string, route: string, timeout?: number): Promise<void> {
    await this.page.goto(`${this.base}/?user=${encodeURIComponent(user)}#/${route}`);
    await this.waitPage(route.split('?')[0] ?? route, timeout);
  }

  /** The page on top of the stack. */
  get top(): FrameLocator {
    return this.page.frameLocator('iframe.pv-frame--top');
  }

  topFrame(): Frame {
    const handle = this.page
      .frames()
      .find(
        (f) => f.url().includes('/preview/page.html') && f.parentFrame() === this.page.mainFrame() && f.name() === '',
      );
    if (!handle) throw new Error('no page frame');
    return handle;
  }

  /** Waits until the top page is `route`, mounted and showing something; answers its open time. */
  async waitPage(route: string, timeout = 10_000): Promise<number> {
    await this.page.waitForFunction(
      (r) => {
        const shell = (window as any).__gridlinkShell;
        const top = shell?.top;
        return Boolean(top && top.route === r && top.handle);
      },
      route,
      { timeout },
    );
    const ms = await this.page.evaluate(() => {
      const t = (window as any).__gridlinkShell.timings;
      return t[t.length - 1]?.ms as number;
    });
    // Not blank: the page has rendered some text.
    await this.page.waitForFunction(
      () => {
        const f = document.querySelector('iframe.pv-frame--top') as HTMLIFrameElement | null;
        return Boolean(f?.contentDocument?.body && (f.contentDocument.body.innerText || '').trim().length > 0);
      },
      null,
      { timeout },
    );
    return ms;
  }

  /** Waits until the top page's text contains `text`. */
  async see(text: string | RegExp, timeout = 10_000): Promise<void> {
    await this.top.getByText(text).first().waitFor({ state: 'visible', timeout });
  }

  async text(): Promise<string> {
    return this.page.evaluate(() => {
      const f = document.querySelector('iframe.pv-frame--top') as HTMLIFrameElement | null;
      return f?.contentDocument?.body.innerText ?? '';
    });
  }

  /** Clicks the first visible element with this text on the top page. */
  async tap(text: string | RegExp): Promise<void> {
    await this.top.getByText(text).first().click();
  }

  /** Fills a TDesign t-input by its label. */
  async fill(selector: string, value: string): Promise<void> {
    await this.top.locator(selector).first().fill(value);
  }

  /** The system dialog (modal, sheet, scan…) button. */
  async dialog(key: string, button = 'confirm'): Promise<void> {
    await this.page.locator(`[data-pv="${key}"] [data-pv="${button}"]`).click();
  }

  async shot(path: string): Promise<void> {
    await this.page.locator('#pv-phone').screenshot({ path });
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
