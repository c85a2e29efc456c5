/**
 * The query language of the local database service: MongoDB's, as CloudBase runs it, on mingo —
 * with what mingo lacks or does differently from MongoDB supplied here: geo query operators
 * ($nearSphere/$near, $geoWithin with $geometry or $centerSphere, $geoIntersects; point-in-polygon
 * and intersection by @turf, distances on the sphere as MongoDB computes them), `$jsonSchema` (ajv,
 * with MongoDB's `bsonType`), and `$elemMatch` over field conditions matching embedded documents
 * only (mingo also matches plain array elements). Aggregation pipelines run on mingo's Aggregator,
 * with a leading `$geoNear` stage computed here.
 */
import { booleanIntersects } from '@turf/boolean-intersects';
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { booleanWithin } from '@turf/boolean-within';
import Ajv, { type ValidateFunction } from 'ajv';
import { Aggregator } from 'mingo/aggregator';
import { Context, evalExpr, ProcessingMode } from 'mingo/core';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import { Query } from 'mingo/query';
import type { Options } from 'mingo/types';
import { isOperator, resolve } from 'mingo/util';
import { DB_ERRORS, DbError } from './wire';

type AnyObject = Record<string, unknown>;
type Predicate = (doc: AnyObject) => boolean;
type QueryOp = (selector: string, value: unknown, options: Options) => Predicate;

// ── geometry ────────────────────────────────────────────────────────────────────────────────

/** MongoDB's earth radius for spherical distances, in metres. */
export const EARTH_RADIUS_M = 6378100;

interface Geometry {
  type: string;
  coordinates: unknown;
}

const isGeometry = (v: unknown): v is Geometry =>
  !!v &&
  typeof v === 'object' &&
  typeof (v as Geometry).type === 'string' &&
  Array.isArray((v as Geometry).coordinates);

function lngLat(value: unknown): [number, number] {
  const c = Array.isArray(value)
    ? value
    : isGeometry(value) && value.type === 'Point'
      ? (value.coordinates as unknown[])
      : null;
  if (!c || c.length < 2 || typeof c[0] !== 'number' || typeof c[1] !== 'number')
    throw DB_ERRORS.request('invalid point: expected [longitude, latitude]');
  const [lng, lat] = c as [number, number];
  if (lng < -180 || lng > 180 || lat < -90 || lat > 90)
    throw DB_ERRORS.request(`longitude/latitude is out of bounds, lng: ${lng} lat: ${lat}`);
  return [lng, lat];
}

function unitVector([lng, lat]: [number, number]): [number, number, number] {
  const phi = lat * (Math.PI / 180);
  const theta = lng * (Math.PI / 180);
  return [Math.cos(phi) * Math.cos(theta), Math.cos(phi) * Math.sin(theta), Math.sin(phi)];
}

/** The angle between two points on the sphere, in radians (S2's formula, as MongoDB's 2dsphere uses). */
export function sphereAngle(a: [number, number], b: [number, number]): number {
  const x = unitVector(a);
  const y = unitVector(b);
  const cx = x[1] * y[2] - x[2] * y[1];
  const cy = x[2] * y[0] - x[0] * y[2];
  const cz = x[0] * y[1] - x[1] * y[0];
  return Math.atan2(Math.sqrt(cx * cx + cy * cy + cz * cz), x[0] * y[0] + x[1] * y[1] + x[2] * y[2]);
}

/** Every [lng, lat] position of a GeoJSON geometry. */
function positions(g: Geometry): [number, number][] {
  const out: [number, number][] = [];
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') out.push([c[0] as number, c[1] as number]);
    else if (Array.isArray(c)) c.forEach(walk);
  };
  walk(g.coordinates);
  return out;
}

function asGeometry(value: unknown, op: string): Geometry {
  if (!isGeometry(value)) throw DB_ERRORS.request(`${op} requires a GeoJSON geometry`);
  return value;
}

/** Distance in metres from `center` to a stored geometry (its nearest position), or null if it has none. */
function distanceTo(center: [number, number], stored: unknown): number | null {
  if (!isGeometry(stored)) return null;
  let best: number | null = null;
  for (const p of positions(stored)) {
    const d = sphereAngle(center, p) * EARTH_RADIUS_M;
    if (best === null || d < best) best = d;
  }
  return best;
}

