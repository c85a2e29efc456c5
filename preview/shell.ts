/**
 * The preview's outer page: a 375-pt phone with WeChat's navigation bar, the page stack (one
 * iframe per page, so each page has its own document as in WeChat's webviews), the demo-user
 * switcher, and the layer where toasts, modals and sheets appear. The URL holds the user and the
 * top page with its query: `/?user=dev-gw-01#/pages/dispatch/pool/index?grid=g1`.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { ROLE_LABELS } from '../miniprogram/generated/values';
import type { PageHandle } from './runtime';
import { PreviewUi } from './ui';
import type { PreviewHost } from './wx';

interface DemoUser {
  openid: string;
  nickName: string;
  roles: string[];
}

interface Entry {
  route: string;
  query: Record<string, string>;
  frame: HTMLIFrameElement;
  handle: PageHandle | null;
  ready: Promise<PageHandle>;
  resolve: (h: PageHandle) => void;
  title: string | null;
  openedAt: number;
}

const DEV_KEY = 'wx:gridlink.dev';
const ROLE_ORDER = ['communityAdmin', 'gridworker', 'groupLeader', 'sampler', 'volunteer', 'resident'];

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

function parseUrl(url: string): { route: string; query: Record<string, string> } {
  const [path, search = ''] = url.replace(/^\/+/, '').split('?');
  return { route: path ?? '', query: Object.fromEntries(new URLSearchParams(search)) };
}

function queryString(q: Record<string, string>): string {
  const s = new URLSearchParams(q).toString();
  return s ? `?${s}` : '';
}

class Shell {
  readonly stack: Entry[] = [];
  readonly ui: PreviewUi;
  readonly manifest: any;
  private user: string;
  private users: DemoUser[] = [];
  private readonly screen: HTMLElement;
  private readonly title: HTMLElement;
  private readonly back: HTMLButtonElement;
  private readonly refresh: HTMLElement;
  private readonly userSelect: HTMLSelectElement;
  private readonly pageSelect: HTMLSelectElement;
  private readonly status: HTMLElement;
  /** Times from opening a page to its onReady, newest last (tests read them). */
  readonly timings: Array<{ route: string; ms: number }> = [];
  /** When the first page was shown, in ms since this document started loading. */
  firstPageAt: number | null = null;

  constructor(manifest: any) {
    this.manifest = manifest;
    const params = new URLSearchParams(location.search);
    const saved = (JSON.parse(localStorage.getItem(DEV_KEY) || '{}') as { openid?: string }).openid;
    this.user = params.get('user') || saved || 'dev-res-0001';

    const win = manifest.window ?? {};
    this.back = h('button', { class: 'pv-nav__back', type: 'button', 'aria-label': '返回', 'data-pv': 'back' }, '‹');
    this.title = h('div', { class: 'pv-nav__title', 'data-pv': 'title' });
    this.refresh = h('div', { class: 'pv-refresh' }, '正在刷新…');
    const capsule = h(
      'div',
      { class: 'pv-capsule' },
      h('button', { type: 'button', 'data-pv': 'menu', title: '更多（分享、刷新）' }, '···'),
      h('button', { type: 'button', 'data-pv': 'home', title: '回到首页' }, '◎'),
    );
    const nav = h('div', { class: 'pv-nav' }, this.back, this.title, capsule);
    nav.style.background = win.navigationBarBackgroundColor ?? '#fff';
    nav.style.color = win.navigationBarTextStyle === 'white' ? '#fff' : '#000';
    const status = h('div', { class: 'pv-statusbar' }, h('span', {}, '9:41'), h('span', {}, '网格通 预览'));
    status.style.background = nav.style.background;
    status.style.color = nav.style.color;
    this.screen = h('div', { class: 'pv-screen', id: 'pv-screen' });
    const layer = h('div', { class: 'pv-layer', id: 'pv-layer' });
    const phone = h('div', { class: 'pv-phone', id: 'pv-phone' }, status, nav, this.refresh, this.screen, layer);
    this.ui = new PreviewUi(layer);

    this.userSelect = h('select', { id: 'pv-user', 'data-pv': 'user' });
    this.pageSelect = h('select', { id: 'pv-page', 'data-pv': 'page' });
    for (const p of manifest.pages as string[])
      this.pageSelect.append(
        h('option', { value: p }, `${manifest.pageConfig[p]?.navigationBarTitleText ?? ''}  ${p}`),
      );
    this.status = h('div', { class: 'pv-side__status', 'data-pv': 'status' });
    const side = h(
      'div',
      { class: 'pv-side' },
      h('h1', {}, '网格通 · 小程序预览'),
      h(
        'p',
        { class: 'pv-side__note' },
        '真实页面（同一份 WXML / WXSS / TS / TDesign），在浏览器里由小程序组件框架渲染，调用本地云。与微信的差异见 README。',
      ),
      h('label', {}, '当前用户（按角色）', this.userSelect),
      h('label', {}, '打开页面', this.pageSelect),
      this.status,
    );
    document.getElementById('app')!.append(h('div', { class: 'pv-root' }, phone, side));

    this.back.addEventListener('click', () => void this.goBack(1));
    capsule
      .querySelector('[data-pv=home]')!
      .addEventListener('click', () => void this.navigate('reLaunch', '/pages/index/index'));
    capsule.querySelector('[data-pv=menu]')!.addEventListener('click', () => void this.menu());
    this.userSelect.addEventListener('change', () => this.switchUser(this.userSelect.value));
    this.pageSelect.addEventListener('change', () => void this.navigate('reLaunch', `/${this.pageSelect.value}`));
    window.addEventListener('hashchange', () => {
      const top = this.top;
      const want = this.hashTarget();
      if (!top || `${top.route}${queryString(top.query)}` !== `${want.route}${queryString(want.query)}`)
        void this.navigate('reLaunch', `/${want.route}${queryString(want.query)}`);
    });
  }

  get top(): Entry | undefined {
    return this.stack[this.stack.length - 1];
  }

  private hashTarget(): { route: string; query: Record<string, string> } {
    const hash = decodeURIComponent(location.hash.replace(/^#\/?/, ''));
    return hash ? parseUrl(hash) : { route: 'pages/index/index', query: {} };
  }

  start(): void {
    this.saveDev();
    const t = this.hashTarget();
    void this.navigate('reLaunch', `/${t.route}${queryString(t.query)}`);
    void this.loadUsers();
  }

  private saveDev(): void {
    const old = JSON.parse(localStorage.getItem(DEV_KEY) || '{}') as Record<string, unknown>;
    localStorage.setItem(
      DEV_KEY,
      JSON.stringify({ ...old, localCloud: true, baseUrl: location.origin, openid: this.user }),
    );
  }

  private async loadUsers(): Promise<void> {
    try {
      const res = await fetch('/dev/users');
      const body = (await res.json()) as { ok: boolean; data: DemoUser[] };
      this.users = body.data ?? [];
    } catch (error) {
      console.error('[preview] /dev/users failed', error);
    }
    const groups = new Map<string, DemoUser[]>();
    for (const u of this.users) {
      const role = ROLE_ORDER.find((r) => u.roles.includes(r)) ?? 'none';
      if (!groups.has(role)) groups.set(role, []);
      groups.get(role)!.push(u);
    }
    this.userSelect.innerHTML = '';
    for (const role of [...ROLE_ORDER, 'none']) {
      const list = groups.get(role);
      if (!list?.length) continue;
      const label = role === 'none' ? '未加入网格' : ((ROLE_LABELS as Record<string, string>)[role] ?? role);
      const group = h('optgroup', { label: `${label}（${list.length}）` });
      for (const u of list.slice(0, 60)) group.append(h('option', { value: u.openid }, `${u.nickName} · ${u.openid}`));
      this.userSelect.append(group);
    }
    if (!this.users.some((u) => u.openid === this.user))
      this.userSelect.append(h('option', { value: this.user }, this.user));
    this.userSelect.value = this.user;
  }

  switchUser(openid: string): void {
    this.user = openid;
    this.saveDev();
    if ([...this.userSelect.options].every((o) => o.value !== openid))
      this.userSelect.append(h('option', { value: openid }, openid));
    this.userSelect.value = openid;
    void this.navigate('reLaunch', '/pages/index/index');
  }

  currentUser(): string {
    return this.user;
  }

  private syncUrl(): void {
    const top = this.top;
    if (!top) return;
    for (const e of this.stack) e.frame.classList.toggle('pv-frame--top', e === top);
    const url = `/?user=${encodeURIComponent(this.user)}#/${top.route}${queryString(top.query)}`;
    if (`${location.pathname}${location.search}${location.hash}` !== url) history.replaceState(null, '', url);
    this.pageSelect.value = top.route;
    const cfg = { ...(this.manifest.window ?? {}), ...(this.manifest.pageConfig[top.route] ?? {}) };
    this.title.textContent = top.title ?? cfg.navigationBarTitleText ?? '';
    this.back.style.visibility = this.stack.length > 1 ? 'visible' : 'hidden';
    document.title = `${this.title.textContent} · 网格通预览`;
  }

  private spare: HTMLIFrameElement | null = null;
  private spareIsReady = false;

  /** Keeps one frame loaded ahead (scripts parsed, templates compiled) for the next page. */
  private makeSpare(): void {
    if (this.spare) return;
    const frame = h('iframe', { class: 'pv-frame pv-frame--spare', title: 'spare', 'aria-hidden': 'true' });
    frame.src = `/preview/page.html?v=${this.manifest.key}#__spare__`;
    this.spare = frame;
    this.spareIsReady = false;
    this.screen.appendChild(frame);
  }

  /** Called by a spare frame's runtime once it can take a page. */
  spareReady(win: Window): void {
    if (this.spare?.contentWindow === win) this.spareIsReady = true;
  }

  private open(route: string, query: Record<string, string>): Entry & { start(): void } {
    let resolve!: (h: PageHandle) => void;
    const ready = new Promise<PageHandle>((r) => (resolve = r));
    const spare = this.spare && this.spareIsReady ? this.spare : null;
    const frame = spare ?? h('iframe', { class: 'pv-frame' });
    frame.title = route;
    frame.dataset.route = route;
    const entry: Entry & { start(): void } = {
      route,
      query,
      frame,
      handle: null,
      ready,
      resolve,
      title: null,
      openedAt: performance.now(),
      start: () => {
        if (spare) {
          this.spare = null;
          frame.style.zIndex = String(this.stack.length); // on top of the pages below (moving an iframe would reload it)
          frame.classList.remove('pv-frame--spare');
          (frame.contentWindow as any).__gridlinkStart(route, query);
        } else {
          frame.src = `/preview/page.html?v=${this.manifest.key}#${route}${queryString(query)}`;
          frame.style.zIndex = String(this.stack.length);
          this.screen.appendChild(frame);
        }
      },
    };
    return entry;
  }

  /** Called by the page's runtime once mounted. */
  pageMounted(win: Window, handle: PageHandle): void {
    const entry = this.stack.find((e) => e.frame.contentWindow === win);
    if (!entry) return;
    entry.handle = handle;
    const ms = Math.round(performance.now() - entry.openedAt);
    this.timings.push({ route: entry.route, ms });
    if (this.firstPageAt === null) this.firstPageAt = performance.now();
    const { register = 0, mount = 0 } = handle.timings;
    this.status.textContent = `${entry.route} 打开用时 ${ms} ms（注册 ${Math.round(register)} ms，挂载 ${Math.round(mount - register)} ms）`;
    entry.resolve(handle);
    setTimeout(() => this.makeSpare(), 30);
  }

  private unload(entry: Entry): void {
    entry.handle?.unload();
    entry.frame.remove();
  }

  async navigate(kind: 'navigateTo' | 'redirectTo' | 'reLaunch' | 'switchTab', url: string): Promise<void> {
    const { route, query } = parseUrl(url.startsWith('/') ? url : `/${url}`);
    if (!this.manifest.pageConfig[route]) throw new Error(`page "${route}" is not found`);
    if (kind === 'navigateTo' && this.stack.length >= 10) throw new Error('webview count limit exceed');
    if (kind === 'navigateTo') {
      this.top?.handle?.hide();
      this.top?.frame.classList.add('pv-frame--below');
    } else if (kind === 'redirectTo') {
      const old = this.stack.pop();
      if (old) this.unload(old);
    } else {
      while (this.stack.length) this.unload(this.stack.pop()!);
    }
    const entry = this.open(route, query);
    this.stack.push(entry);
    this.syncUrl();
    entry.start();
  }

  async goBack(delta: number): Promise<void> {
    if (this.stack.length <= 1) return;
    const n = Math.min(delta, this.stack.length - 1);
    for (let i = 0; i < n; i += 1) this.unload(this.stack.pop()!);
    const top = this.top!;
    top.frame.classList.remove('pv-frame--below');
    top.handle?.show();
    this.syncUrl();
  }

  private async menu(): Promise<void> {
    const i = await this.ui.actionSheet({ itemList: ['转发给朋友', '重新进入小程序', '复制链接'] });
    const top = this.top;
    if (!top) return;
    if (i === 0) {
      const card = top.handle?.shareCard();
      if (!card) this.ui.toast({ title: '当前页面未设置分享', icon: 'none' });
      else await this.share(card);
    } else if (i === 1) {
      await this.navigate('reLaunch', `/${top.route}${queryString(top.query)}`);
    } else if (i === 2) {
      await navigator.clipboard?.writeText(location.href).catch(() => undefined);
      this.ui.toast({ title: '链接已复制', icon: 'none' });
    }
  }

  async share(card: { title: string; path: string; imageUrl?: string }): Promise<void> {
    await this.ui.show({
      title: '将发送给朋友',
      key: 'share',
      body: (b) => {
        const c = b.appendChild(
          h(
            'div',
            { class: 'pv-share' },
            h('div', { class: 'pv-share__app' }, '网格通'),
            h('div', { class: 'pv-share__title' }, card.title),
          ),
        );
        if (card.imageUrl) c.append(h('img', { class: 'pv-share__img', src: card.imageUrl, alt: '' }));
        c.append(h('div', { class: 'pv-share__path' }, card.path));
      },
    });
  }

  pullDown(win: Window): void {
    const entry = this.stack.find((e) => e.frame.contentWindow === win) ?? this.top;
    if (!entry?.handle) return;
    this.refresh.classList.add('pv-refresh--on');
    entry.handle.pullDownRefresh();
    setTimeout(() => this.refresh.classList.remove('pv-refresh--on'), 3000);
  }

  /** The host a page's wx shim uses. */
  hostFor(win: Window): PreviewHost {
    const entryOf = () => this.stack.find((e) => e.frame.contentWindow === win);
    return {
      ui: this.ui,
      navigate: (kind, url) => this.navigate(kind, url),
      back: (delta) => this.goBack(delta),
      pages: () => this.stack.map((e) => e.handle?.instance).filter(Boolean),
      setTitle: (title) => {
        const e = entryOf();
        if (e) e.title = title;
        if (e === this.top) this.title.textContent = title;
      },
      setPullDown: (on) => {
        this.refresh.classList.toggle('pv-refresh--on', on);
      },
      startPullDownRefresh: () => this.pullDown(win),
      user: () => this.user,
      share: (card) => this.share(card),
    };
  }
}

async function main(): Promise<void> {
  const res = await fetch('/preview/manifest.json');
  const manifest = await res.json();
  const shell = new Shell(manifest);
  (window as any).__gridlinkShell = shell;
  shell.start();
}

main().catch((error: unknown) => {
  console.error('[preview] shell failed', error);
  document.body.textContent = `预览启动失败：${String(error)}`;
});
