/**
 * `npm run deploy:check`: builds the function folders and checks, offline, that what
 * `tcb fn deploy --all` (cloudbaserc.json) or DevTools (each folder's config.json) would deploy is
 * what the code needs:
 *
 * - every function folder has its bundle, package.json and a config.json equal to the registry's;
 * - at most one trigger per function (WeChat and CloudBase take one), a timer with a valid name and a
 *   valid 7-field cron (second minute hour day month week year, UTC+8) that can fire, and whose gaps
 *   are the period the local cloud runs it at (server/functions/registry.ts TIMERS);
 * - cloudbaserc.json lists exactly the functions, with the same triggers and timeout as config.json,
 *   a runtime the bundles run on, and as environment variables exactly those its sources read
 *   (`process.env.X` in the repository files inside its bundle), each taken from `.env.local`/the shell
 *   (`{{env.X}}`), never written in the file;
 * - README's environment-variable table names the same functions for every variable.
 *
 * `--values` (before a real deploy) also renders the variables as the CLI does (.env, .env.local, then
 * the shell) and refuses empty or malformed ones. `--no-build` checks the folders as they are.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TIMERS } from '../server/functions/registry';
import { BUILD_TARGET, buildAll, bundledSources, EXCEL_FILE, functionConfig, functionNames } from './build-functions';

const ROOT = resolve(__dirname, '..');

// ───────────────────────────── cron ─────────────────────────────

/**
 * The seven fields of CloudBase's cron (云开发 定时触发器; the CLI's `tcb fn trigger` docs say the
 * same): integers or names, with `,` (list), `-` (range), `*` (all) and `/` (step, with a value or `*`
 * before it). No `?`, `L`, `W` or `#`. Day and week both restricted: either one matching fires (OR).
 * Week 0–6 is Sunday–Saturday (WeChat's and CloudBase's docs; QQ's copy of the page says 0 is Monday).
 */
const FIELDS = [
  { name: '秒 second', min: 0, max: 59 },
  { name: '分 minute', min: 0, max: 59 },
  { name: '时 hour', min: 0, max: 23 },
  { name: '日 day', min: 1, max: 31 },
  {
    name: '月 month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  { name: '星期 week', min: 0, max: 6, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
  { name: '年 year', min: 1970, max: 2099 },
] as const;

/** A parsed cron: the allowed values of each field, and which of day/week were restricted. */
export interface Cron {
  seconds: number[];
  minutes: number[];
  hours: number[];
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  years: number[];
  dayRestricted: boolean;
  weekRestricted: boolean;
}

function fieldValue(text: string, field: (typeof FIELDS)[number]): number | string {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= field.min && n <= field.max ? n : `${field.name} 的值 ${text} 超出 ${field.min}–${field.max}`;
  }
  const names: readonly string[] = 'names' in field ? field.names : [];
  const index = names.indexOf(text);
  if (index >= 0) return field.min + index;
  return `${field.name} 的值 "${text}" 不是 ${field.min}–${field.max} 的整数${names.length ? `或 ${names[0]}–${names[names.length - 1]}` : ''}`;
}

/** One field's allowed values, or a problem. */
function parseField(text: string, field: (typeof FIELDS)[number]): number[] | string {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const m = /^([^/-]+)(?:-([^/-]+))?(?:\/([^/-]+))?$/.exec(item);
    if (!m) return `${field.name} 字段 "${text}" 的写法不对（只能用 , - * / 和取值）`;
    const [, start = '', end, step] = m;
    let from: number;
    let to: number;
    if (start === '*') {
      if (end !== undefined) return `${field.name} 字段 "${item}"：* 不能作为范围的一端`;
      from = field.min;
      to = field.max;
    } else {
      const a = fieldValue(start, field);
      if (typeof a === 'string') return a;
      from = a;
      to = a;
      if (end !== undefined) {
        const b = fieldValue(end, field);
        if (typeof b === 'string') return b;
        if (b < a) return `${field.name} 字段 "${item}"：范围的起点大于终点`;
        to = b;
      } else if (step !== undefined) {
        to = field.max; // `a/n`: from a, every n
      }
    }
    let by = 1;
    if (step !== undefined) {
      if (!/^\d+$/.test(step) || Number(step) < 1) return `${field.name} 字段 "${item}"：步长必须是正整数`;
      by = Number(step);
    }
    for (let v = from; v <= to; v += by) values.add(v);
  }
  return [...values].sort((x, y) => x - y);
}

