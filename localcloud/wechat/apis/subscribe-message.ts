/**
 * Stand-in for `subscribeMessage.send` (发送订阅消息), reached as `wx.api` through the SDK's
 * `callWxOpenApi` (server/lib/wechat.ts `callWx`). It checks a message the way WeChat does and
 * answers WeChat's errcode where WeChat would refuse it:
 *
 * - 47001 `data format error`: a field the API does not have;
 * - 40003 `invalid openid`: `touser` missing, or not a user of the mini-program (users collection);
 * - 40037 `invalid template_id`: not one of the mini-program's templates (see TEMPLATES: the
 *   templates chosen in 公众平台 → 订阅消息 → 我的模板; locally the documented default layouts,
 *   more with `addWxTemplate`);
 * - 47003 `argument invalid! data.<key>.value …`: a key missing or not in the template, a value not
 *   `{value: string}`, empty, or breaking its type's rule (thing ≤ 20 characters; phrase ≤ 5
 *   Chinese characters only; time/date in WeChat's formats, ranges joined by `~`; character_string ≤
 *   32 of letters, digits and symbols; number, letter, symbol, amount, phone_number, car_number,
 *   name, enum — see `validValue`); `miniprogram_state` not developer/trial/formal; `lang` not
 *   zh_CN/en_US/zh_HK/zh_TW;
 * - 41030 `invalid page`: a page with a leading `/`, or not a page of miniprogram/app.json;
 * - 43101 `user refuse to accept the msg`: the user holds no grant of the template (WeChat keeps
 *   the count of one-time subscriptions; here it is the users document's `subscriptions.<name>` plus
 *   what the outbox holds for a message being sent, `subscriptionsHeld.<name>`).
 *
 * Tests (and developers) can make it fail like WeChat does on a bad day: `failSubscribeSend({openid?,
 * templateId?, errcode, times?})` answers that errcode (-1 busy, 45009 quota, …) for matching sends.
 * WeChat itself writes nothing to the app's database; neither does this stand-in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SubscribeTemplate } from '../../../typings/values';
import { parseEjson, toEjson } from '../../db/wire';
import { defineWxApi, wxError, type WxAnswer, type WxContext } from '../index';

/** A template of the mini-program (我的模板): its keys (key → WeChat's name for it). */
export interface WxTemplate {
  id: string;
  title: string;
  keys: Record<string, string>;
  /** Allowed values of `enum` keys. */
  enums?: Record<string, string[]>;
  /** The name the mini-program records its users' grants under (users.subscriptions.<name>). */
  subscription: SubscribeTemplate;
}

const TEMPLATES = new Map<string, WxTemplate>();

/** Adds (or replaces) a template of the mini-program. */
export function addWxTemplate(template: WxTemplate): void {
  TEMPLATES.set(template.id, template);
}

/** Removes a template (as deleting it in 我的模板 would). */
export function removeWxTemplate(id: string): void {
  TEMPLATES.delete(id);
}

/** The mini-program's templates. */
export function wxTemplates(): WxTemplate[] {
  return [...TEMPLATES.values()];
}

/** The local cloud's templates: public-library layouts, as README documents them. */
export const LOCAL_TEMPLATES: readonly WxTemplate[] = [
  {
    id: 'local-tpl-order-status',
    title: '订单状态通知',
    keys: { thing1: '商品名称', phrase2: '订单状态', time3: '更新时间', thing4: '备注' },
    subscription: 'orderStatus',
  },
  {
    id: 'local-tpl-join-result',
    title: '审核结果通知',
    keys: { thing1: '申请事项', phrase2: '审核结果', time3: '审核时间', thing4: '备注' },
    subscription: 'joinResult',
  },
  {
    id: 'local-tpl-notice',
    title: '社区通知',
    keys: { thing1: '通知标题', thing2: '通知内容', time3: '发布时间' },
    subscription: 'notice',
  },
];

/** Back to the local templates only (tests). */
export function resetWxTemplates(): void {
  TEMPLATES.clear();
  for (const t of LOCAL_TEMPLATES) addWxTemplate({ ...t, keys: { ...t.keys } });
}
resetWxTemplates();

// ── failures on demand ──

/** A failure to answer for matching sends (any openid / template when left out). */
export interface SendFault {
  openid?: string;
  templateId?: string;
  errcode: number;
  errmsg?: string;
  /** How many sends it answers (default: until cleared). */
  times?: number;
}

const FAULTS: SendFault[] = [];

/** Makes matching sends fail with WeChat's errcode (e.g. -1 system busy, 45009 daily quota). */
export function failSubscribeSend(fault: SendFault): void {
  FAULTS.push({ ...fault });
}

