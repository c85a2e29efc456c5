/**
 * The chat-tool subpackage's own way to the cloud functions and to the group. It is an
 * independent subpackage (WeChat's rule for chat tools): it runs without the main package — no
 * app.ts, no services/api.ts — so it carries this small copy of the call. Keep CLOUD_ENV equal to
 * miniprogram/config.ts (test/pages/chat-tool.test.ts checks it).
 */
import type { ActionName, CallResult, Req, Res } from '../../../typings/api';

export const CLOUD_ENV = 'gridlink-prod-0000';
/** The main package's dev settings (miniprogram/config.ts DEV_STORAGE_KEY): local cloud in dev. */
const DEV_STORAGE_KEY = 'gridlink.dev';

interface DevSettings {
  localCloud?: boolean;
  baseUrl?: string;
  openid?: string;
  token?: string;
}

/** A refusal of the cloud, with its code and Chinese message. */
export class ChatApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Callback<T> = { success?: (res: T) => void; fail?: (err: { errMsg?: string }) => void };

/** The chat-tool APIs (base library 3.7.8+, WeChat 8.0.56+): absent on older WeChat. */
export interface ChatWx {
  canIUse?: (schema: string) => boolean;
  getChatToolInfo?: (o: Callback<{ cloudID?: string }>) => void;
  getGroupEnterInfo?: (o: { needGroupOpenID?: boolean } & Callback<{ cloudID?: string }>) => void;
  notifyGroupMembers?: (
    o: {
      title: string;
      members: string[];
      entrancePath: string;
      type?: 'participate' | 'complete';
    } & Callback<unknown>,
  ) => void;
  updateShareMenu?: (o: Record<string, unknown>) => void;
  getApiCategory?: () => { apiCategory?: string };
}

export const chatWx = (): ChatWx => wx as unknown as ChatWx;

/** Whether this WeChat has the chat-tool mode's reminders (wx.notifyGroupMembers). */
export function canNotify(): boolean {
  const api = chatWx();
  return typeof api.notifyGroupMembers === 'function' && (api.canIUse ? api.canIUse('notifyGroupMembers') : true);
}

/**
 * A fresh cloudID of the group (valid 5 minutes): from the chat tool (wx.getChatToolInfo, with the
 * caller's own group_openid), else from a group card (wx.getGroupEnterInfo with needGroupOpenID);
 * null when the page was not opened from a group or WeChat is too old.
 */
export function groupCloudId(): Promise<{ cloudID: string; chatTool: boolean } | null> {
  const api = chatWx();
  const fromCard = (): Promise<{ cloudID: string; chatTool: boolean } | null> =>
    new Promise((resolve) => {
      if (typeof api.getGroupEnterInfo !== 'function') return resolve(null);
      api.getGroupEnterInfo({
        needGroupOpenID: true,
        success: (res) => resolve(res.cloudID ? { cloudID: res.cloudID, chatTool: false } : null),
        fail: () => resolve(null),
      });
    });
  if (typeof api.getChatToolInfo !== 'function') return fromCard();
  return new Promise((resolve) => {
    api.getChatToolInfo?.({
      success: (res) =>
        res.cloudID ? resolve({ cloudID: res.cloudID, chatTool: true }) : void fromCard().then(resolve),
      fail: () => void fromCard().then(resolve),
    });
  });
}

let initialised = false;

function viaLocalCloud(name: string, event: Record<string, unknown>, dev: DevSettings): Promise<unknown> {
  return new Promise((resolve, reject) => {
    wx.request({
      url: `${dev.baseUrl ?? 'http://127.0.0.1:8787'}/fn/${name}`,
      method: 'POST',
      header: {
        'content-type': 'application/json',
        'x-gridlink-user': dev.openid ?? '',
        ...(dev.token ? { 'x-gridlink-token': dev.token } : {}),
      },
      data: event as WechatMiniprogram.IAnyObject,
      timeout: 15000,
      success: (res) => resolve(res.data),
      fail: reject,
    });
  });
}

/** Calls an action; the group cloudID travels top-level, where only the platform replaces it. */
export async function chatCall<A extends ActionName>(
  action: A,
  payload: Req<A>,
  groupCloudID?: string,
): Promise<Res<A>> {
  const dev = (wx.getStorageSync(DEV_STORAGE_KEY) || {}) as DevSettings;
  const name = action.slice(0, action.indexOf('.'));
  const event: Record<string, unknown> = { action, payload };
  if (groupCloudID) event.group = dev.localCloud ? { cloudID: groupCloudID } : wx.cloud.CloudID(groupCloudID);
  let result: unknown;
  try {
    if (dev.localCloud) result = await viaLocalCloud(name, event, dev);
    else {
      if (!initialised) wx.cloud.init({ env: CLOUD_ENV, traceUser: true });
      initialised = true;
      result = (await wx.cloud.callFunction({ name, data: event as WechatMiniprogram.IAnyObject })).result;
    }
  } catch {
    throw new ChatApiError('COMMON.INTERNAL', '网络不太好，请稍后再试');
  }
  const r = result as CallResult<A> | null;
  if (!r || typeof r !== 'object' || typeof r.ok !== 'boolean')
    throw new ChatApiError('COMMON.INTERNAL', '服务暂时不可用，请稍后再试');
  if (!r.ok) throw new ChatApiError(r.code, r.message);
  return r.data;
}
