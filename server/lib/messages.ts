/**
 * Subscribe messages as WeChat takes them: the one place that maps each message kind's own fields
 * (what the code enqueues: `order`, `status`, `note`, …) to its template's keys (`thing1`,
 * `phrase2`, `time3`, …) and formats every value by the rules WeChat documents for the key's type
 * (`subscribeMessage.send`, 订阅消息参数值内容限制说明). A value WeChat would refuse is never sent:
 * text is cut to the type's length (an ellipsis marks the cut), characters the type does not allow
 * are dropped, times are China time, and an empty value gets the field's stand-in text (WeChat
 * refuses empty values).
 *
 * Template ids AND key names are configured per environment (the template chosen in 公众平台 →
 * 订阅消息 decides the keys), in the environment of the function that sends (`order`):
 *
 *   GRIDLINK_TPL_ORDER_STATUS       template id of 订单状态通知
 *   GRIDLINK_TPL_ORDER_STATUS_KEYS  field=key list, default `order=thing1,status=phrase2,time=time3,note=thing4`
 *   GRIDLINK_TPL_JOIN_RESULT        template id of 审核结果通知
 *   GRIDLINK_TPL_JOIN_RESULT_KEYS   default `subject=thing1,result=phrase2,time=time3,note=thing4`
 *   GRIDLINK_TPL_NOTICE             template id of 社区通知
 *   GRIDLINK_TPL_NOTICE_KEYS        default `title=thing1,body=thing2,time=time3`
 *   GRIDLINK_MP_STATE               formal (default) | trial | developer: which version a tap opens
 *
 * A key's type is its name without the number (`character_string4` → character_string). A
 * template may leave out fields (a template without 备注 simply has no `note=`); `time` is when the
 * message was queued. In the local cloud the ids default to the stand-in's templates
 * (localcloud/wechat/apis/subscribe-message.ts), which have the default layouts.
 */
import dayjs from 'dayjs';
import { CHINA_TZ } from '../../core/time';
import { ORDER_KIND_LABELS } from '../../typings/values';
import type { OrderKind, OrderLine, OrderStatus, SubscribeTemplate } from '../../typings/entities';

// ── the value rules of WeChat's key types ──

/** Key types of subscribe-message templates (WeChat: thing.DATA, phrase.DATA, …). */
export const KEY_TYPES = [
  'thing',
  'number',
  'letter',
  'symbol',
  'character_string',
  'time',
  'date',
  'amount',
  'phone_number',
  'car_number',
  'name',
  'phrase',
  'enum',
] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** The type of a template key (`thing1` → thing, `character_string12` → character_string); null if none. */
export function keyType(key: string): KeyType | null {
  const m = /^([a-z_]+?)(\d+)$/.exec(key);
  const type = m?.[1];
  return type && (KEY_TYPES as readonly string[]).includes(type) ? (type as KeyType) : null;
}

/** Most characters per type (WeChat counts characters; a Chinese character is one). */
export const MAX_LENGTH: Record<Exclude<KeyType, 'time' | 'date' | 'enum' | 'amount'>, number> = {
  thing: 20,
  number: 32,
  letter: 32,
  symbol: 5,
  character_string: 32,
  phone_number: 17,
  car_number: 8,
  name: 10,
  phrase: 5,
};

const HAN = /\p{Script=Han}/u;
const chars = (s: string): string[] => Array.from(s);

/** Cuts to `max` characters, marking the cut with an ellipsis (which counts). */
function cut(s: string, max: number, ellipsis = true): string {
  const cs = chars(s);
  if (cs.length <= max) return s;
  return ellipsis ? `${cs.slice(0, max - 1).join('')}…` : cs.slice(0, max).join('');
}

/** Text on one line: runs of white space (newlines included) become one space; no emoji (outside the BMP), no lone surrogates. */
function oneLine(s: string): string {
  return chars(s)
    .map((c) => (/[\s\u3000]/.test(c) ? ' ' : c))
    .filter((c) => {
      const code = c.codePointAt(0) ?? 0;
      const control = code < 0x20 || code === 0x7f;
      return !control && code <= 0xffff && (code < 0xd800 || code > 0xdfff);
    })
    .join('')
    .replace(/ +/g, ' ')
    .trim();
}

