/**
 * The deployable functions as CloudBase loads them: each bundle's size (minified index.js; the Excel
 * functions' exceljs.js apart) and its cold start — a fresh Node process that requires the built
 * index.js and answers one first call through the SDK against a local cloud (median of RUNS).
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startLocalCloud } from '../localcloud/app';
import { platformContext } from '../localcloud/invoke';
import { buildAll, EXCEL_FILE } from '../scripts/build-functions';
import { percentile, report } from './stats';

const root = resolve(__dirname, '..');
const run$ = promisify(execFile);
const RUNS = 5;

/** A first call per function: a read its typical caller makes (demo users of the seed). */
const FIRST_CALL: Record<string, { action: string; payload: unknown; openid: string | null }> = {
  system: { action: 'system.health', payload: {}, openid: null },
  user: { action: 'user.me', payload: {}, openid: 'dev-res-0001' },
  household: { action: 'household.communities', payload: {}, openid: 'dev-res-0001' },
  grid: { action: 'grid.mine', payload: {}, openid: 'dev-res-0001' },
  order: { action: 'order.catalog', payload: {}, openid: 'dev-res-0001' },
  org: { action: 'org.structure', payload: {}, openid: 'dev-admin' },
  testing: { action: 'testing.publicKeys', payload: {}, openid: 'dev-res-0001' },
  volunteer: { action: 'volunteer.me', payload: {}, openid: 'dev-vol-001' },
  dispatch: { action: 'dispatch.myJobs', payload: {}, openid: 'dev-vol-001' },
};

/** Runs `code` in a fresh Node process; answers what it printed as JSON. */
async function fresh<T>(code: string): Promise<T> {
  const { stdout } = await run$(process.execPath, ['-e', code], { cwd: root, env: process.env });
  return JSON.parse(stdout.trim().split('\n').pop() as string) as T;
}

/** Require + first answer of a bundle in a fresh process, in ms; and whether the answer was ok. */
function coldStart(
  bundle: string,
  event: unknown,
  context: unknown,
): Promise<{ ms: number; ok: boolean; code?: string }> {
  return fresh(`
    const t0 = process.hrtime.bigint();
    const { main } = require(${JSON.stringify(bundle)});
    main(${JSON.stringify(event)}, ${JSON.stringify(context)}).then((res) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      console.log(JSON.stringify({ ms, ok: Boolean(res && res.ok), code: res && res.code }));
      process.exit(0);
    });`);
}

/** Runs the section and prints its lines. */
export async function run(): Promise<void> {
  const built = await buildAll();
  const cloud = await startLocalCloud({ dataDir: null, port: 0, seed: { grids: 2, households: 40 } });
  try {
    // What every function pays before its own code: Node and the SDK.
    const sdk: number[] = [];
    for (let i = 0; i < RUNS; i += 1)
      sdk.push(
        (
          await fresh<{ ms: number }>(`const t0 = process.hrtime.bigint(); require('@cloudbase/node-sdk');
          console.log(JSON.stringify({ ms: Number(process.hrtime.bigint() - t0) / 1e6 }));`)
        ).ms,
      );
    report('bundle.sdk_require_ms', percentile(sdk, 50));

    for (const [fn, size] of Object.entries(built)) {
      const kb = size.index / 1024;
      // index.js is all a cold start loads; the Excel functions' exceljs.js is reported apart.
      report(`bundle.${fn}_kb`, kb, '< 1024');
      if (size.excel) report(`bundle.${fn}_${EXCEL_FILE.replace('.js', '')}_kb`, size.excel / 1024);
      const first = FIRST_CALL[fn] ?? { action: `${fn}.unknown`, payload: {}, openid: null };
      const context = platformContext(fn, first.openid);
      const samples: number[] = [];
      let answer = '';
      for (let i = 0; i < RUNS; i += 1) {
        const r = await coldStart(join(root, 'cloudfunctions', fn, 'index.js'), first, context);
        samples.push(r.ms);
        answer = r.ok ? 'ok' : (r.code ?? 'no answer');
      }
      report(`bundle.${fn}_cold_ms`, percentile(samples, 50));
      if (answer !== 'ok') console.log(`  (${fn}: ${first.action} answered ${answer})`);
    }

    // An Excel function's first workbook: loading exceljs.js, paid by the export, not by the cold start.
    const excelFn = Object.keys(built).find((fn) => built[fn]?.excel);
    if (excelFn) {
      const load: number[] = [];
      for (let i = 0; i < RUNS; i += 1)
        load.push(
          (
            await fresh<{ ms: number }>(`const t0 = process.hrtime.bigint();
            require(${JSON.stringify(join(root, 'cloudfunctions', excelFn, EXCEL_FILE))});
            console.log(JSON.stringify({ ms: Number(process.hrtime.bigint() - t0) / 1e6 }));`)
          ).ms,
        );
      report('bundle.exceljs_load_ms', percentile(load, 50));
    }
  } finally {
    await cloud.close();
  }
}
