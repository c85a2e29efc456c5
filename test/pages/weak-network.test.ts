/**
 * Weak networks: writes are retried with the same request id when the network fails (bounded,
 * never on a business refusal); cards and personal codes are kept on the phone and shown offline
 * with their "as of" time; the checkpoint verifies offline with kept public keys and says so.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { CardView, VerifyView } from '../../typings/api';
import { ApiError, call, RETRY } from '../../miniprogram/services/api';
import { bo } from '../../miniprogram/i18n/bo';
import { failure, orderView } from '../helpers/fixtures';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';

const placed = orderView();
const cloud = wx.cloud.callFunction as jest.Mock;
const netDown = () => Promise.reject(new Error('request:fail timeout'));

beforeEach(() => {
  RETRY.attempts = 3;
  RETRY.delaysMs = [1, 1];
});

describe('automatic retries', () => {
  it('retries a write lost on the network with the same request id, so the order is placed once', async () => {
    const ids: Array<string | undefined> = [];
    mockCall({ 'order.place': (_p, ctx) => (ids.push(ctx.requestId), { ok: true, data: placed }) });
    const answer = cloud.getMockImplementation() as (o: unknown) => Promise<unknown>;
    cloud
      .mockImplementationOnce(netDown)
      .mockImplementationOnce((o: unknown) => answer(o).then(() => Promise.reject(new Error('answer lost'))));
    const res = await call(
      'order.place',
      { kind: 'loveBag', payment: 'free', contactless: true },
      { requestId: 'r-abcdef123456' },
    );
    expect(res.id).toBe('o1');
    expect(cloud).toHaveBeenCalledTimes(3);
    expect(cloud.mock.calls.map((c) => (c[0] as { data: { requestId: string } }).data.requestId)).toEqual([
      'r-abcdef123456',
      'r-abcdef123456',
      'r-abcdef123456',
    ]);
    expect(ids).toEqual(['r-abcdef123456', 'r-abcdef123456']);
  });

  it('gives up after a bounded number of attempts, as a network failure', async () => {
    cloud.mockImplementation(netDown);
    const error = await call(
      'order.place',
      { kind: 'loveBag', payment: 'free', contactless: true },
      { requestId: 'r-abcdef123456' },
    ).catch((e: unknown) => e);
    expect(cloud).toHaveBeenCalledTimes(3);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ kind: 'network', message: '网络不稳定，请检查网络后重试' });
  });

  it('never retries a business refusal', async () => {
    mockCall({ 'order.place': () => failure('ORDER.OUT_OF_STOCK', '库存不足，已售完') });
    await expect(
      call('order.place', { kind: 'loveBag', payment: 'free', contactless: true }, { requestId: 'r-abcdef123456' }),
    ).rejects.toMatchObject({ code: 'ORDER.OUT_OF_STOCK', kind: 'server' });
    expect(cloud).toHaveBeenCalledTimes(1);
  });

  it('does not repeat a write that carries no request id (it could apply twice)', async () => {
    cloud.mockImplementation(netDown);
    await expect(
      call('household.update', { headName: 'x', sensitiveConsent: false, members: [] }),
    ).rejects.toMatchObject({ kind: 'network' });
    expect(cloud).toHaveBeenCalledTimes(1);
  });
});

const card: CardView = {
  roundId: 'tr-1',
  roundName: 'R1',
  serial: 'R1-G01-0007',
  nameMasked: 'T**i',
  place: 'B1 1-101',
  gridName: 'G-01',
  sampledAt: '2022-08-20T09:30:00+08:00',
  validUntil: '2022-08-22T09:30:00+08:00',
  seal: 'Xingfu RC',
  token: 'tok',
  qr: 'data:image/svg+xml;base64,PHN2Zy8+',
  result: null,
};

describe('cards and personal codes offline', () => {
  it('keeps the latest cards and codes, and shows them offline with the time they are from', async () => {
    mockCall({
      'testing.myCards': () => ({ ok: true, data: [card] }),
      'testing.personCodes': () => ({
        ok: true,
        data: [{ memberId: 'm1', nameMasked: 'T**i', token: 'p', qr: 'data:image/svg+xml;base64,PHN2Zy8+' }],
      }),
    });
    const online = await loadPage('pages/testing/cards/index', {}, ['services/api']);
    expect(online.instance.data.offlineText).toBe('');
    expect(textOf(online)).not.toContain('网络不通');
    const keptAt = (wx.getStorageSync('gridlink.cache.testing.cards') as { at: string }).at;
    expect(Date.now() - Date.parse(keptAt)).toBeLessThan(60_000);

    // Back on the page later, with no network (the page's own retries are made quick here).
    Object.assign((online.modules['services/api'] as { RETRY: typeof RETRY }).RETRY, { delaysMs: [1, 1] });
    cloud.mockImplementation(netDown);
    wx.setStorageSync('gridlink.cache.testing.cards', {
      ...(wx.getStorageSync('gridlink.cache.testing.cards') as object),
      at: '2022-08-20T04:05:00Z',
    });
    await online.instance.onShow();
    await flush();
    const text = textOf(online);
    expect(cloud.mock.calls.length).toBeGreaterThanOrEqual(2 + 6); // online, then 3 attempts of each read
    expect(text).toContain('网络不通，显示的是 08-20 12:05 保存的内容');
    expect(text).toContain('编号 R1-G01-0007');
    expect(text).toContain('数据截至 08-20 12:05');
    expect(online.querySelector('.cards__book-btn')).toBeFalsy();
  });

  it('says so when there is nothing kept', async () => {
    mockCall({
      'testing.myCards': () => ({ ok: true, data: [] }),
      'testing.personCodes': () => ({ ok: true, data: [] }),
    });
    const page = await loadPage('pages/testing/cards/index', {}, ['services/api']);
    Object.assign((page.modules['services/api'] as { RETRY: typeof RETRY }).RETRY, { delaysMs: [1, 1] });
    wx.removeStorageSync('gridlink.cache.testing.cards');
    wx.setStorageSync('gridlink.lang', 'bo');
    cloud.mockImplementation(netDown);
    await page.instance.onShow();
    await flush();
    expect(textOf(page)).toContain(bo['common.offlineNoCache'] as string);
  });
});

describe('checkpoint verifies offline with kept public keys', () => {
  const gridworker = {
    openid: 'gw',
    nickName: 'gw',
    roles: ['gridworker' as const],
    communityId: 'c',
    adminGridIds: ['g-01'],
    householdId: null,
  };
  let signed: { keys: Array<{ keyId: string; publicKey: string }>; results: Array<{ name: string; token: string }> };

  beforeAll(() => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', resolve(__dirname, 'support/core-cards.ts')], {
      cwd: resolve(__dirname, '../..'),
      encoding: 'utf8',
    });
    signed = JSON.parse(out) as typeof signed;
  }, 60_000);

  it('keeps the keys while online, and when the network fails checks the card on the phone and says so', async () => {
    const online: VerifyView = {
      status: 'valid',
      checkedRoundId: 'tr-1',
      checkedRoundName: 'R1',
      text: '有效：已在本轮采样',
      nameMasked: '次**玛',
      serial: 'R1-G01-0007',
      roundId: 'tr-1',
      sampledAt: '2022-08-20T09:30:00+08:00',
    };
    mockCall({
      'user.me': () => ({ ok: true, data: gridworker }),
      'testing.publicKeys': () => ({ ok: true, data: signed.keys }),
      'testing.verify': () => ({ ok: true, data: online }),
    });
    const page = await loadPage('pages/testing/verify/index', { roundId: 'tr-1' }, ['services/api']);
    Object.assign((page.modules['services/api'] as { RETRY: typeof RETRY }).RETRY, { delaysMs: [1, 1] });
    expect(textOf(page)).toContain('公钥已保存，可离线查验');
    const token = signed.results.find((r) => r.name === 'valid')?.token as string;
    (wx.scanCode as jest.Mock).mockImplementation((o: { success: (r: unknown) => void }) =>
      o.success({ result: token }),
    );

    // Offline: the card is still good (checked against a clock inside its validity).
    jest.useFakeTimers({
      now: new Date('2022-08-21T00:00:00Z'),
      doNotFake: ['setTimeout', 'setImmediate', 'nextTick', 'queueMicrotask'],
    });
    cloud.mockImplementation(netDown);
    tapButton(page, '.verify__scan');
    await new Promise((r) => setTimeout(r, 50));
    await flush();
    expect(textOf(page)).toContain('离线查验');
    expect(textOf(page)).toContain('有效：已在本轮采样');
    expect(textOf(page)).toContain('次**玛 · 编号 R1-G01-0007');
    expect(textOf(page)).toContain('查验轮次：tr-1');

    const tampered = signed.results.find((r) => r.name === 'tamperedSig')?.token as string;
    page.instance.checkOffline(tampered);
    await flush();
    expect(textOf(page)).toContain('无效：采样卡被修改或不是本社区签发');
    expect(wx.vibrateLong).toHaveBeenCalled();
    jest.useRealTimers();
  });

  it('says it cannot check offline when no keys were ever kept', async () => {
    mockCall({ 'testing.publicKeys': () => failure('COMMON.INTERNAL', '系统繁忙，请稍后再试') });
    const page = await loadPage('pages/testing/verify/index');
    expect(page.instance.checkOffline('x.y')).toBe(false);
    await flush();
    expect(textOf(page)).toContain('手机上也没有保存公钥');
  });
});
