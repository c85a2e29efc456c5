/**
 * `npm run deploy:check`'s rules, on the real cloudbaserc.json, config.json files and README and on
 * altered copies of them: CloudBase's 7-field cron, one trigger per function, environment variables
 * that match what the code reads (and are never written into the repository), README's table.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { functionConfig, functionNames } from '../../scripts/build-functions';
import {
  checkCron,
  cronGaps,
  deployCheck,
  envReads,
  fireTimes,
  parseCron,
  parseDotenv,
  readmeEnvTable,
  type CheckInput,
} from '../../scripts/deploy-check';

const root = resolve(__dirname, '../..');
const NOW = new Date('2026-03-01T00:00:00+08:00');

describe('CloudBase cron (second minute hour day month week year, UTC+8)', () => {
  it.each([
    '0 */1 * * * * *',
    '0 */2 * * * * *',
    '*/5 * * * * * *',
    '0 0 2 1 * * *',
    '0 15 10 * * MON-FRI *',
    '0 0 10,14,16 * * * *',
    '0 */30 9-17 * * * *',
    '0 0 12 * * WED *',
    '0 1/10 * * * * *',
    '0 0 0 29 FEB * *', // leap years exist
    '0 0 0 * JAN-MAR 0 2030',
  ])('accepts %s', (expr) => expect(checkCron(expr, NOW)).toEqual([]));

  it.each([
    ['0 */1 * * * *', '7 个'],
    ['0 */1 * * * * * *', '7 个'],
    ['0  */1 * * * * *', '7 个'],
    ['60 * * * * * *', '超出 0–59'],
    ['0 0 24 * * * *', '超出 0–23'],
    ['0 0 0 0 * * *', '超出 1–31'],
    ['0 0 0 32 * * *', '超出 1–31'],
    ['0 0 0 * 13 * *', '超出 1–12'],
    ['0 0 0 * * 7 *', '超出 0–6'],
    ['0 0 0 * * * 1969', '超出 1970–2099'],
    ['0 */0 * * * * *', '步长'],
    ['0 /5 * * * * *', '写法'],
    ['0 5-1 * * * * *', '起点大于终点'],
    ['0 0 0 ? * * *', '不是'],
    ['0 0 0 L * * *', '不是'],
    ['0 0 0 * * MON#2 *', '不是'],
    ['0 0 0 * jan * *', '不是'],
    ['0 0 0 31 2 * *', '不会'], // 31 February never comes
    ['0 0 0 1 1 * 2020', '不会'], // a year gone by
  ])('refuses %s', (expr, says) => {
    const problems = checkCron(expr, NOW);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(says);
  });

  it('reads the expression in China time', () => {
    const cron = parseCron('0 0 2 * * * *');
    if (Array.isArray(cron)) throw new Error(cron.join());
    const [first] = fireTimes(cron, Date.parse('2026-01-05T00:00:00Z'), 86_400_000);
    expect(new Date(first as number).toISOString()).toBe('2026-01-05T18:00:00.000Z'); // 02:00 the next day in Beijing
  });

  it('fires on a restricted day OR a restricted weekday, as the docs say', () => {
    const cron = parseCron('0 0 0 1 * MON *');
    if (Array.isArray(cron)) throw new Error(cron.join());
    const days = fireTimes(cron, Date.parse('2026-01-31T16:00:00Z'), 10 * 86_400_000).map((t) =>
      new Date(t + 8 * 3_600_000).toISOString().slice(0, 10),
    );
    expect(days).toEqual(['2026-02-01', '2026-02-02', '2026-02-09']); // the 1st (a Sunday), then Mondays
  });

  it('measures the gaps between runs, to compare with the local cloud period', () => {
    expect(cronGaps('0 */2 * * * * *', 120_000)).toEqual([120_000]);
    expect(cronGaps('0 30 2 * * * *', 86_400_000)).toEqual([86_400_000]);
    expect(cronGaps('0 0 9,18 * * * *', 86_400_000)).toEqual([9 * 3_600_000, 15 * 3_600_000]);
  });
});

