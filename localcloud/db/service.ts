/**
 * The local CloudBase-compatible database service: answers each SDK request against the store,
 * mirroring CloudBase — `doc().get()` shapes; transactions as MongoDB runs them under CloudBase
 * (a snapshot fixed by the transaction's first operation, which its reads — `where().get()`
 * included — see together with its own writes; a write to a document changed since the snapshot,
 * or written by another open transaction, fails with DATABASE_TRANSACTION_CONFLICT and ends the
 * transaction, which `runTransaction` retries); `where().update()` never part of a transaction;
 * limits of 100 by default and 1,000 at most; collections that must exist; aggregation
 * (`database.aggregateDocuments`); string, number and ObjectId ids; and DbRead/DbWrite request
 * counts as CloudBase bills them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { update as applyUpdate } from 'mingo/updater';
import { fastUpdate } from './fast';
import { aggregate, compile, nearOrder, tester } from './query';
import { DB_ERRORS, DbError, dollarField, idKey, isDocId, newId, parseEjson, toEjson, type Doc } from './wire';
import type { IndexSpec, Store, Write } from './store';

/** DbRead/DbWrite request counts, as CloudBase bills them. */
export interface DbStats {
  reads: number;
  writes: number;
  byCollection: Record<string, { reads: number; writes: number }>;
  byAction: Record<string, number>;
}

type Body = Record<string, unknown>;
type Criteria = Record<string, unknown>;

interface Tx {
  id: string;
  /** The store version the transaction reads at, fixed by its first operation; null before it. */
  snapshot: number | null;
  /** Documents as they were at the snapshot, for those committed since (tx key → document or null). */
  before: Map<string, Doc | null>;
  /** Buffered writes: tx key → new document or null (deleted). */
  writes: Map<string, Write>;
  timer: NodeJS.Timeout;
}

const READS = new Set([
  'database.getDocument',
  'database.queryDocument',
  'database.calculateDocument',
  'database.countDocument',
  'database.aggregateDocuments',
]);
const WRITES = new Set([
  'database.insertDocument',
  'database.addDocument',
  'database.modifyDocument',
  'database.updateDocument',
  'database.removeDocument',
  'database.deleteDocument',
  'database.modifyAndReturnDoc',
]);

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

const txKey = (collection: string, id: string) => `${collection}\u0000${id}`;

/**
 * A deep copy made in this realm. (`structuredClone` builds its arrays in Node's main realm: under
 * jest's sandbox they fail mingo's array checks, so `where({ list: [x] })` stopped matching a
 * document once it had been updated.)
 */
function clone<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => clone(v)) as T;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    // defineProperty: a stored key named `__proto__` stays a key, never a prototype.
    for (const [k, v] of Object.entries(value))
      Object.defineProperty(out, k, { value: clone(v), enumerable: true, writable: true, configurable: true });
    return out as T;
  }
  return value;
}

/** The store key of a `{ _id }` criteria (a document operation), or null. */
function isIdOnly(criteria: Criteria): string | null {
  const keys = Object.keys(criteria);
  return keys.length === 1 && isDocId(criteria._id) ? idKey(criteria._id) : null;
}

/** The request handler of the local database service. */
export class DbEngine {
  private readonly txs = new Map<string, Tx>();
  private counters: DbStats = {
    reads: 0,
    writes: 0,
    byCollection: Object.create(null) as DbStats['byCollection'],
    byAction: Object.create(null) as DbStats['byAction'],
  };

