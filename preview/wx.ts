/**
 * The `wx` object for pages running in a browser: what the app and TDesign call, each doing the
 * nearest web thing (see README "Preview"). Callback style and promise style both work, as in
 * WeChat: with no success/fail/complete given, an async API returns a promise.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- the wx surface is untyped JSON in and out */
import type { PreviewUi } from './ui';

/** What the page's runtime gets from the shell (or its own fallback). */
export interface PreviewHost {
  ui: PreviewUi;
  navigate(kind: 'navigateTo' | 'redirectTo' | 'reLaunch' | 'switchTab', url: string): Promise<void>;
  back(delta: number): Promise<void>;
  pages(): unknown[];
  setTitle(title: string): void;
  setPullDown(on: boolean): void;
  startPullDownRefresh(): void;
  user(): string;
  share(card: { title: string; path: string; imageUrl?: string }): Promise<void>;
}

type Opts = Record<string, any> & { success?: (r: any) => void; fail?: (e: any) => void; complete?: (r: any) => void };

/** Wraps an async implementation as a WeChat API (callbacks or promise, errMsg on both). */
function api(
  name: string,
  impl: (o: Opts) => Promise<Record<string, unknown> | void> | Record<string, unknown> | void,
) {
  return (o: Opts = {}) => {
    const usesCallbacks = Boolean(o.success || o.fail || o.complete);
    const run = Promise.resolve()
      .then(() => impl(o))
      .then(
        (r) => {
          const res = { errMsg: `${name}:ok`, ...(r ?? {}) };
          o.success?.(res);
          o.complete?.(res);
          return res;
        },
        (error: unknown) => {
          const err = {
            errMsg: `${name}:fail ${error instanceof Error ? error.message : typeof error === 'string' ? error : ((error as { errMsg?: string })?.errMsg ?? 'error')}`,
            ...(typeof error === 'object' && error && !(error instanceof Error) ? error : {}),
          };
          o.fail?.(err);
          o.complete?.(err);
          throw err;
        },
      );
    if (usesCallbacks) {
      run.catch(() => undefined);
      return undefined;
    }
    return run;
  };
}

const STORAGE_PREFIX = 'wx:';
const PRIVACY_KEY = 'preview:privacy-agreed';
const CODES_KEY = 'preview:codes';
const SUBSCRIBE_KEY = 'preview:subscribe';

/** Files the user picked or the app wrote, by temp path. */
const files = new Map<string, Blob>();
let tempSeq = 0;

function tempPathFor(blob: Blob, name: string): string {
  const ext = /\.\w+$/.exec(name)?.[0] ?? '';
  const path = `http://tmp/preview-${Date.now().toString(36)}-${(tempSeq += 1)}${ext}`;
  files.set(path, blob);
  return path;
}

function blobOf(path: string): Blob {
  const blob = files.get(path);
  if (!blob) throw new Error(`no such file ${path}`);
  return blob;
}

function base64Of(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function bytesOfBase64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i += 1) out[i] = s.charCodeAt(i);
  return out;
}

/** Remembers codes (a QR's token) seen in cloud answers, so scanCode can offer them. */
function rememberCodes(data: unknown): void {
  const found: Array<{ label: string; value: string }> = [];
  const visit = (v: unknown, depth: number) => {
    if (!v || typeof v !== 'object' || depth > 6) return;
    if (Array.isArray(v)) return v.slice(0, 200).forEach((x) => visit(x, depth + 1));
    const o = v as Record<string, unknown>;
    if (typeof o.qr === 'string' && typeof o.token === 'string') {
      const who = [o.nameMasked, o.name, o.roundName, o.serial].filter((x) => typeof x === 'string').join(' · ');
      found.push({ label: who || o.token.slice(0, 16), value: o.token });
    }
    for (const x of Object.values(o)) visit(x, depth + 1);
  };
  visit(data, 0);
  if (!found.length) return;
  const old = JSON.parse(localStorage.getItem(CODES_KEY) || '[]') as Array<{ label: string; value: string }>;
  const merged = [...found, ...old.filter((o) => !found.some((f) => f.value === o.value))].slice(0, 12);
  localStorage.setItem(CODES_KEY, JSON.stringify(merged));
}

