/**
 * The local CloudBase-compatible database service: answers each SDK request against the store,
 * mirroring CloudBase — `doc().get()` shapes, single-document transactions (optimistic: a
 * transaction whose documents changed underneath fails at commit with
 * DATABASE_TRANSACTION_CONFLICT, which `runTransaction` retries), `where().update()` never part of
 * a transaction, limits of 100 by default and 1,000 at most, collections that must exist, and
 * DbRead/DbWrite request counts as CloudBase bills them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Query } from 'mingo';
import { update as applyUpdate } from 'mingo/updater';
import { DB_ERRORS, DbError, newId, parseEjson, toEjson, type Doc } from './wire';
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
  /** Version of each document as the transaction first saw it. */
  seen: Map<string, number>;
  /** Buffered writes: key → new document or null (deleted). */
  writes: Map<string, Write>;
  timer: NodeJS.Timeout;
}

const READS = new Set(['database.getDocument', 'database.queryDocument', 'database.calculateDocument', 'database.countDocument']);
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
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: clone(v), enumerable: true, writable: true, configurable: true });
    return out as T;
  }
  return value;
}

function isIdOnly(criteria: Criteria): string | null {
  const keys = Object.keys(criteria);
  return keys.length === 1 && typeof criteria._id === 'string' ? criteria._id : null;
}

