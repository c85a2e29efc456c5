/**
 * Stand-in for `wxacode.getUnlimited` (获取不限制的小程序码), reached as `wx.openApi` through the
 * SDK's `callCompatibleWxOpenApi` (server/lib/wechat.ts `callWxBytes`). It checks the request as
 * WeChat documents it and answers WeChat's errcode where WeChat would refuse:
 *
 * - 47001 `data format error`: a field the API does not have (WeChat is case-sensitive: `check_page`
 *   is refused, not ignored);
 * - 40169 `invalid length for scene, or the data is not json string`: `scene` missing, empty, not a
 *   string, or longer than 32 characters;
 * - 40129 `invalid scene`: a character outside digits, letters and ``!#$&'()*+,/:;=?@-._~``;
 * - 41030 `invalid page`: a page with a leading `/` or a query, or — with `check_path` true (its
 *   default) — a page the mini-program does not have (here: not in miniprogram/app.json, pages and
 *   subpackages);
 * - 40097 `invalid args`: `check_path`/`auto_color`/`is_hyaline` not booleans, `env_version` not
 *   release/trial/develop, `width` not a whole number in 280–1280 (WeChat's documented range; the
 *   stand-in refuses outside it rather than relying on clamping), `line_color` not `{r,g,b}` 0–255.
 *
 * An accepted call answers a real PNG, `width` pixels square: a QR code of the page and scene (what
 * WeChat's code leads to), so the page and the browser preview show a scannable image. WeChat's own
 * codes are round 小程序码 images; the bytes differ, the contract (image bytes, or JSON on error) is
 * the same.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import QRCode from 'qrcode';
import { defineWxApi, wxError, type WxAnswer } from '../index';

/** The characters WeChat allows in a scene. */
export const SCENE_CHARS = /^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]*$/;
/** The longest scene WeChat takes (visible characters). */
export const MAX_SCENE = 32;
export const MIN_WIDTH = 280;
export const MAX_WIDTH = 1280;
const DEFAULT_WIDTH = 430;
const ENV_VERSIONS = new Set(['release', 'trial', 'develop']);
const FIELDS = new Set([
  'scene',
  'page',
  'check_path',
  'env_version',
  'width',
  'auto_color',
  'line_color',
  'is_hyaline',
]);

const APP_JSON = join(__dirname, '../../../miniprogram/app.json');

/** Every page of the mini-program, main package and subpackages, as app.json names them. */
export function appPages(appJsonPath = APP_JSON): Set<string> {
  const app = JSON.parse(readFileSync(appJsonPath, 'utf8')) as {
    pages?: string[];
    subPackages?: Array<{ root: string; pages?: string[] }>;
    subpackages?: Array<{ root: string; pages?: string[] }>;
  };
  const pages = new Set(app.pages ?? []);
  for (const sub of [...(app.subPackages ?? []), ...(app.subpackages ?? [])]) {
    const root = sub.root.replace(/\/+$/, '');
    for (const page of sub.pages ?? []) pages.add(`${root}/${page}`);
  }
  return pages;
}

type Rgb = { r: number; g: number; b: number };

function colour(value: unknown): Rgb | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const out: Partial<Rgb> = {};
  for (const key of ['r', 'g', 'b'] as const) {
    const raw = (value as Record<string, unknown>)[key];
    // WeChat's own example sends the numbers as strings ("r":"xxx").
    const n = typeof raw === 'string' && /^\d{1,3}$/.test(raw) ? Number(raw) : raw;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 255) return null;
    out[key] = n;
  }
  return out as Rgb;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A PNG (8-bit RGBA) of `size`² pixels from a pixel function. */
export function encodePng(size: number, pixel: (x: number, y: number) => [number, number, number, number]): Buffer {
  const row = size * 4 + 1;
  const raw = Buffer.alloc(row * size);
  for (let y = 0; y < size; y += 1) {
    raw[y * row] = 0; // filter: none
    for (let x = 0; x < size; x += 1) {
      const [r, g, b, a] = pixel(x, y);
      const at = y * row + 1 + x * 4;
      raw[at] = r;
      raw[at + 1] = g;
      raw[at + 2] = b;
      raw[at + 3] = a;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The code image: a QR code of `text`, `width` pixels square, 2 modules of quiet zone. */
function codeImage(text: string, width: number, line: Rgb, transparent: boolean): Buffer {
  const modules = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules;
  const count = modules.size + 4;
  const scale = width / count;
  return encodePng(width, (x, y) => {
    const col = Math.floor(x / scale) - 2;
    const rowIndex = Math.floor(y / scale) - 2;
    const dark =
      col >= 0 && rowIndex >= 0 && col < modules.size && rowIndex < modules.size && modules.get(rowIndex, col) === 1;
    if (dark) return [line.r, line.g, line.b, 255];
    return transparent ? [255, 255, 255, 0] : [255, 255, 255, 255];
  });
}

/** Checks a getUnlimited request as WeChat does; answers the image or WeChat's refusal. */
export function getUnlimited(request: Record<string, unknown>, pages: () => Set<string> = appPages): WxAnswer {
  const unknown = Object.keys(request).find((k) => !FIELDS.has(k));
  if (unknown) return wxError(47001, `data format error hint: unknown field ${unknown}`);
  const {
    scene,
    page,
    check_path: checkPath,
    env_version: envVersion,
    width,
    auto_color,
    line_color,
    is_hyaline,
  } = request;
  if (typeof scene !== 'string' || scene.length === 0 || scene.length > MAX_SCENE) {
    return wxError(40169, 'invalid length for scene, or the data is not json string');
  }
  if (!SCENE_CHARS.test(scene)) return wxError(40129, 'invalid scene');
  for (const [name, value] of [
    ['check_path', checkPath],
    ['auto_color', auto_color],
    ['is_hyaline', is_hyaline],
  ] as const) {
    if (value !== undefined && typeof value !== 'boolean') return wxError(40097, `invalid args: ${name}`);
  }
  if (envVersion !== undefined && (typeof envVersion !== 'string' || !ENV_VERSIONS.has(envVersion))) {
    return wxError(40097, 'invalid args: env_version');
  }
  if (
    width !== undefined &&
    (typeof width !== 'number' || !Number.isInteger(width) || width < MIN_WIDTH || width > MAX_WIDTH)
  ) {
    return wxError(40097, 'invalid args: width');
  }
  const line = line_color === undefined ? { r: 0, g: 0, b: 0 } : colour(line_color);
  if (!line) return wxError(40097, 'invalid args: line_color');
  if (page !== undefined) {
    if (typeof page !== 'string' || page === '' || page.startsWith('/') || /[?#\s]/.test(page)) {
      return wxError(41030, 'invalid page');
    }
    if (checkPath !== false && !pages().has(page)) return wxError(41030, 'invalid page');
  }
  const target = typeof page === 'string' ? page : 'pages/index/index';
  const binary = codeImage(
    `${target}?scene=${encodeURIComponent(scene)}`,
    width ?? DEFAULT_WIDTH,
    line,
    is_hyaline === true,
  );
  return { binary, contentType: 'image/png' };
}

defineWxApi('wxacode.getUnlimited', (request) => getUnlimited(request));
