/**
 * A process for store-files.test.ts to kill: opens the local database service over a data folder
 * and writes through the SDK as fast as it can — each worker a transaction over two collections
 * (its counter and a new order, several KB: writes span memory pages) and a plain insert — printing
 * `ack <collection> <id>` once each write is acknowledged.
 *
 *   tsx test/localcloud/crash-writer.ts <dataDir> [workers]
 */
import tcb from '@cloudbase/node-sdk';
import { createDbService, startDbServer } from '../../localcloud/db';
import { preferLocalService, type Tx } from '../../server/lib/cloud';

async function main(): Promise<void> {
  const [dir, workersArg] = process.argv.slice(2);
  if (!dir) throw new Error('usage: crash-writer.ts <dataDir> [workers]');
  const workers = Number(workersArg ?? 8);
  preferLocalService();
  const svc = await createDbService({ dataDir: dir });
  for (const name of ['counters', 'orders', 'notes']) svc.createCollection(name);
  const server = await startDbServer(svc);
  const db = tcb.init({ env: 'crash', secretId: 'l', secretKey: 'l', serviceUrl: server.url }).database();
  const padding = '网格'.repeat(1500);
  const ack = (collection: string, id: string) => process.stdout.write(`ack ${collection} ${id}\n`);
  process.stdout.write('ready\n');

  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      const counter = `w${w}`;
      for (;;) {
        // The counter and the order it counts are written together or not at all.
        const order = await db.runTransaction(async (tx: Tx) => {
          const doc = (await tx.collection('counters').doc(counter).get()).data as { n?: number } | null;
          const n = (doc?.n ?? 0) + 1;
          await tx.collection('counters').doc(counter).set({ n });
          await tx.collection('orders').doc(`${counter}-${n}`).set({ worker: counter, n, padding });
          return `${counter}-${n}`;
        });
        ack('orders', order);
        const note = `${order}-note`;
        await db.collection('notes').add({ _id: note, padding });
        ack('notes', note);
      }
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
