import { AppError } from '../../core/errors';
import { platformContext, timerContext } from '../../localcloud/invoke';
import { defineFunction } from '../../server/lib/define-function';
import { z } from '../../server/lib/validate';
import type { Me, UserDoc } from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';

let t: TestCloud;
beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 3, households: 40 } });
});
afterAll(() => t.close());

describe('system.health', () => {
  it('answers anyone with China time and the local runtime', async () => {
    const res = await t.ok(null, 'system.health', {});
    expect(res.status).toBe('ok');
    expect(res.runtime).toBe('local');
    expect(res.now).toMatch(/\+08:00$/);
  });
});

describe('identity comes from the platform context only', () => {
  it('refuses a call with no identity', async () => {
    const res = await t.call(null, 'user.me', {});
    expect(res).toMatchObject({ ok: false, code: 'AUTH.NO_IDENTITY' });
    if (!res.ok) expect(res.message).toMatch(/身份/);
  });

  it('ignores an openid claimed in the request body', async () => {
    const main = (await import('../../server/functions/user')).main;
    const spoof = { action: 'user.me', payload: {}, openid: 'dev-admin', userInfo: { openId: 'dev-admin' } };
    const res = (await main(spoof, platformContext('user', 'dev-res-0001'))) as { ok: true; data: Me };
    expect(res.ok).toBe(true);
    expect(res.data.openid).toBe('dev-res-0001');
    expect(res.data.roles).toEqual(['resident']);
  });

  it('keeps simultaneous callers apart', async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `concurrent-${i}`);
    const answers = await Promise.all(ids.map((id) => t.ok(id, 'user.me', {})));
    expect(answers.map((a) => a.openid)).toEqual(ids);
  });

  it('creates a new user once even when the first calls race', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => t.ok('first-timer', 'user.me', {})));
    expect(new Set(results.map((r) => r.openid))).toEqual(new Set(['first-timer']));
    const stored = await t.db.collection('users').where({ _id: 'first-timer' }).count();
    expect(stored.total).toBe(1);
    const fresh = results[0];
    expect(fresh).toMatchObject({ roles: [], householdId: null, communityId: null });
  });

  it('shows a seeded gridworker their grids', async () => {
    const me = await t.ok('dev-gw-01', 'user.me', {});
    expect(me.roles).toEqual(['gridworker']);
    expect(me.adminGridIds).toEqual(['g-01']);
  });
});

describe('the envelope', () => {
  it('answers an unknown action with a code, not a crash', async () => {
    const main = (await import('../../server/functions/user')).main;
    const res = await main({ action: 'user.explode', payload: {} }, platformContext('user', 'u1'));
    expect(res).toMatchObject({ ok: false, code: 'COMMON.UNKNOWN_ACTION' });
  });

  it('rejects input that does not fit the schema, naming the field', async () => {
    const res = await t.call('u1', 'user.me', { extra: 1 } as never);
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.code).toBe('COMMON.INVALID_INPUT');
    expect(res.message).toMatch(/填写的内容有误/);
    expect(res.issues?.length).toBeGreaterThan(0);
  });

  it('rejects a malformed idempotency key', async () => {
    const res = await t.call('u1', 'user.me', {}, 'x');
    expect(res).toMatchObject({ ok: false, code: 'COMMON.INVALID_INPUT' });
  });

  it('hides a bug behind COMMON.INTERNAL and keeps expected failures as they are', async () => {
    const errorLog = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const main = defineFunction('system', {
      'system.health': {
        public: true,
        input: z.object({ boom: z.enum(['bug', 'expected']) }) as never,
        async handle(_ctx, input) {
          if ((input as unknown as { boom: string }).boom === 'bug') throw new TypeError('secret stack detail');
          throw new AppError('COMMON.CONFLICT');
        },
      },
    });
    const bug = await main({ action: 'system.health', payload: { boom: 'bug' } }, {});
    expect(bug).toEqual({ ok: false, code: 'COMMON.INTERNAL', message: '系统繁忙，请稍后再试' });
    expect(JSON.stringify(bug)).not.toContain('secret');
    expect(errorLog).toHaveBeenCalled();
    const expected = await main({ action: 'system.health', payload: { boom: 'expected' } }, {});
    expect(expected).toMatchObject({ ok: false, code: 'COMMON.CONFLICT' });
    errorLog.mockRestore();
  });

  it('routes a timer event to its trigger handler with no caller', async () => {
    let seen: unknown = 'unset';
    const main = defineFunction('system', {} as never, {
      timers: {
        tick: async (ctx) => {
          seen = ctx.caller;
          return 'done';
        },
      },
    });
    expect(await main({ Type: 'Timer', TriggerName: 'tick' }, timerContext('system'))).toEqual({
      ok: true,
      data: 'done',
    });
    expect(seen).toBeNull();
    expect(await main({ Type: 'Timer', TriggerName: 'nope' }, timerContext('system'))).toMatchObject({
      code: 'COMMON.UNKNOWN_ACTION',
    });
  });
});

describe('the demo community', () => {
  it('is seeded through the SDK with households bound to grids and buildings', async () => {
    const households = await t.db.collection('households').where({ gridId: 'g-01' }).get();
    expect(households.data.length).toBeGreaterThan(0);
    const users = (await t.db.collection('users').where({ roles: 'communityAdmin' }).get()).data as UserDoc[];
    expect(users.map((u) => u._id)).toEqual(['dev-admin']);
  });
});
