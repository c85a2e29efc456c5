import type {
  AssignRunDoc,
  BookingDoc,
  KeyPersonCheckDoc,
  KeyPersonDoc,
  Building,
  CareDoc,
  Community,
  ContactDoc,
  CounterDoc,
  AccessLogDoc,
  DailyAggregateDoc,
  EmergencyEndDoc,
  PurgeRecordDoc,
  DutyLogDoc,
  Grid,
  GroupBindingDoc,
  GroupMemberDoc,
  LiveMessageDoc,
  HouseholdDoc,
  IdempotencyDoc,
  InviteCodeDoc,
  InviteDoc,
  JobDoc,
  JoinRequestDoc,
  KnockDoc,
  NoticeDoc,
  OrderDoc,
  OutboxDoc,
  RestockDoc,
  RoleCodeDoc,
  RoundDoc,
  SampleDoc,
  ShopDoc,
  ShiftDoc,
  ShiftSignupDoc,
  StaffDoc,
  TestRoundDoc,
  UserDoc,
  VolunteerDoc,
  RefundDoc,
} from '../../typings/entities';

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
  // A community's catalogue, stock and open rounds: one document per community (issue 16).
  'shops',
  'notices',
  'idempotency',
  'outbox',
  'joinRequests',
  'invites',
  'rounds',
  'restocks',
  'orders',
  'testRounds',
  'samples',
  'counters',
  'knocks',
  'bookings',
  'keyPersons',
  'keyPersonChecks',
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
  // ── the grid's WeChat group (issue 13) ──
  'inviteCodes',
  'groupBindings',
  'liveMessages',
  'groupMembers',
  // ── the end of the emergency (issue 14) ──
  'emergencyEnds',
  'purgeRecords',
  'dailyAggregates',
  'accessLog',
  // ── WeChat Pay (issue 19) ──
  'refunds',
] as const;

/** A collection name. */
export type CollectionName = (typeof COLLECTIONS)[number];

/**
 * The document type of every collection: reads through the helpers (`getDoc`, `mustGet`, `all`,
 * `getByIds`, `pageOf`) are typed by the collection's name, never by a type the caller picks.
 */
export interface CollectionDocs {
  communities: Community;
  grids: Grid;
  buildings: Building;
  households: HouseholdDoc;
  users: UserDoc;
  shops: ShopDoc;
  notices: NoticeDoc;
  idempotency: IdempotencyDoc;
  outbox: OutboxDoc;
  joinRequests: JoinRequestDoc;
  invites: InviteDoc;
  rounds: RoundDoc;
  restocks: RestockDoc;
  orders: OrderDoc;
  testRounds: TestRoundDoc;
  samples: SampleDoc;
  counters: CounterDoc;
  knocks: KnockDoc;
  bookings: BookingDoc;
  keyPersons: KeyPersonDoc;
  keyPersonChecks: KeyPersonCheckDoc;
  staff: StaffDoc;
  roleCodes: RoleCodeDoc;
  contacts: ContactDoc;
  careNeeds: CareDoc;
  assignRuns: AssignRunDoc;
  volunteers: VolunteerDoc;
  shifts: ShiftDoc;
  shiftSignups: ShiftSignupDoc;
  dutyLogs: DutyLogDoc;
  jobs: JobDoc;
  inviteCodes: InviteCodeDoc;
  groupBindings: GroupBindingDoc;
  liveMessages: LiveMessageDoc;
  groupMembers: GroupMemberDoc;
  emergencyEnds: EmergencyEndDoc;
  purgeRecords: PurgeRecordDoc;
  dailyAggregates: DailyAggregateDoc;
  accessLog: AccessLogDoc;
  refunds: RefundDoc;
}

/** The stored document of a collection. */
export type DocOf<C extends CollectionName> = CollectionDocs[C];