/** Parses a cron; answers the cron or the problems with it. */
export function parseCron(expr: string): Cron | string[] {
  if (typeof expr !== 'string') return ['触发周期必须是字符串'];
  const parts = expr.split(' ');
  if (parts.length !== 7 || parts.some((p) => p === ''))
    return [
      `"${expr}" 需要恰好 7 个以单个空格分隔的字段（秒 分 时 日 月 星期 年），现在是 ${expr.trim().split(/\s+/).length} 个`,
    ];
  const problems: string[] = [];
  const fields = parts.map((part, i) => {
    const parsed = parseField(part, FIELDS[i] as (typeof FIELDS)[number]);
    if (typeof parsed === 'string') problems.push(parsed);
    return typeof parsed === 'string' ? [] : parsed;
  });
  if (problems.length) return problems;
  const [seconds = [], minutes = [], hours = [], days = [], months = [], weekdays = [], years = []] = fields;
  return {
    seconds,
    minutes,
    hours,
    days: new Set(days),
    months: new Set(months),
    weekdays: new Set(weekdays),
    years,
    dayRestricted: parts[3] !== '*',
    weekRestricted: parts[5] !== '*',
  };
}

const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;

function dayMatches(cron: Cron, year: number, month: number, day: number): boolean {
  if (!cron.years.includes(year) || !cron.months.has(month)) return false;
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  const byDay = cron.days.has(day);
  const byWeek = cron.weekdays.has(weekday);
  if (cron.dayRestricted && cron.weekRestricted) return byDay || byWeek;
  if (cron.dayRestricted) return byDay;
  if (cron.weekRestricted) return byWeek;
  return true;
}

/** Fire times (epoch ms) of a cron in [from, from + spanMs), the cron read in China time (UTC+8). */
export function fireTimes(cron: Cron, from: number, spanMs: number, limit = 1_000_000): number[] {
  const times: number[] = [];
  const firstDay = Math.floor((from + CHINA_OFFSET_MS) / DAY_MS);
  const lastDay = Math.floor((from + spanMs + CHINA_OFFSET_MS) / DAY_MS);
  for (let d = firstDay; d <= lastDay && times.length < limit; d += 1) {
    const date = new Date(d * DAY_MS);
    if (!dayMatches(cron, date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate())) continue;
    for (const h of cron.hours)
      for (const m of cron.minutes)
        for (const s of cron.seconds) {
          const t = d * DAY_MS + ((h * 60 + m) * 60 + s) * 1000 - CHINA_OFFSET_MS;
          if (t >= from && t < from + spanMs) times.push(t);
        }
  }
  return times;
}

/** Whether the cron fires on some real date (a 31st in a month that has one, a 29 February in a leap year…). */
function canFire(cron: Cron, notBefore: number): boolean {
  const fromYear = new Date(notBefore + CHINA_OFFSET_MS).getUTCFullYear();
  for (const year of cron.years.filter((y) => y >= fromYear))
    for (const month of cron.months)
      for (let day = 1; day <= new Date(Date.UTC(year, month, 0)).getUTCDate(); day += 1)
        if (dayMatches(cron, year, month, day)) return true;
  return false;
}

