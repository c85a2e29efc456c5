/**
 * Fuzz harness: a local cloud over HTTP seeded with a small demo community, the demo users of
 * every role, real ids to aim at, generators of bad inputs derived from each action's input
 * schema, and the checks every answer must pass.
 */
import fc from 'fast-check';
import { DEV_USER_HEADER, startLocalCloud, type LocalCloud } from '../../localcloud/app';
import { Store, type Write } from '../../localcloud/db/store';
import { callAction } from '../../localcloud/invoke';
import { demoActivity } from '../../localcloud/seed/demo-activity';
import { FUNCTIONS, TIMERS } from '../../server/functions/registry';
import { database } from '../../server/lib/cloud';
import { ACTION_TABLES } from '../../server/lib/define-function';
import { COLLECTIONS } from '../../server/lib/schema';
import type { z } from '../../server/lib/validate';

/** Fixed seed: the same inputs on every run. */
export const FUZZ_SEED = 20_261_201;

// ── Actions, derived from the functions' own tables ──

/** Every served action with its input schema (importing the registry defines every function). */
export function servedActions(): Array<{ fn: string; action: string; input: z.ZodType }> {
  const out: Array<{ fn: string; action: string; input: z.ZodType }> = [];
  for (const fn of Object.keys(FUNCTIONS)) {
    const table = ACTION_TABLES.get(fn);
    if (!table) throw new Error(`function ${fn} has no action table`);
    for (const action of Object.keys(table)) out.push({ fn, action, input: table[action]!.input as z.ZodType });
  }
  return out;
}

export { FUNCTIONS, TIMERS };

// ── The cloud ──

/** What every write committed by the store looked like (collected while a call runs). */
const committed: Write[] = [];
/** The document each written key held before the call (to tell a net change from churn). */
const before = new Map<string, string>();
let capturing = false;
let store: Store | null = null;
const originalCommit = Store.prototype.commit;
Store.prototype.commit = function commit(this: Store, writes: readonly Write[]): void {
  // eslint-disable-next-line @typescript-eslint/no-this-alias -- the suite snapshots the one store the local cloud opened
  store = this;
  if (capturing) {
    for (const w of writes) {
      const key = `${w.collection}/${w.id}`;
      if (!before.has(key)) before.set(key, JSON.stringify(peekSafe(this, w.collection, w.id) ?? null));
    }
    committed.push(...writes);
  }
  return originalCommit.call(this, writes);
};

function peekSafe(s: Store, collection: string, id: string): unknown {
  try {
    return s.peek(collection, id);
  } catch {
    return undefined;
  }
}

/** The keys whose stored document differs from before the call. */
function netChanges(): string[] {
  if (!store) return [];
  const changed = new Set<string>();
  for (const [key, was] of before) {
    const [collection, ...rest] = key.split('/');
    if (JSON.stringify(peekSafe(store, collection!, rest.join('/')) ?? null) !== was) changed.add(collection!);
  }
  return [...changed].sort();
}

/** A role to call as: null openid is anonymous. */
export interface Role {
  name: string;
  openid: string | null;
  /** Ids this role may legitimately use (its household, grid, orders …), so well-formed input gets past the checks. */
  own: IdPool;
}

/** Real ids of the seeded community, by collection, plus member ids. */
export type IdPool = Record<string, string[]>;

export interface FuzzCloud {
  cloud: LocalCloud;
  roles: Role[];
  ids: IdPool;
  /** Puts the database back as it was after setup (each action starts from the same state). */
  reset(): void;
  close(): Promise<void>;
}

/** The in-memory store's collections, reached past `private` (test-only: snapshot and restore). */
type StoreState = { collections: Map<string, unknown> };

