/**
 * The embedded, file-backed store: collections of documents in memory, each collection's
 * committed writes appended to `<dataDir>/<collection>.jsonl` before they become visible (so an
 * acknowledged write survives the process being killed; like the rest of the local cloud it does
 * not fsync each write, so it does not promise to survive the machine losing power).
 *
 * - Reopening reads each log in chunks (any size opens) and tolerates a torn last line (a write a
 *   crash cut short never committed: it is cut off the file). A commit of several documents is first
 *   written whole to a journal, so a crash in the middle of it is completed on the next open.
 * - A log that grows past `compactRatio` × its live documents is compacted in the background, a
 *   slice at a time between requests: the live documents are written to a temporary file, then
 *   what was committed meanwhile, and after an fsync the file replaces the log by an atomic rename.
 * - Declared indexes (localcloud/db/indexes.ts) give the documents a query can match, so queries
 *   on them read those instead of the whole collection. One declared over many documents (as on
 *   reopening a large store) is built in slices between requests; queries scan until it is ready.
 */
import {
  appendFileSync,
  closeSync,
  existsSync,
  fsync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { EJSON } from 'bson';
import {
  addTo,
  constraints,
  countOf,
  idsOf,
  lookup,
  newTree,
  removeFrom,
  signature,
  type IndexSpec,
  type IndexTree,
} from './indexes';
import { decodeRecord, encodeRecord, readLines, READ_CHUNK, type LogRecord } from './log';
import { DB_ERRORS, idKey, isDocId, type Doc } from './wire';

export type { IndexSpec } from './indexes';

/** One document write of a commit: the new document, or null to delete. */
export interface Write {
  collection: string;
  /** The document's key (`idKey` of its `_id`). */
  id: string;
  doc: Doc | null;
}

/** How the store keeps its files. */
export interface StoreOptions {
  /** Bytes read at a time when a log is opened. */
  readChunk?: number;
  /** A log is compacted once it is this many times the size of its live documents (default 2)… */
  compactRatio?: number;
  /** …and larger than this many characters (default 1 MiB; smaller logs are compacted on close). */
  compactMinChars?: number;
  /** Compact in slices between requests (default); false compacts at once, in the commit that crossed the threshold. */
  background?: boolean;
  /**
   * An index declared over more documents than this is built in slices between requests (queries
   * scan until it is ready) instead of at once (default 20,000).
   */
  buildAtOnceBelow?: number;
  /** Documents added to an index per slice of such a build (default 2,000). */
  buildSlice?: number;
}

interface UniqueIndex {
  spec: IndexSpec;
  owners: Map<string, string>;
}

/** A compaction under way: the live documents as they were when it began, and the log lines since. */
interface Compaction {
  tmp: string;
  fd: number;
  docs: Doc[];
  next: number;
  /** Characters and lines written to the new log so far. */
  chars: number;
  lines: number;
  /** Log text committed since it began (not yet in the new log), to append before the switch. */
  tail: string[];
  tailLines: number;
  /** Its file is being synced (closed when that ends). */
  syncing: boolean;
  cancelled: boolean;
}

interface Collection {
  name: string;
  docs: Map<string, Doc>;
  versions: Map<string, number>;
  /**
   * Per live document, its place in the collection's order (insertion order, kept by updates) and
   * the characters of its log line, in one number: place × SIZE_SPAN + characters.
   */
  meta: Map<string, number>;
  nextOrder: number;
  liveChars: number;
  logChars: number;
  logLines: number;
  /** No background compaction below this log size (raised after one failed). */
  compactFloor: number;
  unique: UniqueIndex[];
  indexes: IndexSpec[];
  trees: IndexTree[];
  /** The log opened for appending (null until the first write, and in memory). */
  fd: number | null;
  compaction: Compaction | null;
}

const NAME = /^[A-Za-z_][\w-]{0,99}$/;
const JOURNAL = '.commit-journal';
/** Files of a compaction: `<collection>.jsonl.tmp`, `<collection>.jsonl.<n>.tmp`. */
const TMP = /\.jsonl(\.\d+)?\.tmp$/;
let compactions = 0;
/** Documents serialised per background compaction slice (a few milliseconds of work). */
const SLICE = 400;
/** Above any log line's length (a document is at most 16 MB): see Collection.meta. */
const SIZE_SPAN = 2 ** 25;

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

/** Writes all of a text at the fd's position (O_APPEND: the end), however many calls it takes. */
function writeAll(fd: number, text: string, position: number | null = null): void {
  const buf = Buffer.from(text, 'utf8');
  let done = 0;
  while (done < buf.length) {
    done += writeSync(fd, buf, done, buf.length - done, position === null ? null : position + done);
  }
}

/** The store key a primary-key constraint names: `s<string>` → string, `n<number>` → its number key. */
function primaryKey(key: string): string | null {
  if (key[0] === 's' && key.length > 1) return key.slice(1);
  if (key[0] === 'n') return `\u0001${key.slice(1)}`;
  return null;
}

/** The document store behind the local database service. */
export class Store {
  private readonly collections = new Map<string, Collection>();
  private clock = 0;
  private journalFd: number | null = null;
  private readonly ratio: number;
  private readonly minChars: number;
  private readonly background: boolean;
  private readonly buildAtOnceBelow: number;
  private readonly buildSlice: number;

  private constructor(
    private readonly dir: string | null,
    options: StoreOptions,
  ) {
    this.ratio = options.compactRatio ?? 2;
    this.minChars = options.compactMinChars ?? 1024 * 1024;
    this.background = options.background ?? true;
    this.buildAtOnceBelow = options.buildAtOnceBelow ?? 20_000;
    this.buildSlice = options.buildSlice ?? 2000;
  }

  /** Opens the store in `dir` (its logs read in chunks, a commit cut short completed), or an in-memory one for null. */
  static open(dir: string | null, options: StoreOptions = {}): Store {
    const store = new Store(dir, options);
    if (!dir) return store;
    mkdirSync(dir, { recursive: true });
    for (const file of readdirSync(dir).sort()) {
      // A compaction the crash cut short: the log it was to replace is intact.
      if (TMP.test(file)) rmSync(join(dir, file), { force: true });
      else if (file.endsWith('.jsonl')) store.load(file.slice(0, -'.jsonl'.length), options.readChunk ?? READ_CHUNK);
    }
    store.redoJournal();
    for (const coll of store.collections.values()) store.maybeCompact(coll);
    return store;
  }

  /** Reads one collection's log. */
  private load(name: string, chunk: number): void {
    const coll = this.createInMemory(name);
    const file = this.file(name) as string;
    let bad: { number: number; start: number; error: Error } | null = null;
    let unterminated = false;
    readLines(
      file,
      (text, number, terminated, start) => {
        if (!text) return;
        if (bad) {
          throw new Error(`corrupt line ${bad.number} in ${name}.jsonl: ${bad.error.message}`, { cause: bad.error });
        }
        let record: LogRecord;
        try {
          record = decodeRecord(text);
        } catch (error) {
          bad = { number, start, error: error as Error }; // torn by a crash if nothing follows it
          return;
        }
        this.replay(coll, record, text.length + 1);
        coll.logLines += 1;
        coll.logChars += text.length + 1;
        unterminated = !terminated;
      },
      chunk,
    );
    const torn = bad as { start: number } | null;
    if (torn) {
      truncateSync(file, torn.start); // it never committed: later appends must not join it
    } else if (unterminated) {
      appendFileSync(file, '\n');
    }
  }

  /** Applies one log record to memory. */
  private replay(coll: Collection, record: LogRecord, chars: number): void {
    if (record.p && isDocId(record.p._id)) this.setDoc(coll, idKey(record.p._id), record.p, chars);
    else if (typeof record.d === 'string') this.setDoc(coll, record.d, null, 0);
  }

  /** Completes a commit of several documents that a crash interrupted (its journal is whole). */
  private redoJournal(): void {
    const path = join(this.dir as string, JOURNAL);
    if (!existsSync(path)) return;
    let pairs: Array<[string, string]> | null = null;
    try {
      const text = readFileSync(path, 'utf8');
      const parsed: unknown = text.endsWith('\n') ? JSON.parse(text) : null;
      if (Array.isArray(parsed)) pairs = parsed as Array<[string, string]>;
    } catch {
      pairs = null; // torn: the commit had not reached any log
    }
    for (const [name, line] of pairs ?? []) {
      if (!NAME.test(name)) continue;
      const coll = this.collections.get(name) ?? this.createInMemory(name);
      this.replay(coll, decodeRecord(line), line.length + 1);
      writeAll(this.fdOf(coll), `${line}\n`);
      coll.logLines += 1;
      coll.logChars += line.length + 1;
    }
    truncateSync(path, 0);
  }

  private createInMemory(name: string): Collection {
    const coll: Collection = {
      name,
      docs: new Map(),
      versions: new Map(),
      meta: new Map(),
      nextOrder: 0,
      liveChars: 0,
      logChars: 0,
      logLines: 0,
      compactFloor: 0,
      unique: [],
      indexes: [],
      trees: [],
      fd: null,
      compaction: null,
    };
    this.collections.set(name, coll);
    return coll;
  }

  private file(name: string): string | null {
    return this.dir ? join(this.dir, `${name}.jsonl`) : null;
  }

  private fdOf(coll: Collection): number {
    coll.fd ??= openSync(this.file(coll.name) as string, 'a');
    return coll.fd;
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

  /**
   * The keys of the documents a query can match, by the primary key (`_id` equal or in a list) or
   * the declared index that narrows it most — a superset: the caller still tests each one. Null
   * when no index serves the query (the caller scans the collection).
   */
  candidates(name: string, criteria: Record<string, unknown>): Iterable<string> | null {
    const coll = this.coll(name);
    if (coll.docs.size === 0) return [];
    const by = constraints(criteria);
    if (by.size === 0) return null;
    const primary = by.get('_id');
    let best: { count: number; ids: () => Iterable<string> } | null = null;
    if (primary?.kind === 'eq') {
      const keys = primary.keys.map(primaryKey).filter((k): k is string => k !== null);
      best = { count: keys.length, ids: () => keys };
    }
    for (const tree of coll.trees) {
      if (best && best.count <= 1) break;
      if (tree.building) continue;
      const found = lookup(tree, by);
      if (!found) continue;
      const count = countOf(found.nodes);
      if (!best || count < best.count) best = { count, ids: () => idsOf(found.nodes) };
    }
    return best && best.count < coll.docs.size ? best.ids() : null;
  }

  /** Stored documents by key, in the collection's order (keys of missing documents are skipped). */
  inOrder(name: string, keys: Iterable<string>): Array<[string, Doc]> {
    const coll = this.coll(name);
    const found: Array<[number, string, Doc]> = [];
    for (const key of keys) {
      const doc = coll.docs.get(key);
      if (doc) found.push([coll.meta.get(key) as number, key, doc]); // ordered by place (the high part)
    }
    if (found.length > 1) found.sort((a, b) => a[0] - b[0]);
    return found.map(([, key, doc]) => [key, doc]);
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
    const tree = newTree(spec);
    coll.trees.push(tree);
    coll.indexes.push(spec);
    if (spec.unique || coll.docs.size < this.buildAtOnceBelow) {
      for (const [id, doc] of coll.docs) addTo(tree, id, doc);
      return;
    }
    // In slices over the live map: documents written meanwhile are kept by setDoc (adding one twice
    // is harmless; one moved to the end is met again), so the index is whole when the walk ends.
    tree.building = true;
    const walk = coll.docs.entries();
    const step = (): void => {
      if (!coll.trees.includes(tree)) return;
      for (let i = 0; i < this.buildSlice; i += 1) {
        const next = walk.next();
        if (next.done) {
          tree.building = false;
          return;
        }
        addTo(tree, next.value[0], next.value[1]);
      }
      setImmediate(step);
    };
    setImmediate(step);
  }

  /** Whether every index of a collection is ready (built over all its documents). */
  indexesReady(name: string): boolean {
    return this.coll(name).trees.every((t) => !t.building);
  }

  /** Puts (or with null deletes) a document in memory, keeping its order, size and indexes. */
  private setDoc(coll: Collection, id: string, doc: Doc | null, chars: number): void {
    const before = coll.docs.get(id);
    for (const tree of coll.trees) {
      if (before && doc && signature(tree, before) === signature(tree, doc)) continue;
      if (before) removeFrom(tree, id, before);
      if (doc) addTo(tree, id, doc);
    }
    const meta = coll.meta.get(id);
    if (meta !== undefined) coll.liveChars -= meta % SIZE_SPAN;
    if (doc) {
      const size = Math.min(chars, SIZE_SPAN - 1);
      const place = meta === undefined ? (coll.nextOrder += 1) : Math.floor(meta / SIZE_SPAN);
      coll.meta.set(id, place * SIZE_SPAN + size);
      coll.docs.set(id, doc);
      coll.liveChars += size;
    } else {
      coll.docs.delete(id);
      coll.meta.delete(id);
    }
  }

  /**
   * Applies a batch of writes atomically: every unique index is checked for the whole batch
   * first, then the log is appended (through the journal for several documents), then the
   * documents change. Nothing is applied on failure.
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

    const lines = writes.map((w) => encodeRecord(w.doc ? { p: w.doc } : { d: w.id }));
    if (this.dir) this.persist(writes, lines);

    for (const [index, overlay] of overlays) {
      for (const [key, owner] of overlay) {
        if (owner === null) index.owners.delete(key);
        else index.owners.set(key, owner);
      }
    }
    const touched = new Set<Collection>();
    writes.forEach((w, i) => {
      const coll = this.coll(w.collection);
      this.clock += 1;
      coll.versions.set(w.id, this.clock);
      this.setDoc(coll, w.id, w.doc, (lines[i] as string).length + 1);
      touched.add(coll);
    });
    for (const coll of touched) this.maybeCompact(coll);
  }

  /** Appends a commit's lines to the logs, journalled first when it has several. */
  private persist(writes: readonly Write[], lines: readonly string[]): void {
    const byColl = new Map<Collection, string[]>();
    writes.forEach((w, i) => {
      const coll = this.coll(w.collection);
      const list = byColl.get(coll) ?? [];
      list.push(lines[i] as string);
      byColl.set(coll, list);
    });
    const journal = writes.length > 1;
    if (journal) {
      this.journalFd ??= openSync(join(this.dir as string, JOURNAL), 'w');
      writeAll(this.journalFd, `${JSON.stringify(writes.map((w, i) => [w.collection, lines[i]]))}\n`, 0);
    }
    for (const [coll, list] of byColl) {
      const text = `${list.join('\n')}\n`;
      writeAll(this.fdOf(coll), text);
      coll.logLines += list.length;
      coll.logChars += text.length;
      const job = coll.compaction;
      if (job) {
        job.tail.push(text);
        job.tailLines += list.length;
      }
    }
    if (journal) ftruncateSync(this.journalFd as number, 0);
  }

  /** Starts compacting a collection whose log has grown past `compactRatio` × its live documents. */
  private maybeCompact(coll: Collection): void {
    if (!this.dir || coll.compaction) return;
    if (coll.logChars <= Math.max(this.minChars, coll.compactFloor, this.ratio * coll.liveChars)) return;
    if (this.background) this.startCompaction(coll);
    else this.compact(coll.name);
  }

  private startCompaction(coll: Collection): void {
    compactions += 1;
    const tmp = `${this.file(coll.name) as string}.${compactions}.tmp`;
    const job: Compaction = {
      tmp,
      fd: openSync(tmp, 'w'),
      docs: [...coll.docs.values()], // stored documents are never mutated: the references are a snapshot
      next: 0,
      chars: 0,
      lines: 0,
      tail: [],
      tailLines: 0,
      syncing: false,
      cancelled: false,
    };
    coll.compaction = job;
    const step = (): void => {
      if (job.cancelled) return;
      try {
        const end = Math.min(job.docs.length, job.next + SLICE);
        const out: string[] = [];
        for (; job.next < end; job.next += 1) out.push(encodeRecord({ p: job.docs[job.next] as Doc }));
        if (out.length) {
          const text = `${out.join('\n')}\n`;
          writeAll(job.fd, text);
          job.chars += text.length;
          job.lines += out.length;
        }
        if (job.next < job.docs.length) setImmediate(step);
        else this.finishCompaction(coll, job);
      } catch (error) {
        this.failCompaction(coll, error);
      }
    };
    setImmediate(step);
  }

  /** Moves what was committed since the compaction began into the new log. */
  private drainTail(job: Compaction): void {
    if (!job.tail.length) return;
    const text = job.tail.join('');
    writeAll(job.fd, text);
    job.chars += text.length;
    job.lines += job.tailLines;
    job.tail = [];
    job.tailLines = 0;
  }

  /** Syncs the new log off the event loop, then appends what came meanwhile and switches to it by a rename. */
  private finishCompaction(coll: Collection, job: Compaction): void {
    job.docs = [];
    this.drainTail(job);
    job.syncing = true;
    fsync(job.fd, (syncError) => {
      job.syncing = false;
      if (job.cancelled) {
        this.discard(job);
        return;
      }
      try {
        if (syncError) throw syncError;
        this.drainTail(job);
        closeSync(job.fd);
        if (coll.fd !== null) closeSync(coll.fd);
        coll.fd = null;
        renameSync(job.tmp, this.file(coll.name) as string);
        this.syncDir();
        coll.logChars = job.chars;
        coll.logLines = job.lines;
        coll.compaction = null;
      } catch (error) {
        this.failCompaction(coll, error);
      }
    });
  }

  private failCompaction(coll: Collection, error: unknown): void {
    this.cancelCompaction(coll);
    coll.compactFloor = coll.logChars * 2; // tried again once the log has doubled
    console.error(`[localcloud] compaction of ${coll.name} failed`, error);
  }

  private cancelCompaction(coll: Collection): void {
    const job = coll.compaction;
    if (!job) return;
    coll.compaction = null;
    job.cancelled = true;
    if (!job.syncing) this.discard(job); // else when the sync ends
  }

  private discard(job: Compaction): void {
    try {
      closeSync(job.fd);
    } catch {
      // closed already
    }
    rmSync(job.tmp, { force: true });
  }

  /** Makes a rename durable (where the file system allows a directory to be synced). */
  private syncDir(): void {
    try {
      const fd = openSync(this.dir as string, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch {
      // not supported here: the rename is still atomic
    }
  }

  /** Rewrites a collection's log as one line per live document, now. */
  compact(name: string): void {
    const coll = this.coll(name);
    const file = this.file(name);
    if (!file) return;
    this.cancelCompaction(coll);
    const tmp = `${file}.tmp`;
    const fd = openSync(tmp, 'w');
    let chars = 0;
    try {
      let out: string[] = [];
      const flush = () => {
        if (!out.length) return;
        const text = `${out.join('\n')}\n`;
        writeAll(fd, text);
        chars += text.length;
        out = [];
      };
      for (const doc of coll.docs.values()) {
        out.push(encodeRecord({ p: doc }));
        if (out.length >= SLICE) flush();
      }
      flush();
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (coll.fd !== null) closeSync(coll.fd);
    coll.fd = null;
    renameSync(tmp, file);
    this.syncDir();
    coll.logLines = coll.docs.size;
    coll.logChars = chars;
  }

  /** Compacts every collection whose log has grown past its live documents. */
  flush(): void {
    for (const [name, coll] of this.collections) if (coll.logLines > coll.docs.size) this.compact(name);
  }

  /** Compacts what needs it and closes the files (the store is not used after). */
  close(): void {
    for (const coll of this.collections.values()) this.cancelCompaction(coll);
    this.flush();
    for (const coll of this.collections.values()) {
      if (coll.fd !== null) closeSync(coll.fd);
      coll.fd = null;
    }
    if (this.journalFd !== null) closeSync(this.journalFd);
    this.journalFd = null;
  }

  /** Names of every collection. */
  names(): string[] {
    return [...this.collections.keys()];
  }

  /** Log and live sizes of a collection (characters), for tests and the bench. */
  logStats(name: string): { logChars: number; liveChars: number; logLines: number; compacting: boolean } {
    const coll = this.coll(name);
    return {
      logChars: coll.logChars,
      liveChars: coll.liveChars,
      logLines: coll.logLines,
      compacting: coll.compaction !== null,
    };
  }
}
