import { AppError } from '../../core/errors';
import { platformContext } from '../../localcloud/invoke';
import { defineFunction, type CloudMain, type UserContext } from '../../server/lib/define-function';
import { LEASE_MS, once, requestKey } from '../../server/lib/idempotency';
import { z } from '../../server/lib/validate';
import { startTestCloud, type TestCloud } from '../helpers/cloud';

let t: TestCloud;
let clock = new Date('2022-08-20T02:00:00Z');
let main: CloudMain;
let failNext: 'none' | 'expected' | 'crash-after-write' = 'none';

beforeAll(async () => {
  t = await startTestCloud();
  await t.db.createCollection('parcels');
  // A stand-in action: "give one parcel", written with the request's own id.
  main = defineFunction(
    'system',
    {
      'system.health': {
        input: z.object({ n: z.number() }) as never,
        async handle(ctx: UserContext) {
          return (await once(ctx, 'parcel.give', async () => {
            const _id = requestKey(ctx, 'parcel.give');
            try {
              await ctx.db.collection('parcels').add({ _id, by: ctx.caller.openid });
            } catch (error) {
              // The first attempt wrote it before dying: the same id meets its first copy.
              if (!/DUPLICATE|duplicate/i.test(String((error as { code?: string }).code) + String(error))) throw error;
            }
            if (failNext === 'expected') {
              failNext = 'none';
              throw new AppError('COMMON.CONFLICT', '库存不足');
            }
            if (failNext === 'crash-after-write') {
              failNext = 'none';
              throw new Error('function died');
            }
            return { parcelId: _id };
          })) as never;
        },
      },
    } as never,
    { clock: () => clock },
  );
});
afterAll(() => t.close());

const give = (user: string, requestId?: string) =>
  main({ action: 'system.health', payload: { n: 1 }, requestId }, platformContext('system', user)) as Promise<any>;
const parcels = async () => (await t.db.collection('parcels').count()).total;

describe('idempotent writes', () => {
  it('a retried request answers the same and writes once', async () => {
    const first = await give('u1', 'req-aaaaaaaa');
    const again = await give('u1', 'req-aaaaaaaa');
    expect(first.ok).toBe(true);
    expect(again).toEqual(first);
    expect(await parcels()).toBe(1);
  });

  it('the same request id from another user is another request', async () => {
    const other = await give('u2', 'req-aaaaaaaa');
    expect(other.ok).toBe(true);
    expect(await parcels()).toBe(2);
  });

  it('concurrent retries of one request make exactly one write', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => give('u3', 'req-bbbbbbbb')));
    const okOnes = answers.filter((a) => a.ok);
    expect(okOnes.length).toBeGreaterThanOrEqual(1);
    for (const a of answers.filter((x) => !x.ok)) expect(a.code).toBe('COMMON.CONFLICT');
    expect(await parcels()).toBe(3);
    expect(await give('u3', 'req-bbbbbbbb')).toEqual(okOnes[0]);
  });

  it('requires a request id', async () => {
    expect(await give('u4')).toMatchObject({ ok: false, code: 'COMMON.INVALID_INPUT' });
  });

  it('an expected refusal releases the key so a retry runs again', async () => {
    failNext = 'expected';
    expect(await give('u5', 'req-cccccccc')).toMatchObject({ ok: false, code: 'COMMON.CONFLICT', message: '库存不足' });
    expect(await give('u5', 'req-cccccccc')).toMatchObject({ ok: true });
  });

  it('a crash after the write does not duplicate it on retry', async () => {
    const before = await parcels();
    failNext = 'crash-after-write';
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await give('u6', 'req-dddddddd')).toMatchObject({ ok: false, code: 'COMMON.INTERNAL' });
    spy.mockRestore();
    expect(await give('u6', 'req-dddddddd')).toMatchObject({ ok: true });
    expect(await parcels()).toBe(before + 1);
  });

  it('a claim abandoned mid-flight is taken over after the lease, not before', async () => {
    const key = 'abandoned-claim';
    // Simulate a process that claimed and died: the pending claim stays behind.
    const ctxLike = { caller: { openid: 'u7' }, requestId: 'req-eeeeeeee' } as never;
    const id = requestKey(ctxLike, 'parcel.give');
    await t.db
      .collection('idempotency')
      .add({ _id: id, state: 'pending', scope: key, owner: 'dead', claimedAt: clock.getTime() });
    expect(await give('u7', 'req-eeeeeeee')).toMatchObject({ ok: false, code: 'COMMON.CONFLICT' });
    clock = new Date(clock.getTime() + LEASE_MS + 1);
    expect(await give('u7', 'req-eeeeeeee')).toMatchObject({ ok: true });
  });
});
