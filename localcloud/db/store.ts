/**
 * The embedded, file-backed store: collections of documents in memory, each collection's
 * committed writes appended to `<dataDir>/<collection>.jsonl` before they become visible,
 * compacted when opened and closed. A torn last line (a crash mid-append) is ignored.
 */
import { EJSON } from 'bson';
import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { DB_ERRORS, idKey, type Doc } from './wire';

/** An index the store keeps; unique ones are enforced on every write. */
export interface IndexSpec {
  collection: string;
  name: string;
  keys: Record<string, 1 | -1>;
  unique?: boolean;
}

/** One document write of a commit: the new document, or null to delete. */
export interface Write {
  collection: string;
  /** The document's key (`idKey` of its `_id`). */
  id: string;
  doc: Doc | null;
}

interface UniqueIndex {
  spec: IndexSpec;
  owners: Map<string, string>;
}

interface Collection {
  docs: Map<string, Doc>;
  versions: Map<string, number>;
  unique: UniqueIndex[];
  indexes: IndexSpec[];
  /** Lines in the log file (to decide on compaction). */
  logLines: number;
}

const NAME = /^[A-Za-z_][\w-]{0,99}$/;

function fieldValue(doc: Doc, path: string): unknown {
  let value: unknown = doc;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return null;
    value = (value as Record<string, unknown>)[part];
  }
  return value === undefined ? null : value;
}

function indexKey(spec: IndexSpec, doc: Doc): string {
  return EJSON.stringify(Object.keys(spec.keys).map((k) => fieldValue(doc, k)) as unknown as Record<string, unknown>, {
    relaxed: false,
  });
}

/** The document store behind the local database service. */
export class Store {
  private readonly collections = new Map<string, Collection>();
  private clock = 0;

  private constructor(private readonly dir: string | null) {}

