/**
 * The local cloud: one HTTP server on 127.0.0.1 that serves the database protocol for the SDK
 * (`/db`), invokes any cloud function as a chosen user (`POST /fn/<name>`), and answers health.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FUNCTIONS, TIMERS } from '../server/functions/registry';
import { database, resetCloudApp } from '../server/lib/cloud';
import { COLLECTIONS, INDEXES } from '../server/lib/schema';
import { createDbService, type DbService } from './db';
import { invokeFunction, runTimer } from './invoke';
import { issueCloudId } from './open-data';
import { answerWechat, isWechatAction, wxCalls } from './wechat';
import './wechat/apis';
import { handleDevPay } from './wechat/pay-notify';
import { MAX_DEPTH } from '../server/lib/validate';
import { handlePreview } from './preview';
import type { DemoOptions } from './seed/demo-community';
import { seedIfEmpty } from './seed/seed';
import { MAX_UPLOAD, answerStorageAction, isStorageAction, parseMultipart, readStored, saveFile } from './storage';
import {
  checkDevToken,
  DEV_TOKEN_HEADER,
  DEV_TOKEN_REFUSAL,
  isLoopbackHost,
  newDevToken,
  reachableUrl,
} from './dev-token';

/** Header naming the simulated caller's OPENID. */
export const DEV_USER_HEADER = 'x-gridlink-user';

/** How to start the local cloud. */
export interface LocalCloudOptions {
  /** Folder of the file-backed store; null keeps everything in memory (tests). */
  dataDir: string | null;
  /** 0 picks a free port. */
  port?: number;
  /** Seed the demo community on first start (default true). */
  seed?: boolean | DemoOptions;
  /** Run the functions' timer triggers on their periods (default false; `npm start` turns them on). */
  timers?: boolean;
  /**
   * Start-up work after the seed (the demo activity of `npm start`), given the cloud's URL and whether
   * this start seeded: /health
   * answers 503 `starting` until it and the seed are done.
   */
  prepare?: (url: string, seeded: boolean) => Promise<unknown>;
  /** Address to bind (default 127.0.0.1); beyond loopback (e.g. 0.0.0.0 for a phone on the LAN) every request needs the dev token. */
  host?: string;
  /** The dev token when bound beyond loopback (default: a fresh random one); see localcloud/dev-token.ts. */
  token?: string;
}

/** A running local cloud. */
export interface LocalCloud {
  url: string;
  dbUrl: string;
  db: DbService;
  seeded: boolean;
  /** What `prepare` returned (null without one). */
  prepared: unknown;
  /** The dev token every request must carry (null: bound to loopback, none needed). */
  token: string | null;
  close(): Promise<void>;
}

const MAX_BODY = 2 * 1024 * 1024;

/** A request body over its limit: answered 413 with the envelope once the body has been read off. */
class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super('body too large');
  }
}

/** Beyond this much discarded body the connection is cut (a client that never stops sending). */
const MAX_DISCARD = 64 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return readBytes(req, MAX_BODY).then((b) => b.toString('utf8'));
}

function readBytes(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let size = 0;
    let tooLarge = Number(req.headers['content-length'] ?? 0) > limit;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (tooLarge) {
        // Keep reading and drop it, so the client gets the answer instead of a reset connection.
        chunks.length = 0;
        if (size > MAX_DISCARD) req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => (tooLarge ? reject(new BodyTooLarge(limit)) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

/** Depth of nested arrays and objects in a JSON text, counted without recursion. */
function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) max = Math.max(max, (depth += 1));
    else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return max;
}

function localBase(req: IncomingMessage): string {
  return `http://${req.headers.host ?? '127.0.0.1'}`;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'access-control-allow-origin': '*',
  });
  res.end(text);
}

async function listUsers(): Promise<unknown[]> {
  const users: unknown[] = [];
  const coll = database().collection('users');
  for (let skip = 0; ; skip += 1000) {
    const page = await coll
      .field({ _id: true, nickName: true, roles: true })
      .orderBy('_id', 'asc')
      .skip(skip)
      .limit(1000)
      .get();
    const rows = (page.data ?? []) as Array<{ _id: string; nickName: string; roles: string[] }>;
    users.push(...rows.map((u) => ({ openid: u._id, nickName: u.nickName, roles: u.roles })));
    if (rows.length < 1000) return users;
  }
}