export async function startFuzzCloud(): Promise<FuzzCloud> {
  const cloud = await startLocalCloud({ dataDir: null, port: 0, seed: { grids: 2, households: 24 }, timers: false });
  const db = database();
  await demoActivity(db, 6);
  const all = async <T>(name: string, where: object = {}): Promise<T[]> =>
    (await db.collection(name).where(where).limit(1000).get()).data as T[];
  type U = { _id: string; roles: string[]; householdId: string | null; adminGridIds: string[] };
  type H = {
    _id: string;
    gridId: string;
    buildingId: string;
    members?: Array<{ id?: string }>;
    memberOpenids: string[];
  };
  const users = await all<U>('users');
  const households = await all<H>('households');
  const orders = await all<{ _id: string; householdId: string; gridId: string }>('orders');
  const memberIds = (hs: H[]) =>
    hs.flatMap((h) => (h.members ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string'));
  // The resident of a household that has orders, the gridworker of that grid, an approved volunteer, the admin.
  const home =
    households.find((h) => h.memberOpenids.length && orders.some((o) => o.householdId === h._id)) ??
    households.find((h) => h.memberOpenids.length);
  const resident = users.find((u) => u._id === home?.memberOpenids[0]);
  const gridworker =
    users.find((u) => u.roles.includes('gridworker') && u.adminGridIds.includes(home?.gridId ?? '')) ??
    users.find((u) => u.roles.includes('gridworker'));
  // An approved delivery volunteer serving the resident's grid (the dispatch's volunteer), else any approved one.
  const approved = (
    await all<{ _id: string; status: string; team: string | null; gridIds: string[] }>('volunteers')
  ).filter((v) => v.status === 'approved');
  const pick = approved.find((v) => v.team === 'delivery' && v.gridIds.includes(home?.gridId ?? '')) ?? approved[0];
  const volunteer = users.find((u) => u._id === pick?._id) ?? users.find((u) => u.roles.includes('volunteer'));
  const admin = users.find((u) => u.roles.includes('communityAdmin'));
  if (!home || !resident || !volunteer || !gridworker || !admin)
    throw new Error('the demo seed lacks a role the fuzz suite needs');
  // A testing round so that testing actions have a real round to aim at (best effort).
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  await callAction(admin._id, 'testing.openRound', {
    name: '模糊测试轮',
    date: today,
    points: ['1号点'],
    validHours: 48,
  });
  const homeless = 'fuzz-no-household';
  await callAction(homeless, 'user.me', {}); // the first visit creates the user record
  const inGrid = households.filter((h) => gridworker.adminGridIds.includes(h.gridId));
  const roles: Role[] = [
    { name: 'anonymous', openid: null, own: {} },
    {
      name: 'resident',
      openid: resident._id,
      own: {
        households: [home._id],
        members: memberIds([home]),
        grids: [home.gridId],
        buildings: [home.buildingId],
        orders: orders.filter((o) => o.householdId === home._id).map((o) => o._id),
      },
    },
    { name: 'no-household', openid: homeless, own: {} },
    { name: 'volunteer', openid: volunteer._id, own: { volunteers: [volunteer._id], users: [volunteer._id] } },
    {
      name: 'gridworker',
      openid: gridworker._id,
      own: {
        grids: gridworker.adminGridIds,
        households: inGrid.map((h) => h._id),
        members: memberIds(inGrid),
        buildings: [...new Set(inGrid.map((h) => h.buildingId))],
        orders: orders.filter((o) => gridworker.adminGridIds.includes(o.gridId)).map((o) => o._id),
      },
    },
    { name: 'admin', openid: admin._id, own: {} },
  ];
  for (const role of roles) for (const [k, v] of Object.entries(role.own)) if (!v.length) delete role.own[k];
  const ids: IdPool = {};
  for (const name of COLLECTIONS)
    ids[name] = (await all<{ _id: string }>(name))
      .map((r) => r._id)
      .filter((id) => typeof id === 'string')
      .slice(0, 60);
  ids.members = memberIds(households);
  ids.users = users.map((u) => u._id);
  if (!store) throw new Error('the fuzz suite could not reach the local store');
  const target = store as unknown as StoreState;
  const snapshot = structuredClone(target.collections);
  const reset = () => {
    target.collections.clear();
    for (const [name, coll] of structuredClone(snapshot)) target.collections.set(name, coll);
  };
  return { cloud, roles, ids, reset, close: () => cloud.close() };
}

// ── One call ──

/** Special numbers JSON cannot carry: sent as the literal 1e999 (which JSON.parse reads as ±Infinity). */
export const INF = '\u0000fuzz-inf\u0000';
export const NEG_INF = '\u0000fuzz-neg-inf\u0000';

/** Serialises a body, turning the INF markers into ±1e999. */
export function bodyText(body: unknown): string {
  return JSON.stringify(body).replaceAll(JSON.stringify(INF), '1e999').replaceAll(JSON.stringify(NEG_INF), '-1e999');
}

export interface Answer {
  status: number;
  text: string;
  json: any;
  /** Database write requests metered during the call. */
  writes: number;
  /** Documents the store committed during the call. */
  docs: Write[];
  /** Collections whose documents differ after the call (net of writes undone within it). */
  changed: string[];
  /** Collections the metered write requests named. */
  wroteTo: string[];
  /** Each written document as it was before the call, by `collection/id`. */
  before: Record<string, unknown>;
  /** The transport failed (connection reset, …). */
  transportError?: string;
}

/** POSTs a raw body to a path as a user; serial calls keep the write meter exact. */
export async function post(
  cloud: LocalCloud,
  path: string,
  text: string,
  openid: string | null,
  contentType = 'application/json',
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': contentType };
  if (openid !== null) headers[DEV_USER_HEADER] = openid;
  const stats0 = cloud.db.stats();
  committed.length = 0;
  before.clear();
  capturing = true;
  const after = () => {
    const stats1 = cloud.db.stats();
    const wroteTo = Object.entries(stats1.byCollection)
      .filter(([c, v]) => v.writes > (stats0.byCollection[c]?.writes ?? 0))
      .map(([c]) => c)
      .sort();
    const was = Object.fromEntries([...before].map(([k, v]) => [k, JSON.parse(v) as unknown]));
    return { writes: stats1.writes - stats0.writes, docs: [...committed], changed: netChanges(), wroteTo, before: was };
  };
  try {
    const res = await fetch(`${cloud.url}${path}`, { method: 'POST', headers, body: text });
    const body = await res.text();
    let json: any;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    return { status: res.status, text: body, json, ...after() };
  } catch (error) {
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
    return {
      status: 0,
      text: '',
      json: undefined,
      ...after(),
      transportError: cause?.code ?? cause?.message ?? String(error),
    };
  } finally {
    capturing = false;
  }
}

// ── Checks ──

const STACK = [
  /\n\s*at\s/,
  /\bat\s+\S+\s+\(/,
  /\.[jt]s:\d+/,
  /\/server\//,
  /\/localcloud\//,
  /node_modules/,
  /\/work\//,
  /[A-Z]:\\/,
];
const SECRET = /secret(Key|Id)|sessionToken|GRIDLINK_CARD_SIGNING_KEY/i;
/** Characters no stored text may hold (newline, CR and tab are judged by each field). */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
export const IMPOSSIBLE_DATES = ['2026-13-45', '0000-00-00', '2026-02-30', '2026-00-10', '9999-99-99'];

function strings(value: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 50) return out;
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out, depth + 1);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      strings(v, out, depth + 1);
    }
  }
  return out;
}

