import tcb from '@cloudbase/node-sdk';

/** Who is calling, as the platform says (never as the request body says). */
export interface Caller {
  openid: string;
  appid: string | null;
}

/**
 * Reads the caller from the invocation context (`WX_OPENID`). Empty for timer triggers and
 * function-to-function calls, which then act as the system.
 */
export function callerFrom(context: unknown): Caller | null {
  return invocationFrom(context).caller;
}

/** What the platform says about one invocation. */
export interface Invocation {
  caller: Caller | null;
  /** True only when CloudBase's timer trigger started this invocation (never a client, never a chained call). */
  timer: boolean;
  /**
   * Top-level event fields the platform replaced with open data (a `wx.cloud.CloudID` the page sent),
   * from the context's OPEN_DATA_INFO; see server/lib/open-data.ts.
   */
  openDataKeys: string[];
}

/**
 * The keys of OPEN_DATA_INFO: a JSON string, possibly empty, `{"keys": [...]}` naming the event
 * fields that hold open data from WeChat's back end (getWXContext docs). wx-server-sdk exposes the
 * context's `WX_`-prefixed keys without the prefix, so both spellings are read, from the context only.
 */
function openDataKeysOf(env: Record<string, unknown>): string[] {
  const raw = env.WX_OPEN_DATA_INFO ?? env.OPEN_DATA_INFO;
  if (typeof raw !== 'string' || raw === '') return [];
  try {
    const keys = (JSON.parse(raw) as { keys?: unknown } | null)?.keys;
    return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string').slice(0, 5) : [];
  } catch {
    return [];
  }
}

function platformEnv(context: unknown): Record<string, unknown> | null {
  if (!context || typeof context !== 'object') return null;
  try {
    return tcb.getCloudbaseContext(context as Parameters<typeof tcb.getCloudbaseContext>[0]) as unknown as Record<
      string,
      unknown
    >;
  } catch {
    // A context without `environment` (or a malformed one) carries no identity.
    return null;
  }
}

/**
 * Reads the invocation from the platform context. A timer run is `TCB_SOURCE` exactly `wx_trigger`
 * (a function called from a timer run has `wx_trigger,scf`) and `TRIGGER_SRC` `timer`, with no
 * user in it (see shared/PLATFORM.md); the event body never decides this.
 */
export function invocationFrom(context: unknown): Invocation {
  const env = platformEnv(context);
  if (!env) return { caller: null, timer: false, openDataKeys: [] };
  const openid = env.WX_OPENID;
  const caller =
    typeof openid === 'string' && openid.length > 0
      ? { openid, appid: typeof env.WX_APPID === 'string' ? env.WX_APPID : null }
      : null;
  const timer = caller === null && env.TCB_SOURCE === 'wx_trigger' && env.TRIGGER_SRC === 'timer';
  return { caller, timer, openDataKeys: caller ? openDataKeysOf(env) : [] };
}
