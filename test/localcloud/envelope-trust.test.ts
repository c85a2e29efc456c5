/** Issue 10 — the envelope, the triggers and the local cloud: what a caller can never make the platform do. */
import { request } from 'node:http';
import { DEV_USER_HEADER, startLocalCloud, type LocalCloud } from '../../localcloud/app';
import { platformContext, runTimer, timerContext } from '../../localcloud/invoke';
import { FUNCTIONS } from '../../server/functions/registry';
import { defineFunction } from '../../server/lib/define-function';

async function post(url: string, body: unknown, user?: string): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (user) headers[DEV_USER_HEADER] = user;
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/** A raw POST that reports a reset connection instead of throwing. */
function rawPost(url: string, body: Buffer): Promise<{ status: number; json: any } | { error: string }> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = text;
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
        res.on('error', (e) => resolve({ error: e.message }));
      },
    );
    req.on('error', (e) => resolve({ error: (e as Error).message }));
    req.end(body);
  });
}

let cloud: LocalCloud;
beforeAll(async () => {
  cloud = await startLocalCloud({ dataDir: null, port: 0, seed: false });
});
afterAll(() => cloud.close());

describe('timer triggers', () => {
  it('refuses a timer event that a client sent over HTTP, with or without identity, in any case', async () => {
    for (const Type of ['Timer', 'timer', 'TIMER']) {
      for (const user of [undefined, 'dev-admin']) {
        const res = await post(`${cloud.url}/fn/order`, { Type, TriggerName: 'autoConfirm' }, user);
        expect(res.json.ok).toBe(false);
        expect(['AUTH.FORBIDDEN', 'COMMON.UNKNOWN_ACTION']).toContain(res.json.code);
      }
    }
  });

  it('refuses a timer event unless the platform context says the timer sent it', async () => {
    const run = { Type: 'Timer', TriggerName: 'autoConfirm' };
    const refused = (r: any) => r.ok === false && ['AUTH.FORBIDDEN', 'COMMON.UNKNOWN_ACTION'].includes(r.code);
    expect(refused(await FUNCTIONS.order(run, {}))).toBe(true);
    expect(refused(await FUNCTIONS.order(run, platformContext('order', null)))).toBe(true);
    expect(refused(await FUNCTIONS.order(run, platformContext('order', 'dev-admin')))).toBe(true);
    // A function called by a timer-run function is not itself a timer run.
    const chained = timerContext('order');
    const env = JSON.parse(chained.environment as string);
    chained.environment = JSON.stringify({ ...env, TCB_SOURCE: 'wx_trigger,scf' });
    expect(refused(await FUNCTIONS.order(run, chained))).toBe(true);
    // A timer context with a user in it is not the timer either.
    const withUser = timerContext('order');
    withUser.environment = JSON.stringify({ ...env, WX_OPENID: 'dev-admin' });
    expect(refused(await FUNCTIONS.order(run, withUser))).toBe(true);
  });

  it('runs a timer when the platform timer fires it (any case of Type)', async () => {
    expect(await runTimer('order', 'autoConfirm')).toMatchObject({ ok: true, data: { confirmed: 0 } });
    // The deployed trigger runs the three parts in one go.
    expect(await runTimer('order', 'everyMinute')).toMatchObject({ ok: true, data: { undone: 0, confirmed: 0 } });
    expect(await FUNCTIONS.order({ Type: 'timer', TriggerName: 'autoConfirm' }, timerContext('order'))).toMatchObject({
      ok: true,
    });
    expect(await runTimer('order', 'nope')).toMatchObject({ ok: false, code: 'COMMON.UNKNOWN_ACTION' });
  });
});