function keysDeep(value: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 50 || !value || typeof value !== 'object') return out;
  for (const [k, v] of Object.entries(value)) {
    if (!Array.isArray(value)) out.push(k);
    keysDeep(v, out, depth + 1);
  }
  return out;
}

/** The problems of one answer (empty when it is fine). `refusalExpected`: the call must be refused. */
export function problems(
  answer: Answer,
  opts: { mustRefuse?: boolean; dateField?: boolean; danglingRef?: string; probeWrite?: string } = {},
): string[] {
  const found: string[] = [];
  if (answer.transportError) found.push(`transport error (${answer.transportError})`);
  if (answer.status >= 500) found.push(`HTTP ${answer.status}`);
  if (!answer.transportError && (answer.json === undefined || typeof answer.json?.ok !== 'boolean'))
    found.push(`answer is not the envelope: ${answer.text.slice(0, 120)}`);
  const json = answer.json;
  if (json?.code === 'COMMON.INTERNAL') found.push('COMMON.INTERNAL');
  // Everything of a failure is shown to the user: its message and every issue's path and message.
  const messages = json && typeof json === 'object' && json.ok !== true ? strings({ ...json, code: undefined }) : [];
  for (const m of messages) {
    if (typeof m !== 'string') continue;
    const hit = STACK.find((re) => re.test(m));
    if (hit) found.push(`message leaks a stack or path (${hit}): ${m.slice(0, 160)}`);
  }
  if (SECRET.test(answer.text)) found.push('answer leaks secretId/secretKey');
  const refused = json?.ok !== true || opts.mustRefuse;
  if (opts.mustRefuse && json?.ok === true) found.push('must be refused but answered ok');
  const what = json?.ok === true ? 'a call that must be refused' : 'a refused call';
  if (refused && answer.changed.length) found.push(`${what} changed stored documents in [${answer.changed.join(',')}]`);
  else if (
    refused &&
    answer.writes > 0 &&
    // An action whose check IS a conditional write (PROBE_WRITES) may send that one, changing nothing.
    !(opts.probeWrite && answer.writes === 1 && answer.wroteTo.length === 1 && answer.wroteTo[0] === opts.probeWrite)
  )
    found.push(`${what} sent write requests (net change none) to [${answer.wroteTo.join(',')}]`);
  if (json?.ok === true) {
    // Only text the call added: a document rewritten whole may carry what an earlier call stored.
    const stored = answer.docs.flatMap((w) => {
      const was = new Set(strings(answer.before[`${w.collection}/${w.id}`] ?? null));
      return strings(w.doc).filter((s) => !was.has(s));
    });
    if (stored.some((s) => FORBIDDEN_CHAR.test(s))) found.push('stored a control/bidi character');
    if (stored.some((s) => LONE_SURROGATE.test(s))) found.push('stored a lone surrogate');
    if (opts.danglingRef && answer.changed.length)
      found.push(`accepted a nonexistent ${opts.danglingRef} and changed [${answer.changed.join(',')}]`);
    if (opts.dateField && answer.writes > 0) found.push('accepted an impossible date in a date field and wrote');
    if (
      opts.dateField &&
      stored.some((s) =>
        IMPOSSIBLE_DATES.some(
          (d) => s === d || s.startsWith(`${d}T`) || s.startsWith('2026-02-30') || s.startsWith('2026-13-45'),
        ),
      )
    )
      found.push('stored an impossible date');
    if (stored.some((s) => s.length > 20_000)) found.push('stored a huge string');
    if (answer.docs.some((w) => keysDeep(w.doc).some((k) => PROTO_NAMES.includes(k))))
      found.push('stored a prototype name as a key');
  }
  return found;
}

