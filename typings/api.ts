import type { ApiResult } from './errors';
import type {
  CommonActions,
  HouseholdActions,
  GridActions,
  OrderActions,
  TestingActions,
  VolunteerActions,
  OrgActions,
  DispatchActions,
  PrivacyActions,
  PaymentActions,
  SettlementActions,
} from './api/index';

/**
 * The contract of every cloud-function action: `'<function>.<verb>'` → request and response.
 * Pages (service layer) and cloud functions (routers) are both typed by this one map. Each domain
 * declares its actions and views in typings/api/<domain>.ts; this file joins them.
 */
export interface Actions
  extends
    CommonActions,
    HouseholdActions,
    GridActions,
    OrderActions,
    TestingActions,
    VolunteerActions,
    OrgActions,
    DispatchActions,
    PrivacyActions,
    PaymentActions,
    SettlementActions {}

/** Every action name. */
export type ActionName = keyof Actions;

/** The cloud function that serves an action: the part before the dot. */
export type FunctionOf<A extends ActionName> = A extends `${infer F}.${string}` ? F : never;

/**
 * Every cloud function name: those serving actions, and `payment`, WeChat Pay's callback (issue 19:
 * CloudBase calls it with the platform's notification, never a page's CallEvent; it has no actions).
 */
export type FunctionName = FunctionOf<ActionName> | CallbackFunctionName;

/** Functions the platform calls with its own events (no client actions). */
export type CallbackFunctionName = 'payment';

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
  /**
   * Open data: the page sends `wx.cloud.CloudID(id)` (locally `{cloudID}`), and only the platform
   * replaces it with the data, naming the field in the context (server/lib/open-data.ts).
   */
  group?: unknown;
}

/** What a page gets back. */
export type CallResult<A extends ActionName> = ApiResult<Res<A>>;

export type * from './api/index';
export type { ApiResult, ApiFailure, ApiSuccess, ErrorCode, FieldIssue } from './errors';
