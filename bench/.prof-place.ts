// temporary profiling driver (not committed)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCloud } from '../localcloud/app';
import { DbEngine } from '../localcloud/db/service';
import { Store, type Write } from '../localcloud/db/store';
import { idKey, type Doc } from '../localcloud/db/wire';
import { callAction } from '../localcloud/invoke';
import { demoCommunity } from '../localcloud/seed/demo-community';
import { COLLECTIONS } from '../server/lib/schema';
import type { HouseholdDoc } from '../typings/entities';

function ample<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => ample(v)) as T;
  if (!value || typeof value !== 'object' || value instanceof Date) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'stock' && typeof v === 'number' ? 1e8 : ample(v)])) as T;
}
async function main() {
  const at = Date.now();
  const docs = ample(demoCommunity({ grids: 20, households: 1000, joinedShare: 1, at: new Date(at - 3600_000) })) as unknown as Record<string, Doc[]>;
  const dir = mkdtempSync(join(tmpdir(), 'gl-prof-'));
  const store = Store.open(dir);
  for (const name of COLLECTIONS) store.create(name);
  for (const [name, list] of Object.entries(docs)) { store.create(name); for (let i = 0; i < list.length; i += 1000) store.commit(list.slice(i, i + 1000).map((doc): Write => ({ collection: name, id: idKey(doc._id), doc }))); }
  store.close();
  const cloud = await startLocalCloud({ dataDir: dir, port: 0, seed: false });
  while (!cloud.db.indexesReady()) await new Promise((r) => setTimeout(r, 5));
  const residents = (docs.households as unknown as HouseholdDoc[]).map((h) => h.memberOpenids[0]).filter((o): o is string => !!o);
  const ORDER = { kind: 'grocery' as const, lines: ['item-009', 'item-010', 'item-011'].map((itemId) => ({ itemId, qty: 1 })), payment: 'cashOnDelivery' as const, contactless: false };
  const runBurst = async (n: number, inFlight: number, off: number, tag: string) => {
    let next = 0; const t0 = Date.now();
    await Promise.all(Array.from({ length: inFlight }, async () => { for (let i = next++; i < n; i = next++) { const res = await callAction(residents[(off + i) % residents.length] as string, 'order.place', ORDER, `bench-${tag}-${String(i).padStart(5, "0")}`); if (!res.ok) throw new Error(res.code + res.message); } }));
    return (n / (Date.now() - t0)) * 1000;
  };
  await runBurst(400, 10, 0, 'w');
  const times = new Map<string, [number, number, number]>();
  if (process.env.TIMING) {
    const proto = DbEngine.prototype as any;
    const orig = proto.handle;
    proto.handle = function (this: any, body: any) {
      const h = (b: any) => orig.call(this, b);
      const t0 = process.hrtime.bigint();
      const out = h(body);
      const k = `${body.action} ${body.collectionName} ${body.queryType ?? ''}`;
      const e = times.get(k) ?? [0, 0, 0];
      if (process.env.DUMP && e[0] === 5) console.log(JSON.stringify(body).slice(0, 1500));
      e[0] += 1; e[1] += Number(process.hrtime.bigint() - t0) / 1e6; e[2] += JSON.stringify(body).length;
      times.set(k, e);
      return out;
    };
  }
  const n = Number(process.env.N ?? 800);
  const c = Number(process.env.C ?? 10);
  const cpu0 = process.cpuUsage();
  const perS = await runBurst(n, c, 0, 'm');
  const cpu = process.cpuUsage(cpu0);
  console.log('cpu_ms_per_place', ((cpu.user + cpu.system) / 1000 / n).toFixed(2));
  for (const [k, [cnt, ms, bytes]] of times) console.log(k, cnt, (ms / cnt).toFixed(3), 'ms', Math.round(bytes / cnt), 'B');
  console.log('per_s', perS.toFixed(1), 'c', c);
  await cloud.close();
  rmSync(dir, { recursive: true, force: true });
}
main().catch((e) => { console.error(e); process.exit(1); });
