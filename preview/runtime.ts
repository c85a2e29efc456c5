/**
 * One page of the mini-program in one document (the shell puts each page of the stack in its own
 * iframe): installs `wx`, `Component`, `Behavior`, `App`, `getApp`, `getCurrentPages`, registers
 * the page's component tree with j-component (the framework miniprogram-simulate uses, on the same
 * exparser WeChat runs) using wcc's templates and wcsc's styles, mounts it and runs its lifecycles.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- j-component and exparser are untyped CommonJS */
import { registerBuiltins } from './builtins';
import { PreviewUi } from './ui';
import { createWx, WINDOW_WIDTH, type PreviewHost } from './wx';

/** esbuild resolves these CommonJS requires when it bundles the page runtime. */
declare const require: (id: string) => unknown;

const jComponent = require('j-component') as {
  register(def: Record<string, unknown>): string;
  create(id: string, props?: Record<string, unknown>): any;
  behavior(def: Record<string, unknown>): string;
};
const exparser = require('miniprogram-exparser') as any;
const SelectorQuery = require('j-component/src/tool/selectorquery') as new (c: unknown) => {
  _queue: Array<{ selector: string; exparserNode: any; isSelectSingle: boolean; fields: Record<string, unknown> }>;
  exec(callback?: (res: unknown[]) => void): void;
};

let webfontFaces: Promise<unknown> | null = null;

/**
 * Every face of the preview's CJK webfont, loaded. 背景: a phone draws canvas text with its system
 * fonts; the preview has only Noto Sans SC, split by unicode-range into files the browser fetches when
 * the page's DOM first uses a character — canvas text does not trigger that, so a character no DOM
 * text used yet is drawn as a blank box. 复现: draw 幸福新村社区 on a page whose DOM lacks 幸.
 */