const MAX_SDK_BODY = 16 * 1024 * 1024;

/**
 * The SDK's requests: database actions go to the database service, WeChat's (`wx.api`,
 * `wx.openApi`, `wx.wxPayApi`) to the WeChat stand-ins (localcloud/wechat).
 */
async function serveSdk(db: DbService, storageRoot: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = await readBytes(req, MAX_SDK_BODY);
  const contentType = String(req.headers['content-type'] ?? '');
  let params: Record<string, unknown>;
  try {
    if (/^multipart\//i.test(contentType)) {
      const { fields, file } = parseMultipart(raw, contentType);
      params = { ...fields, ...(file ? { requestData: file.data } : {}) };
    } else params = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    send(res, 400, { code: 'INVALID_PARAM', message: `local service: ${(error as Error).message}` });
    return;
  }
  if (isWechatAction(params.action)) {
    const answer = answerWechat(params, { db, storageRoot, now: new Date() });
    res.writeHead(answer.status, { 'content-type': answer.contentType, 'content-length': answer.body.length });
    res.end(answer.body);
    return;
  }
  if (isStorageAction(params.action)) {
    // Files the functions store themselves (mini-program codes): `app.uploadFile` and friends.
    send(res, 200, answerStorageAction(params, localBase(req), storageRoot));
    return;
  }
  let status = 200;
  let answer: unknown;
  try {
    answer = await Promise.resolve(db.handle(params));
  } catch (error) {
    status = 500;
    answer = { code: 'SYS_ERR', message: `local database service: ${(error as Error).message}` };
  }
  send(res, status, answer);
}

