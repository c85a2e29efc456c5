import { z } from 'zod';
import zhCN from 'zod/v4/locales/zh-CN.cjs';
import { AppError } from '../../core/errors';
import type { FieldIssue } from '../../typings/errors';

z.config(zhCN());

/** Parses input at the edge; a failure becomes COMMON.INVALID_INPUT listing each bad field. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issues: FieldIssue[] = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  const first = issues[0];
  const message = first ? `填写的内容有误：${first.path ? `${first.path} ` : ''}${first.message}` : undefined;
  throw new AppError('COMMON.INVALID_INPUT', message, issues);
}

/**
 * Characters never stored: C0 controls (tab, CR and LF are handled per field), DEL and C1
 * controls, bidi marks, embeddings, overrides and isolates, line and paragraph separators, BOM
 * and interlinear annotation characters.
 */
/* eslint-disable no-control-regex -- matching control characters is this pattern's purpose */
const FORBIDDEN_CHARS =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069\ufeff\ufff9-\ufffb]/;
/* eslint-enable no-control-regex */
/** A lone (unpaired) UTF-16 surrogate: not well-formed Unicode. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Whitespace controls allowed only where a field says so. */
const LINE_BREAKS = /[\t\n\r]/;
const TAB_CR = /[\t\r]/;

/** Why a string may not be stored anywhere, or null (tab, CR and LF are judged per field). */
export function badCharacters(value: string): string | null {
  if (LONE_SURROGATE.test(value)) return '含有无法识别的字符';
  if (FORBIDDEN_CHARS.test(value)) return '不能包含控制字符或特殊格式字符';
  return null;
}

const CLEAN_LINE = (v: string) => badCharacters(v) === null && !LINE_BREAKS.test(v);
const CLEAN_TEXT = (v: string) => badCharacters(v) === null && !TAB_CR.test(v);
const BAD_CHAR_MESSAGE = '不能包含换行、控制字符或特殊格式字符';

function minMessage(min: number, message?: string): string {
  return message ?? (min <= 1 ? '不能为空' : `至少 ${min} 个字`);
}

/**
 * One line of text (names, titles, reasons): trimmed, min..max characters (min 1 by default,
 * with `required` as the message when it is missing), no line breaks, tabs, control or
 * bidi-override characters, well-formed Unicode.
 */
export function text(max: number, min = 1, required?: string) {
  const s = z.string().trim().refine(CLEAN_LINE, BAD_CHAR_MESSAGE).max(max, `不超过 ${max} 个字`);
  return min > 0 ? s.min(min, minMessage(min, required)) : s;
}

/** Optional one-line free text (notes, reasons): like text but may be empty. */
export function note(max: number) {
  return text(max, 0);
}

/** Multi-line text (notice bodies, descriptions): CRLF becomes LF; no tabs or other control characters. */
export function multiline(max: number, min = 1, required?: string) {
  const s = z
    .string()
    .overwrite((v) => v.replace(/\r\n?/g, '\n'))
    .trim()
    .refine(CLEAN_TEXT, '不能包含控制字符或特殊格式字符')
    .max(max, `不超过 ${max} 个字`);
  return min > 0 ? s.min(min, minMessage(min, required)) : s;
}

/** An id, token or file id: 1..max characters, no whitespace, no control or format characters. */
export function idString(max = 64) {
  return z
    .string()
    .min(1, '不能为空')
    .max(max)
    .refine((v) => badCharacters(v) === null && !/\s/.test(v), '编号格式不正确');
}

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Dates the app deals in: the lockdown era and well beyond, never year 0 or 9999. */
export const MIN_YEAR = 2020;
export const MAX_YEAR = 2100;

/** Whether `YYYY-MM-DD` is a real calendar date within MIN_YEAR..MAX_YEAR. */
export function isCalendarDate(value: string): boolean {
  const m = DATE_PATTERN.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < MIN_YEAR || y > MAX_YEAR) return false;
  const at = new Date(Date.UTC(y, mo - 1, d));
  return at.getUTCFullYear() === y && at.getUTCMonth() === mo - 1 && at.getUTCDate() === d;
}

/** A China calendar day, `YYYY-MM-DD` (a day as residents say it; no time zone shift). */
export function dateString() {
  return z.string().refine(isCalendarDate, `日期应为 ${MIN_YEAR}–${MAX_YEAR} 年间的真实日期，格式 YYYY-MM-DD`);
}

/** A wall-clock time of day in China, `HH:mm` (00:00–23:59). */
export function timeOfDay() {
  return z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间格式应为 08:00');
}

/** An instant with its offset (ISO 8601, e.g. `2022-08-20T08:00:00+08:00`), its China day real and in range. */
export function instant() {
  return z.iso.datetime({ offset: true }).refine((v) => {
    const at = Date.parse(v);
    if (!Number.isFinite(at) || !isCalendarDate(v.slice(0, 10))) return false;
    const y = new Date(at).getUTCFullYear();
    return y >= MIN_YEAR && y <= MAX_YEAR;
  }, `时间应为 ${MIN_YEAR}–${MAX_YEAR} 年间的真实时间`);
}

/** A whole number in [min, max]. */
export function int(min: number, max: number) {
  return z.number().int().min(min).max(max);
}

/** Deepest nesting a payload may have (objects and arrays). */
export const MAX_DEPTH = 32;
/** Keys that could reach an object's prototype. */
const PROTO_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The envelope's check of a whole event before any schema: not nested deeper than MAX_DEPTH, no
 * prototype keys, no forbidden characters in any string or key (tab, CR and LF are left to the
 * field's schema). Throws COMMON.INVALID_INPUT naming the first bad place.
 */
export function assertSafeInput(value: unknown, path = ''): void {
  const stack: Array<{ v: unknown; path: string; depth: number }> = [{ v: value, path, depth: 0 }];
  const bad = (where: string, message: string): never => {
    throw new AppError('COMMON.INVALID_INPUT', `填写的内容有误：${where ? `${where} ` : ''}${message}`, [
      { path: where, message },
    ]);
  };
  while (stack.length) {
    const { v, path: at, depth } = stack.pop() as { v: unknown; path: string; depth: number };
    if (typeof v === 'string') {
      const why = badCharacters(v);
      if (why) bad(at, why);
      continue;
    }
    if (typeof v === 'number' && !Number.isFinite(v)) bad(at, '不是有效的数字');
    if (!v || typeof v !== 'object') continue;
    if (depth >= MAX_DEPTH) bad(at, `嵌套不能超过 ${MAX_DEPTH} 层`);
    for (const key of Object.keys(v)) {
      const child = at ? `${at}.${key}` : key;
      if (PROTO_KEYS.has(key)) bad(child.slice(0, 200), '字段名不允许');
      const why = badCharacters(key);
      if (why) bad(at, `字段名${why}`);
      stack.push({
        v: (v as Record<string, unknown>)[key],
        path: child.length > 200 ? child.slice(0, 200) : child,
        depth: depth + 1,
      });
    }
  }
}

export { z };
