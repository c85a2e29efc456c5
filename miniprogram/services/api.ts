/**
 * The one caller of cloud functions. Every page goes through `call`, typed by the shared
 * contract in typings/: production uses wx.cloud.callFunction; with the dev flag on, the same
 * event goes to the local cloud (`npm start`) as the chosen demo user.
 */
import type { ActionName, CallEvent, CallResult, ErrorCode, FieldIssue, Req, Res } from '../../typings/api';
import { devConfig, type DevConfig } from '../config';

/** A failed call, with the server's code and Chinese message. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: FieldIssue[],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const NETWORK_MESSAGE = '网络不稳定，请检查网络后重试';

/** Header naming the demo user for the local cloud. */
export const DEV_USER_HEADER = 'x-gridlink-user';

function viaCloud(name: string, event: CallEvent): Promise<unknown> {
  return wx.cloud.callFunction({ name, data: event as unknown as WechatMiniprogram.IAnyObject }).then((res) => res.result);
}

function viaLocalCloud(name: string, event: CallEvent, dev: DevConfig): Promise<unknown> {
  return new Promise((resolve, reject) => {
    wx.request({
      url: `${dev.baseUrl}/fn/${name}`,
      method: 'POST',
      header: { 'content-type': 'application/json', [DEV_USER_HEADER]: dev.openid },
      data: event as unknown as WechatMiniprogram.IAnyObject,
      timeout: 15000,
      success: (res) => resolve(res.data),
      fail: reject,
    });
  });
}

function isResult(value: unknown): value is CallResult<ActionName> {
  return Boolean(value && typeof value === 'object' && typeof (value as { ok?: unknown }).ok === 'boolean');
}

/** Calls an action; resolves with its data or rejects with an ApiError. */
export async function call<A extends ActionName>(action: A, payload: Req<A>, opts: { requestId?: string } = {}): Promise<Res<A>> {
  const name = action.slice(0, action.indexOf('.'));
  const event: CallEvent<A> = { action, payload };
  if (opts.requestId) event.requestId = opts.requestId;
  const dev = devConfig();
  let result: unknown;
  try {
    result = dev.localCloud ? await viaLocalCloud(name, event, dev) : await viaCloud(name, event);
  } catch {
    throw new ApiError('COMMON.INTERNAL', NETWORK_MESSAGE);
  }
  if (!isResult(result)) throw new ApiError('COMMON.INTERNAL', '服务暂时不可用，请稍后再试');
  if (!result.ok) throw new ApiError(result.code, result.message, result.issues);
  return result.data as Res<A>;
}

/** A fresh id for one user intent, so a retried tap is recognised instead of repeated. */
export function newRequestId(): string {
  const bytes = new Uint8Array(12);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = Math.floor(Math.random() * 256);
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `r-${Date.now().toString(36)}-${hex}`;
}

/** The message to show for any failure. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return '操作失败，请稍后再试';
}
