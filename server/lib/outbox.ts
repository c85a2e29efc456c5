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
 * - Claim: a drain takes its batch with one conditional update of all of them (still due, stamped
 *   with its claim token) and reads back what it holds, so two drains never both send a message; a
 *   drain that died after its claim loses it after a lease. Every later write of the batch is one
 *   request per group (`_id in [...]`, only while the claim holds): see drainOutbox.
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

/** What a drain did: sent, left for another try, given up for good (`skipped`: failed, reason recorded). */
export interface DrainResult {
  sent: number;
  retried: number;
  skipped: number;
}

const clip = (s: string) => s.slice(0, 200);

type Grants = Pick<UserDoc, '_id' | 'subscriptions' | 'subscriptionsHeld' | 'grantHolds'>;
type Patch = Record<string, unknown>;

/** Messages due now: queued, retrying past their time, or `sending` under a claim older than the lease. */
function dueWhere(ctx: CallContext): object {
  const _ = ctx.db.command;
  const now = ctx.now.toISOString();
  const stale = new Date(ctx.now.getTime() - SENDING_LEASE_MS).toISOString();
  return _.or([
    { status: _.in(['queued', 'retrying']), nextAttemptAt: _.lte(now) },
    { status: 'sending', claimedAt: _.lt(stale) },
  ]);
}

/** Groups items by a key (insertion order kept). */
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}

/** Documents are updated in groups of at most this many ids (one request each). */
const IDS_PER_WRITE = 500;

/**
 * One conditional update per group of messages that get the same patch (`_id in [...]`, only while
 * this drain's claim holds), so a batch costs a few requests whatever its size. The claim token
 * stays on a settled message (only its lease ends), so when a group changed fewer than asked (a
 * drain that outlived its lease) one read tells which were this drain's. Answers those.
 */
async function settleGroups(
  ctx: CallContext,
  token: string,
  items: ReadonlyArray<{ id: string; patch: Patch }>,
): Promise<Set<string>> {
  const _ = ctx.db.command;
  const settled = new Set<string>();
  for (const group of groupBy(items, (i) => JSON.stringify(i.patch)).values()) {
    const patch = group[0]?.patch ?? {};
    for (let i = 0; i < group.length; i += IDS_PER_WRITE) {
      const ids = group.slice(i, i + IDS_PER_WRITE).map((g) => g.id);
      const res = await ctx.db
        .collection('outbox')
        .where({ _id: _.in(ids), status: 'sending', claim: token })
        .update({ claimedAt: null, ...patch });
      if (res.updated === ids.length) {
        for (const id of ids) settled.add(id);
        continue;
      }
      const docs = (
        await ctx.db
          .collection('outbox')
          .where({ _id: _.in(ids), claim: token, status: patch.status })
          .field({ _id: true })
          .limit(ids.length)
          .get()
      ).data as Array<Pick<OutboxDoc, '_id'>>;
      for (const d of docs) settled.add(d._id);
    }
  }
  return settled;
}

/**
 * Sends the messages that are due (queued, retrying past their time, or stuck in `sending` past
 * the lease), at most `batch` of them; safe to run in several drains at once. A batch costs a
 * handful of requests whatever its size:
 *
 * 1. read the due messages (one query) and their recipients' grants (one query per 500 users);
 * 2. messages that cannot go out (no grant left, template not configured or its data refused)
 *    fail without a claim or a WeChat call: one conditional update per reason;
 * 3. claim the rest at once: one conditional update of all of them (`_id in [...]` and still due)
 *    that stamps this drain's claim token and the lease's start, then one query reads back what
 *    this drain holds — a message another drain took in between is not due any more and is left
 *    to it, so two drains never send the same message;
 * 4. hold one grant per message that holds none yet: one conditional update per (template, how
 *    many) group of users, recorded on the messages (one update) before sending;
 * 5. send, then settle: one update per outcome (`_id in [...]`, only while the claim holds), and
 *    the grants spent or given back: one update per (template, how many, spent or back) group.
 *
 * A drain that dies anywhere after the claim leaves its messages `sending`: after the lease
 * another drain takes them over, a grant recorded as held is not taken again.
 */