interface NearSpec {
  center: [number, number];
  min: number;
  max: number;
}

function nearSpec(value: unknown, op: string): NearSpec {
  const v = (value ?? {}) as AnyObject;
  const geometry = v.$geometry ?? v;
  const center = lngLat(geometry);
  const min = v.$minDistance === undefined ? 0 : Number(v.$minDistance);
  const max = v.$maxDistance === undefined ? Infinity : Number(v.$maxDistance);
  if (Number.isNaN(min) || Number.isNaN(max) || min < 0 || max < 0)
    throw DB_ERRORS.request(`${op}: distances must be non-negative numbers`);
  return { center, min, max };
}

const valuesAt = (doc: AnyObject, selector: string): unknown[] => {
  const v = resolve(doc, selector);
  return v === undefined ? [] : [v];
};

const $nearSphere: QueryOp = (selector, value) => {
  const { center, min, max } = nearSpec(value, '$nearSphere');
  return (doc) =>
    valuesAt(doc, selector).some((g) => {
      const d = distanceTo(center, g);
      return d !== null && d >= min && d <= max;
    });
};

const $geoWithin: QueryOp = (selector, value) => {
  const v = (value ?? {}) as AnyObject;
  if (v.$centerSphere !== undefined) {
    const cs = v.$centerSphere as unknown[];
    if (!Array.isArray(cs) || cs.length !== 2 || typeof cs[1] !== 'number' || cs[1] < 0) {
      throw DB_ERRORS.request('$centerSphere takes [[longitude, latitude], radius in radians]');
    }
    const center = lngLat(cs[0]);
    const radius = cs[1];
    return (doc) =>
      valuesAt(doc, selector).some((g) => isGeometry(g) && positions(g).every((p) => sphereAngle(center, p) <= radius));
  }
  const area = asGeometry(v.$geometry, '$geoWithin');
  if (area.type !== 'Polygon' && area.type !== 'MultiPolygon')
    throw DB_ERRORS.request('$geoWithin $geometry must be a Polygon or MultiPolygon');
  return (doc) =>
    valuesAt(doc, selector).some((g) => {
      if (!isGeometry(g)) return false;
      if (g.type === 'Point') return booleanPointInPolygon(g.coordinates as [number, number], area as never);
      if (g.type === 'MultiPoint')
        return (g.coordinates as [number, number][]).every((p) => booleanPointInPolygon(p, area as never));
      return booleanWithin(g as never, area as never);
    });
};

const $geoIntersects: QueryOp = (selector, value) => {
  const area = asGeometry(((value ?? {}) as AnyObject).$geometry, '$geoIntersects');
  return (doc) => valuesAt(doc, selector).some((g) => isGeometry(g) && booleanIntersects(g as never, area as never));
};

/** MongoDB's `$elemMatch`: field conditions match embedded documents only, never plain values. */
const $elemMatch: QueryOp = (selector, value, options) => {
  const criteria = (value ?? {}) as AnyObject;
  const keys = Object.keys(criteria);
  const onValues = keys.length > 0 && keys.every((k) => isOperator(k) && k !== '$and' && k !== '$or' && k !== '$nor');
  const query = new Query(onValues ? { v: criteria } : criteria, options);
  const element = onValues
    ? (x: unknown) => query.test({ v: x })
    : (x: unknown) =>
        !!x && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Date) && query.test(x as AnyObject);
  return (doc) => {
    const list = resolve(doc, selector);
    return Array.isArray(list) && list.some(element);
  };
};

// ── $jsonSchema ─────────────────────────────────────────────────────────────────────────────

const BSON_TYPES: Record<string, (v: unknown) => boolean> = {
  double: (v) => typeof v === 'number',
  number: (v) => typeof v === 'number',
  decimal: (v) => typeof v === 'number',
  int: (v) => Number.isInteger(v),
  long: (v) => Number.isInteger(v),
  string: (v) => typeof v === 'string',
  bool: (v) => typeof v === 'boolean',
  date: (v) => v instanceof Date,
  null: (v) => v === null,
  array: (v) => Array.isArray(v),
  object: (v) => !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof RegExp),
  regex: (v) => v instanceof RegExp,
  objectId: (v) => typeof v === 'string' && /^[0-9a-f]{24}$/i.test(v),
};

