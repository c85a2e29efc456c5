/**
 * Declared indexes change how the local database finds documents, never what it answers: the same
 * writes and queries against a service with indexes and one without give identical answers (same
 * documents, same order, same counts), including `$in`, ranges, nested fields, arrays, missing
 * fields, null and transactions' reads. And an indexed query reads only the documents it can match.
 */
import { EJSON } from 'bson';
import fc from 'fast-check';
import { createDbService, type DbService, type IndexSpec } from '../../localcloud/db';
import { Store } from '../../localcloud/db/store';

const C = 'things';
const INDEXES: IndexSpec[] = [
  { collection: C, name: 'a', keys: { a: 1 } },
  { collection: C, name: 'a_b', keys: { a: 1, b: -1 } },
  { collection: C, name: 'b_nx', keys: { b: 1, 'n.x': 1 } },
  { collection: C, name: 'nx', keys: { 'n.x': -1 } },
  { collection: C, name: 'tags_a', keys: { tags: 1, a: 1 } },
];
const FIELDS = ['a', 'b', 'n', 'tags'] as const;
const QUERY_FIELDS = ['a', 'b', 'n.x', 'n', 'tags', '_id'];

const scalar = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('x', 'y', '', 'X', '10', '9') },
  { weight: 4, arbitrary: fc.constantFrom(0, 1, -1, 1.5, 2, 10, -0, Number.NaN, Number.POSITIVE_INFINITY) },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 2, arbitrary: fc.constantFrom(new Date(0), new Date(1000), new Date(2000)) },
);
const value = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 2, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  { weight: 2, arbitrary: fc.record({ x: scalar }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.array(fc.record({ x: scalar }, { requiredKeys: [] }), { maxLength: 2 }) },
  { weight: 1, arbitrary: fc.array(fc.array(scalar, { maxLength: 2 }), { maxLength: 2 }) },
);
/** A document's fields, each missing now and then. */
const docBody = fc
  .record({ a: value, b: value, n: value, tags: value })
  .chain((doc) =>
    fc.subarray(Object.keys(doc)).map((kept) => Object.fromEntries(kept.map((k) => [k, doc[k as keyof typeof doc]]))),
  ) as fc.Arbitrary<Record<string, unknown>>;
const ids = fc.oneof(
  fc.constantFrom('d1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7', 'd8', 'd9'),
  fc.integer({ min: 1, max: 6 }),
);

const condition = fc.oneof(
  scalar,
  scalar.map((v) => ({ $eq: v })),
  fc.array(scalar, { maxLength: 4 }).map((vs) => ({ $in: vs })),
  fc.array(scalar, { maxLength: 3 }).map((vs) => ({ $nin: vs })),
  fc.tuple(fc.constantFrom('$gt', '$gte', '$lt', '$lte'), scalar).map(([op, v]) => ({ [op]: v })),
  fc.tuple(fc.constantFrom('$gt', '$gte', '$lt', '$lte'), scalar).map(([op, v]) => ({ [op]: v })),
  fc
    .tuple(fc.constantFrom('$gt', '$gte'), scalar, fc.constantFrom('$lt', '$lte'), scalar)
    .map(([lo, a, hi, b]) => ({ [lo]: a, [hi]: b })),
  scalar.map((v) => ({ $ne: v })),
  fc.boolean().map((v) => ({ $exists: v })),
  ids.map((v) => ({ $eq: v })),
  fc.array(ids, { maxLength: 3 }).map((vs) => ({ $in: vs })),
);
const conjunct = fc.dictionary(fc.constantFrom(...QUERY_FIELDS), condition, { maxKeys: 3 });
const query: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { weight: 4, arbitrary: conjunct },
  { weight: 1, arbitrary: fc.tuple(conjunct, conjunct).map(([p, q]) => ({ ...p, $and: [q] })) },
  { weight: 1, arbitrary: fc.tuple(conjunct, conjunct, conjunct).map(([p, q, r]) => ({ ...p, $or: [q, r] })) },
);

type Op =
  | { kind: 'insert'; id: string | number; doc: Record<string, unknown> }
  | { kind: 'set'; where: Record<string, unknown>; field: string; value: unknown; multi: boolean }
  | { kind: 'remove'; where: Record<string, unknown>; multi: boolean };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('insert' as const), id: ids, doc: docBody }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      where: query,
      field: fc.constantFrom(...FIELDS, 'n.x'),
      value,
      multi: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), where: query, multi: fc.boolean() }) },
);

