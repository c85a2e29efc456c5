import { randomUUID } from 'node:crypto';
import { FUNCTIONS } from '../server/functions/registry';
import type { CloudMain } from '../server/lib/define-function';
import type { ActionName, CallResult, FunctionName, FunctionOf, Req } from '../typings/api';
import { replaceOpenData } from './open-data';

/**
 * The invocation context CloudBase gives a function, for one simulated user. Each call gets its
 * own object, so two users calling at once never see each other's identity.
 */
export function platformContext(
  functionName: string,
  openid: string | null,
  openDataKeys: readonly string[] = [],
): Record<string, unknown> {
  return contextWith(functionName, {
    WX_OPENID: openid ?? '',
    WX_APPID: openid ? 'wx-gridlink-local' : '',
    WX_UNIONID: '',
    // The top-level event fields the platform replaced with open data (see localcloud/open-data.ts).
    ...(openDataKeys.length ? { WX_OPEN_DATA_INFO: JSON.stringify({ keys: openDataKeys }) } : {}),
    WX_CONTEXT_KEYS: openDataKeys.length
      ? 'WX_OPENID,WX_APPID,WX_UNIONID,WX_OPEN_DATA_INFO'
      : 'WX_OPENID,WX_APPID,WX_UNIONID',
    // A mini-program call; anonymous HTTP calls are HTTP access. Never the timer.
    TCB_SOURCE: openid ? 'wx_client' : 'http',
    TCB_CONTEXT_KEYS: 'TCB_SOURCE',
  });
}

/** The invocation context CloudBase gives a function its timer trigger runs: no user, source `wx_trigger`, `TRIGGER_SRC` timer. */
export function timerContext(functionName: string): Record<string, unknown> {
  return contextWith(functionName, {
    WX_OPENID: '',
    WX_APPID: '',
    WX_UNIONID: '',
    TCB_SOURCE: 'wx_trigger',
    TRIGGER_SRC: 'timer',
    TCB_CONTEXT_KEYS: 'TCB_SOURCE,TRIGGER_SRC',
  });
}

/** Runs a function's timer trigger as CloudBase's timer would (the only way a trigger runs). */
export function runTimer(fn: FunctionName, trigger: string): Promise<unknown> {
  if (!Object.hasOwn(FUNCTIONS, fn))
    return Promise.resolve({ ok: false, code: 'COMMON.UNKNOWN_ACTION', message: `没有这个云函数：${fn}` });
  const event = { Type: 'Timer', TriggerName: trigger, Time: new Date().toISOString(), Message: '' };
  return FUNCTIONS[fn](event, timerContext(fn));
}

function contextWith(functionName: string, environment: Record<string, string>): Record<string, unknown> {
  return {
    request_id: randomUUID(),
    memory_limit_in_mb: 256,
    time_limit_in_ms: 20_000,
    function_version: '$LATEST',
    function_name: functionName,
    namespace: 'gridlink-local',
    environment: JSON.stringify(environment),
  };
}

/**
 * Calls a function's `main` as CloudBase would, as the given user (null: anonymous or timer):
 * top-level `wx.cloud.CloudID`s (`{cloudID}`) are replaced with their open data and named in the
 * context, as the platform does.
 */
export function invokeFunction(name: string, main: CloudMain, event: unknown, openid: string | null): Promise<unknown> {
  // A fresh copy: a function must never keep a reference to the caller's object.
  const copy: unknown = JSON.parse(JSON.stringify(event ?? {}));
  const keys = replaceOpenData(copy, openid);
  return main(copy, platformContext(name, openid, keys));
}

/** Calls one typed action of the app as a user, the way the mini-program's service layer does. */
export async function callAction<A extends ActionName>(
  openid: string | null,
  action: A,
  payload: Req<A>,
  requestId?: string,
): Promise<CallResult<A>> {
  const name = action.split('.')[0] as FunctionOf<A>;
  if (!Object.hasOwn(FUNCTIONS, name))
    return { ok: false, code: 'COMMON.UNKNOWN_ACTION', message: `不支持的操作：${action}` } as CallResult<A>;
  return (await invokeFunction(name, FUNCTIONS[name], { action, payload, requestId }, openid)) as CallResult<A>;
}
