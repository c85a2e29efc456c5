/**
 * The message catalogue (miniprogram/i18n/): every resident-facing message has a Tibetan entry in
 * Tibetan script with the same parameters; resident pages take every text from the catalogue.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bo } from '../../miniprogram/i18n/bo';
import { hasKey, isStaffKey, translate } from '../../miniprogram/i18n/index';
import { zh, type MessageKey } from '../../miniprogram/i18n/zh';
import { RESIDENT_PAGES } from './resident-pages';

const ROOT = resolve(__dirname, '../..');
const HAN = /[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]/;
const TIBETAN = /[\u0f00-\u0fff]/;

const params = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogue', () => {
  const keys = Object.keys(zh) as MessageKey[];

  it('has a Tibetan entry for every resident-facing message', () => {
    const missing = keys.filter((k) => !isStaffKey(k) && !bo[k]?.trim());
    expect(missing).toEqual([]);
  });

  it('has no Tibetan entry for a message that does not exist', () => {
    expect(Object.keys(bo).filter((k) => !hasKey(k))).toEqual([]);
  });

  it('writes Tibetan in Tibetan script (U+0F00–U+0FFF), with no Chinese left in it', () => {
    for (const [key, text] of Object.entries(bo) as Array<[MessageKey, string]>) {
      const words = text.replace(/\{\w+\}/g, '');
      if (/^[\s\d:{}¥.\-–·/()（）]*$/.test(words)) continue; // a pure format, e.g. '{unit} {n}'
      expect({ key, tibetan: TIBETAN.test(words) }).toEqual({ key, tibetan: true });
      expect({ key, han: words.replace(/[（）]/g, '').match(HAN)?.[0] ?? null }).toEqual({ key, han: null });
    }
  });

  it('gives each Tibetan message the same parameters as its Chinese source', () => {
    for (const [key, text] of Object.entries(bo) as Array<[MessageKey, string]>)
      expect({ key, params: params(text) }).toEqual({ key, params: params(zh[key]) });
  });

  it('fills parameters and falls back to Chinese only for staff messages', () => {
    expect(translate('zh', 'orders.total', { n: 3 })).toBe('共 3 单');
    expect(translate('bo', 'orders.total', { n: 3 })).toBe('ཉོ་ཐོ་བསྡོམས 3');
    expect(translate('bo', 'staff.entry.pool.title')).toBe('订单池');
  });

  it('keeps all Tibetan in one file with a glossary, marked for review by the bilingual staff, and says so in the README', () => {
    const file = readFileSync(join(ROOT, 'miniprogram/i18n/bo.ts'), 'utf8');
    const head = file.slice(0, file.indexOf('export const bo'));
    expect(head).toContain('待双语工作人员审校');
    expect(head).toContain("for review by the community's bilingual staff");
    expect(head).toMatch(/Glossary/);
    for (const term of ['དྲ་མིག', 'ཉོ་ཐོ', 'དཔེ་ལེན་ལག་འཁྱེར']) expect(head).toContain(term);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('miniprogram/i18n/bo.ts');
    expect(readme).toContain('待双语工作人员审校');
    expect(readme).toMatch(/bilingual staff/);
  });

  it('draws Tibetan with a font stack that shapes stacked letters', () => {
    const css = readFileSync(join(ROOT, 'miniprogram/app.wxss'), 'utf8');
    const rule = /\.lang-bo\s*\{([^}]*)\}/.exec(css)?.[1] ?? '';
    for (const font of ['Noto Serif Tibetan', 'Microsoft Himalaya', 'Jomolhari']) expect(rule).toContain(font);
    expect(rule).toMatch(/line-height:\s*1\.[89]/);
  });
});

describe('resident pages take every text from the catalogue', () => {
  const strip = {
    ts: (s: string) => s.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1'),
    wxml: (s: string) => s.replace(/<!--[\s\S]*?-->/g, ''),
  };

  it.each(RESIDENT_PAGES)('%s has no hard-coded Chinese in its WXML or TS', (page) => {
    for (const ext of ['ts', 'wxml'] as const) {
      const code = strip[ext](readFileSync(join(ROOT, 'miniprogram', `${page}.${ext}`), 'utf8'));
      const lines = code.split('\n').filter((line) => HAN.test(line));
      expect({ file: `${page}.${ext}`, lines }).toEqual({ file: `${page}.${ext}`, lines: [] });
    }
  });

  it.each(RESIDENT_PAGES)('%s only names messages that exist', (page) => {
    const wxml = readFileSync(join(ROOT, 'miniprogram', `${page}.wxml`), 'utf8');
    const ts = readFileSync(join(ROOT, 'miniprogram', `${page}.ts`), 'utf8');
    const named = [...wxml.matchAll(/m\['([^']+)'\]/g), ...ts.matchAll(/\bt\('([^']+)'/g)].map((m) => m[1] as string);
    expect(named.filter((k) => !hasKey(k))).toEqual([]);
  });
});
