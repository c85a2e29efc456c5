/** What the testing capabilities share: round views, who may sample, sample ids, the open round. */
import type { TestRoundView } from '../../../typings/api';
import type { Grid, TestRoundDoc, UserDoc, VolunteerDoc } from '../../../typings/entities';
import { staffOf } from '../../lib/access';
import { type CallContext } from '../../lib/define-function';
import { idString } from '../../lib/validate';

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

/** The community's current open round (the latest opened), or null. */
export async function openRoundOf(ctx: CallContext, communityId: string): Promise<TestRoundDoc | null> {
  const res = await ctx.db
    .collection('testRounds')
    .where({ communityId, status: 'open' })
    .orderBy('openedAt', 'desc')
    .limit(1)
    .get();
  return ((res.data as TestRoundDoc[])[0] ?? null) as TestRoundDoc | null;
}
