/**
 * The end of the emergency on the pages (issue 14): the admin's 解封与数据删除 page (dry run,
 * declare with a confirm, undo, records), the admin's 查看记录 (names, newest first, paging), a
 * resident's 注销账号 (what goes, a confirm, the closure, refusals shown), the privacy notice and
 * the home banner with the community's dates — and every new page reachable from its role's home.
 */
import type { AccessLogView, EmergencyView, RetentionNotice } from '../../typings/api';
import { bo } from '../../miniprogram/i18n/bo';
import { entriesFor } from '../../miniprogram/utils/labels';
import { failure, me } from '../helpers/fixtures';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';

jest.setTimeout(30_000);

const STEPS = [
  {
    id: 'samples',
    label: '核酸采样记录、检测结果和采样卡',
    collection: 'samples',
    action: 'delete',
    count: 120,
    files: 0,
  },
  { id: 'prescriptions', label: '处方照片（存储中的文件）', collection: 'orders', action: 'clear', count: 3, files: 3 },
] as EmergencyView['dryRun']['steps'];

function emergency(over: Partial<EmergencyView> = {}): EmergencyView {
  return {
    status: null,
    declarationId: null,
    retentionDays: 30,
    defaultRetentionDays: 30,
    declaredAt: null,
    declaredByName: null,
    purgeAt: null,
    purgedAt: null,
    canUndo: false,
    canDeclare: true,
    dryRun: { steps: STEPS, documents: 123, files: 3 },
    keeps: ['每个网格每天的匿名统计'],
    records: [],
    ...over,
  };
}

const declared = emergency({
  status: 'declared',
  declarationId: 'end-1',
  retentionDays: 14,
  declaredAt: '2022-09-10T02:00:00.000Z',
  declaredByName: '社区管理员',
  purgeAt: '2022-09-24T02:00:00.000Z',
  canUndo: true,
  canDeclare: false,
});

describe('解封与数据删除 (admin)', () => {
  it('shows the dry run, declares with the typed retention after a confirm (one request id), and can undo', async () => {
    const requestIds: Array<string | undefined> = [];
    const { calls } = mockCall({
      'org.emergency': () => ({ ok: true, data: emergency() }),
      'org.declareEnd': (p, e) => {
        requestIds.push(e.requestId);
        return { ok: true, data: { ...declared, retentionDays: p.retentionDays } };
      },
      'org.undoEnd': () => ({ ok: true, data: emergency({ status: 'undone' }) }),
    });
    const page = await loadPage('pages/admin/emergency/index');
    let text = textOf(page);
    expect(text).toContain('尚未宣布解封');
    expect(text).toContain('核酸采样记录、检测结果和采样卡');
    expect(text).toContain('120');
    expect(text).toContain('共 123 条记录、3 个照片文件');
    expect(text).toContain('每个网格每天的匿名统计');

    // A retention period outside 1–180 days is refused on the phone.
    page.instance.onDays({ detail: { value: '0' } });
    tapButton(page, '.emg__declare');
    await flush();
    expect(page.instance.data.asking).toBe('');
    expect(textOf(page)).toContain('保留天数请填 1–180 之间的整数');

    page.instance.onDays({ detail: { value: '14' } });
    tapButton(page, '.emg__declare');
    await flush();
    expect(page.instance.data.asking).toBe('declare');
    expect(page.instance.data.askText).toContain('保留 14 天');
    expect(page.instance.data.askText).toContain('123 条记录、3 个照片文件');
    expect(calls.some((c) => c.action === 'org.declareEnd')).toBe(false);
    await page.instance.confirm();
    await flush();
    expect(calls.find((c) => c.action === 'org.declareEnd')?.payload).toEqual({ retentionDays: 14 });
    expect(requestIds[0]).toMatch(/^[\w-]{8,64}$/);
    text = textOf(page);
    expect(text).toContain('保留 14 天');
    expect(text).toContain('2022-09-24 10:00 起自动删除');
    expect(text).toContain('撤销解封');

    tapButton(page, '.emg__undo');
    await flush();
    expect(page.instance.data.asking).toBe('undo');
    await page.instance.confirm();
    await flush();
    expect(calls.some((c) => c.action === 'org.undoEnd')).toBe(true);
    expect(textOf(page)).toContain('解封宣布已撤销');
  });

  it('lists what past purges deleted, and says when the purge is under way', async () => {
    mockCall({
      'org.emergency': () => ({
        ok: true,
        data: emergency({
          status: 'purged',
          purgedAt: '2022-10-10T04:00:00.000Z',
          dryRun: { steps: STEPS.map((s) => ({ ...s, count: 0, files: 0 })), documents: 0, files: 0 },
          records: [
            {
              declarationId: 'end-1',
              declaredAt: '2022-09-10T02:00:00.000Z',
              declaredByName: '扎西',
              retentionDays: 30,
              startedAt: '2022-10-10T02:00:00.000Z',
              finishedAt: '2022-10-10T04:00:00.000Z',
              steps: STEPS,
              documents: 123,
              files: 3,
              aggregates: 45,
            },
          ],
        }),
      }),
    });
    const page = await loadPage('pages/admin/emergency/index');
    const text = textOf(page);
    expect(text).toContain('已于 2022-10-10 12:00 删除完毕');
    expect(text).toContain('由 扎西 宣布解封，保留 30 天');
    expect(text).toContain('共删除或清除 123 条记录、3 个照片文件；保留匿名统计 45 条');
    expect(text).toContain('处方照片（存储中的文件）：3（文件 3）');
  });

  it('offers a retry when it does not load', async () => {
    let fail = true;
    mockCall({
      'org.emergency': () =>
        fail ? failure('AUTH.NOT_ADMIN', '此操作仅限社区管理员') : { ok: true, data: emergency() },
    });
    const page = await loadPage('pages/admin/emergency/index');
    expect(textOf(page)).toContain('没有加载出来');
    fail = false;
    tapButton(page, '.emg__retry');
    await flush();
    expect(textOf(page)).toContain('尚未宣布解封');
  });
});

