/**
 * Which grid a staff page shows: the one asked for, else the first (in natural order) with work
 * waiting — never "第10网格, 0 单" because it sorts first as text. Grids are picked by name; ids
 * stay in the data, never on screen.
 */
import type { StaffGridsView } from '../../typings/api';
import { naturalCompare } from '../generated/natural-sort';
import { call } from '../services/api';

/** A grid as the switcher shows it: its name and what is waiting in it for this page. */
export interface GridChip {
  id: string;
  name: string;
  waiting: number;
}

/** What a page counts as its work: orders (pool, lists), accepted orders (board), joins, or all. */
export type GridWorkKind = 'orders' | 'dispatch' | 'joins' | 'all';

type StaffGrid = StaffGridsView['grids'][number];

function waitingOf(g: StaffGrid, kind: GridWorkKind): number {
  switch (kind) {
    case 'orders':
      return g.submitted + g.accepted + g.failed;
    case 'dispatch':
      return g.accepted;
    case 'joins':
      return g.joins;
    case 'all':
      return g.waiting;
  }
}

/** The switcher's chips for a page, in natural order (第1网格 … 第15网格). */
export function gridChips(view: StaffGridsView, kind: GridWorkKind): GridChip[] {
  return view.grids
    .map((g) => ({ id: g.id, name: g.name, waiting: waitingOf(g, kind) }))
    .sort((a, b) => naturalCompare(a.name, b.name));
}

/** The grid to open: the one asked for if the caller looks after it, else the first with work, else the first. */
export function openingGrid(chips: readonly GridChip[], wanted?: string): string {
  if (wanted && chips.some((c) => c.id === wanted)) return wanted;
  return (chips.find((c) => c.waiting > 0) ?? chips[0])?.id ?? '';
}

/** The caller's grids for a page and the one it opens on. */
export async function staffGrids(
  kind: GridWorkKind,
  wanted?: string,
): Promise<{ grids: GridChip[]; gridId: string; gridName: string }> {
  let view: StaffGridsView;
  try {
    view = await call('grid.staffGrids', {});
  } catch (error) {
    // A page opened on a grid still works without its switcher (e.g. on a flaky network).
    if (wanted) return { grids: [], gridId: wanted, gridName: '' };
    throw error;
  }
  const chips = gridChips(view, kind);
  const gridId = openingGrid(chips, wanted);
  return { grids: chips, gridId, gridName: chips.find((c) => c.id === gridId)?.name ?? '' };
}