const ajv = new Ajv({ strict: false, validateSchema: false });
ajv.addKeyword({
  keyword: 'bsonType',
  errors: false,
  validate: (schema: string | string[], data: unknown) =>
    (Array.isArray(schema) ? schema : [schema]).some((t) => {
      const test = BSON_TYPES[t];
      if (!test) throw DB_ERRORS.request(`$jsonSchema: unknown bsonType ${t}`);
      return test(data);
    }),
});
const schemas = new Map<string, ValidateFunction>();

function jsonSchemaValidator(schema: AnyObject): (doc: AnyObject) => boolean {
  const key = JSON.stringify(schema);
  let validate = schemas.get(key);
  if (!validate) {
    try {
      validate = ajv.compile(schema);
    } catch (error) {
      throw DB_ERRORS.request(`$jsonSchema: ${(error as Error).message}`);
    }
    if (schemas.size > 500) schemas.clear();
    schemas.set(key, validate);
  }
  const fn = validate;
  return (doc) => fn(doc) as boolean;
}

// ── expression operators mingo lacks or computes unlike MongoDB ───────────────────────────────

type ExprOp = (obj: AnyObject, expr: unknown, options: Options) => unknown;
const EXPR = expressionOperators as unknown as Record<string, ExprOp>;

/** `$week`: weeks start on Sunday; days before the year's first Sunday are week 0. */
const $week: ExprOp = (obj, expr, options) => {
  const dayOfYear = EXPR.$dayOfYear!(obj, expr, options) as number | null;
  const dayOfWeek = EXPR.$dayOfWeek!(obj, expr, options) as number | null;
  if (dayOfYear === null || dayOfYear === undefined || dayOfWeek === null || dayOfWeek === undefined) return null;
  return Math.floor((dayOfYear + 7 - dayOfWeek) / 7);
};

/** `$substr`/`$substrBytes` with a negative count: the rest of the string. */
const substrToEnd =
  (name: '$substr' | '$substrBytes'): ExprOp =>
  (obj, expr, options) => {
    const args = evalExpr(obj, expr, options) as unknown[];
    if (
      Array.isArray(args) &&
      typeof args[0] === 'string' &&
      typeof args[1] === 'number' &&
      typeof args[2] === 'number' &&
      args[2] < 0
    ) {
      const count = Math.max(0, Buffer.byteLength(args[0]) - args[1]);
      return EXPR[name]!(obj, [{ $literal: args[0] }, args[1], count], options);
    }
    return EXPR[name]!(
      obj,
      (Array.isArray(args) ? args : [args]).map((a) => ({ $literal: a })),
      options,
    );
  };

/** `$indexOfCP`: the code-point index of a substring, or -1. */
const $indexOfCP: ExprOp = (obj, expr, options) => {
  const [str, sub, start, end] = evalExpr(obj, expr, options) as [unknown, unknown, unknown, unknown];
  if (str === null || str === undefined) return null;
  if (typeof str !== 'string' || typeof sub !== 'string')
    throw DB_ERRORS.request('$indexOfCP requires a string and a substring');
  const chars = Array.from(str);
  const needle = Array.from(sub);
  const from = typeof start === 'number' ? start : 0;
  const to = typeof end === 'number' ? Math.min(end, chars.length) : chars.length;
  for (let i = from; i + needle.length <= to; i += 1) if (needle.every((c, j) => chars[i + j] === c)) return i;
  return -1;
};

// ── the operator context ─────────────────────────────────────────────────────────────────────

const CONTEXT = Context.init({
  accumulator: accumulatorOperators as never,
  expression: {
    ...(expressionOperators as Record<string, unknown>),
    $week,
    $indexOfCP,
    $substr: substrToEnd('$substr'),
    $substrBytes: substrToEnd('$substrBytes'),
  } as never,
  pipeline: pipelineOperators as never,
  projection: projectionOperators as never,
  query: {
    ...(queryOperators as Record<string, unknown>),
    $elemMatch,
    $nearSphere,
    $near: $nearSphere,
    $geoWithin,
    $geoIntersects,
  } as never,
  window: windowOperators as never,
});

