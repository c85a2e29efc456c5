/**
 * Builds the browser preview of the mini-program into `.preview/` (ignored, never committed):
 * the app's real WXML compiled by wcc, its WXSS by wcsc (WeChat's own rpx rounding), the page and
 * component TypeScript plus TDesign bundled by esbuild together with j-component/exparser and the
 * wx shim (preview/), and the shell page with the phone frame. `tsx scripts/build-preview.ts`.
 *
 * The output is keyed by the content of everything it is built from, so a second build with no
 * change is a no-op (~50 ms) and `localcloud/preview.ts` can call it on every start.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, posix, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const MP = join(ROOT, 'miniprogram');
const PREVIEW_SRC = join(ROOT, 'preview');
export const PREVIEW_OUT = join(ROOT, '.preview');

/** One component (or page) of the app, with its children by tag. */
export interface ManifestComponent {
  using: Record<string, string>;
  page: boolean;
}

/** What the runtime and the shell know about the app. */
export interface Manifest {
  key: string;
  pages: string[];
  pageConfig: Record<string, Record<string, unknown>>;
  window: Record<string, unknown>;
  components: Record<string, ManifestComponent>;
  builtAt: string;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else out.push(full);
  }
  return out;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- app.json and page JSON, read as written
type Json = Record<string, any>;

function readJson(file: string): Json {
  return JSON.parse(readFileSync(file, 'utf8')) as Json;
}

/** Where a usingComponents value points, as a root-relative path without extension. */
function resolveUsing(from: string, value: string): string {
  if (value.startsWith('/')) return posix.normalize(value.slice(1));
  if (value.startsWith('tdesign-miniprogram/')) return `miniprogram_npm/${value}`;
  if (value.startsWith('.')) return posix.normalize(posix.join(posix.dirname(from), value));
  return `miniprogram_npm/${value}`;
}

function jsFileOf(path: string): string | null {
  for (const ext of ['.ts', '.js']) if (existsSync(join(MP, path + ext))) return join(MP, path + ext);
  return null;
}

function collect(): Omit<Manifest, 'key' | 'builtAt'> {
  const app = readJson(join(MP, 'app.json'));
  const components: Record<string, ManifestComponent> = {};
  const pageConfig: Record<string, Record<string, unknown>> = {};
  const visit = (path: string, page: boolean) => {
    if (components[path]) return;
    const json = readJson(join(MP, `${path}.json`));
    const using: Record<string, string> = {};
    const all = { ...(page ? (app.usingComponents ?? {}) : {}), ...(json.usingComponents ?? {}) } as Record<
      string,
      string
    >;
    for (const [tag, value] of Object.entries(all)) {
      const target = resolveUsing(
        page && (app.usingComponents ?? {})[tag] === value && !(json.usingComponents ?? {})[tag] ? 'app' : path,
        value,
      );
      if (existsSync(join(MP, `${target}.json`))) using[tag] = target;
    }
    components[path] = { using, page };
    if (page) {
      const { usingComponents: _u, ...config } = json;
      pageConfig[path] = config;
    }
    for (const child of Object.values(using)) visit(child, false);
  };
  for (const page of app.pages as string[]) visit(page, true);
  return { pages: app.pages as string[], pageConfig, window: app.window ?? {}, components };
}

function sourceKey(): string {
  const hash = createHash('sha256');
  const files = [...walk(MP), ...walk(PREVIEW_SRC), __filename, join(ROOT, 'package-lock.json')].filter(
    (f) => !f.includes(`${join(MP, 'miniprogram_npm')}/`) || /\.(js|json|wxml|wxss|wxs)$/.test(f),
  );
  for (const file of files) hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** The icons TDesign knows, as CSS masks over the tdesign-icons-svg files. */
function iconCss(): string {
  const dir = join(ROOT, 'node_modules/tdesign-icons-svg/src');
  if (!existsSync(dir)) return '';
  const rules: string[] = [];
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.svg')) continue;
    const name = file.slice(0, -4);
    rules.push(
      `[class~="t-icon--t-icon-${name}"]::before,[class~="t-icon-${name}"]::before{content:"";-webkit-mask-image:url(icons/${name}.svg);mask-image:url(icons/${name}.svg)}`,
    );
  }
  return rules.join('\n');
}

/** Noto Sans SC (base.css makes it the face of every family TDesign and the app ask for). */
function fontCss(): string {
  const dir = join(ROOT, 'node_modules/@fontsource/noto-sans-sc');
  if (!existsSync(dir)) return '';
  const out: string[] = [];
  for (const weight of ['400', '600']) {
    const css = readFileSync(join(dir, `${weight}.css`), 'utf8').replace(/url\(\.\/files\//g, 'url(fonts/');
    for (const family of ['Noto Sans SC']) {
      out.push(
        css
          .replace(/font-family: 'Noto Sans SC'/g, `font-family: '${family}'`)
          .replace(
            /src: url\(([^)]+)\) format\('woff2'\), url\([^)]+\) format\('woff'\)/g,
            "src: url($1) format('woff2')",
          ),
      );
    }
  }
  return out.join('\n');
}

