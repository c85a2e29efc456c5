/**
 * Bundles each cloud function's TypeScript (server/functions/<name>/index.ts, with the domain
 * core and the shared runtime) into cloudfunctions/<name>/index.js, leaving the SDK external,
 * so every function folder deploys on its own with its package.json and config.json.
 */
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TIMERS } from '../server/functions/registry';

const root = resolve(__dirname, '..');
const srcDir = join(root, 'server/functions');
const outDir = join(root, 'cloudfunctions');
const SDK_VERSION = '3.18.3';

/** Names of the functions that have a source entry. */
export function functionNames(): string[] {
  return readdirSync(srcDir)
    .filter((name) => statSync(join(srcDir, name)).isDirectory())
    .filter((name) => existsSync(join(srcDir, name, 'index.ts')))
    .sort();
}

async function buildOne(name: string): Promise<number> {
  const dir = join(outDir, name);
  mkdirSync(dir, { recursive: true });
  const pkg = join(dir, 'package.json');
  if (!existsSync(pkg)) {
    writeFileSync(
      pkg,
      `${JSON.stringify({ name, version: '1.0.0', private: true, main: 'index.js', dependencies: { '@cloudbase/node-sdk': SDK_VERSION } }, null, 2)}\n`,
    );
  }
  // config.json is derived: timers from the registry, open API rights for the sender.
  const triggers = TIMERS.filter((t) => t.fn === name).map((t) => ({ name: t.trigger, type: 'timer', config: t.cron }));
  const openapi = name === 'order' ? ['subscribeMessage.send'] : [];
  writeFileSync(
    join(dir, 'config.json'),
    `${JSON.stringify({ permissions: { openapi }, triggers, timeout: 20 }, null, 2)}\n`,
  );
  const result = await build({
    entryPoints: [join(srcDir, name, 'index.ts')],
    outfile: join(dir, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node16',
    format: 'cjs',
    external: ['@cloudbase/node-sdk', 'wx-server-sdk'],
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    banner: { js: `// Built by scripts/build-functions.ts from server/functions/${name} — do not edit.` },
  });
  const out = Object.values(result.metafile.outputs)[0];
  return out ? out.bytes : 0;
}

/** Builds every function; answers name → bundle bytes. */
export async function buildAll(): Promise<Record<string, number>> {
  const names = functionNames();
  const sizes = await Promise.all(names.map(buildOne));
  return Object.fromEntries(names.map((n, i) => [n, sizes[i] ?? 0]));
}

async function run(): Promise<void> {
  const built = await buildAll();
  const names = Object.keys(built);
  const sizes = Object.values(built);
  const summary = names.map((n, i) => `${n} ${Math.round((sizes[i] ?? 0) / 1024)}KB`).join(', ');
  console.log(`[build-functions] ${names.length} functions → cloudfunctions/: ${summary}`);
}

if (require.main === module) {
  run().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