const OPTIONS: Partial<Options> = {
  context: CONTEXT,
  jsonSchemaValidator: jsonSchemaValidator as never,
  useStrictMode: true,
};

/** Runs `fn`, answering a query the engine cannot evaluate as CloudBase does (never a server error). */
function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof DbError) throw error;
    throw DB_ERRORS.request((error as Error).message);
  }
}

/** A compiled query. */
export function compile(criteria: AnyObject): Query {
  return guarded(() => new Query(criteria, OPTIONS));
}

/** Whether a document matches (guarded: an operator failing mid-scan is a request error). */
export function tester(criteria: AnyObject): Predicate {
  const query = compile(criteria);
  return (doc) => guarded(() => query.test(doc));
}

/**
 * For a query with `$nearSphere`/`$near` on a field, the distance of a document to sort by
 * (MongoDB answers such queries nearest first); null for other queries.
 */
export function nearOrder(criteria: AnyObject): ((doc: AnyObject) => number) | null {
  for (const [field, cond] of Object.entries(criteria)) {
    if (!cond || typeof cond !== 'object' || field.startsWith('$')) continue;
    const c = cond as AnyObject;
    const op = c.$nearSphere ?? c.$near;
    if (op === undefined) continue;
    const { center } = nearSpec(op, '$nearSphere');
    return (doc) => distanceTo(center, resolve(doc, field)) ?? Infinity;
  }
  return null;
}

/** Finds a GeoJSON point field of a document (for `$geoNear` without `key`). */
function firstGeoField(doc: AnyObject): string | null {
  for (const [k, v] of Object.entries(doc)) if (isGeometry(v)) return k;
  return null;
}

/** MongoDB's `$geoNear` stage over a collection's documents. */
function geoNear(docs: AnyObject[], spec: AnyObject): AnyObject[] {
  if (!spec.distanceField || typeof spec.distanceField !== 'string')
    throw DB_ERRORS.request('$geoNear requires distanceField');
  const center = lngLat(spec.near);
  const min = spec.minDistance === undefined ? 0 : Number(spec.minDistance);
  const max = spec.maxDistance === undefined ? Infinity : Number(spec.maxDistance);
  const multiplier = spec.distanceMultiplier === undefined ? 1 : Number(spec.distanceMultiplier);
  const filter = spec.query ? tester(spec.query as AnyObject) : null;
  const out: { d: number; doc: AnyObject }[] = [];
  for (const doc of docs) {
    if (filter && !filter(doc)) continue;
    const key = typeof spec.key === 'string' ? spec.key : firstGeoField(doc);
    if (!key) continue;
    const d = distanceTo(center, resolve(doc, key));
    if (d === null || d < min || d > max) continue;
    const next: AnyObject = { ...doc, [spec.distanceField]: d * multiplier };
    if (typeof spec.includeLocs === 'string') next[spec.includeLocs] = resolve(doc, key);
    out.push({ d, doc: next });
  }
  return out.sort((a, b) => a.d - b.d).map((x) => x.doc);
}

/** Runs an aggregation pipeline over documents; `collection` resolves `$lookup`'s `from`. */
export function aggregate(
  docs: AnyObject[],
  pipeline: AnyObject[],
  collection: (name: string) => AnyObject[],
): AnyObject[] {
  return guarded(() => {
    let input = docs;
    let stages = pipeline;
    const first = stages[0];
    if (first && '$geoNear' in first) {
      input = geoNear(input, first.$geoNear as AnyObject);
      stages = stages.slice(1);
    }
    if (stages.some((s) => '$geoNear' in s))
      throw DB_ERRORS.request('$geoNear is only valid as the first stage in a pipeline');
    const agg = new Aggregator(stages, {
      ...OPTIONS,
      collectionResolver: collection,
      processingMode: ProcessingMode.CLONE_OFF,
    });
    return agg.run(input) as AnyObject[];
  });
}
