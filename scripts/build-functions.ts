/**
 * Bundles each cloud function's TypeScript (server/functions/<name>/index.ts, with the domain
 * core and the shared runtime) into cloudfunctions/<name>/index.js, minified, leaving the SDK
 * external, so every function folder deploys on its own with its package.json and config.json.
 *
 * Excel (exceljs, ~1 MB minified with its zip and stream libraries) is not in any index.js: a
 * function that builds or reads workbooks gets it as a second file, cloudfunctions/<name>/exceljs.js,
 * required the first time a workbook is touched. Functions that never import exceljs have no such
 * file, and every function's cold start loads only its own index.js.
 */
import { build, type Plugin } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { TIMERS } from '../server/functions/registry';

const root = resolve(__dirname, '..');
const srcDir = join(root, 'server/functions');
const outDir = join(root, 'cloudfunctions');
const SDK_VERSION = '3.18.3';

/** The file beside index.js that holds exceljs, in the functions that use it. */
export const EXCEL_FILE = 'exceljs.js';

/** Node version the bundles are compiled for (the lowest CloudBase runtime they may run on). */
export const BUILD_TARGET = 'node16';

/** What config.json says for every function (CloudBase's own default timeout is 3 s). */
export const FUNCTION_TIMEOUT_S = 20;

/** Names of the functions that have a source entry. */
export function functionNames(): string[] {
  return readdirSync(srcDir)
    .filter((name) => statSync(join(srcDir, name)).isDirectory())
    .filter((name) => existsSync(join(srcDir, name, 'index.ts')))
    .sort();
}

/** CloudBase's cloud payment APIs (issue 19): every function that settles payments or refunds calls them. */
const CLOUD_PAY = [
  'cloudPay.unifiedOrder',
  'cloudPay.queryOrder',
  'cloudPay.closeOrder',
  'cloudPay.refund',
  'cloudPay.queryRefund',
];

/** WeChat open APIs each function calls (CloudBase lets a function call only those its config.json lists). */
const OPENAPI: Record<string, string[]> = {
  // The live group order's updates and close (issue 13): server/lib/live-message.ts, from the timer.
  // WeChat Pay (issue 19): paying, the timer's expiry and refunds (server/lib/payments.ts, refunds.ts).
  order: ['subscribeMessage.send', 'updatableMessage.setUpdatableMsg', ...CLOUD_PAY],
  // Invite codes and the live group order's activity id (issue 13): server/lib/wxacode.ts, grid/chat.ts.
  grid: ['wxacode.getUnlimited', 'updatableMessage.createActivityId'],
  // Rejections and shortfalls at the door refund (issue 19); the payment callback verifies and refunds.
  dispatch: CLOUD_PAY,
  payment: CLOUD_PAY,
};

/** The config.json of a function, derived: timers from the registry, open API rights for the sender. */
export function functionConfig(name: string): {
  permissions: { openapi: string[] };
  triggers: Array<{ name: string; type: 'timer'; config: string }>;
  timeout: number;
} {
  const triggers = TIMERS.filter((t) => t.fn === name).map((t) => ({
    name: t.trigger,
    type: 'timer' as const,
    config: t.cron,
  }));
  const openapi = OPENAPI[name] ?? [];
  return { permissions: { openapi }, triggers, timeout: FUNCTION_TIMEOUT_S };
}

/**
 * Stands in for `exceljs` inside a bundle: an object with exceljs's export names whose getters
 * require ./exceljs.js on first use (esbuild's interop copies the names as getters, so nothing
 * loads until a workbook is made or read).
 */
function lazyExcel(): Plugin {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const names = Object.keys(require('exceljs') as object);
  const contents = [
    'let loaded;',
    `const load = () => loaded || (loaded = require("./${EXCEL_FILE}"));`,
    `for (const name of ${JSON.stringify(names)})`,
    '  Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });',
  ].join('\n');
  return {
    name: 'lazy-exceljs',
    setup(b) {
      b.onResolve({ filter: /^exceljs$/ }, () => ({ path: 'exceljs', namespace: 'lazy-exceljs' }));
      b.onLoad({ filter: /.*/, namespace: 'lazy-exceljs' }, () => ({ contents, loader: 'js' }));
      // The file itself stays a require at run time, beside index.js.
      b.onResolve({ filter: /^\.\/exceljs\.js$/, namespace: 'lazy-exceljs' }, (args) => ({
        path: args.path,
        external: true,
      }));
    },
  };
}

const COMMON = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: BUILD_TARGET,
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
} as const;

