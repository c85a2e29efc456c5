import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';

describe('home page', () => {
  it('greets the user with their roles and offers what those roles may do', async () => {
    mockCall({
      'user.me': () => ({
        ok: true,
        data: {
          openid: 'dev-gw-01',
          nickName: '卓玛',
          roles: ['gridworker'],
          communityId: 'c1',
          adminGridIds: ['g-01'],
          householdId: null,
        },
      }),
    });
    const page = await loadPage('pages/index/index');
    const text = textOf(page);
    expect(text).toContain('卓玛');
    expect(text).toContain('网格员');
    expect(text).toContain('隐私保护指引');
    // In the order of a gridworker's day: orders and dispatch first; joining a grid is not first
    // for someone who already looks after one, but after all of their own work.
    const keys: string[] = page.instance.data.entries.map((e: { key: string }) => e.key);
    expect(keys.slice(0, 7)).toEqual(['pool', 'board', 'joins', 'grid-dashboard', 'households', 'lists', 'untested']);
    expect(keys.at(-1)).toBe('join');
  });

  it('tells a newcomer with no role how to join', async () => {
    mockCall({
      'user.me': () => ({
        ok: true,
        data: { openid: 'u', nickName: '微信用户', roles: [], communityId: null, adminGridIds: [], householdId: null },
      }),
    });
    const page = await loadPage('pages/index/index');
    expect(textOf(page)).toContain('您还未加入网格');
  });

  it("shows the server's message when loading fails, and retries on tap", async () => {
    let fail = true;
    const { calls } = mockCall({
      'user.me': () =>
        fail
          ? { ok: false, code: 'AUTH.NO_IDENTITY', message: '无法识别您的身份，请在微信中重新打开小程序' }
          : {
              ok: true,
              data: {
                openid: 'u',
                nickName: '次仁',
                roles: ['resident'],
                communityId: 'c',
                adminGridIds: [],
                householdId: 'h',
              },
            },
    });
    const page = await loadPage('pages/index/index');
    expect(textOf(page)).toContain('无法识别您的身份');
    fail = false;
    tapButton(page, '.home__retry');
    await flush();
    expect(textOf(page)).toContain('次仁');
    expect(calls.filter((c) => c.action === 'user.me')).toHaveLength(2);
  });
});
