/** The local database service's own guarantees: persistence, indexes, billing, transactions. */
import tcb from '@cloudbase/node-sdk';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDbService, startDbServer, type DbService } from '../../localcloud/db';
import { preferLocalService } from '../../server/lib/cloud';

preferLocalService();

type Tx = Awaited<ReturnType<ReturnType<ReturnType<typeof tcb.init>['database']>['startTransaction']>>;

async function open(dataDir: string | null, maxTxMs?: number) {
  const svc = await createDbService({ dataDir, maxTxMs });
  const server = await startDbServer(svc);
  const db = tcb.init({ env: 'test', secretId: 'l', secretKey: 'l', serviceUrl: server.url }).database();
  return { svc, db, close: async () => (await server.close(), await svc.close()) };
}

describe('persistence', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gridlink-db-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps committed data across close and reopen, and compacts the log', async () => {
    const first = await open(dir);
    first.svc.createCollection('orders');
    await first.db.collection('orders').add({ _id: 'o1', status: 'submitted', at: new Date('2022-08-20T01:00:00Z') });
    await first.db.collection('orders').doc('o1').update({ status: 'accepted' });
    await first.db.collection('orders').add({ _id: 'o2', status: 'submitted' });
    await first.db.collection('orders').doc('o2').remove();
    await first.close();
    expect(readFileSync(join(dir, 'orders.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);

    const second = await open(dir);
    const docs = (await second.db.collection('orders').get()).data;
    expect(docs).toEqual([{ _id: 'o1', status: 'accepted', at: new Date('2022-08-20T01:00:00Z') }]);
    await second.close();
  });

  it('ignores a write torn by a crash but keeps everything before it', async () => {
    const first = await open(dir);
    first.svc.createCollection('users');
    await first.db.collection('users').add({ _id: 'u1', name: '卓玛' });
    await first.close();
    appendFileSync(join(dir, 'users.jsonl'), '{"p":{"_id":"u2","na');
    const second = await open(dir);
    expect((await second.db.collection('users').get()).data).toEqual([{ _id: 'u1', name: '卓玛' }]);
    await second.close();
  });

  it('keeps numeric and ObjectId ids apart from the strings that spell them across reopen', async () => {
    const first = await open(dir);
    first.svc.createCollection('ids');
    const ids = first.db.collection('ids');
    await ids.add({ _id: 7, kind: 'number' });
    await ids.add({ _id: '7', kind: 'string' });
    await ids.add({ _id: first.db.ObjectId({ id: '5e7b474a5e54c773b58d7b39' }), kind: 'oid' });
    await ids.where({ _id: '7' }).remove();
    await first.close();
    const second = await open(dir);
    const docs = (await second.db.collection('ids').get()).data;
    expect(docs).toEqual([
      { _id: 7, kind: 'number' },
      { _id: '5e7b474a5e54c773b58d7b39', kind: 'oid' },
    ]);
    await second.close();
  });

  it('refuses to open over corruption in the middle of a log', async () => {
    const first = await open(dir);
    first.svc.createCollection('users');
    await first.close();
    appendFileSync(join(dir, 'users.jsonl'), 'garbage\n{"p":{"_id":"u3"}}\n');
    await expect(createDbService({ dataDir: dir })).rejects.toThrow(/corrupt line 1 in users.jsonl/);
  });
});