async function route(
  db: DbService,
  storageRoot: string,
  state: { ready: boolean; token: string | null },
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (req.method === 'OPTIONS') {
    res.writeHead(204, {
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET,POST,OPTIONS',
      'access-control-allow-headers': `content-type,${DEV_USER_HEADER},${DEV_TOKEN_HEADER}`,
    });
    res.end();
    return;
  }
  const pass = checkDevToken(req, url, state.token); // bound beyond loopback: the dev token (localcloud/dev-token.ts)
  if (!pass.ok) {
    send(res, 401, DEV_TOKEN_REFUSAL);
    return;
  }
  if (pass.setCookie) res.setHeader('set-cookie', pass.setCookie);
  if (await handlePreview(req, res)) return; // GET / and /preview/*: the mini-program in a browser (localcloud/preview.ts)
  if (url.pathname === '/db') {
    await serveSdk(db, storageRoot, req, res);
    return;
  }
  if (req.method === 'GET' && url.pathname === '/health') {
    if (!state.ready) {
      send(res, 503, { ok: false, message: '本地云正在启动（生成演示数据），请稍候', data: { status: 'starting' } });
      return;
    }
    send(res, 200, { ok: true, data: { status: 'ok', functions: Object.keys(FUNCTIONS), db: db.stats() } });
    return;
  }
  if (req.method === 'GET' && url.pathname === '/dev/users') {
    send(res, 200, { ok: true, data: await listUsers() });
    return;
  }
  if (url.pathname === '/dev/pay' || url.pathname.startsWith('/dev/pay/')) {
    // The payment platform's stand-in (issue 19): pay, deliver its notifications (late, repeated, out of order).
    let body: unknown = null;
    if (req.method === 'POST') {
      try {
        body = JSON.parse((await readBody(req)) || '{}');
      } catch (error) {
        if (error instanceof BodyTooLarge) throw error;
      }
    }
    const answer = await handleDevPay(
      req.method ?? '',
      url.pathname,
      body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {},
    );
    if (answer) {
      send(res, answer.status, answer.body);
      return;
    }
  }
  if (req.method === 'GET' && url.pathname === '/dev/wechat') {
    // What the functions asked of WeChat (subscribe messages, codes, …) and what WeChat's stand-ins answered.
    send(res, 200, { ok: true, data: wxCalls(url.searchParams.get('api') ?? undefined) });
    return;
  }
  if (req.method === 'GET' && url.pathname === '/dev/outbox') {
    // What would have gone out as WeChat subscribe messages, newest first.
    const openid = url.searchParams.get('openid');
    const query = database()
      .collection('outbox')
      .where(openid ? { openid } : {});
    const page = await query.orderBy('createdAt', 'desc').limit(100).get();
    send(res, 200, { ok: true, data: page.data });
    return;
  }
  if (req.method === 'POST' && url.pathname === '/dev/cloudid') {
    // Stands in for wx.getGroupEnterInfo / wx.getShareInfo: a cloudID of a group for the caller, valid 5 minutes.
    const header = req.headers[DEV_USER_HEADER];
    const openid = typeof header === 'string' && header.trim() ? header.trim() : null;
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req)) || '{}');
    } catch (error) {
      if (error instanceof BodyTooLarge) throw error;
      body = null;
    }
    const openGId = body && typeof body === 'object' ? (body as { openGId?: unknown }).openGId : undefined;
    if (!openid || typeof openGId !== 'string' || !/^[\w-]{1,128}$/.test(openGId)) {
      send(res, 400, {
        ok: false,
        code: 'COMMON.INVALID_INPUT',
        message: `需要 ${DEV_USER_HEADER} 和 {openGId}（字母、数字、_ 或 -）`,
      });
      return;
    }
    send(res, 200, { ok: true, data: issueCloudId(openid, { openGId }) });
    return;
  }
  if (req.method === 'POST' && url.pathname === '/storage/upload') {
    const { fields, file } = parseMultipart(
      await readBytes(req, MAX_UPLOAD),
      String(req.headers['content-type'] ?? ''),
    );
    if (!file) {
      send(res, 400, { ok: false, code: 'COMMON.INVALID_INPUT', message: '没有收到文件' });
      return;
    }
    const path = saveFile(storageRoot, fields.cloudPath ?? '', file.data);
    send(res, 200, { ok: true, data: { fileID: `${localBase(req)}/storage/${path}` } });
    return;
  }
  if (req.method === 'PUT' && url.pathname.startsWith('/storage/')) {
    // The SDK's upload (`app.uploadFile`) PUTs the bytes where storage.getUploadMetadata said; an empty answer is success.
    const data = await readBytes(req, MAX_UPLOAD);
    saveFile(storageRoot, decodeURIComponent(url.pathname.slice('/storage/'.length)), data);
    res.writeHead(200, { 'content-length': 0 });
    res.end();
    return;
  }
  if (req.method === 'GET' && url.pathname.startsWith('/storage/')) {
    const data = readStored(storageRoot, decodeURIComponent(url.pathname.slice('/storage/'.length)));
    if (!data) {
      send(res, 404, { ok: false, code: 'COMMON.NOT_FOUND', message: '没有这个文件' });
      return;
    }
    const type = /\.png$/i.test(url.pathname) ? 'image/png' : /\.jpe?g$/i.test(url.pathname) ? 'image/jpeg' : null;
    res.writeHead(200, {
      'content-type': type ?? 'application/octet-stream',
      'content-length': data.length,
      // The preview draws stored images on a canvas (door posters) and reads the canvas back.
      'access-control-allow-origin': '*',
    });
    res.end(data);
    return;
  }
  const fn = /^\/fn\/([a-z][\w-]*)$/.exec(url.pathname);
  if (req.method === 'POST' && fn) {
    const name = fn[1] as keyof typeof FUNCTIONS;
    // Own keys only: /fn/hasOwnProperty or /fn/constructor is no function of the app.
    const main = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
    if (typeof main !== 'function') {
      send(res, 404, { ok: false, code: 'COMMON.UNKNOWN_ACTION', message: `没有这个云函数：${name}` });
      return;
    }
    let event: unknown;
    try {
      const text = await readBody(req);
      if (jsonDepth(text) > MAX_DEPTH) {
        send(res, 400, { ok: false, code: 'COMMON.INVALID_INPUT', message: `请求内容嵌套不能超过 ${MAX_DEPTH} 层` });
        return;
      }
      event = text ? JSON.parse(text) : {};
    } catch (error) {
      if (error instanceof BodyTooLarge) throw error;
      send(res, 400, { ok: false, code: 'COMMON.INVALID_INPUT', message: '请求内容不是合法的 JSON' });
      return;
    }
    const header = req.headers[DEV_USER_HEADER];
    const openid = typeof header === 'string' && header.trim() ? header.trim() : null;
    send(res, 200, await invokeFunction(name, main, event, openid));
    return;
  }
  send(res, 404, { ok: false, code: 'COMMON.NOT_FOUND', message: `没有这个地址：${url.pathname}` });
}

