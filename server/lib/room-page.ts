/**
 * A page of a grid's households in walking order — buildings by number, then rooms by unit, floor
 * and number (`1-101` < `1-801` < `1-1001`), which the database cannot sort. Read one building at
 * a time and sorted here; the cursor holds the last household's key (building, room, id), so a
 * household added or removed between pages never makes a page skip or repeat one that stays.
 */
import { AppError } from '../../core/errors';
import { naturalCompare } from '../../core/natural-sort';
import type { Page } from '../../typings/api';
import type { Building, HouseholdDoc } from '../../typings/entities';
import type { CallContext } from './define-function';
import { all, LIST_DEFAULT, LIST_MAX } from './query';

function badCursor(): never {
  throw new AppError('COMMON.INVALID_INPUT', '翻页位置无效，请刷新列表后重试', [
    { path: 'cursor', message: '翻页位置无效' },
  ]);
}

type Key = [buildingId: string, room: string, id: string];

function decode(cursor: string): Key {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    badCursor();
  }
  if (!Array.isArray(value) || value.length !== 3 || !value.every((v) => typeof v === 'string')) badCursor();
  return value as Key;
}

const encode = (h: HouseholdDoc): string =>
  Buffer.from(JSON.stringify([h.buildingId, h.room, h._id])).toString('base64url');

/** Rooms of one building in natural order (ties by id: a total order). */
const byRoom = (a: Pick<HouseholdDoc, 'room' | '_id'>, b: Pick<HouseholdDoc, 'room' | '_id'>) =>
  naturalCompare(a.room, b.room) || (a._id < b._id ? -1 : a._id > b._id ? 1 : 0);

/**
 * One page of households of `buildings` (matching `where` too), in natural building then room
 * order, with the total.
 */
export async function roomPage(
  ctx: CallContext,
  where: Record<string, unknown>,
  buildings: readonly Building[],
  request: { cursor?: string; limit?: number },
  /** A further condition (a search), combined with `where` by AND. */
  match?: object,
): Promise<Page<HouseholdDoc>> {
  const _ = ctx.db.command;
  const scoped = (w: Record<string, unknown>): object => (match ? _.and([w, match]) : w);
  const limit = Math.min(LIST_MAX, Math.max(1, request.limit ?? LIST_DEFAULT));
  const ordered = [...buildings].sort(
    (a, b) => naturalCompare(a.name, b.name) || (a._id < b._id ? -1 : a._id > b._id ? 1 : 0),
  );
  const after = request.cursor ? decode(request.cursor) : null;
  let start = 0;
  if (after) {
    start = ordered.findIndex((b) => b._id === after[0]);
    if (start < 0) badCursor();
  }
  const items: HouseholdDoc[] = [];
  let more = false;
  for (let i = start; i < ordered.length && !more; i += 1) {
    const building = ordered[i] as Building;
    let rooms = (await all(ctx, 'households', scoped({ ...where, buildingId: building._id }))).sort(byRoom);
    if (after && i === start) {
      const last = { room: after[1], _id: after[2] };
      rooms = rooms.filter((h) => byRoom(h, last) > 0);
    }
    for (const h of rooms) {
      if (items.length === limit) {
        more = true;
        break;
      }
      items.push(h);
    }
  }
  const total = (await ctx.db.collection('households').where(scoped(where)).count()).total ?? 0;
  const last = items.at(-1);
  return { items, nextCursor: more && last ? encode(last) : null, total };
}
