/**
 * The data-layer contract: what the app relies on from the CloudBase database, written only
 * against @cloudbase/node-sdk. It runs against the local database service always, and against a
 * real CloudBase environment when TCB_ENV_ID, TCB_SECRET_ID and TCB_SECRET_KEY are set.
 */
import tcb from '@cloudbase/node-sdk';
import { randomBytes } from 'node:crypto';
import { createDbService, startDbServer } from '../../localcloud/db';
import { preferLocalService } from '../../server/lib/cloud';

type Db = ReturnType<ReturnType<typeof tcb.init>['database']>;
type Tx = Awaited<ReturnType<Db['startTransaction']>>;

interface Target {
  name: string;
  open(): Promise<{ db: Db; close(): Promise<void> }>;
}

const local: Target = {
  name: 'local service',
  async open() {
    const svc = await createDbService({ dataDir: null });
    const server = await startDbServer(svc);
    const app = tcb.init({ env: 'contract', secretId: 'local', secretKey: 'local', serviceUrl: server.url });
    return { db: app.database(), close: async () => (await server.close(), await svc.close()) };
  },
};

const { TCB_ENV_ID, TCB_SECRET_ID, TCB_SECRET_KEY } = process.env;
const cloud: Target | null =
  TCB_ENV_ID && TCB_SECRET_ID && TCB_SECRET_KEY
    ? {
        name: `CloudBase ${TCB_ENV_ID}`,
        async open() {
          const app = tcb.init({ env: TCB_ENV_ID, secretId: TCB_SECRET_ID, secretKey: TCB_SECRET_KEY });
          return { db: app.database(), close: async () => undefined };
        },
      }
    : null;
if (!cloud) {
  // Without a real target, skip the SDK's per-request cloud-metadata probe (see preferLocalService).
  preferLocalService();
  console.info('data-layer contract: CloudBase target not run — set TCB_ENV_ID, TCB_SECRET_ID, TCB_SECRET_KEY to run it too');
}

const targets: Target[] = cloud ? [local, cloud] : [local];

