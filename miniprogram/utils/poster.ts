/**
 * A building's door poster (楼栋门口海报), drawn on a canvas 2d: A4 proportions (1240 × 1754, A4 at
 * 150 dpi) so it prints cleanly. What it says comes from `posterSpec` (pure), how it is laid out from
 * `drawPoster` (any CanvasRenderingContext2D-like context: WeChat's canvas 2d, a browser canvas, a
 * test's recorder).
 */
import type { DoorPosterView } from '../../typings/api';

export const POSTER_WIDTH = 1240;
export const POSTER_HEIGHT = 1754;

/** How the gridworker's contact is printed on the door. */
export type ContactChoice = 'masked' | 'full' | 'none';

/** What a resident does, in order (printed as three steps). */
export const POSTER_STEPS = ['扫码加入网格', '填写门牌', '等待审核'] as const;

/** The words of one poster. */
export interface PosterSpec {
  header: string;
  title: string;
  subtitle: string;
  steps: readonly string[];
  benefits: string;
  /** '' when the gridworker chose to print no contact. */
  contact: string;
  footer: string;
}

/** An instant's China calendar day in words: `2022年8月29日`. */
export function chinaDate(iso: string): string {
  const [y, m, d] = new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10).split('-');
  return `${y}年${Number(m)}月${Number(d)}日`;
}

/** The poster's words for a building, with the contact as chosen (masked unless they chose otherwise). */
export function posterSpec(view: DoorPosterView, choice: ContactChoice): PosterSpec {
  const line = choice === 'full' ? (view.contact.full ?? view.contact.masked) : view.contact.masked;
  return {
    header: `${view.communityName} · 户户入群`,
    title: `${view.gridName} · ${view.buildingName}`,
    subtitle: '本楼居民请用微信扫码，加入网格',
    steps: POSTER_STEPS,
    benefits: '审核通过后：线上买菜买药 · 看网格通知 · 领采样卡',
    contact: choice === 'none' ? '' : `有事请找：${line}`,
    footer: `本码有效期至 ${chinaDate(view.invite.expiresAt)}，过期请找网格员换新码`,
  };
}

/** The parts of a 2d context the poster uses (WeChat's canvas 2d and browsers have them all). */
export interface PosterContext {
  fillStyle: unknown;
  strokeStyle: unknown;
  lineWidth: number;
  font: string;
  textAlign: string;
  textBaseline: string;
  fillRect(x: number, y: number, w: number, h: number): void;
  strokeRect(x: number, y: number, w: number, h: number): void;
  fillText(text: string, x: number, y: number): void;
  measureText(text: string): { width: number };
  beginPath(): void;
  arc(x: number, y: number, r: number, start: number, end: number): void;
  fill(): void;
  drawImage(image: unknown, x: number, y: number, w: number, h: number): void;
}

const FONT = '"PingFang SC", "Noto Sans SC", "Microsoft YaHei", sans-serif';
const BLUE = '#0052d9';

/** Writes `text` centred at `y`, shrinking the font (down to `min`) until it fits `maxWidth`. */
function fitText(
  ctx: PosterContext,
  text: string,
  y: number,
  size: number,
  weight: string,
  maxWidth: number,
  min = 28,
) {
  let px = size;
  ctx.font = `${weight} ${px}px ${FONT}`;
  while (px > min && ctx.measureText(text).width > maxWidth) {
    px -= 4;
    ctx.font = `${weight} ${px}px ${FONT}`;
  }
  ctx.fillText(text, POSTER_WIDTH / 2, y);
}

/** Draws the poster; `code` is the loaded code image, or null to leave its place marked. */
export function drawPoster(ctx: PosterContext, spec: PosterSpec, code: unknown | null): void {
  const W = POSTER_WIDTH;
  const H = POSTER_HEIGHT;
  const margin = 90;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, W, H);

  // Header band.
  ctx.fillStyle = BLUE;
  ctx.fillRect(0, 0, W, 200);
  ctx.fillStyle = '#ffffff';
  fitText(ctx, spec.header, 100, 56, '600', W - 2 * margin);

  // Where this is.
  ctx.fillStyle = '#1a1a1a';
  fitText(ctx, spec.title, 320, 96, 'bold', W - 2 * margin, 48);
  ctx.fillStyle = '#333333';
  fitText(ctx, spec.subtitle, 430, 50, 'normal', W - 2 * margin);

  // The code.
  const size = 640;
  const x = (W - size) / 2;
  const y = 500;
  ctx.strokeStyle = '#dcdcdc';
  ctx.lineWidth = 4;
  ctx.strokeRect(x - 24, y - 24, size + 48, size + 48);
  if (code) ctx.drawImage(code, x, y, size, size);
  else {
    ctx.fillStyle = '#f3f3f3';
    ctx.fillRect(x, y, size, size);
    ctx.fillStyle = '#999999';
    fitText(ctx, '小程序码暂缺，请稍后重新生成', y + size / 2, 40, 'normal', size - 40);
  }

  // Three steps.
  const stepY = 1290;
  const column = (W - 2 * margin) / spec.steps.length;
  spec.steps.forEach((step, i) => {
    const cx = margin + column * (i + 0.5);
    ctx.fillStyle = BLUE;
    ctx.beginPath();
    ctx.arc(cx, stepY, 42, 0, Math.PI * 2);
    ctx.fill();
    ctx.fillStyle = '#ffffff';
    ctx.font = `bold 48px ${FONT}`;
    ctx.fillText(String(i + 1), cx, stepY);
    ctx.fillStyle = '#1a1a1a';
    ctx.font = `600 44px ${FONT}`;
    ctx.fillText(step, cx, stepY + 90);
    if (i < spec.steps.length - 1) {
      ctx.fillStyle = BLUE;
      ctx.font = `bold 48px ${FONT}`;
      ctx.fillText('→', margin + column * (i + 1), stepY);
    }
  });

  ctx.fillStyle = '#555555';
  fitText(ctx, spec.benefits, 1490, 38, 'normal', W - 2 * margin);
  if (spec.contact) {
    ctx.fillStyle = '#1a1a1a';
    fitText(ctx, spec.contact, 1575, 44, '600', W - 2 * margin);
  }

  // Footer band.
  ctx.fillStyle = '#f3f3f3';
  ctx.fillRect(0, H - 110, W, 110);
  ctx.fillStyle = '#666666';
  fitText(ctx, spec.footer, H - 55, 34, 'normal', W - 2 * margin);
}
