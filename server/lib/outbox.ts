/**
 * Subscribe messages go through an outbox: a status change writes its messages (one request for
 * all of them) next to the change, and the `order` function's every-minute timer sends them
 * through WeChat (`subscribeMessage.send`; in the local cloud, through its stand-in, which
 * validates them as WeChat does). Each message shows where it is:
 *
 *   queued → sending → sent
 *                    ↘ retrying (next try at nextAttemptAt) → sending …
 *                    ↘ failed (reason)
 *
 * - Claim: a drain takes a message with a conditional update (its status and attempt count as read),
 *   so two drains never both send it; a drain that died mid-send loses its claim after a lease.
 * - Grant: one of the user's one-time grants (users.subscriptions.<kind>) is moved to
 *   users.subscriptionsHeld.<kind> before sending (only if one is left: no grant, no send). WeChat
 *   accepting spends it; a refusal for good gives it back (but 43101: WeChat says the user has none);
 *   a retry keeps holding it. So a grant is used up only by a message that went out. Messages that
 *   cannot go out (no grant left, template not configured) fail without a claim or a WeChat call.
 * - WeChat's answer: the SDK answers `{errcode}` rather than throwing (server/lib/wechat.ts).
 *   Transient errors (system busy, rate limits, credentials, transport) are retried with
 *   exponential backoff up to MAX_ATTEMPTS; the rest (user refused or no grant left, bad data, bad
 *   template, bad openid, bad page) fail at once with the reason.
 */
import { randomUUID } from 'node:crypto';
import { chinaDay, chinaWallClock } from '../../core/time';
import { ORDER_STATUS_TEXT } from '../../core/order/labels';
import type { OrderKind, OrderLine, OrderStatus, OutboxDoc, UserDoc } from '../../typings/entities';
import type { SubscribeTemplate } from '../../typings/values';
import type { CallContext } from './define-function';
import {
  mpState,
  ORDER_STATUS_PHRASE,
  orderTitle,
  templateConfig,
  templateData,
  type OutgoingMessage,
} from './messages';
import { callWx, WX_TRANSPORT_ERROR } from './wechat';

export type { OutgoingMessage } from './messages';

/** Sends tried before a message fails for good. */
export const MAX_ATTEMPTS = 8;
/** First retry after this long; each next one waits twice as long, up to BACKOFF_CAP_MS. */
export const BACKOFF_BASE_MS = 60_000;
export const BACKOFF_CAP_MS = 60 * 60_000;
/** A drain's claim on a message it is sending; after this another drain may take it over. */
export const SENDING_LEASE_MS = 5 * 60_000;
/** Messages sent at once by one drain. */
const PARALLEL = 10;

/** WeChat's errcodes worth another try (and why), from subscribeMessage.send and the common codes. */
const TRANSIENT: Record<number, string> = {
  [-1]: '微信系统繁忙',
  45009: '今日调用次数已达上限',
  45011: '调用太频繁',
  45047: '发送次数超过上限',
  40001: '调用凭证无效',
  40014: '调用凭证无效',
  42001: '调用凭证已过期',
  [WX_TRANSPORT_ERROR]: '云调用或网络出错',
};

/** WeChat's errcodes that will not change by trying again. */
const PERMANENT: Record<number, string> = {
  43101: '用户拒收：未订阅、订阅次数已用完或已关闭通知',
  47003: '消息内容不符合模板规则',
  47001: '请求格式不对',
  40037: '模板 ID 不对（检查环境变量 GRIDLINK_TPL_*）',
  40003: '接收者 openid 不对',
  41030: '跳转页面不存在（须是已发布版本 app.json 中的页面）',
};

/** The order-status message for each member of a household, opening the order's detail page. */
export function orderStatusMessages(
  openids: readonly string[],
  order: { id: string; lines: readonly Pick<OrderLine, 'name'>[]; kind?: OrderKind | string; communityId?: string },
  status: OrderStatus,
  note = '',
): OutgoingMessage[] {
  return openids.map((openid) => ({
    openid,
    template: 'orderStatus' as const,
    page: `pages/resident/order-detail/index?id=${order.id}`,
    data: { order: orderTitle(order), status: ORDER_STATUS_PHRASE[status], note: note || ORDER_STATUS_TEXT[status] },
    ...(order.communityId ? { communityId: order.communityId } : {}),
  }));
}