/** `2022年8月20日 08:05` in China time (WeChat's time.DATA: 24-hour time with the date). */
export function wxTime(at: string | Date): string {
  return dayjs(at).tz(CHINA_TZ).format('YYYY年M月D日 HH:mm');
}

/** `2022年8月20日` in China time (date.DATA). */
export function wxDate(at: string | Date): string {
  return dayjs(at).tz(CHINA_TZ).format('YYYY年M月D日');
}

/**
 * A value made acceptable for a key of `type`, or '' when nothing of it is (the caller falls back
 * to the field's stand-in text). Times and dates take an ISO instant.
 */
export function formatValue(type: KeyType, raw: string): string {
  const text = oneLine(raw);
  switch (type) {
    case 'thing':
      return cut(text, MAX_LENGTH.thing);
    case 'phrase':
      // Chinese characters only, five at most (e.g. 配送中).
      return cut(
        chars(text)
          .filter((c) => HAN.test(c))
          .join(''),
        MAX_LENGTH.phrase,
        false,
      );
    case 'name': {
      // Ten Chinese characters, or twenty letters; mixed counts as Chinese.
      const kept = chars(text)
        .filter((c) => HAN.test(c) || /[A-Za-z·. ]/.test(c))
        .join('')
        .trim();
      return cut(kept, chars(kept).some((c) => HAN.test(c)) ? 10 : 20, false);
    }
    case 'character_string':
      return cut(text.replace(/[^\x21-\x7e]/g, ''), MAX_LENGTH.character_string, false);
    case 'number': {
      const m = /\d+(\.\d+)?/.exec(text.replace(/,/g, ''));
      return m ? cut(m[0], MAX_LENGTH.number, false) : '';
    }
    case 'letter':
      return cut(text.replace(/[^A-Za-z]/g, ''), MAX_LENGTH.letter, false);
    case 'symbol':
      return cut(text.replace(/[\p{L}\p{N}\s]/gu, ''), MAX_LENGTH.symbol, false);
    case 'amount': {
      const n = Number(text.replace(/[^\d.]/g, ''));
      return Number.isFinite(n) && text.replace(/[^\d]/g, '') ? `¥${n.toFixed(2)}` : '';
    }
    case 'phone_number':
      return cut(text.replace(/[^\d+\-()]/g, ''), MAX_LENGTH.phone_number, false);
    case 'car_number': {
      // 粤A8Z888挂: letters and digits, a Chinese character allowed first and last only.
      const cs = chars(text.toUpperCase()).filter((c) => HAN.test(c) || /[A-Z0-9]/.test(c));
      const head = cs[0] && HAN.test(cs[0]) ? (cs.shift() as string) : '';
      const tail = cs.length && HAN.test(cs[cs.length - 1] as string) ? (cs.pop() as string) : '';
      const mid = cs.filter((c) => /[A-Z0-9]/.test(c)).slice(0, MAX_LENGTH.car_number - chars(head + tail).length);
      const plate = `${head}${mid.join('')}${tail}`;
      return chars(plate).length >= 2 ? plate : '';
    }
    case 'time':
    case 'date': {
      const at = dayjs(raw);
      if (!at.isValid()) return '';
      return type === 'time' ? wxTime(at.toDate()) : wxDate(at.toDate());
    }
    case 'enum':
      return text;
  }
}

// ── the message kinds ──

/** The fields each kind's message carries, as the code enqueues them (`time` is added: when it was queued). */
export interface MessageFields {
  /** 订单状态通知: the order's goods, its status in a word (phrase), a note (reason, instruction). */
  orderStatus: { order: string; status: string; note?: string };
  /** 审核结果通知: what was applied for, the result (已通过 / 未通过), a note. */
  joinResult: { subject: string; result: string; note?: string };
  /** 社区通知: the notice's title and body. */
  notice: { title: string; body: string };
}

/** A message to queue: its recipient, kind, the page a tap opens (no leading `/`), its fields. */
export type OutgoingMessage = {
  [K in SubscribeTemplate]: {
    openid: string;
    template: K;
    page: string;
    data: MessageFields[K];
    /** The community it concerns; looked up from the recipient when left out. */
    communityId?: string | null;
  };
}[SubscribeTemplate];

