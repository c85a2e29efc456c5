/**
 * The local cloud's own costs: a cloud-function call through the real SDK and the local database
 * service, and the database requests (CloudBase DbRead/DbWrite) one call makes.
 */
import { startLocalCloud } from '../localcloud/app';
import { invokeFunction } from '../localcloud/invoke';
import { FUNCTIONS } from '../server/functions/registry';
import { percentile, report, timeMs } from './stats';

/** Runs the section and prints its lines. */
export async function run(): Promise<void> {
  const cloud = await startLocalCloud({ dataDir: null, port: 0, seed: true });
  try {
    const call = () => invokeFunction('user', FUNCTIONS.user, { action: 'user.me', payload: {} }, 'dev-res-0001');
    for (let i = 0; i < 50; i += 1) await call(); // warm up
    cloud.db.resetStats();
    const samples: number[] = [];
    const n = 500;
    for (let i = 0; i < n; i += 1) samples.push(await timeMs(call));
    const stats = cloud.db.stats();
    report('localcloud.user_me_p50_ms', percentile(samples, 50));
    report('localcloud.user_me_p95_ms', percentile(samples, 95));
    report('localcloud.user_me_db_reads_per_call', stats.reads / n);
    report('localcloud.user_me_db_writes_per_call', stats.writes / n);

    const parallel = 200;
    const burst = await timeMs(() => Promise.all(Array.from({ length: parallel }, call)));
    report('localcloud.user_me_throughput_per_s', (parallel / burst) * 1000);
  } finally {
    await cloud.close();
  }
}
