/**
 * The CloudBase database wire format as @cloudbase/node-sdk 3.18 (@cloudbase/database 1.4.3)
 * sends it: a JSON body with `action`, and documents, queries and updates as canonical EJSON
 * strings. Answers are `{ requestId, data }`, or `{ requestId, code, message }` for a failure,
 * which the SDK raises as an error carrying that code.
 */
import { EJSON } from 'bson';
import { fastEjson } from './fast';

/** A document `_id`: CloudBase accepts strings, numbers and ObjectIds (read back as their hex strings). */
export type DocId = string | number;

/** A stored document. */
export type Doc = Record<string, unknown> & { _id: DocId };

/** The store's key of an id: strings as themselves, numbers apart from the strings that spell them. */
export function idKey(id: DocId): string {
  return typeof id === 'string' ? id : `\u0001${id}`;
}

/** Whether a value can be a document `_id`. */
export function isDocId(id: unknown): id is DocId {
  return (typeof id === 'string' && id !== '') || (typeof id === 'number' && Number.isFinite(id));
}

/** A failure CloudBase answers with a code (the SDK raises it with that code). */
export class DbError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DbError';
  }
}

const PLEASE = 'Please check your request, but if the problem persists, contact us.';

/** CloudBase's codes (and texts) for the failures the local service reproduces. */
export const DB_ERRORS = {
  collectionMissing: (name: string) =>
    new DbError(
      'DATABASE_COLLECTION_NOT_EXIST',
      `[ResourceNotFound] Db or Table not exist: ${name}. errCode: -502005 database collection not exists`,
    ),
  duplicate: (collection: string, index: string, key: string) =>
    new DbError(
      'DATABASE_DUPLICATE_WRITE',
      `E11000 duplicate key error collection: ${collection} index: ${index} dup key: ${key}`,
    ),
  conflict: () =>
    new DbError(
      'DATABASE_TRANSACTION_CONFLICT',
      `[ResourceUnavailable.TransactionConflict] Transaction is conflict, maybe resource operated by others. ${PLEASE}`,
    ),
  txMissing: () =>
    new DbError(
      'DATABASE_TRANSACTION_FAIL',
      `[ResourceUnavailable.TransactionNotExist] Transaction does not exist on the server, transaction must be commit or abort in 30 seconds. ${PLEASE}`,
    ),
  invalid: (message: string) => new DbError('INVALID_PARAM', message),
  /** A request the database refuses (bad operator, bad field name, unsupported query): CloudBase's DATABASE_REQUEST_FAILED. */
  request: (message: string) => new DbError('DATABASE_REQUEST_FAILED', `[FailedOperation] ${message}. ${PLEASE}`),
};

/** Parses one EJSON string from the SDK; `$tcb_server_date` becomes the server's clock. */
export function parseEjson(text: unknown, now: Date): unknown {
  if (text === undefined || text === null || text === '') return undefined;
  if (typeof text !== 'string') throw DB_ERRORS.invalid('expected an EJSON string');
  const fast = fastEjson(text, now);
  if (fast) return fast.value;
  return resolveServerDates(EJSON.parse(text, { relaxed: true }), now);
}

function resolveServerDates(value: unknown, now: Date): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveServerDates(v, now));
  if (!value || typeof value !== 'object' || value instanceof Date || value instanceof RegExp) return value;
  const obj = value as Record<string, unknown>;
  const marker = obj.$tcb_server_date as { offset?: number } | undefined;
  if (marker && Object.keys(obj).length === 1) return new Date(now.getTime() + Number(marker.offset ?? 0));
  if (obj._bsontype === 'BSONRegExp') {
    const re = obj as unknown as { pattern: string; options: string };
    return new RegExp(re.pattern, re.options.replace(/[^gimsuy]/g, ''));
  }
  // CloudBase stores db.ObjectId() values and answers them as their hex strings.
  if (obj._bsontype === 'ObjectID' || obj._bsontype === 'ObjectId')
    return (value as { toHexString(): string }).toHexString();
  if (typeof obj._bsontype === 'string') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = resolveServerDates(v, now);
  return out;
}

/** The first field name starting with `$` (CloudBase refuses to store one), or null. */
export function dollarField(value: unknown): string | null {
  if (Array.isArray(value)) {
    for (const v of value) {
      const found = dollarField(v);
      if (found) return found;
    }
    return null;
  }
  if (!value || typeof value !== 'object' || value instanceof Date || value instanceof RegExp) return null;
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith('$')) return k;
    const found = dollarField(v);
    if (found) return found;
  }
  return null;
}

/** A document as the SDK expects it in `data.list`: canonical EJSON. */
export function toEjson(doc: unknown): string {
  return EJSON.stringify(doc as Record<string, unknown>, { relaxed: false });
}

/** A fresh 32-hex id, as CloudBase gives. */
export function newId(random: () => Buffer): string {
  return random().toString('hex').slice(0, 32);
}
