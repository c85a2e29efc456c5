/**
 * 楼栋门口海报: a building's poster drawn on a canvas 2d (its code, grid and building, the three
 * steps, the contact as the gridworker chooses — masked by default) and made an image to save to
 * the album (behind the privacy popup) or send on.
 */
import type { DoorPosterView } from '../../typings/api';
import type * as privacyModule from '../../miniprogram/utils/privacy';
import {
  drawPoster,
  POSTER_HEIGHT,
  POSTER_WIDTH,
  posterSpec,
  type PosterContext,
} from '../../miniprogram/utils/poster';
import { failure } from '../helpers/fixtures';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';

jest.setTimeout(30_000);

const poster = (over: Partial<DoorPosterView> = {}): DoorPosterView => ({
  gridId: 'g-01',
  gridName: '第1网格',
  communityName: '幸福新村社区',
  buildingId: 'b-001',
  buildingName: '1号楼',
  buildings: [
    { id: 'b-001', name: '1号楼' },
    { id: 'b-002', name: '2号楼' },
  ],
  invite: {
    token: 'a1b2c3d4e5f60718',
    scene: 'i=a1b2c3d4e5f60718',
    page: 'pages/join/index',
    expiresAt: '2022-11-18T02:00:00.000Z',
    buildingId: 'b-001',
    qr: 'cloud://env-1.bucket/invite-qr/g-01/a1b2c3d4e5f60718.png',
  },
  contact: { masked: '网格员 卓* 139****5678', full: '网格员 卓玛 13912345678' },
  ...over,
});

/** A 2d context that records what was written and drawn. */
function recorder() {
  const texts: string[] = [];
  const images: unknown[] = [];
  const ctx: PosterContext = {
    fillStyle: '',
    strokeStyle: '',
    lineWidth: 1,
    font: '',
    textAlign: '',
    textBaseline: '',
    fillRect: () => undefined,
    strokeRect: () => undefined,
    fillText: (text) => void texts.push(text),
    measureText: (text) => ({ width: text.length * 40 }),
    beginPath: () => undefined,
    arc: () => undefined,
    fill: () => undefined,
    drawImage: (image) => void images.push(image),
  };
  return { ctx, texts, images };
}

/** A canvas 2d node as WeChat hands it out, recording its drawing. */
function fakeCanvas() {
  const rec = recorder();
  const loaded: string[] = [];
  const canvas = {
    width: 300,
    height: 150,
    getContext: () => rec.ctx,
    createImage: () => {
      const image = {
        onload: null as null | (() => void),
        onerror: null as unknown,
        set src(v: string) {
          loaded.push(v);
          setTimeout(() => image.onload?.(), 0);
        },
      };
      return image;
    },
  };
  return { canvas, rec, loaded };
}

let current: ReturnType<typeof fakeCanvas>;
let canvasAvailable = true;

beforeEach(() => {
  current = fakeCanvas();
  canvasAvailable = true;
  const query = {
    in: () => query,
    select: () => query,
    fields: () => query,
    exec: (cb: (res: unknown[]) => void) =>
      setTimeout(() => cb([canvasAvailable ? { node: current.canvas } : null]), 0),
  };
  Object.assign(wx, {
    createSelectorQuery: jest.fn(() => query),
    canvasToTempFilePath: jest.fn((o: { success: (r: { tempFilePath: string }) => void }) =>
      o.success({ tempFilePath: 'wxfile://tmp/poster.png' }),
    ),
    saveImageToPhotosAlbum: jest.fn((o: { success?: () => void }) => o.success?.()),
    showShareImageMenu: jest.fn(),
    openSetting: jest.fn(),
  });
  Object.assign(wx.cloud, {
    downloadFile: jest.fn(async () => ({ tempFilePath: 'wxfile://tmp/code.png' })),
  });
});

describe('the poster’s drawing', () => {
  it('prints the grid and building, the three steps, the code and the masked contact', () => {
    const { ctx, texts, images } = recorder();
    const code = { image: 'code' };
    drawPoster(ctx, posterSpec(poster(), 'masked'), code);
    const all = texts.join('\n');
    expect(all).toContain('第1网格 · 1号楼');
    expect(all).toContain('幸福新村社区 · 户户入群');
    for (const step of ['扫码加入网格', '填写门牌', '等待审核']) expect(texts).toContain(step);
    expect(all).toContain('有事请找：网格员 卓* 139****5678');
    expect(all).not.toContain('13912345678');
    expect(all).toContain('本码有效期至 2022年11月18日');
    expect(images).toEqual([code]);
  });

  it('prints the whole phone or no contact only when chosen, and marks a missing code', () => {
    const full = recorder();
    drawPoster(full.ctx, posterSpec(poster(), 'full'), null);
    expect(full.texts.join('\n')).toContain('网格员 卓玛 13912345678');
    expect(full.texts.join('\n')).toContain('小程序码暂缺');
    expect(full.images).toEqual([]);
    const none = recorder();
    drawPoster(none.ctx, posterSpec(poster(), 'none'), {});
    expect(none.texts.join('\n')).not.toMatch(/有事请找|1391/);
    // Without a service phone, "full" prints the masked line.
    const noPhone = posterSpec(poster({ contact: { masked: '网格员 卓*', full: null } }), 'full');
    expect(noPhone.contact).toBe('有事请找：网格员 卓*');
  });
});

