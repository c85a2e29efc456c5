/**
 * Copies typings/values.ts (every enumeration and its labels) and core/natural-sort.ts (the one
 * natural order of rooms and grids) into the mini-program, which cannot import outside its root at
 * run time. `npm run build` (and `npm install`) runs it; a test fails when a committed copy is
 * stale, so pages and functions always say the same words and sort the same way.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
export const VALUES_SOURCE = resolve(ROOT, 'typings/values.ts');
export const VALUES_COPY = resolve(ROOT, 'miniprogram/generated/values.ts');
export const SORT_SOURCE = resolve(ROOT, 'core/natural-sort.ts');
export const SORT_COPY = resolve(ROOT, 'miniprogram/generated/natural-sort.ts');

/** The text the mini-program's copy must have. */
export function generatedValues(): string {
  return `// 由 scripts/gen-values.ts 从 typings/values.ts 生成，请勿手改 (generated; edit typings/values.ts).\n${readFileSync(VALUES_SOURCE, 'utf8')}`;
}

/** The text the mini-program's copy of the natural order must have. */
export function generatedSort(): string {
  return `// 由 scripts/gen-values.ts 从 core/natural-sort.ts 生成，请勿手改 (generated; edit core/natural-sort.ts).\n${readFileSync(SORT_SOURCE, 'utf8')}`;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(__filename)) {
  mkdirSync(dirname(VALUES_COPY), { recursive: true });
  writeFileSync(VALUES_COPY, generatedValues());
  writeFileSync(SORT_COPY, generatedSort());
  console.log('[gen-values] miniprogram/generated/values.ts and natural-sort.ts written');
}
