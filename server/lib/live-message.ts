/**
 * The live group order (动态消息, issue 13): an ordering round shared into the grid's WeChat group
 * as an updatable message. The grid function makes the message (`updatableMessage.createActivityId`,
 * one per round and group, kept in `liveMessages`); the order function's every-minute timer calls
 * `updateLiveMessages` once per tick, which updates each open message whose count changed since it
 * was last sent (`setUpdatableMsg` target_state 0) — one update per message per tick however many
 * orders arrived — and closes it (target_state 1) when its round has closed.
 *
 * WeChat's card text is fixed by the template ("成员正在加入，当前 {member_count}/{room_limit} 人"):
 * member_count is the grid's households that ordered, room_limit the grid's households. The card's
 * title ("已有 37 户下单 · 18:00 截止") is what the page shares.
 */
import { createHash } from 'node:crypto';
import dayjs from 'dayjs';
import { CHINA_TZ } from '../../core/time';
import type { UpdatableParameter } from '../../typings/api';
import type { RoundDoc } from '../../typings/entities';
import { getDoc } from './access';
import type { CallContext } from './define-function';
import { aggregateAll, all } from './query';
import { codeEnv } from './wxacode';
import { callWx } from './wechat';

/** Where the card leads while the round is open, and after it closed. */
export const LIVE_ORDER_PAGE = 'pages/resident/order/index';
export const LIVE_CLOSED_PAGE = 'pages/resident/orders/index';

/** Order statuses that do not count as "ordered" (given back, or never written). */
const NOT_ORDERED = ['cancelled', 'rejected', 'placing'];

/** The id of the live message of a round in a group (or, shared from outside a group, in a grid). */
export function liveMessageId(roundId: string, gridId: string, openGId: string | null): string {
  const key = `${roundId}|${gridId}|${openGId ?? ''}`;
  return `lm-${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

/** How many of the grid's households have an order in the round that counts. */
export async function orderedHouseholds(ctx: CallContext, roundId: string, gridId: string): Promise<number> {
  return (await orderedHouseholdIds(ctx, roundId, gridId)).size;
}

/** The households that ordered in the round, of one grid (the board's ✓ marks). */
export async function orderedHouseholdIds(ctx: CallContext, roundId: string, gridId: string): Promise<Set<string>> {
  const _ = ctx.db.command;
  const groups = await aggregateAll<{ _id: string }>(ctx, 'orders', [
    { match: { roundId, gridId, status: _.nin(NOT_ORDERED) } },
    { group: { _id: '$householdId' } },
  ]);
  return new Set(groups.map((g) => g._id));
}

/** "已有 37 户下单 · 18:00 截止" (China time; the day too when the round does not close today). */
export function liveTitle(ordered: number, closesAt: string, now: Date): string {
  const close = dayjs(closesAt).tz(CHINA_TZ);
  const sameDay = close.format('YYYY-MM-DD') === dayjs(now).tz(CHINA_TZ).format('YYYY-MM-DD');
  return `已有 ${ordered} 户下单 · ${close.format(sameDay ? 'HH:mm' : 'M月D日 HH:mm')} 截止`;
}

/** The state-0 parameters of the card. */
export function openParameters(ordered: number, households: number): UpdatableParameter[] {
  return [
    { name: 'member_count', value: String(ordered) },
    // room_limit below member_count would read oddly; it never is unless households were removed.
    { name: 'room_limit', value: String(Math.max(households, ordered)) },
  ];
}

/** The state-1 parameters: where "进入" leads once the round closed, and which version opens. */
export function closedParameters(): UpdatableParameter[] {
  return [
    { name: 'path', value: LIVE_CLOSED_PAGE },
    { name: 'version_type', value: codeEnv() },
  ];
}

/** What one tick did. */
export interface LiveTick {
  updated: number;
  closed: number;
  expired: number;
  failed: number;
}

async function setMsg(activityId: string, state: 0 | 1, parameters: UpdatableParameter[]): Promise<boolean> {
  const res = await callWx('updatableMessage.setUpdatableMsg', {
    activity_id: activityId,
    target_state: state,
    template_info: { parameter_list: parameters },
  });
  if (res.errcode !== 0) console.error(`[gridlink] setUpdatableMsg ${state} refused: ${res.errcode} ${res.errmsg}`);
  return res.errcode === 0;
}

/**
 * One tick of the order function's timer: every open live message is updated when its count
 * changed since it was last sent, closed when its round closed, and retired when WeChat forgot its
 * id (24 h). Each message is one conditional write (on its last-sent count), so two ticks at once
 * never both write; a refused call is logged and tried again next tick.
 */
export async function updateLiveMessages(ctx: CallContext): Promise<LiveTick> {
  const tick: LiveTick = { updated: 0, closed: 0, expired: 0, failed: 0 };
  const open = await all(ctx, 'liveMessages', { state: 'open' });
  if (!open.length) return tick;
  const now = ctx.now.toISOString();
  const rounds = new Map<string, RoundDoc | null>();
  const counts = new Map<string, number>();
  const messages = ctx.db.collection('liveMessages');
  for (const message of open) {
    if (!rounds.has(message.roundId)) rounds.set(message.roundId, await getDoc(ctx, 'rounds', message.roundId));
    const round = rounds.get(message.roundId) ?? null;
    const guard = { _id: message._id, state: 'open', sentCount: message.sentCount };
    if (message.expiresAt <= now) {
      await messages.where(guard).update({ state: 'expired', updatedAt: now });
      tick.expired += 1;
      continue;
    }
    if (!round || round.closesAt <= now) {
      if (await setMsg(message.activityId, 1, closedParameters())) {
        await messages.where(guard).update({ state: 'closed', updatedAt: now });
        tick.closed += 1;
      } else tick.failed += 1;
      continue;
    }
    const key = `${message.roundId}|${message.gridId}`;
    if (!counts.has(key)) counts.set(key, await orderedHouseholds(ctx, message.roundId, message.gridId));
    const ordered = counts.get(key) ?? 0;
    if (ordered === message.sentCount) continue;
    if (await setMsg(message.activityId, 0, openParameters(ordered, message.roomLimit))) {
      await messages.where(guard).update({ sentCount: ordered, updatedAt: now });
      tick.updated += 1;
    } else tick.failed += 1;
  }
  return tick;
}
