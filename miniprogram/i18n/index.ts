/**
 * The one message catalogue and the resident's display settings.
 *
 * - `t(key, params)`: the text of a message id in the chosen language (Tibetan falls back to
 *   Chinese only for `staff.` keys; tests make sure resident-facing keys have both).
 * - Language (`zh` | `bo`) and 关怀模式 (elder mode) are kept in storage; elder mode is on when the
 *   resident switched it on, or — until they choose — when the phone's font size is set large.
 * - `localize(page, namespaces)` gives a page its texts (`m['join.submit']` in WXML), its root
 *   classes (`ui.cls`: language font stack, elder mode) and its navigation-bar title.
 */
import { bo } from './bo';
import { zh, type MessageKey } from './zh';

export type { MessageKey } from './zh';

export type Lang = 'zh' | 'bo';
export const LANGS: ReadonlyArray<{ value: Lang; label: string }> = [
  { value: 'zh', label: '中文' },
  { value: 'bo', label: 'བོད་ཡིག' },
];

export const LANG_STORAGE_KEY = 'gridlink.lang';
export const CARE_STORAGE_KEY = 'gridlink.care';

type Params = Record<string, string | number>;

/**
 * The parts of `wx` this module uses. Reached through globalThis so that pure helpers (formatting,
 * `translate`) also run where there is no `wx` (scripts, node tests): there the language is Chinese.
 */
interface WxLike {
  getStorageSync(key: string): unknown;
  setStorageSync(key: string, value: unknown): void;
  getAppBaseInfo?: () => { fontSizeSetting?: number };
  getSystemInfoSync?: () => { fontSizeSetting?: number };
  setNavigationBarTitle?: (options: { title: string; fail?: () => void }) => void;
}
const host = (): WxLike => (globalThis as unknown as { wx: WxLike }).wx;

/** The chosen language (Chinese until the resident picks another). */
export function getLang(): Lang {
  const saved = safeGet(LANG_STORAGE_KEY);
  return saved === 'bo' ? 'bo' : 'zh';
}

export function setLang(lang: Lang): void {
  host().setStorageSync(LANG_STORAGE_KEY, lang);
}

function safeGet(key: string): unknown {
  try {
    return host().getStorageSync(key);
  } catch {
    return '';
  }
}

/** Whether the catalogue has a message id. */
export function hasKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(zh, key);
}

/** Whether a message id may lack a Tibetan entry (staff pages). */
export function isStaffKey(key: string): boolean {
  return key.startsWith('staff.');
}

function fill(text: string, params?: Params): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

/** The text of a message in a language. */
export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  const text = (lang === 'bo' ? bo[key] : undefined) ?? zh[key];
  return fill(text, params);
}

/** The text of a message in the chosen language. */
export function t(key: MessageKey, params?: Params): string {
  return translate(getLang(), key, params);
}

/** A message whose id is built at run time; `fallback` when the catalogue has no such id. */
export function tKey(key: string, fallback: string, params?: Params): string {
  return hasKey(key) ? t(key, params) : fallback;
}

/** Texts of the given namespaces (`join` → every `join.*` id), for a page's `m`. */
export function messages(namespaces: readonly string[], lang: Lang = getLang()): Record<string, string> {
  const out: Record<string, string> = {};
  const prefixes = namespaces.map((n) => `${n}.`);
  for (const key of Object.keys(zh) as MessageKey[]) {
    if (prefixes.some((p) => key.startsWith(p))) out[key] = translate(lang, key);
  }
  return out;
}

// ── elder mode (关怀模式) ──

/** The phone's own font-size setting, in px (WeChat: 我 › 设置 › 通用 › 字体大小); 0 if unknown. */
export function systemFontSize(): number {
  try {
    const wx = host();
    const info = typeof wx.getAppBaseInfo === 'function' ? wx.getAppBaseInfo() : wx.getSystemInfoSync?.();
    return Number(info?.fontSizeSetting) || 0;
  } catch {
    return 0;
  }
}

/** WeChat's standard size is 16–17px; anything from 20px up is a resident who asked for large type. */
export const LARGE_FONT_PX = 20;

/** The resident's own choice, if they made one. */
export function careChoice(): boolean | null {
  const saved = safeGet(CARE_STORAGE_KEY);
  return saved === true || saved === false ? saved : null;
}

/** Whether elder mode is on: the resident's choice, else the phone's large font. */
export function careMode(): boolean {
  return careChoice() ?? systemFontSize() >= LARGE_FONT_PX;
}

export function setCare(on: boolean): void {
  host().setStorageSync(CARE_STORAGE_KEY, on);
}

/** What a page needs to draw itself in the chosen language and mode. */
export interface UiState {
  lang: Lang;
  care: boolean;
  /** Classes of the page's root view. */
  cls: string;
}

export function uiState(): UiState {
  const lang = getLang();
  const care = careMode();
  return { lang, care, cls: `gl-root lang-${lang}${care ? ' care' : ''}` };
}

type PageLike = { setData(data: Record<string, unknown>): void; data: Record<string, unknown> };

/**
 * Gives a page its texts and classes, and sets its title. Call in onLoad, and again in onShow so a
 * page coming back after the language changed redraws itself.
 */
export function localize(page: PageLike, namespaces: readonly string[]): void {
  const ui = uiState();
  const current = page.data.ui as UiState | undefined;
  if (current && current.cls === ui.cls && page.data.m && Object.keys(page.data.m as object).length) return;
  page.setData({ ui, m: messages(['common', ...namespaces], ui.lang) });
  const nav = `${namespaces[0]}.nav`;
  const wx = host();
  if (hasKey(nav) && typeof wx.setNavigationBarTitle === 'function') {
    wx.setNavigationBarTitle({ title: t(nav), fail: () => undefined });
  }
}

// ── numbers, money, dates ──

const two = (n: number) => String(n).padStart(2, '0');

/** `4500` → `¥45.00` (中文) / `སྒོར་ 45.00` (བོད་ཡིག); `0` → free. */
export function money(fen: number): string {
  return fen === 0 ? t('fmt.free') : t('fmt.money', { amount: (fen / 100).toFixed(2) });
}

/** An ISO instant as China wall-clock time: `08-20 10:00` / `ཟླ་08 ཚེས་20 10:00`. */
export function dateTime(iso: string): string {
  const d = new Date(Date.parse(iso) + 8 * 3600_000);
  return t('fmt.dateTime', {
    month: two(d.getUTCMonth() + 1),
    day: two(d.getUTCDate()),
    hour: two(d.getUTCHours()),
    minute: two(d.getUTCMinutes()),
  });
}

/** A calendar day `YYYY-MM-DD` as words of the language. */
export function day(ymd: string): string {
  const [year = '', month = '', dd = ''] = ymd.split('-');
  return t('fmt.date', { year, month, day: dd });
}

/** A quantity with its unit: `2袋` / `ཁུག་མ 2`. */
export function qty(n: number, unit: string): string {
  return t('fmt.qty', { n, unit: tKey(`unit.${unit}`, unit) });
}

/** A unit's word in the chosen language. */
export function unitText(unit: string): string {
  return tKey(`unit.${unit}`, unit);
}
