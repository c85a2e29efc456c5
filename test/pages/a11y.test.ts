/**
 * Screen readers (读屏) and thick fingers: on the resident pages every interactive element has a
 * readable label — an `aria-label`, or the label TDesign reads out for inputs, radios, checkboxes
 * and tabs — tappable views say they are buttons, and every tap target is at least 88rpx.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RESIDENT_PAGES } from './resident-pages';

const ROOT = resolve(__dirname, '../../miniprogram');
const FILES = [...RESIDENT_PAGES.map((p) => `${p}.wxml`), 'components/privacy-popup/index.wxml'];

interface Element {
  tag: string;
  attrs: Record<string, string>;
  ancestors: Element[];
  line: number;
}

/** The start tags of a WXML file with their attributes and open ancestors (WXML is close to XML). */
export function elements(wxml: string): Element[] {
  const out: Element[] = [];
  const stack: Element[] = [];
  const source = wxml.replace(/<!--[\s\S]*?-->/g, '');
  const tag = /<(\/?)([\w-]+)((?:\s+[^\s=>/]+(?:="[^"]*")?)*)\s*(\/?)>/g;
  for (let m = tag.exec(source); m; m = tag.exec(source)) {
    const [, closing, name = '', rawAttrs = '', selfClosing] = m;
    if (closing) {
      const at = stack.map((e) => e.tag).lastIndexOf(name);
      if (at >= 0) stack.length = at;
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of rawAttrs.matchAll(/([^\s=]+)(?:="([^"]*)")?/g)) attrs[a[1] as string] = a[2] ?? 'true';
    const el = { tag: name, attrs, ancestors: [...stack], line: source.slice(0, m.index).split('\n').length };
    out.push(el);
    if (!selfClosing) stack.push(el);
  }
  return out;
}

const TAP = /^(bind|catch):?(tap|click|longpress)$/;
const tappable = (e: Element) => Object.keys(e.attrs).some((a) => TAP.test(a));
const filled = (v: string | undefined) => Boolean(v && v.replace(/\{\{\s*''\s*\}\}/g, '').trim());

/** Why an element cannot be read out, or null if it can. */
export function problem(e: Element): string | null {
  const { tag, attrs } = e;
  if (['t-input', 't-textarea', 't-radio', 't-checkbox', 't-tab-panel'].includes(tag))
    return filled(attrs.label) || filled(attrs['aria-label']) ? null : 'no label';
  if (tag === 't-stepper')
    return e.ancestors.some((a) => filled(a.attrs['aria-label'])) || filled(attrs['aria-label'])
      ? null
      : 'stepper without a labelled wrapper';
  const interactive = tappable(e) || ['t-button', 't-switch', 'button'].includes(tag);
  if (!interactive) return null;
  if (!filled(attrs['aria-label'])) return 'no aria-label';
  if (['view', 'text', 'image'].includes(tag) && !filled(attrs['aria-role'])) return 'tappable without aria-role';
  if (['view', 'text'].includes(tag) && !(attrs.class ?? '').split(/\s+/).includes('gl-tap'))
    return 'tappable without the 88rpx gl-tap class';
  if (tag === 't-button' && /small/.test(attrs.size ?? '')) return 'small button (under 88rpx)';
  return null;
}

describe('every interactive element on the resident pages has a readable label', () => {
  it.each(FILES)('%s', (file) => {
    const found = elements(readFileSync(join(ROOT, file), 'utf8'))
      .map((e) => ({ at: `${file}:${e.line} <${e.tag}>`, problem: problem(e) }))
      .filter((p) => p.problem);
    expect(found).toEqual([]);
  });

  it('finds unlabelled elements (the check itself works)', () => {
    const bad = elements(
      '<view bindtap="go"><t-icon name="call" /></view><t-button bind:tap="x" icon="add" /><view aria-label="a"><t-stepper /></view><t-input />',
    );
    expect(bad.map(problem)).toEqual(['no aria-label', null, 'no aria-label', null, null, 'no label']);
  });

  it('makes every tap target at least 88rpx, and bigger in 关怀模式', () => {
    // Whitespace folded, so the rules read the same however the stylesheet is formatted.
    const css = readFileSync(join(ROOT, 'app.wxss'), 'utf8').replace(/\s+/g, ' ').replace(/,\s*/g, ', ');
    expect(css).toMatch(/\.gl-root \.gl-tap, \.gl-root \.t-button, \.gl-root \.t-cell \{ min-height: 88rpx; \}/);
    expect(css).toMatch(/\.care \.gl-tap, \.care \.t-button, \.care \.t-cell \{ min-height: 112rpx; \}/);
    expect(css).toMatch(/\.gl-step-btn \{ width: 88rpx !important; height: 88rpx !important;/);
  });
});
