import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { platformContext } from '../../localcloud/invoke';
import { buildAll, EXCEL_FILE, type BuiltFunction } from '../../scripts/build-functions';
import { FUNCTIONS } from '../../server/functions/registry';
import { startTestCloud, type TestCloud } from '../helpers/cloud';

const root = resolve(__dirname, '../..');

describe('each cloud function deploys on its own', () => {
  let t: TestCloud;
  let built: Record<string, BuiltFunction>;
  beforeAll(async () => {
    built = await buildAll();
    t = await startTestCloud({ seed: { grids: 2, households: 24 } });
  }, 120_000); // bundles nine functions with esbuild: seconds on a busy CI machine
  afterAll(() => t.close());

  it.each(Object.keys(FUNCTIONS))('%s has a bundled index.js, package.json and config.json', (name) => {
    const dir = join(root, 'cloudfunctions', name);
    for (const file of ['index.js', 'package.json', 'config.json']) expect(existsSync(join(dir, file))).toBe(true);
    expect(existsSync(join(dir, 'index.ts'))).toBe(false);
    // WeChat's config.json takes one trigger per function ("目前仅支持一个触发器").
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as {
      triggers: Array<{ type: string; config: string }>;
    };
    expect(config.triggers.length).toBeLessThanOrEqual(1);
    for (const trigger of config.triggers) expect(trigger.config.split(' ')).toHaveLength(7);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies)).toEqual(['@cloudbase/node-sdk']);
    const bundle = readFileSync(join(dir, 'index.js'), 'utf8');
    // The core is inside the bundle; only the SDK is required from outside.
    const requires = [...bundle.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(
      requires.filter((r) => !r?.startsWith('node:') && !['crypto', 'fs', 'path', 'util', 'os'].includes(r ?? '')),
    ).toEqual(expect.arrayContaining(['@cloudbase/node-sdk']));
    expect(new Set(requires.filter((r) => r && !/^(node:)?[a-z_]+$/.test(r)))).toEqual(
      new Set(['@cloudbase/node-sdk', ...(built[name]?.excel ? [`./${EXCEL_FILE}`] : [])]),
    );
  });

  /** Functions whose own code builds or reads workbooks (imports exceljs or server/lib/excel.ts). */
  const excelFunctions = Object.keys(FUNCTIONS).filter((name) =>
    readdirSync(join(root, 'server/functions', name)).some((file) =>
      /from '(exceljs|\.\.\/\.\.\/lib\/excel)'/.test(readFileSync(join(root, 'server/functions', name, file), 'utf8')),
    ),
  );

  it('minifies every bundle and keeps it under 1 MB; exceljs lives only beside the functions that use Excel', () => {
    expect(excelFunctions.length).toBeGreaterThan(0);
    // The functions on the hot paths (ordering, identity, health) never carry Excel.
    for (const hot of ['order', 'user', 'system']) expect(excelFunctions).not.toContain(hot);
    for (const name of Object.keys(FUNCTIONS)) {
      const dir = join(root, 'cloudfunctions', name);
      const index = readFileSync(join(dir, 'index.js'), 'utf8');
      expect(built[name]?.index).toBe(Buffer.byteLength(index));
      expect(Buffer.byteLength(index)).toBeLessThan(1024 * 1024);
      expect(index.length / index.split('\n').length).toBeGreaterThan(2000); // minified: long lines, no indentation
      // exceljs's own code (its workbook writer's part names) is never in an index.js.
      expect(index).not.toContain('xl/workbook.xml');
      expect(existsSync(join(dir, EXCEL_FILE))).toBe(excelFunctions.includes(name));
      if (excelFunctions.includes(name))
        expect(readFileSync(join(dir, EXCEL_FILE), 'utf8')).toContain('xl/workbook.xml');
    }
  });

  it('a cold start of an Excel function does not load exceljs', () => {
    const name = excelFunctions[0] as string;
    const loaded = execFileSync(process.execPath, [
      '-e',
      `require(${JSON.stringify(join(root, 'cloudfunctions', name, 'index.js'))});` +
        `console.log(Object.keys(require.cache).filter((k) => k.endsWith(${JSON.stringify(EXCEL_FILE)})).length)`,
    ]);
    expect(loaded.toString().trim()).toBe('0');
  });

  it('the built org function makes a workbook through its exceljs file', async () => {
    const built = require(join(root, 'cloudfunctions/org/index.js')) as {
      main: (e: unknown, c: unknown) => Promise<any>;
    };
    const res = await built.main({ action: 'org.importTemplate', payload: {} }, platformContext('org', 'dev-admin'));
    expect(res).toMatchObject({ ok: true, data: { fileName: expect.stringMatching(/\.xlsx$/) } });
    const file = Buffer.from(res.data.base64, 'base64');
    expect(file.subarray(0, 2).toString()).toBe('PK'); // an .xlsx is a zip
    expect(file.includes(Buffer.from('xl/workbook.xml'))).toBe(true);
  });

  it('the built user function answers through the SDK like the source does', async () => {
    const built = require(join(root, 'cloudfunctions/user/index.js')) as {
      main: (e: unknown, c: unknown) => Promise<any>;
    };
    const res = await built.main({ action: 'user.me', payload: {} }, platformContext('user', 'bundle-user'));
    expect(res).toMatchObject({ ok: true, data: { openid: 'bundle-user' } });
  });
});