/** One field of a kind: its Chinese name and the text sent when it is empty. */
interface FieldSpec {
  label: string;
  fallback: string;
}

/** A kind: the public-library template it was designed for, its fields, and their default keys. */
export interface KindSpec {
  title: string;
  env: string;
  fields: Record<string, FieldSpec>;
  /** The default layout, `field=key,…` (the public template's own keys). */
  defaultKeys: string;
  /** The local stand-in's template id (the local cloud's default). */
  localId: string;
}

const TIME_FIELD = (label: string): FieldSpec => ({ label, fallback: '' });

/** Every message kind the code sends, with the template layout it is configured for by default. */
export const MESSAGE_KINDS: Record<SubscribeTemplate, KindSpec> = {
  orderStatus: {
    title: '订单状态通知',
    env: 'GRIDLINK_TPL_ORDER_STATUS',
    fields: {
      order: { label: '商品名称', fallback: '订单' },
      status: { label: '订单状态', fallback: '已更新' },
      time: TIME_FIELD('更新时间'),
      note: { label: '备注', fallback: '请打开小程序查看' },
    },
    defaultKeys: 'order=thing1,status=phrase2,time=time3,note=thing4',
    localId: 'local-tpl-order-status',
  },
  joinResult: {
    title: '审核结果通知',
    env: 'GRIDLINK_TPL_JOIN_RESULT',
    fields: {
      subject: { label: '申请事项', fallback: '申请' },
      result: { label: '审核结果', fallback: '已审核' },
      time: TIME_FIELD('审核时间'),
      note: { label: '备注', fallback: '无' },
    },
    defaultKeys: 'subject=thing1,result=phrase2,time=time3,note=thing4',
    localId: 'local-tpl-join-result',
  },
  notice: {
    title: '社区通知',
    env: 'GRIDLINK_TPL_NOTICE',
    fields: {
      title: { label: '通知标题', fallback: '社区通知' },
      body: { label: '通知内容', fallback: '请打开小程序查看' },
      time: TIME_FIELD('发布时间'),
    },
    defaultKeys: 'title=thing1,body=thing2,time=time3',
    localId: 'local-tpl-notice',
  },
};

/** `miniprogram_state` values: which version of the mini-program a tap on the message opens. */
export const MP_STATES = ['formal', 'trial', 'developer'] as const;
export type MpState = (typeof MP_STATES)[number];

/** One field of a template as configured: the kind's field, the template's key and its type. */
export interface KeyBinding {
  field: string;
  key: string;
  type: KeyType;
}

/** A kind's template in this environment. */
export interface TemplateConfig {
  kind: SubscribeTemplate;
  /** null: not configured (messages of this kind fail with the reason). */
  templateId: string | null;
  keys: KeyBinding[];
  /** What is wrong with the configuration (empty: good). */
  problems: string[];
}

type Env = Record<string, string | undefined>;

/** Parses `field=key,…` for a kind; problems in Chinese. */
export function parseKeys(kind: SubscribeTemplate, spec: string): { keys: KeyBinding[]; problems: string[] } {
  const fields = MESSAGE_KINDS[kind].fields;
  const keys: KeyBinding[] = [];
  const problems: string[] = [];
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [field = '', key = '', ...rest] = part.split(/[=:]/).map((s) => s.trim());
    const type = keyType(key);
    if (rest.length || !field || !key) problems.push(`“${part}”应写成 字段=模板键，如 note=thing4`);
    else if (!Object.hasOwn(fields, field))
      problems.push(`没有字段“${field}”（可用：${Object.keys(fields).join('、')}）`);
    else if (!type) problems.push(`“${key}”不是微信模板的键（如 thing1、phrase2、time3）`);
    else if (keys.some((k) => k.key === key)) problems.push(`模板键“${key}”写了两次`);
    else if (keys.some((k) => k.field === field)) problems.push(`字段“${field}”写了两次`);
    else if (field === 'time' && type !== 'time' && type !== 'date')
      problems.push(`时间字段只能对应 time 或 date 类型的键，不能是“${key}”`);
    else keys.push({ field, key, type });
  }
  if (!keys.length && !problems.length) problems.push('没有配置任何模板键');
  return { keys, problems };
}

