/**
 * 楼栋门口海报 (gridworker, group leader, the community's admin): a building's door poster — its own
 * invite code (made once, `grid.doorPoster`), the grid and building, what to do (扫码加入网格 → 填写门牌
 * → 等待审核) and the contact as the gridworker chooses (masked by default) — drawn on a canvas 2d
 * and made an image: saved to the album (a privacy API: the page carries the privacy popup) to print,
 * or sent on to a print shop. A resident who scans it lands on the join page with the building filled in.
 */
import type { DoorPosterView } from '../../../../typings/api';
import { call } from '../../../services/api';
import { showError, showSuccess, showWarning } from '../../../utils/feedback';
import {
  drawPoster,
  POSTER_HEIGHT,
  POSTER_WIDTH,
  posterSpec,
  type ContactChoice,
  type PosterContext,
} from '../../../utils/poster';

/** What the canvas 2d node offers (WeChat's Canvas; the browser preview's canvas likewise). */
interface CanvasNode {
  width: number;
  height: number;
  getContext(type: '2d'): PosterContext;
  createImage(): { onload: (() => void) | null; onerror: ((e: unknown) => void) | null; src: string };
}

/** The choices of how the contact is printed; the whole phone only when the gridworker has a service phone. */
export function contactOptions(
  view: DoorPosterView,
): Array<{ value: ContactChoice; label: string; disabled: boolean }> {
  return [
    { value: 'masked', label: `打码显示（推荐）：${view.contact.masked}`, disabled: false },
    {
      value: 'full',
      label: view.contact.full ? `完整显示：${view.contact.full}` : '完整显示（你还没有登记服务电话）',
      disabled: !view.contact.full,
    },
    { value: 'none', label: '不印联系方式', disabled: false },
  ];
}

function canvasNode(page: WechatMiniprogram.Component.TrivialInstance): Promise<CanvasNode | null> {
  return new Promise((resolve) => {
    const query = wx.createSelectorQuery().in(page);
    query
      .select('#poster')
      .fields({ node: true, size: true })
      .exec((res: Array<{ node?: CanvasNode } | null>) => resolve(res?.[0]?.node ?? null));
  });
}

/** A path the canvas can load the code image from: cloud files are downloaded first. */
function localImage(fileId: string): Promise<string> {
  if (!fileId.startsWith('cloud://')) return Promise.resolve(fileId);
  return wx.cloud.downloadFile({ fileID: fileId }).then((res) => res.tempFilePath);
}

function loadImage(canvas: CanvasNode, src: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const image = canvas.createImage();
    image.onload = () => resolve(image);
    image.onerror = reject;
    image.src = src;
  });
}

function toTempFile(canvas: CanvasNode): Promise<string> {
  return new Promise((resolve, reject) => {
    wx.canvasToTempFilePath({
      canvas: canvas as unknown as WechatMiniprogram.Component.TrivialInstance,
      x: 0,
      y: 0,
      width: POSTER_WIDTH,
      height: POSTER_HEIGHT,
      destWidth: POSTER_WIDTH,
      destHeight: POSTER_HEIGHT,
      fileType: 'png',
      success: (res) => resolve(res.tempFilePath),
      fail: reject,
    });
  });
}

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    error: '',
    view: null as DoorPosterView | null,
    buildings: [] as DoorPosterView['buildings'],
    contact: 'masked' as ContactChoice,
    contactOptions: [] as ReturnType<typeof contactOptions>,
    posterPath: '',
    drawing: false,
    drawError: '',
    saving: false,
    _gridId: '',
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      if (!query.gridId || !query.buildingId) {
        this.setData({ loading: false, error: '请从「网格群与邀请」页选择要做海报的楼栋' });
        return;
      }
      this.setData({ _gridId: query.gridId });
      await this.load(query.buildingId);
    },
    async load(buildingId: string) {
      this.setData({ loading: !this.data.view, posterPath: '', drawError: '' });
      try {
        const view = await call('grid.doorPoster', { gridId: this.data._gridId, buildingId });
        const contact = view.contact.full || this.data.contact !== 'full' ? this.data.contact : 'masked';
        this.setData({
          loading: false,
          view,
          buildings: view.buildings,
          contact,
          contactOptions: contactOptions(view),
        });
        await this.draw();
      } catch (error) {
        this.setData({ loading: false, ...(this.data.view ? {} : { error: '海报没有准备好，请返回重试' }) });
        showError(this, error);
      }
    },
    /** Draws the poster on the canvas and turns it into an image file. */
    async draw() {
      const view = this.data.view;
      if (!view) return;
      this.setData({ drawing: true, posterPath: '', drawError: '' });
      try {
        const canvas = await canvasNode(this);
        if (!canvas) throw new Error('no canvas 2d');
        canvas.width = POSTER_WIDTH;
        canvas.height = POSTER_HEIGHT;
        const code = view.invite.qr ? await loadImage(canvas, await localImage(view.invite.qr)) : null;
        drawPoster(canvas.getContext('2d'), posterSpec(view, this.data.contact), code);
        this.setData({ drawing: false, posterPath: await toTempFile(canvas) });
      } catch {
        this.setData({ drawing: false, drawError: '海报图片生成失败：请更新微信后重试，或返回重新进入本页' });
      }
    },
    switchBuilding(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const id = e.currentTarget.dataset.id;
      if (id && id !== this.data.view?.buildingId) void this.load(id);
    },
    onContact(e: WechatMiniprogram.CustomEvent<{ value: ContactChoice }>) {
      this.setData({ contact: e.detail.value });
      void this.draw();
    },
    /** Saves the poster to the album (WeChat asks for the privacy authorisation first: the popup). */
    save() {
      if (!this.data.posterPath || this.data.saving) return;
      this.setData({ saving: true });
      wx.saveImageToPhotosAlbum({
        filePath: this.data.posterPath,
        success: () => {
          this.setData({ saving: false });
          showSuccess(this, '已保存到相册，可直接打印');
        },
        fail: (err: { errMsg?: string }) => {
          this.setData({ saving: false });
          const msg = err?.errMsg ?? '';
          if (/cancel/.test(msg)) return;
          if (/privacy/.test(msg)) {
            showWarning(this, '需要先同意隐私保护指引，才能保存到相册');
            return;
          }
          if (/auth|authorize/.test(msg)) {
            wx.showModal({
              title: '需要相册权限',
              content: '保存海报需要「添加到相册」的权限，请在设置里打开后再点保存。',
              confirmText: '去设置',
              success: (res) => {
                if (res.confirm) wx.openSetting({});
              },
            });
            return;
          }
          showWarning(this, '保存失败，请重试');
        },
      });
    },
    /** Sends the poster on (to a print shop, a colleague), or shows it full size to forward. */
    share() {
      const path = this.data.posterPath;
      if (!path) return;
      const api = wx as unknown as { showShareImageMenu?: (o: { path: string; fail?: () => void }) => void };
      if (typeof api.showShareImageMenu === 'function') api.showShareImageMenu({ path });
      else wx.previewImage({ urls: [path], current: path });
    },
  },
});
