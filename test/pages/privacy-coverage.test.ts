/**
 * WeChat asks for the privacy authorisation (隐私保护指引) before photo, camera, clipboard, location
 * and phone APIs: every page that calls one carries the app's privacy popup, or the call fails
 * silently for a first-time user.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const PAGES = join(__dirname, '../../miniprogram/pages');
const PRIVACY_APIS =
  /\b(chooseMedia|chooseImage|chooseMessageFile|pickAndUploadImage|scanCode|setClipboardData|getClipboardData|getLocation|chooseLocation|saveImageToPhotosAlbum|makePhoneCall)\b/;

function pageDirs(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (!statSync(path).isDirectory()) return [];
    return existsSync(join(path, 'index.ts')) ? [path, ...pageDirs(path)] : pageDirs(path);
  });
}

it('puts the privacy popup on every page that calls a privacy API', () => {
  const missing = pageDirs(PAGES)
    .filter((d) => PRIVACY_APIS.test(readFileSync(join(d, 'index.ts'), 'utf8')))
    .filter((d) => !readFileSync(join(d, 'index.wxml'), 'utf8').includes('<privacy-popup'))
    .map((d) => relative(PAGES, d));
  expect(missing).toEqual([]);
});