/** The communities of users (those not found are left out). */
async function communitiesOf(ctx: CallContext, openids: readonly string[]): Promise<Map<string, string | null>> {
  const _ = ctx.db.command;
  const out = new Map<string, string | null>();
  const ids = [...new Set(openids)];
  for (let i = 0; i < ids.length; i += 500) {
    const res = await ctx.db
      .collection('users')
      .where({ _id: _.in(ids.slice(i, i + 500)) })
      .field({ _id: true, communityId: true })
      .limit(500)
      .get();
    for (const u of res.data as Pick<UserDoc, '_id' | 'communityId'>[]) out.set(u._id, u.communityId ?? null);
  }
  return out;
}

/** Queues messages (one database request, plus one to find the recipients' community when not given). */
export async function enqueue(ctx: CallContext, messages: readonly OutgoingMessage[]): Promise<void> {
  if (messages.length === 0) return;
  const createdAt = ctx.now.toISOString();
  const unknown = messages.filter((m) => m.communityId === undefined).map((m) => m.openid);
  const communities = unknown.length ? await communitiesOf(ctx, unknown) : new Map<string, string | null>();
  const docs: Omit<OutboxDoc, '_id'>[] = messages.map((m) => ({
    openid: m.openid,
    template: m.template,
    page: m.page,
    data: Object.fromEntries(
      Object.entries(m.data as Record<string, string | undefined>).filter(
        (e): e is [string, string] => typeof e[1] === 'string',
      ),
    ),
    communityId: m.communityId !== undefined ? m.communityId : (communities.get(m.openid) ?? null),
    createdAt,
    status: 'queued',
    attempts: 0,
    nextAttemptAt: createdAt,
    claim: null,
    claimedAt: null,
    grantHeld: false,
    sentAt: null,
    error: null,
    errcode: null,
  }));
  await ctx.db.collection('outbox').add(docs);
}

/** How long before the next try after `attempts` tries (1 min, 2, 4, … up to an hour). */
export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

/** When to try again: the backoff, or (daily quota used up) not before the next China day. */
export function nextAttempt(now: Date, attempts: number, errcode: number): Date {
  const after = new Date(now.getTime() + backoffMs(attempts));
  if (errcode !== 45009) return after;
  const tomorrow = chinaWallClock(chinaDay(new Date(now.getTime() + 24 * 3600_000)), '00:05');
  return tomorrow > after ? tomorrow : after;
}

/** What one message's try came to. */
type Outcome = 'sent' | 'retried' | 'failed' | 'lost';

/** What a drain did: sent, left for another try, given up for good (`skipped`: failed, reason recorded). */
export interface DrainResult {
  sent: number;
  retried: number;
  skipped: number;
}

const clip = (s: string) => s.slice(0, 200);

/**
 * Sends the messages that are due (queued, retrying past their time, or stuck in `sending` past
 * the lease), at most `batch` of them; safe to run in several drains at once. The recipients'
 * grants are read once for the batch, so a message that cannot go out (no grant, no template)
 * costs one conditional write and never reaches WeChat.
 */
export async function drainOutbox(ctx: CallContext, batch = 200): Promise<DrainResult> {
  const _ = ctx.db.command;
  const now = ctx.now.toISOString();
  const stale = new Date(ctx.now.getTime() - SENDING_LEASE_MS).toISOString();
  const due = (
    await ctx.db
      .collection('outbox')
      .where(
        _.or([
          { status: _.in(['queued', 'retrying']), nextAttemptAt: _.lte(now) },
          { status: 'sending', claimedAt: _.lt(stale) },
        ]),
      )
      .orderBy('nextAttemptAt', 'asc')
      .limit(batch)
      .get()
  ).data as OutboxDoc[];
  const users = await grantsOf(
    ctx,
    due.map((m) => m.openid),
  );
  const result: DrainResult = { sent: 0, retried: 0, skipped: 0 };
  for (let i = 0; i < due.length; i += PARALLEL) {
    const outcomes = await Promise.all(due.slice(i, i + PARALLEL).map((msg) => tryOne(ctx, msg, users)));
    for (const o of outcomes) {
      if (o === 'sent') result.sent += 1;
      else if (o === 'retried') result.retried += 1;
      else if (o === 'failed') result.skipped += 1;
    }
  }
  return result;
}

