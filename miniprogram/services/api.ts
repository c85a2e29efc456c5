/**
 * The one caller of cloud functions. Every page goes through `call`, typed by the shared
 * contract in typings/: production uses wx.cloud.callFunction; with the dev flag on, the same
 * event goes to the local cloud (`npm start`) as the chosen demo user.
 */
import type { ActionName, CallEvent, CallResult, ErrorCode, FieldIssue, Req, Res } from '../../typings/api';
import { devConfig, type DevConfig } from '../config';
import { getLang, t, tKey, translate, type MessageKey } from '../i18n/index';

/**
 * Where a failure came from: the server refused (`server`, with its code), the call never got an
 * answer (`network`: offline, timed out, the function did not run), or the answer was garbled.
 */
export type FailureKind = 'server' | 'network' | 'unavailable';

/** A failed call, with the server's code and Chinese message. */
export class ApiError extends Error {
  readonly kind: FailureKind;
  /** For a failure made on the phone: the catalogue's message to show. */
  readonly key?: MessageKey;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: FieldIssue[],
    extra: { kind?: FailureKind; key?: MessageKey } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.kind = extra.kind ?? 'server';
    if (extra.key) this.key = extra.key;
  }
}

/** A failure made on the phone, shown with a catalogue message (Chinese kept as its message). */
export function localError(code: ErrorCode, key: MessageKey, kind: FailureKind = 'server'): ApiError {
  return new ApiError(code, translate('zh', key), undefined, { kind, key });
}

/** Whether a failure is the network's (so cached data may stand in, and a retry may help). */
export function isNetworkError(error: unknown): boolean {
  return error instanceof ApiError && error.kind === 'network';
}

/**
 * Automatic retries of a call that never got an answer: bounded, with growing delays (and a little
 * jitter, so a building's phones do not all retry at once). Only calls that are safe to repeat
 * are retried: those carrying a request id (the server recognises the repeat) and reads that
 * ask for it. A business refusal is an answer and is never retried.
 */
export const RETRY = { attempts: 3, delaysMs: [800, 2400] };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Header naming the demo user for the local cloud. */
export const DEV_USER_HEADER = 'x-gridlink-user';

/** Header carrying the dev token of a local cloud open to the LAN (localcloud/dev-token.ts). */
export const DEV_TOKEN_HEADER = 'x-gridlink-token';

/** Headers of a request to the local cloud: the demo user, and the dev token when one is set. */
export function devHeaders(dev: DevConfig, withUser = true): Record<string, string> {
  return {
    ...(withUser ? { [DEV_USER_HEADER]: dev.openid } : {}),
    ...(dev.token ? { [DEV_TOKEN_HEADER]: dev.token } : {}),
  };
}

function viaCloud(name: string, event: CallEvent): Promise<unknown> {
  return wx.cloud
    .callFunction({ name, data: event as unknown as WechatMiniprogram.IAnyObject })
    .then((res) => res.result);
}

function viaLocalCloud(name: string, event: CallEvent, dev: DevConfig): Promise<unknown> {
  return new Promise((resolve, reject) => {
    wx.request({
      url: `${dev.baseUrl}/fn/${name}`,
      method: 'POST',
      header: { 'content-type': 'application/json', ...devHeaders(dev) },
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

/** Options of a call. */
export interface CallOptions {
  /** Makes a write idempotent; a call with one is retried automatically (same id) when the network fails. */
  requestId?: string;
  /** A read that may be retried automatically when the network fails. */
  retry?: boolean;
  /**
   * WeChat open data for the call: `group` is a cloudID from wx.getGroupEnterInfo / wx.getShareInfo,
   * or `true` for the group the app was opened from (a fresh cloudID from the launch's share ticket).
   * It travels as a top-level field of the event (`wx.cloud.CloudID`), which only the platform
   * replaces with the group's data; the payload never carries it.
   */
  openData?: { group?: string | true };
}

/** A fresh cloudID of the group the app was opened from (valid 5 minutes), or undefined. */
function launchGroupCloudId(): Promise<string | undefined> {
  const shareTicket = wx.getEnterOptionsSync().shareTicket;
  if (!shareTicket) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const done = { success: (res: { cloudID?: string }) => resolve(res.cloudID), fail: () => resolve(undefined) };
    const api = wx as unknown as { getGroupEnterInfo?: (o: typeof done) => void };
    if (typeof api.getGroupEnterInfo === 'function') api.getGroupEnterInfo(done);
    else wx.getShareInfo({ shareTicket, ...done });
  });
}

/** Calls an action; resolves with its data or rejects with an ApiError. */
export async function call<A extends ActionName>(action: A, payload: Req<A>, opts: CallOptions = {}): Promise<Res<A>> {
  const name = action.slice(0, action.indexOf('.'));
  const event: CallEvent<A> = { action, payload };
  if (opts.requestId) event.requestId = opts.requestId;
  const dev = devConfig();
  const group = opts.openData?.group === true ? await launchGroupCloudId() : opts.openData?.group;
  // Top level, where the platform (or the local cloud standing in for it) swaps the cloudID for the data.
  if (group) event.group = dev.localCloud ? { cloudID: group } : wx.cloud.CloudID(group);
  const attempts = opts.requestId || opts.retry ? Math.max(1, RETRY.attempts) : 1;
  let result: unknown;
  for (let attempt = 1; ; attempt += 1) {
    try {
      result = dev.localCloud ? await viaLocalCloud(name, event, dev) : await viaCloud(name, event);
      break;
    } catch {
      if (attempt >= attempts) throw localError('COMMON.INTERNAL', 'err.network', 'network');
      const base = RETRY.delaysMs[attempt - 1] ?? RETRY.delaysMs[RETRY.delaysMs.length - 1] ?? 0;
      await sleep(base * (0.75 + Math.random() * 0.5));
    }
  }
  if (!isResult(result)) throw localError('COMMON.INTERNAL', 'err.unavailable', 'unavailable');
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

/**
 * The message to show for any failure, in the resident's language: translated by the server's
 * code; in Chinese the server's own message (often more precise) is shown.
 */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.key) return t(error.key);
    if (getLang() === 'zh') return error.message;
    return tKey(`err.${error.code}`, error.message);
  }
  return t('err.generic');
}
