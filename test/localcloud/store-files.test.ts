/**
 * The local store's files: a log of any size is read in chunks, a write torn by a crash is cut off,
 * a commit of several documents interrupted by a crash is completed, compaction keeps every
 * document and shrinks the log (also while writes go on), and a process killed (SIGKILL) in the
 * middle of writing reopens with every acknowledged write and no half of a transaction.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { createDbService } from '../../localcloud/db';
import { encodeRecord, readLines } from '../../localcloud/db/log';
import { Store, type Write } from '../../localcloud/db/store';
import { idKey, type Doc } from '../../localcloud/db/wire';

const root = join(__dirname, '..', '..');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gridlink-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const put = (collection: string, doc: Doc): Write => ({ collection, id: idKey(doc._id), doc });
const all = (store: Store, name: string) => [...store.scan(name)];
describe('reading a log', () => {
  it('splits lines the same whatever the chunk size (multi-byte text across chunk edges)', () => {
    const file = join(dir, 'lines.jsonl');
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => s.replaceAll('\n', '')),
          { maxLength: 12 },
        ),
        fc.boolean(),
        fc.integer({ min: 1, max: 64 }),
        (lines, trailing, chunk) => {
          const text = lines.join('\n') + (trailing && lines.length ? '\n' : '');
          writeFileSync(file, text);
          const seen: Array<{ text: string; number: number; start: number; terminated: boolean }> = [];
          const size = readLines(
            file,
            (text, number, terminated, start) => seen.push({ text, number, terminated, start }),
            chunk,
          );
          expect(size).toBe(Buffer.byteLength(text));
          const expected = text === '' ? [] : text.split('\n');
          if (text.endsWith('\n')) expected.pop();
          expect(seen.map((l) => l.text)).toEqual(expected);
          let offset = 0;
          seen.forEach((l, i) => {
            expect(l.start).toBe(offset);
            expect(l.number).toBe(i + 1);
            offset += Buffer.byteLength(l.text) + 1;
          });
          if (seen.length) expect(seen[seen.length - 1]?.terminated).toBe(text.endsWith('\n'));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('opens a store read a few bytes at a time exactly as one read whole', () => {
    const first = Store.open(dir);
    first.create('notes');
    const docs: Doc[] = Array.from({ length: 40 }, (_, i) => ({
      _id: i % 5 === 0 ? i : `n${i}`,
      text: '格桑花开'.repeat(i * 3),
      at: new Date(Date.UTC(2022, 7, 20, 0, i)),
      list: [i, `${i}`, null],
    }));
    first.commit(docs.map((d) => put('notes', d)));
    first.commit([{ collection: 'notes', id: 'n1', doc: null }]);
    const whole = all(Store.open(dir), 'notes');
    expect(whole).toHaveLength(39);
    for (const chunk of [1, 2, 3, 7, 100]) expect(all(Store.open(dir, { readChunk: chunk }), 'notes')).toEqual(whole);
  });
});

describe('a crash in the middle of a write', () => {
  it('cuts off a torn last line, so the next write does not join it', () => {
    const first = Store.open(dir);
    first.create('users');
    first.commit([put('users', { _id: 'u1', name: '卓玛' })]);
    appendFileSync(join(dir, 'users.jsonl'), '{"p":{"_id":"u2","na'); // the process died mid-append
    const second = Store.open(dir);
    expect(all(second, 'users')).toEqual([{ _id: 'u1', name: '卓玛' }]);
    second.commit([put('users', { _id: 'u3', name: '次仁' })]); // no close: the next open reads the raw log
    expect(all(Store.open(dir), 'users')).toEqual([
      { _id: 'u1', name: '卓玛' },
      { _id: 'u3', name: '次仁' },
    ]);
  });

  it('keeps a whole last record that lost only its newline', () => {
    const first = Store.open(dir);
    first.create('users');
    appendFileSync(join(dir, 'users.jsonl'), encodeRecord({ p: { _id: 'u1', name: '达瓦' } }));
    const second = Store.open(dir);
    second.commit([put('users', { _id: 'u2', name: '扎西' })]);
    expect(all(Store.open(dir), 'users').map((d) => d._id)).toEqual(['u1', 'u2']);
  });

  it('completes a commit of several documents that reached only some logs', () => {
    const first = Store.open(dir);
    first.create('stock');
    first.create('orders');
    first.commit([put('stock', { _id: 'rice', left: 10 })]);
    // The journal was written whole, the orders log got its line, the stock log did not.
    const order = encodeRecord({ p: { _id: 'o1', qty: 2 } });
    const stock = encodeRecord({ p: { _id: 'rice', left: 8 } });
    writeFileSync(
      join(dir, '.commit-journal'),
      `${JSON.stringify([
        ['orders', order],
        ['stock', stock],
      ])}\n`,
    );
    appendFileSync(join(dir, 'orders.jsonl'), `${order}\n`);
    const second = Store.open(dir);
    expect(all(second, 'orders')).toEqual([{ _id: 'o1', qty: 2 }]);
    expect(all(second, 'stock')).toEqual([{ _id: 'rice', left: 8 }]);
    expect(readFileSync(join(dir, '.commit-journal'), 'utf8')).toBe('');
    expect(all(Store.open(dir), 'stock')).toEqual([{ _id: 'rice', left: 8 }]); // now in the log itself
  });

  it('ignores a journal torn before the commit reached any log', () => {
    const first = Store.open(dir);
    first.create('stock');
    first.commit([put('stock', { _id: 'rice', left: 10 })]);
    writeFileSync(join(dir, '.commit-journal'), '[["stock","{\\"p\\":{\\"_id\\":\\"ri');
    expect(all(Store.open(dir), 'stock')).toEqual([{ _id: 'rice', left: 10 }]);
  });

  it('writes a commit of several documents through the journal and leaves it empty', () => {
    const store = Store.open(dir);
    store.create('a');
    store.create('b');
    store.commit([put('a', { _id: 'x', n: 1 }), put('b', { _id: 'y', n: 2 })]);
    expect(readFileSync(join(dir, '.commit-journal'), 'utf8')).toBe('');
    const again = Store.open(dir);
    expect([...all(again, 'a'), ...all(again, 'b')]).toEqual([
      { _id: 'x', n: 1 },
      { _id: 'y', n: 2 },
    ]);
  });
});

describe('compaction', () => {
  it('in the background keeps every document, and the writes made while it runs, and shrinks the log', async () => {
    const store = Store.open(dir, { compactMinChars: 0 });
    store.create('items');
    store.commit(Array.from({ length: 300 }, (_, i) => put('items', { _id: `i${i}`, stock: 0, name: `物资${i}` })));
    let written = 300;
    let round = 0;
    let compacted = false;
    let during = 0;
    while (!compacted || store.logStats('items').compacting) {
      round += 1;
      store.commit([put('items', { _id: `i${round % 300}`, stock: round, name: `物资${round % 300}` })]);
      written += 1;
      if (store.logStats('items').compacting && during < 200) {
        compacted = true;
        during += 1;
        // a document created and another deleted while the compaction runs
        store.commit([put('items', { _id: `new${round}`, stock: -1, name: '新' })]);
        if (round % 2) store.commit([{ collection: 'items', id: `i${(round * 7) % 300}`, doc: null }]);
        written += 2;
      }
      await new Promise((r) => setImmediate(r));
    }
    expect(during).toBeGreaterThan(0);
    const stats = store.logStats('items');
    expect(stats.logChars).toBeLessThanOrEqual(2 * stats.liveChars);
    const lines = readFileSync(join(dir, 'items.jsonl'), 'utf8').trim().split('\n').length;
    expect(lines).toBe(stats.logLines);
    expect(lines).toBeLessThan(written);
    const reopened = Store.open(dir);
    expect(all(reopened, 'items')).toEqual(all(store, 'items'));
  });

  it('at once when asked, and on open after a crash cut one short', () => {
    const store = Store.open(dir, { compactMinChars: 0, background: false });
    store.create('items');
    for (let i = 0; i < 200; i += 1) store.commit([put('items', { _id: `i${i % 10}`, v: i })]);
    const stats = store.logStats('items');
    expect(stats.logChars).toBeLessThanOrEqual(2 * stats.liveChars + 20);
    writeFileSync(join(dir, 'items.jsonl.7.tmp'), 'half a compaction');
    const reopened = Store.open(dir);
    expect(existsSync(join(dir, 'items.jsonl.7.tmp'))).toBe(false);
    expect(all(reopened, 'items')).toEqual(all(store, 'items'));
    expect(all(reopened, 'items')).toHaveLength(10);
  });

  it('leaves one line per document on close', async () => {
    const svc = await createDbService({ dataDir: dir });
    svc.createCollection('items');
    for (let i = 0; i < 30; i += 1)
      svc.handle({ action: 'database.addDocument', collectionName: 'items', data: [`{"_id":"i${i % 3}x${i}"}`] });
    svc.handle({ action: 'database.deleteDocument', collectionName: 'items', query: '{"_id":"i0x0"}', multi: true });
    await svc.close();
    expect(readFileSync(join(dir, 'items.jsonl'), 'utf8').trim().split('\n')).toHaveLength(29);
  });
});

describe('a process killed while writing (SIGKILL)', () => {
  /** Runs the writer until it has acknowledged `acks` writes, kills it, answers what it acknowledged. */
  function writeAndKill(acks: number): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        // tsx as a loader of this very process (its CLI would run the writer in a child the kill misses)
        [
          '--import',
          pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href,
          join(__dirname, 'crash-writer.ts'),
          dir,
          '6',
        ],
        { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const acked: string[] = [];
      let buffer = '';
      let errors = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) if (line.startsWith('ack ')) acked.push(line.slice(4));
        if (acked.length >= acks) child.kill('SIGKILL');
      });
      child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
      child.on('exit', (_code, signal) =>
        signal === 'SIGKILL' ? resolve(acked) : reject(new Error(`writer exited by itself: ${errors}`)),
      );
    });
  }

  it('reopens with every acknowledged write, each transaction whole', async () => {
    const acked: string[] = [];
    for (let round = 0; round < 2; round += 1) {
      acked.push(...(await writeAndKill(100 + round * 50)));
      const store = Store.open(dir);
      for (const entry of acked) {
        const [collection, id] = entry.split(' ') as [string, string];
        expect(store.peek(collection, id)).toBeDefined();
      }
      // Every counter counts exactly the orders written with it (1…n): no half transaction.
      const orders = all(store, 'orders') as Array<Doc & { worker: string; n: number }>;
      for (const counter of all(store, 'counters') as Array<Doc & { n: number }>) {
        const mine = orders.filter((o) => o.worker === counter._id).map((o) => o.n);
        expect(mine.sort((a, b) => a - b)).toEqual(Array.from({ length: counter.n }, (_, i) => i + 1));
      }
      store.close();
    }
    expect(acked.length).toBeGreaterThanOrEqual(100 + 150);
  }, 120_000);
});
