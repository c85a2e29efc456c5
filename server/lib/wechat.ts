/**
 * The functions' one way to WeChat's open APIs (subscribe messages, mini-program codes, updatable
 * messages, payment): through @cloudbase/node-sdk, which on CloudBase calls WeChat with the
 * environment's own credentials, and locally reaches the local cloud's stand-ins (localcloud/wechat)
 * over the same SDK request. WeChat answers errors as `{errcode, errmsg}` rather than by throwing;
 * this module turns every outcome into one shape so callers handle each documented error code.
 */
import { cloudApp } from './cloud';

/** WeChat's answer: `errcode` 0 on success, with the API's own fields. */
export type WxResult<T extends object = object> = { errcode: number; errmsg: string } & Partial<T>;

/** Errors of the transport itself (not WeChat's): the SDK's code, or a network failure. */
export const WX_TRANSPORT_ERROR = -99999;

function normalise<T extends object>(value: unknown): WxResult<T> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    const errcode = typeof v.errcode === 'number' ? v.errcode : Number(v.errcode ?? 0) || 0;
    return { ...(v as Partial<T>), errcode, errmsg: typeof v.errmsg === 'string' ? v.errmsg : 'ok' } as WxResult<T>;
  }
  return { errcode: WX_TRANSPORT_ERROR, errmsg: 'unexpected answer from WeChat' } as WxResult<T>;
}

/** Calls a JSON open API (`wx.api`), e.g. `subscribeMessage.send`, `updatableMessage.createActivityId`. */
export async function callWx<T extends object = object>(
  apiName: string,
  requestData: Record<string, unknown>,
): Promise<WxResult<T>> {
  try {
    const res = (await cloudApp().callWxOpenApi({ apiName, requestData })) as {
      code?: string;
      message?: string;
      result?: unknown;
    };
    if (res.code) return { errcode: WX_TRANSPORT_ERROR, errmsg: `${res.code}: ${res.message ?? ''}` } as WxResult<T>;
    return normalise<T>(res.result);
  } catch (error) {
    return {
      errcode: WX_TRANSPORT_ERROR,
      errmsg: String((error as Error).message ?? error).slice(0, 200),
    } as WxResult<T>;
  }
}

/**
 * Calls an open API that answers bytes (`wx.openApi`), e.g. `wxacode.getUnlimited`: the image, or
 * WeChat's JSON error.
 */
export async function callWxBytes(
  apiName: string,
  requestData: Record<string, unknown>,
): Promise<{ bytes: Buffer } | WxResult> {
  try {
    const res = (await cloudApp().callCompatibleWxOpenApi({
      apiName,
      requestData: Buffer.from(JSON.stringify(requestData)),
    })) as unknown;
    // A JSON answer (WeChat's error) may arrive already parsed.
    if (!Buffer.isBuffer(res) && !(res instanceof Uint8Array)) return normalise<object>(res);
    const bytes = Buffer.isBuffer(res) ? res : Buffer.from(res);
    // WeChat answers errors as JSON; an image never starts with '{'.
    if (bytes[0] === 0x7b) {
      try {
        return normalise<object>(JSON.parse(bytes.toString('utf8')));
      } catch {
        /* fall through: bytes */
      }
    }
    return { bytes };
  } catch (error) {
    return { errcode: WX_TRANSPORT_ERROR, errmsg: String((error as Error).message ?? error).slice(0, 200) };
  }
}

/**
 * Calls CloudBase's cloud payment (`wx.wxPayApi`, the SDK's `callWxPayApi`), e.g.
 * `cloudPay.unifiedOrder`, `cloudPay.queryOrder`, `cloudPay.refund` (issue 19). The platform answers
 * JSON with WeChat Pay's `returnCode`/`resultCode` beside `errcode`; a transport failure is
 * `WX_TRANSPORT_ERROR`. The caller checks `returnCode`/`resultCode` itself (server/lib/payments.ts).
 */
export async function callWxPay<T extends object = object>(
  apiName: string,
  requestData: Record<string, unknown>,
): Promise<WxResult<T>> {
  try {
    const res = (await cloudApp().callWxPayApi({
      apiName,
      requestData: Buffer.from(JSON.stringify(requestData)),
    })) as unknown;
    if (Buffer.isBuffer(res) || res instanceof Uint8Array) {
      try {
        return normalise<T>(JSON.parse(Buffer.from(res).toString('utf8')));
      } catch {
        return { errcode: WX_TRANSPORT_ERROR, errmsg: 'unexpected answer from WeChat Pay' } as WxResult<T>;
      }
    }
    const v = res as { code?: string; message?: string };
    if (v && typeof v === 'object' && typeof v.code === 'string' && v.code) {
      return { errcode: WX_TRANSPORT_ERROR, errmsg: `${v.code}: ${v.message ?? ''}` } as WxResult<T>;
    }
    return normalise<T>(res);
  } catch (error) {
    return {
      errcode: WX_TRANSPORT_ERROR,
      errmsg: String((error as Error).message ?? error).slice(0, 200),
    } as WxResult<T>;
  }
}