/** Short text of a value for failure messages. */
export function show(value: unknown, max = 200): string {
  let text: string;
  try {
    text = bodyText(value);
  } catch {
    text = String(value);
  }
  text = text
    .replace(/(.)\1{40,}/gu, (m, c: string) => `${c}×${m.length}`)
    .replace(/(\[){30,}/g, (m) => `[×${m.length}`);
  return text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text;
}

/** Collects failures by class (check + input class), keeping the first example of each. */
export class FailureLog {
  private readonly byKey = new Map<
    string,
    { count: number; roles: Set<string>; inputs: Set<string>; example: string }
  >();

  /** Records the problems one call had (nothing when empty) as one class. */
  addAll(found: string[], inputClass: string, role: string, example: string): void {
    if (found.length) this.add(found.map((p) => p.replace(/: .*$/s, '')).join(' + '), inputClass, role, example);
  }

  /** Records one problem; classes are the problem, listing the input classes and roles that showed it. */
  add(problem: string, inputClass: string, role: string, example: string): void {
    const key = problem.replace(/: .*$/s, '');
    const row = this.byKey.get(key) ?? { count: 0, roles: new Set<string>(), inputs: new Set<string>(), example };
    row.count += 1;
    row.roles.add(role);
    row.inputs.add(inputClass);
    this.byKey.set(key, row);
  }

  get size(): number {
    return this.byKey.size;
  }

  lines(): string[] {
    return [...this.byKey.entries()].map(([key, r]) => {
      const inputs = [...r.inputs];
      const shown =
        inputs.length > 8 ? `${inputs.slice(0, 8).join('; ')}; …${inputs.length - 8} more` : inputs.join('; ');
      return `${key} ×${r.count} [roles: ${[...r.roles].join(',')}] [inputs: ${shown}]\n      e.g. ${r.example}`;
    });
  }
}

// ── Generators ──

/** A generated input and the class of badness it carries (for deduplicated reports). */
export interface Case {
  label: string;
  payload: unknown;
  /** An impossible date went into a date field (so storing it is a defect). */
  dateField?: boolean;
  /** A reference field names something that does not exist (so writing on it is a defect). */
  danglingRef?: string;
}

/** An id that names nothing. */
export const MISSING_ID = 'fuzz-missing-0001';

/** Field names that hold a date or time. */
export const DATE_FIELD = /date|day|At$|time|opens|closes|start|end|from|until/i;

const PROTO_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype', 'valueOf'];
const CONTROL = [
  'a\u0000b',
  '\u001b[31m红',
  '\u202etxt.exe',
  'x\u2028y',
  'bad\ud800',
  '\udfff',
  '\u0007',
  ' \u2066名\u2069 ',
];

function deepNest(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i += 1) v = i % 2 ? [v] : { a: v };
  return v;
}

