import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEV_USER_HEADER, startLocalCloud, type LocalCloud } from '../../localcloud/app';

const root = resolve(__dirname, '../..');

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

describe('local cloud over HTTP', () => {
  let dir: string;
  let cloud: LocalCloud;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gridlink-lc-'));
    cloud = await startLocalCloud({ dataDir: dir, port: 0, seed: { grids: 2, households: 20 } });
  });
  afterAll(async () => {
    await cloud.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers health with the functions it serves', async () => {
    const res = await fetch(`${cloud.url}/health`);
    const body = (await res.json()) as any;
    expect(body.ok).toBe(true);
    expect(body.data.functions).toEqual(expect.arrayContaining(['system', 'user']));
  });

  it('invokes a function as the user named in the dev header', async () => {
    const res = await post(`${cloud.url}/fn/user`, { action: 'user.me', payload: {} }, 'dev-gw-02');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ ok: true, data: { openid: 'dev-gw-02', roles: ['gridworker'] } });
    const anonymous = await post(`${cloud.url}/fn/user`, { action: 'user.me', payload: {} });
    expect(anonymous.json).toMatchObject({ ok: false, code: 'AUTH.NO_IDENTITY' });
  });

  it('answers bad requests with codes', async () => {
    expect((await post(`${cloud.url}/fn/nothing`, {})).json).toMatchObject({
      ok: false,
      code: 'COMMON.UNKNOWN_ACTION',
    });
    const broken = await post(`${cloud.url}/fn/user`, '{not json', 'u');
    expect(broken.status).toBe(400);
    expect(broken.json.code).toBe('COMMON.INVALID_INPUT');
  });

  it('lists demo users for the mini-program dev page', async () => {
    const body = (await (await fetch(`${cloud.url}/dev/users`)).json()) as any;
    const ids = body.data.map((u: { openid: string }) => u.openid);
    expect(ids).toEqual(expect.arrayContaining(['dev-admin', 'dev-gw-01', 'dev-vol-001']));
  });

  it('shows the subscribe messages a status change queued for a user', async () => {
    const join = await post(
      `${cloud.url}/fn/household`,
      {
        action: 'household.requestJoin',
        payload: {
          gridId: 'g-01',
          buildingId: 'b-001',
          room: '5-501',
          headName: '平措',
          phone: '13900007777',
          via: 'manual',
        },
      },
      'lc-newbie',
    );
    expect(join.json.ok).toBe(true);
    expect(
      (
        await post(
          `${cloud.url}/fn/grid`,
          { action: 'grid.reviewJoin', payload: { requestId: join.json.data.id, approve: true } },
          'dev-gw-01',
        )
      ).json.ok,
    ).toBe(true);
    const body = (await (await fetch(`${cloud.url}/dev/outbox?openid=lc-newbie`)).json()) as any;
    expect(body.data).toEqual([expect.objectContaining({ openid: 'lc-newbie', template: 'joinResult', sentAt: null })]);
  });

  it('stores an uploaded photo and serves it back, never outside its folder', async () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 0, 255]);
    const form = new FormData();
    form.append('cloudPath', 'prescriptions/dev-res-0001/rx.png');
    form.append('file', new Blob([bytes]), 'rx.png');
    const up = (await (await fetch(`${cloud.url}/storage/upload`, { method: 'POST', body: form })).json()) as any;
    expect(up.data.fileID).toBe(`${cloud.url}/storage/prescriptions/dev-res-0001/rx.png`);
    const back = new Uint8Array(await (await fetch(up.data.fileID)).arrayBuffer());
    expect([...back]).toEqual([...bytes]);

    const sneaky = new FormData();
    sneaky.append('cloudPath', '../../../etc/passwd');
    sneaky.append('file', new Blob([bytes]), 'x');
    const res = (await (await fetch(`${cloud.url}/storage/upload`, { method: 'POST', body: sneaky })).json()) as any;
    expect(res.data.fileID.startsWith(`${cloud.url}/storage/`)).toBe(true);
    expect(res.data.fileID).not.toContain('..');
  });

  it('keeps the data across a restart and does not seed twice', async () => {
    await post(`${cloud.url}/fn/user`, { action: 'user.me', payload: {} }, 'restart-user');
    await cloud.close();
    cloud = await startLocalCloud({ dataDir: dir, port: 0, seed: { grids: 2, households: 20 } });
    expect(cloud.seeded).toBe(false);
    const res = await post(`${cloud.url}/fn/user`, { action: 'user.me', payload: {} }, 'restart-user');
    expect(res.json.ok).toBe(true);
    const body = (await (await fetch(`${cloud.url}/dev/users`)).json()) as any;
    expect(body.data.filter((u: { openid: string }) => u.openid === 'dev-admin')).toHaveLength(1);
  });
});

describe('npm start', () => {
  function start(dir: string): { child: ChildProcess; ready: Promise<string> } {
    const child = spawn(
      process.execPath,
      [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'localcloud/main.ts')],
      {
        cwd: root,
        env: { ...process.env, GRIDLINK_DATA_DIR: dir, GRIDLINK_PORT: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    const ready = new Promise<string>((res, rej) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Ctrl-C')) res(out);
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.on('exit', (code) => rej(new Error(`exited ${code}: ${out}`)));
    });
    return { child, ready };
  }

  function stop(child: ChildProcess): Promise<number | null> {
    return new Promise((res) => {
      child.on('exit', (code) => res(code));
      child.kill('SIGINT');
    });
  }

  it('serves health, seeds on first start, stops cleanly on Ctrl-C and reuses data after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gridlink-start-'));
    try {
      const first = start(dir);
      const banner = await first.ready;
      expect(banner).toContain('已生成演示社区');
      const url = /GET {2}(http:\/\/127\.0\.0\.1:\d+)\/health/.exec(banner)?.[1];
      expect(url).toBeDefined();
      const health = (await (await fetch(`${url}/health`)).json()) as any;
      expect(health.data.status).toBe('ok');
      expect(await stop(first.child)).toBe(0);

      const second = start(dir);
      expect(await second.ready).toContain('沿用已有数据');
      expect(await stop(second.child)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
