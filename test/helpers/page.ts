/**
 * Loads a mini-program page (written with Component()) in miniprogram-simulate with the official
 * wcc compiler, TDesign resolved from the built miniprogram_npm the way WeChat resolves it, and
 * the app-wide components of app.json; then runs onLoad like WeChat does.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ActionName, CallResult, Req } from '../../typings/api';

const simulate = require('miniprogram-simulate') as {
  load(path: string, options: Record<string, unknown>): string;
  render(id: string, props?: Record<string, unknown>): RenderedComponent;
};

/** What simulate renders. */
export interface RenderedComponent {
  instance: Record<string, any> & { data: Record<string, any>; setData(data: Record<string, unknown>): void };
  dom: HTMLElement;
  attach(parent: Element): void;
  detach(): void;
  querySelector(selector: string): RenderedComponent | null;
  querySelectorAll(selector: string): RenderedComponent[];
  dispatchEvent(name: string, detail?: Record<string, unknown>): void;
  data: Record<string, any>;
}

export const MINIPROGRAM_ROOT = resolve(__dirname, '../../miniprogram');

function npmStyleToRoot(map: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [tag, target] of Object.entries(map)) {
    out[tag] = target.startsWith('tdesign-miniprogram/') ? `/miniprogram_npm/${target}` : target;
  }
  return out;
}

/** A loaded page, with the module instances it runs with (see `loadPage`). */
export type LoadedPage = RenderedComponent & { modules: Record<string, any> };

/**
 * Loads and shows a page, as WeChat would on navigation; resolves after onLoad settled.
 * Each load gets its own module registry (simulate needs it to load a page twice), so a test that
 * must drive a module the page shares (e.g. `utils/privacy`) names it in `shared` and gets that
 * very instance in `page.modules[name]`.
 */
export async function loadPage(
  pagePath: string,
  query: Record<string, string> = {},
  shared: string[] = [],
): Promise<LoadedPage> {
  const full = join(MINIPROGRAM_ROOT, pagePath);
  const appJson = JSON.parse(readFileSync(join(MINIPROGRAM_ROOT, 'app.json'), 'utf8')) as {
    usingComponents: Record<string, string>;
  };
  const pageJson = JSON.parse(readFileSync(`${full}.json`, 'utf8')) as { usingComponents?: Record<string, string> };
  const usingComponents = npmStyleToRoot({ ...appJson.usingComponents, ...(pageJson.usingComponents ?? {}) });
  let id = '';
  const modules: Record<string, any> = {};
  jest.isolateModules(() => {
    id = simulate.load(full, {
      rootPath: MINIPROGRAM_ROOT,
      compiler: 'official',
      compilerOptions: { maxBuffer: 64 * 1024 * 1024 },
      usingComponents,
    });
    for (const name of shared) modules[name] = require(join(MINIPROGRAM_ROOT, name));
  });
  const page = Object.assign(simulate.render(id), { modules });
  page.attach(document.createElement('parent-wrapper'));
  if (typeof page.instance.onLoad === 'function') await page.instance.onLoad(query);
  if (typeof page.instance.onShow === 'function') await page.instance.onShow();
  await flush();
  return page;
}

/** Lets pending promises and setData settle. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise((r) => setTimeout(r, 0));
}

/** Taps a TDesign button (its inner `.t-button` node, TDesign uses virtualHost). */
export function tapButton(page: RenderedComponent, selector: string): void {
  const host = page.querySelector(selector);
  if (!host) throw new Error(`no element ${selector}`);
  const inner = host.querySelector('.t-button') ?? host;
  inner.dispatchEvent('tap');
}

/** All text a user would read on the page. */
export function textOf(page: RenderedComponent): string {
  return (page.dom.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/** What the mocked cloud answers for one action: typed by the contract, so a fixture breaks when it changes. */
export type Handler<A extends ActionName> = (
  payload: Req<A>,
  event: { requestId?: string; user: string | null },
) => CallResult<A>;

/** Handlers by action name. */
export type Handlers = { [A in ActionName]?: Handler<A> };

/**
 * Answers cloud-function calls by action, on both transports (wx.cloud.callFunction and the
 * local cloud's wx.request); answers an unknown action with COMMON.UNKNOWN_ACTION.
 */
export function mockCall(handlers: Handlers): {
  calls: Array<{ action: string; payload: unknown; via: string; group?: unknown }>;
} {
  const calls: Array<{ action: string; payload: unknown; via: string; group?: unknown }> = [];
  const answer = (
    event: { action: string; payload: unknown; requestId?: string; group?: unknown },
    user: string | null,
    via: string,
  ) => {
    // `group`: top-level open data (a wx.cloud.CloudID), recorded only when sent.
    calls.push({
      action: event.action,
      payload: event.payload,
      via,
      ...(event.group === undefined ? {} : { group: event.group }),
    });
    const handler = Object.hasOwn(handlers, event.action)
      ? (handlers[event.action as ActionName] as Handler<ActionName> | undefined)
      : undefined;
    return handler
      ? handler(event.payload as never, { requestId: event.requestId, user })
      : { ok: false, code: 'COMMON.UNKNOWN_ACTION', message: '不支持的操作' };
  };
  (wx.cloud.callFunction as jest.Mock).mockImplementation(
    async ({ data }: { data: { action: string; payload: unknown } }) => ({
      result: answer(data, null, 'cloud'),
    }),
  );
  (wx.request as jest.Mock).mockImplementation(
    (opts: { url: string; data: any; header: Record<string, string>; success: (r: unknown) => void }) => {
      const result = answer(opts.data, opts.header['x-gridlink-user'] ?? null, `request:${opts.url}`);
      setTimeout(() => opts.success({ statusCode: 200, data: result }), 0);
    },
  );
  return { calls };
}