/** Whether this process runs against the local cloud (its stand-in templates are the default there). */
function localCloud(env: Env): boolean {
  return Boolean(env.GRIDLINK_DB_URL);
}

/** A kind's template in this environment (ids and keys from the environment, defaults otherwise). */
export function templateConfig(kind: SubscribeTemplate, env: Env = process.env): TemplateConfig {
  const spec = MESSAGE_KINDS[kind];
  const id = env[spec.env]?.trim() || (localCloud(env) ? spec.localId : null);
  const { keys, problems } = parseKeys(kind, env[`${spec.env}_KEYS`]?.trim() || spec.defaultKeys);
  return { kind, templateId: id, keys, problems: problems.map((p) => `${spec.env}_KEYS：${p}`) };
}

/** `miniprogram_state` of this environment: GRIDLINK_MP_STATE, else developer locally and formal on CloudBase. */
export function mpState(env: Env = process.env): MpState {
  const v = env.GRIDLINK_MP_STATE?.trim();
  if (v && (MP_STATES as readonly string[]).includes(v)) return v as MpState;
  return localCloud(env) ? 'developer' : 'formal';
}

/**
 * Everything wrong with the messages' configuration of an environment (for deploy checks): a
 * missing template id, a malformed key list, an unknown `miniprogram_state`.
 */
export function checkMessageConfig(env: Env = process.env): string[] {
  const out: string[] = [];
  for (const kind of Object.keys(MESSAGE_KINDS) as SubscribeTemplate[]) {
    const c = templateConfig(kind, env);
    if (!c.templateId) out.push(`${MESSAGE_KINDS[kind].env}：未设置模板 ID（${MESSAGE_KINDS[kind].title}）`);
    out.push(...c.problems);
  }
  const state = env.GRIDLINK_MP_STATE?.trim();
  if (state && !(MP_STATES as readonly string[]).includes(state))
    out.push(`GRIDLINK_MP_STATE：只能是 ${MP_STATES.join(' / ')}，不能是“${state}”`);
  return out;
}

/** The `data` of `subscribeMessage.send`: `{ thing1: { value }, … }`. */
export type TemplateData = Record<string, { value: string }>;

/**
 * The template data of one message: each configured key gets its field's value (`time`: when the
 * message was queued), formatted by the key's type; an empty result gets the field's stand-in.
 */
export function templateData(
  config: TemplateConfig,
  fields: Readonly<Record<string, string | undefined>>,
  queuedAt: string,
): { ok: true; data: TemplateData } | { ok: false; reason: string } {
  if (config.problems.length) return { ok: false, reason: `模板字段配置有误：${config.problems.join('；')}` };
  const specs = MESSAGE_KINDS[config.kind].fields;
  const data: TemplateData = {};
  for (const { field, key, type } of config.keys) {
    const raw = field === 'time' ? (fields.time ?? queuedAt) : (fields[field] ?? '');
    let value = formatValue(type, raw);
    if (!value) value = formatValue(type, specs[field]?.fallback ?? '');
    if (!value) return { ok: false, reason: `“${specs[field]?.label ?? field}”没有可发送的内容（${key}）` };
    data[key] = { value };
  }
  return { ok: true, data };
}

// ── the kinds' messages ──

/** An order status in a word WeChat's phrase type takes (≤ 5 Chinese characters). */
export const ORDER_STATUS_PHRASE: Record<OrderStatus, string> = {
  submitted: '已提交',
  accepted: '已接单',
  rejected: '未受理',
  assigned: '待配送',
  pickedUp: '配送中',
  delivered: '已送达',
  failed: '配送失败',
  cancelled: '已取消',
  received: '已签收',
};

/** What an order is, in a few words: its first item (and how many more), or its kind. */
export function orderTitle(order: { lines: readonly Pick<OrderLine, 'name'>[]; kind?: OrderKind | string }): string {
  const first = order.lines[0]?.name;
  if (first) return order.lines.length > 1 ? `${first}等${order.lines.length}件` : first;
  if (order.kind === 'medicine') return '药品';
  return (ORDER_KIND_LABELS as Record<string, string>)[order.kind ?? ''] ?? '订单';
}
