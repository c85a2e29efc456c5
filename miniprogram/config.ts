/** Where the mini-program's cloud functions live: CloudBase in production, the local cloud in dev. */

/** Your CloudBase environment id (云开发控制台 → 环境 ID). */
export const CLOUD_ENV = 'gridlink-prod-0000';

/** Dev settings, kept in storage so the 本地调试 page can switch them at run time. */
export interface DevConfig {
  /** Call the local cloud (`npm start`) instead of CloudBase. */
  localCloud: boolean;
  baseUrl: string;
  /** Demo user the local cloud should treat as the caller. */
  openid: string;
  /**
   * Dev token of a local cloud open to the LAN (`GRIDLINK_HOST=0.0.0.0 npm start` prints it), for
   * 真机调试 on a phone; empty for a local cloud on 127.0.0.1, which needs none.
   */
  token: string;
}

/** Storage key of the dev settings. */
export const DEV_STORAGE_KEY = 'gridlink.dev';

/** Defaults: the local cloud's address and a demo resident. */
export const DEFAULT_DEV: DevConfig = {
  localCloud: false,
  baseUrl: 'http://127.0.0.1:8787',
  openid: 'dev-res-0001',
  token: '',
};

/** The current dev settings. */
export function devConfig(): DevConfig {
  const saved = wx.getStorageSync(DEV_STORAGE_KEY) as Partial<DevConfig> | '';
  return { ...DEFAULT_DEV, ...(saved || {}) };
}

/** Saves dev settings (only ever used in develop builds). */
export function saveDevConfig(patch: Partial<DevConfig>): DevConfig {
  const next = { ...devConfig(), ...patch };
  wx.setStorageSync(DEV_STORAGE_KEY, next);
  return next;
}

/** Whether this build may use dev tools: the developer's own build, never a release. */
export function isDevelopBuild(): boolean {
  try {
    return wx.getAccountInfoSync().miniProgram.envVersion === 'develop';
  } catch {
    return false;
  }
}

/**
 * Subscribe-message template ids (公众平台 → 订阅消息), by the server's template names: the same ids as
 * the `order` function's GRIDLINK_TPL_* (README「订阅消息模板」). Asked only inside a tap (utils/subscribe.ts).
 */
export const SUBSCRIBE_TEMPLATES: Record<'orderStatus' | 'joinResult' | 'notice', string> = {
  orderStatus: 'TEMPLATE_ID_ORDER_STATUS',
  joinResult: 'TEMPLATE_ID_JOIN_RESULT',
  notice: 'TEMPLATE_ID_NOTICE',
};