function protoObject(key: string, value: unknown): Record<string, unknown> {
  return JSON.parse(`{${JSON.stringify(key)}: ${JSON.stringify(value)}}`) as Record<string, unknown>;
}

/** Bad values of every class, each with its label. */
export const badValue: fc.Arbitrary<Case> = fc.oneof(
  fc
    .constantFrom<unknown>(null, true, false, 0, 1.5, [], {}, '', '   ', [1, 2], { $gt: '' }, { $ne: null })
    .map((payload) => ({ label: 'wrong type', payload })),
  fc.constantFrom(...PROTO_NAMES).map((payload) => ({ label: 'prototype name as value', payload })),
  fc.constantFrom(...CONTROL).map((payload) => ({ label: 'control/bidi/surrogate string', payload })),
  fc.constantFrom(100_000, 300_000).map((n) => ({ label: 'huge string', payload: '测'.repeat(n) })),
  fc.constantFrom(64, 400).map((n) => ({ label: 'deep nesting', payload: deepNest(n) })),
  fc
    .constantFrom(...IMPOSSIBLE_DATES, '2026-02-30T10:00:00.000Z', '2026-13-45T25:61:00+08:00', 'not a date')
    .map((payload) => ({ label: 'impossible date', payload })),
  fc
    .constantFrom<unknown>(-1, -0, 1e308, INF, NEG_INF, 2 ** 53 + 1, -2147483649, 0.0001, 1e21)
    .map((payload) => ({ label: 'negative/huge/infinite number', payload })),
);

type Def = { type: string; [k: string]: any };
const defOf = (s: unknown): Def => ((s as any)?._zod?.def ?? { type: 'unknown' }) as Def;

