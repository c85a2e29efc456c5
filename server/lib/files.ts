/**
 * File ids a client hands back after uploading (miniprogram/services/storage.ts): only a file of
 * this environment's own storage, under the folder the page uploads that kind of file to, is stored.
 *
 * - CloudBase: `cloud://<env>.<bucket suffix>/<folder>/<name>` (the env id is the function's own:
 *   `TCB_ENV`, or `SCF_NAMESPACE`, as wx-server-sdk reads it).
 * - The local cloud: `http://<its host>:<its port>/storage/<folder>/<name>` (localcloud/app.ts
 *   answers uploads so); the host may be the machine's LAN address when a phone uploads.
 */
import { isLocal } from './cloud';

/** Where the grid's group QR code is uploaded: `group-qr/<gridId>/<name>`. */
export function groupQrFolder(gridId: string): string {
  return `group-qr/${gridId}`;
}

/** A file name as the page makes it: letters, digits, `_`, `-`, and one short extension. */
const FILE_NAME = /^[\w-]{1,64}(\.[A-Za-z0-9]{1,5})?$/;

/** Whether `path` is exactly `<folder>/<one file name>` (no `..`, no sub-folders, no query). */
function inFolder(path: string, folder: string): boolean {
  if (!path.startsWith(`${folder}/`)) return false;
  return FILE_NAME.test(path.slice(folder.length + 1));
}

function isLanHost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname) ||
    /^10\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname) ||
    /^192\.168\.\d{1,3}\.\d{1,3}$/.test(hostname) ||
    /^172\.(1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

/** Whether a client's file id is a file of this environment's storage, directly in `folder`. */
export function isOwnStorageFile(fileId: string, folder: string): boolean {
  if (isLocal()) {
    const local = /^http:\/\/([\w.-]+):(\d{1,5})\/storage\/(.+)$/.exec(fileId);
    if (!local) return false;
    const own = new URL(process.env.GRIDLINK_DB_URL as string);
    const [, hostname = '', port = '', path = ''] = local;
    return port === own.port && (hostname === own.hostname || isLanHost(hostname)) && inFolder(path, folder);
  }
  const env = process.env.TCB_ENV || process.env.SCF_NAMESPACE;
  if (!env) return false;
  const prefix = `cloud://${env}.`;
  if (!fileId.startsWith(prefix)) return false;
  const rest = /^([\w-]+)\/(.+)$/.exec(fileId.slice(prefix.length));
  return Boolean(rest && inFolder(rest[2] as string, folder));
}
