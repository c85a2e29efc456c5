/**
 * File ids a client hands back after uploading (miniprogram/services/storage.ts): only a file of
 * this environment's own storage, under the folder the page uploads that kind of file to, is stored.
 *
 * - CloudBase: `cloud://<env>.<bucket suffix>/<folder>/<name>` (the env id is the function's own:
 *   `TCB_ENV`, or `SCF_NAMESPACE`, as wx-server-sdk reads it).
 * - The local cloud: `http://<its host>:<its port>/storage/<folder>/<name>` (localcloud/app.ts
 *   answers uploads so); the host may be the machine's LAN address when a phone uploads.
 */
import { cloudApp, isLocal } from './cloud';

/** Where the grid's group QR code is uploaded: `group-qr/<gridId>/<name>`. */
export function groupQrFolder(gridId: string): string {
  return `group-qr/${gridId}`;
}

/** Where the functions keep a grid's invite codes (mini-program code images): `invite-qr/<gridId>/<token>.<ext>`. */
export function inviteQrFolder(gridId: string): string {
  return `invite-qr/${gridId}`;
}

/**
 * Stores bytes the function made (a mini-program code) at `cloudPath` of the environment's storage
 * and answers the file id: `app.uploadFile` of @cloudbase/node-sdk, which the local cloud answers
 * the same way (localcloud/storage.ts). The same path always holds the same file (a retry overwrites
 * it with the same bytes). Throws when storage refuses.
 */
export async function storeFile(cloudPath: string, bytes: Buffer): Promise<string> {
  const res = (await cloudApp().uploadFile({ cloudPath, fileContent: bytes })) as { fileID?: string };
  if (!res.fileID) throw new Error(`storage refused ${cloudPath}`);
  return res.fileID;
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

/** Whether a stored file id points into this environment's storage (any folder): only those can be deleted. */
export function isOwnStorageId(fileId: string): boolean {
  if (isLocal()) {
    const local = /^http:\/\/([\w.-]+):(\d{1,5})\/storage\/[\w\-./]+$/.exec(fileId);
    if (!local || fileId.includes('..')) return false;
    return local[2] === new URL(process.env.GRIDLINK_DB_URL as string).port;
  }
  const env = process.env.TCB_ENV || process.env.SCF_NAMESPACE;
  return Boolean(env && fileId.startsWith(`cloud://${env}.`));
}

/** CloudBase deletes at most 50 files per request. */
const DELETE_BATCH = 50;

/**
 * Deletes files from this environment's storage (the purge, account closure): answers how many
 * were deleted now. A file already gone counts as done (a retried purge meets it); ids of other
 * storage are skipped (there is nothing of ours to delete). Any other refusal throws, so the
 * caller keeps the reference and tries again later rather than forgetting a file still stored.
 */
export async function deleteStorageFiles(fileIds: readonly string[]): Promise<number> {
  const own = [...new Set(fileIds.filter(isOwnStorageId))];
  let deleted = 0;
  for (let i = 0; i < own.length; i += DELETE_BATCH) {
    const res = (await cloudApp().deleteFile({ fileList: own.slice(i, i + DELETE_BATCH) })) as {
      fileList?: Array<{ fileID: string; code?: string }>;
      code?: string;
      message?: string;
    };
    if (!res.fileList) throw new Error(`storage refused to delete files: ${res.code ?? ''} ${res.message ?? ''}`);
    for (const f of res.fileList) {
      if (!f.code || f.code === 'SUCCESS') deleted += 1;
      else if (!/NOT_?EXIST|NONEXIST/i.test(f.code)) throw new Error(`storage did not delete ${f.fileID}: ${f.code}`);
    }
  }
  return deleted;
}