type Grants = Pick<UserDoc, '_id' | 'subscriptions' | 'subscriptionsHeld'>;

/** The recipients' grants, read once per batch (a snapshot: reserving a grant checks again). */
async function grantsOf(ctx: CallContext, openids: readonly string[]): Promise<Map<string, Grants>> {
  const _ = ctx.db.command;
  const ids = [...new Set(openids)];
  const out = new Map<string, Grants>();
  for (let i = 0; i < ids.length; i += 500) {
    const res = await ctx.db
      .collection('users')
      .where({ _id: _.in(ids.slice(i, i + 500)) })
      .field({ _id: true, subscriptions: true, subscriptionsHeld: true })
      .limit(500)
      .get();
    for (const u of res.data as Grants[]) out.set(u._id, u);
  }
  return out;
}

/** Why a message cannot go out, known before claiming it (no grant is held for it yet); null: try it. */
function hopeless(msg: OutboxDoc, users: Map<string, Grants>): string | null {
  if (msg.grantHeld) return null;
  const config = templateConfig(msg.template);
  if (!config.templateId) return `未配置模板 ID（环境变量 GRIDLINK_TPL_*，${msg.template}）`;
  const built = templateData(config, msg.data, msg.createdAt);
  if (!built.ok) return built.reason;
  const user = users.get(msg.openid);
  if (!user) return '接收者已不是小程序用户';
  const left = (user.subscriptions?.[msg.template] ?? 0) + (user.subscriptionsHeld?.[msg.template] ?? 0);
  return left > 0 ? null : '用户未订阅此消息或订阅次数已用完';
}

/** One message: failed in one conditional write when it cannot go out, else claimed and sent. */
async function tryOne(ctx: CallContext, msg: OutboxDoc, users: Map<string, Grants>): Promise<Outcome> {
  const reason = hopeless(msg, users);
  if (reason === null) return sendOne(ctx, msg);
  const res = await ctx.db
    .collection('outbox')
    .where(claimWhere(msg))
    .update({ status: 'failed', error: clip(reason), errcode: null, claim: null, claimedAt: null });
  return res.updated ? 'failed' : 'lost';
}

/** The message as this drain read it (another drain that took or changed it since makes this match nothing). */
function claimWhere(msg: OutboxDoc): Record<string, unknown> {
  return msg.status === 'sending'
    ? { _id: msg._id, status: 'sending', claim: msg.claim }
    : { _id: msg._id, status: msg.status, attempts: msg.attempts };
}

/** Takes the message for this drain; null when another drain has it (or it changed since read). */
async function claim(ctx: CallContext, msg: OutboxDoc): Promise<OutboxDoc | null> {
  const patch = {
    status: 'sending' as const,
    claim: randomUUID(),
    claimedAt: ctx.now.toISOString(),
    attempts: msg.attempts + 1,
  };
  const res = await ctx.db.collection('outbox').where(claimWhere(msg)).update(patch);
  return res.updated ? { ...msg, ...patch } : null;
}

/** Writes the message's new state, only while this drain still holds it. */
async function settle(ctx: CallContext, msg: OutboxDoc, patch: Partial<OutboxDoc>): Promise<boolean> {
  const res = await ctx.db
    .collection('outbox')
    .where({ _id: msg._id, claim: msg.claim })
    .update({ claim: null, claimedAt: null, ...patch });
  return res.updated > 0;
}

const grantField = (kind: SubscribeTemplate) => `subscriptions.${kind}`;
const heldField = (kind: SubscribeTemplate) => `subscriptionsHeld.${kind}`;

/** Moves one grant to held; or says why not: the user is gone, or holds none (another message may have it). */
async function reserveGrant(ctx: CallContext, msg: OutboxDoc): Promise<'held' | 'gone' | 'none' | 'busy'> {
  const _ = ctx.db.command;
  const users = ctx.db.collection('users');
  const res = await users
    .where({ _id: msg.openid, [grantField(msg.template)]: _.gt(0) })
    .update({ [grantField(msg.template)]: _.inc(-1), [heldField(msg.template)]: _.inc(1) });
  if (res.updated) return 'held';
  const user = (await users.where({ _id: msg.openid }).limit(1).get()).data[0] as UserDoc | undefined;
  if (!user) return 'gone';
  return (user.subscriptionsHeld?.[msg.template] ?? 0) > 0 ? 'busy' : 'none';
}

