import { randomUUID } from 'node:crypto';
import { AppError } from '../../core/errors';
import type { ActionName, ActionsOf, FunctionName, Req, Res } from '../../typings/api';
import type { ApiResult } from '../../typings/errors';
import { database, type Db } from './cloud';
import { invocationFrom, type Caller } from './identity';
import { openDataFrom, type OpenDataEntry } from './open-data';
import { assertSafeInput, parseInput, type z } from './validate';

/** What every action handler is given. */
export interface CallContext {
  /** The caller as the platform says; null for anonymous, timer and function-to-function calls. */
  caller: Caller | null;
  /** Client idempotency key of this call, if it sent one. */
  requestId: string | null;
  /** The clock of this invocation (handlers never read Date.now themselves). */
  now: Date;
  db: Db;
  /** Unique id of this invocation, for logs and ids. */
  invocationId: string;
  /**
   * WeChat open data the platform put in this call (top-level fields OPEN_DATA_INFO names; never
   * the payload): read it with server/lib/open-data.ts `groupOf`. Absent for contexts made by hand
   * (sweepers, tests): no open data.
   */
  openData?: ReadonlyMap<string, OpenDataEntry>;
}

/** Context of an action that requires an identified caller. */
export interface UserContext extends CallContext {
  caller: Caller;
}

/** One action: its input schema and its handler. */
export type ActionSpec<A extends ActionName> =
  | { public: true; input: z.ZodType<Req<A>>; handle(ctx: CallContext, input: Req<A>): Promise<Res<A>> }
  | { public?: false; input: z.ZodType<Req<A>>; handle(ctx: UserContext, input: Req<A>): Promise<Res<A>> };

/** Every action a function serves, keyed by action name: a lookup table, not a switch. */
export type ActionTable<F extends FunctionName> = { [A in ActionsOf<F>]: ActionSpec<A> };

/** One capability's part of a function's action table: every action in it checked against the contract. */
export type ActionsPart<F extends FunctionName, K extends ActionsOf<F>> = { [A in K]: ActionSpec<A> };

/**
 * Declares a part of a function's action table (a capability module): each action's input and
 * handler are typed by the contract, an action the function does not have is refused; the
 * function's index spreads the parts into `defineFunction`, which refuses a table missing one.
 */
export function defineActions<F extends FunctionName, K extends ActionsOf<F>>(
  _fn: F,
  actions: ActionsPart<F, K>,
): ActionsPart<F, K> {
  return actions;
}

/** A timer trigger handler (CloudBase timer, or the local cloud's timer). */
export type TimerHandler = (ctx: CallContext) => Promise<unknown>;

/** The entry point CloudBase calls. */
export type CloudMain = (event: unknown, context: unknown) => Promise<unknown>;

/** Options of one function. */
export interface FunctionOptions {
  timers?: Record<string, TimerHandler>;
  /** Clock, injectable for tests. */
  clock?: () => Date;
}

interface TimerEvent {
  Type: string;
  TriggerName?: unknown;
}

/** Whether the event has the shape of a timer event (`Type` compared case-insensitively); who sent it is another matter. */
function isTimerEvent(event: unknown): event is TimerEvent {
  const type = event && typeof event === 'object' ? (event as TimerEvent).Type : undefined;
  return typeof type === 'string' && type.toLowerCase() === 'timer';
}

/** Looks a name up as an own key only: never `constructor`, `toString` or anything else inherited. */
function own<T>(table: Record<string, T> | undefined, key: unknown): T | undefined {
  if (!table || typeof key !== 'string' || !Object.hasOwn(table, key)) return undefined;
  return table[key];
}

/** Every action table defined so far, by function name (the fuzz suite enumerates actions and their input schemas). */
export const ACTION_TABLES = new Map<string, Readonly<Record<string, ActionSpec<ActionName>>>>();

/** Turns an action table into a cloud function `main` answering the one envelope. */
export function defineFunction<F extends FunctionName>(
  name: F,
  actions: ActionTable<F>,
  options: FunctionOptions = {},
): CloudMain {
  const clock = options.clock ?? (() => new Date());
  const table = actions as Record<string, ActionSpec<ActionName>>;
  ACTION_TABLES.set(name, table);

  return async function main(event: unknown, context: unknown): Promise<unknown> {
    const invocation = invocationFrom(context);
    const ctx: CallContext = {
      caller: invocation.caller,
      requestId: null,
      now: clock(),
      db: database(),
      invocationId: randomUUID(),
      openData: new Map(),
    };

    if (isTimerEvent(event)) {
      // Only the platform's timer may run a trigger: the event body is the client's to write.
      if (!invocation.timer) return failure(new AppError('AUTH.FORBIDDEN', '定时任务只能由平台定时触发器启动'));
      const timer = own(options.timers, event.TriggerName);
      if (typeof timer !== 'function') return failure(new AppError('COMMON.UNKNOWN_ACTION', '未知的定时任务'));
      try {
        return { ok: true, data: await timer(ctx) };
      } catch (error) {
        return failure(error, name);
      }
    }

    const body = (event && typeof event === 'object' ? event : {}) as Record<string, unknown>;
    ctx.openData = openDataFrom(body, invocation.openDataKeys);
    const action = body.action;
    const spec = own(table, action);
    if (!spec || typeof spec !== 'object' || typeof spec.handle !== 'function') {
      return failure(
        new AppError(
          'COMMON.UNKNOWN_ACTION',
          typeof action === 'string' && action.length <= 64 && /^[\w.]+$/.test(action)
            ? `不支持的操作：${action}`
            : '不支持的操作',
        ),
      );
    }
    try {
      // Before any schema: depth, prototype keys, forbidden characters, in the payload and the rest of the event.
      assertSafeInput(body.payload);
      assertSafeInput(Object.fromEntries(Object.entries(body).filter(([key]) => key !== 'payload')));
      if (body.requestId !== undefined) {
        if (typeof body.requestId !== 'string' || !/^[\w-]{8,64}$/.test(body.requestId)) {
          throw new AppError('COMMON.INVALID_INPUT', '请求编号格式不正确');
        }
        ctx.requestId = body.requestId;
      }
      const input = parseInput(spec.input, body.payload);
      if (spec.public) return ok(await spec.handle(ctx, input));
      if (!ctx.caller) throw new AppError('AUTH.NO_IDENTITY');
      return ok(await spec.handle(ctx as UserContext, input));
    } catch (error) {
      return failure(error, `${name}/${String(action)}`);
    }
  };
}

function ok<T>(data: T): ApiResult<T> {
  return { ok: true, data };
}

function failure(error: unknown, where?: string): ApiResult<never> {
  if (error instanceof AppError) return error.toFailure();
  // A bug or an infrastructure fault: log it whole, answer without internals.
  console.error(`[gridlink] ${where ?? ''} failed`, error);
  return new AppError('COMMON.INTERNAL').toFailure();
}
