/**
 * Mini-program codes (小程序码) of invites: `wxacode.getUnlimited` through server/lib/wechat.ts, with
 * the request WeChat documents (scene ≤ 32 allowed characters, `page` without `/` or query,
 * `check_path`, `env_version`, `width` 280–1280) and each of its refusals turned into a Chinese reason.
 *
 * Which version the code opens: `GRIDLINK_WXACODE_ENV` (`release` by default; `trial` or `develop`
 * before the mini-program is published). Only a release code checks the page (`check_path`): WeChat
 * checks it against the published version, which a trial or develop build may be ahead of.
 */
import { callWxBytes, WX_TRANSPORT_ERROR } from './wechat';

/** The page an invite's code opens (it reads `options.scene`). */
export const INVITE_PAGE = 'pages/join/index';
/** Width of the code image, px: sharp on an A4 door poster, within WeChat's 280–1280. */
export const CODE_WIDTH = 600;

/** WeChat's scene rule: at most 32 characters of these. */
const SCENE = /^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}$/;

export type CodeEnv = 'release' | 'trial' | 'develop';

/** The version codes open, from the deployment's setting. */
export function codeEnv(): CodeEnv {
  const v = process.env.GRIDLINK_WXACODE_ENV;
  return v === 'trial' || v === 'develop' ? v : 'release';
}

/** WeChat's refusal of a code as a reason the gridworker can act on. */
export function codeRefusal(errcode: number, errmsg: string): string {
  switch (errcode) {
    case 41030:
      return '小程序码生成失败：微信说页面不存在（小程序还没有发布？可先发布，或设置 GRIDLINK_WXACODE_ENV=trial 生成体验版码）';
    case 40169:
    case 40129:
      return '小程序码生成失败：邀请编号不符合微信的要求';
    case 45009:
    case 45011:
      return '生成小程序码太频繁，请稍后再试';
    case 48001:
      return '小程序还没有生成小程序码的权限，请联系社区管理员';
    case WX_TRANSPORT_ERROR:
      return '暂时连不上微信，小程序码稍后再生成';
    default:
      return `小程序码生成失败（微信错误 ${errcode}：${errmsg.slice(0, 60)}）`;
  }
}

/** Sniffs what the image is (WeChat answers JPEG by default, PNG for a transparent code). */
function extensionOf(bytes: Buffer): 'png' | 'jpg' | null {
  if (bytes.length > 8 && bytes[0] === 0x89 && bytes.toString('ascii', 1, 4) === 'PNG') return 'png';
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8) return 'jpg';
  return null;
}

/** Asks WeChat for the code of `scene` opening `page`: the image, or why there is none. */
export async function makeCode(
  scene: string,
  page: string = INVITE_PAGE,
): Promise<{ bytes: Buffer; ext: 'png' | 'jpg' } | { error: string }> {
  if (!SCENE.test(scene)) return { error: codeRefusal(40169, 'scene') };
  const env = codeEnv();
  const res = await callWxBytes('wxacode.getUnlimited', {
    scene,
    page,
    check_path: env === 'release',
    env_version: env,
    width: CODE_WIDTH,
  });
  if (!('bytes' in res)) return { error: codeRefusal(res.errcode, res.errmsg) };
  const ext = extensionOf(res.bytes);
  if (!ext) return { error: '小程序码生成失败：微信返回的不是图片' };
  return { bytes: res.bytes, ext };
}
