/**
 * Secondary indexes of the store, and which documents a query can match according to them.
 *
 * An index answers a *superset* of the documents a query matches — every document whose value
 * could satisfy the conjuncts it looked up — and the query engine (mingo) still tests each one, so
 * answers never depend on the index. Scalars (strings, numbers, booleans, dates, null/missing) are
 * keyed by value; an array of scalars by each element (multikey, as MongoDB); a value the index
 * cannot key exactly (an embedded document, a path through an array, NaN, a nested array) goes to a
 * wildcard entry that every lookup includes. Compound indexes are trees, one level a field, so any
 * prefix of their fields can be looked up: equality and `$in` on leading fields, then a range.
 */
import type { Doc } from './wire';

/** An index the store keeps; unique ones are enforced on every write. */
export interface IndexSpec {
  collection: string;
  name: string;
  keys: Record<string, 1 | -1>;
  unique?: boolean;
}

/** The key of values an index cannot key exactly: included in every lookup. */
const WILD = '*';
/** The key of an empty array: never equal to, in or within range of a scalar. */
const EMPTY = 'e';
/** The key of null and of a missing field (`{ f: null }` matches both). */
const NIL = 'z';
/** Above this many entries for one document (a product of arrays), the later fields go to the wildcard. */
const MAX_ENTRIES = 256;

type RangeType = 'n' | 's' | 'd';

const isPlainObject = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
};

/**
 * The key of a scalar (`s<string>`, `n<number>`, `d<ms>` — the kinds ranges order —, `b0`/`b1`,
 * the null key), or the wildcard for anything else.
 */
function keyOf(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return `s${value}`;
    case 'number':
      return Number.isNaN(value) ? WILD : `n${String(value)}`;
    case 'boolean':
      return value ? 'b1' : 'b0';
    case 'undefined':
      return NIL;
    case 'object': {
      if (value === null) return NIL;
      if (!(value instanceof Date)) return WILD;
      const ms = value.getTime();
      return Number.isNaN(ms) ? WILD : `d${ms}`;
    }
    default:
      return WILD;
  }
}

/** The kind of range a key can be ordered in, if any. */
const rangeTypeOf = (key: string): RangeType | null =>
  key[0] === 'n' || key[0] === 's' || key[0] === 'd' ? (key[0] as RangeType) : null;

/** The value a range-orderable key is ordered by. */
const orderOf = (key: string): number | string => (key[0] === 's' ? key.slice(1) : Number(key.slice(1)));

/** The keys of a document at a field path: one, or several for an array of scalars (multikey). */
function fieldKeys(doc: Doc, path: readonly string[]): string | string[] {
  let value: unknown = doc;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return NIL; // through a scalar or a missing field
    if (Array.isArray(value) || !isPlainObject(value)) return WILD; // through an array: not keyed exactly
    value = Object.hasOwn(value, part) ? (value as Record<string, unknown>)[part] : undefined;
  }
  if (!Array.isArray(value)) return keyOf(value);
  if (value.length === 0) return EMPTY;
  const keys = new Set<string>();
  for (const element of value) {
    const key = keyOf(element);
    if (key === WILD) return WILD;
    keys.add(key);
  }
  return keys.size === 1 ? (keys.values().next().value as string) : [...keys];
}

export interface Node {
  /** Every document at or below this node (one id held bare, more in a set). */
  ids: string | Set<string>;
  /** Children by the next field's key; null at the last field. */
  children: Map<string, Node> | null;
  /** The children's range-orderable keys, sorted, per type (made on first need). */
  sorted?: Partial<Record<RangeType, Array<number | string>>>;
}

const sizeOf = (ids: string | Set<string>) => (typeof ids === 'string' ? 1 : ids.size);

