/**
 * Realistic data for the staff pages' tests: a community of 15 grids (第1网格 … 第15网格), buildings
 * with 20+ rooms up to the 33rd floor (1-101 … 1-3302), long Tibetan and Chinese names — handed to
 * the pages in the database's text order (第10网格 before 第1网格, 1-1001 before 1-101), as a server
 * that sorts as text would; the pages must show them in natural order and never show an id.
 */
import type { StaffGridsView } from '../../../typings/api';

/** Ids as the seed and real CloudBase make them: what must never reach the screen. */
export const ID_PATTERNS: RegExp[] = [
  /\bg-\d+/, // grids
  /\bh-\d+/, // households
  /\bb-\d+/, // buildings
  /\bdev-(?:gw|gl|vol|res|admin)\b[-\w]*/, // the seed's OPENIDs
  /\bo[A-Za-z0-9_-]{20,}/, // WeChat OPENIDs
  /\bitem-\d+/,
  /\bround-\d+/,
];

/** The ids a page's text shows (none, when all is well). */
export function idsShown(text: string): string[] {
  return ID_PATTERNS.flatMap((p) => text.match(new RegExp(p.source, 'g')) ?? []);
}

/** 第1网格 … 第15网格 with their seed ids, in the text order a careless sort gives. */
export const GRIDS = Array.from({ length: 15 }, (_, i) => ({
  id: `g-${String(i + 1).padStart(2, '0')}`,
  name: `第${i + 1}网格`,
}));

/** The same grids sorted as text: 第10网格 … 第15网格, 第1网格, 第2网格 … */
export const GRIDS_TEXT_ORDER = [...GRIDS].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

/** 24 rooms of a unit on 12 floors, two per floor, in text order (1-1001 before 1-101). */
export const ROOMS = Array.from({ length: 12 }, (_, f) => [`1-${f + 1}01`, `1-${f + 1}02`])
  .flat()
  .sort();

/** The rooms in walking order: by floor, then number. */
export const ROOMS_NATURAL = Array.from({ length: 12 }, (_, f) => [`1-${f + 1}01`, `1-${f + 1}02`]).flat();

/** Long names as people have them. */
export const LONG_NAMES = ['次仁旺堆平措扎西', '央金卓嘎拉姆', '欧阳德吉白玛', '索朗次旦多吉'];

/** grid.staffGrids for an admin of the 15 grids, the server's natural order, work only in 第3网格. */
export function staffGridsView(work: Partial<Record<string, number>> = { 'g-03': 4 }): StaffGridsView {
  return {
    grids: GRIDS.map((g) => ({
      id: g.id,
      name: g.name,
      submitted: work[g.id] ?? 0,
      accepted: 0,
      failed: 0,
      joins: 0,
      waiting: work[g.id] ?? 0,
    })),
    withWork: GRIDS.find((g) => work[g.id])?.id ?? 'g-01',
    withOrders: GRIDS.find((g) => work[g.id])?.id ?? 'g-01',
    withDispatch: 'g-01',
  };
}

/**
 * Where each of `labels` first appears in `text` (to check the order they are shown in). Labels
 * must not be inside one another (第1网格 is not inside 第10网格; rooms are given with what follows).
 */
export function positions(text: string, labels: readonly string[]): number[] {
  return labels.map((l) => text.indexOf(l));
}

/** Whether numbers are in increasing order and all found. */
export function increasing(xs: readonly number[]): boolean {
  return xs.every((x, i) => x >= 0 && (i === 0 || x > (xs[i - 1] as number)));
}
