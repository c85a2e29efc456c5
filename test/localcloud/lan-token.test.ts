/**
 * GRIDLINK_HOST: a local cloud bound beyond loopback (a phone in 真机调试 reaches it over the LAN)
 * trusts no request without the dev token, since `x-gridlink-user` says who the caller is and `/db`
 * is the whole database; bound to loopback it behaves as before.
 */
import { DEV_USER_HEADER, startLocalCloud, type LocalCloud } from '../../localcloud/app';
import { DEV_TOKEN_HEADER, isLoopbackHost, reachableUrl } from '../../localcloud/dev-token';

async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: any; cookie: string | null }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json(), cookie: res.headers.get('set-cookie') };
}

const me = { action: 'user.me', payload: {} };

describe('a local cloud open to the LAN (host 0.0.0.0)', () => {
  let cloud: LocalCloud;
  let token: string;
  beforeAll(async () => {
    cloud = await startLocalCloud({ dataDir: null, port: 0, host: '0.0.0.0', seed: false });
    token = cloud.token as string;
  });
  afterAll(() => cloud.close());

  it('makes up a dev token and refuses every request without it, saying what to send', async () => {
    expect(token).toMatch(/^[\w-]{24}$/);
    const fn = await post(`${cloud.url}/fn/user`, me, { [DEV_USER_HEADER]: 'lan-user' });
    expect(fn.status).toBe(401);
    expect(fn.json).toMatchObject({ ok: false, code: 'AUTH.NO_IDENTITY' });
    expect(fn.json.message).toContain(DEV_TOKEN_HEADER);
    expect(fn.json.message).toContain('?token=');
    for (const path of ['/health', '/dev/users', '/dev/outbox', '/', '/storage/group-qr/g/a.png'])
      expect((await fetch(`${cloud.url}${path}`)).status).toBe(401);
    // The database itself: the SDK protocol is not open to the LAN either.
    expect((await post(`${cloud.url}/db`, { action: 'database.getDocument', collectionName: 'users' })).status).toBe(
      401,
    );
  });

  it('refuses a wrong token', async () => {
    const wrong = await post(`${cloud.url}/fn/user`, me, {
      [DEV_USER_HEADER]: 'lan-user',
      [DEV_TOKEN_HEADER]: `${token.slice(1)}x`,
    });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${cloud.url}/health?token=nope`)).status).toBe(401);
  });

  it('serves a request with the token, and the function reaches the database through the SDK', async () => {
    const res = await post(`${cloud.url}/fn/user`, me, { [DEV_USER_HEADER]: 'lan-user', [DEV_TOKEN_HEADER]: token });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ ok: true, data: { openid: 'lan-user' } });
    const health = await fetch(`${cloud.url}/health`, { headers: { [DEV_TOKEN_HEADER]: token } });
    expect(((await health.json()) as any).ok).toBe(true);
  });

  it('takes the token in the query (the browser preview) and keeps it in a same-site cookie', async () => {
    const first = await fetch(`${cloud.url}/health?token=${token}`);
    expect(first.status).toBe(200);
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const pair = cookie.split(';')[0] as string;
    const next = await post(`${cloud.url}/fn/user`, me, { [DEV_USER_HEADER]: 'lan-user', cookie: pair });
    expect(next.status).toBe(200);
    expect(next.json.ok).toBe(true);
  });

  it('lets a browser send the token header across origins (preflight)', async () => {
    const res = await fetch(`${cloud.url}/fn/user`, { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-headers')).toContain(DEV_TOKEN_HEADER);
  });
});

describe('a local cloud on loopback (the default)', () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await startLocalCloud({ dataDir: null, port: 0, seed: false });
  });
  afterAll(() => cloud.close());

  it('needs no token, as before', async () => {
    expect(cloud.token).toBeNull();
    expect(cloud.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await post(`${cloud.url}/fn/user`, me, { [DEV_USER_HEADER]: 'loop-user' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ ok: true, data: { openid: 'loop-user' } });
  });
});

describe('which binds are loopback', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.20', false],
  ])('%s → %s', (host, loopback) => expect(isLoopbackHost(host)).toBe(loopback));

  it('reaches a wildcard bind on loopback and a named one at its address', () => {
    expect(reachableUrl('0.0.0.0', 8787)).toBe('http://127.0.0.1:8787');
    expect(reachableUrl('192.168.1.20', 8787)).toBe('http://192.168.1.20:8787');
    expect(reachableUrl('fe80::1', 8787)).toBe('http://[fe80::1]:8787');
  });
});