function lowerBound(list: ReadonlyArray<number | string>, value: number | string, inclusive: boolean): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = list[mid] as number | string;
    if (v < value || (!inclusive && v === value)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** What a query says about one field, usable by an index. */
export type Constraint =
  | { kind: 'eq'; keys: string[] }
  | { kind: 'range'; type: RangeType; lo?: number | string; loIn?: boolean; hi?: number | string; hiIn?: boolean };

const RANGE_OPS = new Set(['$gt', '$gte', '$lt', '$lte']);

/** The constraint of one field condition (`5`, `{ $in: [...] }`, `{ $gte: a, $lt: b }`…), or null. */
function fieldConstraint(condition: unknown): Constraint | null {
  const isOps =
    !!condition &&
    typeof condition === 'object' &&
    !Array.isArray(condition) &&
    !(condition instanceof Date) &&
    !(condition instanceof RegExp) &&
    isPlainObject(condition);
  if (!isOps) {
    const key = keyOf(condition);
    return key === WILD ? null : { kind: 'eq', keys: [key] };
  }
  const ops = Object.keys(condition);
  if (ops.length === 0 || !ops.every((k) => k.startsWith('$'))) return null; // an embedded document to equal
  const c = condition as Record<string, unknown>;
  if ('$eq' in c) {
    const key = keyOf(c.$eq);
    if (key !== WILD) return { kind: 'eq', keys: [key] };
  }
  if (Array.isArray(c.$in)) {
    const keys = c.$in.map(keyOf);
    if (!keys.includes(WILD)) return { kind: 'eq', keys: [...new Set(keys)] };
  }
  let range: Extract<Constraint, { kind: 'range' }> | null = null;
  for (const op of ops) {
    if (!RANGE_OPS.has(op)) continue;
    const key = keyOf(c[op]);
    const type = rangeTypeOf(key);
    if (!type) continue;
    const order = orderOf(key);
    if (!range) range = { kind: 'range', type };
    if (range.type !== type) continue; // another type: this conjunct alone is narrow enough
    const inclusive = op === '$gte' || op === '$lte';
    if (op === '$gt' || op === '$gte') {
      if (range.lo === undefined || order > range.lo || (order === range.lo && !inclusive)) {
        range.lo = order;
        range.loIn = inclusive;
      }
    } else if (range.hi === undefined || order < range.hi || (order === range.hi && !inclusive)) {
      range.hi = order;
      range.hiIn = inclusive;
    }
  }
  return range;
}

/**
 * The conjuncts of a query an index can use: field → constraint, from its top-level fields and
 * its `$and` (never from `$or`, `$nor`, `$not`: those are no restriction every match meets).
 */
export function constraints(
  criteria: Record<string, unknown>,
  out = new Map<string, Constraint>(),
): Map<string, Constraint> {
  for (const [field, condition] of Object.entries(criteria)) {
    if (field === '$and') {
      if (Array.isArray(condition))
        for (const part of condition)
          if (part && typeof part === 'object' && !Array.isArray(part))
            constraints(part as Record<string, unknown>, out);
      continue;
    }
    if (field.startsWith('$') || out.has(field)) continue;
    const constraint = fieldConstraint(condition);
    if (constraint) out.set(field, constraint);
  }
  return out;
}

/**
 * One secondary index: a tree of nodes, one level a field of the index. Plain data (no class), so
 * a store's state can be copied with structuredClone (the fuzz suite snapshots and restores it).
 */
export interface IndexTree {
  spec: IndexSpec;
  fields: string[];
  paths: string[][];
  root: Node;
  /** Still being built over the documents stored before it was declared: not used for lookups yet. */
  building: boolean;
  /**
   * Per field, whether a document has had several values there (an array): then a range's two
   * bounds may be met by different elements, so a lookup uses one bound only (as MongoDB does).
   */
  multikey: boolean[];
}

/** An empty index. */
export function newTree(spec: IndexSpec): IndexTree {
  const fields = Object.keys(spec.keys);
  return {
    spec,
    fields,
    paths: fields.map((f) => f.split('.')),
    root: { ids: '', children: new Map() },
    building: false,
    multikey: fields.map(() => false),
  };
}

/** The key paths of a document (one per combination of its multikey values). */
function entries(tree: IndexTree, doc: Doc, per = tree.paths.map((path) => fieldKeys(doc, path))): string[][] {
  if (per.every((k) => typeof k === 'string')) return [per as string[]];
  let out: string[][] = [[]];
  for (const keys of per) {
    const list = typeof keys === 'string' ? [keys] : out.length * keys.length > MAX_ENTRIES ? [WILD] : keys;
    const next: string[][] = [];
    for (const prefix of out) for (const k of list) next.push([...prefix, k]);
    out = next;
  }
  return out;
}

/** A fingerprint of a document's entries: equal ones need no change of the index. */
export function signature(tree: IndexTree, doc: Doc): string {
  let out = '';
  for (const entry of entries(tree, doc)) out += `${entry.join('\u0000')}\u0001`;
  return out;
}

function insertSorted(node: Node, key: string): void {
  const type = rangeTypeOf(key);
  const list = type ? node.sorted?.[type] : undefined;
  if (!list) return;
  const order = orderOf(key);
  list.splice(lowerBound(list, order, true), 0, order);
}

function removeSorted(node: Node, key: string): void {
  const type = rangeTypeOf(key);
  const list = type ? node.sorted?.[type] : undefined;
  if (!list) return;
  const order = orderOf(key);
  const at = lowerBound(list, order, true);
  if (list[at] === order) list.splice(at, 1);
}

/** Adds a document to an index. */
export function addTo(tree: IndexTree, id: string, doc: Doc): void {
  const last = tree.fields.length - 1;
  const per = tree.paths.map((path) => fieldKeys(doc, path));
  per.forEach((keys, i) => {
    if (typeof keys !== 'string') tree.multikey[i] = true;
  });
  for (const entry of entries(tree, doc, per)) {
    let node = tree.root;
    for (let level = 0; level <= last; level += 1) {
      const key = entry[level] as string;
      const children = node.children as Map<string, Node>;
      let child = children.get(key);
      if (!child) {
        child = { ids: id, children: level < last ? new Map() : null };
        children.set(key, child);
        insertSorted(node, key);
      } else if (typeof child.ids === 'string') {
        if (child.ids !== id) child.ids = new Set([child.ids, id]);
      } else child.ids.add(id);
      node = child;
    }
  }
}

/** Removes a document from an index (as it was when added). */
export function removeFrom(tree: IndexTree, id: string, doc: Doc): void {
  for (const entry of entries(tree, doc)) removeEntry(tree.root, entry, 0, id);
}

function removeEntry(node: Node, entry: readonly string[], level: number, id: string): void {
  const key = entry[level];
  if (key === undefined || !node.children) return;
  const child = node.children.get(key);
  if (!child) return;
  removeEntry(child, entry, level + 1, id);
  if (typeof child.ids === 'string') {
    if (child.ids !== id) return;
  } else {
    child.ids.delete(id);
    if (child.ids.size > 1) return;
    if (child.ids.size === 1) {
      child.ids = child.ids.values().next().value as string;
      return;
    }
  }
  node.children.delete(key);
  removeSorted(node, key);
}

/** The sorted keys of one type among a node's children (built on first use, then kept). */
function sortedKeys(node: Node, type: RangeType): Array<number | string> {
  node.sorted ??= {};
  let list = node.sorted[type];
  if (!list) {
    list = [];
    for (const key of (node.children as Map<string, Node>).keys()) {
      if (key[0] !== type) continue;
      list.push(type === 's' ? key.slice(1) : Number(key.slice(1)));
    }
    list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    node.sorted[type] = list;
  }
  return list;
}

/** Nodes of an index holding every document that can meet a query's constraints. */
export interface Lookup {
  nodes: Node[];
  /** How many leading fields of the index were used. */
  used: number;
}

/** The lookup of constraints in an index; null when its first field is unconstrained. */
export function lookup(tree: IndexTree, by: ReadonlyMap<string, Constraint>): Lookup | null {
  let nodes: Node[] = [tree.root];
  let used = 0;
  for (const [level, field] of tree.fields.entries()) {
    let constraint = by.get(field);
    if (!constraint) break;
    if (constraint.kind === 'range' && constraint.lo !== undefined && tree.multikey[level])
      constraint = { ...constraint, hi: undefined, hiIn: undefined };
    const next: Node[] = [];
    for (const node of nodes) {
      const children = node.children as Map<string, Node>;
      const wild = children.get(WILD);
      if (wild) next.push(wild);
      if (constraint.kind === 'eq') {
        for (const key of constraint.keys) {
          const child = children.get(key);
          if (child) next.push(child);
        }
        continue;
      }
      const list = sortedKeys(node, constraint.type);
      const from = constraint.lo === undefined ? 0 : lowerBound(list, constraint.lo, constraint.loIn ?? false);
      const to =
        constraint.hi === undefined ? list.length : lowerBound(list, constraint.hi, !(constraint.hiIn ?? false));
      for (let i = from; i < to; i += 1) {
        const child = children.get(`${constraint.type}${String(list[i])}`);
        if (child) next.push(child);
      }
    }
    nodes = next;
    used += 1;
    if (constraint.kind === 'range' || !nodes.some((n) => n.children)) break;
  }
  return used === 0 ? null : { nodes, used };
}

/** How many document entries the nodes hold (an upper bound of the candidates). */
export function countOf(nodes: readonly Node[]): number {
  let total = 0;
  for (const n of nodes) total += sizeOf(n.ids);
  return total;
}

/** The ids the nodes hold, each once. */
export function idsOf(nodes: readonly Node[]): Iterable<string> {
  if (nodes.length === 1) {
    const ids = (nodes[0] as Node).ids;
    return typeof ids === 'string' ? [ids] : ids;
  }
  const out = new Set<string>();
  for (const n of nodes) {
    if (typeof n.ids === 'string') out.add(n.ids);
    else for (const id of n.ids) out.add(id);
  }
  return out;
}