/** Forgets every fault. */
export function clearSubscribeFaults(): void {
  FAULTS.length = 0;
}

const FAULT_MESSAGES: Record<number, string> = {
  [-1]: 'system error',
  45009: 'reach max api daily quota limit',
  45011: 'api minute-quota reach limit',
  45047: 'out of send limit',
  43101: 'user refuse to accept the msg',
  40003: 'invalid openid',
  40037: 'invalid template_id',
  47003: 'argument invalid!',
  40001: 'invalid credential, access_token is invalid or not latest',
};

function takeFault(openid: string, templateId: string): SendFault | null {
  const i = FAULTS.findIndex(
    (f) =>
      (f.openid === undefined || f.openid === openid) && (f.templateId === undefined || f.templateId === templateId),
  );
  if (i < 0) return null;
  const fault = FAULTS[i] as SendFault;
  if (fault.times !== undefined) {
    fault.times -= 1;
    if (fault.times <= 0) FAULTS.splice(i, 1);
  }
  return fault;
}

// ── WeChat's value rules (订阅消息参数值内容限制说明) ──

const HAN = /\p{Script=Han}/u;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const chars = (s: string) => Array.from(s);

const DAY = String.raw`(\d{4})(?:年(\d{1,2})月(\d{1,2})日|[-/](\d{1,2})[-/](\d{1,2}))`;
const CLOCK = String.raw`(\d{1,2}):(\d{2})(?::(\d{2}))?`;

function realDay(y: string, m: string, d: string): boolean {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d);
}

function realClock(h: string, mi: string, s?: string): boolean {
  return Number(h) <= 23 && Number(mi) <= 59 && (s === undefined || Number(s) <= 59);
}

/** One point of a time (24-hour clock, with the date optional) or a date (with the clock optional). */
function point(text: string, kind: 'time' | 'date'): boolean {
  const timeFirst = kind === 'time';
  const re = timeFirst
    ? new RegExp(String.raw`^(?:${DAY}\s*)?${CLOCK}$`)
    : new RegExp(String.raw`^${DAY}(?:\s*${CLOCK})?$`);
  const m = re.exec(text.trim());
  if (!m) return false;
  const [, y, cm, cd, dm, dd, h, mi, s] = m;
  if (y && !realDay(y, (cm ?? dm) as string, (cd ?? dd) as string)) return false;
  return h === undefined || realClock(h, mi as string, s);
}

/** Whether WeChat takes `value` for a key of `type` (enum: one of `enumValues`). */
export function validValue(type: string, value: string, enumValues: readonly string[] = []): boolean {
  // Empty, control characters, or text that is not proper UTF-16 (a lone surrogate) is refused by every type.
  const control = Array.from(value).some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  if (value.length === 0 || control || LONE_SURROGATE.test(value)) return false;
  const cs = chars(value);
  switch (type) {
    case 'thing':
      return cs.length <= 20;
    case 'phrase':
      return cs.length <= 5 && cs.every((c) => HAN.test(c));
    case 'name': {
      if (!/^[\p{Script=Han}A-Za-z·. ]+$/u.test(value)) return false;
      return cs.some((c) => HAN.test(c)) ? cs.length <= 10 : cs.length <= 20;
    }
    case 'character_string':
      return cs.length <= 32 && /^[\x21-\x7e]+$/.test(value);
    case 'number':
      return cs.length <= 32 && /^\d+(\.\d+)?$/.test(value);
    case 'letter':
      return cs.length <= 32 && /^[A-Za-z]+$/.test(value);
    case 'symbol':
      return cs.length <= 5 && /^[^\p{L}\p{N}\s]+$/u.test(value);
    case 'amount':
      return /^(?:[¥￥$€£]\d{1,10}(?:\.\d{1,2})?元?|\d{1,10}(?:\.\d{1,2})?元)$/.test(value);
    case 'phone_number':
      return cs.length <= 17 && /^[\d+\-()]+$/.test(value);
    case 'car_number':
      return cs.length <= 8 && cs.length >= 2 && /^[\p{Script=Han}A-Z0-9][A-Z0-9]*[\p{Script=Han}A-Z0-9]$/u.test(value);
    case 'time':
    case 'date': {
      const parts = value.split('~');
      return parts.length <= 2 && parts.every((p) => point(p, type));
    }
    case 'enum':
      return enumValues.includes(value);
    default:
      return false;
  }
}

