/**
 * Fast paths for the requests the functions send most (profiled on `order.place`): they give
 * exactly what the general code gives, and answer null whenever a request needs more, so the
 * general code (bson's EJSON, mingo's updater) handles it.
 *
 * - `fastEjson`: the SDK's canonical EJSON holding only plain JSON, `$numberInt`, `$numberDouble`
 *   and `$date` (of a `$numberLong`), parsed as `EJSON.parse(text, { relaxed: true })` parses it,
 *   in one JSON.parse and one walk (bson's reviver costs some 30 times more).
 * - `fastUpdate`: `$set`, `$inc` and `$unset` on dotted paths through plain objects (no arrays on
 *   the way, no path inside another), applied in place as mingo's updater applies them (mingo
 *   rebuilds its path machinery for every document: ~0.4 ms for a three-line placement's update).
 */

type Obj = Record<string, unknown>;

/** EJSON's wrapper keys other than the three handled here: any of them sends the text to bson. */
const OTHER_WRAPPERS = new Set([
  '$numberLong',
  '$numberDecimal',
  '$oid',
  '$binary',
  '$uuid',
  '$code',
  '$scope',
  '$symbol',
  '$timestamp',
  '$regularExpression',
  '$regex',
  '$options',
  '$dbPointer',
  '$ref',
  '$id',
  '$db',
  '$minKey',
  '$maxKey',
  '$undefined',
]);

class NeedsBson extends Error {}
const NEEDS_BSON = new NeedsBson();

/** A plain object (of any realm: tests run in a VM context). */
function isPlain(v: unknown): v is Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}
const isDate = (v: unknown): v is Date => Object.prototype.toString.call(v) === '[object Date]';

/** Sets a key, a key named `__proto__` as an own key (as JSON.parse makes it). */
function put(obj: Obj, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** One parsed JSON value with the EJSON wrappers resolved (in place); `serverDate` makes `$tcb_server_date`. */
function revive(value: unknown, serverDate: (offset: number) => Date): unknown {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) value[i] = revive(value[i], serverDate);
    return value;
  }
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Obj;
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    const k = keys[0] as string;
    const v = obj[k];
    if (k === '$numberInt') {
      if (typeof v !== 'string' || !/^-?\d+$/.test(v)) throw NEEDS_BSON;
      return parseInt(v, 10);
    }
    if (k === '$numberDouble') {
      if (typeof v !== 'string') throw NEEDS_BSON;
      return parseFloat(v);
    }
    if (k === '$date') {
      const ms = isPlain(v) && Object.keys(v).length === 1 ? v.$numberLong : undefined;
      if (typeof ms !== 'string' || !/^-?\d{1,15}$/.test(ms)) throw NEEDS_BSON;
      return new Date(Number(ms));
    }
    if (k === '$tcb_server_date') {
      // As resolveServerDates (wire.ts) reads it: a marker with an offset in ms.
      const offset = isPlain(v) ? Number(v.offset ?? 0) : Number.NaN;
      if (!isPlain(v) || Object.keys(v).some((x) => x !== 'offset') || typeof (v.offset ?? 0) !== 'number')
        throw NEEDS_BSON;
      return serverDate(offset);
    }
  }
  for (const k of keys) {
    if (k === '$numberInt' || k === '$numberDouble' || k === '$date' || k === '_bsontype' || OTHER_WRAPPERS.has(k))
      throw NEEDS_BSON;
    const v = obj[k];
    if (v !== null && typeof v === 'object') put(obj, k, revive(v, serverDate));
  }
  return obj;
}

/** The text parsed as bson's relaxed EJSON.parse (then server dates resolved) would; null: let bson do it. */
export function fastEjson(text: string, now: Date): { value: unknown } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null; // bson reports it
  }
  try {
    return { value: revive(parsed, (offset) => new Date(now.getTime() + offset)) };
  } catch (error) {
    if (error === NEEDS_BSON) return null;
    throw error;
  }
}

// ── updates ────────────────────────────────────────────────────────────────────────────────