/** Which pool of real ids a field name aims at. */
function poolFor(field: string, ids: IdPool): string[] {
  const f = field.toLowerCase();
  const by: Array<[RegExp, string[]]> = [
    [/member/, ['members']],
    [/household/, ['households']],
    [/grid/, ['grids']],
    [/building/, ['buildings']],
    [/round/, ['rounds', 'testRounds', 'testingRounds']],
    [/order/, ['orders']],
    [/item/, ['catalog']],
    [/job/, ['jobs']],
    [/signup/, ['shiftSignups']],
    [/shift/, ['shifts']],
    [/volunteer/, ['volunteers']],
    [/request/, ['joinRequests']],
    [/community/, ['communities']],
    [/openid|user|staff/, ['users', 'staff']],
    [/notice/, ['notices']],
  ];
  for (const [re, names] of by) {
    if (re.test(f)) {
      const list = names.flatMap((n) =>
        Object.entries(ids)
          .filter(([k]) => k.toLowerCase().startsWith(n.toLowerCase()))
          .flatMap(([, v]) => v),
      );
      if (list.length) return list;
    }
  }
  return [];
}

/** The China calendar day `days` from now (YYYY-MM-DD). */
function chinaDay(days: number): string {
  return new Date(Date.now() + 8 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);
}

/** A plausible (well-typed, real-id) value for a schema, so a mutation reaches the handler. */
export function plausible(schema: unknown, field: string, ids: IdPool): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
      // Omitted half the time (an optional id often means "create").
      return fc.oneof(fc.constant(undefined), plausible(def.innerType, field, ids));
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return plausible(def.innerType, field, ids);
    case 'pipe':
      return plausible(def.in, field, ids);
    case 'lazy':
      return plausible(def.getter(), field, ids);
    case 'object': {
      const shape = def.shape as Record<string, unknown>;
      const entries = Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, plausible(v, k, ids)]));
      return fc.record(entries);
    }
    case 'array':
      return fc.array(plausible(def.element, field, ids), { minLength: 1, maxLength: 2 });
    case 'enum':
      return fc.constantFrom(...(Object.values(def.entries) as unknown[]));
    case 'literal':
      return fc.constantFrom(...(def.values as unknown[]));
    case 'union':
      return fc.oneof(...(def.options as unknown[]).map((o) => plausible(o, field, ids)));
    case 'boolean':
      return fc.boolean();
    case 'number':
    case 'int':
      return fc.constantFrom(1, 2, 3, 10);
    case 'record':
      return fc.constant({});
    case 'string': {
      const pool = poolFor(field, ids);
      if (pool.length) return fc.constantFrom(...pool);
      const f = field.toLowerCase();
      if (/phone/.test(f)) return fc.constant('13900001234');
      if (/date|day/.test(f)) return fc.constantFrom(chinaDay(1), chinaDay(2));
      if (/at$|time/.test(f)) return fc.constantFrom(`${chinaDay(1)}T02:00:00.000Z`, `${chinaDay(2)}T10:00:00.000Z`);
      if (/room/.test(f)) return fc.constant('1-101');
      if (/^(start|end)$|clock|hhmm/.test(f)) return fc.constantFrom('08:00', '14:00');
      if (/token/.test(f)) return fc.constant('GL1.abc.def');
      return fc.constantFrom('测试', '模糊测试备注');
    }
    default:
      return fc.constantFrom<unknown>('测试', 1, true);
  }
}

