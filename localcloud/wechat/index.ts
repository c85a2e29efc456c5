/**
 * Local stand-ins for WeChat's open APIs, reached exactly as on CloudBase: a cloud function calls
 * `app.callWxOpenApi` / `callCompatibleWxOpenApi` / `callWxPayApi` of @cloudbase/node-sdk (see
 * server/lib/wechat.ts), the SDK posts `wx.api` / `wx.openApi` / `wx.wxPayApi` to its serviceUrl,
 * and the local cloud answers here instead of WeChat. Each API (one file in ./apis) validates its
 * parameters as WeChat documents them and answers WeChat's errcode when WeChat would refuse, so a
 * test fails where WeChat would. Every call is recorded and listed at `GET /dev/wechat`.
 */
import { randomUUID } from 'node:crypto';
import type { DbService } from '../db';

/** What a stand-in may use: the database (to check users, say), storage, the clock. */
export interface WxContext {
  db: DbService;
  storageRoot: string;
  now: Date;
}

/** A stand-in's answer: WeChat's JSON (`errcode` 0 or absent on success), or bytes (an image). */
export type WxAnswer = Record<string, unknown> | { binary: Buffer; contentType: string };

/** One WeChat API's stand-in. `request` is the parsed requestData (never trusted: validate it). */
export type WxHandler = (request: Record<string, unknown>, ctx: WxContext) => WxAnswer;

/** One recorded call, as `/dev/wechat` shows it. */
export interface WxCall {
  id: string;
  api: string;
  at: string;
  request: unknown;
  /** WeChat's errcode (0: accepted). */
  errcode: number;
  errmsg: string;
  /** What the call would have done (JSON answers only; images are summarised). */
  response: unknown;
}

const HANDLERS = new Map<string, WxHandler>();
const CALLS: WxCall[] = [];
const MAX_CALLS = 2000;

/** Registers the stand-in of `apiName` (e.g. `subscribeMessage.send`, `wxacode.getUnlimited`). */
export function defineWxApi(apiName: string, handler: WxHandler): void {
  HANDLERS.set(apiName, handler);
}

/** Recorded calls, oldest first (optionally of one API). */
export function wxCalls(api?: string): WxCall[] {
  return api ? CALLS.filter((c) => c.api === api) : [...CALLS];
}

/** Forgets the recorded calls (tests). */
export function clearWxCalls(): void {
  CALLS.length = 0;
}

/** WeChat's answer for a malformed request body. */
export function wxError(errcode: number, errmsg: string): Record<string, unknown> {
  return { errcode, errmsg: `${errmsg} rid: local-${randomUUID().slice(0, 8)}` };
}

function isBinary(answer: WxAnswer): answer is { binary: Buffer; contentType: string } {
  return Buffer.isBuffer((answer as { binary?: unknown }).binary);
}

function parseRequestData(raw: unknown): Record<string, unknown> | null {
  let value: unknown = raw;
  if (Buffer.isBuffer(raw)) value = raw.toString('utf8');
  if (typeof value === 'string') {
    try {
      value = value === '' ? {} : JSON.parse(value);
    } catch {
      return null;
    }
  }
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** Runs one API's stand-in and records it. */
export function callStandIn(apiName: string, requestData: unknown, ctx: WxContext): WxAnswer {
  const request = parseRequestData(requestData);
  const handler = HANDLERS.get(apiName);
  let answer: WxAnswer;
  if (!handler) answer = wxError(-1, `local stand-in: WeChat API ${apiName} is not stood in for`);
  else if (!request) answer = wxError(47001, 'data format error');
  else answer = handler(request, ctx);
  const json = isBinary(answer) ? null : answer;
  CALLS.push({
    id: randomUUID(),
    api: apiName,
    at: ctx.now.toISOString(),
    request,
    errcode: json ? Number(json.errcode ?? 0) : 0,
    errmsg: json ? String(json.errmsg ?? 'ok') : 'ok',
    response: json ?? {
      image: (answer as { contentType: string }).contentType,
      bytes: (answer as { binary: Buffer }).binary.length,
    },
  });
  if (CALLS.length > MAX_CALLS) CALLS.splice(0, CALLS.length - MAX_CALLS);
  return answer;
}

/** The HTTP answer the SDK expects for one of its `wx.*` requests. */
export interface WxHttpAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

function json(body: unknown): WxHttpAnswer {
  return { status: 200, contentType: 'application/json; charset=utf-8', body: Buffer.from(JSON.stringify(body)) };
}

/**
 * Answers an SDK request whose action is `wx.api` (JSON body, `requestData` a JSON string; the SDK
 * reads `data.responseData`), or `wx.openApi` / `wx.wxPayApi` (multipart; the SDK returns the raw
 * bytes: an image, or WeChat's JSON).
 */
export function answerWechat(params: Record<string, unknown>, ctx: WxContext): WxHttpAnswer {
  const action = String(params.action ?? '');
  const apiName = typeof params.apiName === 'string' ? params.apiName : '';
  const answer = callStandIn(apiName, params.requestData, ctx);
  if (action === 'wx.api') {
    if (isBinary(answer))
      return json({ requestId: randomUUID(), data: { responseData: answer.binary.toString('base64') } });
    return json({ requestId: randomUUID(), data: { responseData: JSON.stringify(answer) } });
  }
  if (isBinary(answer)) return { status: 200, contentType: answer.contentType, body: answer.binary };
  return json(answer);
}

/** Whether an SDK request body is one of WeChat's (`wx.api`, `wx.openApi`, `wx.wxPayApi`). */
export function isWechatAction(action: unknown): boolean {
  return action === 'wx.api' || action === 'wx.openApi' || action === 'wx.wxPayApi';
}