describe('查看记录 (admin)', () => {
  const entry = (i: number, over: Partial<AccessLogView> = {}): AccessLogView => ({
    id: `e${i}`,
    at: new Date(Date.UTC(2022, 8, 10, 2, 60 - i)).toISOString(),
    viewerName: `网格员${i}`,
    viewerRoles: ['gridworker'],
    view: 'grid.households',
    viewText: '本网格住户（住址）',
    shown: ['address'],
    rows: 20,
    subject: '第1网格',
    ...over,
  });

  it('shows who saw what, by name, newest first, and loads the next page at the bottom', async () => {
    const { calls } = mockCall({
      'org.accessLog': (p) =>
        p.cursor
          ? { ok: true, data: { items: [entry(3)], nextCursor: null, total: 3 } }
          : {
              ok: true,
              data: {
                items: [
                  entry(1, {
                    view: 'dispatch.job',
                    viewText: '配送任务详情（电话、住址）',
                    shown: ['phone', 'address'],
                    viewerRoles: ['volunteer'],
                    viewerName: '次仁',
                    rows: 5,
                    subject: '3号楼 · 5户',
                  }),
                  entry(2),
                ],
                nextCursor: 'c2',
                total: 3,
              },
            },
    });
    const page = await loadPage('pages/admin/access-log/index');
    let text = textOf(page);
    expect(text).toContain('次仁（志愿者）');
    expect(text).toContain('配送任务详情（电话、住址） · 5 条 · 3号楼 · 5户');
    expect(text).toContain('完整电话');
    expect(text).toContain('2022-09-10 10:59');
    expect(text).toContain('网格员2（网格员）');
    expect(text).toContain('共 3 条');
    await page.instance.onReachBottom();
    await flush();
    text = textOf(page);
    expect(text).toContain('网格员3');
    expect(text).toContain('已全部加载');
    expect(calls.filter((c) => c.action === 'org.accessLog').map((c) => c.payload)).toEqual([{}, { cursor: 'c2' }]);
  });
});

