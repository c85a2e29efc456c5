/**
 * 真机调试 over the LAN: the 本地调试 page keeps the dev token a LAN-bound local cloud printed, and
 * every request to the local cloud then carries it (calls, the demo-user list); without one the
 * page says why the local cloud refused.
 */
import { DEV_STORAGE_KEY } from '../../miniprogram/config';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';

const LAN = 'http://192.168.1.20:8787';
const TOKEN = 'Zk3vQw8pL1mN5rT7yU9xA2bC';

describe('本地调试 page with a local cloud open to the LAN', () => {
  it('saves the token typed in and sends it with every call', async () => {
    wx.setStorageSync(DEV_STORAGE_KEY, { localCloud: true, baseUrl: LAN, openid: 'dev-vol-001' });
    mockCall({
      'system.health': () => ({ ok: true, data: { status: 'ok', now: '2022-08-20T08:00:00+08:00', runtime: 'local' } }),
    });
    const page = await loadPage('pages/dev/index');
    page.instance.onToken({ detail: { value: `  ${TOKEN} ` } });
    await flush();
    expect(wx.getStorageSync(DEV_STORAGE_KEY)).toMatchObject({ token: TOKEN, baseUrl: LAN });
    tapButton(page, '.dev__health');
    await flush();
    expect(textOf(page)).toContain('连接正常：本地云');
    const header = (wx.request as jest.Mock).mock.calls[0][0].header as Record<string, string>;
    expect(header).toMatchObject({ 'x-gridlink-user': 'dev-vol-001', 'x-gridlink-token': TOKEN });
  });

  it('sends the token when listing demo users, and shows the refusal when it is missing', async () => {
    wx.setStorageSync(DEV_STORAGE_KEY, { localCloud: true, baseUrl: LAN, token: TOKEN });
    (wx.request as jest.Mock).mockImplementation((opts: { success: (r: unknown) => void }) =>
      opts.success({
        statusCode: 200,
        data: { ok: true, data: [{ openid: 'dev-gw-02', nickName: '网格员二', roles: ['gridworker'] }] },
      }),
    );
    const page = await loadPage('pages/dev/index');
    tapButton(page, '.dev__users');
    await flush();
    expect((wx.request as jest.Mock).mock.calls[0][0].header).toEqual({ 'x-gridlink-token': TOKEN });
    expect(textOf(page)).toContain('网格员二');

    wx.setStorageSync(DEV_STORAGE_KEY, { localCloud: true, baseUrl: LAN, token: '' });
    (wx.request as jest.Mock).mockImplementation((opts: { success: (r: unknown) => void }) =>
      opts.success({
        statusCode: 401,
        data: { ok: false, code: 'AUTH.NO_IDENTITY', message: '本地云已向局域网开放，请求需要开发令牌' },
      }),
    );
    const again = await loadPage('pages/dev/index');
    tapButton(again, '.dev__users');
    await flush();
    expect((wx.request as jest.Mock).mock.calls.at(-1)[0].header).toEqual({});
    expect(textOf(again)).toContain('需要开发令牌');
  });
});