  /** Opens (and compacts) the store in `dir`, or an in-memory one for null. */
  static open(dir: string | null): Store {
    const store = new Store(dir);
    if (!dir) return store;
    mkdirSync(dir, { recursive: true });
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith('.jsonl')) continue;
      const name = file.slice(0, -'.jsonl'.length);
      const coll = store.createInMemory(name);
      const lines = readFileSync(join(dir, file), 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (!line) return;
        let record: { p?: Doc; d?: string };
        try {
          record = EJSON.parse(line, { relaxed: true }) as { p?: Doc; d?: string };
        } catch (error) {
          const isTail = lines.slice(i + 1).every((l) => l === '');
          if (isTail) return; // a write torn by a crash: it never committed
          throw new Error(`corrupt line ${i + 1} in ${file}: ${(error as Error).message}`, { cause: error });
        }
        coll.logLines += 1;
        if (record.p) coll.docs.set(idKey(record.p._id), record.p);
        else if (record.d !== undefined) coll.docs.delete(record.d);
      });
      if (coll.logLines > coll.docs.size) store.compact(name);
    }
    return store;
  }

  private createInMemory(name: string): Collection {
    const coll: Collection = { docs: new Map(), versions: new Map(), unique: [], indexes: [], logLines: 0 };
    this.collections.set(name, coll);
    return coll;
  }

  private file(name: string): string | null {
    return this.dir ? join(this.dir, `${name}.jsonl`) : null;
  }

  /** Whether the collection exists. */
  has(name: string): boolean {
    return this.collections.has(name);
  }

  /** Creates a collection; answers false when it already existed. */
  create(name: string): boolean {
    if (!NAME.test(name)) throw DB_ERRORS.invalid(`invalid collection name: ${name}`);
    if (this.collections.has(name)) return false;
    this.createInMemory(name);
    const file = this.file(name);
    if (file && !existsSync(file)) appendFileSync(file, '');
    return true;
  }

  private coll(name: string): Collection {
    const coll = this.collections.get(name);
    if (!coll) throw DB_ERRORS.collectionMissing(name);
    return coll;
  }

  /** The last write version given (every commit raises it): a transaction's snapshot point. */
  lastVersion(): number {
    return this.clock;
  }

  /** The stored document by key (internal object: callers must not mutate or hand it out). */
  peek(name: string, id: string): Doc | undefined {
    return this.coll(name).docs.get(id);
  }

  /** Every stored document of a collection (internal objects). */
  scan(name: string): IterableIterator<Doc> {
    return this.coll(name).docs.values();
  }

  /** Every stored document of a collection with its key (internal objects). */
  entries(name: string): IterableIterator<[string, Doc]> {
    return this.coll(name).docs.entries();
  }

  /** Number of documents in a collection. */
  size(name: string): number {
    return this.coll(name).docs.size;
  }

  /** The write version of a document (0 if never written): the basis of conflict detection. */
  version(name: string, id: string): number {
    return this.coll(name).versions.get(id) ?? 0;
  }

  /** Declares an index; a unique one over existing duplicates fails. */
  ensureIndex(spec: IndexSpec): void {
    const coll = this.coll(spec.collection);
    if (coll.indexes.some((i) => i.name === spec.name)) return;
    if (spec.unique) {
      const owners = new Map<string, string>();
      for (const doc of coll.docs.values()) {
        const key = indexKey(spec, doc);
        if (owners.has(key)) throw DB_ERRORS.duplicate(spec.collection, spec.name, key);
        owners.set(key, idKey(doc._id));
      }
      coll.unique.push({ spec, owners });
    }
    coll.indexes.push(spec);
  }

  /**
   * Applies a batch of writes atomically: every unique index is checked for the whole batch
   * first, then the log is appended, then the documents change. Nothing is applied on failure.
   */
  commit(writes: readonly Write[]): void {
    if (writes.length === 0) return;
    const overlays = new Map<UniqueIndex, Map<string, string | null>>();
    for (const w of writes) {
      const coll = this.coll(w.collection);
      const before = coll.docs.get(w.id);
      for (const index of coll.unique) {
        let overlay = overlays.get(index);
        if (!overlay) overlays.set(index, (overlay = new Map()));
        const oldKey = before ? indexKey(index.spec, before) : null;
        const newKey = w.doc ? indexKey(index.spec, w.doc) : null;
        if (
          oldKey !== null &&
          oldKey !== newKey &&
          (overlay.has(oldKey) ? overlay.get(oldKey) : index.owners.get(oldKey)) === w.id
        ) {
          overlay.set(oldKey, null);
        }
        if (newKey !== null) {
          const owner = overlay.has(newKey) ? overlay.get(newKey) : index.owners.get(newKey);
          if (owner && owner !== w.id) throw DB_ERRORS.duplicate(w.collection, index.spec.name, newKey);
          overlay.set(newKey, w.id);
        }
      }
    }

    const lines = new Map<string, string[]>();
    for (const w of writes) {
      const list = lines.get(w.collection) ?? [];
      list.push(EJSON.stringify(w.doc ? { p: w.doc } : { d: w.id }, { relaxed: false }));
      lines.set(w.collection, list);
    }
    for (const [name, list] of lines) {
      const file = this.file(name);
      if (file) appendFileSync(file, `${list.join('\n')}\n`);
      this.coll(name).logLines += list.length;
    }

    for (const [index, overlay] of overlays) {
      for (const [key, owner] of overlay) {
        if (owner === null) index.owners.delete(key);
        else index.owners.set(key, owner);
      }
    }
    for (const w of writes) {
      const coll = this.coll(w.collection);
      this.clock += 1;
      coll.versions.set(w.id, this.clock);
      if (w.doc) coll.docs.set(w.id, w.doc);
      else coll.docs.delete(w.id);
    }
  }

  /** Rewrites a collection's log as one line per live document. */
  compact(name: string): void {
    const file = this.file(name);
    const coll = this.coll(name);
    if (!file) return;
    const tmp = `${file}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      for (const doc of coll.docs.values()) writeSync(fd, `${EJSON.stringify({ p: doc }, { relaxed: false })}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    coll.logLines = coll.docs.size;
  }

  /** Compacts every collection whose log has grown past its live documents. */
  flush(): void {
    for (const [name, coll] of this.collections) if (coll.logLines > coll.docs.size) this.compact(name);
  }

  /** Names of every collection. */
  names(): string[] {
    return [...this.collections.keys()];
  }
}