/** The request handler of the local database service. */
export class DbEngine {
  private readonly txs = new Map<string, Tx>();
  private counters: DbStats = { reads: 0, writes: 0, byCollection: {}, byAction: {} };

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
    this.counters = { reads: 0, writes: 0, byCollection: {}, byAction: {} };
  }

  private count(action: string, collection: unknown): void {
    const kind = READS.has(action) ? 'reads' : WRITES.has(action) ? 'writes' : null;
    this.counters.byAction[action] = (this.counters.byAction[action] ?? 0) + 1;
    if (!kind) return;
    this.counters[kind] += 1;
    if (typeof collection === 'string') {
      const per = (this.counters.byCollection[collection] ??= { reads: 0, writes: 0 });
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

  private criteria(body: Body): Criteria {
    return (parseEjson(body.query, this.clock()) as Criteria | undefined) ?? {};
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
    if (!tx) throw DB_ERRORS.txMissing(id);
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
    const query = new Query(criteria);
    const out: Doc[] = [];
    for (const doc of this.store.scan(collection)) if (query.test(doc)) out.push(doc);
    return out;
  }

  private get(body: Body): Body {
    const collection = this.name(body);
    const criteria = this.criteria(body);
    const tx = this.txOf(body);
    const projection = parseEjson(body.projection, this.clock()) as Record<string, 0 | 1> | undefined;
    let docs: Doc[];
    if (tx) {
      const id = isIdOnly(criteria);
      if (id === null) throw DB_ERRORS.invalid('transactions support single-document operations only');
      const doc = this.txRead(tx, collection, id);
      docs = doc ? [doc] : [];
    } else {
      docs = this.find(collection, criteria);
      const order = parseEjson(body.order, this.clock()) as Record<string, 1 | -1> | undefined;
      const offset = Math.max(0, Number(body.offset ?? 0) || 0);
      const rawLimit = Number(body.limit ?? DEFAULT_LIMIT) || DEFAULT_LIMIT;
      const limit = Math.min(MAX_LIMIT, Math.max(1, rawLimit));
      let cursor = new Query({}).find<Doc>(docs);
      if (order && Object.keys(order).length) cursor = cursor.sort(order);
      docs = cursor.skip(offset).limit(limit).all();
    }
    const shaped = projection && Object.keys(projection).length ? docs.map((d) => project(d, projection)) : docs;
    return { list: shaped.map((d) => toEjson(d)) };
  }

  private insert(body: Body): Body {
    const collection = this.name(body);
    const raw = Array.isArray(body.data) ? body.data : [body.data];
    const now = this.clock();
    const docs = raw.map((text) => {
      const doc = parseEjson(text, now) as Record<string, unknown> | undefined;
      if (!doc || typeof doc !== 'object') throw DB_ERRORS.invalid('document data is required');
      const id = doc._id === undefined ? newId(() => randomBytes(16)) : doc._id;
      if (typeof id !== 'string' || !id) throw DB_ERRORS.invalid('_id must be a non-empty string');
      return { ...doc, _id: id } as Doc;
    });
    const tx = this.txOf(body);
    if (!this.store.has(collection)) throw DB_ERRORS.collectionMissing(collection);
    for (const doc of docs) {
      const exists = tx ? this.txRead(tx, collection, doc._id) : this.store.peek(collection, doc._id);
      if (exists) throw DB_ERRORS.duplicate(collection, '_id_', JSON.stringify(doc._id));
    }
    if (tx) for (const doc of docs) this.txWrite(tx, collection, doc._id, doc);
    else this.store.commit(docs.map((doc) => ({ collection, id: doc._id, doc })));
    return { insertedIds: docs.map((d) => d._id) };
  }

  /** The new version of a document under an update body, or null if it does not change. */
  private updated(before: Doc, body: Body): Doc | null {
    const now = this.clock();
    const data = (parseEjson(body.data, now) as Record<string, unknown> | undefined) ?? {};
    if (body.merge === false) return { ...data, _id: before._id } as Doc;
    const next = clone(before);
    const ops = Object.keys(data);
    if (ops.some((k) => !k.startsWith('$'))) throw DB_ERRORS.invalid('update data must use update operators');
    if (ops.length === 0) return null;
    let changed: string[];
    try {
      changed = applyUpdate(next, data as never, undefined, undefined, { cloneMode: 'none' });
    } catch (error) {
      throw DB_ERRORS.invalid(`update failed: ${(error as Error).message}`);
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
        const created = this.updated({ _id: id } as Doc, { ...body, merge: false }) as Doc;
        if (tx) this.txWrite(tx, collection, id, created);
        else this.store.commit([{ collection, id, doc: created }]);
        return { updated: 0, upsert_id: id };
      }
      const next = this.updated(before, body);
      if (next) {
        if (tx) this.txWrite(tx, collection, id, next);
        else this.store.commit([{ collection, id, doc: next }]);
      }
      // A replace (set) of an existing document reports it as updated, as CloudBase does.
      return { updated: next || body.merge === false ? 1 : 0, upsert_id: null };
    }
    // where().update(): never part of a transaction; conditional and atomic (one synchronous step).
    const matches = this.find(collection, criteria);
    const targets = body.multi === false ? matches.slice(0, 1) : matches;
    const writes: Write[] = [];
    for (const before of targets) {
      const next = this.updated(before, body);
      if (next) writes.push({ collection, id: before._id, doc: next });
    }
    this.store.commit(writes);
    return { updated: writes.length, upsert_id: null };
  }

  private modifyAndReturn(body: Body): Body {
    const collection = this.name(body);
    const [before] = this.find(collection, this.criteria(body));
    if (!before) return { updated: 0, doc: null };
    const next = this.updated(before, { ...body, merge: true });
    if (next) this.store.commit([{ collection, id: before._id, doc: next }]);
    return { updated: next ? 1 : 0, doc: toEjson(next ?? before) };
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
    this.store.commit(targets.map((d) => ({ collection, id: d._id, doc: null })));
    return { deleted: targets.length };
  }

  // ── transactions ───────────────────────────────────────────────────────────────────────────

  private startTx(): string {
    const id = `tx-${randomUUID()}`;
    const timer = setTimeout(() => this.txs.delete(id), this.maxTxMs);
    timer.unref();
    this.txs.set(id, { id, seen: new Map(), writes: new Map(), timer });
    return id;
  }

  private txRead(tx: Tx, collection: string, id: string): Doc | null {
    const key = txKey(collection, id);
    const buffered = tx.writes.get(key);
    if (buffered) return buffered.doc ? clone(buffered.doc) : null;
    if (!tx.seen.has(key)) tx.seen.set(key, this.store.version(collection, id));
    const doc = this.store.peek(collection, id);
    return doc ? clone(doc) : null;
  }

  private txWrite(tx: Tx, collection: string, id: string, doc: Doc | null): void {
    const key = txKey(collection, id);
    if (!tx.seen.has(key)) tx.seen.set(key, this.store.version(collection, id));
    tx.writes.set(key, { collection, id, doc });
  }

  private commitTx(id: string): void {
    const tx = this.tx(id);
    this.endTx(tx);
    for (const [key, version] of tx.seen) {
      const [collection, docId] = key.split('\u0000') as [string, string];
      if (this.store.version(collection, docId) !== version) throw DB_ERRORS.conflict();
    }
    this.store.commit([...tx.writes.values()]);
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
  const [projected] = new Query({}).find<Doc>([doc], projection as never).all();
  return (projected ?? { _id: doc._id }) as Doc;
}