describe('prototype names', () => {
  const protoNames = [
    'constructor',
    '__proto__',
    'toString',
    'hasOwnProperty',
    'valueOf',
    'isPrototypeOf',
    '__defineGetter__',
  ];

  it('never answers a timer named after an Object.prototype member, nor leaks the context', async () => {
    for (const name of protoNames) {
      const res = await runTimer('order', name);
      expect(res).toMatchObject({ ok: false, code: 'COMMON.UNKNOWN_ACTION' });
      expect(JSON.stringify(res)).not.toMatch(/secret|environment|request_id/i);
    }
    const custom = defineFunction('system', {} as never, { timers: { tick: async () => 'done' } });
    expect(await custom({ Type: 'Timer', TriggerName: 'constructor' }, timerContext('system'))).toMatchObject({
      ok: false,
      code: 'COMMON.UNKNOWN_ACTION',
    });
  });

  it('answers COMMON.UNKNOWN_ACTION for actions named after Object.prototype members', async () => {
    for (const name of protoNames) {
      for (const action of [name, `system.${name}`]) {
        const res = await post(`${cloud.url}/fn/system`, { action, payload: {} }, 'dev-admin');
        expect(res.status).toBe(200);
        expect(res.json).toMatchObject({ ok: false, code: 'COMMON.UNKNOWN_ACTION' });
      }
    }
  });

  it('answers 404 for functions named after Object.prototype members', async () => {
    for (const name of ['hasOwnProperty', 'constructor', 'toString', 'valueOf', 'isPrototypeOf', '__proto__']) {
      const res = await post(`${cloud.url}/fn/${name}`, { action: 'system.health', payload: {} }, 'dev-admin');
      expect(res.status).toBe(404);
      expect(res.json.ok).toBe(false);
      expect(['COMMON.UNKNOWN_ACTION', 'COMMON.NOT_FOUND']).toContain(res.json.code);
    }
  });

  it('refuses payloads carrying __proto__, constructor or prototype keys anywhere', async () => {
    const bodies = [
      '{"action":"system.health","payload":{"__proto__":{"admin":true}}}',
      '{"action":"system.health","payload":{"a":[{"constructor":{"prototype":{"x":1}}}]}}',
      '{"action":"system.health","payload":{},"__proto__":{"polluted":true}}',
      '{"action":"user.subscribe","payload":{"templates":["notice"],"prototype":1}}',
    ];
    for (const body of bodies) {
      const fn = (JSON.parse(body) as { action: string }).action.split('.')[0];
      const res = await post(`${cloud.url}/fn/${fn}`, body, 'dev-admin');
      expect(res.json).toMatchObject({ ok: false, code: 'COMMON.INVALID_INPUT' });
    }
    expect(({} as any).polluted).toBeUndefined();
    expect(({} as any).admin).toBeUndefined();
  });
});

describe('bodies the local cloud must refuse cleanly', () => {
  it('answers 413 with the envelope for a body over 2 MB (no reset connection)', async () => {
    const big = Buffer.from(JSON.stringify({ action: 'system.health', payload: { pad: 'x'.repeat(3 * 1024 * 1024) } }));
    const res = await rawPost(`${cloud.url}/fn/system`, big);
    expect(res).toMatchObject({ status: 413, json: { ok: false, code: 'COMMON.INVALID_INPUT' } });
    expect(typeof (res as any).json.message).toBe('string');
    // The server is still up.
    expect((await post(`${cloud.url}/fn/system`, { action: 'system.health', payload: {} }, 'u')).json.ok).toBe(true);
  });

  it('answers 400 COMMON.INVALID_INPUT for a deeply nested body', async () => {
    const deep = `{"action":"system.health","payload":{"a":${'['.repeat(5000)}${']'.repeat(5000)}}}`;
    const res = await post(`${cloud.url}/fn/system`, deep, 'u');
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ ok: false, code: 'COMMON.INVALID_INPUT' });
    const obj = `{"action":"system.health","payload":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
    expect((await post(`${cloud.url}/fn/system`, obj, 'u')).json).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
    });
  });

  it('refuses deep payloads in-process too (the envelope, not only the HTTP layer)', async () => {
    let payload: unknown = 1;
    for (let i = 0; i < 100; i += 1) payload = { a: payload };
    expect(await FUNCTIONS.system({ action: 'system.health', payload }, platformContext('system', 'u'))).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
    });
  });
});

describe('health', () => {
  it('answers 503 starting until the seed and the start-up work are done, then 200 ok', async () => {
    await cloud.close();
    const seen: Array<{ status: number; body: any }> = [];
    const started = await startLocalCloud({
      dataDir: null,
      port: 0,
      seed: { grids: 1, households: 4 },
      async prepare(url: string) {
        const res = await fetch(`${url}/health`);
        seen.push({ status: res.status, body: await res.json() });
        return null;
      },
    });
    try {
      expect(seen).toHaveLength(1);
      expect(seen[0]?.status).toBe(503);
      expect(seen[0]?.body).toMatchObject({ ok: false, data: { status: 'starting' } });
      const after = await fetch(`${started.url}/health`);
      expect(after.status).toBe(200);
      expect(await after.json()).toMatchObject({ ok: true, data: { status: 'ok' } });
    } finally {
      await started.close();
      cloud = await startLocalCloud({ dataDir: null, port: 0, seed: false });
    }
  });
});
