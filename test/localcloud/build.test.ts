import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { platformContext } from '../../localcloud/invoke';
import { buildAll } from '../../scripts/build-functions';
import { FUNCTIONS } from '../../server/functions/registry';
import { startTestCloud, type TestCloud } from '../helpers/cloud';

const root = resolve(__dirname, '../..');

describe('each cloud function deploys on its own', () => {
  let t: TestCloud;
  beforeAll(async () => {
    await buildAll();
    t = await startTestCloud();
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
      new Set(['@cloudbase/node-sdk']),
    );
  });

  it('the built user function answers through the SDK like the source does', async () => {
    const built = require(join(root, 'cloudfunctions/user/index.js')) as {
      main: (e: unknown, c: unknown) => Promise<any>;
    };
    const res = await built.main({ action: 'user.me', payload: {} }, platformContext('user', 'bundle-user'));
    expect(res).toMatchObject({ ok: true, data: { openid: 'bundle-user' } });
  });
});