const ej = (v: unknown) => EJSON.stringify(v as Record<string, unknown>, { relaxed: false });

/** An answer without its random request id. */
function answer(svc: DbService, body: Record<string, unknown>): unknown {
  const { requestId: _ignored, ...rest } = svc.handle(body) as Record<string, unknown>;
  return rest;
}

function apply(svc: DbService, o: Op): unknown {
  switch (o.kind) {
    case 'insert':
      return answer(svc, { action: 'database.addDocument', collectionName: C, data: [ej({ ...o.doc, _id: o.id })] });
    case 'set':
      return answer(svc, {
        action: 'database.updateDocument',
        collectionName: C,
        queryType: 'WHERE',
        query: ej(o.where),
        data: ej({ $set: { [o.field]: o.value } }),
        multi: o.multi,
      });
    case 'remove':
      return answer(svc, {
        action: 'database.deleteDocument',
        collectionName: C,
        queryType: 'WHERE',
        query: ej(o.where),
        multi: o.multi,
      });
  }
}

const get = (svc: DbService, q: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  answer(svc, { action: 'database.queryDocument', collectionName: C, query: ej(q), limit: 1000, ...extra });

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A service with indexes (built at once, or a few documents a slice while writes go on) and one without. */
async function pair(sliced = false): Promise<[DbService, DbService]> {
  const store = sliced ? { buildAtOnceBelow: 0, buildSlice: 2 } : {};
  const indexed = await createDbService({ dataDir: null, maxTxMs: 60_000, store });
  const plain = await createDbService({ dataDir: null, maxTxMs: 60_000 });
  indexed.createCollection(C);
  plain.createCollection(C);
  return [indexed, plain];
}

describe('indexed queries answer exactly what a scan answers', () => {
  it('for random documents, writes and queries (in, ranges, nested, arrays, missing, null)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 5, maxLength: 40 }),
        fc.array(query, { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        fc.boolean(),
        async (ops, queries, indexFirst, sliced) => {
          const [indexed, plain] = await pair(sliced);
          try {
            if (indexFirst) indexed.ensureIndexes(INDEXES);
            const half = Math.floor(ops.length / 2);
            for (const [i, o] of ops.entries()) {
              if (!indexFirst && i === half) indexed.ensureIndexes(INDEXES); // built over existing documents
              expect(apply(indexed, o)).toEqual(apply(plain, o));
              if (sliced) await tick(); // a slice of the build between writes
            }
            if (!indexFirst && ops.length <= half) indexed.ensureIndexes(INDEXES);
            for (let i = 0; i < 20; i += 1) await tick(); // every build done
            for (const q of queries) {
              expect(get(indexed, q)).toEqual(get(plain, q));
              const count = { action: 'database.countDocument', collectionName: C, query: ej(q) };
              expect(answer(indexed, count)).toEqual(answer(plain, count));
            }
          } finally {
            await indexed.close();
            await plain.close();
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('for a transaction reading by index after its own writes and others’ commits', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ id: ids, doc: docBody }), { minLength: 3, maxLength: 20 }),
        fc.array(fc.record({ id: ids, field: fc.constantFrom(...FIELDS), value }), { maxLength: 4 }),
        fc.array(fc.record({ id: ids, field: fc.constantFrom(...FIELDS), value }), { maxLength: 4 }),
        fc.array(query, { minLength: 1, maxLength: 5 }),
        async (docs, inside, outside, queries) => {
          const [indexed, plain] = await pair();
          try {
            indexed.ensureIndexes(INDEXES);
            for (const svc of [indexed, plain]) {
              for (const d of docs) apply(svc, { kind: 'insert', id: d.id, doc: d.doc });
            }
            const txs = [indexed, plain].map(
              (svc) => (svc.handle({ action: 'database.startTransaction' }) as { transactionId: string }).transactionId,
            );
            const inTx = (i: number) => ({ transactionId: txs[i], queryType: 'WHERE' });
            // The snapshot is fixed by the first read.
            expect(get(indexed, {}, inTx(0))).toEqual(get(plain, {}, inTx(1)));
            [indexed, plain].forEach((svc, i) => {
              for (const w of inside) {
                answer(svc, {
                  action: 'database.updateDocument',
                  collectionName: C,
                  queryType: 'DOC',
                  transactionId: txs[i],
                  query: ej({ _id: w.id }),
                  data: ej({ $set: { [w.field]: w.value } }),
                });
              }
              for (const w of outside) {
                answer(svc, {
                  action: 'database.updateDocument',
                  collectionName: C,
                  queryType: 'DOC',
                  query: ej({ _id: w.id }),
                  data: ej({ $set: { [w.field]: w.value } }),
                });
              }
            });
            for (const q of queries) expect(get(indexed, q, inTx(0))).toEqual(get(plain, q, inTx(1)));
          } finally {
            await indexed.close();
            await plain.close();
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('indexed queries keep MongoDB’s array semantics', () => {
  it('finds an array whose elements meet a range’s two bounds one each', async () => {
    const [indexed, plain] = await pair();
    try {
      indexed.ensureIndexes(INDEXES);
      for (const svc of [indexed, plain]) {
        apply(svc, { kind: 'insert', id: 'd1', doc: { a: [-1, 'x', 5] } });
        apply(svc, { kind: 'insert', id: 'd2', doc: { a: 3 } });
      }
      for (const q of [{ a: { $gt: 4, $lt: 0 } }, { a: { $gte: 3, $lte: 3 } }, { a: { $in: [5, 'y'] } }]) {
        expect(get(indexed, q)).toEqual(get(plain, q));
      }
      expect(get(indexed, { a: { $gt: 4, $lt: 0 } })).toEqual({ data: { list: [expect.stringContaining('d1')] } });
    } finally {
      await indexed.close();
      await plain.close();
    }
  });
});

describe('an indexed query reads only what it can match', () => {
  const store = Store.open(null);
  store.create(C);
  const writes = Array.from({ length: 5000 }, (_, i) => ({
    collection: C,
    id: `d${i}`,
    doc: {
      _id: `d${i}`,
      a: `g${i % 100}`,
      b: i % 7,
      n: { x: new Date(i * 1000) },
      tags: [`t${i % 3}`, `u${i % 5}`],
    },
  }));
  store.commit(writes);
  for (const spec of INDEXES) store.ensureIndex(spec);
  const count = (q: Record<string, unknown>) => {
    const keys = store.candidates(C, q);
    return keys === null ? null : [...keys].length;
  };

  it('by equality, by a compound prefix, by $in and by ranges', () => {
    expect(count({ a: 'g7' })).toBe(50);
    expect(count({ a: 'g7', b: 0 })).toBe(8);
    expect(count({ a: { $in: ['g1', 'g2', 'nope'] } })).toBe(100);
    expect(count({ b: 3, 'n.x': { $gte: new Date(0), $lt: new Date(70_000) } })).toBe(10);
    expect(count({ 'n.x': { $gt: new Date(4_989_000) } })).toBe(10);
    expect(count({ tags: 't1', a: 'g1' })).toBe(17); // multikey, then the compound's second field
    expect(count({ _id: { $in: ['d1', 'd2', 'd9999'] } })).toBe(3);
    expect(count({ $and: [{ a: 'g3' }], c: 5 })).toBe(50);
  });

  it('after building an index in slices while writes went on, and scans until then', async () => {
    const sliced = Store.open(null, { buildAtOnceBelow: 0, buildSlice: 3 });
    sliced.create(C);
    const doc = (i: number, a: string) => ({ collection: C, id: `d${i}`, doc: { _id: `d${i}`, a } });
    sliced.commit(Array.from({ length: 10 }, (_, i) => doc(i, 'x')));
    sliced.ensureIndex({ collection: C, name: 'a', keys: { a: 1 } });
    expect(sliced.candidates(C, { a: 'x' })).toBeNull(); // not ready: the caller scans
    await tick(); // d0…d2 indexed
    sliced.commit([doc(0, 'y'), doc(9, 'y'), { collection: C, id: 'd1', doc: null }, doc(10, 'x')]);
    while (!sliced.indexesReady(C)) await tick();
    const keys = (q: Record<string, unknown>) => [...(sliced.candidates(C, q) ?? ['scan'])].sort();
    expect(keys({ a: 'y' })).toEqual(['d0', 'd9']);
    expect(keys({ a: 'x' })).toEqual(['d10', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7', 'd8']);
  });

  it('and scans what no index serves', () => {
    expect(count({ b: { $ne: 3 } })).toBeNull();
    expect(count({ $or: [{ a: 'g1' }, { a: 'g2' }] })).toBeNull();
    expect(count({ c: 1 })).toBeNull();
  });
});