describe('the service', () => {
  let svc: DbService;
  let db: Awaited<ReturnType<typeof open>>['db'];
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ svc, db, close } = await open(null, 300));
    for (const c of ['rooms', 'bill', 'acct', 'jobs']) svc.createCollection(c);
  });
  afterAll(() => close());

  it('enforces a unique index on insert and update, and only on it', async () => {
    svc.ensureIndexes([{ collection: 'rooms', name: 'room', keys: { buildingId: 1, room: 1 }, unique: true }]);
    const rooms = db.collection('rooms');
    await rooms.add({ _id: 'h1', buildingId: 'b1', room: '1-101' });
    await rooms.add({ _id: 'h2', buildingId: 'b2', room: '1-101' });
    await expect(rooms.add({ _id: 'h3', buildingId: 'b1', room: '1-101' })).rejects.toMatchObject({
      code: 'DATABASE_DUPLICATE_WRITE',
    });
    await expect(rooms.doc('h2').update({ buildingId: 'b1' })).rejects.toMatchObject({
      code: 'DATABASE_DUPLICATE_WRITE',
    });
    await rooms.doc('h1').update({ room: '1-102' });
    await rooms.doc('h2').update({ buildingId: 'b1' });
    expect((await rooms.where({ buildingId: 'b1' }).count()).total).toBe(2);
  });

  it('fails to create a unique index over existing duplicates', async () => {
    await db.collection('rooms').add({ _id: 'h4', buildingId: 'b3', room: '1-101' });
    expect(() =>
      svc.ensureIndexes([{ collection: 'rooms', name: 'room_only', keys: { room: 1 }, unique: true }]),
    ).toThrow(/duplicate/);
  });

  it('counts DbRead and DbWrite requests as CloudBase bills them', async () => {
    svc.resetStats();
    const bill = db.collection('bill');
    await bill.add([{ a: 1 }, { a: 1 }, { a: 2 }]); // one request, three documents
    await bill.where({ a: 1 }).update({ b: true }); // one request, two documents
    await bill.where({ a: 1 }).get();
    await bill.count();
    const stats = svc.stats();
    expect(stats.writes).toBe(2);
    expect(stats.reads).toBe(2);
    expect(stats.byCollection.bill).toEqual({ reads: 2, writes: 2 });
    expect(stats.byAction['database.insertDocument']).toBe(1);
  });

  it('fails a transaction whose document changed underneath, and runTransaction retries it', async () => {
    const acct = db.collection('acct');
    await acct.add({ _id: 'a', n: 0 });
    let attempts = 0;
    await db.runTransaction(async (tx: Tx) => {
      attempts += 1;
      const doc = (await tx.collection('acct').doc('a').get()).data as { n: number };
      // Another writer changes the document while the first attempt is open.
      if (attempts === 1) await acct.doc('a').update({ n: db.command.inc(100) });
      await tx
        .collection('acct')
        .doc('a')
        .update({ n: doc.n + 1 });
    });
    expect(attempts).toBe(2);
    expect((await acct.doc('a').get()).data[0]).toMatchObject({ n: 101 });
  });

  it('serialises concurrent transactions on one document without losing an increment', async () => {
    const acct = db.collection('acct');
    await acct.add({ _id: 'c', n: 0 });
    const results = await Promise.allSettled(
      Array.from({ length: 3 }, () =>
        db.runTransaction(async (tx: Tx) => {
          const doc = (await tx.collection('acct').doc('c').get()).data as { n: number };
          await tx
            .collection('acct')
            .doc('c')
            .update({ n: doc.n + 1 });
        }, 10),
      ),
    );
    const done = results.filter((r) => r.status === 'fulfilled').length;
    expect((await acct.doc('c').get()).data[0]).toMatchObject({ n: done });
    expect(done).toBe(3);
  });

  it('runs where().update() inside a transaction outside it, as CloudBase does', async () => {
    const jobs = db.collection('jobs');
    await jobs.add({ _id: 'j1', status: 'open' });
    const tx = await db.startTransaction();
    await tx.collection('jobs').where({ _id: 'j1' }).update({ status: 'touched' });
    await tx.rollback();
    expect((await jobs.doc('j1').get()).data[0]).toMatchObject({ status: 'touched' });
  });

  it('answers a query it cannot evaluate with a CloudBase error code, never a server error', async () => {
    const jobs = db.collection('jobs');
    const raw = jobs.options({ raw: true }) as typeof jobs;
    await expect(raw.where({ status: { $noSuchOperator: 1 } }).get()).rejects.toMatchObject({
      code: 'DATABASE_REQUEST_FAILED',
    });
    await expect(raw.aggregate([{ $noSuchStage: {} }]).end()).rejects.toMatchObject({
      code: 'DATABASE_REQUEST_FAILED',
    });
    await expect(raw.where({ at: { $geoWithin: { $centerSphere: [[-288, 30], 0.1] } } }).get()).rejects.toMatchObject({
      code: 'DATABASE_REQUEST_FAILED',
    });
  });

  it('answers CloudBase’s texts for a transaction that no longer exists and for a conflict', async () => {
    const tx = await db.startTransaction();
    await tx.commit();
    await expect(tx.collection('jobs').doc('j1').set({ status: 'x' })).rejects.toMatchObject({
      code: 'DATABASE_TRANSACTION_FAIL',
      message: expect.stringMatching(
        /^\[ResourceUnavailable\.TransactionNotExist\] Transaction does not exist on the server/,
      ),
    });
    const t1 = await db.startTransaction();
    const t2 = await db.startTransaction();
    await t1.collection('jobs').doc('j1').update({ status: 't1' });
    await expect(t2.collection('jobs').doc('j1').update({ status: 't2' })).rejects.toMatchObject({
      code: 'DATABASE_TRANSACTION_CONFLICT',
      message: expect.stringMatching(/^\[ResourceUnavailable\.TransactionConflict\]/),
    });
    await t1.rollback();
  });

  it('aborts a transaction left open past its time limit', async () => {
    const tx = await db.startTransaction();
    await tx.collection('jobs').doc('j1').update({ status: 'late' });
    await new Promise((r) => setTimeout(r, 400));
    await expect(tx.commit()).rejects.toMatchObject({ code: 'DATABASE_TRANSACTION_FAIL' });
    expect((await db.collection('jobs').doc('j1').get()).data[0]).toMatchObject({ status: 'touched' });
  });
});