describe('楼栋门口海报 page', () => {
  it('draws the building’s poster with its code and shows it as an image', async () => {
    const { calls } = mockCall({ 'grid.doorPoster': () => ({ ok: true, data: poster() }) });
    const page = await loadPage('pages/grid/poster/index', { gridId: 'g-01', buildingId: 'b-001' });
    await flush();
    expect(calls.find((c) => c.action === 'grid.doorPoster')?.payload).toEqual({ gridId: 'g-01', buildingId: 'b-001' });
    // The cloud file is downloaded before the canvas loads it.
    expect(wx.cloud.downloadFile).toHaveBeenCalledWith({ fileID: poster().invite.qr });
    expect(current.loaded).toEqual(['wxfile://tmp/code.png']);
    expect(current.canvas.width).toBe(POSTER_WIDTH);
    expect(current.canvas.height).toBe(POSTER_HEIGHT);
    expect(current.rec.texts).toContain('第1网格 · 1号楼');
    expect(current.rec.texts.join('\n')).toContain('网格员 卓* 139****5678');
    expect((wx.canvasToTempFilePath as jest.Mock).mock.calls[0][0]).toMatchObject({
      canvas: current.canvas,
      fileType: 'png',
      destWidth: POSTER_WIDTH,
      destHeight: POSTER_HEIGHT,
    });
    expect(page.instance.data.posterPath).toBe('wxfile://tmp/poster.png');
    expect(page.querySelector('.poster__image')).toBeTruthy();
    // Two buildings in the grid: switch between them.
    expect(page.querySelectorAll('.poster__building')).toHaveLength(2);
  });

  it('redraws with the contact as chosen', async () => {
    mockCall({ 'grid.doorPoster': () => ({ ok: true, data: poster() }) });
    const page = await loadPage('pages/grid/poster/index', { gridId: 'g-01', buildingId: 'b-001' });
    await flush();
    page.instance.onContact({ detail: { value: 'full' } });
    await flush();
    expect(current.rec.texts.join('\n')).toContain('网格员 卓玛 13912345678');
    current.rec.texts.length = 0;
    page.instance.onContact({ detail: { value: 'none' } });
    await flush();
    expect(current.rec.texts.join('\n')).not.toContain('有事请找');
  });

  it('offers the whole phone only to a gridworker with a service phone', async () => {
    mockCall({
      'grid.doorPoster': () => ({ ok: true, data: poster({ contact: { masked: '网格员 卓*', full: null } }) }),
    });
    const page = await loadPage('pages/grid/poster/index', { gridId: 'g-01', buildingId: 'b-001' });
    const full = page.instance.data.contactOptions.find((o: { value: string }) => o.value === 'full');
    expect(full).toMatchObject({ disabled: true });
    expect(textOf(page)).toContain('你还没有登记服务电话');
  });

  it('saves the poster to the album, behind the privacy popup', async () => {
    mockCall({ 'grid.doorPoster': () => ({ ok: true, data: poster() }) });
    const page = await loadPage('pages/grid/poster/index', { gridId: 'g-01', buildingId: 'b-001' }, ['utils/privacy']);
    await flush();
    // WeChat asks the app's privacy popup before the album API runs, as it does for a first-time user.
    const privacy = page.modules['utils/privacy'] as typeof privacyModule;
    (wx.saveImageToPhotosAlbum as jest.Mock).mockImplementation(
      (o: { success: () => void; fail: (e: { errMsg: string }) => void }) =>
        privacy.requestAuthorization(
          (r) =>
            r.event === 'agree'
              ? o.success()
              : o.fail({ errMsg: 'saveImageToPhotosAlbum:fail privacy permission is not authorized' }),
          'saveImageToPhotosAlbum',
        ),
    );
    const popup = page.querySelector('.poster__privacy');
    expect(popup).toBeTruthy();
    tapButton(page, '.poster__save');
    await flush();
    expect(popup?.instance.data.visible).toBe(true);
    expect(textOf(page)).not.toContain('已保存到相册');
    popup?.querySelector('#agree-btn')?.dispatchEvent('agreeprivacyauthorization');
    await flush();
    expect((wx.saveImageToPhotosAlbum as jest.Mock).mock.calls[0][0]).toMatchObject({
      filePath: 'wxfile://tmp/poster.png',
    });
    expect(textOf(page)).toContain('已保存到相册');

    tapButton(page, '.poster__share');
    await flush();
    expect(wx.showShareImageMenu as jest.Mock).toHaveBeenCalledWith({ path: 'wxfile://tmp/poster.png' });
  });

  it('says so when the privacy authorisation is refused', async () => {
    mockCall({ 'grid.doorPoster': () => ({ ok: true, data: poster() }) });
    const page = await loadPage('pages/grid/poster/index', { gridId: 'g-01', buildingId: 'b-001' }, ['utils/privacy']);
    await flush();
    const privacy = page.modules['utils/privacy'] as typeof privacyModule;
    (wx.saveImageToPhotosAlbum as jest.Mock).mockImplementation((o: { fail: (e: { errMsg: string }) => void }) =>
      privacy.requestAuthorization(
        () => o.fail({ errMsg: 'saveImageToPhotosAlbum:fail privacy permission is not authorized' }),
        'saveImageToPhotosAlbum',
      ),
    );
    tapButton(page, '.poster__save');
    await flush();
    page.querySelector('.poster__privacy')?.querySelector('#disagree-btn')?.dispatchEvent('tap');
    await flush();
    expect(textOf(page)).toContain('需要先同意隐私保护指引');
    expect(wx.showModal).not.toHaveBeenCalled();
  });

  it('asks to open the settings when the album was refused', async () => {
    (wx.saveImageToPhotosAlbum as jest.Mock).mockImplementation((o: { fail: (e: { errMsg: string }) => void }) =>
      o.fail({ errMsg: 'saveImageToPhotosAlbum:fail auth deny' }),
    );
    (wx.showModal as jest.Mock).mockImplementation((o: { success: (r: { confirm: boolean }) => void }) =>
      o.success({ confirm: true }),
    );
    mockCall({ 'grid.doorPoster': () => ({ ok: true, data: poster() }) });
    const page = await loadPage('pages/grid/poster/index', { gridId: 'g-01', buildingId: 'b-001' });
    await flush();
    tapButton(page, '.poster__save');
    await flush();
    expect((wx.showModal as jest.Mock).mock.calls[0][0].title).toContain('相册权限');
    expect(wx.openSetting).toHaveBeenCalled();
  });

  it('switches to another building’s poster', async () => {
    const { calls } = mockCall({
      'grid.doorPoster': (p) => ({
        ok: true,
        data: poster({ buildingId: p.buildingId, buildingName: p.buildingId === 'b-002' ? '2号楼' : '1号楼' }),
      }),
    });
    const page = await loadPage('pages/grid/poster/index', { gridId: 'g-01', buildingId: 'b-001' });
    await flush();
    page.instance.switchBuilding({ currentTarget: { dataset: { id: 'b-002' } } });
    await flush();
    await flush();
    expect(calls.filter((c) => c.action === 'grid.doorPoster').map((c) => c.payload)).toEqual([
      { gridId: 'g-01', buildingId: 'b-001' },
      { gridId: 'g-01', buildingId: 'b-002' },
    ]);
    expect(current.rec.texts).toContain('第1网格 · 2号楼');
  });

  it('says what is wrong: no building chosen, the server’s refusal, no canvas 2d', async () => {
    mockCall({});
    const none = await loadPage('pages/grid/poster/index', { gridId: 'g-01' });
    expect(textOf(none)).toContain('请从「网格群与邀请」页选择要做海报的楼栋');

    mockCall({ 'grid.doorPoster': () => failure('AUTH.NOT_GRIDWORKER', '此操作仅限本网格的网格员') });
    const refused = await loadPage('pages/grid/poster/index', { gridId: 'g-02', buildingId: 'b-003' });
    expect(textOf(refused)).toContain('此操作仅限本网格的网格员');

    canvasAvailable = false;
    mockCall({ 'grid.doorPoster': () => ({ ok: true, data: poster() }) });
    const old = await loadPage('pages/grid/poster/index', { gridId: 'g-01', buildingId: 'b-001' });
    await flush();
    expect(textOf(old)).toContain('海报图片生成失败');
    expect(old.instance.data.posterPath).toBe('');
    tapButton(old, '.poster__save');
    await flush();
    expect(wx.saveImageToPhotosAlbum).not.toHaveBeenCalled();
  });
});
