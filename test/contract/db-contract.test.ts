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
  /** Declares a 2dsphere index (CloudBase's geoNear needs one; the local service does not). */
  geoIndex(collection: string, field: string): Promise<void>;
}

const local: Target = {
  name: 'local service',
  async open() {
    const svc = await createDbService({ dataDir: null });
    const server = await startDbServer(svc);
    const app = tcb.init({ env: 'contract', secretId: 'local', secretKey: 'local', serviceUrl: server.url });
    return { db: app.database(), close: async () => (await server.close(), await svc.close()) };
  },
  geoIndex: async () => undefined,
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
        async geoIndex(collection, field) {
          const { default: Manager } = await import('@cloudbase/manager-node');
          const manager = new Manager({ envId: TCB_ENV_ID, secretId: TCB_SECRET_ID, secretKey: TCB_SECRET_KEY });
          await manager.database.updateCollection(collection, {
            CreateIndexes: [
              {
                IndexName: `${field}_geo`,
                MgoKeySchema: { MgoIsUnique: false, MgoIndexKeys: [{ Name: field, Direction: '2dsphere' }] },
              },
            ],
          });
        },
      }
    : null;
if (!cloud) {
  // Without a real target, skip the SDK's per-request cloud-metadata probe (see preferLocalService).
  preferLocalService();
  console.info(
    'data-layer contract: CloudBase target not run — set TCB_ENV_ID, TCB_SECRET_ID, TCB_SECRET_KEY to run it too',
  );
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
    for (const name of created)
      await db
        .collection(name)
        .where({ _id: db.command.exists(true) })
        .remove();
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
    await expect(db.collection(`${prefix}never_created`).add({ a: 1 })).rejects.toMatchObject({
      code: expect.any(String),
    });
  });

  it('queries with command operators, order, skip, limit, projection and count', async () => {
    const c = await coll('query');
    const _ = db.command;
    for (let i = 0; i < 12; i += 1) {
      await c.add({
        _id: `q${String(i).padStart(2, '0')}`,
        n: i,
        tags: i % 2 ? ['odd'] : ['even'],
        addr: { building: `b${i % 3}` },
      });
    }
    const page = await c
      .where({ n: _.gte(2).and(_.lt(10)), tags: 'even' })
      .orderBy('n', 'desc')
      .skip(1)
      .limit(2)
      .field({ n: true })
      .get();
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
    await c.doc('o').update({
      n: _.inc(2),
      list: _.push(['b', 'c']),
      set: _.addToSet('x'),
      nested: { v: 2 },
      gone: _.remove(),
      m: _.mul(2),
    });
    const [doc] = (await c.doc('o').get()).data;
    expect(doc).toEqual({ _id: 'o', n: 3, list: ['a', 'b', 'c'], set: ['x'], nested: { keep: 1, v: 2 }, m: 6 });
    await c.doc('o').update({ list: _.pull('b'), n: _.max(10) });
    expect((await c.doc('o').get()).data[0]).toMatchObject({ list: ['a', 'c'], n: 10 });
  });

  it('reports how many documents a conditional update changed (atomic claims)', async () => {
    const c = await coll('claims');
    await c.add({ _id: 'job', status: 'open' });
    const claims = await Promise.all(
      ['v1', 'v2', 'v3', 'v4', 'v5'].map((v) =>
        c.where({ _id: 'job', status: 'open' }).update({ status: 'taken', by: v }),
      ),
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
      await tx
        .collection(name)
        .doc('a')
        .update({ balance: a.balance - 4 });
      await tx
        .collection(name)
        .doc('b')
        .update({ balance: db.command.inc(4) });
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

  // ── Behaviours from CloudBase's database documentation (aggregation, geo, operators, ids,
  //    transactions): each is what the platform answers, so the local service must answer it too.

  it('aggregates in the database: match, group with accumulators, sort, project, count', async () => {
    const c = await coll('agg');
    const $ = db.command.aggregate;
    await c.add([
      { shop: 'east', amount: 30, status: 'done' },
      { shop: 'east', amount: 12, status: 'done' },
      { shop: 'west', amount: 50, status: 'done' },
      { shop: 'west', amount: 99, status: 'cancelled' },
      { shop: 'north', amount: 5, status: 'done' },
    ]);
    const totals = await c
      .aggregate()
      .match({ status: 'done' })
      .group({ _id: '$shop', total: $.sum('$amount'), orders: $.sum(1), biggest: $.max('$amount') })
      .sort({ total: -1 })
      .project({ _id: 0, shop: '$_id', total: 1, orders: 1, biggest: 1, average: $.divide(['$total', '$orders']) })
      .end();
    expect(totals.data).toEqual([
      { shop: 'west', total: 50, orders: 1, biggest: 50, average: 50 },
      { shop: 'east', total: 42, orders: 2, biggest: 30, average: 21 },
      { shop: 'north', total: 5, orders: 1, biggest: 5, average: 5 },
    ]);
    // count(field) is CloudBase's $count stage (the SDK's typings omit its argument).
    const matched = c.aggregate().match({ amount: db.command.gt(10) }) as unknown as {
      count(field: string): { end(): Promise<{ data: unknown[] }> };
    };
    const counted = await matched.count('n').end();
    expect(counted.data).toEqual([{ n: 4 }]);
  });

  it('aggregates with lookup (fields and pipeline with let), unwind and expression operators', async () => {
    const buildings = await coll('buildings');
    const rooms = await coll('rooms');
    const $ = db.command.aggregate;
    const _ = db.command;
    await buildings.add([
      { _id: 'b1', name: '东楼', tags: ['a', 'b'] },
      { _id: 'b2', name: '西楼', tags: [] },
    ]);
    await rooms.add([
      { _id: 'r1', buildingId: 'b1', people: 3 },
      { _id: 'r2', buildingId: 'b1', people: 1 },
      { _id: 'r3', buildingId: 'b2', people: 2 },
    ]);
    const joined = await buildings
      .aggregate()
      .lookup({ from: rooms.name, localField: '_id', foreignField: 'buildingId', as: 'rooms' })
      .project({ _id: 1, rooms: $.size('$rooms') })
      .sort({ _id: 1 })
      .end();
    expect(joined.data).toEqual([
      { _id: 'b1', rooms: 2 },
      { _id: 'b2', rooms: 1 },
    ]);
    const crowded = await buildings
      .aggregate()
      .lookup({
        from: rooms.name,
        let: { id: '$_id' },
        pipeline: $.pipeline()
          .match(_.expr($.and([$.eq(['$buildingId', '$$id']), $.gte(['$people', 2])])))
          .project({ _id: 0, people: 1 })
          .done(),
        as: 'crowded',
      })
      .sort({ _id: 1 })
      .project({ _id: 1, crowded: 1 })
      .end();
    expect(crowded.data).toEqual([
      { _id: 'b1', crowded: [{ people: 3 }] },
      { _id: 'b2', crowded: [{ people: 2 }] },
    ]);
    const unwound = await buildings
      .aggregate()
      .sort({ _id: 1 })
      .unwind({ path: '$tags', includeArrayIndex: 'i', preserveNullAndEmptyArrays: true })
      .project({ _id: 1, tags: 1, i: 1 })
      .end();
    expect(unwound.data).toEqual([
      { _id: 'b1', tags: 'a', i: 0 },
      { _id: 'b1', tags: 'b', i: 1 },
      { _id: 'b2', i: null },
    ]);
    const when = new Date('2022-04-05T16:30:00Z'); // 2022-04-06 00:30 in China
    await rooms.doc('r1').update({ at: when, label: 'room-101' });
    const shaped = await rooms
      .aggregate()
      .match({ _id: 'r1' })
      .project({
        _id: 0,
        day: $.dateToString({ date: '$at', format: '%Y-%m-%d', timezone: 'Asia/Shanghai' }),
        week: $.week('$at'),
        size: $.cond({ if: $.gte(['$people', 3]), then: 'big', else: 'small' }),
        note: $.ifNull(['$note', 'none']),
        number: $.substr(['$label', 5, -1]),
        dash: $.indexOfCP(['$label', '-']),
      })
      .end();
    expect(shaped.data).toEqual([{ day: '2022-04-06', week: 14, size: 'big', note: 'none', number: '101', dash: 4 }]);
  });

  it('answers geo queries: geoNear nearest first within a distance, geoWithin a polygon or a sphere, geoIntersects', async () => {
    const c = await coll('geo');
    await target.geoIndex(c.name, 'loc');
    // (The SDK's typings list Point only; Polygon and LineString are there at run time.)
    const { Point, Polygon, LineString } = db.Geo as unknown as Record<
      'Point' | 'Polygon' | 'LineString',
      new (...args: unknown[]) => object
    >;
    const _ = db.command;
    await c.add([
      { _id: 'gate', loc: new Point(113.3245, 23.1064) },
      { _id: 'hall', loc: new Point(113.3252, 23.1071) }, // ~100 m from the gate
      { _id: 'far', loc: new Point(113.4, 23.2) }, // ~13 km away
    ]);
    const near = await c
      .where({ loc: _.geoNear({ geometry: new Point(113.3252, 23.1072), maxDistance: 500, minDistance: 0 }) })
      .get();
    expect(near.data.map((d: { _id: string }) => d._id)).toEqual(['hall', 'gate']);
    const square = new Polygon([
      new LineString([
        new Point(113.32, 23.1),
        new Point(113.33, 23.1),
        new Point(113.33, 23.11),
        new Point(113.32, 23.11),
        new Point(113.32, 23.1),
      ]),
    ]);
    const within = await c.where({ loc: _.geoWithin({ geometry: square }) }).get();
    expect(within.data.map((d: { _id: string }) => d._id).sort()).toEqual(['gate', 'hall']);
    // centerSphere: [centre, radius in radians] (1 km / the earth's radius in km).
    const sphere = await c
      .where({ loc: _.geoWithin({ centerSphere: [new Point(113.3245, 23.1064), 1 / 6378.1] }) })
      .get();
    expect(sphere.data.map((d: { _id: string }) => d._id).sort()).toEqual(['gate', 'hall']);
    const crossing = await c.where({ loc: _.geoIntersects({ geometry: square }) }).count();
    expect(crossing.total).toBe(2);
    const measured = await c
      .aggregate()
      .geoNear({
        near: new Point(113.3245, 23.1064),
        spherical: true,
        distanceField: 'metres',
        query: { _id: _.neq('gate') },
      })
      .end();
    expect(measured.data.map((d: { _id: string }) => d._id)).toEqual(['hall', 'far']);
    const [hall, far] = measured.data as { metres: number }[];
    expect(hall!.metres).toBeGreaterThan(90);
    expect(hall!.metres).toBeLessThan(120);
    expect(far!.metres).toBeGreaterThan(12_000);
  });

  it('matches elemMatch conditions on fields against embedded documents only, and $jsonSchema', async () => {
    const c = await coll('elem');
    const _ = db.command;
    await c.add([
      { _id: 'numbers', tags: [1, 2, 3, 7] },
      { _id: 'embedded', tags: [{ value: 1 }, { value: 7 }] },
      { _id: 'words', tags: ['Go', 'C#'] },
    ]);
    const ids = async (query: object) =>
      ((await c.where(query).get()).data as { _id: string }[]).map((d) => d._id).sort();
    expect(await ids({ tags: _.elemMatch({ value: _.gt(0) }) })).toEqual(['embedded']);
    expect(await ids({ tags: _.elemMatch({ value: _.exists(true) }) })).toEqual(['embedded']);
    const mod = _.mod as unknown as (divisorAndRemainder: [number, number]) => unknown; // typed without its argument
    expect(await ids({ tags: _.elemMatch({ value: mod([4, 3]) }) })).toEqual(['embedded']);
    expect(await ids({ tags: _.elemMatch(_.gt(2)) })).toEqual(['numbers']);
    expect(
      await ids(
        _.jsonSchema({
          required: ['tags'],
          properties: { tags: { bsonType: 'array', items: { bsonType: 'string' } } },
        }),
      ),
    ).toEqual(['words']);
    expect(await ids(_.nor([_.jsonSchema({ required: ['tags'] })]))).toEqual([]);
  });

  it('accepts numeric and ObjectId ids, and refuses field names starting with $', async () => {
    const c = await coll('ids');
    const n = Date.now();
    const added = (await c.add({ _id: n, kind: 'number' })) as { id: unknown };
    expect(added.id).toBe(n);
    expect((await c.where({ _id: n }).get()).data).toEqual([{ _id: n, kind: 'number' }]);
    const hex = randomBytes(12).toString('hex');
    const other = randomBytes(12).toString('hex');
    const oid = (await c.add({ _id: db.ObjectId({ id: hex }), ref: db.ObjectId({ id: other }) })) as { id: unknown };
    expect(oid.id).toBe(hex);
    const found = await c.where({ ref: db.ObjectId({ id: other }) }).get();
    expect(found.data).toEqual([{ _id: hex, ref: other }]);
    await expect(c.add({ $bad: 1 })).rejects.toMatchObject({ code: 'DATABASE_REQUEST_FAILED' });
    await expect(c.add({ nested: { $bad: 1 } })).rejects.toMatchObject({ code: 'DATABASE_REQUEST_FAILED' });
  });

  it('counts a findAndModify that sets the value a document already has as updated', async () => {
    const c = await coll('fam');
    await c.add({ _id: 'x', a: 1 });
    const same = await c.where({ a: 1 }).updateAndReturn({ a: 1 });
    expect(same).toMatchObject({ updated: 1, doc: { _id: 'x', a: 1 } });
    const none = await c.where({ a: 99 }).updateAndReturn({ a: 2 });
    expect(none).toMatchObject({ updated: 0, doc: null });
  });

  it('lets a transaction query its own inserts, reads from its snapshot, and conflicts on another open transaction’s write', async () => {
    const c = await coll('txsnap');
    const _ = db.command;
    await c.add([
      { _id: '1', v: 'old' },
      { _id: '2', v: 'old' },
    ]);
    const t = await db.startTransaction();
    await t.collection(c.name).add([
      { _id: 'n1', k: 'new' },
      { _id: 'n2', k: 'new' },
    ]);
    expect(
      (
        await t
          .collection(c.name)
          .where(_.or([{ _id: 'n1' }, { _id: 'n2' }]))
          .get()
      ).data,
    ).toHaveLength(2);
    expect((await c.where({ k: 'new' }).count()).total).toBe(0); // not visible outside before commit
    // Outside writes after the snapshot: the transaction keeps reading what it saw.
    await c.doc('1').set({ v: 'changed' });
    await c.doc('2').set({ v: 'changed' });
    expect((await t.collection(c.name).doc('2').get()).data).toMatchObject({ v: 'old' });
    // ...and writing a document changed since then is a conflict.
    await expect(t.collection(c.name).doc('1').update({ v: 'tx' })).rejects.toMatchObject({
      code: 'DATABASE_TRANSACTION_CONFLICT',
    });
    await t.rollback().catch(() => undefined);
    expect((await c.where({ k: 'new' }).count()).total).toBe(0);

    const t1 = await db.startTransaction();
    const t2 = await db.startTransaction();
    await t1.collection(c.name).doc('2').get();
    await t2.collection(c.name).doc('2').update({ v: 't2' });
    await expect(t1.collection(c.name).doc('2').update({ v: 't1' })).rejects.toMatchObject({
      code: 'DATABASE_TRANSACTION_CONFLICT',
    });
    await t2.commit();
    expect((await c.doc('2').get()).data[0]).toMatchObject({ v: 't2' });
  });
});