/** One function's bundle, in memory: its code, and whether it needs the exceljs file. */
async function bundle(name: string): Promise<{ code: Uint8Array; excel: boolean }> {
  const result = await build({
    ...COMMON,
    entryPoints: [join(srcDir, name, 'index.ts')],
    outfile: join(outDir, name, 'index.js'),
    write: false,
    external: ['@cloudbase/node-sdk', 'wx-server-sdk'],
    plugins: [lazyExcel()],
    banner: { js: `// Built by scripts/build-functions.ts from server/functions/${name} — do not edit.` },
  });
  const excel = Object.keys(result.metafile.inputs).some((p) => p.startsWith('lazy-exceljs:'));
  return { code: result.outputFiles[0]?.contents ?? new Uint8Array(), excel };
}

/** Writes a file whole or not at all (a test or bench may be loading the previous build meanwhile). */
function writeAtomically(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/**
 * The repository's own code in a function's bundle, by source file (node_modules left out): the
 * unminified bundle cut at esbuild's `// path` module comments, so only code that survived
 * tree-shaking is there (what the function can actually run, e.g. read from process.env).
 */
export async function bundledSources(name: string): Promise<Record<string, string>> {
  const result = await build({
    ...COMMON,
    minify: false,
    entryPoints: [join(srcDir, name, 'index.ts')],
    outfile: join(outDir, name, 'index.js'),
    write: false,
    external: ['@cloudbase/node-sdk', 'wx-server-sdk'],
    plugins: [lazyExcel()],
  });
  const parts = (result.outputFiles[0]?.text ?? '').split(/^\/\/ (\S+)$/m);
  const sections: Record<string, string> = {};
  for (let i = 1; i < parts.length; i += 2) {
    const path = parts[i] as string;
    if (path.includes('node_modules') || path.includes(':')) continue;
    const file = relative(root, resolve(root, path));
    sections[file] = (sections[file] ?? '') + (parts[i + 1] ?? '');
  }
  return sections;
}

let excelCode: Promise<Uint8Array> | null = null;

/** exceljs alone, minified, built once per process and written beside each function that uses it. */
function excelBundle(): Promise<Uint8Array> {
  excelCode ??= build({
    ...COMMON,
    stdin: { contents: 'module.exports = require("exceljs");', resolveDir: root, loader: 'js' },
    outfile: EXCEL_FILE,
    write: false,
    banner: { js: '// exceljs, built by scripts/build-functions.ts — do not edit.' },
  }).then((r) => r.outputFiles[0]?.contents ?? new Uint8Array());
  return excelCode;
}

/** Sizes of one built function folder's code, in bytes. */
export interface BuiltFunction {
  /** index.js: what a cold start loads. */
  index: number;
  /** exceljs.js, or 0 for a function that never touches Excel. */
  excel: number;
}

async function buildOne(name: string): Promise<BuiltFunction> {
  const dir = join(outDir, name);
  mkdirSync(dir, { recursive: true });
  const pkg = join(dir, 'package.json');
  if (!existsSync(pkg)) {
    writeFileSync(
      pkg,
      `${JSON.stringify({ name, version: '1.0.0', private: true, main: 'index.js', dependencies: { '@cloudbase/node-sdk': SDK_VERSION } }, null, 2)}\n`,
    );
  }
  writeAtomically(join(dir, 'config.json'), `${JSON.stringify(functionConfig(name), null, 2)}\n`);
  const { code, excel } = await bundle(name);
  writeAtomically(join(dir, 'index.js'), code);
  const excelPath = join(dir, EXCEL_FILE);
  if (!excel) {
    rmSync(excelPath, { force: true });
    return { index: code.byteLength, excel: 0 };
  }
  const excelJs = await excelBundle();
  writeAtomically(excelPath, excelJs);
  return { index: code.byteLength, excel: excelJs.byteLength };
}

/** Builds every function; answers name → sizes of its code. */
export async function buildAll(): Promise<Record<string, BuiltFunction>> {
  const names = functionNames();
  const built = await Promise.all(names.map(buildOne));
  return Object.fromEntries(names.map((n, i) => [n, built[i] as BuiltFunction]));
}

async function run(): Promise<void> {
  const built = await buildAll();
  const kb = (bytes: number) => Math.round(bytes / 1024);
  const summary = Object.entries(built)
    .map(([n, b]) => `${n} ${kb(b.index)}KB${b.excel ? ` (+${EXCEL_FILE} ${kb(b.excel)}KB)` : ''}`)
    .join(', ');
  console.log(`[build-functions] ${Object.keys(built).length} functions → cloudfunctions/: ${summary}`);
}

if (require.main === module) {
  run().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