function keysOf(schema: unknown): string[] {
  const def = defOf(schema);
  if (['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type))
    return keysOf(def.innerType);
  if (def.type === 'pipe') return keysOf(def.in);
  if (def.type === 'object') return Object.keys(def.shape as object);
  return [];
}

function setPath(obj: unknown, path: string[], value: unknown): unknown {
  if (!path.length) return value;
  const [head, ...rest] = path as [string, ...string[]];
  const base = obj && typeof obj === 'object' && !Array.isArray(obj) ? { ...(obj as object) } : {};
  Object.defineProperty(base, head, {
    value: setPath((base as any)[head], rest, value),
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return base;
}

/** Paths of every leaf of a plausible value (fields inside nested objects and array items too). */
function leafPaths(value: unknown, prefix: string[] = []): string[][] {
  if (Array.isArray(value)) return value.length ? leafPaths(value[0], [...prefix, '0']) : [prefix];
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length
      ? keys.flatMap((k) => [
          [...prefix, k],
          ...leafPaths((value as any)[k], [...prefix, k]).filter((p) => p.length > prefix.length + 1),
        ])
      : [prefix];
  }
  return [prefix];
}

function setAt(root: unknown, path: string[], value: unknown): unknown {
  if (!path.length) return value;
  const [head, ...rest] = path as [string, ...string[]];
  if (Array.isArray(root)) {
    const copy = [...root];
    copy[Number(head)] = setAt(copy[Number(head)], rest, value);
    return copy;
  }
  return setPath(root, [head], setAt((root as any)?.[head], rest, value));
}

/** Generated bad payloads for one action, from its input schema and the real ids. */
export function payloadCases(schema: unknown, own: IdPool, ids: IdPool): fc.Arbitrary<Case> {
  const valid = plausible(schema, '', own);
  const fields = keysOf(schema);
  const allIds = Object.values(ids).flat();
  const mutateField = fc.tuple(valid, badValue, fc.nat()).map(([v, bad, n]) => {
    const paths = leafPaths(v).filter((p) => p.length);
    if (!paths.length) return { label: `payload ${bad.label}`, payload: bad.payload };
    const path = paths[n % paths.length]!;
    const dateField = bad.label === 'impossible date' && DATE_FIELD.test(path[path.length - 1]!);
    return {
      label: `field ${path.filter((p) => p !== '0').join('.')}: ${bad.label}`,
      payload: setAt(v, path, bad.payload),
      dateField,
    };
  });
  const poisonAllStrings = fc
    .tuple(valid, fc.constantFrom(...CONTROL, '测'.repeat(50_000), ...IMPOSSIBLE_DATES))
    .map(([v, s]) => {
      let out = v;
      let dateField = false;
      for (const path of leafPaths(v).filter((p) => p.length)) {
        let cur: unknown = v;
        for (const k of path) cur = (cur as any)?.[k];
        const last = path[path.length - 1]!;
        if (typeof cur !== 'string' || poolFor(last, ids).length) continue;
        const asDate = DATE_FIELD.test(last) && IMPOSSIBLE_DATES.includes(s);
        dateField ||= asDate;
        out = setAt(out, path, asDate ? (cur.length > 10 ? `${s}${cur.slice(10)}` : s) : `测试${s}`);
      }
      const kind = IMPOSSIBLE_DATES.includes(s)
        ? 'impossible date'
        : s.length > 1000
          ? 'huge string'
          : 'control/bidi/surrogate string';
      return { label: `every text field: ${kind}`, payload: out, dateField };
    });
  const missing = fc.tuple(valid, fc.nat()).map(([v, n]) => {
    if (!fields.length || !v || typeof v !== 'object') return { label: 'valid-ish', payload: v };
    const drop = fields[n % fields.length]!;
    const copy = { ...(v as object) } as Record<string, unknown>;
    delete copy[drop];
    return { label: `missing field ${drop}`, payload: copy };
  });
  const extra = fc
    .tuple(
      valid,
      fc.constantFrom(...PROTO_NAMES, 'roles', '_id', 'openid', 'communityId', 'status', '$where'),
      fc.constantFrom<unknown>({ polluted: true }, 'communityAdmin', ['communityAdmin'], 1, 'x'),
    )
    .map(([v, key, value]) => ({
      label: `extra key ${PROTO_NAMES.includes(key) ? 'prototype name' : key}`,
      payload:
        v && typeof v === 'object' && !Array.isArray(v)
          ? Object.assign(protoObject(key, value), v)
          : protoObject(key, value),
    }));
  const otherIds = fc.tuple(valid, fc.nat()).map(([v, n]) => {
    let out = v;
    for (const [i, path] of leafPaths(v)
      .filter((p) => p.length)
      .entries()) {
      const pool = poolFor(path[path.length - 1]!, ids);
      const cur = path.reduce<unknown>((c, k) => (c as any)?.[k], v);
      if (typeof cur === 'string' && pool.length)
        out = setAt(
          out,
          path,
          allIds.length && (n + i) % 3 === 0 ? allIds[(n * 7 + i) % allIds.length] : pool[(n + i * 5) % pool.length],
        );
    }
    return { label: 'ids of other households/grids/orders', payload: out };
  });
  const leaves = fc.sample(valid, { seed: FUZZ_SEED, numRuns: 1 }).flatMap((v) => leafPaths(v).filter((p) => p.length));
  const dateLeaves = leaves.filter((p) => DATE_FIELD.test(p[p.length - 1]!));
  const refLeaves = leaves.filter((p) => poolFor(p[p.length - 1]!, ids).length > 0);
  const badDate = fc
    .tuple(
      valid,
      fc.nat(),
      fc.constantFrom(...IMPOSSIBLE_DATES, '2026-02-30T10:00:00.000Z', '2026-13-45T25:61:00+08:00'),
    )
    .map(([v, n, d]) => {
      const path = dateLeaves[n % Math.max(1, dateLeaves.length)];
      if (!path) return { label: 'valid-ish', payload: v };
      return {
        label: `date field ${path.filter((p) => p !== '0').join('.')}: impossible date`,
        payload: setAt(v, path, d),
        dateField: true,
      };
    });
  const dangling = fc.tuple(valid, fc.nat()).map(([v, n]) => {
    const path = refLeaves[n % Math.max(1, refLeaves.length)];
    if (!path) return { label: 'valid-ish', payload: v };
    const field = path.filter((p) => p !== '0').join('.');
    return { label: `reference ${field}: nonexistent id`, payload: setAt(v, path, MISSING_ID), danglingRef: field };
  });
  const wholePayload = fc
    .constantFrom<unknown>(null, 'payload', 42, [], [{}], true, deepNest(200))
    .map((payload) => ({ label: 'payload of the wrong type', payload }));
  return fc.oneof(
    { weight: 6, arbitrary: mutateField },
    { weight: 2, arbitrary: poisonAllStrings },
    { weight: 2, arbitrary: missing },
    { weight: 2, arbitrary: extra },
    { weight: 2, arbitrary: otherIds },
    { weight: 1, arbitrary: wholePayload },
    ...(dateLeaves.length ? [{ weight: 3, arbitrary: badDate }] : []),
    ...(refLeaves.length ? [{ weight: 2, arbitrary: dangling }] : []),
    { weight: 1, arbitrary: valid.map((payload) => ({ label: 'valid-ish', payload })) },
  );
}

/**
 * Deterministic cases from one well-formed payload: each text field in turn carrying control and
 * bidi characters or a lone surrogate, each date field an impossible date, each reference a
 * nonexistent id (one field at a time, so one strict field cannot hide the others).
 */
export function systematicCases(schema: unknown, own: IdPool, seed: number): Case[] {
  const [v] = fc.sample(plausible(schema, '', own), { seed, numRuns: 1 });
  const cases: Case[] = [];
  for (const path of leafPaths(v).filter((p) => p.length)) {
    const cur = path.reduce<unknown>((c, k) => (c as any)?.[k], v);
    if (typeof cur !== 'string') continue;
    const last = path[path.length - 1]!;
    const field = path.filter((p) => p !== '0').join('.');
    if (poolFor(last, own).length) {
      cases.push({
        label: `reference ${field}: nonexistent id`,
        payload: setAt(v, path, MISSING_ID),
        danglingRef: field,
      });
    } else if (DATE_FIELD.test(last)) {
      cases.push({
        label: `date field ${field}: impossible date`,
        payload: setAt(v, path, cur.length > 10 ? `2026-02-30${cur.slice(10)}` : '2026-02-30'),
        dateField: true,
      });
    } else {
      cases.push({
        label: `field ${field}: control/bidi/surrogate string`,
        payload: setAt(v, path, `${cur}\u001b\u202e\u2028`),
      });
      cases.push({ label: `field ${field}: control/bidi/surrogate string`, payload: setAt(v, path, `${cur}\ud800`) });
    }
  }
  return cases;
}