/** The problems of one cron expression (empty: valid, and it fires on some date from `now` on). */
export function checkCron(expr: string, now: Date = new Date()): string[] {
  const cron = parseCron(expr);
  if (Array.isArray(cron)) return cron;
  return canFire(cron, now.getTime()) ? [] : [`"${expr}" 从现在起不会在任何一天触发（日期不存在或年份已过）`];
}

/** The distinct gaps (ms) between a cron's fire times over a window long enough to see `periodMs` three times. */
export function cronGaps(expr: string, periodMs: number, from = Date.UTC(2026, 0, 5) - CHINA_OFFSET_MS): number[] {
  const cron = parseCron(expr);
  if (Array.isArray(cron)) return [];
  const span = Math.min(400 * DAY_MS, Math.max(2 * DAY_MS, 3 * periodMs + DAY_MS));
  const times = fireTimes(cron, from, span);
  const gaps = new Set<number>();
  for (let i = 1; i < times.length; i += 1) gaps.add((times[i] as number) - (times[i - 1] as number));
  return [...gaps].sort((a, b) => a - b);
}

// ───────────────────────────── environment variables ─────────────────────────────

/**
 * Variables the functions' code reads that are not deployed from cloudbaserc.json, and why.
 * Anything else a function reads must be declared for it.
 */
export const NOT_DEPLOYED: Record<string, string> = {
  TCB_ENV: '平台提供：当前环境 ID / set by CloudBase',
  SCF_NAMESPACE: '平台提供：云函数命名空间（即环境 ID）/ set by SCF',
  TENCENTCLOUD: '平台提供；本地云也会设置（server/lib/cloud.ts）/ set by SCF and by the local cloud',
  GRIDLINK_DB_URL: '仅本地云：函数经它连接本地数据库，云端绝不能设置 / local cloud only, never in CloudBase',
};

/** Deployed variables that may be empty (everything else must have a value for `--values`). */
export const OPTIONAL_VARS = new Set([
  'GRIDLINK_CARD_RETIRED_KEYS',
  'GRIDLINK_TPL_ORDER_STATUS_KEYS',
  'GRIDLINK_TPL_JOIN_RESULT_KEYS',
  'GRIDLINK_TPL_NOTICE_KEYS',
  'GRIDLINK_MP_STATE',
  'GRIDLINK_WXACODE_ENV',
  // Empty: WeChat Pay not opened (issue 19); residents pay in cash or by transfer.
  'GRIDLINK_PAY_SUB_MCH_ID',
]);

/** Value formats checked by `--values`. */
const VALUE_FORMATS: Record<string, { test: (v: string) => boolean; says: string }> = {
  GRIDLINK_CARD_SIGNING_KEY: {
    test: (v) => /^[A-Za-z0-9_-]{43}$/.test(v) && Buffer.from(v, 'base64url').length === 32,
    says: '32 字节随机数的 base64url（43 个字符）',
  },
  GRIDLINK_WXACODE_ENV: { test: (v) => ['release', 'trial', 'develop'].includes(v), says: 'release、trial 或 develop' },
  GRIDLINK_PAY_SUB_MCH_ID: { test: (v) => /^\d{8,32}$/.test(v), says: '微信支付商户号（数字）' },
  GRIDLINK_CARD_KEY_ID: { test: (v) => /^[\w-]{1,32}$/.test(v), says: '字母、数字、_ 或 -，如 k1' },
  GRIDLINK_CARD_RETIRED_KEYS: {
    test: (v) => v === '' || v.split(',').every((e) => /^[\w-]{1,32}:[A-Za-z0-9_-]{43}$/.test(e)),
    says: '`编号:公钥,…`（公钥为 base64url）',
  },
};

/**
 * Files that read process.env as a whole (`env = process.env`, `env[name]`): the variables each may
 * read, declared here because they cannot be read off the code. Every `GRIDLINK_…` name the file
 * mentions (its doc comment lists them) must be declared, so a new one is not missed.
 */
