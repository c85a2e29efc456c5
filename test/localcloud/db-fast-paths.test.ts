/** @jest-environment node */
/**
 * The database service's fast paths (localcloud/db/fast.ts) give exactly what the general code
 * gives: EJSON texts parsed as bson parses them, and updates applied as mingo's updater applies
 * them (the same document, the same "changed or not"), on generated documents and updates; and
 * they hand over to the general code whatever they do not cover.
 */
import { EJSON } from 'bson';
import fc from 'fast-check';
import { update as mingoUpdate } from 'mingo/updater';
import { fastEjson, fastUpdate } from '../../localcloud/db/fast';

type Obj = Record<string, unknown>;

const key = fc.constantFrom('a', 'b', 'c', 'stock', 'item-009', '0', 'x y', '__proto__');
const leaf = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ noDefaultInfinity: false }),
  fc.string({ maxLength: 6 }),
  fc.boolean(),
  fc.constant(null),
  fc.date({ min: new Date(0), max: new Date(4102444800000), noInvalidDate: true }),
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 3 }), tie('o')),
  o: fc.dictionary(key, tie('v'), { maxKeys: 4 }),
})).v;
const doc = fc.dictionary(key, value, { maxKeys: 5 });
const path = fc.array(key, { minLength: 1, maxLength: 3 }).map((p) => p.join('.'));
const update = fc
  .record(
    {
      $set: fc.dictionary(path, value, { minKeys: 1, maxKeys: 3 }),
      $inc: fc.dictionary(path, fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ min: -5, max: 5 })), {
        minKeys: 1,
        maxKeys: 3,
      }),
      $unset: fc.dictionary(path, fc.constant(''), { minKeys: 1, maxKeys: 3 }),
    },
    { requiredKeys: [] },
  )
  .filter((u) => Object.keys(u).length > 0);

/** A deep copy made in this test's realm (structuredClone's objects are of another realm, which mingo does not take for objects). */
function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clone) as T;
  if (Object.prototype.toString.call(v) === '[object Date]') return new Date((v as Date).getTime()) as T;
  if (v && typeof v === 'object') {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v))
      Object.defineProperty(out, k, { value: clone(x), enumerable: true, writable: true, configurable: true });
    return out as T;
  }
  return v;
}

const canonical = (v: unknown) => EJSON.stringify(v as Obj, { relaxed: false });
const viaBson = (text: string) => EJSON.parse(text, { relaxed: true });

describe('fastEjson', () => {
  it('parses the SDK’s canonical EJSON as bson does', () => {
    fc.assert(
      fc.property(doc, (d) => {
        const text = canonical(d);
        const fast = fastEjson(text, new Date());
        if (fast) expect(canonical(fast.value)).toBe(canonical(viaBson(text)));
      }),
      { numRuns: 400 },
    );
  });

  it('resolves server dates, and hands other EJSON types to bson', () => {
    const now = new Date('2026-01-01T00:00:00.000Z');
    expect(fastEjson('{"at":{"$tcb_server_date":{"offset":1000}}}', now)?.value).toEqual({
      at: new Date('2026-01-01T00:00:01.000Z'),
    });
    expect(fastEjson('{"n":{"$numberLong":"12"}}', now)).toBeNull();
    expect(fastEjson('{"id":{"$oid":"5f0000000000000000000000"}}', now)).toBeNull();
    expect(fastEjson('{"r":{"$regularExpression":{"pattern":"a","options":"i"}}}', now)).toBeNull();
    expect(fastEjson('{"d":{"$date":"2026-01-01T00:00:00Z"}}', now)).toBeNull();
    expect(fastEjson('{"n":{"$numberInt":"1","x":1}}', now)).toBeNull();
    expect(fastEjson('not json', now)).toBeNull();
    const proto = fastEjson('{"__proto__":{"$numberInt":"1"}}', now)?.value as Obj;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.hasOwn(proto, '__proto__')).toBe(true);
  });
});

describe('fastUpdate', () => {
  it('changes a document as mingo’s updater does, or leaves it to mingo', () => {
    let covered = 0;
    fc.assert(
      fc.property(doc, update, (d, u) => {
        const mine = clone(d);
        const theirs = clone(d);
        const changed = fastUpdate(mine as Obj, clone(u) as Obj);
        if (changed === null) {
          expect(mine).toEqual(d);
          return;
        }
        covered += 1;
        const expected = mingoUpdate(theirs, clone(u) as never, undefined, undefined, {
          cloneMode: 'none',
        });
        expect(canonical(mine)).toBe(canonical(theirs));
        expect(changed.length > 0).toBe(expected.length > 0);
      }),
      { numRuns: 1500 },
    );
    expect(covered).toBeGreaterThan(100);
  });

  it('covers what placement sends: $inc of stock and $set of a marker, then $unset', () => {
    const shop: Obj = { _id: 's', items: { 'item-009': { stock: 5, active: true } } };
    expect(
      fastUpdate(shop, {
        $inc: { 'items.item-009.stock': -1 },
        $set: { 'placing.o1.at': '2026-01-01', 'placing.o1.lines.item-009': 1 },
      }),
    ).toEqual(['items.item-009.stock', 'placing.o1.at', 'placing.o1.lines.item-009']);
    expect(shop).toEqual({
      _id: 's',
      items: { 'item-009': { stock: 4, active: true } },
      placing: { o1: { at: '2026-01-01', lines: { 'item-009': 1 } } },
    });
    expect(fastUpdate(shop, { $unset: { 'placing.o1': '' } })).toEqual(['placing.o1']);
    expect(shop.placing).toEqual({});
    expect(fastUpdate(shop, { $unset: { 'placing.o1': '' } })).toEqual([]);
    // Not covered: other operators, arrays on the way, _id, a path inside another.
    expect(fastUpdate(shop, { $push: { list: 1 } })).toBeNull();
    expect(fastUpdate({ _id: 'x', a: [{ b: 1 }] }, { $set: { 'a.0.b': 2 } })).toBeNull();
    expect(fastUpdate(shop, { $set: { _id: 'y' } })).toBeNull();
    expect(fastUpdate(shop, { $set: { a: 1, 'a.b': 2 } })).toBeNull();
    expect(fastUpdate({ _id: 'x', n: 'text' }, { $inc: { n: 1 } })).toBeNull();
  });
});