  constructor(
    readonly store: Store,
    private readonly maxTxMs: number,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Request counts since the last reset. */
  stats(): DbStats {
    return clone(this.counters);
  }

  /** Starts counting from zero. */
  resetStats(): void {
    this.counters = {
      reads: 0,
      writes: 0,
      byCollection: Object.create(null) as DbStats['byCollection'],
      byAction: Object.create(null) as DbStats['byAction'],
    };
  }

  private count(action: string, collection: unknown): void {
    const kind = READS.has(action) ? 'reads' : WRITES.has(action) ? 'writes' : null;
    // Only the protocol's own actions are counted by name (a client picks the name it sends).
    if (!kind) return;
    this.counters.byAction[action] = (this.counters.byAction[action] ?? 0) + 1;
    this.counters[kind] += 1;
    if (typeof collection === 'string') {
      const per = Object.hasOwn(this.counters.byCollection, collection)
        ? (this.counters.byCollection[collection] as { reads: number; writes: number })
        : (this.counters.byCollection[collection] = { reads: 0, writes: 0 });
      per[kind] += 1;
    }
  }

  /** Answers one SDK request body. */
  handle(body: Body): Body {
    const requestId = randomUUID();
    const action = String(body.action ?? '');
    try {
      this.count(action, body.collectionName);
      return { requestId, ...this.dispatch(action, body) };
    } catch (error) {
      if (error instanceof DbError) return { requestId, code: error.code, message: error.message };
      throw error;
    }
  }

  private dispatch(action: string, body: Body): Body {
    switch (action) {
      case 'database.addCollection':
        if (!this.store.create(this.name(body))) {
          throw new DbError('DATABASE_COLLECTION_ALREADY_EXIST', `Collection ${this.name(body)} already exists`);
        }
        return { data: {} };
      case 'database.insertDocument':
      case 'database.addDocument':
        return { data: this.insert(body) };
      case 'database.getDocument':
      case 'database.queryDocument':
        return { data: this.get(body) };
      case 'database.calculateDocument':
      case 'database.countDocument':
        return { data: { total: this.find(this.name(body), this.criteria(body)).length } };
      case 'database.aggregateDocuments':
        return { data: { list: this.aggregate(body).map((d) => toEjson(d)) } };
      case 'database.modifyDocument':
      case 'database.updateDocument':
        return { data: this.modify(body) };
      case 'database.modifyAndReturnDoc':
        return { data: this.modifyAndReturn(body) };
      case 'database.removeDocument':
      case 'database.deleteDocument':
        return { data: this.remove(body) };
      case 'database.startTransaction':
        return { transactionId: this.startTx() };
      case 'database.commitTransaction':
        this.commitTx(String(body.transactionId));
        return { data: {} };
      case 'database.abortTransaction':
        this.endTx(this.tx(String(body.transactionId)));
        return { data: {} };
      default:
        throw DB_ERRORS.invalid(`action not supported by the local database service: ${action}`);
    }
  }

  private name(body: Body): string {
    const name = body.collectionName;
    if (typeof name !== 'string' || !name) throw DB_ERRORS.invalid('collectionName is required');
    return name;
  }

  private parse(text: unknown): unknown {
    try {
      return parseEjson(text, this.clock());
    } catch (error) {
      if (error instanceof DbError) throw error;
      throw DB_ERRORS.invalid(`malformed EJSON: ${(error as Error).message}`);
    }
  }

  private criteria(body: Body): Criteria {
    const criteria = (this.parse(body.query) as Criteria | undefined) ?? {};
    if (!criteria || typeof criteria !== 'object' || Array.isArray(criteria))
      throw DB_ERRORS.invalid('query must be an object');
    return criteria;
  }

  /** A transaction id only counts for single-document requests, as in CloudBase. */
  private txOf(body: Body): Tx | null {
    const id = body.transactionId;
    if (typeof id !== 'string' || !id) return null;
    if (body.queryType === 'WHERE') return null;
    return this.tx(id);
  }

  private tx(id: string): Tx {
    const tx = this.txs.get(id);
    if (!tx) throw DB_ERRORS.txMissing();
    return tx;
  }

  /** Matching documents (internal objects), in store order. */
  private find(collection: string, criteria: Criteria): Doc[] {
    const id = isIdOnly(criteria);
    if (id !== null) {
      const doc = this.store.peek(collection, id);
      return doc ? [doc] : [];
    }
    if (!this.store.has(collection)) throw DB_ERRORS.collectionMissing(collection);
    const test = tester(criteria);
    const out: Doc[] = [];
    const keys = this.store.candidates(collection, criteria);
    if (keys) {
      for (const [, doc] of this.store.inOrder(collection, keys)) if (test(doc)) out.push(doc);
    } else {
      for (const doc of this.store.scan(collection)) if (test(doc)) out.push(doc);
    }
    return out;
  }

  /** Matching documents as a transaction sees them: its snapshot with its own writes. */
  private txFind(tx: Tx, collection: string, criteria: Criteria): Doc[] {
    if (!this.store.has(collection)) throw DB_ERRORS.collectionMissing(collection);
    this.begin(tx);
    const test = tester(criteria);
    const out: Doc[] = [];
    const seen = new Set<string>();
    const consider = (doc: Doc | null | undefined) => {
      if (doc && test(doc)) out.push(doc);
    };
    const prefix = txKey(collection, '');
    // Indexed: a document neither among the candidates nor changed since the snapshot cannot match.
    const candidates = this.store.candidates(collection, criteria);
    let keys: Iterable<[string, Doc]> = this.store.entries(collection);
    if (candidates) {
      const wanted = new Set(candidates);
      for (const k of tx.before.keys()) if (k.startsWith(prefix)) wanted.add(k.slice(prefix.length));
      for (const k of tx.writes.keys()) if (k.startsWith(prefix)) wanted.add(k.slice(prefix.length));
      keys = this.store.inOrder(collection, wanted);
    }
    for (const [key, doc] of keys) {
      seen.add(key);
      consider(this.txView(tx, collection, key, doc));
    }
    // Documents deleted since the snapshot, then the transaction's own inserts.
    for (const [k, doc] of tx.before) {
      const key = k.slice(prefix.length);
      if (!k.startsWith(prefix) || seen.has(key)) continue;
      seen.add(key);
      consider(this.txView(tx, collection, key, doc ?? undefined));
    }
    for (const [k, w] of tx.writes) if (k.startsWith(prefix) && !seen.has(w.id)) consider(w.doc);
    return out;
  }

  private get(body: Body): Body {
    const collection = this.name(body);
    const criteria = this.criteria(body);
    const tx = body.transactionId ? this.tx(String(body.transactionId)) : null;
    const projection = this.parse(body.projection) as Record<string, 0 | 1> | undefined;
    let docs: Doc[];
    const id = isIdOnly(criteria);
    if (tx && body.queryType !== 'WHERE') {
      if (id === null) throw DB_ERRORS.invalid('a document operation needs its _id');
      const doc = this.txRead(tx, collection, id);
      docs = doc ? [doc] : [];
    } else {
      docs = tx ? this.txFind(tx, collection, criteria) : this.find(collection, criteria);
      const order = this.parse(body.order) as Record<string, 1 | -1> | undefined;
      const offset = Math.max(0, Number(body.offset ?? 0) || 0);
      const rawLimit = Number(body.limit ?? DEFAULT_LIMIT) || DEFAULT_LIMIT;
      const limit = Math.min(MAX_LIMIT, Math.max(1, rawLimit));
      if (order && Object.keys(order).length) {
        docs = compile({}).find<Doc>(docs).sort(order).all();
      } else if (id === null) {
        // A query near a point answers nearest first, as MongoDB does.
        const near = nearOrder(criteria);
        if (near)
          docs = docs
            .map((d) => [near(d), d] as const)
            .sort((a, b) => a[0] - b[0])
            .map(([, d]) => d);
      }
      docs = docs.slice(offset, offset + limit);
    }
    const shaped = projection && Object.keys(projection).length ? docs.map((d) => project(d, projection)) : docs;
    return { list: shaped.map((d) => toEjson(d)) };
  }

  private aggregate(body: Body): Doc[] {
    const collection = this.name(body);
    if (!this.store.has(collection)) throw DB_ERRORS.collectionMissing(collection);
    if (!Array.isArray(body.stages)) throw DB_ERRORS.invalid('stages must be an array');
    const pipeline = body.stages.map((stage: unknown) => {
      const { stageKey, stageValue } = (stage ?? {}) as { stageKey?: unknown; stageValue?: unknown };
      if (typeof stageKey !== 'string' || !stageKey.startsWith('$'))
        throw DB_ERRORS.invalid(`invalid aggregation stage: ${String(stageKey)}`);
      return { [stageKey]: this.parse(stageValue) };
    });
    // A leading $match runs as an ordinary query (no copies of the documents it leaves out).
    let input: Doc[];
    const first = pipeline[0];
    if (first && '$match' in first) {
      input = this.find(collection, (first.$match ?? {}) as Criteria);
      pipeline.shift();
    } else {
      input = [...this.store.scan(collection)];
    }
    const foreign = new Map<string, Doc[]>();
    const resolveCollection = (name: string): Doc[] => {
      let docs = foreign.get(name);
      if (!docs) {
        if (!this.store.has(name)) throw DB_ERRORS.collectionMissing(name);
        docs = [...this.store.scan(name)].map((d) => clone(d));
        foreign.set(name, docs);
      }
      return docs;
    };
    return aggregate(
      input.map((d) => clone(d)),
      pipeline,
      resolveCollection,
    ) as Doc[];
  }

  /** A document from the SDK (EJSON text), checked as CloudBase checks it. */
  private document(text: unknown): Record<string, unknown> {
    const doc = this.parse(text) as Record<string, unknown> | undefined;
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw DB_ERRORS.invalid('document data is required');
    const bad = dollarField(doc);
    if (bad) throw DB_ERRORS.request(`The dollar ($) prefixed field '${bad}' is not valid for storage`);
    return doc;
  }

  private insert(body: Body): Body {
    const collection = this.name(body);
    const raw = Array.isArray(body.data) ? body.data : [body.data];
    const docs = raw.map((text) => {
      const doc = this.document(text);
      const id = doc._id === undefined ? newId(() => randomBytes(16)) : doc._id;
      if (!isDocId(id)) throw DB_ERRORS.invalid('_id must be a non-empty string, a number or an ObjectId');
      return { ...doc, _id: id } as Doc;
    });
    const tx = this.txOf(body);
    if (!this.store.has(collection)) throw DB_ERRORS.collectionMissing(collection);
    const keys = new Set<string>();
    for (const doc of docs) {
      const key = idKey(doc._id);
      const exists = keys.has(key) || (tx ? this.txRead(tx, collection, key) : this.store.peek(collection, key));
      if (exists) throw DB_ERRORS.duplicate(collection, '_id_', JSON.stringify({ _id: doc._id }));
      keys.add(key);
    }
    if (tx) for (const doc of docs) this.txWrite(tx, collection, idKey(doc._id), doc);
    else this.apply(docs.map((doc) => ({ collection, id: idKey(doc._id), doc })));
    return { insertedIds: docs.map((d) => d._id) };
  }

  /** The new version of a document under an update body, or null if it does not change. */
  private updated(before: Doc, body: Body, parsed?: Record<string, unknown>): Doc | null {
    if (body.merge === false) return { ...this.document(body.data), _id: before._id } as Doc;
    const data = parsed ?? (this.parse(body.data) as Record<string, unknown> | undefined) ?? {};
    const next = clone(before);
    const ops = Object.keys(data);
    if (ops.some((k) => !k.startsWith('$'))) throw DB_ERRORS.invalid('update data must use update operators');
    if (ops.length === 0) return null;
    // $set/$inc/$unset on plain paths in place (fast.ts); anything else through mingo's updater.
    let changed = fastUpdate(next, data);
    if (changed === null) {
      try {
        changed = applyUpdate(next, (parsed ? clone(data) : data) as never, undefined, undefined, {
          cloneMode: 'none',
        });
      } catch (error) {
        throw DB_ERRORS.invalid(`update failed: ${(error as Error).message}`);
      }
    }
    if (next._id !== before._id) throw DB_ERRORS.invalid('_id cannot be changed');
    return changed.length ? next : null;
  }

  private modify(body: Body): Body {
    const collection = this.name(body);
    const criteria = this.criteria(body);
    const tx = this.txOf(body);
    if (body.queryType === 'DOC' || tx) {
      const id = isIdOnly(criteria);
      if (id === null) throw DB_ERRORS.invalid('a document operation needs its _id');
      if (!this.store.has(collection)) throw DB_ERRORS.collectionMissing(collection);
      const before = tx ? this.txRead(tx, collection, id) : this.store.peek(collection, id);
      if (!before) {
        if (!body.upsert) return { updated: 0, upsert_id: null };
        const created = this.updated({ _id: criteria._id } as Doc, { ...body, merge: false }) as Doc;
        if (tx) this.txWrite(tx, collection, id, created);
        else this.apply([{ collection, id, doc: created }]);
        return { updated: 0, upsert_id: criteria._id };
      }
      const next = this.updated(before, body);
      if (next) {
        if (tx) this.txWrite(tx, collection, id, next);
        else this.apply([{ collection, id, doc: next }]);
      }
      // A replace (set) of an existing document reports it as updated, as CloudBase does.
      return { updated: next || body.merge === false ? 1 : 0, upsert_id: null };
    }
    // where().update(): never part of a transaction; conditional and atomic (one synchronous step).
    const matches = this.find(collection, criteria);
    const targets = body.multi === false ? matches.slice(0, 1) : matches;
    const writes: Write[] = [];
    // The update parsed once for all the documents it changes.
    const parsed =
      body.merge === false || targets.length < 2
        ? undefined
        : ((this.parse(body.data) as Record<string, unknown> | undefined) ?? {});
    for (const before of targets) {
      const next = this.updated(before, body, parsed);
      if (next) writes.push({ collection, id: idKey(before._id), doc: next });
    }
    this.apply(writes);
    return { updated: writes.length, upsert_id: null };
  }

  /** findAndModify: `updated` counts the matched document, changed or not, as CloudBase answers. */
  private modifyAndReturn(body: Body): Body {
    const collection = this.name(body);
    const [before] = this.find(collection, this.criteria(body));
    if (!before) return { updated: 0, doc: null };
    const next = this.updated(before, { ...body, merge: true });
    if (next) this.apply([{ collection, id: idKey(before._id), doc: next }]);
    return { updated: 1, doc: toEjson(next ?? before) };
  }

  private remove(body: Body): Body {
    const collection = this.name(body);
    const criteria = this.criteria(body);
    const tx = this.txOf(body);
    if (tx) {
      const id = isIdOnly(criteria);
      if (id === null) throw DB_ERRORS.invalid('transactions support single-document operations only');
      const before = this.txRead(tx, collection, id);
      if (before) this.txWrite(tx, collection, id, null);
      return { deleted: before ? 1 : 0 };
    }
    const matches = this.find(collection, criteria);
    const targets = body.multi === false ? matches.slice(0, 1) : matches;
    this.apply(targets.map((d) => ({ collection, id: idKey(d._id), doc: null })));
    return { deleted: targets.length };
  }

  /**
   * Commits writes outside any transaction. Open transactions that have fixed their snapshot keep
   * the documents as they were before, so their reads stay on the snapshot (no read skew).
   */
  private apply(writes: Write[]): void {
    if (writes.length === 0) return;
    for (const tx of this.txs.values()) {
      if (tx.snapshot === null) continue;
      for (const w of writes) {
        const key = txKey(w.collection, w.id);
        if (!tx.before.has(key)) tx.before.set(key, this.store.peek(w.collection, w.id) ?? null);
      }
    }
    this.store.commit(writes);
  }

  // ── transactions ───────────────────────────────────────────────────────────────────────────

  private startTx(): string {
    const id = `tx-${randomUUID()}`;
    const timer = setTimeout(() => this.txs.delete(id), this.maxTxMs);
    timer.unref();
    this.txs.set(id, { id, snapshot: null, before: new Map(), writes: new Map(), timer });
    return id;
  }

  /** Fixes the transaction's snapshot at its first operation (MongoDB's read point). */
  private begin(tx: Tx): void {
    if (tx.snapshot === null) tx.snapshot = this.store.lastVersion();
  }

  /** A document as the transaction sees it (internal object: never mutated). */
  private txView(tx: Tx, collection: string, key: string, current: Doc | undefined): Doc | null {
    const k = txKey(collection, key);
    const buffered = tx.writes.get(k);
    if (buffered) return buffered.doc;
    if (tx.before.has(k)) return tx.before.get(k) ?? null;
    return current ?? null;
  }

  private txRead(tx: Tx, collection: string, key: string): Doc | null {
    if (!this.store.has(collection)) throw DB_ERRORS.collectionMissing(collection);
    this.begin(tx);
    return this.txView(tx, collection, key, this.store.peek(collection, key));
  }

  /**
   * Buffers a write. As in MongoDB, writing a document that another open transaction has written,
   * or that was committed after this transaction's snapshot, is a write conflict: it ends the
   * transaction.
   */
  private txWrite(tx: Tx, collection: string, key: string, doc: Doc | null): void {
    this.begin(tx);
    const k = txKey(collection, key);
    let conflict = this.store.version(collection, key) > (tx.snapshot ?? 0);
    for (const other of this.txs.values()) if (other !== tx && other.writes.has(k)) conflict = true;
    if (conflict) {
      this.endTx(tx);
      throw DB_ERRORS.conflict();
    }
    tx.writes.set(k, { collection, id: key, doc });
  }

  private commitTx(id: string): void {
    const tx = this.tx(id);
    this.endTx(tx);
    const writes = [...tx.writes.values()];
    for (const w of writes) if (this.store.version(w.collection, w.id) > (tx.snapshot ?? 0)) throw DB_ERRORS.conflict();
    this.apply(writes);
  }

  private endTx(tx: Tx): void {
    clearTimeout(tx.timer);
    this.txs.delete(tx.id);
  }

  /** Declares indexes on existing collections. */
  ensureIndexes(specs: readonly IndexSpec[]): void {
    for (const spec of specs) this.store.ensureIndex(spec);
  }

  /** Aborts every open transaction (shutdown). */
  abortAll(): void {
    for (const tx of [...this.txs.values()]) this.endTx(tx);
  }
}

function project(doc: Doc, projection: Record<string, 0 | 1>): Doc {
  const [projected] = compile({})
    .find<Doc>([doc], projection as never)
    .all();
  return (projected ?? { _id: doc._id }) as Doc;
}