/** The type of a template key (`thing1` → thing, `character_string4` → character_string). */
export function typeOfKey(key: string): string {
  return /^([a-z_]+?)\d+$/.exec(key)?.[1] ?? '';
}

// ── the mini-program's pages ──

const APP_JSON = join(__dirname, '../../../miniprogram/app.json');

function pagesOfApp(): Set<string> | null {
  try {
    const app = JSON.parse(readFileSync(APP_JSON, 'utf8')) as {
      pages?: string[];
      subPackages?: Array<{ root: string; pages?: string[] }>;
      subpackages?: Array<{ root: string; pages?: string[] }>;
    };
    const pages = new Set(app.pages ?? []);
    for (const sub of [...(app.subPackages ?? []), ...(app.subpackages ?? [])])
      for (const p of sub.pages ?? []) pages.add(`${sub.root.replace(/\/+$/, '')}/${p}`);
    return pages;
  } catch {
    return null; // no app.json next to the local cloud: pages are not checked
  }
}

// ── the API ──

let sentCount = 0;
const FIELDS = new Set(['touser', 'template_id', 'page', 'data', 'miniprogram_state', 'lang']);
const STATES = new Set(['developer', 'trial', 'formal']);
const LANGS = new Set(['zh_CN', 'en_US', 'zh_HK', 'zh_TW']);

/** The user document of an openid, read as the functions' database has it (null: none). */
function userOf(ctx: WxContext, openid: string): Record<string, unknown> | null {
  const answer = ctx.db.handle({
    action: 'database.queryDocument',
    collectionName: 'users',
    query: toEjson({ _id: openid }),
    limit: 1,
  }) as { data?: { list?: unknown[] } };
  const first = answer.data?.list?.[0];
  return first === undefined ? null : (parseEjson(first, ctx.now) as Record<string, unknown>);
}

function count(value: unknown, name: string): number {
  const n = value && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
  return typeof n === 'number' ? n : 0;
}

/** WeChat's answer to one `subscribeMessage.send`. */
export function sendSubscribeMessage(req: Record<string, unknown>, ctx: WxContext): WxAnswer {
  for (const field of Object.keys(req)) if (!FIELDS.has(field)) return wxError(47001, 'data format error');
  const { touser, template_id: templateId, page, data } = req;
  if (typeof touser !== 'string' || !touser) return wxError(40003, 'invalid openid');
  if (typeof templateId !== 'string' || !templateId) return wxError(40037, 'invalid template_id');
  const template = TEMPLATES.get(templateId);
  if (!template) return wxError(40037, 'invalid template_id');
  const user = userOf(ctx, touser);
  if (!user) return wxError(40003, 'invalid openid');

  const fault = takeFault(touser, templateId);
  if (fault) return wxError(fault.errcode, fault.errmsg ?? FAULT_MESSAGES[fault.errcode] ?? 'error');

  if (!data || typeof data !== 'object' || Array.isArray(data)) return wxError(47003, 'argument invalid! data');
  const values = data as Record<string, unknown>;
  for (const key of Object.keys(values))
    if (!Object.hasOwn(template.keys, key)) return wxError(47003, `argument invalid! data.${key} not in template`);
  for (const key of Object.keys(template.keys)) {
    const entry = values[key];
    const value =
      entry && typeof entry === 'object' && !Array.isArray(entry) ? (entry as { value?: unknown }).value : undefined;
    if (value === undefined || value === null || value === '')
      return wxError(47003, `argument invalid! data.${key}.value is empty`);
    if (typeof value !== 'string' || !validValue(typeOfKey(key), value, template.enums?.[key]))
      return wxError(47003, `argument invalid! data.${key}.value invalid`);
  }
  if (page !== undefined && page !== '') {
    if (typeof page !== 'string' || page.startsWith('/')) return wxError(41030, 'invalid page');
    const pages = pagesOfApp();
    if (pages && !pages.has(page.split('?')[0] as string)) return wxError(41030, 'invalid page');
  }
  if (req.miniprogram_state !== undefined && !STATES.has(String(req.miniprogram_state)))
    return wxError(47003, 'argument invalid! miniprogram_state invalid');
  if (req.lang !== undefined && !LANGS.has(String(req.lang))) return wxError(47003, 'argument invalid! lang invalid');

  const grants =
    count(user.subscriptions, template.subscription) + count(user.subscriptionsHeld, template.subscription);
  if (grants <= 0) return wxError(43101, 'user refuse to accept the msg');
  sentCount += 1;
  return { errcode: 0, errmsg: 'ok', msgid: 2_000_000_000 + sentCount };
}

defineWxApi('subscribeMessage.send', sendSubscribeMessage);