export const DYNAMIC_READS: Record<string, string[]> = {
  'server/lib/messages.ts': [
    'GRIDLINK_TPL_ORDER_STATUS',
    'GRIDLINK_TPL_ORDER_STATUS_KEYS',
    'GRIDLINK_TPL_JOIN_RESULT',
    'GRIDLINK_TPL_JOIN_RESULT_KEYS',
    'GRIDLINK_TPL_NOTICE',
    'GRIDLINK_TPL_NOTICE_KEYS',
    'GRIDLINK_MP_STATE',
    'GRIDLINK_DB_URL',
  ],
};

/**
 * What a function's bundled code reads from process.env, by name (→ the files reading it), and
 * problems: reads whose names cannot be known.
 */
export function envReads(
  sections: Readonly<Record<string, string>>,
  root = ROOT,
): { names: Map<string, string[]>; problems: string[] } {
  const names = new Map<string, string[]>();
  const problems: string[] = [];
  const add = (name: string, file: string) => names.set(name, [...new Set([...(names.get(name) ?? []), file])]);
  for (const [file, code] of Object.entries(sections)) {
    for (const m of code.matchAll(/process\.env\b(?:\.([A-Za-z_$][\w$]*)|\[\s*(['"`])([A-Za-z_$][\w$]*)\2\s*\])?/g)) {
      const name = m[1] ?? m[3];
      if (name) {
        add(name, file);
        continue;
      }
      const declared = DYNAMIC_READS[file];
      if (!declared) {
        problems.push(
          `${file} 整体读取 process.env（变量名无法从代码确定）：改写成 process.env.NAME，或在 scripts/deploy-check.ts 的 DYNAMIC_READS 里声明它读取的变量`,
        );
        continue;
      }
      for (const n of declared) add(n, file);
      const text = existsSync(join(root, file)) ? readFileSync(join(root, file), 'utf8') : '';
      for (const mentioned of new Set(text.match(/\bGRIDLINK_[A-Z0-9_]*[A-Z0-9]\b/g) ?? []))
        if (!declared.includes(mentioned))
          problems.push(`${file} 提到 ${mentioned}，但 scripts/deploy-check.ts 的 DYNAMIC_READS 没有声明它`);
    }
  }
  return { names, problems: [...new Set(problems)] };
}

// ───────────────────────────── cloudbaserc.json ─────────────────────────────

/** The part of cloudbaserc.json this project uses (CLI 2.x, version 2.0: `{{env.X}}` templates). */
interface RcFunction {
  name?: unknown;
  handler?: unknown;
  runtime?: unknown;
  timeout?: unknown;
  memorySize?: unknown;
  installDependency?: unknown;
  ignore?: unknown;
  envVariables?: unknown;
  triggers?: unknown;
}
interface Rc {
  version?: unknown;
  envId?: unknown;
  functionRoot?: unknown;
  functions?: unknown;
}

/** CloudBase's Node.js runtimes (beta ones are refused: a deploy must not depend on a beta). */
export const RUNTIMES = ['Nodejs16.13', 'Nodejs18.15', 'Nodejs20.19'];
const MEMORY_SIZES = [128, 256, 512, 1024, 2048];
const TRIGGER_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,59}$/;
const TEMPLATE = /^\{\{\s*env\.([A-Za-z_]\w*)\s*\}\}$/;

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** One row of README's environment-variable table: variable names → function names. */
export function readmeEnvTable(readme: string): Map<string, Set<string>> | null {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => l.startsWith('|') && l.includes('环境变量') && l.includes('云函数'));
  if (start < 0) return null;
  const table = new Map<string, Set<string>>();
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [, vars = '', fns = ''] = line.split('|');
    const fnNames = new Set([...fns.matchAll(/`([a-z][\w-]*)`/g)].map((m) => m[1] as string));
    for (const m of vars.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) table.set(m[1] as string, fnNames);
  }
  return table;
}

/** Parses `.env`-style text as dotenv does for the simple cases (KEY=VALUE, quotes, # comments). */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([\w.-]+)\s*=\s*(.*?)\s*$/.exec(raw);
    if (!m || raw.trim().startsWith('#')) continue;
    let value = m[2] ?? '';
    const quoted = /^(['"`])(.*)\1$/.exec(value);
    value = quoted ? (quoted[2] ?? '') : value.replace(/\s+#.*$/, '');
    out[m[1] as string] = value;
  }
  return out;
}

/** The variables the CLI renders `{{env.X}}` from: .env, then .env.local, then the shell (last wins). */
export function cliEnv(root = ROOT, shell: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const file of ['.env', '.env.local']) {
    const path = join(root, file);
    if (existsSync(path)) Object.assign(merged, parseDotenv(readFileSync(path, 'utf8')));
  }
  for (const [k, v] of Object.entries(shell)) if (v !== undefined) merged[k] = v;
  return merged;
}

/** Inputs of a check; tests pass altered copies. */
export interface CheckInput {
  root?: string;
  /** Parsed cloudbaserc.json (default: the file). */
  rc?: Rc;
  /** README text (default: the file). */
  readme?: string;
  /** Function name → its config.json (default: cloudfunctions/<fn>/config.json). */
  configs?: Record<string, unknown>;
  /** Function name → its bundled code by repository source file (scripts/build-functions.ts bundledSources). */
  sources?: Record<string, Record<string, string>>;
  /** Render values as the CLI would and check them (`--values`). */
  values?: Record<string, string>;
  now?: Date;
}

/** The result: problems (empty: deployable) and a summary per function. */
export interface CheckResult {
  problems: string[];
  summary: Array<{ fn: string; trigger: string; env: string[] }>;
}

/** Checks the deployable folders, cloudbaserc.json and README against the code. */
export function deployCheck(input: CheckInput & { sources: Record<string, Record<string, string>> }): CheckResult {
  const root = input.root ?? ROOT;
  const now = input.now ?? new Date();
  const problems: string[] = [];
  const summary: CheckResult['summary'] = [];
  const names = functionNames();
  const say = (where: string, what: string) => problems.push(`${where}: ${what}`);

  // ── the registry's timers ──
  for (const t of TIMERS) {
    if (!names.includes(t.fn)) say(`registry TIMERS ${t.fn}.${t.trigger}`, '没有这个云函数');
    const gaps = cronGaps(t.cron, t.everyMs);
    if (gaps.length && !(gaps.length === 1 && gaps[0] === t.everyMs))
      say(
        `registry TIMERS ${t.fn}.${t.trigger}`,
        `云端按 "${t.cron}" 的间隔 ${gaps.map((g) => `${g / 1000}s`).join('/')} 运行，本地云按 everyMs ${t.everyMs / 1000}s 运行：两者应一致`,
      );
  }

  // ── each function folder (what DevTools uploads) ──
  const configs: Record<string, unknown> = {};
  for (const fn of names) {
    const dir = join(root, 'cloudfunctions', fn);
    const where = `cloudfunctions/${fn}`;
    for (const file of ['index.js', 'package.json', 'config.json'])
      if (!existsSync(join(dir, file))) say(where, `缺少 ${file}（先 npm run build）`);
    let config = input.configs?.[fn];
    if (config === undefined && existsSync(join(dir, 'config.json'))) {
      try {
        config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
      } catch {
        say(`${where}/config.json`, '不是合法的 JSON');
      }
    }
    configs[fn] = config;
    if (config === undefined) continue;
    if (!sameJson(config, functionConfig(fn)))
      say(`${where}/config.json`, '与 server/functions/registry.ts 不一致（先 npm run build）');
    const c = config as { triggers?: unknown; timeout?: unknown; permissions?: { openapi?: unknown } };
    if (!Array.isArray(c.permissions?.openapi) || !c.permissions.openapi.every((p) => typeof p === 'string'))
      say(`${where}/config.json`, 'permissions.openapi 必须是字符串数组');
    if (!Number.isInteger(c.timeout) || (c.timeout as number) < 1 || (c.timeout as number) > 60)
      say(`${where}/config.json`, 'timeout 必须是 1–60 的整数（秒）');
    const triggers = Array.isArray(c.triggers) ? (c.triggers as Array<Record<string, unknown>>) : null;
    if (!triggers) {
      say(`${where}/config.json`, 'triggers 必须是数组');
      continue;
    }
    if (triggers.length > 1)
      say(
        `${where}/config.json`,
        `有 ${triggers.length} 个触发器：每个云函数只支持一个（目前仅支持一个触发器），请合并定时任务`,
      );
    for (const t of triggers) {
      if (t.type !== 'timer') say(`${where}/config.json`, `触发器类型 ${String(t.type)}：只支持 timer`);
      if (typeof t.name !== 'string' || !TRIGGER_NAME.test(t.name))
        say(`${where}/config.json`, `触发器名 ${String(t.name)}：最多 60 个字符，字母开头，只含字母、数字、- 和 _`);
      for (const p of checkCron(t.config as string, now)) say(`${where}/config.json 触发器 ${String(t.name)}`, p);
    }
    const pkgPath = join(dir, 'package.json');
    if (existsSync(pkgPath)) {
      const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { main?: string; dependencies?: Record<string, string> };
      if (pkg.main !== 'index.js') say(`${where}/package.json`, 'main 必须是 index.js');
      if (!sameJson(Object.keys(pkg.dependencies ?? {}), ['@cloudbase/node-sdk']))
        say(`${where}/package.json`, '只应依赖 @cloudbase/node-sdk（其余都在 index.js 里）');
    }
  }

  // ── cloudbaserc.json (what `tcb fn deploy --all` uses) ──
  let rc = input.rc;
  if (!rc) {
    try {
      rc = JSON.parse(readFileSync(join(root, 'cloudbaserc.json'), 'utf8')) as Rc;
    } catch (error) {
      say('cloudbaserc.json', `读不出来：${(error as Error).message}`);
      return { problems, summary };
    }
  }
  if (rc.version !== '2.0') say('cloudbaserc.json', 'version 必须是 "2.0"（{{env.X}} 模板变量只在 2.0 配置里渲染）');
  if (typeof rc.envId !== 'string' || !rc.envId) say('cloudbaserc.json', '需要 envId（如 "{{env.TCB_ENV_ID}}"）');
  if (typeof rc.functionRoot !== 'string' || resolve(root, rc.functionRoot) !== join(root, 'cloudfunctions'))
    say('cloudbaserc.json', 'functionRoot 必须指向 ./cloudfunctions');
  const project = join(root, 'project.config.json');
  if (existsSync(project)) {
    const cfr = (JSON.parse(readFileSync(project, 'utf8')) as { cloudfunctionRoot?: string }).cloudfunctionRoot;
    if (!cfr || resolve(root, cfr) !== join(root, 'cloudfunctions'))
      say('project.config.json', 'cloudfunctionRoot 必须是 cloudfunctions/（与 cloudbaserc.json 一致）');
  }
  const rcFunctions = Array.isArray(rc.functions) ? (rc.functions as RcFunction[]) : [];
  if (!Array.isArray(rc.functions)) say('cloudbaserc.json', 'functions 必须是数组');
  const listed = rcFunctions.map((f) => f.name);
  for (const fn of names) if (!listed.includes(fn)) say('cloudbaserc.json', `没有云函数 ${fn}（--all 不会部署它）`);
  for (const name of listed) {
    if (typeof name !== 'string' || !names.includes(name))
      say('cloudbaserc.json', `云函数 ${String(name)} 在 server/functions 里不存在`);
    if (listed.filter((n) => n === name).length > 1) say('cloudbaserc.json', `云函数 ${String(name)} 出现了不止一次`);
  }
  const targetMajor = Number(/\d+/.exec(BUILD_TARGET)?.[0]);
  const envByFunction = new Map<string, Set<string>>();

  for (const f of rcFunctions) {
    if (typeof f.name !== 'string' || !names.includes(f.name)) continue;
    const fn = f.name;
    const where = `cloudbaserc.json ${fn}`;
    const config = configs[fn] as { triggers?: unknown; timeout?: unknown } | undefined;
    if (f.handler !== 'index.main') say(where, 'handler 必须是 "index.main"（index.js 导出 main）');
    if (typeof f.runtime !== 'string' || !RUNTIMES.includes(f.runtime))
      say(where, `runtime 必须写明，且是 ${RUNTIMES.join('、')} 之一`);
    else if (Number(/\d+/.exec(f.runtime)?.[0]) < targetMajor)
      say(where, `runtime ${f.runtime} 低于打包目标 ${BUILD_TARGET}`);
    if (f.installDependency !== true) say(where, 'installDependency 必须为 true（云端安装 @cloudbase/node-sdk）');
    if (!MEMORY_SIZES.includes(f.memorySize as number)) say(where, `memorySize 必须是 ${MEMORY_SIZES.join('、')} 之一`);
    if (!Array.isArray(f.ignore) || !f.ignore.includes('node_modules'))
      say(where, 'ignore 应包含 node_modules（依赖由云端安装）');
    if (config && f.timeout !== config.timeout)
      say(where, `timeout ${String(f.timeout)} 与 config.json 的 ${String(config.timeout)} 不一致`);
    const triggers = Array.isArray(f.triggers) ? f.triggers : [];
    if (f.triggers !== undefined && !Array.isArray(f.triggers)) say(where, 'triggers 必须是数组');
    if (triggers.length > 1) say(where, '每个云函数只支持一个触发器');
    if (config && !sameJson(triggers, config.triggers ?? []))
      say(where, `triggers 与 cloudfunctions/${fn}/config.json 不一致：${JSON.stringify(config.triggers)}`);
    for (const t of triggers as Array<Record<string, unknown>>)
      for (const p of checkCron(t.config as string, now)) say(`${where} 触发器 ${String(t.name)}`, p);

    // Environment variables: exactly what its sources read, each from the deployer's environment.
    const reads = envReads(input.sources[fn] ?? {}, root);
    for (const p of reads.problems) say(`${fn}`, p);
    const needed = [...reads.names.keys()].filter((n) => !Object.hasOwn(NOT_DEPLOYED, n)).sort();
    const env = (f.envVariables ?? {}) as Record<string, unknown>;
    if (typeof env !== 'object' || Array.isArray(env)) say(where, 'envVariables 必须是对象');
    for (const name of needed)
      if (!Object.hasOwn(env, name))
        say(
          where,
          `缺少环境变量 ${name}（${reads.names.get(name)?.join('、')} 读取它）：在 envVariables 里加 "${name}": "{{env.${name}}}"，并写进 README 的环境变量表`,
        );
    for (const [name, value] of Object.entries(env)) {
      if (Object.hasOwn(NOT_DEPLOYED, name)) say(where, `环境变量 ${name} 不应部署：${NOT_DEPLOYED[name]}`);
      else if (!needed.includes(name))
        say(where, `环境变量 ${name} 没有代码读取，删掉它（或确认读取它的代码在这个函数里）`);
      const m = typeof value === 'string' ? TEMPLATE.exec(value) : null;
      if (!m || m[1] !== name)
        say(where, `环境变量 ${name} 的值必须是 "{{env.${name}}}"（值放在 .env.local 或 shell 里，不写进仓库）`);
    }
    envByFunction.set(fn, new Set(Object.keys(env)));
    const trigger = (triggers[0] as { name?: string; config?: string } | undefined) ?? null;
    summary.push({ fn, trigger: trigger ? `${trigger.name} "${trigger.config}"` : '—', env: Object.keys(env).sort() });
  }

  // ── README's table ──
  const readme = input.readme ?? readFileSync(join(root, 'README.md'), 'utf8');
  const table = readmeEnvTable(readme);
  const deployed = new Map<string, Set<string>>();
  for (const [fn, vars] of envByFunction)
    for (const v of vars) deployed.set(v, new Set([...(deployed.get(v) ?? []), fn]));
  if (!table) say('README.md', '没有环境变量表（表头含「环境变量」和「云函数」）');
  else {
    for (const [name, fns] of deployed) {
      const row = table.get(name);
      const want = [...fns].sort().join('、');
      if (!row) say('README.md 环境变量表', `缺少 ${name}（云函数 ${want}）`);
      else if ([...row].sort().join('、') !== want)
        say('README.md 环境变量表', `${name} 写的云函数是 ${[...row].sort().join('、') || '（无）'}，应为 ${want}`);
    }
    for (const [name, fns] of table)
      if (!deployed.has(name) && names.some((n) => fns.has(n)))
        say('README.md 环境变量表', `${name} 列了云函数，但 cloudbaserc.json 没有部署它`);
  }

  // ── values, as the CLI would render them ──
  if (input.values) {
    const values = input.values;
    const envId =
      typeof rc.envId === 'string' ? rc.envId.replace(/\{\{\s*env\.(\w+)\s*\}\}/g, (_, k) => values[k] ?? '') : '';
    if (!envId) say('部署值', 'envId 为空：设置 TCB_ENV_ID（.env.local 或 shell），或在 tcb 命令上加 -e');
    for (const name of [...deployed.keys()].sort()) {
      const value = values[name] ?? '';
      if (value === '' && !OPTIONAL_VARS.has(name)) say('部署值', `${name} 为空：写进 .env.local（或 shell）再部署`);
      const format = VALUE_FORMATS[name];
      if (value !== '' && format && !format.test(value)) say('部署值', `${name} 格式不对：应为 ${format.says}`);
      if (/["\\]/.test(value)) say('部署值', `${name} 含有 " 或 \\：CLI 渲染后的 JSON 会损坏`);
    }
  }
  return { problems, summary };
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const started = Date.now();
  if (!args.has('--no-build')) {
    const built = await buildAll();
    for (const [fn, b] of Object.entries(built))
      console.log(
        `  ${fn.padEnd(10)} index.js ${Math.round(b.index / 1024)} KB${b.excel ? ` + ${EXCEL_FILE} ${Math.round(b.excel / 1024)} KB` : ''}`,
      );
  }
  const names = functionNames();
  const analysed = await Promise.all(names.map(bundledSources));
  const sources = Object.fromEntries(names.map((fn, i) => [fn, analysed[i] ?? {}]));
  const values = args.has('--values') ? cliEnv() : undefined;
  const result = deployCheck({ sources, ...(values ? { values } : {}) });
  if (values) {
    // The messages' own check of their variables (template ids, key lists), when the module has one.
    const messages = (await import('../server/lib/messages')) as {
      checkMessageConfig?: (env: Record<string, string | undefined>) => string[];
    };
    for (const p of messages.checkMessageConfig?.(values) ?? []) result.problems.push(`部署值: ${p}`);
  }
  for (const row of result.summary)
    console.log(`  ${row.fn.padEnd(10)} trigger ${row.trigger.padEnd(30)} env ${row.env.join(', ') || '—'}`);
  if (result.problems.length) {
    console.error(`\n[deploy:check] ${result.problems.length} 个问题 / problems:`);
    for (const p of result.problems) console.error(`  ✗ ${p}`);
    process.exit(1);
  }
  console.log(
    `[deploy:check] ok: ${result.summary.length} functions; triggers, cron and environment variables agree${values ? '; values set' : ''} (${Date.now() - started} ms)`,
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
