/**
 * The dev token of a local cloud bound beyond loopback (`GRIDLINK_HOST=0.0.0.0`, so a phone in
 * 真机调试 reaches it over the LAN). The local cloud trusts the `x-gridlink-user` header to say who
 * is calling, and `/db` is the whole database: on the LAN anyone could be anyone. So every request
 * must then carry the token printed at start: header `x-gridlink-token`, or `?token=` (the browser
 * preview's link; it then gets a same-site cookie, so the page's own requests carry it).
 * Bound to loopback only, nothing changes: requests come from this machine alone.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** Header carrying the dev token. */
export const DEV_TOKEN_HEADER = 'x-gridlink-token';

const COOKIE = 'gridlink-token';

/** Whether a bind address is reachable from this machine only (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** A fresh token: 18 random bytes, base64url (24 characters, fits a URL and a phone's input box). */
export function newDevToken(): string {
  return randomBytes(18).toString('base64url');
}

/** A token as a user may type or paste it: letters, digits, `-`, `_`, 16 to 128 characters. */
export function isValidDevToken(token: string): boolean {
  return /^[\w-]{16,128}$/.test(token);
}

/** The URL through which this process reaches a server bound to `host` (a wildcard bind is reached on loopback). */
export function reachableUrl(host: string, port: number): string {
  const h = host === '' || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.replace(/^\[|\]$/g, '');
  return `http://${isIP(h) === 6 ? `[${h}]` : h}:${port}`;
}

function same(given: string, token: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

function cookieToken(req: IncomingMessage): string | null {
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE) return value.join('=');
  }
  return null;
}

/**
 * Whether a request may pass: `{ ok: true }` (with a cookie to set when the token came in the query),
 * or `{ ok: false }`. With no token configured (loopback), everything passes.
 */
export function checkDevToken(
  req: IncomingMessage,
  url: URL,
  token: string | null,
): { ok: boolean; setCookie?: string } {
  if (!token) return { ok: true };
  const header = req.headers[DEV_TOKEN_HEADER];
  if (typeof header === 'string' && same(header.trim(), token)) return { ok: true };
  const query = url.searchParams.get('token');
  if (query !== null && same(query, token))
    return { ok: true, setCookie: `${COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict` };
  const cookie = cookieToken(req);
  if (cookie !== null && same(cookie, token)) return { ok: true };
  // The functions' own uploads through the SDK (`app.uploadFile` PUTs where storage.getUploadMetadata
  // said) cannot carry the token; they come from this process, on loopback.
  const remote = req.socket.remoteAddress ?? '';
  if (req.method === 'PUT' && url.pathname.startsWith('/storage/') && isLoopbackHost(remote.replace(/^::ffff:/, '')))
    return { ok: true };
  return { ok: false };
}

/** The answer to a request without the token. */
export const DEV_TOKEN_REFUSAL = {
  ok: false,
  code: 'AUTH.NO_IDENTITY',
  message: `本地云已向局域网开放（GRIDLINK_HOST），请求需要开发令牌：请求头 ${DEV_TOKEN_HEADER}，或在地址后加 ?token=…（令牌见 npm start 的输出；小程序在「本地调试」页填写）`,
} as const;
