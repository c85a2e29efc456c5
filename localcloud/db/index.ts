/**
 * The local CloudBase-compatible database service: point @cloudbase/node-sdk at it with
 * `serviceUrl` and the same code that runs in CloudBase runs here, over a file-backed store.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DbEngine, type DbStats } from './service';
import { Store, type IndexSpec, type StoreOptions } from './store';

export type { DbStats } from './service';
export type { IndexSpec, StoreOptions } from './store';

/** How to open the service. */
export interface DbServiceOptions {
  /** Folder of the store's files; null keeps everything in memory. */
  dataDir: string | null;
  indexes?: IndexSpec[];
  /** A transaction not committed within this many ms is aborted (CloudBase: 10 s). */
  maxTxMs?: number;
  /** How the store reads and compacts its files. */
  store?: StoreOptions;
}

/** A running database service. */
export interface DbService {
  /** Answers one SDK request body. */
  handle(body: unknown): unknown;
  /** Node HTTP handler for the SDK's POST requests (any path). */
  listener: (req: IncomingMessage, res: ServerResponse) => void;
  stats(): DbStats;
  resetStats(): void;
  /** Creates a collection if it is missing. */
  createCollection(name: string): void;
  ensureIndexes(specs: readonly IndexSpec[]): void;
  /** Whether every declared index is built (a large one is built in slices after it is declared; queries scan until then). */
  indexesReady(): boolean;
  /** Ends open transactions, compacts the files and closes them. */
  close(): Promise<void>;
}

const MAX_BODY = 16 * 1024 * 1024;

/** Opens the service over its store. */
export async function createDbService(options: DbServiceOptions): Promise<DbService> {
  const store = Store.open(options.dataDir, options.store);
  const engine = new DbEngine(store, options.maxTxMs ?? 10_000);
  if (options.indexes) engine.ensureIndexes(options.indexes);

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      let status = 200;
      let answer: unknown;
      try {
        if (size > MAX_BODY) throw new Error('request body too large');
        answer = engine.handle(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
      } catch (error) {
        status = 500;
        answer = { code: 'SYS_ERR', message: `local database service: ${(error as Error).message}` };
      }
      const text = JSON.stringify(answer);
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    });
  };

  return {
    handle: (body) => engine.handle(body as Record<string, unknown>),
    listener,
    stats: () => engine.stats(),
    resetStats: () => engine.resetStats(),
    createCollection: (name) => {
      store.create(name);
    },
    ensureIndexes: (specs) => engine.ensureIndexes(specs),
    indexesReady: () => store.names().every((name) => store.indexesReady(name)),
    close: async () => {
      engine.abortAll();
      store.close();
    },
  };
}

/** Serves the database alone on 127.0.0.1 (port 0: any free port); its URL is the SDK's serviceUrl. */
export async function startDbServer(svc: DbService, port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(svc.listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/db`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