export async function drainOutbox(ctx: CallContext, batch = 200): Promise<DrainResult> {
  const _ = ctx.db.command;
  const outbox = ctx.db.collection('outbox');
  const result: DrainResult = { sent: 0, retried: 0, skipped: 0 };
  const due = (await outbox.where(dueWhere(ctx)).orderBy('nextAttemptAt', 'asc').limit(batch).get())
    .data as OutboxDoc[];
  if (due.length === 0) return result;
  const users = await grantsOf(
    ctx,
    due.map((m) => m.openid),
  );

  // 2. Hopeless ones: failed by reason, with no grant held (a grant held since makes them not match).
  const hopelessByReason = new Map<string, string[]>();
  const sendable: string[] = [];
  for (const msg of due) {
    const reason = hopeless(msg, users);
    if (reason === null) sendable.push(msg._id);
    else hopelessByReason.set(reason, [...(hopelessByReason.get(reason) ?? []), msg._id]);
  }
  for (const [reason, ids] of hopelessByReason) {
    const res = await outbox
      .where(_.and([{ _id: _.in(ids), grantHeld: false }, dueWhere(ctx)]))
      .update({ status: 'failed', error: clip(reason), errcode: null, claim: null, claimedAt: null });
    result.skipped += res.updated;
  }
  if (sendable.length === 0) return result;

  // 3. The claim: all at once, then what this drain holds read back.
  const token = randomUUID();
  const claimed = await outbox
    .where(_.and([{ _id: _.in(sendable) }, dueWhere(ctx)]))
    .update({ status: 'sending', claim: token, claimedAt: ctx.now.toISOString(), attempts: _.inc(1) });
  if (!claimed.updated) return result;
  const mine = (
    await outbox
      .where({ _id: _.in(sendable), claim: token })
      .limit(batch)
      .get()
  ).data as OutboxDoc[];

  // 4. Grants held for those holding none; the others wait (another message holds one) or fail.
  const settles: Array<{ id: string; patch: Patch; outcome: Answer['outcome'] }> = [];
  const toSend: OutboxDoc[] = [];
  const needing = mine.filter((m) => !m.grantHeld);
  const held = await holdGrants(ctx, token, needing, users);
  for (const msg of needing) {
    const verdict = held.get(msg._id) ?? 'none';
    if (verdict === 'held') continue;
    if (verdict === 'busy') {
      settles.push({
        id: msg._id,
        patch: {
          status: 'retrying',
          nextAttemptAt: nextAttempt(ctx.now, msg.attempts, 0).toISOString(),
          error: '等待用户的订阅次数（另一条消息正在使用）',
          errcode: null,
        },
        outcome: 'retried',
      });
    } else {
      const why = verdict === 'gone' ? '接收者已不是小程序用户' : '用户未订阅此消息或订阅次数已用完';
      settles.push({ id: msg._id, patch: { status: 'failed', error: why, errcode: null }, outcome: 'failed' });
    }
  }
  const newlyHeld = needing.filter((m) => held.get(m._id) === 'held');
  if (newlyHeld.length) {
    // Recorded before sending: a drain taking over after a crash knows the grant is already held.
    let marked = 0;
    for (let i = 0; i < newlyHeld.length; i += IDS_PER_WRITE) {
      const res = await outbox
        .where({ _id: _.in(newlyHeld.slice(i, i + IDS_PER_WRITE).map((m) => m._id)), claim: token })
        .update({ grantHeld: true });
      marked += res.updated;
    }
    if (marked !== newlyHeld.length) {
      // Only a drain that outlived its lease gets here: nothing is sent; holds not recorded on their
      // message go back, those recorded stay with the message for whoever takes it over.
      const recorded = new Set(
        (
          (
            await outbox
              .where({ _id: _.in(newlyHeld.map((m) => m._id)), grantHeld: true })
              .field({ _id: true })
              .limit(newlyHeld.length)
              .get()
          ).data as Array<Pick<OutboxDoc, '_id'>>
        ).map((d) => d._id),
      );
      await releaseGrants(
        ctx,
        token,
        newlyHeld.filter((m) => !recorded.has(m._id)),
        [],
        newlyHeld,
      );
      return { sent: 0, retried: 0, skipped: result.skipped };
    }
  }
  toSend.push(...mine.filter((m) => m.grantHeld), ...newlyHeld.map((m) => ({ ...m, grantHeld: true })));

  // 5. Send, then settle by outcome and spend or give back the grants.
  const spent: OutboxDoc[] = [];
  const givenBack: OutboxDoc[] = [];
  const lostHold: OutboxDoc[] = [];
  for (let i = 0; i < toSend.length; i += PARALLEL) {
    const answers = await Promise.all(toSend.slice(i, i + PARALLEL).map((msg) => sendOne(ctx, msg)));
    for (const [k, answer] of answers.entries()) {
      const msg = toSend[i + k] as OutboxDoc;
      settles.push({ id: msg._id, patch: answer.patch, outcome: answer.outcome });
      if (answer.grant === 'spend') spent.push(msg);
      else if (answer.grant === 'giveBack') givenBack.push(msg);
      else if (answer.grant === 'lost') lostHold.push(msg);
    }
  }
  const settled = await settleGroups(ctx, token, settles);
  // A grant moves only with its message's settlement (one taken over after the lease keeps it held).
  const mineNow = (list: OutboxDoc[]) => list.filter((m) => settled.has(m._id));
  await releaseGrants(ctx, token, mineNow(givenBack), mineNow([...spent, ...lostHold]), newlyHeld);
  for (const s of settles) {
    if (!settled.has(s.id)) continue;
    if (s.outcome === 'sent') result.sent += 1;
    else if (s.outcome === 'retried') result.retried += 1;
    else result.skipped += 1;
  }
  return result;
}