/** Compile check: the map names exactly the collections of COLLECTIONS (one missing or extra fails here). */
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const COLLECTION_DOCS_COMPLETE: SameKeys<keyof CollectionDocs, CollectionName> = true;

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
  // Placement finds the caller's household in one read (issue 16).
  { collection: 'households', name: 'members', keys: { memberOpenids: 1 } },
  { collection: 'grids', name: 'groups', keys: { groupIds: 1 } },
  { collection: 'joinRequests', name: 'grid_status', keys: { gridId: 1, status: 1, createdAt: -1 } },
  { collection: 'rounds', name: 'community_opens', keys: { communityId: 1, opensAt: -1 } },
  { collection: 'orders', name: 'household_created', keys: { householdId: 1, createdAt: -1 } },
  { collection: 'orders', name: 'grid_round_status', keys: { gridId: 1, roundId: 1, status: 1 } },
  { collection: 'orders', name: 'status_updated', keys: { status: 1, updatedAt: 1 } },
  // Releases of cancelled/rejected orders the sweeper finishes (issue 16).
  { collection: 'orders', name: 'release', keys: { 'release.state': 1, 'release.at': 1 } },
  // WeChat Pay (issue 19): the callback finds its order by the platform order number; the sweeper the unpaid expired.
  { collection: 'orders', name: 'pay_trade', keys: { 'pay.outTradeNo': 1 } },
  { collection: 'orders', name: 'pay_due', keys: { 'pay.state': 1, 'pay.expiresAt': 1 } },
  { collection: 'refunds', name: 'order_created', keys: { orderId: 1, createdAt: 1 } },
  { collection: 'refunds', name: 'due', keys: { state: 1, nextAttemptAt: 1 } },
  { collection: 'refunds', name: 'round_state', keys: { roundId: 1, state: 1 } },
  { collection: 'notices', name: 'community_posted', keys: { communityId: 1, postedAt: -1 } },
  { collection: 'outbox', name: 'due', keys: { status: 1, nextAttemptAt: 1 } },
  { collection: 'outbox', name: 'community_created', keys: { communityId: 1, createdAt: -1 } },
  { collection: 'outbox', name: 'community_status_created', keys: { communityId: 1, status: 1, createdAt: -1 } },
  { collection: 'testRounds', name: 'community_opened', keys: { communityId: 1, openedAt: -1 } },
  { collection: 'samples', name: 'round_grid', keys: { roundId: 1, gridId: 1 } },
  { collection: 'samples', name: 'household_sampled', keys: { householdId: 1, sampledAt: -1 } },
  { collection: 'knocks', name: 'round_grid', keys: { roundId: 1, gridId: 1 } },
  { collection: 'bookings', name: 'grid_date', keys: { gridId: 1, date: 1 } },
  { collection: 'bookings', name: 'household_date', keys: { householdId: 1, date: -1 } },
  { collection: 'keyPersons', name: 'grid', keys: { gridId: 1 } },
  { collection: 'keyPersonChecks', name: 'person_day', keys: { personId: 1, day: -1 } },
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
  // ── the grid's WeChat group (issue 13) ──
  { collection: 'groupBindings', name: 'grid_bound', keys: { gridId: 1, boundAt: 1 } },
  { collection: 'liveMessages', name: 'state_expires', keys: { state: 1, expiresAt: 1 } },
  { collection: 'groupMembers', name: 'group_household', keys: { openGId: 1, householdId: 1 } },
  // ── the end of the emergency (issue 14) ──
  { collection: 'accessLog', name: 'community_at', keys: { communityId: 1, at: -1 } },
  { collection: 'accessLog', name: 'at', keys: { at: 1 } },
  { collection: 'dailyAggregates', name: 'community_day', keys: { communityId: 1, day: 1 } },
  { collection: 'purgeRecords', name: 'community_finished', keys: { communityId: 1, finishedAt: -1 } },
  // ── the day's work on every home page (issue 12): counts served by an index ──
  { collection: 'orders', name: 'grid_status', keys: { gridId: 1, status: 1 } },
  { collection: 'orders', name: 'household_status', keys: { householdId: 1, status: 1 } },
  { collection: 'orders', name: 'round_status', keys: { roundId: 1, status: 1 } },
  { collection: 'bookings', name: 'grid_status_date', keys: { gridId: 1, status: 1, date: 1 } },
];
