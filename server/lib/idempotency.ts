import { createHash } from 'node:crypto';
import { AppError } from '../../core/errors';
import { isDuplicateError } from './db-errors';
import type { IdempotencyDoc } from '../../typings/entities';
import type { UserContext } from './define-function';

/** How long a claimed request may stay unfinished before a retry may take it over. */
export const LEASE_MS = 30_000;

/**
 * A stable 32-hex id for what this request creates: the same caller, scope and request id always
 * give the same id, so a retried `add({ _id })` meets its first copy instead of making a second.
 */
export function requestKey(ctx: UserContext, scope: string): string {
  if (!ctx.requestId) throw new AppError('COMMON.INVALID_INPUT', '缺少请求编号，请更新小程序后重试');
  return createHash('sha256')
    .update(`${ctx.caller.openid}\u0000${scope}\u0000${ctx.requestId}`)
    .digest('hex')
    .slice(0, 32);
}

/**
 * Runs `work` at most once per (caller, scope, request id) and replays its answer to retries.
 * The first call claims the key with a conditional insert; a retry of a finished call gets the
 * stored answer; a retry while the first is still running is told to wait; a claim abandoned by a
 * crash is taken over after the lease. Work should also write with ids from `requestKey`, so even
 * a takeover after a crash cannot duplicate what the first attempt already wrote.
 */
export async function once<T>(ctx: UserContext, scope: string, work: () => Promise<T>): Promise<T> {
  const _id = requestKey(ctx, scope);
  const coll = ctx.db.collection('idempotency');
  const now = ctx.now.getTime();
  const claim: IdempotencyDoc = { _id, state: 'pending', scope, owner: ctx.invocationId, claimedAt: now };
  try {
    await coll.add(claim);
  } catch (error) {
    if (!isDuplicateError(error)) throw error;
    const existing = ((await coll.doc(_id).get()).data as IdempotencyDoc[])[0];
    if (existing?.state === 'done') return existing.result as T;
    if (!existing || now - existing.claimedAt < LEASE_MS) {
      throw new AppError('COMMON.CONFLICT', '上一次提交正在处理，请稍候查看结果');
    }
    // Abandoned: take it over only if nobody else did first.
    const taken = await coll
      .where({ _id, state: 'pending', claimedAt: existing.claimedAt })
      .update({ owner: ctx.invocationId, claimedAt: now });
    if (!taken.updated) throw new AppError('COMMON.CONFLICT', '上一次提交正在处理，请稍候查看结果');
  }
  let result: T;
  try {
    result = await work();
  } catch (error) {
    // An expected refusal is an answer too: release the key so a corrected retry can run.
    await coll.where({ _id, owner: ctx.invocationId, state: 'pending' }).remove();
    throw error;
  }
  await coll.where({ _id, owner: ctx.invocationId }).update({ state: 'done', result: result as object });
  return result;
}