describe.each(targets.map((t) => [t.name, t] as const))('data contract on %s', (_name, target) => {
  let db: Db;
  let close: () => Promise<void>;
  const prefix = `contract_${randomBytes(4).toString('hex')}_`;
  const created: string[] = [];
  const coll = async (name: string) => {
    const full = `${prefix}${name}`;
    await db.createCollection(full);
    created.push(full);
    return db.collection(full);
  };

  beforeAll(async () => {
    ({ db, close } = await target.open());
  }, 30_000);
  afterAll(async () => {
    for (const name of created) await db.collection(name).where({ _id: db.command.exists(true) }).remove();
    await close();
  }, 30_000);

  it('adds documents and reads one by id as a one-element list', async () => {
    const c = await coll('docs');
    const { id } = (await c.add({ name: '次仁', age: 70 })) as { id: string };
    expect(id).toMatch(/^\w+$/);
    const got = await c.doc(id).get();
    expect(got.data).toEqual([{ _id: id, name: '次仁', age: 70 }]);
    const missing = await c.doc('no-such-id').get();
    expect(missing.data).toEqual([]);
  });

  it('refuses a second document with the same _id', async () => {
    const c = await coll('dupes');
    await c.add({ _id: 'same', n: 1 });
    await expect(c.add({ _id: 'same', n: 2 })).rejects.toMatchObject({ code: expect.any(String) });
    expect((await c.doc('same').get()).data[0]).toMatchObject({ n: 1 });
  });

  it('fails to add to a collection that does not exist', async () => {
    await expect(db.collection(`${prefix}never_created`).add({ a: 1 })).rejects.toMatchObject({ code: expect.any(String) });
  });

  it('queries with command operators, order, skip, limit, projection and count', async () => {
    const c = await coll('query');
    const _ = db.command;
    for (let i = 0; i < 12; i += 1) {
      await c.add({ _id: `q${String(i).padStart(2, '0')}`, n: i, tags: i % 2 ? ['odd'] : ['even'], addr: { building: `b${i % 3}` } });
    }
    const page = await c.where({ n: _.gte(2).and(_.lt(10)), tags: 'even' }).orderBy('n', 'desc').skip(1).limit(2).field({ n: true }).get();
    expect(page.data).toEqual([
      { _id: 'q06', n: 6 },
      { _id: 'q04', n: 4 },
    ]);
    expect((await c.where({ 'addr.building': 'b1' }).count()).total).toBe(4);
    expect((await c.where({ n: _.in([1, 3, 50]) }).count()).total).toBe(2);
    expect((await c.where(_.or([{ n: 0 }, { n: _.gt(10) }])).count()).total).toBe(2);
    expect((await c.where({ n: _.neq(0), tags: _.nin(['odd']) }).count()).total).toBe(5);
    expect((await c.where({ missing: _.exists(false) }).count()).total).toBe(12);
    const names = await c.where({ _id: db.RegExp({ regexp: '^q0[0-2]$' }) }).get();
    expect(names.data.map((d: { _id: string }) => d._id).sort()).toEqual(['q00', 'q01', 'q02']);
  });

  it('returns 100 documents by default and at most 1000', async () => {
    const c = await coll('many');
    const docs = Array.from({ length: 1005 }, (_, i) => ({ _id: `m${i}`, i }));
    for (let i = 0; i < docs.length; i += 100) await c.add(docs.slice(i, i + 100));
    expect((await c.get()).data).toHaveLength(100);
    expect((await c.limit(5000).get()).data).toHaveLength(1000);
    expect((await c.count()).total).toBe(1005);
  }, 60_000);

  it('applies update operators', async () => {
    const c = await coll('ops');
    const _ = db.command;
    await c.add({ _id: 'o', n: 1, list: ['a'], set: ['x'], nested: { keep: 1, v: 1 }, gone: true, m: 3 });
    await c.doc('o').update({ n: _.inc(2), list: _.push(['b', 'c']), set: _.addToSet('x'), nested: { v: 2 }, gone: _.remove(), m: _.mul(2) });
    const [doc] = (await c.doc('o').get()).data;
    expect(doc).toEqual({ _id: 'o', n: 3, list: ['a', 'b', 'c'], set: ['x'], nested: { keep: 1, v: 2 }, m: 6 });
    await c.doc('o').update({ list: _.pull('b'), n: _.max(10) });
    expect((await c.doc('o').get()).data[0]).toMatchObject({ list: ['a', 'c'], n: 10 });
  });

  it('reports how many documents a conditional update changed (atomic claims)', async () => {
    const c = await coll('claims');
    await c.add({ _id: 'job', status: 'open' });
    const claims = await Promise.all(
      ['v1', 'v2', 'v3', 'v4', 'v5'].map((v) => c.where({ _id: 'job', status: 'open' }).update({ status: 'taken', by: v })),
    );
    expect(claims.map((r) => r.updated).sort()).toEqual([0, 0, 0, 0, 1]);
    const winner = ['v1', 'v2', 'v3', 'v4', 'v5'][claims.findIndex((r) => r.updated === 1)];
    expect((await c.doc('job').get()).data[0]).toMatchObject({ status: 'taken', by: winner });
  });

  it('never sells more than the stock when many buy at once', async () => {
    const c = await coll('stock');
    const _ = db.command;
    await c.add({ _id: 'rice', stock: 10 });
    const buys = await Promise.all(
      Array.from({ length: 50 }, () => c.where({ _id: 'rice', stock: _.gte(1) }).update({ stock: _.inc(-1) })),
    );
    expect(buys.filter((r) => r.updated === 1)).toHaveLength(10);
    expect((await c.doc('rice').get()).data[0]).toMatchObject({ stock: 0 });
  });

  it('sets (replaces or creates) and removes by id and by query', async () => {
    const c = await coll('set');
    await c.doc('s1').set({ a: 1, b: 2 });
    await c.doc('s1').set({ a: 9 });
    expect((await c.doc('s1').get()).data).toEqual([{ _id: 's1', a: 9 }]);
    await c.add([{ k: 'x' }, { k: 'x' }, { k: 'y' }]);
    expect((await c.where({ k: 'x' }).remove()).deleted).toBe(2);
    expect((await c.doc('s1').remove()).deleted).toBe(1);
    expect((await c.count()).total).toBe(1);
  });

  it('stores server dates and Dates as dates', async () => {
    const c = await coll('dates');
    const before = Date.now();
    const when = new Date('2022-08-20T00:00:00Z');
    await c.add({ _id: 'd', at: db.serverDate(), when });
    const [doc] = (await c.doc('d').get()).data;
    expect(doc.when).toEqual(when);
    expect(doc.at).toBeInstanceOf(Date);
    expect(Math.abs((doc.at as Date).getTime() - before)).toBeLessThan(120_000);
    expect((await c.where({ when: db.command.lt(new Date('2023-01-01')) }).count()).total).toBe(1);
  });

  it('commits a transaction, reading a document as itself (not a list)', async () => {
    const c = await coll('tx');
    await c.add({ _id: 'a', balance: 10 });
    await c.add({ _id: 'b', balance: 0 });
    const name = c.name;
    await db.runTransaction(async (tx: Tx) => {
      const a = (await tx.collection(name).doc('a').get()).data as { balance: number };
      expect(a).toMatchObject({ _id: 'a', balance: 10 });
      expect((await tx.collection(name).doc('missing').get()).data).toBeNull();
      await tx.collection(name).doc('a').update({ balance: a.balance - 4 });
      await tx.collection(name).doc('b').update({ balance: db.command.inc(4) });
    });
    expect((await c.doc('a').get()).data[0]).toMatchObject({ balance: 6 });
    expect((await c.doc('b').get()).data[0]).toMatchObject({ balance: 4 });
  });

  it('rolls a transaction back', async () => {
    const c = await coll('rollback');
    await c.add({ _id: 'a', n: 1 });
    const tx = await db.startTransaction();
    await tx.collection(c.name).doc('a').update({ n: 2 });
    await tx.collection(c.name).add({ _id: 'new', n: 1 });
    await tx.rollback();
    expect((await c.doc('a').get()).data[0]).toMatchObject({ n: 1 });
    expect((await c.doc('new').get()).data).toEqual([]);
  });
});
