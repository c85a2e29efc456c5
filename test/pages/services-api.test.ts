import { DEV_STORAGE_KEY } from '../../miniprogram/config';
import { ApiError, call, newRequestId } from '../../miniprogram/services/api';
import { failure, me as meView } from '../helpers/fixtures';
import { mockCall } from '../helpers/page';

const me = meView({ openid: 'dev-res-0001', nickName: '次仁', communityId: 'c', householdId: 'h' });

describe('service layer', () => {
  it('calls the function named by the action prefix through wx.cloud in production', async () => {
    const { calls } = mockCall({ 'user.me': () => ({ ok: true, data: me }) });
    await expect(call('user.me', {})).resolves.toEqual(me);
    expect(wx.cloud.callFunction).toHaveBeenCalledWith({ name: 'user', data: { action: 'user.me', payload: {} } });
    expect(calls[0]?.via).toBe('cloud');
  });

  it('goes to the local cloud as the chosen demo user when the dev flag is on', async () => {
    wx.setStorageSync(DEV_STORAGE_KEY, { localCloud: true, baseUrl: 'http://127.0.0.1:9999', openid: 'dev-gw-03' });
    const { calls } = mockCall({
      'system.health': (_p, ctx) => ({
        ok: true,
        data: { status: 'ok', now: ctx.user ?? 'no user', runtime: 'local' },
      }),
    });
    const res = await call('system.health', {}, { requestId: 'req-12345678' });
    expect(res.now).toBe('dev-gw-03');
    expect(calls[0]?.via).toBe('request:http://127.0.0.1:9999/fn/system');
    const sent = (wx.request as jest.Mock).mock.calls.at(-1)?.[0];
    expect(sent.method).toBe('POST');
    expect(sent.data).toEqual({ action: 'system.health', payload: {}, requestId: 'req-12345678' });
  });

  it("rejects with the server's code, message and field issues", async () => {
    mockCall({
      'user.me': () =>
        failure('COMMON.INVALID_INPUT', '填写的内容有误：room 必填', [{ path: 'room', message: '必填' }]),
    });
    const error = await call('user.me', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      code: 'COMMON.INVALID_INPUT',
      message: '填写的内容有误：room 必填',
      issues: [{ path: 'room', message: '必填' }],
    });
  });

  it('turns a transport failure or a garbled answer into a friendly COMMON.INTERNAL', async () => {
    (wx.cloud.callFunction as jest.Mock).mockRejectedValueOnce(
      new Error('errCode: -404011 cloud function execution error'),
    );
    await expect(call('user.me', {})).rejects.toMatchObject({
      code: 'COMMON.INTERNAL',
      message: '网络不稳定，请检查网络后重试',
    });
    (wx.cloud.callFunction as jest.Mock).mockResolvedValueOnce({ result: undefined });
    await expect(call('user.me', {})).rejects.toMatchObject({ code: 'COMMON.INTERNAL' });
  });

  it('makes request ids the server accepts, different each time', () => {
    const ids = new Set(Array.from({ length: 100 }, newRequestId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[\w-]{8,64}$/);
  });
});
