import type { ApiResult } from './errors';
import type { Me } from './entities';

/**
 * The contract of every cloud-function action: `'<function>.<verb>'` → request and response.
 * Pages (service layer) and cloud functions (routers) are both typed by this one map.
 */
export interface Actions {
  'system.health': { req: Record<string, never>; res: HealthInfo };
  'user.me': { req: Record<string, never>; res: Me };
}

/** Liveness answer of the system function. */
export interface HealthInfo {
  status: 'ok';
  /** Current China time, ISO 8601 with +08:00. */
  now: string;
  runtime: 'cloudbase' | 'local';
}

/** Every action name. */
export type ActionName = keyof Actions;
/** The cloud function that serves an action: the part before the dot. */
export type FunctionOf<A extends ActionName> = A extends `${infer F}.${string}` ? F : never;
/** Every cloud function name. */
export type FunctionName = FunctionOf<ActionName>;
/** Actions served by one function. */
export type ActionsOf<F extends FunctionName> = Extract<ActionName, `${F}.${string}`>;
/** Request payload of an action. */
export type Req<A extends ActionName> = Actions[A]['req'];
/** Response data of an action. */
export type Res<A extends ActionName> = Actions[A]['res'];

/** The event a page sends to a cloud function. */
export interface CallEvent<A extends ActionName = ActionName> {
  action: A;
  payload: Req<A>;
  /** Client-generated id that makes a retried write idempotent. */
  requestId?: string;
}

/** What a page gets back. */
export type CallResult<A extends ActionName> = ApiResult<Res<A>>;

export type { ApiResult, ApiFailure, ApiSuccess, ErrorCode, FieldIssue } from './errors';
