/**
 * Local stand-in for CloudBase storage: the mini-program's wx.uploadFile posts multipart form data
 * here, and the file is served back over HTTP, so image `src`s work in WeChat DevTools.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** The SDK's storage actions (`app.uploadFile`, `getTempFileURL`, `deleteFile`) the local cloud answers. */
export function isStorageAction(action: unknown): boolean {
  return (
    action === 'storage.getUploadMetadata' ||
    action === 'storage.batchGetDownloadUrl' ||
    action === 'storage.batchDeleteFile'
  );
}

/** A file id of this local cloud (`<base>/storage/<path>`) back to its stored path, or null. */
function storedPath(fileId: unknown, base: string): string | null {
  if (typeof fileId !== 'string' || !fileId.startsWith(`${base}/storage/`)) return null;
  const path = decodeURIComponent(fileId.slice(base.length + '/storage/'.length));
  return path && !path.includes('..') && /^[\w\-./]+$/.test(path) ? path : null;
}

/**
 * Answers a storage action of @cloudbase/node-sdk as CloudBase does, for files the functions store
 * themselves (mini-program codes): `getUploadMetadata` hands out where to PUT the bytes (served by
 * the local cloud at `PUT /storage/<path>`) and the file id; `batchGetDownloadUrl` answers each
 * file's URL (the file id itself here); `batchDeleteFile` deletes. `base` is the local cloud's own
 * address as the SDK reached it.
 */
export function answerStorageAction(params: Record<string, unknown>, base: string, root: string): unknown {
  const requestId = `local-${randomUUID()}`;
  if (params.action === 'storage.getUploadMetadata') {
    const raw = typeof params.path === 'string' ? params.path : '';
    const path = normalize(raw.replace(/\\/g, '/')).replace(/^\/+/, '');
    if (!raw || path.includes('..') || !/^[\w\-./]+$/.test(path) || path.length > 512) {
      return { code: 'INVALID_PARAM', message: `local storage: bad cloudPath ${JSON.stringify(raw)}`, requestId };
    }
    const url = `${base}/storage/${path}`;
    return {
      requestId,
      data: { url, token: 'local', authorization: 'local', fileId: url, cosFileId: 'local', download_url: url },
    };
  }
  const list = (params.action === 'storage.batchGetDownloadUrl' ? params.file_list : params.fileid_list) as unknown;
  if (!Array.isArray(list)) return { code: 'INVALID_PARAM', message: 'local storage: no file list', requestId };
  if (params.action === 'storage.batchGetDownloadUrl') {
    const download_list = list.map((item) => {
      const fileID = (item as { fileid?: unknown })?.fileid;
      const path = storedPath(fileID, base);
      const exists = path !== null && readStored(root, path) !== null;
      return { fileID, tempFileURL: exists ? fileID : '', code: exists ? 'SUCCESS' : 'STORAGE_FILE_NONEXIST' };
    });
    return { requestId, data: { download_list } };
  }
  const delete_list = list.map((fileID) => {
    const path = storedPath(fileID, base);
    const full = path === null ? null : join(root, path);
    if (!full || !existsSync(full)) return { fileID, code: 'STORAGE_FILE_NONEXIST' };
    rmSync(full);
    return { fileID, code: 'SUCCESS' };
  });
  return { requestId, data: { delete_list } };
}