/** The recipients' grants, read once per batch (a snapshot: holding a grant checks again). */
async function grantsOf(ctx: CallContext, openids: readonly string[]): Promise<Map<string, Grants>> {
  const _ = ctx.db.command;
  const ids = [...new Set(openids)];
  const out = new Map<string, Grants>();
  for (let i = 0; i < ids.length; i += 500) {
    const res = await ctx.db
      .collection('users')
      .where({ _id: _.in(ids.slice(i, i + 500)) })
      .field({ _id: true, subscriptions: true, subscriptionsHeld: true, grantHolds: true })
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

const grantField = (kind: SubscribeTemplate) => `subscriptions.${kind}`;
const heldField = (kind: SubscribeTemplate) => `subscriptionsHeld.${kind}`;
/** The mark a drain leaves on a user whose grants it moved (users.grantHolds.<token>_<kind>). */
const holdKey = (token: string, kind: SubscribeTemplate) => `${token}_${kind}`;

type HoldVerdict = 'held' | 'busy' | 'none' | 'gone';

/**
 * Moves one grant to held for each message, per user and template: as many as the snapshot says
 * are left (the rest wait if the user holds some, else fail), in one conditional update per
 * (template, how many) group of users. Each update also marks the users it changed with this
 * drain's token, so when a group changed fewer users than asked (their grants changed since the
 * snapshot) one read tells which did; the mark is taken off when the grants are spent or given back.
 */
async function holdGrants(
  ctx: CallContext,
  token: string,
  msgs: readonly OutboxDoc[],
  users: Map<string, Grants>,
): Promise<Map<string, HoldVerdict>> {
  const _ = ctx.db.command;
  const verdict = new Map<string, HoldVerdict>();
  // Per user and template: how many to hold (what the snapshot says is left) and which messages.
  const wants = new Map<string, { openid: string; kind: SubscribeTemplate; take: OutboxDoc[]; wait: OutboxDoc[] }>();
  for (const msg of msgs) {
    const user = users.get(msg.openid);
    if (!user) {
      verdict.set(msg._id, 'gone');
      continue;
    }
    const key = `${msg.openid}\u0000${msg.template}`;
    const w = wants.get(key) ?? { openid: msg.openid, kind: msg.template, take: [], wait: [] };
    wants.set(key, w);
    if (w.take.length < (user.subscriptions?.[msg.template] ?? 0)) w.take.push(msg);
    else w.wait.push(msg);
  }
  const afterTaking = (w: { take: OutboxDoc[]; wait: OutboxDoc[] }, heldNow: number, took: boolean) => {
    for (const m of w.take) verdict.set(m._id, took ? 'held' : heldNow > 0 ? 'busy' : 'none');
    const holding = heldNow + (took ? w.take.length : 0);
    for (const m of w.wait) verdict.set(m._id, holding > 0 ? 'busy' : 'none');
  };
  const groups = groupBy([...wants.values()], (w) => `${w.kind}\u0000${w.take.length}`);
  for (const group of groups.values()) {
    const first = group[0];
    if (!first) continue;
    const n = first.take.length;
    if (n === 0) {
      for (const w of group) afterTaking(w, users.get(w.openid)?.subscriptionsHeld?.[w.kind] ?? 0, false);
      continue;
    }
    const ids = group.map((w) => w.openid);
    const key = holdKey(token, first.kind);
    const res = await ctx.db
      .collection('users')
      .where({ _id: _.in(ids), [grantField(first.kind)]: _.gte(n) })
      .update({
        [grantField(first.kind)]: _.inc(-n),
        [heldField(first.kind)]: _.inc(n),
        [`grantHolds.${key}`]: ctx.now.toISOString(),
      });
    if (res.updated === ids.length) {
      for (const w of group) afterTaking(w, 0, true);
      continue;
    }
    // Fewer changed than asked: the mark says which.
    const now = (
      await ctx.db
        .collection('users')
        .where({ _id: _.in(ids) })
        .field({ _id: true, subscriptionsHeld: true, grantHolds: true })
        .limit(ids.length)
        .get()
    ).data as Grants[];
    const byId = new Map(now.map((u) => [u._id, u]));
    for (const w of group) {
      const u = byId.get(w.openid);
      const took = Boolean(u?.grantHolds?.[key]);
      afterTaking(w, took ? 0 : (u?.subscriptionsHeld?.[w.kind] ?? 0), took);
    }
  }
  return verdict;
}

/**
 * Ends holds: given back (refused for good, or never sent) or spent (WeChat took the message, or
 * says there is none), one conditional update per (template, how many, back or spent) group of
 * users, each taking off this drain's marks; users whose holds stay (their messages retry) only
 * lose the mark, in one more update.
 */
async function releaseGrants(
  ctx: CallContext,
  token: string,
  giveBack: readonly OutboxDoc[],
  spend: readonly OutboxDoc[],
  heldHere: readonly OutboxDoc[],
): Promise<void> {
  const _ = ctx.db.command;
  type Release = { openid: string; kind: SubscribeTemplate; back: boolean; n: number };
  const releases = new Map<string, Release>();
  for (const [list, back] of [
    [giveBack, true],
    [spend, false],
  ] as const) {
    for (const m of list) {
      const k = `${m.openid}\u0000${m.template}\u0000${back}`;
      const r = releases.get(k) ?? { openid: m.openid, kind: m.template, back, n: 0 };
      r.n += 1;
      releases.set(k, r);
    }
  }
  const unmarked = new Set<string>();
  for (const group of groupBy([...releases.values()], (r) => `${r.kind}\u0000${r.back}\u0000${r.n}`).values()) {
    const { kind, back, n } = group[0] as Release;
    const ids = group.map((r) => r.openid);
    const marks = Object.fromEntries(
      [...new Set(heldHere.filter((m) => ids.includes(m.openid)).map((m) => m.template))].map((k) => [
        `grantHolds.${holdKey(token, k)}`,
        _.remove(),
      ]),
    );
    const res = await ctx.db
      .collection('users')
      .where({ _id: _.in(ids), [heldField(kind)]: _.gte(n) })
      .update({ [heldField(kind)]: _.inc(-n), ...(back ? { [grantField(kind)]: _.inc(n) } : {}), ...marks });
    if (res.updated === ids.length)
      for (const id of ids) for (const k of Object.keys(marks)) unmarked.add(`${id}\u0000${k}`);
  }
  // Marks left on users whose messages all wait for another try.
  const left = heldHere.filter((m) => !unmarked.has(`${m.openid}\u0000grantHolds.${holdKey(token, m.template)}`));
  for (const group of groupBy(left, (m) => m.template).values()) {
    const kind = (group[0] as OutboxDoc).template;
    await ctx.db
      .collection('users')
      .where({ _id: _.in([...new Set(group.map((m) => m.openid))]) })
      .update({ [`grantHolds.${holdKey(token, kind)}`]: _.remove() });
  }
}

/** What one message's try came to, and what becomes of its grant. */
interface Answer {
  outcome: 'sent' | 'retried' | 'failed';
  patch: Patch;
  grant: 'spend' | 'giveBack' | 'keep' | 'lost';
}

/** Sends one message this drain holds (with a grant held for it) and says how to settle it. */
async function sendOne(ctx: CallContext, msg: OutboxDoc): Promise<Answer> {
  const failed = (reason: string, errcode: number | null, grant: Answer['grant'] = 'giveBack'): Answer => ({
    outcome: 'failed',
    patch: { status: 'failed', error: clip(reason), errcode, grantHeld: false },
    grant,
  });
  const config = templateConfig(msg.template);
  if (!config.templateId) return failed(`未配置模板 ID（环境变量 GRIDLINK_TPL_*，${msg.template}）`, null);
  const built = templateData(config, msg.data, msg.createdAt);
  if (!built.ok) return failed(built.reason, null);
  const answer = await callWx('subscribeMessage.send', {
    touser: msg.openid,
    template_id: config.templateId,
    page: msg.page,
    data: built.data,
    miniprogram_state: mpState(),
    lang: 'zh_CN',
  });
  const { errcode, errmsg } = answer;
  if (errcode === 0)
    return {
      outcome: 'sent',
      patch: { status: 'sent', sentAt: ctx.now.toISOString(), error: null, errcode: 0, grantHeld: false },
      grant: 'spend',
    };
  const detail = `（${errcode}：${errmsg}）`;
  const transient = Object.hasOwn(TRANSIENT, errcode) || !Object.hasOwn(PERMANENT, errcode);
  // 43101: WeChat says the user has no grant left, so the held one is not given back.
  if (!transient) return failed(`${PERMANENT[errcode]}${detail}`, errcode, errcode === 43101 ? 'lost' : 'giveBack');
  const why = TRANSIENT[errcode] ?? '微信返回未知错误';
  if (msg.attempts >= MAX_ATTEMPTS) return failed(`重试 ${msg.attempts} 次仍未成功：${why}${detail}`, errcode);
  return {
    outcome: 'retried',
    patch: {
      status: 'retrying',
      nextAttemptAt: nextAttempt(ctx.now, msg.attempts, errcode).toISOString(),
      error: clip(`${why}${detail}`),
      errcode,
    },
    grant: 'keep',
  };
}
