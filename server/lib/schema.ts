/**
 * Collections and indexes the app relies on, declared once: the local cloud creates them at
 * start, `npm run setup:cloudbase` creates them in a real CloudBase environment.
 * Every collection is admin-only in production: only cloud functions read or write it.
 */
export const COLLECTIONS = [
  'communities',
  'grids',
  'buildings',
  'households',
  'users',
  'catalog',
  'notices',
  'idempotency',
  'outbox',
  'joinRequests',
  'invites',
  'rounds',
  'quotas',
  'orders',
  'testRounds',
  'samples',
  'counters',
  'knocks',
  'bookings',
  // ── organisation (issue 7) ──
  'staff',
  'roleCodes',
  'contacts',
  'careNeeds',
  'assignRuns',
  // ── volunteers ──
  'volunteers',
  'shifts',
  'shiftSignups',
  'dutyLogs',
  // ── dispatch (issue 4) ──
  'jobs',
] as const;

/** A collection name. */
export type CollectionName = (typeof COLLECTIONS)[number];

/** An index the app relies on. */
export interface IndexSpec {
  collection: CollectionName;
  name: string;
  keys: Record<string, 1 | -1>;
  unique?: boolean;
}

/** Indexes, created locally and in CloudBase by the setup script. */
export const INDEXES: IndexSpec[] = [
  { collection: 'grids', name: 'community', keys: { communityId: 1 } },
  { collection: 'buildings', name: 'grid', keys: { gridId: 1 } },
  { collection: 'households', name: 'grid_building', keys: { gridId: 1, buildingId: 1 } },
  { collection: 'households', name: 'room', keys: { buildingId: 1, room: 1 }, unique: true },
  { collection: 'users', name: 'community', keys: { communityId: 1 } },
  { collection: 'catalog', name: 'community', keys: { communityId: 1 } },
  { collection: 'grids', name: 'groups', keys: { groupIds: 1 } },
  { collection: 'joinRequests', name: 'grid_status', keys: { gridId: 1, status: 1, createdAt: -1 } },
  { collection: 'rounds', name: 'community_opens', keys: { communityId: 1, opensAt: -1 } },
  { collection: 'orders', name: 'household_created', keys: { householdId: 1, createdAt: -1 } },
  { collection: 'orders', name: 'grid_round_status', keys: { gridId: 1, roundId: 1, status: 1 } },
  { collection: 'orders', name: 'status_updated', keys: { status: 1, updatedAt: 1 } },
  { collection: 'notices', name: 'community_posted', keys: { communityId: 1, postedAt: -1 } },
  { collection: 'outbox', name: 'unsent', keys: { sentAt: 1, createdAt: 1 } },
  { collection: 'testRounds', name: 'community_opened', keys: { communityId: 1, openedAt: -1 } },
  { collection: 'samples', name: 'round_grid', keys: { roundId: 1, gridId: 1 } },
  { collection: 'samples', name: 'household_sampled', keys: { householdId: 1, sampledAt: -1 } },
  { collection: 'knocks', name: 'round_grid', keys: { roundId: 1, gridId: 1 } },
  { collection: 'bookings', name: 'grid_date', keys: { gridId: 1, date: 1 } },
  // ── organisation (issue 7) ──
  { collection: 'staff', name: 'community', keys: { communityId: 1 } },
  { collection: 'roleCodes', name: 'community_created', keys: { communityId: 1, createdAt: -1 } },
  { collection: 'contacts', name: 'grid_day', keys: { gridId: 1, day: 1 } },
  { collection: 'careNeeds', name: 'grid', keys: { gridId: 1 } },
  { collection: 'careNeeds', name: 'household', keys: { householdId: 1 } },
  // ── volunteers ──
  { collection: 'volunteers', name: 'community_status', keys: { communityId: 1, status: 1 } },
  { collection: 'volunteers', name: 'grids_status', keys: { gridIds: 1, status: 1 } },
  { collection: 'shifts', name: 'community_start', keys: { communityId: 1, startAt: 1 } },
  { collection: 'shiftSignups', name: 'volunteer_start', keys: { volunteerId: 1, startAt: -1 } },
  { collection: 'dutyLogs', name: 'volunteer_start', keys: { volunteerId: 1, startAt: -1 } },
  { collection: 'dutyLogs', name: 'community_start', keys: { communityId: 1, startAt: -1 } },
  // ── dispatch (issue 4) ──
  { collection: 'jobs', name: 'grid_status', keys: { gridId: 1, status: 1, createdAt: -1 } },
  { collection: 'jobs', name: 'volunteer_status', keys: { volunteerId: 1, status: 1 } },
  { collection: 'jobs', name: 'status_updated', keys: { status: 1, updatedAt: 1 } },
  { collection: 'orders', name: 'job_status', keys: { jobId: 1, status: 1 } },
];
