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
  if (!context || typeof context !== 'object') return null;
  let env: Record<string, unknown>;
  try {
    env = tcb.getCloudbaseContext(context as Parameters<typeof tcb.getCloudbaseContext>[0]) as unknown as Record<string, unknown>;
  } catch {
    // A context without `environment` (or a malformed one) carries no identity.
    return null;
  }
  const openid = env.WX_OPENID;
  if (typeof openid !== 'string' || openid.length === 0) return null;
  return { openid, appid: typeof env.WX_APPID === 'string' ? env.WX_APPID : null };
}
