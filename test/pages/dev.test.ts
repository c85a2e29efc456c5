import { DEV_STORAGE_KEY } from '../../miniprogram/config';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';

describe('本地调试 page', () => {
  it('checks the local cloud as the chosen demo user and shows its answer', async () => {
    wx.setStorageSync(DEV_STORAGE_KEY, { localCloud: true, baseUrl: 'http://127.0.0.1:8787', openid: 'dev-vol-001' });
    const { calls } = mockCall({
      'system.health': () => ({ ok: true, data: { status: 'ok', now: '2022-08-20T08:00:00+08:00', runtime: 'local' } }),
    });
    const page = await loadPage('pages/dev/index');
    expect(textOf(page)).toContain('dev-vol-001');
    tapButton(page, '.dev__health');
    await flush();
    expect(textOf(page)).toContain('连接正常：本地云');
    expect(calls).toEqual([{ action: 'system.health', payload: {}, via: 'request:http://127.0.0.1:8787/fn/system' }]);
    expect((wx.request as jest.Mock).mock.calls[0][0].header['x-gridlink-user']).toBe('dev-vol-001');
  });

  it('switches to a demo user picked from the local cloud list', async () => {
    wx.setStorageSync(DEV_STORAGE_KEY, { localCloud: true });
    (wx.request as jest.Mock).mockImplementation((opts: { success: (r: unknown) => void }) =>
      opts.success({
        statusCode: 200,
        data: { ok: true, data: [{ openid: 'dev-gw-02', nickName: '网格员二', roles: ['gridworker'] }] },
      }),
    );
    const page = await loadPage('pages/dev/index');
    tapButton(page, '.dev__users');
    await flush();
    expect(textOf(page)).toContain('网格员二');
    page.querySelector('.dev__user')?.querySelector('.t-cell')?.dispatchEvent('tap');
    await flush();
    expect(wx.getStorageSync(DEV_STORAGE_KEY)).toMatchObject({ openid: 'dev-gw-02' });
  });
});