describe('注销账号 (resident)', () => {
  beforeEach(() => Object.assign(wx, { reLaunch: jest.fn(), setNavigationBarTitle: jest.fn() }));

  it('says what goes and what stays, asks first, closes with one request id, and leads home', async () => {
    const requestIds: Array<string | undefined> = [];
    const { calls } = mockCall({
      'user.close': (p, e) => {
        requestIds.push(e.requestId);
        return {
          ok: true,
          data: { closed: true, household: 'deleted', ordersAnonymised: 2, deleted: { users: 1 }, files: 1 },
        };
      },
    });
    const page = await loadPage('pages/resident/close/index');
    const text = textOf(page);
    expect(text).toContain('注销后，您的账号和个人信息将被删除，无法恢复');
    expect(text).toContain('核酸采样记录和采样卡');
    expect(text).toContain('本户档案保留，只把您移出本户');
    expect(text).toContain('订单的商品、数量和金额');
    tapButton(page, '.close__button');
    await flush();
    expect(page.instance.data.asking).toBe(true);
    expect(calls.some((c) => c.action === 'user.close')).toBe(false);
    // Thinking again closes nothing.
    page.instance.cancel();
    await flush();
    expect(page.instance.data.asking).toBe(false);
    tapButton(page, '.close__button');
    await page.instance.confirm();
    await flush();
    expect(calls.filter((c) => c.action === 'user.close').map((c) => c.payload)).toEqual([{ confirm: true }]);
    expect(requestIds[0]).toMatch(/^[\w-]{8,64}$/);
    expect(textOf(page)).toContain('账号已注销');
    tapButton(page, '.close__home');
    await flush();
    expect(wx.reLaunch).toHaveBeenCalledWith({ url: '/pages/index/index' });
  });

  it('shows why it is refused, as the server says it, and keeps the account page', async () => {
    mockCall({
      'user.close': () =>
        failure('AUTH.FORBIDDEN', '您还是登记的志愿者，请先在「我的志愿服务」中退出志愿者，再注销账号'),
    });
    const page = await loadPage('pages/resident/close/index');
    tapButton(page, '.close__button');
    await page.instance.confirm();
    await flush();
    expect(textOf(page)).toContain('请先在「我的志愿服务」中退出志愿者');
    expect(page.instance.data.done).toBeNull();
  });

  it('speaks Tibetan when the resident chose it', async () => {
    wx.setStorageSync('gridlink.lang', 'bo');
    mockCall({});
    const page = await loadPage('pages/resident/close/index');
    const text = textOf(page);
    expect(text).toContain(bo['close.intro'] as string);
    expect(text).not.toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('privacy notice and home banner', () => {
  const notice = (over: Partial<RetentionNotice> = {}): RetentionNotice => ({
    retentionDays: 30,
    declaredAt: null,
    purgeAt: null,
    purgedAt: null,
    accessLogDays: 30,
    ...over,
  });

  it('says what is deleted after the emergency, what stays, closure and the access log, with the community’s date', async () => {
    mockCall({
      'user.retention': () => ({
        ok: true,
        data: notice({
          retentionDays: 14,
          declaredAt: '2022-09-10T02:00:00.000Z',
          purgeAt: '2022-09-24T02:00:00.000Z',
          accessLogDays: 14,
        }),
      }),
    });
    const page = await loadPage('pages/privacy/index');
    const text = textOf(page);
    expect(text).toContain('社区已于 2022-09-10 10:00 宣布解封：下列信息保留到 2022-09-24 10:00，之后由系统自动删除');
    for (const words of [
      '核酸采样记录、检测结果和采样卡',
      '处方照片和送达照片',
      '志愿者健康承诺',
      '匿名统计',
      '查看记录保存 14 天后删除',
      '注销账号',
    ])
      expect(text).toContain(words);
    tapButton(page, '.privacy-page__close');
    await flush();
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/resident/close/index' });
  });

  it('states the default period before any declaration, even when the server is unreachable', async () => {
    mockCall({});
    const page = await loadPage('pages/privacy/index');
    expect(textOf(page)).toContain('下列信息再保留 30 天');
  });

  it('puts the purge date on a resident’s home once the emergency is declared over', async () => {
    mockCall({
      'user.me': () => ({ ok: true, data: me({ roles: ['resident'] }) }),
      'user.retention': () => ({
        ok: true,
        data: notice({ declaredAt: '2022-09-10T02:00:00.000Z', purgeAt: '2022-09-24T02:00:00.000Z' }),
      }),
    });
    const page = await loadPage('pages/index/index');
    await flush();
    expect(textOf(page)).toContain('社区已宣布解封：健康和特殊人群信息将于 2022-09-24 删除');
  });

  it('shows no banner while the emergency goes on', async () => {
    mockCall({
      'user.me': () => ({ ok: true, data: me({ roles: ['resident'] }) }),
      'user.retention': () => ({ ok: true, data: notice() }),
    });
    const page = await loadPage('pages/index/index');
    await flush();
    expect(page.querySelector('.home__retention')).toBeFalsy();
  });

  it('reaches every new page from its role’s home', () => {
    expect(entriesFor(['communityAdmin']).map((e) => e.url)).toEqual(
      expect.arrayContaining(['/pages/admin/emergency/index', '/pages/admin/access-log/index']),
    );
    expect(entriesFor(['resident']).map((e) => e.url)).toContain('/pages/resident/close/index');
    expect(entriesFor(['gridworker']).map((e) => e.url)).not.toContain('/pages/admin/emergency/index');
  });
});