function html(title: string, body: string, head: string): string {
  return `<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title><link rel="icon" href="data:,">${head}</head><body>${body}</body></html>\n`;
}

/** Builds `.preview/` unless it is current; answers the manifest and whether anything was built. */
export async function buildPreview(
  options: { force?: boolean; quiet?: boolean } = {},
): Promise<{ manifest: Manifest; built: boolean; ms: number }> {
  const started = Date.now();
  const key = sourceKey();
  const manifestFile = join(PREVIEW_OUT, 'manifest.json');
  if (!options.force && existsSync(manifestFile)) {
    const old = readJson(manifestFile) as Manifest;
    if (old.key === key) return { manifest: old, built: false, ms: Date.now() - started };
  }
  // Heavy tools only when building.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS without types
  const compiler = require('miniprogram-compiler') as {
    wxmlToJs(root: string, o?: Record<string, unknown>): string;
    wxssToJs(root: string, o?: Record<string, unknown>): string;
  };
  const esbuild = await import('esbuild');
  const tmp = `${PREVIEW_OUT}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'gen'), { recursive: true });

  const info = collect();
  const manifest: Manifest = { key, ...info, builtAt: new Date().toISOString() };
  const wxml = compiler.wxmlToJs(MP, { maxBuffer: 64 * 1024 * 1024 });
  const wxss = compiler.wxssToJs(MP, { maxBuffer: 64 * 1024 * 1024 });
  if (typeof wxss !== 'string' || typeof wxml !== 'string') throw new Error('wcc/wcsc failed');
  // Plain scripts (sloppy mode: wcc's output assigns undeclared globals), loaded before runtime.js.
  writeFileSync(
    join(tmp, 'templates.js'),
    `window.__gridlinkWxml = function () {\n${wxml}\n};\nwindow.__gridlinkWxss = function () {\n${wxss}\n};\n`,
  );
  const loaders = Object.keys(info.components)
    .map((path) => {
      const js = jsFileOf(path);
      return js ? `  ${JSON.stringify(path)}: () => require(${JSON.stringify(js)}),` : '';
    })
    .filter(Boolean);
  writeFileSync(
    join(tmp, 'gen/entry.js'),
    [
      `const runtime = require(${JSON.stringify(join(PREVIEW_SRC, 'runtime.ts'))});`,
      `runtime.boot({`,
      `  manifest: require('./manifest.json'),`,
      `  gwx: window.__gridlinkWxml,`,
      `  wxss: window.__gridlinkWxss,`,
      `  app: () => require(${JSON.stringify(join(MP, 'app.ts'))}),`,
      `  loaders: {`,
      ...loaders,
      `  },`,
      `});`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(tmp, 'gen/manifest.json'), JSON.stringify(manifest));
  const common = {
    bundle: true,
    platform: 'browser' as const,
    format: 'iife' as const,
    target: 'chrome100',
    logLevel: 'silent' as const,
    legalComments: 'none' as const,
    alias: { 'tdesign-miniprogram': join(MP, 'miniprogram_npm/tdesign-miniprogram') },
    define: { 'process.env.NODE_ENV': '"development"', global: 'globalThis' },
    sourcemap: 'linked' as const,
  };
  await Promise.all([
    esbuild.build({ ...common, entryPoints: [join(tmp, 'gen/entry.js')], outfile: join(tmp, 'runtime.js') }),
    esbuild.build({ ...common, entryPoints: [join(PREVIEW_SRC, 'shell.ts')], outfile: join(tmp, 'shell.js') }),
  ]);
  rmSync(join(tmp, 'gen'), { recursive: true, force: true });
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest));
  writeFileSync(join(tmp, 'fonts.css'), fontCss());
  writeFileSync(join(tmp, 'icons.css'), iconCss());
  const v = `?v=${key}`;
  writeFileSync(
    join(tmp, 'index.html'),
    html(
      '网格通 · 小程序预览',
      '<div id="app"></div>',
      `<link rel="stylesheet" href="/preview/fonts.css${v}"><link rel="stylesheet" href="/preview/shell.css${v}"><script src="/preview/shell.js${v}" defer></script>`,
    ),
  );
  writeFileSync(
    join(tmp, 'page.html'),
    html(
      'page',
      '<div id="page"></div>',
      `<link rel="stylesheet" href="/preview/fonts.css${v}"><link rel="stylesheet" href="/preview/base.css${v}"><link rel="stylesheet" href="/preview/icons.css${v}"><script src="/preview/templates.js${v}" defer></script><script src="/preview/runtime.js${v}" defer></script>`,
    ),
  );
  for (const css of ['base.css', 'shell.css']) writeFileSync(join(tmp, css), readFileSync(join(PREVIEW_SRC, css)));
  rmSync(PREVIEW_OUT, { recursive: true, force: true });
  renameSync(tmp, PREVIEW_OUT);
  const ms = Date.now() - started;
  if (!options.quiet)
    console.log(
      `[preview] built ${Object.keys(info.components).length} components, ${info.pages.length} pages in ${ms} ms → ${relative(ROOT, PREVIEW_OUT)}/`,
    );
  return { manifest, built: true, ms };
}

if (require.main === module) {
  buildPreview({ force: process.argv.includes('--force') }).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
