/** The WeChat stand-ins are reached through the SDK exactly as on CloudBase (wx.api / wx.openApi). */
import { startTestCloud, type TestCloud } from '../helpers/cloud';
import { clearWxCalls, defineWxApi, wxCalls, wxError } from '../../localcloud/wechat';
import { callWx, callWxBytes } from '../../server/lib/wechat';

let t: TestCloud;
beforeAll(async () => {
  t = await startTestCloud();
  defineWxApi('test.echo', (req) =>
    typeof req.name === 'string'
      ? { errcode: 0, errmsg: 'ok', echo: req.name }
      : wxError(47003, 'argument invalid! name'),
  );
  defineWxApi('test.image', () => ({ binary: Buffer.from([0x89, 0x50, 0x4e, 0x47]), contentType: 'image/png' }));
});
afterAll(() => t.close());
beforeEach(() => clearWxCalls());

test('a JSON API answers through callWx and is recorded', async () => {
  const ok = await callWx<{ echo: string }>('test.echo', { name: '东101' });
  expect(ok).toMatchObject({ errcode: 0, echo: '东101' });
  const bad = await callWx('test.echo', { name: 3 });
  expect(bad.errcode).toBe(47003);
  expect(wxCalls('test.echo').map((c) => c.errcode)).toEqual([0, 47003]);
  const res = await fetch(`${t.cloud.url}/dev/wechat?api=test.echo`);
  expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(2);
});

test('an unknown API is refused, never silently accepted', async () => {
  const res = await callWx('nosuch.api', {});
  expect(res.errcode).not.toBe(0);
});

test('a bytes API answers the image through callWxBytes', async () => {
  const res = await callWxBytes('test.image', { scene: 'x' });
  expect('bytes' in res && res.bytes.subarray(0, 4)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  const err = await callWxBytes('test.echo', { name: 1 });
  expect(err).toMatchObject({ errcode: 47003 });
});

test('database requests still reach the database through the same endpoint', async () => {
  await t.db.collection('outbox').add({ openid: 'o1', createdAt: 'x' });
  expect((await t.db.collection('outbox').where({ openid: 'o1' }).count()).total).toBe(1);
});