/**
 * The card signing key of the local cloud: kept beside its data so cards stay valid across
 * restarts (CloudBase has its own in the functions' environment; this one is for development).
 */
function ensureCardKey(dataDir: string | null): void {
  if (process.env.GRIDLINK_CARD_SIGNING_KEY) return;
  const file = dataDir ? join(dataDir, 'card-signing-key') : null;
  if (file && existsSync(file)) {
    process.env.GRIDLINK_CARD_SIGNING_KEY = readFileSync(file, 'utf8').trim();
    return;
  }
  const key = randomBytes(32).toString('base64url');
  if (file) {
    mkdirSync(dataDir as string, { recursive: true });
    writeFileSync(file, key, { mode: 0o600 });
  }
  process.env.GRIDLINK_CARD_SIGNING_KEY = key;
}

/** Starts the local cloud; functions in this process then reach it through the SDK. */
export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  ensureCardKey(options.dataDir);
  const db = await createDbService({ dataDir: options.dataDir });
  const storageRoot = options.dataDir
    ? join(options.dataDir, 'storage')
    : mkdtempSync(join(tmpdir(), 'gridlink-storage-'));
  const host = options.host ?? '127.0.0.1';
  const state = { ready: false, token: isLoopbackHost(host) ? null : (options.token ?? newDevToken()) };
  const server: Server = createServer((req, res) => {
    route(db, storageRoot, state, req, res).catch((error: unknown) => {
      if (error instanceof BodyTooLarge) {
        const mb = Math.round(error.limit / 1024 / 1024);
        if (!res.headersSent)
          send(res, 413, { ok: false, code: 'COMMON.INVALID_INPUT', message: `请求内容太大（最大 ${mb} MB）` });
        return;
      }
      console.error('[localcloud]', error);
      if (!res.headersSent) send(res, 500, { ok: false, code: 'COMMON.INTERNAL', message: '本地云内部错误' });
    });
  });
  // The SDK keeps sockets alive and reuses them; Node's 5 s default would close a socket just as the
  // SDK picks it up for its next request (ECONNRESET under load). Keep them longer than any client idles.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8787, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = reachableUrl(host, port);
  // The SDK appends its query to a serviceUrl that has one: the functions' database requests carry the token.
  const dbUrl = state.token ? `${url}/db?token=${state.token}&` : `${url}/db`;
  process.env.GRIDLINK_DB_URL = dbUrl;
  resetCloudApp();

  for (const name of COLLECTIONS) db.createCollection(name);
  db.ensureIndexes(INDEXES);
  const seedOption = options.seed ?? true;
  const seeded = seedOption ? await seedIfEmpty(database(), seedOption === true ? {} : seedOption) : false;

  const intervals = (options.timers ? TIMERS : []).map((t) => {
    const tick = () =>
      runTimer(t.fn, t.trigger).catch((error: unknown) =>
        console.error(`[localcloud] timer ${t.fn}.${t.trigger} failed`, error),
      );
    const handle = setInterval(() => void tick(), t.everyMs);
    handle.unref();
    return handle;
  });

  const prepared = options.prepare ? await options.prepare(url, seeded) : null;
  state.ready = true;

  return {
    url,
    dbUrl,
    db,
    seeded,
    prepared,
    token: state.token,
    async close() {
      intervals.forEach(clearInterval);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
      if (process.env.GRIDLINK_DB_URL === dbUrl) delete process.env.GRIDLINK_DB_URL;
      resetCloudApp();
    },
  };
}
