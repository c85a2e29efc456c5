/**
 * Measures the local database service against CloudBase's own database tests: runs the
 * `test/database` suite of TencentCloudBase/node-sdk (a checkout outside this repository, never
 * copied into it) through this project's installed @cloudbase/node-sdk, with `serviceUrl` pointed at
 * a fresh in-memory local service. The suite's assertions run unchanged; only its imports are
 * mapped (its `src/index` → the installed SDK, `power-assert` → node:assert, its config → the
 * local service).
 *
 *   npx tsx scripts/sdk-conformance.ts /path/to/node-sdk/test [jest args…]
 *
 * Prints jest's per-case results and a pass count.
 */
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { runCLI } from 'jest';
import { createDbService, startDbServer } from '../localcloud/db';

async function main(): Promise<void> {
  const [suiteArg, ...jestArgs] = process.argv.slice(2);
  if (!suiteArg) throw new Error('usage: tsx scripts/sdk-conformance.ts <node-sdk>/test [jest args]');
  const testDir = resolve(suiteArg);
  if (!existsSync(join(testDir, 'database'))) throw new Error(`${testDir}/database not found`);
  const rootDir = dirname(testDir);
  const repo = resolve(__dirname, '..');
  const req = (id: string) => require.resolve(id, { paths: [repo] });
  const sdkDir = dirname(req('@cloudbase/node-sdk/package.json'));
  const dbPkg = dirname(require.resolve('@cloudbase/database/package.json', { paths: [sdkDir] }));

  const shims = join(rootDir, '.conformance');
  mkdirSync(shims, { recursive: true });
  // power-assert: `import * as assert` must stay callable (an __esModule object is used as is);
  // like the Node 10 assert it wrapped, a missing argument is compared as undefined.
  writeFileSync(
    join(shims, 'power-assert.js'),
    [
      `const a = require('node:assert');`,
      `function assert(value, message) { return a(value, message); }`,
      `for (const [k, f] of Object.entries(a)) assert[k] = typeof f !== 'function' || k === 'AssertionError' ? f : f.length >= 2 ? (x, y, m) => f(x, y, m) : f;`,
      `assert.__esModule = true;`,
      `module.exports = assert;`,
    ].join('\n'),
  );
  // The suite was written for jest 23, which let a describe() callback be async (jest 30 refuses).
  writeFileSync(
    join(shims, 'jest23.js'),
    [
      `const wrap = (d) => { const w = (name, fn) => d(name, function () { fn.call(this); }); return Object.assign(w, d); };`,
      `global.describe = Object.assign(wrap(describe), { only: wrap(describe.only), skip: describe.skip, each: describe.each });`,
    ].join('\n'),
  );
  writeFileSync(
    join(shims, 'config.js'),
    `module.exports = { env: 'conformance', secretId: 'local', secretKey: 'local', serviceUrl: process.env.CONFORMANCE_DB_URL, timeout: 15000 };\n`,
  );

  // The suite's authors ran it in China (dates like `new Date('1999/12/12')` are local times).
  process.env.TZ = process.env.TZ ?? 'Asia/Shanghai';
  const svc = await createDbService({ dataDir: null });
  const server = await startDbServer(svc);
  process.env.CONFORMANCE_DB_URL = server.url;
  process.env.TENCENTCLOUD = 'true'; // no metadata probe before each request (see server/lib/cloud.ts)

  const swc = [
    req('@swc/jest'),
    { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
  ];
  const config = {
    rootDir,
    roots: [join(testDir, 'database')],
    testMatch: ['**/*.test.ts'],
    testEnvironment: 'node',
    transform: { '^.+\\.(t|j)s$': swc },
    transformIgnorePatterns: ['/node_modules/'],
    modulePaths: [join(repo, 'node_modules')],
    moduleNameMapper: {
      '^power-assert$': join(shims, 'power-assert.js'),
      '.*/config\\.local$': join(shims, 'config.js'),
      '.*/src/index$': sdkDir,
      '.*/lib/const/code$': join(sdkDir, 'dist/const/code.js'),
      '^@cloudbase/database/src/(.*)$': join(dbPkg, 'dist/commonjs/$1'),
    },
    setupFilesAfterEnv: [join(shims, 'jest23.js'), join(testDir, 'setup.js')],
    testTimeout: 60_000,
  };
  const argv = {
    $0: 'sdk-conformance',
    _: jestArgs,
    config: JSON.stringify(config),
    runInBand: true,
    silent: true,
  } as never;
  let code: number;
  try {
    const { results } = await runCLI(argv, [rootDir]);
    const run = results.numPassedTests + results.numFailedTests;
    console.log(
      `\nofficial database suite on the local service: ${results.numPassedTests} of ${run} cases pass (${results.numPendingTests} skipped by the suite, ${results.numTotalTests} in all)`,
    );
    for (const file of results.testResults) {
      for (const t of file.testResults)
        if (t.status === 'failed') console.log(`  ✗ ${file.testFilePath.slice(testDir.length + 1)} › ${t.fullName}`);
    }
    code = results.success ? 0 : 1;
  } finally {
    await server.close();
    await svc.close();
  }
  process.exit(code);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
