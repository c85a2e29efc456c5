/** Cloud-function test harness: a local cloud in memory, functions called in-process as a user. */
import { startLocalCloud, type LocalCloud } from '../../localcloud/app';
import { callAction } from '../../localcloud/invoke';
import type { DemoOptions } from '../../localcloud/seed/demo-community';
import { database, type Db } from '../../server/lib/cloud';
import type { ActionName, CallResult, Req, Res } from '../../typings/api';

/** A running test cloud. */
export interface TestCloud {
  cloud: LocalCloud;
  db: Db;
  /** Calls an action as `openid` (null: no identity), exactly as CloudBase would invoke it. */
  call<A extends ActionName>(
    openid: string | null,
    action: A,
    payload: Req<A>,
    requestId?: string,
  ): Promise<CallResult<A>>;
  /** Like call, but fails the test unless the answer is ok; returns the data. */
  ok<A extends ActionName>(openid: string | null, action: A, payload: Req<A>, requestId?: string): Promise<Res<A>>;
  close(): Promise<void>;
}

/** Starts an in-memory local cloud (no demo data unless asked). */
export async function startTestCloud(options: { seed?: boolean | DemoOptions } = {}): Promise<TestCloud> {
  const cloud = await startLocalCloud({ dataDir: null, port: 0, seed: options.seed ?? false });
  const call = callAction;
  return {
    cloud,
    db: database(),
    call,
    async ok(openid, action, payload, requestId) {
      const result = await call(openid, action, payload, requestId);
      if (!result.ok) throw new Error(`${action} failed: ${result.code} ${result.message}`);
      return result.data;
    },
    close: () => cloud.close(),
  };
}
