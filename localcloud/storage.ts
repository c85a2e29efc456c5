/**
 * Local stand-in for CloudBase storage: the mini-program's wx.uploadFile posts multipart form data
 * here, and the file is served back over HTTP, so image `src`s work in WeChat DevTools.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

/** Largest upload the local cloud takes (CloudBase's own limit is far higher). */
export const MAX_UPLOAD = 10 * 1024 * 1024;

/** The file part of a multipart/form-data body, and the plain fields. */
export function parseMultipart(
  body: Buffer,
  contentType: string,
): { fields: Record<string, string>; file: { name: string; data: Buffer } | null } {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const mark = boundary?.[1] ?? boundary?.[2];
  if (!mark) throw new Error('not multipart');
  const delimiter = Buffer.from(`--${mark}`);
  // No prototype: a field named `__proto__` or `constructor` is just a field.
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  let file: { name: string; data: Buffer } | null = null;
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2); // skip CRLF after mark, before next
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const content = part.subarray(headerEnd + 4);
      const name = /name="([^"]*)"/.exec(headers)?.[1] ?? '';
      const filename = /filename="([^"]*)"/.exec(headers)?.[1];
      if (filename !== undefined) file = { name: filename, data: Buffer.from(content) };
      else fields[name] = content.toString('utf8');
    }
    start = next;
  }
  return { fields, file };
}

/** A safe relative storage path: no climbing out of the storage folder. */
export function safeCloudPath(cloudPath: string, data: Buffer): string {
  const cleaned = normalize(cloudPath.replace(/\\/g, '/'))
    .replace(/^(\.\.(\/|$))+/, '')
    .replace(/^\/+/, '');
  if (cleaned && !cleaned.includes('..') && /^[\w\-./]+$/.test(cleaned)) return cleaned;
  return `uploads/${createHash('sha256').update(data).digest('hex').slice(0, 24)}`;
}

/** Stores a file; answers the path it is served under. */
export function saveFile(root: string, cloudPath: string, data: Buffer): string {
  const path = safeCloudPath(cloudPath, data);
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, data);
  return path;
}

/** Reads a stored file, or null. */
export function readStored(root: string, path: string): Buffer | null {
  const full = join(root, normalize(path).replace(/^(\.\.(\/|$))+/, ''));
  if (!full.startsWith(root) || !existsSync(full)) return null;
  return readFileSync(full);
}