/** Deep equality of stored values (what an update leaves unchanged is not counted as a change). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return a !== 0 || 1 / (a as number) === 1 / (b as number);
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (isDate(a) || isDate(b)) return isDate(a) && isDate(b) && a.getTime() === b.getTime();
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => same(v, b[i]));
  }
  if (isPlain(a) && isPlain(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    return ka.every((k, i) => k === kb[i] && same(a[k], b[k]));
  }
  return false;
}

/** A copy of a value from the request (so no two documents share one). */
function copy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copy);
  if (isDate(value)) return new Date(value.getTime());
  if (isPlain(value)) {
    const out: Obj = {};
    for (const k of Object.keys(value)) put(out, k, copy(value[k]));
    return out;
  }
  return value;
}

const OPS = new Set(['$set', '$inc', '$unset']);

/**
 * Applies `$set`/`$inc`/`$unset` to `doc` in place and answers the paths it changed; null (doc
 * untouched) when the update needs mingo: another operator, an array or a non-object on a path,
 * a path inside another, `_id`, `$inc` of a non-number or of 0.
 */
export function fastUpdate(doc: Obj, update: Obj): string[] | null {
  const ops = Object.keys(update);
  if (ops.length === 0 || !ops.every((op) => OPS.has(op))) return null;
  const steps: Array<{ op: string; path: string[]; value: unknown }> = [];
  for (const op of ops) {
    const fields = update[op];
    if (!isPlain(fields)) return null;
    const names = Object.keys(fields);
    if (names.length === 0) return null;
    for (const name of names) {
      const path = name.split('.');
      if (path[0] === '_id' || path.some((p) => p === '' || p.startsWith('$') || p === '__proto__')) return null;
      const value = fields[name];
      if (op === '$inc' && (typeof value !== 'number' || value === 0 || !Number.isFinite(value))) return null;
      steps.push({ op, path, value });
    }
  }
  const names = steps.map((s) => s.path.join('.')).sort();
  for (let i = 1; i < names.length; i += 1) {
    const prev = names[i - 1] as string;
    const cur = names[i] as string;
    if (cur === prev || cur.startsWith(`${prev}.`)) return null;
  }
  // Check every path first: the document is changed only when the whole update can be applied here.
  for (const { op, path, value } of steps) {
    let node: unknown = doc;
    for (let i = 0; i < path.length - 1; i += 1) {
      if (!isPlain(node)) return null;
      node = Object.hasOwn(node, path[i] as string) ? node[path[i] as string] : undefined;
      if (node === undefined) break;
    }
    if (node !== undefined && !isPlain(node)) return null;
    if (op === '$inc' && node !== undefined) {
      const current = (node as Obj)[path[path.length - 1] as string];
      if (Object.hasOwn(node as Obj, path[path.length - 1] as string) && typeof current !== 'number') return null;
    }
    if (op === '$set' && value !== null && typeof value === 'object' && !Array.isArray(value) && !isPlain(value)) {
      if (!isDate(value)) return null;
    }
  }
  const changed: string[] = [];
  for (const { op, path, value } of steps) {
    const last = path[path.length - 1] as string;
    let node = doc;
    let missing = false;
    for (let i = 0; i < path.length - 1; i += 1) {
      const key = path[i] as string;
      if (!Object.hasOwn(node, key) || node[key] === undefined) {
        if (op === '$unset') {
          missing = true;
          break;
        }
        put(node, key, {});
      }
      node = node[key] as Obj;
    }
    if (missing) continue;
    const name = path.join('.');
    if (op === '$unset') {
      if (Object.hasOwn(node, last)) {
        delete node[last];
        changed.push(name);
      }
    } else if (op === '$inc') {
      const had = Object.hasOwn(node, last);
      const current = had ? (node[last] as number) : 0;
      const next = current + (value as number);
      // Beyond 2^53 an increment may round back to the same number: then nothing changed (as mingo says).
      if (had && next === current) continue;
      put(node, last, next);
      changed.push(name);
    } else if (!(Object.hasOwn(node, last) && same(node[last], value))) {
      put(node, last, copy(value));
      changed.push(name);
    }
  }
  return changed;
}