/** Ends the hold: spent (WeChat took the message, or says there is no grant), or given back. */
async function releaseGrant(ctx: CallContext, msg: OutboxDoc, giveBack: boolean): Promise<void> {
  const _ = ctx.db.command;
  await ctx.db
    .collection('users')
    .where({ _id: msg.openid, [heldField(msg.template)]: _.gt(0) })
    .update({
      [heldField(msg.template)]: _.inc(-1),
      ...(giveBack ? { [grantField(msg.template)]: _.inc(1) } : {}),
    });
}

/** Fails the message for good with a reason (giving back a held grant unless WeChat says there is none). */
async function fail(
  ctx: CallContext,
  msg: OutboxDoc,
  reason: string,
  errcode: number | null,
  giveBack = true,
): Promise<Outcome> {
  const ok = await settle(ctx, msg, { status: 'failed', error: clip(reason), errcode, grantHeld: false });
  if (ok && msg.grantHeld) await releaseGrant(ctx, msg, giveBack);
  return ok ? 'failed' : 'lost';
}

/** Tries one message: claim, hold a grant, send, and record what WeChat said. */
async function sendOne(ctx: CallContext, read: OutboxDoc): Promise<Outcome> {
  let msg = await claim(ctx, read);
  if (!msg) return 'lost';
  const config = templateConfig(msg.template);
  if (!config.templateId) return fail(ctx, msg, `未配置模板 ID（环境变量 GRIDLINK_TPL_*，${msg.template}）`, null);
  const built = templateData(config, msg.data, msg.createdAt);
  if (!built.ok) return fail(ctx, msg, built.reason, null);

  if (!msg.grantHeld) {
    const grant = await reserveGrant(ctx, msg);
    if (grant === 'gone') return fail(ctx, msg, '接收者已不是小程序用户', null);
    if (grant === 'none') return fail(ctx, msg, '用户未订阅此消息或订阅次数已用完', null);
    if (grant === 'busy') {
      // Another message holds the user's grant: it may come back if that one fails.
      const ok = await settle(ctx, msg, {
        status: 'retrying',
        nextAttemptAt: nextAttempt(ctx.now, msg.attempts, 0).toISOString(),
        error: '等待用户的订阅次数（另一条消息正在使用）',
        errcode: null,
      });
      return ok ? 'retried' : 'lost';
    }
    // Recorded before sending: a drain taking over after a crash knows the grant is already held.
    const held = { ...msg, grantHeld: true };
    const marked = await ctx.db
      .collection('outbox')
      .where({ _id: msg._id, claim: msg.claim })
      .update({ grantHeld: true });
    if (!marked.updated) {
      await releaseGrant(ctx, held, true);
      return 'lost';
    }
    msg = held;
  }

  const answer = await callWx('subscribeMessage.send', {
    touser: msg.openid,
    template_id: config.templateId,
    page: msg.page,
    data: built.data,
    miniprogram_state: mpState(),
    lang: 'zh_CN',
  });
  const { errcode, errmsg } = answer;
  if (errcode === 0) {
    await settle(ctx, msg, {
      status: 'sent',
      sentAt: ctx.now.toISOString(),
      error: null,
      errcode: 0,
      grantHeld: false,
    });
    await releaseGrant(ctx, msg, false);
    return 'sent';
  }
  const detail = `（${errcode}：${errmsg}）`;
  const transient = Object.hasOwn(TRANSIENT, errcode) || !Object.hasOwn(PERMANENT, errcode);
  if (!transient) return fail(ctx, msg, `${PERMANENT[errcode]}${detail}`, errcode, errcode !== 43101);
  const why = TRANSIENT[errcode] ?? '微信返回未知错误';
  if (msg.attempts >= MAX_ATTEMPTS) return fail(ctx, msg, `重试 ${msg.attempts} 次仍未成功：${why}${detail}`, errcode);
  const ok = await settle(ctx, msg, {
    status: 'retrying',
    nextAttemptAt: nextAttempt(ctx.now, msg.attempts, errcode).toISOString(),
    error: clip(`${why}${detail}`),
    errcode,
  });
  return ok ? 'retried' : 'lost';
}