function webfontLoaded(): Promise<unknown> {
  webfontFaces ??= Promise.all(
    [...document.fonts]
      .filter((f) => f.family.replace(/["']/g, '') === 'Noto Sans SC')
      .map((f) => f.load().catch(() => undefined)),
  );
  return webfontFaces;
}

/** An image for a canvas: its `onload` waits for the webfont too (posters load their images, then draw text). */
function canvasImage(): HTMLImageElement {
  const image = Object.assign(new Image(), { crossOrigin: 'anonymous' });
  let onload: ((this: GlobalEventHandlers, ev: Event) => unknown) | null = null;
  image.addEventListener('load', (ev) => void webfontLoaded().then(() => onload?.call(image, ev)));
  Object.defineProperty(image, 'onload', { get: () => onload, set: (fn: typeof onload) => void (onload = fn) });
  return image;
}

/** A canvas 2d node as WeChat hands it out: the browser's canvas, plus `createImage` and frame requests. */
function canvasNodeOf(host: Element | null): HTMLCanvasElement | null {
  const canvas = host?.querySelector('canvas') ?? null;
  if (!canvas) return null;
  const node = canvas as HTMLCanvasElement & Record<string, unknown>;
  if (!node.createImage) {
    void webfontLoaded();
    node.createImage = canvasImage;
    node.requestAnimationFrame = (fn: FrameRequestCallback) => requestAnimationFrame(fn);
    node.cancelAnimationFrame = (id: number) => cancelAnimationFrame(id);
  }
  return node;
}

/** j-component's SelectorQuery, plus `fields({node: true})` for `<canvas type="2d">` (posters are drawn so). */
class PreviewSelectorQuery extends SelectorQuery {
  override exec(callback?: (res: unknown[]) => void): void {
    const queue = [...this._queue];
    super.exec((res) => {
      queue.forEach((item, i) => {
        if (!item.fields.node || !item.exparserNode?.shadowRoot) return;
        const found = item.isSelectSingle
          ? [item.exparserNode.shadowRoot.querySelector(item.selector)]
          : [...item.exparserNode.shadowRoot.querySelectorAll(item.selector)];
        const nodes = found.map((n: any) => (n ? canvasNodeOf(n.$$ as Element) : null));
        const at = res[i];
        if (item.isSelectSingle && at && typeof at === 'object') (at as Record<string, unknown>).node = nodes[0];
        if (!item.isSelectSingle && Array.isArray(at))
          at.forEach((r, j) => r && typeof r === 'object' && ((r as Record<string, unknown>).node = nodes[j]));
      });
      callback?.(res);
    });
  }
}

interface Manifest {
  key: string;
  pages: string[];
  pageConfig: Record<string, Record<string, any>>;
  window: Record<string, any>;
  components: Record<string, { using: Record<string, string>; page: boolean }>;
}

interface BootOptions {
  manifest: Manifest;
  gwx: () => (path: string) => unknown;
  wxss: () => (path: string) => ((suffix: string, opt?: Record<string, unknown>) => void) | undefined;
  app: () => unknown;
  loaders: Record<string, () => unknown>;
}

/** What the shell sees of a mounted page. */
export interface PageHandle {
  route: string;
  query: Record<string, string>;
  instance: any;
  show(): void;
  hide(): void;
  unload(): void;
  pullDownRefresh(): void;
  reachBottom(): void;
  shareCard(): { title: string; path: string; imageUrl?: string } | null;
  config: Record<string, any>;
  timings: Record<string, number>;
}

function parseLocation(): { route: string; query: Record<string, string> } {
  const hash = decodeURIComponent(location.hash.replace(/^#\/?/, ''));
  const [route, search = ''] = hash.split('?');
  return { route: route || 'pages/index/index', query: Object.fromEntries(new URLSearchParams(search)) };
}

function safe(label: string, fn: () => unknown): void {
  try {
    const r = fn();
    if (r && typeof (r as Promise<unknown>).then === 'function')
      (r as Promise<unknown>).catch((error) => console.error(`[preview] ${label}:`, error));
  } catch (error) {
    console.error(`[preview] ${label}:`, error);
  }
}

/** A shell of our own when the page is opened outside the preview shell. */
function standaloneHost(): PreviewHost {
  const layer = document.createElement('div');
  layer.className = 'pv-layer';
  document.body.appendChild(layer);
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = '/preview/shell.css';
  document.head.appendChild(link);
  const go = (url: string) => {
    location.hash = `#${url.replace(/^\//, '')}`;
    location.reload();
  };
  return {
    ui: new PreviewUi(layer),
    navigate: async (_kind, url) => go(url),
    back: async () => history.back(),
    pages: () => [(window as any).__gridlinkPage?.instance],
    setTitle: (t) => void (document.title = t),
    setPullDown: () => undefined,
    startPullDownRefresh: () => (window as any).__gridlinkPage?.pullDownRefresh(),
    user: () =>
      (JSON.parse(localStorage.getItem('wx:gridlink.dev') || '{}') as { openid?: string }).openid ?? 'dev-res-0001',
    share: async (card) =>
      void (await new PreviewUi(layer).show({
        title: '分享',
        body: (b) => void (b.textContent = `${card.title} ${card.path}`),
      })),
  };
}

export function boot(options: BootOptions): void {
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  const shell = (() => {
    try {
      return (window.parent !== window && (window.parent as any).__gridlinkShell) || null;
    } catch {
      return null;
    }
  })();
  const host: PreviewHost = shell ? shell.hostFor(window) : standaloneHost();
  let handle: PageHandle | null = null;
  const wx = createWx(host, () => handle?.instance);
  const g = globalThis as any;
  g.wx = wx;
  g.__wxConfig = { envVersion: 'develop', platform: 'devtools' };
  g.__webview_engine_version__ = 0.02;
  g.getCurrentPages = () => host.pages();
  let appInstance: any = { globalData: {} };
  g.App = (def: Record<string, unknown>) => {
    appInstance = Object.assign(Object.create(null), { globalData: {} }, def);
  };
  g.getApp = () => appInstance;
  g.Behavior = (def: Record<string, unknown>) => jComponent.behavior(def);
  wx.createSelectorQuery = () => new PreviewSelectorQuery(handle?.instance ?? null);
  registerBuiltins(
    jComponent,
    () => host,
    () => wx,
    () => handle?.instance,
  );

  const manifest = options.manifest;
  const gwx = options.gwx();
  const cssOf = options.wxss();
  timings.compileTemplates = performance.now() - t0;
  const target = parseLocation();
  if (target.route === SPARE) {
    // A frame loaded ahead of time: the shell hands it the next page, so opening one costs only
    // registering and mounting it.
    (window as any).__gridlinkStart = (route: string, query: Record<string, string>) => {
      const search = new URLSearchParams(query).toString();
      history.replaceState(null, '', `${location.pathname}${location.search}#${route}${search ? `?${search}` : ''}`);
      mount(route, query, performance.now());
    };
    shell?.spareReady(window);
    return;
  }
  mount(target.route, target.query, t0);

  function mount(route: string, query: Record<string, string>, t0: number): void {
    if (!manifest.components[route] || !manifest.components[route].page) {
      document.getElementById('page')!.innerHTML = `<div class="pv-missing">没有这个页面：${route}</div>`;
      console.error(`[preview] no page ${route}`);
      return;
    }

    // ── register the page's component tree (children first), as miniprogram-simulate does ──
    const ids = new Map<string, string>();
    const runList: Array<{
      path: string;
      id: string;
      tagName: string;
      using: Record<string, string>;
      template: unknown;
    }> = [];
    let seq = 0;
    const idFor = () => `pv${(seq += 1).toString(36)}`;
    const register = (path: string, tagName: string): string => {
      const known = ids.get(path);
      if (known) return known;
      const id = idFor();
      ids.set(path, id);
      const comp = manifest.components[path];
      if (!comp) throw new Error(`component "${path}" is not in the preview manifest`);
      const using: Record<string, string> = {};
      for (const [tag, child] of Object.entries(comp.using)) using[tag] = register(child, tag);
      const template = gwx(`${path}.wxml`);
      const css = cssOf(`${path}.wxss`);
      if (css) css(`${tagName}--`, { deviceWidth: WINDOW_WIDTH });
      runList.push({ path, id, tagName, using, template });
      return id;
    };
    // app.wxss applies to pages, with the page's prefix
    const appCss = cssOf('app.wxss');
    if (appCss) appCss('main--', { deviceWidth: WINDOW_WIDTH });
    const pageId = register(route, 'main');

    let loading: (typeof runList)[number] | null = null;
    g.Component = (def: Record<string, any>) => {
      const c = loading;
      if (!c) throw new Error('Component() called outside registration');
      const definition: Record<string, any> = {
        id: c.id,
        path: `/${c.path}`,
        template: c.template,
        usingComponents: c.using,
        tagName: c.tagName,
        ...def,
      };
      definition.options = { classPrefix: c.tagName, ...(def.options ?? {}) };
      if (definition.relations) {
        for (const key of Object.keys(definition.relations)) {
          const target = key.startsWith('/') ? key.slice(1) : new URL(key, `http://x/${c.path}`).pathname.slice(1);
          const id = ids.get(target);
          if (id) {
            definition.relations[id] = { ...definition.relations[key], target: id };
            delete definition.relations[key];
          }
        }
      }
      jComponent.register(definition);
      loading = null;
    };
    g.Page = (def: Record<string, any>) => {
      // Page(): data and lifecycle methods on the instance, the rest as methods.
      const { data, options: opts, behaviors, ...rest } = def;
      g.Component({ data, options: opts, behaviors, methods: rest });
    };
    safe('app', () => options.app());
    for (const item of runList) {
      loading = item;
      const load = options.loaders[item.path];
      if (!load) {
        jComponent.register({
          id: item.id,
          path: `/${item.path}`,
          template: item.template,
          usingComponents: item.using,
          tagName: item.tagName,
          options: { classPrefix: item.tagName },
        });
        continue;
      }
      try {
        load();
        if (loading) {
          // Module already evaluated (another path imported it): register a bare definition.
          console.warn(`[preview] ${item.path} did not call Component()`);
          jComponent.register({
            id: item.id,
            path: `/${item.path}`,
            template: item.template,
            usingComponents: item.using,
            tagName: item.tagName,
            options: { classPrefix: item.tagName },
          });
        }
      } catch (error) {
        console.error(`[preview] loading ${item.path} failed:`, error);
        loading = null;
      }
    }
    timings.register = performance.now() - t0;

    // ── mount ──
    safe('App.onLaunch', () => appInstance.onLaunch?.({ path: route, query, scene: 1001, referrerInfo: {} }));
    const comp = jComponent.create(pageId);
    const instance = comp.instance;
    instance.route = route;
    instance.__route__ = route;
    instance.options = query;
    const config = { ...manifest.window, ...(manifest.pageConfig[route] ?? {}) };
    const call = (name: string, ...args: unknown[]) => {
      if (typeof instance[name] === 'function') safe(`${route} ${name}`, () => instance[name](...args));
    };
    const pageLife = (name: string) => safe(`${route} pageLifetimes.${name}`, () => comp.triggerPageLifeTime(name));
    let shown = false;
    handle = {
      route,
      query,
      instance,
      config,
      timings,
      show() {
        if (shown) return;
        shown = true;
        call('onShow');
        pageLife('show');
      },
      hide() {
        if (!shown) return;
        shown = false;
        call('onHide');
        pageLife('hide');
      },
      unload() {
        this.hide();
        call('onUnload');
        safe('detach', () => comp.detach());
      },
      pullDownRefresh() {
        if (typeof instance.onPullDownRefresh === 'function') call('onPullDownRefresh');
        else host.setPullDown(false);
      },
      reachBottom() {
        call('onReachBottom');
      },
      shareCard() {
        if (typeof instance.onShareAppMessage !== 'function') return null;
        const card = instance.onShareAppMessage({ from: 'menu' }) ?? {};
        return {
          title: card.title ?? config.navigationBarTitleText ?? '网格通',
          path: card.path ?? `/${route}`,
          imageUrl: card.imageUrl,
        };
      },
    };
    (window as any).__gridlinkPage = handle;
    document.body.style.backgroundColor = config.backgroundColor ?? '';
    const root = document.getElementById('page')!;
    comp.attach(root);
    instance.setData = instance.setData.bind(instance);
    timings.mount = performance.now() - t0;
    installEvents(root);
    installScroll(handle, Number(config.onReachBottomDistance ?? 50));
    call('onLoad', query);
    handle.show();
    call('onReady');
    timings.ready = performance.now() - t0;
    (window as any).__gridlinkReady = true;
    shell?.pageMounted(window, handle);
  }
}

const SPARE = '__spare__';

/** Mouse and keyboard become WeChat's touch events: click → tap, drag → touchstart/move/end. */
function installEvents(root: HTMLElement): void {
  const fire = (target: EventTarget | null, name: string, evt: MouseEvent, touches: unknown[]) => {
    if (!target) return;
    const point = {
      identifier: 0,
      clientX: evt.clientX,
      clientY: evt.clientY,
      pageX: evt.pageX,
      pageY: evt.pageY,
      x: evt.pageX,
      y: evt.pageY,
    };
    exparser.Event.dispatchEvent(
      target,
      exparser.Event.create(name, name === 'tap' || name === 'longpress' ? { x: evt.pageX, y: evt.pageY } : {}, {
        originalEvent: evt,
        bubbles: true,
        capturePhase: true,
        composed: true,
        extraFields: { touches: touches.length ? [point] : [], changedTouches: [point] },
      }),
    );
  };
  let down: { target: EventTarget | null; x: number; y: number; t: number } | null = null;
  root.addEventListener(
    'mousedown',
    (e) => {
      if (e.button !== 0) return;
      down = { target: e.target, x: e.clientX, y: e.clientY, t: Date.now() };
      fire(e.target, 'touchstart', e, [1]);
    },
    true,
  );
  window.addEventListener(
    'mousemove',
    (e) => {
      if (down) fire(down.target, 'touchmove', e, [1]);
    },
    true,
  );
  window.addEventListener(
    'mouseup',
    (e) => {
      if (!down) return;
      const d = down;
      down = null;
      fire(d.target, 'touchend', e, []);
      if (Date.now() - d.t > 350 && Math.abs(e.clientX - d.x) < 10 && Math.abs(e.clientY - d.y) < 10)
        fire(d.target, 'longpress', e, []);
    },
    true,
  );
  root.addEventListener(
    'click',
    (e) => {
      const t = e.target as HTMLElement;
      // A label or field the browser already handles still taps in WeChat.
      fire(t, 'tap', e, []);
    },
    true,
  );
}

/** Page scroll: onReachBottom near the end, onPageScroll as it moves, pull-down at the top. */
function installScroll(handle: PageHandle, distance: number): void {
  let atBottom = false;
  window.addEventListener('scroll', () => {
    const y = window.scrollY;
    if (typeof handle.instance.onPageScroll === 'function')
      safe('onPageScroll', () => handle.instance.onPageScroll({ scrollTop: y }));
    const bottom = y + window.innerHeight >= document.documentElement.scrollHeight - distance;
    if (bottom && !atBottom && y > 0) handle.reachBottom();
    atBottom = bottom;
  });
  let pull = 0;
  window.addEventListener(
    'wheel',
    (e) => {
      if (window.scrollY > 0 || !handle.config.enablePullDownRefresh) return;
      pull = e.deltaY < 0 ? pull - e.deltaY : 0;
      if (pull > 240) {
        pull = 0;
        const shell = (window.parent as any).__gridlinkShell;
        if (shell) shell.pullDown(window);
        else handle.pullDownRefresh();
      }
    },
    { passive: true },
  );
}
