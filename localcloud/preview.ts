/**
 * Serves the browser preview of the mini-program (`/` and `/preview/*`): the files built by
 * scripts/build-preview.ts into `.preview/` (built on the first request, or at start by
 * `warmPreview`; rebuilt when a page, component or the preview runtime changed), Noto Sans SC
 * from @fontsource and TDesign's icons from tdesign-icons-svg.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const OUT = join(ROOT, '.preview');
const FONTS = join(ROOT, 'node_modules/@fontsource/noto-sans-sc/files');
const ICONS = join(ROOT, 'node_modules/tdesign-icons-svg/src');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
};

let building: Promise<unknown> | null = null;
let checkedAt = 0;
let builder: ChildProcess | null = null;

/**
 * Builds the preview if it is missing or stale (checked at most every 2 s). The build (wcc, wcsc,
 * esbuild) runs in a child process: done in this one it would hold the event loop for seconds,
 * and the local cloud would stop answering calls, health and Ctrl-C meanwhile.
 */
export function ensurePreview(): Promise<unknown> {
  if (building) return building;
  if (Date.now() - checkedAt < 2000 && existsSync(join(OUT, 'index.html'))) return Promise.resolve();
  building = new Promise<void>((resolveBuild, rejectBuild) => {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'scripts/build-preview.ts')],
      {
        cwd: ROOT,
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    builder = child;
    child.on('error', rejectBuild);
    child.on('exit', (code, signal) =>
      code === 0 ? resolveBuild() : rejectBuild(new Error(`preview build exited ${code ?? signal}`)),
    );
  }).finally(() => {
    building = null;
    builder = null;
    checkedAt = Date.now();
  });
  return building;
}

/** Stops a build in progress (the local cloud is shutting down). */
export function stopPreviewBuild(): void {
  builder?.kill('SIGTERM');
}

/** Starts the build in the background (npm start), so the first page opens at once. */
export function warmPreview(): void {
  ensurePreview().catch((error: unknown) => console.error('[preview] build failed:', error));
}

function sendFile(res: ServerResponse, file: string, cache: string): void {
  if (!existsSync(file)) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('not found');
    return;
  }
  let body: Buffer = readFileSync(file);
  // tdesign-icons-svg spells the attribute `view-box`, which browsers ignore.
  if (file.startsWith(ICONS)) body = Buffer.from(body.toString('utf8').replace(/view-box=/g, 'viewBox='));
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': body.length,
    'cache-control': cache,
  });
  res.end(body);
}

function inside(dir: string, rel: string): string | null {
  const full = normalize(join(dir, rel));
  return full.startsWith(`${dir}/`) ? full : null;
}

/** Answers the request if it is the preview's; false lets the caller route it. */
export async function handlePreview(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const path = url.pathname;
  if (path !== '/' && path !== '/preview' && !path.startsWith('/preview/')) return false;
  const rel =
    path === '/' || path === '/preview' || path === '/preview/'
      ? 'index.html'
      : decodeURIComponent(path.slice('/preview/'.length));
  const versioned = url.searchParams.has('v');
  const cache = versioned ? 'public, max-age=31536000, immutable' : 'no-cache';
  if (rel.startsWith('fonts/')) {
    const file = inside(FONTS, rel.slice('fonts/'.length));
    if (file) sendFile(res, file, 'public, max-age=31536000, immutable');
    return Boolean(file) || (sendFile(res, '', ''), true);
  }
  if (rel.startsWith('icons/')) {
    const file = inside(ICONS, rel.slice('icons/'.length));
    if (file) sendFile(res, file, 'public, max-age=86400');
    return Boolean(file) || (sendFile(res, '', ''), true);
  }
  try {
    await ensurePreview();
  } catch (error) {
    console.error('[preview] build failed:', error);
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`预览构建失败 / preview build failed:\n${String(error instanceof Error ? error.stack : error)}`);
    return true;
  }
  const file = inside(OUT, rel);
  sendFile(res, file ?? '', rel.endsWith('.html') || rel === 'manifest.json' ? 'no-cache' : cache);
  return true;
}