describe('environment variables a function reads', () => {
  it('names every process.env read, and refuses reads it cannot name', () => {
    const found = envReads({
      'server/lib/a.ts': 'const a = process.env.GRIDLINK_A; const b = process.env["GRIDLINK_B"];',
      'server/lib/b.ts': 'function f(env = process.env) { return env[key]; }',
    });
    expect([...found.names.keys()].sort()).toEqual(['GRIDLINK_A', 'GRIDLINK_B']);
    expect(found.problems).toHaveLength(1);
    expect(found.problems[0]).toContain('server/lib/b.ts');
  });

  it('takes the declared list for a file that reads process.env as a whole, and misses none it mentions', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gridlink-env-'));
    try {
      mkdirSync(join(dir, 'server/lib'), { recursive: true });
      writeFileSync(join(dir, 'server/lib/messages.ts'), '// GRIDLINK_TPL_NOTICE and GRIDLINK_SOMETHING_NEW\n');
      const found = envReads({ 'server/lib/messages.ts': 'function t(env = process.env) {}' }, dir);
      expect(found.names.has('GRIDLINK_TPL_NOTICE')).toBe(true);
      expect(found.problems).toEqual([expect.stringContaining('GRIDLINK_SOMETHING_NEW')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('parses .env files as the CLI does for the simple cases', () => {
    expect(parseDotenv('# comment\nA=1\nexport B="two words"\nC=3 # note\nD=\n')).toEqual({
      A: '1',
      B: 'two words',
      C: '3',
      D: '',
    });
  });
});

describe('deploy check of cloudbaserc.json, config.json and README', () => {
  const rcText = readFileSync(join(root, 'cloudbaserc.json'), 'utf8');
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const fresh = () =>
    JSON.parse(rcText) as {
      functions: Array<{ name: string; runtime: string; envVariables: Record<string, string>; triggers: unknown[] }>;
    };
  /** Each function's code, as if it read exactly what cloudbaserc.json deploys to it. */
  const sourcesFor = (rc: ReturnType<typeof fresh>) =>
    Object.fromEntries(
      rc.functions.map((f) => [
        f.name,
        {
          [`server/functions/${f.name}/x.ts`]: Object.keys(f.envVariables)
            .map((k) => `process.env.${k};`)
            .join('\n'),
        },
      ]),
    );
  const configs = Object.fromEntries(functionNames().map((n) => [n, functionConfig(n)]));
  const check = (over: Partial<CheckInput> & { rc?: ReturnType<typeof fresh> } = {}) => {
    const rc = over.rc ?? fresh();
    return deployCheck({ rc, readme, configs, sources: sourcesFor(rc), now: NOW, ...over }).problems;
  };
  const fn = (rc: ReturnType<typeof fresh>, name: string) => {
    const f = rc.functions.find((x) => x.name === name);
    if (!f) throw new Error(`cloudbaserc.json has no ${name}`);
    return f;
  };

  it('finds the repository consistent: every function, its trigger, its variables, README', () => {
    expect(check()).toEqual([]);
    expect(readmeEnvTable(readme)?.get('GRIDLINK_CARD_SIGNING_KEY')).toEqual(new Set(['testing', 'volunteer']));
  });

  it('deploys the card signing key to volunteer too, and catches a function left without it', () => {
    const rc = fresh();
    expect(Object.keys(fn(rc, 'volunteer').envVariables)).toContain('GRIDLINK_CARD_SIGNING_KEY');
    const sources = sourcesFor(rc);
    delete fn(rc, 'volunteer').envVariables.GRIDLINK_CARD_SIGNING_KEY;
    const problems = check({ rc, sources });
    expect(problems.some((p) => p.includes('volunteer') && p.includes('缺少环境变量 GRIDLINK_CARD_SIGNING_KEY'))).toBe(
      true,
    );
  });

  it('refuses a secret written into the file instead of {{env.X}}', () => {
    const rc = fresh();
    fn(rc, 'testing').envVariables.GRIDLINK_CARD_SIGNING_KEY = 'c2VjcmV0LXNpZ25pbmcta2V5LW5vdC1pbi10aGUtcmVwbw';
    expect(check({ rc })).toEqual([expect.stringContaining('{{env.GRIDLINK_CARD_SIGNING_KEY}}')]);
  });

  it('refuses a second trigger, a bad cron and triggers that differ from config.json', () => {
    const two = {
      ...configs,
      order: {
        ...(configs.order as object),
        triggers: [
          { name: 'a', type: 'timer', config: '0 */1 * * * * *' },
          { name: 'b', type: 'timer', config: '0 0 3 * * * *' },
        ],
      },
    };
    expect(check({ configs: two }).join('\n')).toContain('只支持一个');
    const rc = fresh();
    fn(rc, 'order').triggers = [{ name: 'everyMinute', type: 'timer', config: '0 */1 * * *' }];
    const problems = check({ rc }).join('\n');
    expect(problems).toContain('7 个');
    expect(problems).toContain('不一致');
  });

  it('refuses a missing function, a beta runtime and a README table that names other functions', () => {
    const rc = fresh();
    rc.functions = rc.functions.filter((f) => f.name !== 'system');
    fn(rc, 'user').runtime = 'Nodejs22.21';
    const problems = check({
      rc,
      readme: readme.replace(/(\| `GRIDLINK_CARD_SIGNING_KEY`\s*\|)[^|]*\|/, '$1 `testing` |'),
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('没有云函数 system'),
        expect.stringContaining('runtime'),
        expect.stringMatching(/GRIDLINK_CARD_SIGNING_KEY.*应为 testing、volunteer/),
      ]),
    );
  });

  it('with values, refuses empty required variables and malformed keys, and accepts a complete set', () => {
    const rc = fresh();
    const deployed = [...new Set(rc.functions.flatMap((f) => Object.keys(f.envVariables)))];
    // Any value where the format is free; the formats deploy:check knows, filled in properly.
    const good: Record<string, string> = Object.fromEntries(deployed.map((k) => [k, 'x']));
    Object.assign(good, {
      GRIDLINK_CARD_RETIRED_KEYS: '',
      GRIDLINK_WXACODE_ENV: 'release',
      TCB_ENV_ID: 'gridlink-prod-1a2b',
      GRIDLINK_CARD_SIGNING_KEY: Buffer.alloc(32, 7).toString('base64url'),
      GRIDLINK_CARD_KEY_ID: 'k2',
      GRIDLINK_TPL_ORDER_STATUS: 'tpl-order',
      GRIDLINK_TPL_JOIN_RESULT: 'tpl-join',
      GRIDLINK_TPL_NOTICE: 'tpl-notice',
      GRIDLINK_PAY_SUB_MCH_ID: '1900000109',
    });
    expect(check({ values: good })).toEqual([]);
    const problems = check({
      values: { ...good, TCB_ENV_ID: '', GRIDLINK_CARD_SIGNING_KEY: 'short', GRIDLINK_CARD_KEY_ID: '' },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('envId 为空'),
        expect.stringContaining('GRIDLINK_CARD_SIGNING_KEY 格式不对'),
        expect.stringContaining('GRIDLINK_CARD_KEY_ID 为空'),
      ]),
    );
  });
});
