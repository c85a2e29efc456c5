/** Statistics for the community's admin: teams, party-member share, on duty now, idle volunteers. */
import type { VolunteerDoc, VolunteerStatus, VolunteerTeam } from '../../typings/entities';
import { TEAMS } from './labels';

/** Counts computed from volunteer documents. */
export interface VolunteerStats {
  total: number;
  byStatus: Record<VolunteerStatus, number>;
  byTeam: Array<{ team: VolunteerTeam; approved: number; onDuty: number }>;
  partyMembers: number;
  /** Party members among approved volunteers, 0–1 (0 when nobody is approved). */
  partyShare: number;
  onDutyNow: number;
  /** Approved but never put to work (no shift, never on duty), registered earliest first. */
  idle: VolunteerDoc[];
}

/** Whether an approved volunteer has never been put to work. */
export function isIdle(v: Pick<VolunteerDoc, 'status' | 'lastActiveAt'>): boolean {
  return v.status === 'approved' && !v.lastActiveAt;
}

/** The statistics of a set of volunteers. */
export function volunteerStats(volunteers: readonly VolunteerDoc[]): VolunteerStats {
  const byStatus: Record<VolunteerStatus, number> = { pending: 0, approved: 0, rejected: 0, left: 0 };
  const teams = new Map<VolunteerTeam, { approved: number; onDuty: number }>(
    TEAMS.map((t) => [t, { approved: 0, onDuty: 0 }]),
  );
  let partyMembers = 0;
  let onDutyNow = 0;
  for (const v of volunteers) {
    byStatus[v.status] += 1;
    if (v.status !== 'approved') continue;
    if (v.partyMember) partyMembers += 1;
    const onDuty = v.onDuty ? 1 : 0;
    onDutyNow += onDuty;
    if (v.team) {
      const t = teams.get(v.team);
      if (t) {
        t.approved += 1;
        t.onDuty += onDuty;
      }
    }
  }
  const idle = volunteers.filter(isIdle).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return {
    total: volunteers.length,
    byStatus,
    byTeam: [...teams].map(([team, c]) => ({ team, ...c })),
    partyMembers,
    partyShare: byStatus.approved ? partyMembers / byStatus.approved : 0,
    onDutyNow,
    idle,
  };
}

/** Volunteers counted in the database: how many share a status, team, party membership and duty. */
export interface VolunteerGroup {
  _id: Partial<Pick<VolunteerDoc, 'status' | 'team' | 'partyMember' | 'onDuty'>>;
  count: number;
}

/** The statistics from grouped counts and the idle volunteers (the same figures as `volunteerStats`). */
export function volunteerStatsOfGroups<V extends Pick<VolunteerDoc, '_id' | 'createdAt'>>(
  groups: readonly VolunteerGroup[],
  idle: readonly V[],
): Omit<VolunteerStats, 'idle'> & { idle: V[] } {
  const byStatus: Record<VolunteerStatus, number> = { pending: 0, approved: 0, rejected: 0, left: 0 };
  const teams = new Map<VolunteerTeam, { approved: number; onDuty: number }>(
    TEAMS.map((t) => [t, { approved: 0, onDuty: 0 }]),
  );
  let partyMembers = 0;
  let onDutyNow = 0;
  let total = 0;
  for (const { _id: v, count } of groups) {
    total += count;
    if (v.status) byStatus[v.status] += count;
    if (v.status !== 'approved') continue;
    if (v.partyMember) partyMembers += count;
    const onDuty = v.onDuty ? count : 0;
    onDutyNow += onDuty;
    const t = v.team ? teams.get(v.team) : undefined;
    if (t) {
      t.approved += count;
      t.onDuty += onDuty;
    }
  }
  return {
    total,
    byStatus,
    byTeam: [...teams].map(([team, c]) => ({ team, ...c })),
    partyMembers,
    partyShare: byStatus.approved ? partyMembers / byStatus.approved : 0,
    onDutyNow,
    // Registered earliest first (ties in id order, as the documents are read).
    idle: [...idle].sort(
      (a, b) => a.createdAt.localeCompare(b.createdAt) || (a._id < b._id ? -1 : a._id > b._id ? 1 : 0),
    ),
  };
}