/** Device: an iPhone-sized phone, 375 pt wide (the width rpx is converted for). */
export const WINDOW_WIDTH = 375;

export function createWx(host: PreviewHost, currentPage: () => any): Record<string, any> {
  const windowHeight = () => window.innerHeight || 667;
  const systemInfo = () => ({
    brand: 'preview',
    model: 'GridLink Preview (375×812)',
    pixelRatio: 2,
    screenWidth: WINDOW_WIDTH,
    screenHeight: 812,
    windowWidth: WINDOW_WIDTH,
    windowHeight: windowHeight(),
    statusBarHeight: 20,
    screenTop: 64,
    language: 'zh_CN',
    version: '8.0.50',
    system: 'iOS 16.0',
    platform: 'devtools',
    fontSizeSetting: 16,
    SDKVersion: '3.5.0',
    enableDebug: false,
    theme: 'light',
    safeArea: { left: 0, right: WINDOW_WIDTH, top: 20, bottom: 812, width: WINDOW_WIDTH, height: 792 },
    host: { env: 'WeChat' },
  });

  let privacyListener:
    ((resolve: (r: { event: string; buttonId?: string }) => void, info: { referrer: string }) => void) | null = null;

  /** WeChat asks the app (its privacy popup) before a privacy API, once agreed never again. */
  async function privacyGate(apiName: string): Promise<void> {
    if (localStorage.getItem(PRIVACY_KEY) === '1') return;
    let agreed: boolean;
    if (privacyListener) {
      const listener = privacyListener;
      agreed = await new Promise<boolean>((resolve) =>
        listener((r) => resolve(r.event === 'agree'), { referrer: apiName }),
      );
    } else {
      agreed = await host.ui.dialog({
        title: '隐私保护提示',
        content: `使用「${apiName}」前，请阅读并同意《网格通小程序隐私保护指引》`,
        key: 'privacy',
        buttons: [
          { text: '拒绝', value: false, key: 'cancel' },
          { text: '同意', value: true, primary: true, key: 'confirm' },
        ],
      });
    }
    if (!agreed) throw { errMsg: `${apiName}:fail privacy permission is not authorized`, errno: 104 };
    localStorage.setItem(PRIVACY_KEY, '1');
  }

  async function request(o: Opts): Promise<Record<string, unknown>> {
    const method = (o.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = { ...(o.header ?? {}) };
    let url = String(o.url);
    let body: string | undefined;
    if (method === 'GET' && o.data && typeof o.data === 'object') {
      const q = new URLSearchParams(Object.entries(o.data).map(([k, v]) => [k, String(v)]));
      url += (url.includes('?') ? '&' : '?') + q.toString();
    } else if (o.data !== undefined) {
      body = typeof o.data === 'string' ? o.data : JSON.stringify(o.data);
      if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type'))
        headers['content-type'] = 'application/json';
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), o.timeout ?? 60000);
    try {
      const res = await fetch(url, { method, headers, body, signal: controller.signal });
      const text = await res.text();
      let data: unknown = text;
      if (o.dataType !== '其他') {
        try {
          data = JSON.parse(text);
        } catch {
          data = text;
        }
      }
      rememberCodes(data);
      return { data, statusCode: res.status, header: Object.fromEntries(res.headers.entries()) };
    } finally {
      clearTimeout(timer);
    }
  }

  async function callLocalFunction(name: string, data: unknown): Promise<{ result: unknown }> {
    const res = await request({
      url: `${location.origin}/fn/${name}`,
      method: 'POST',
      header: { 'x-gridlink-user': host.user() },
      data,
    });
    return { result: res.data };
  }

  const storage = {
    get(key: string): unknown {
      const raw = localStorage.getItem(STORAGE_PREFIX + key);
      return raw === null ? '' : JSON.parse(raw);
    },
    set(key: string, value: unknown) {
      localStorage.setItem(STORAGE_PREFIX + key, JSON.stringify(value === undefined ? null : value));
    },
    remove(key: string) {
      localStorage.removeItem(STORAGE_PREFIX + key);
    },
    keys(): string[] {
      return Object.keys(localStorage)
        .filter((k) => k.startsWith(STORAGE_PREFIX))
        .map((k) => k.slice(STORAGE_PREFIX.length));
    },
  };

  const noop = () => undefined;
  const okApi = (name: string, r: Record<string, unknown> = {}) => api(name, () => r);

  const wx: Record<string, any> = {
    env: { USER_DATA_PATH: 'http://usr' },
    // ── system ──
    getSystemInfoSync: systemInfo,
    getSystemInfo: api('getSystemInfo', systemInfo),
    getWindowInfo: () => {
      const s = systemInfo();
      return {
        pixelRatio: s.pixelRatio,
        screenWidth: s.screenWidth,
        screenHeight: s.screenHeight,
        windowWidth: s.windowWidth,
        windowHeight: s.windowHeight,
        statusBarHeight: s.statusBarHeight,
        safeArea: s.safeArea,
        screenTop: s.screenTop,
      };
    },
    getDeviceInfo: () => ({
      brand: 'preview',
      model: systemInfo().model,
      system: 'iOS 16.0',
      platform: 'devtools',
      pixelRatio: 2,
      abi: '',
      benchmarkLevel: 1,
    }),
    getAppBaseInfo: () => ({
      SDKVersion: '3.5.0',
      enableDebug: false,
      host: { env: 'WeChat' },
      language: 'zh_CN',
      version: '8.0.50',
      theme: 'light',
      fontSizeSetting: 16,
    }),
    getAppAuthorizeSetting: () => ({
      albumAuthorized: 'authorized',
      cameraAuthorized: 'authorized',
      locationAuthorized: 'authorized',
      notificationAuthorized: 'authorized',
      phoneCalendarAuthorized: 'authorized',
    }),
    getSystemSetting: () => ({
      bluetoothEnabled: false,
      locationEnabled: true,
      wifiEnabled: true,
      deviceOrientation: 'portrait',
    }),
    getMenuButtonBoundingClientRect: () => ({ width: 87, height: 32, top: 26, right: 368, bottom: 58, left: 281 }),
    onMenuButtonBoundingClientRectWeightChange: noop,
    offMenuButtonBoundingClientRectWeightChange: noop,
    getAccountInfoSync: () => ({ miniProgram: { appId: 'wx-gridlink-preview', envVersion: 'develop', version: '' } }),
    getLaunchOptionsSync: () => ({
      scene: 1001,
      path: currentPage()?.route ?? '',
      query: currentPage()?.options ?? {},
      referrerInfo: {},
    }),
    getEnterOptionsSync: () => ({
      scene: 1001,
      path: currentPage()?.route ?? '',
      query: currentPage()?.options ?? {},
      referrerInfo: {},
    }),
    canIUse: () => true,
    nextTick: (fn: () => void) => setTimeout(fn, 0),
    onThemeChange: noop,
    offThemeChange: noop,
    onAppShow: noop,
    onAppHide: noop,
    onError: noop,
    onUnhandledRejection: noop,
    onWindowResize: noop,
    offWindowResize: noop,
    onKeyboardHeightChange: noop,
    offKeyboardHeightChange: noop,
    getNetworkType: okApi('getNetworkType', { networkType: 'wifi' }),
    onNetworkStatusChange: noop,
    reportAnalytics: noop,
    reportEvent: noop,
    reportMonitor: noop,
    getUpdateManager: () => ({ onCheckForUpdate: noop, onUpdateReady: noop, onUpdateFailed: noop, applyUpdate: noop }),
    getRealtimeLogManager: () => ({ info: noop, warn: noop, error: noop, setFilterMsg: noop }),
    getLogManager: () => ({ log: noop, info: noop, warn: noop, debug: noop }),
    login: okApi('login', { code: 'preview-code' }),
    checkSession: okApi('checkSession'),
    authorize: okApi('authorize'),
    getSetting: okApi('getSetting', { authSetting: {} }),
    openSetting: okApi('openSetting', { authSetting: {} }),
    loadFontFace: okApi('loadFontFace', { status: 'loaded' }),
    vibrateShort: okApi('vibrateShort'),
    vibrateLong: okApi('vibrateLong'),
    hideKeyboard: api('hideKeyboard', () => void (document.activeElement as HTMLElement | null)?.blur?.()),
    createAnimation: () => {
      const actions: unknown[] = [];
      const anim: Record<string, any> = new Proxy(
        {},
        { get: (_t, key) => (key === 'export' ? () => ({ actions: actions.splice(0) }) : () => anim) },
      );
      return anim;
    },
    createSelectorQuery: () => {
      const page = currentPage();
      return page?.createSelectorQuery ? page.createSelectorQuery() : null;
    },
    createIntersectionObserver: (component: any, options: unknown) => component.createIntersectionObserver(options),
    // ── storage ──
    getStorageSync: (key: string) => storage.get(key),
    setStorageSync: (key: string, value: unknown) => storage.set(key, value),
    removeStorageSync: (key: string) => storage.remove(key),
    clearStorageSync: () => storage.keys().forEach((k) => storage.remove(k)),
    getStorageInfoSync: () => ({ keys: storage.keys(), currentSize: 0, limitSize: 10240 }),
    getStorage: api('getStorage', (o) => {
      if (localStorage.getItem(STORAGE_PREFIX + o.key) === null) throw new Error('data not found');
      return { data: storage.get(o.key) };
    }),
    setStorage: api('setStorage', (o) => storage.set(o.key, o.data)),
    removeStorage: api('removeStorage', (o) => storage.remove(o.key)),
    clearStorage: api('clearStorage', () => storage.keys().forEach((k) => storage.remove(k))),
    // ── network ──
    request: (o: Opts) => {
      const run = api('request', request)(o);
      return { abort: noop, onHeadersReceived: noop, then: run ? run.then.bind(run) : undefined };
    },
    uploadFile: api('uploadFile', async (o) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(o.formData ?? {})) form.append(k, String(v));
      const blob = blobOf(o.filePath);
      form.append(o.name ?? 'file', blob, (blob as File).name ?? 'upload.bin');
      const res = await fetch(o.url, { method: 'POST', headers: o.header ?? {}, body: form });
      return { data: await res.text(), statusCode: res.status };
    }),
    downloadFile: api('downloadFile', async (o) => {
      const res = await fetch(o.url);
      const blob = await res.blob();
      return { tempFilePath: tempPathFor(blob, new URL(o.url, location.href).pathname), statusCode: res.status };
    }),
    // ── cloud (always the local cloud here, as the chosen user) ──
    cloud: {
      init: noop,
      callFunction: api('cloud.callFunction', (o) => callLocalFunction(o.name, o.data)),
      uploadFile: api('cloud.uploadFile', async (o) => {
        const res = await wx.uploadFile({
          url: `${location.origin}/storage/upload`,
          filePath: o.filePath,
          name: 'file',
          formData: { cloudPath: o.cloudPath },
          header: { 'x-gridlink-user': host.user() },
        });
        const body = JSON.parse(res.data) as { ok: boolean; data?: { fileID: string } };
        if (!body.ok || !body.data) throw new Error('upload refused');
        return { fileID: body.data.fileID, statusCode: 200 };
      }),
      getTempFileURL: api('cloud.getTempFileURL', (o) => ({
        fileList: (o.fileList as string[]).map((fileID) => ({ fileID, tempFileURL: fileID, status: 0 })),
      })),
      CloudID: (cloudID: string) => ({ cloudID }),
      database: () => {
        throw new Error('预览里不支持小程序端直连数据库');
      },
    },
    // ── UI ──
    showToast: api('showToast', (o) =>
      host.ui.toast({ title: o.title ?? '', icon: o.icon, duration: o.duration, mask: o.mask }),
    ),
    hideToast: api('hideToast', () => host.ui.hideToast(false)),
    showLoading: api('showLoading', (o) => host.ui.toast({ title: o.title ?? '', mask: o.mask, loading: true })),
    hideLoading: api('hideLoading', () => host.ui.hideToast(true)),
    showModal: api('showModal', (o) => host.ui.modal(o as Parameters<PreviewUi['modal']>[0])),
    showActionSheet: api('showActionSheet', async (o) => {
      const tapIndex = await host.ui.actionSheet(o as { itemList: string[] });
      if (tapIndex < 0) throw new Error('cancel');
      return { tapIndex };
    }),
    setNavigationBarTitle: api('setNavigationBarTitle', (o) => host.setTitle(o.title)),
    setNavigationBarColor: okApi('setNavigationBarColor'),
    showNavigationBarLoading: noop,
    hideNavigationBarLoading: noop,
    hideHomeButton: noop,
    setBackgroundColor: noop,
    setBackgroundTextStyle: noop,
    showShareMenu: okApi('showShareMenu'),
    hideShareMenu: okApi('hideShareMenu'),
    updateShareMenu: okApi('updateShareMenu'),
    pageScrollTo: api('pageScrollTo', (o) =>
      window.scrollTo({ top: o.scrollTop ?? 0, behavior: o.duration === 0 ? 'auto' : 'smooth' }),
    ),
    startPullDownRefresh: api('startPullDownRefresh', () => host.startPullDownRefresh()),
    stopPullDownRefresh: api('stopPullDownRefresh', () => host.setPullDown(false)),
    // ── navigation ──
    navigateTo: api('navigateTo', (o) => host.navigate('navigateTo', o.url)),
    redirectTo: api('redirectTo', (o) => host.navigate('redirectTo', o.url)),
    reLaunch: api('reLaunch', (o) => host.navigate('reLaunch', o.url)),
    switchTab: api('switchTab', (o) => host.navigate('switchTab', o.url)),
    navigateBack: api('navigateBack', (o) => host.back(o.delta ?? 1)),
    navigateToMiniProgram: api('navigateToMiniProgram', () => {
      throw new Error('预览里不能打开其他小程序');
    }),
    // ── device and media ──
    scanCode: api('scanCode', async () => {
      const picks = JSON.parse(localStorage.getItem(CODES_KEY) || '[]') as Array<{ label: string; value: string }>;
      const result = await host.ui.prompt({
        title: '扫码',
        key: 'scan',
        hint: '预览里没有摄像头：粘贴二维码内容（如另一个标签页里居民的个人码），或选下面出现过的码。',
        placeholder: '二维码内容',
        picks,
      });
      if (!result) throw new Error('cancel');
      return {
        result,
        scanType: 'QR_CODE',
        charSet: 'utf-8',
        path: '',
        rawData: btoa(unescape(encodeURIComponent(result))),
      };
    }),
    chooseMedia: api('chooseMedia', async (o) => {
      await privacyGate('chooseMedia');
      const types = (o.mediaType as string[] | undefined) ?? ['image', 'video'];
      const accept = types.map((t) => (t === 'mix' ? 'image/*,video/*' : `${t}/*`)).join(',');
      const picked = await host.ui.pickFiles({ title: '拍摄或从相册选择', accept, multiple: (o.count ?? 9) > 1 });
      if (!picked) throw new Error('cancel');
      return {
        type: picked[0]?.type.startsWith('video') ? 'video' : 'image',
        tempFiles: picked.slice(0, o.count ?? 9).map((f) => ({
          tempFilePath: tempPathFor(f, f.name),
          size: f.size,
          fileType: f.type.startsWith('video') ? 'video' : 'image',
          width: 0,
          height: 0,
        })),
      };
    }),
    chooseImage: api('chooseImage', async (o) => {
      await privacyGate('chooseImage');
      const picked = await host.ui.pickFiles({ title: '从相册选择', accept: 'image/*', multiple: (o.count ?? 9) > 1 });
      if (!picked) throw new Error('cancel');
      const tempFiles = picked.map((f) => ({ path: tempPathFor(f, f.name), size: f.size }));
      return { tempFilePaths: tempFiles.map((f) => f.path), tempFiles };
    }),
    chooseMessageFile: api('chooseMessageFile', async (o) => {
      await privacyGate('chooseMessageFile');
      const ext = (o.extension as string[] | undefined)?.map((e) => `.${e.replace(/^\./, '')}`).join(',') ?? '';
      const picked = await host.ui.pickFiles({ title: '从聊天中选择文件', accept: ext, multiple: (o.count ?? 1) > 1 });
      if (!picked) throw new Error('cancel');
      return {
        tempFiles: picked.map((f) => ({
          path: tempPathFor(f, f.name),
          name: f.name,
          size: f.size,
          type: 'file',
          time: Math.floor(f.lastModified / 1000),
        })),
      };
    }),
    previewImage: api('previewImage', (o) => {
      const url = (o.current as string | undefined) || (o.urls as string[])[0] || '';
      void host.ui.show({
        title: '预览图片',
        key: 'image',
        body: (b) =>
          Object.assign(b.appendChild(document.createElement('img')), {
            src: files.has(url) ? URL.createObjectURL(blobOf(url)) : url,
            className: 'pv-image',
          }),
      });
    }),
    previewMedia: api('previewMedia', (o) =>
      wx.previewImage({ urls: (o.sources as Array<{ url: string }>).map((s) => s.url) }),
    ),
    saveImageToPhotosAlbum: api('saveImageToPhotosAlbum', async (o) => {
      await privacyGate('saveImageToPhotosAlbum');
      download(o.filePath, 'image.png');
    }),
    makePhoneCall: api('makePhoneCall', (o) => {
      const phone = String(o.phoneNumber);
      void host.ui.show({
        title: '拨打电话',
        key: 'phone',
        body: (b) => {
          const a = b.appendChild(document.createElement('a'));
          a.href = `tel:${phone}`;
          a.textContent = phone;
          a.className = 'pv-tel';
        },
      });
    }),
    // WeChat Pay (issue 19): the local cloud stands in for the platform. The payment sheet is a dialog;
    // paying is the dev endpoint `POST /dev/pay/<outTradeNo>`, which sends the platform's callback.
    // The parameters name only the prepay (`package: prepay_id=…`): its trade is looked up in `GET /dev/pay`.
    requestPayment: api('requestPayment', async (o) => {
      const pkg = String(o.package ?? '');
      const prepayId = /prepay_id=([\w-]+)/.exec(pkg)?.[1] ?? '';
      const headers: Record<string, string> = { 'x-gridlink-user': host.user() };
      const listed = (await (await fetch(`${location.origin}/dev/pay`, { headers })).json()) as {
        data?: { trades?: Array<{ outTradeNo: string; prepayId: string; totalFee: number; body?: string }> };
      };
      const trade = listed.data?.trades?.find((t) => t.prepayId === prepayId);
      const outTradeNo = trade?.outTradeNo ?? /out_trade_no=([\w-]+)/.exec(pkg)?.[1];
      if (!outTradeNo) throw new Error('本地云没有这笔预支付单');
      const paid = await host.ui.dialog<boolean>({
        title: '微信支付（预览）',
        content: trade ? `${trade.body ?? '网格通订单'} ¥${(trade.totalFee / 100).toFixed(2)}` : '网格通订单',
        key: 'pay',
        buttons: [
          { text: '取消', value: false, key: 'cancel' },
          { text: '确认支付', value: true, primary: true, key: 'confirm' },
        ],
      });
      if (!paid) throw { errMsg: 'requestPayment:fail cancel' };
      const res = await fetch(`${location.origin}/dev/pay/${encodeURIComponent(outTradeNo)}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: '{}',
      });
      const body = (await res.json()) as { ok: boolean; message?: string };
      if (!body.ok) throw new Error(body.message ?? '支付失败');
    }),
    setClipboardData: api('setClipboardData', async (o) => {
      await privacyGate('setClipboardData');
      try {
        await navigator.clipboard.writeText(String(o.data));
      } catch {
        localStorage.setItem('preview:clipboard', String(o.data));
      }
      host.ui.toast({ title: '内容已复制', icon: 'none' });
    }),
    getClipboardData: api('getClipboardData', async () => {
      await privacyGate('getClipboardData');
      try {
        return { data: await navigator.clipboard.readText() };
      } catch {
        return { data: localStorage.getItem('preview:clipboard') ?? '' };
      }
    }),
    getLocation: api('getLocation', async () => {
      await privacyGate('getLocation');
      return { latitude: 31.23, longitude: 121.47, accuracy: 50, speed: 0, altitude: 0 };
    }),
    // ── files ──
    getFileSystemManager: () => ({
      readFile: api('readFile', async (o) => {
        const buf = await blobOf(o.filePath).arrayBuffer();
        if (o.encoding === 'base64') return { data: base64Of(buf) };
        if (o.encoding) return { data: new TextDecoder().decode(buf) };
        return { data: buf };
      }),
      writeFile: api('writeFile', (o) => {
        const data = o.encoding === 'base64' ? bytesOfBase64(o.data) : o.data;
        files.set(o.filePath, new Blob([data]));
      }),
      access: api('access', (o) => {
        blobOf(o.path);
      }),
      unlink: api('unlink', (o) => void files.delete(o.filePath)),
      mkdir: okApi('mkdir'),
    }),
    openDocument: api('openDocument', (o) => download(o.filePath, o.filePath.split('/').pop() || 'document')),
    // ── subscribe messages and privacy ──
    requestSubscribeMessage: api('requestSubscribeMessage', async (o) => {
      const ids = o.tmplIds as string[];
      const remembered = JSON.parse(localStorage.getItem(SUBSCRIBE_KEY) || 'null') as string | null;
      let answer = remembered;
      if (!answer) {
        let always: HTMLInputElement | null = null;
        answer = await host.ui.dialog<string>({
          title: '网格通 申请发送以下订阅消息',
          key: 'subscribe',
          body: (b) => {
            for (const id of ids)
              b.appendChild(
                Object.assign(document.createElement('div'), { className: 'pv-hint', textContent: `☑ ${id}` }),
              );
            const label = b.appendChild(document.createElement('label'));
            always = label.appendChild(document.createElement('input'));
            always.type = 'checkbox';
            label.append(' 总是保持以上选择，不再询问');
          },
          buttons: [
            { text: '取消', value: 'reject', key: 'cancel' },
            { text: '允许', value: 'accept', primary: true, key: 'confirm' },
          ],
        });
        if ((always as HTMLInputElement | null)?.checked) localStorage.setItem(SUBSCRIBE_KEY, JSON.stringify(answer));
      }
      return Object.fromEntries(ids.map((id) => [id, answer]));
    }),
    getPrivacySetting: api('getPrivacySetting', () => ({
      needAuthorization: localStorage.getItem(PRIVACY_KEY) !== '1',
      privacyContractName: '《网格通小程序隐私保护指引》',
    })),
    requirePrivacyAuthorize: api('requirePrivacyAuthorize', () => privacyGate('requirePrivacyAuthorize')),
    openPrivacyContract: api('openPrivacyContract', () => host.navigate('navigateTo', '/pages/privacy/index')),
    onNeedPrivacyAuthorization: (listener: typeof privacyListener) => {
      privacyListener = listener;
    },
    getShareInfo: api('getShareInfo', () => {
      throw new Error('预览里没有群聊分享信息');
    }),
    canvasToTempFilePath: api('canvasToTempFilePath', async (o) => {
      // canvas 2d only (type="2d": the node from SelectorQuery fields({node: true}), see runtime.ts).
      const canvas = o.canvas as unknown;
      if (!(canvas instanceof HTMLCanvasElement)) throw new Error('预览只支持 canvas 2d（type="2d"）');
      const type = o.fileType === 'jpg' ? 'image/jpeg' : 'image/png';
      const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, type, o.quality));
      if (!blob) throw new Error('canvas is empty');
      // A blob: URL, so <image src> shows it as WeChat's temp path would; saving and previewing find it too.
      const path = URL.createObjectURL(blob);
      files.set(path, blob);
      return { tempFilePath: path };
    }),
  };

  function download(path: string, name: string): void {
    const blob = files.get(path);
    const a = document.createElement('a');
    a.href = blob ? URL.createObjectURL(blob) : path;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  /** The agreePrivacyAuthorization button (built-in button) records consent here. */
  wx.__agreePrivacy = () => localStorage.setItem(PRIVACY_KEY, '1');
  return wx;
}
