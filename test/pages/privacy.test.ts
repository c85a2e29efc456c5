import * as privacyModule from '../../miniprogram/utils/privacy';
import { flush, loadPage, mockCall, textOf } from '../helpers/page';

describe('privacy authorisation (隐私保护指引)', () => {
  beforeEach(() => {
    mockCall({
      'user.me': () => ({
        ok: true,
        data: {
          openid: 'u',
          nickName: '居民',
          roles: ['resident'],
          communityId: 'c',
          adminGridIds: [],
          householdId: 'h',
        },
      }),
    });
  });

  it('registers the app-wide hook with WeChat', () => {
    privacyModule.installPrivacyHook();
    expect(wx.onNeedPrivacyAuthorization).toHaveBeenCalledTimes(1);
  });

  it('shows the popup when WeChat asks, and agreeing answers agree', async () => {
    const page = await loadPage('pages/index/index', {}, ['utils/privacy']);
    const { requestAuthorization, isPending } = page.modules['utils/privacy'] as typeof privacyModule;
    const popup = page.querySelector('.page-privacy');
    expect(popup).toBeTruthy();
    const resolve = jest.fn();
    requestAuthorization(resolve, 'chooseImage');
    await flush();
    expect(popup?.instance.data.visible).toBe(true);
    expect(textOf(page)).toContain('隐私保护提示');
    popup?.querySelector('#agree-btn')?.dispatchEvent('agreeprivacyauthorization');
    await flush();
    expect(resolve).toHaveBeenCalledWith({ buttonId: 'agree-btn', event: 'agree' });
    expect(popup?.instance.data.visible).toBe(false);
    expect(isPending()).toBe(false);
  });

  it('refusing answers disagree', async () => {
    const page = await loadPage('pages/index/index', {}, ['utils/privacy']);
    const { requestAuthorization } = page.modules['utils/privacy'] as typeof privacyModule;
    const resolve = jest.fn();
    requestAuthorization(resolve, 'getPhoneNumber');
    await flush();
    const popup = page.querySelector('.page-privacy');
    expect(popup?.instance.data.visible).toBe(true);
    expect(resolve).not.toHaveBeenCalled();
    popup?.querySelector('#disagree-btn')?.dispatchEvent('tap');
    await flush();
    expect(resolve).toHaveBeenCalledWith({ event: 'disagree' });
  });

  it('answers disagree when no page can show the popup', async () => {
    const page = await loadPage('pages/index/index', {}, ['utils/privacy']);
    const { requestAuthorization } = page.modules['utils/privacy'] as typeof privacyModule;
    page.detach();
    const resolve = jest.fn();
    requestAuthorization(resolve, 'getLocation');
    expect(resolve).toHaveBeenCalledWith({ event: 'disagree' });
  });

  it('has a privacy notice page naming what is collected and who sees it', async () => {
    const page = await loadPage('pages/privacy/index');
    const text = textOf(page);
    expect(text).toContain('特殊人群信息（敏感个人信息）');
    expect(text).toContain('单独同意');
    expect(text).toContain('志愿者只能在接到配送任务后');
  });
});
