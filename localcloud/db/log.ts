/**
 * The store's log files: one record a line (`{"p": doc}` puts a document, `{"d": key}` deletes one),
 * read back in chunks so a log of any size opens (a whole file read as one string fails past
 * V8's ~512 MB string limit: ERR_STRING_TOO_LONG), written as plain JSON when a document is plain
 * JSON and as canonical EJSON otherwise (dates, NaN, ±Infinity, BSON values, `$` keys).
 */
import { EJSON } from 'bson';
import { closeSync, openSync, readSync } from 'node:fs';
import type { Doc } from './wire';

/** One log record: a document written, or the key of a document deleted. */
export interface LogRecord {
  p?: Doc;
  d?: string;
}

/** Bytes read at a time when a log is opened. */
export const READ_CHUNK = 4 * 1024 * 1024;

/** Whether JSON.stringify writes `value` exactly as canonical EJSON would read it back. */
function plainJson(value: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (const v of value) if (!plainJson(v, depth + 1)) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(value) as object | null;
      if (proto !== null && Object.getPrototypeOf(proto) !== null) return false; // Date, BSON values, classes
      for (const key of Object.keys(value)) {
        if (key.startsWith('$') || !plainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false; // undefined, bigint, functions, symbols
  }
}

/** The log line of a record (without its newline). */
export function encodeRecord(record: LogRecord): string {
  return plainJson(record) ? JSON.stringify(record) : EJSON.stringify(record, { relaxed: false });
}

/** A record from its log line: plain JSON when the line has no `$`, EJSON otherwise. Throws on a malformed line. */
export function decodeRecord(line: string): LogRecord {
  const value: unknown = line.includes('$') ? EJSON.parse(line, { relaxed: true }) : JSON.parse(line);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a log record');
  return value as LogRecord;
}

/**
 * Calls `onLine(text, number, terminated, start)` for every line of a file, reading `chunk` bytes at
 * a time; answers the file's size in bytes. `terminated`: a newline ends the line (only the last
 * line of a file can lack one); `start`: the byte offset of the line. Splitting at the newline byte
 * is safe in UTF-8 (it never occurs inside a multi-byte character).
 */
export function readLines(
  file: string,
  onLine: (text: string, number: number, terminated: boolean, start: number) => void,
  chunk = READ_CHUNK,
): number {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(Math.max(1, chunk));
    let carry: Buffer[] = []; // the start of a line the chunk cut (copies: buf is reused)
    let pos = 0;
    let number = 0;
    let lineStart = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      let from = 0;
      for (let nl = buf.indexOf(10, 0); nl !== -1 && nl < n; nl = buf.indexOf(10, from)) {
        const text = carry.length
          ? Buffer.concat([...carry, buf.subarray(from, nl)]).toString('utf8')
          : buf.toString('utf8', from, nl);
        carry = [];
        number += 1;
        onLine(text, number, true, lineStart);
        lineStart = pos + nl + 1;
        from = nl + 1;
      }
      if (from < n) carry.push(Buffer.from(buf.subarray(from, n)));
      pos += n;
    }
    if (carry.length) onLine(Buffer.concat(carry).toString('utf8'), number + 1, false, lineStart);
    return pos;
  } finally {
    closeSync(fd);
  }
}
