/**
 * Jest setup for page tests: the parts of the WeChat runtime pages use, as test doubles that
 * tests steer — in-memory storage, wx.request / wx.cloud.callFunction routed by `mockCall`, and
 * getApp/getCurrentPages (TDesign calls getApp).
 */
const storage = new Map<string, unknown>();

/** The app's user folder, in memory. */
export const files = new Map<string, string>();
const fs = {
  writeFile: (o: { filePath: string; data: string; success?: () => void }) => {
    files.set(o.filePath, o.data);
    o.success?.();
  },
};

const wxStub = {
  getStorageSync: (key: string) => (storage.has(key) ? storage.get(key) : ''),
  setStorageSync: (key: string, value: unknown) => void storage.set(key, value),
  removeStorageSync: (key: string) => void storage.delete(key),
  clearStorageSync: () => storage.clear(),
  getAccountInfoSync: () => ({ miniProgram: { envVersion: 'release', appId: 'wx-test', version: '' } }),
  request: jest.fn(),
  navigateTo: jest.fn(),
  makePhoneCall: jest.fn(),
  stopPullDownRefresh: jest.fn(),
  requestSubscribeMessage: jest.fn((opts: { tmplIds: string[]; success?: (r: Record<string, string>) => void }) =>
    opts.success?.(Object.fromEntries(opts.tmplIds.map((id) => [id, 'accept']))),
  ),
  getEnterOptionsSync: jest.fn(() => ({ scene: 1001, query: {}, path: '' })),
  getShareInfo: jest.fn(),
  // No group unless a test says so (call() prefers it over getShareInfo for `openData: {group: true}`).
  getGroupEnterInfo: jest.fn((o: { fail?: () => void }) => o.fail?.()),
  showShareMenu: jest.fn(),
  setClipboardData: jest.fn((o: { success?: () => void }) => o.success?.()),
  chooseMedia: jest.fn(),
  env: { USER_DATA_PATH: 'wxfile://usr' },
  getFileSystemManager: jest.fn(() => fs),
  openDocument: jest.fn((o: { success?: () => void }) => o.success?.()),
  scanCode: jest.fn(),
  vibrateShort: jest.fn(),
  vibrateLong: jest.fn(),
  uploadFile: jest.fn(),
  showToast: jest.fn(),
  showModal: jest.fn(),
  getPrivacySetting: jest.fn(),
  openPrivacyContract: jest.fn(),
  onNeedPrivacyAuthorization: jest.fn(),
  cloud: {
    init: jest.fn(),
    callFunction: jest.fn(),
    uploadFile: jest.fn(),
    CloudID: (cloudID: string) => ({ cloudID }),
  },
};

Object.assign(globalThis, {
  wx: wxStub,
  getApp: () => ({ globalData: {} }),
  getCurrentPages: () => [],
});

beforeEach(() => {
  storage.clear();
  files.clear();
  jest.clearAllMocks();
});
