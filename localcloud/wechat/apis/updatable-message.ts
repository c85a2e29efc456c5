/**
 * Stand-ins for the updatable (dynamic) share message APIs, reached as `wx.api` through the SDK's
 * `callWxOpenApi` (server/lib/wechat.ts `callWx`). They check the request as WeChat documents it
 * (updatableMessage.createActivityId / setUpdatableMsg) and keep what WeChat keeps: each activity id,
 * when it expires (24 h) and its state, so a second close or an update after expiry is refused.
 *
 * - createActivityId: no body fields except `openid` / `unionid` (private messages, which WeChat
 *   does not let cloud functions create: refused here too); answers `activity_id` and
 *   `expiration_time` (Unix seconds, 24 h on).
 * - setUpdatableMsg: exactly `activity_id`, `target_state`, `template_info: {parameter_list}`.
 *   44002 empty body; 47001 a field the API does not have or a malformed one; 40097 (the stand-in's
 *   choice: WeChat documents no code for these) an activity id it never issued or that expired, a
 *   target_state other than 0/1, a move out of state 1 (state 1 cannot be converted), a parameter
 *   name not documented or not valid in that state, a missing required one (state 0: member_count
 *   and room_limit; state 1: path and version_type), a repeated one, a non-string value, counts
 *   that are not whole numbers, a version_type other than develop/trial/release.
 */
import { randomBytes } from 'node:crypto';
import { defineWxApi, wxError, type WxAnswer } from '../index';

/** How long an activity id lives (WeChat: 24 hours by default). */
export const ACTIVITY_TTL_MS = 24 * 3600_000;

/** What the stand-in remembers of one activity id. */
export interface ActivityRecord {
  activityId: string;
  createdAt: number;
  expiresAt: number;
  state: 0 | 1 | null;
  /** The parameters the card shows now (the last accepted update). */
  parameters: Record<string, string>;
  updates: number;
}

const ACTIVITIES = new Map<string, ActivityRecord>();

/** What WeChat would show for an activity id (tests, the dev page). */
export function activityOf(activityId: string): ActivityRecord | undefined {
  const record = ACTIVITIES.get(activityId);
  return record ? structuredClone(record) : undefined;
}

/** Moves an activity id's expiry (tests: "a day later"). */
export function expireActivity(activityId: string, at: number): void {
  const record = ACTIVITIES.get(activityId);
  if (record) record.expiresAt = at;
}

const STATE_PARAMS: Record<0 | 1, readonly string[]> = {
  0: ['member_count', 'room_limit'],
  1: ['path', 'version_type'],
};
const VERSION_TYPES = new Set(['develop', 'trial', 'release']);
const COUNT = /^\d{1,9}$/;

export function createActivityId(request: Record<string, unknown>, now: Date): WxAnswer {
  const unknown = Object.keys(request).find((k) => k !== 'openid' && k !== 'unionid');
  if (unknown) return wxError(47001, `data format error hint: unknown field ${unknown}`);
  if (request.openid !== undefined || request.unionid !== undefined) {
    // Private messages: "私密消息暂不支持云函数生成 activity id".
    return wxError(40097, 'invalid args: private message activity id cannot be created by cloud functions');
  }
  // Forget ids long gone, so the map stays small.
  for (const [id, record] of ACTIVITIES) if (record.expiresAt < now.getTime() - ACTIVITY_TTL_MS) ACTIVITIES.delete(id);
  const activityId = `${randomBytes(12).toString('hex').toUpperCase()}#local`;
  const expiresAt = now.getTime() + ACTIVITY_TTL_MS;
  ACTIVITIES.set(activityId, {
    activityId,
    createdAt: now.getTime(),
    expiresAt,
    state: null,
    parameters: {},
    updates: 0,
  });
  return { errcode: 0, errmsg: 'ok', activity_id: activityId, expiration_time: Math.floor(expiresAt / 1000) };
}

export function setUpdatableMsg(request: Record<string, unknown>, now: Date): WxAnswer {
  if (Object.keys(request).length === 0) return wxError(44002, 'empty post data');
  const unknown = Object.keys(request).find((k) => !['activity_id', 'target_state', 'template_info'].includes(k));
  if (unknown) return wxError(47001, `data format error hint: unknown field ${unknown}`);
  const { activity_id: activityId, target_state: state, template_info: info } = request;
  if (typeof activityId !== 'string' || activityId === '') return wxError(47001, 'data format error hint: activity_id');
  if (typeof state !== 'number') return wxError(47001, 'data format error hint: target_state');
  if (!info || typeof info !== 'object' || Array.isArray(info))
    return wxError(47001, 'data format error hint: template_info');
  const infoKeys = Object.keys(info);
  if (infoKeys.length !== 1 || infoKeys[0] !== 'parameter_list') {
    return wxError(47001, 'data format error hint: template_info.parameter_list');
  }
  const list = (info as { parameter_list: unknown }).parameter_list;
  if (!Array.isArray(list)) return wxError(47001, 'data format error hint: template_info.parameter_list');

  const record = ACTIVITIES.get(activityId);
  if (!record) return wxError(40097, 'invalid args: activity_id not found');
  if (record.expiresAt <= now.getTime()) return wxError(40097, 'invalid args: activity_id expired');
  if (state !== 0 && state !== 1) return wxError(40097, 'invalid args: target_state');
  if (record.state === 1) return wxError(40097, 'invalid args: state 1 cannot be converted');

  const parameters: Record<string, string> = {};
  for (const entry of list) {
    if (!entry || typeof entry !== 'object' || Array.isArray(entry))
      return wxError(47001, 'data format error hint: parameter');
    const keys = Object.keys(entry).sort();
    if (keys.length !== 2 || keys[0] !== 'name' || keys[1] !== 'value') {
      return wxError(47001, 'data format error hint: parameter name/value');
    }
    const { name, value } = entry as { name: unknown; value: unknown };
    if (typeof name !== 'string' || typeof value !== 'string')
      return wxError(40097, 'invalid args: parameter not a string');
    if (!STATE_PARAMS[state].includes(name))
      return wxError(40097, `invalid args: parameter ${name} for state ${state}`);
    if (Object.hasOwn(parameters, name)) return wxError(40097, `invalid args: parameter ${name} repeated`);
    parameters[name] = value;
  }
  const missing = STATE_PARAMS[state].find((name) => !Object.hasOwn(parameters, name));
  if (missing) return wxError(40097, `invalid args: ${missing} is required when target_state is ${state}`);
  if (state === 0) {
    if (!COUNT.test(parameters.member_count ?? '') || !COUNT.test(parameters.room_limit ?? '')) {
      return wxError(40097, 'invalid args: member_count and room_limit are counts');
    }
  } else {
    const path = parameters.path ?? '';
    if (path === '' || path.length > 1024 || /\s/.test(path)) return wxError(40097, 'invalid args: path');
    if (!VERSION_TYPES.has(parameters.version_type ?? '')) return wxError(40097, 'invalid args: version_type');
  }
  record.state = state;
  record.parameters = parameters;
  record.updates += 1;
  return { errcode: 0, errmsg: 'ok' };
}

defineWxApi('updatableMessage.createActivityId', (request, ctx) => createActivityId(request, ctx.now));
defineWxApi('updatableMessage.setUpdatableMsg', (request, ctx) => setUpdatableMsg(request, ctx.now));
