import tcb from '@cloudbase/node-sdk';

/** The database handle type the SDK gives. */
export type Db = ReturnType<ReturnType<typeof tcb.init>['database']>;

/** A transaction handle (`db.runTransaction` callback, `db.startTransaction`). */
export type Tx = Awaited<ReturnType<Db['startTransaction']>>;

let app: ReturnType<typeof tcb.init> | null = null;

/**
 * The one CloudBase app of this function instance, created on first use.
 * In CloudBase it binds to the current environment; locally (and in tests) `GRIDLINK_DB_URL`
 * points the same SDK at the local CloudBase-compatible database service.
 */
export function cloudApp(): ReturnType<typeof tcb.init> {
  if (app) return app;
  const serviceUrl = process.env.GRIDLINK_DB_URL;
  if (serviceUrl) preferLocalService();
  app = serviceUrl
    ? tcb.init({
        env: 'gridlink-local',
        // The local service ignores credentials, but the SDK needs some: without them a query
        // rejects outside the promise chain and crashes Node 20.
        secretId: 'local',
        secretKey: 'local',
        serviceUrl,
        timeout: 15000,
      })
    : tcb.init({ env: tcb.SYMBOL_CURRENT_ENV });
  return app;
}

/**
 * Outside Tencent Cloud the SDK probes the metadata host (metadata.tencentyun.com, 30 ms timeout)
 * before every request, and never caches a failed probe: ~60 ms per request, and traffic off this
 * machine. `TENCENTCLOUD=true` answers the probe; with `serviceUrl` set it changes nothing else.
 * Only ever set for the local service: against a real environment it would pick internal URLs.
 */
export function preferLocalService(): void {
  process.env.TENCENTCLOUD = 'true';
}

/** The database of this function instance. */
export function database(): Db {
  return cloudApp().database();
}

/** Drop the cached app (tests point functions at a fresh local service). */
export function resetCloudApp(): void {
  app = null;
}

/** True when running against the local cloud rather than CloudBase. */
export function isLocal(): boolean {
  return Boolean(process.env.GRIDLINK_DB_URL);
}
