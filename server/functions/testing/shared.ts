/** What the testing capabilities share: round views, who may sample, sample ids. */
import type { TestRoundView } from '../../../typings/api';
import type { Grid, TestRoundDoc, UserDoc, VolunteerDoc } from '../../../typings/entities';
import { staffOf } from '../../lib/access';
import { idString } from '../../lib/validate';
import { LIST_DEFAULT, LIST_MAX } from '../../lib/query';
import { AppError } from '../../../core/errors';
import { naturalCompare } from '../../../core/natural-sort';

export const id = idString();

export function roundView(r: TestRoundDoc): TestRoundView {
  return {
    id: r._id,
    code: r.code,
    name: r.name,
    date: r.date,
    points: r.points,
    validHours: r.validHours,
    status: r.status,
  };
}

/**
 * Samplers: the grid's staff, the community's admin, a sampler the admin granted, and approved
 * volunteers of the community's 核酸检测 team — not any volunteer (recording reveals the address).
 */
export function maySample(user: UserDoc | null, volunteer: VolunteerDoc | null, grid: Grid): boolean {
  if (staffOf(user, grid)) return true;
  if (user?.roles.includes('sampler') && user.communityId === grid.communityId) return true;
  return volunteer?.status === 'approved' && volunteer.team === 'testing' && volunteer.communityId === grid.communityId;
}

/**
 * Who sees and records test results (a positive one is a follow-up flag): the community's admin and
 * that grid's gridworker — not group leaders, samplers or volunteers.
 */
export function maySeeResults(user: UserDoc | null, grid: Pick<Grid, '_id' | 'communityId'>): boolean {
  if (!user) return false;
  if (user.roles.includes('communityAdmin') && user.communityId === grid.communityId) return true;
  return user.roles.includes('gridworker') && user.adminGridIds.includes(grid._id);
}

/** A sample's id: one per round, household and member (member ids are unique only within a household). */
export const sampleIdOf = (roundId: string, householdId: string, memberId: string) =>
  `${roundId}:${householdId}:${memberId}`;

/**
 * One page of items already sorted in memory (walking order, which the database cannot sort): the
 * cursor holds the last item's sort key, so an item added or removed between pages never makes a
 * page skip or repeat one that stays.
 */
export function keyPage<T>(
  sorted: readonly T[],
  keyOf: (item: T) => string[],
  compare: (a: string[], b: string[]) => number,
  request: { cursor?: string; limit?: number },
): { items: T[]; nextCursor: string | null; total: number } {
  const limit = Math.min(LIST_MAX, Math.max(1, request.limit ?? LIST_DEFAULT));
  let rest = sorted;
  if (request.cursor) {
    let after: unknown;
    try {
      after = JSON.parse(Buffer.from(request.cursor, 'base64url').toString('utf8'));
    } catch {
      after = null;
    }
    if (!Array.isArray(after) || !after.every((v) => typeof v === 'string'))
      throw new AppError('COMMON.INVALID_INPUT', '翻页位置无效，请刷新列表后重试', [
        { path: 'cursor', message: '翻页位置无效' },
      ]);
    rest = sorted.filter((item) => compare(keyOf(item), after as string[]) > 0);
  }
  const items = rest.slice(0, limit);
  const last = items.at(-1);
  const nextCursor =
    rest.length > limit && last ? Buffer.from(JSON.stringify(keyOf(last))).toString('base64url') : null;
  return { items, nextCursor, total: sorted.length };
}

/** Walking order of [buildingName, room, …ids]: natural for the names, then the ids as text. */
export function walkingCompare(a: string[], b: string[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    const c = i < 2 ? naturalCompare(x, y) : x < y ? -1 : x > y ? 1 : 0;
    if (c) return c;
  }
  return 0;
}
