/**
 * A deterministic demo community modelled on the seeds (拉萨城关区: a community cut into 15 grids,
 * ~500 households, elders living alone, dialysis patients, party-member volunteers, a grocery
 * catalogue with explicit units). Pure: the same options always give the same documents.
 */
import { newHousehold } from '../../core/org/new-household';
import { pick, randInt, seededRng, type Rng } from '../../core/random';
import type {
  AgeBand,
  Building,
  CatalogItem,
  Community,
  Grid,
  HouseholdDoc,
  HouseholdMember,
  Role,
  SpecialNeed,
  RoundDoc,
  UserDoc,
  ShiftDoc,
  ShopDoc,
  StaffDoc,
  VolunteerDoc,
  VolunteerTeam,
} from '../../typings/entities';
import { chinaDay, chinaWallClock } from '../../core/time';

/** Size of the generated community. */
export interface DemoOptions {
  seed?: number;
  grids?: number;
  households?: number;
  /** Share of households whose head has joined with WeChat (户户入群 is never complete). */
  joinedShare?: number;
  /** When the data was made (createdAt of every document). */
  at?: Date;
}

/** Every document of the demo community, by collection. */
export interface DemoCommunity {
  communities: Community[];
  grids: Grid[];
  buildings: Building[];
  households: HouseholdDoc[];
  users: UserDoc[];
  /** The community's shop: its catalogue with stock, and its rounds open or to open (issue 16). */
  shops: ShopDoc[];
  rounds: RoundDoc[];
  // ── volunteers (issue 5) ──
  volunteers: VolunteerDoc[];
  shifts: ShiftDoc[];
  // ── organisation (issue 7) ──
  staff: StaffDoc[];
}

const SURNAMES = [
  '次仁',
  '扎西',
  '达瓦',
  '格桑',
  '卓玛',
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '赵',
  '索朗',
  '央金',
  '普布',
];
const GIVEN = ['建国', '秀英', '德吉', '平措', '拉姆', '志强', '桂兰', '晓燕', '旺堆', '白玛', '海涛', '玉珍'];

/** Demo users' OPENIDs, stable so a developer can pick one in the local cloud. */
export const DEMO_OPENIDS = {
  admin: 'dev-admin',
  gridworker: (i: number) => `dev-gw-${String(i + 1).padStart(2, '0')}`,
  groupLeader: (i: number) => `dev-gl-${String(i + 1).padStart(2, '0')}`,
  volunteer: (i: number) => `dev-vol-${String(i + 1).padStart(3, '0')}`,
  resident: (i: number) => `dev-res-${String(i + 1).padStart(4, '0')}`,
};

function personName(rng: Rng): string {
  return `${pick(rng, SURNAMES)}${pick(rng, GIVEN)}`;
}

function phone(rng: Rng): string {
  return `1${pick(rng, ['38', '39', '58', '77', '89'])}${String(randInt(rng, 0, 99_999_999)).padStart(8, '0')}`;
}

function members(rng: Rng, householdId: string): HouseholdMember[] {
  const size = pick(rng, [1, 1, 2, 2, 3, 3, 3, 4, 4, 5]);
  const list: HouseholdMember[] = [];
  for (let m = 0; m < size; m += 1) {
    const relation =
      m === 0 ? 'self' : m === 1 ? 'spouse' : pick(rng, ['child', 'child', 'parent', 'grandchild'] as const);
    const ageBand: AgeBand =
      relation === 'child' || relation === 'grandchild'
        ? pick(rng, ['0-6', '7-17', '18-59'] as const)
        : pick(rng, ['18-59', '18-59', '60-79', '80+'] as const);
    list.push({ id: `${householdId}-m${m + 1}`, name: personName(rng), relation, ageBand, needs: [] });
  }
  const head = list[0];
  if (!head) return list;
  // Special needs at the rates the seeds suggest: a few per cent of households.
  const roll = rng();
  const livesAloneOld = size === 1 && (head.ageBand === '60-79' || head.ageBand === '80+');
  const need: SpecialNeed | null =
    livesAloneOld && roll < 0.35
      ? 'elderlyAlone'
      : roll < 0.015
        ? 'dialysis'
        : roll < 0.045
          ? 'chronic'
          : roll < 0.06
            ? 'disabled'
            : roll < 0.075
              ? 'pregnant'
              : null;
  if (need === 'pregnant') {
    const adult = list.find((p) => p.ageBand === '18-59') ?? head;
    adult.needs.push('pregnant');
  } else if (need) {
    head.needs.push(need);
  }
  return list;
}

/** Generates the demo community. */
export function demoCommunity(options: DemoOptions = {}): DemoCommunity {
  const rng = seededRng(options.seed ?? 20220820);
  const gridCount = options.grids ?? 15;
  const householdTarget = options.households ?? 500;
  const joinedShare = options.joinedShare ?? 0.7;
  const createdAt = (options.at ?? new Date('2022-08-20T00:00:00Z')).toISOString();
  const communityId = 'c-xingfu';

  const community: Community = { _id: communityId, name: '幸福新村社区', district: '城关区', city: '拉萨市' };
  const grids: Grid[] = [];
  const buildings: Building[] = [];
  const households: HouseholdDoc[] = [];
  const users: UserDoc[] = [];

  const perGrid = Math.ceil(householdTarget / gridCount);
  let householdNo = 0;
  let buildingNo = 0;
  for (let g = 0; g < gridCount; g += 1) {
    const gridId = `g-${String(g + 1).padStart(2, '0')}`;
    const gw = DEMO_OPENIDS.gridworker(g);
    const gl = DEMO_OPENIDS.groupLeader(g);
    const grid: Grid = {
      _id: gridId,
      communityId,
      name: `第${g + 1}网格`,
      buildingIds: [],
      gridworkerIds: [gw],
      groupLeaderIds: [gl],
      householdCount: 0,
    };
    grids.push(grid);
    // Nicknames are people's names: pages add the role (「网格员：杨桂兰」), never the name itself.
    users.push(staff(gw, personName(rng), ['gridworker'], communityId, [gridId], createdAt, rng));
    users.push(staff(gl, personName(rng), ['groupLeader'], communityId, [gridId], createdAt, rng));

    const inGrid = Math.min(perGrid, householdTarget - householdNo);
    const buildingsInGrid = Math.max(1, Math.round(inGrid / randInt(rng, 12, 20)));
    for (let b = 0; b < buildingsInGrid; b += 1) {
      buildingNo += 1;
      const walkUp = rng() < 0.3;
      const building: Building = {
        _id: `b-${String(buildingNo).padStart(3, '0')}`,
        communityId,
        gridId,
        name: `${buildingNo}号楼`,
        floors: walkUp ? randInt(rng, 5, 7) : randInt(rng, 11, 33),
        hasLift: !walkUp,
        distanceM: randInt(rng, 50, 450),
      };
      buildings.push(building);
      grid.buildingIds.push(building._id);
      const count =
        b === buildingsInGrid - 1
          ? inGrid - Math.floor(inGrid / buildingsInGrid) * b
          : Math.floor(inGrid / buildingsInGrid);
      for (let h = 0; h < count; h += 1) {
        householdNo += 1;
        // Opaque ids (tests and demos name them): joins and imports find a household by building + room,
        // never by recomputing its id, so these and householdIdFor's ids live side by side.
        const id = `h-${String(householdNo).padStart(4, '0')}`;
        const floor = 1 + (h % building.floors);
        const unit = 1 + Math.floor(h / (building.floors * 2));
        const room = `${unit}-${floor}0${1 + (Math.floor(h / building.floors) % 2)}`;
        const people = members(rng, id);
        const joined = rng() < joinedShare && !people.every((p) => p.ageBand === '80+');
        const openid = joined ? DEMO_OPENIDS.resident(householdNo - 1) : null;
        households.push(
          newHousehold({
            _id: id,
            communityId,
            gridId,
            buildingId: building._id,
            room, // its floor by the one floor rule (equal to `floor` for these labels)
            headName: people[0]?.name ?? '',
            phone: phone(rng),
            members: people,
            memberOpenids: openid ? [openid] : [],
            createdAt,
          }),
        );
        if (openid) {
          users.push({
            _id: openid,
            nickName: people[0]?.name ?? '居民',
            roles: ['resident'],
            communityId,
            adminGridIds: [],
            householdId: id,
            createdAt,
          });
        }
      }
      grid.householdCount += count;
    }
  }

  users.push(
    staff(
      DEMO_OPENIDS.admin,
      '白玛央宗',
      ['communityAdmin'],
      communityId,
      grids.map((g) => g._id),
      createdAt,
      rng,
    ),
  );
  const volunteers = Math.max(5, Math.round(householdTarget / 8));
  for (let v = 0; v < volunteers; v += 1) {
    users.push(staff(DEMO_OPENIDS.volunteer(v), personName(rng), ['volunteer'], communityId, [], createdAt, rng));
  }

  const opensAt = options.at ?? new Date('2022-08-20T00:00:00Z');
  const rounds: RoundDoc[] = [
    {
      _id: 'round-001',
      communityId,
      name: '第1批次',
      opensAt: opensAt.toISOString(),
      closesAt: new Date(opensAt.getTime() + 3 * 24 * 3600_000).toISOString(),
      createdBy: DEMO_OPENIDS.admin,
    },
  ];
  const { volunteers: volunteerDocs, shifts } = demoVolunteers(users, grids, opensAt);
  return {
    communities: [community],
    grids,
    buildings,
    households,
    users,
    shops: [shopOf(communityId, catalogue(communityId), rounds)],
    rounds,
    volunteers: volunteerDocs,
    shifts,
    staff: demoStaff(users, grids, buildings, createdAt),
  };
}

function staff(
  id: string,
  nickName: string,
  roles: Role[],
  communityId: string,
  gridIds: string[],
  createdAt: string,
  rng: Rng,
): UserDoc {
  return {
    _id: id,
    nickName,
    roles,
    communityId,
    adminGridIds: gridIds,
    householdId: null,
    phone: phone(rng),
    createdAt,
  };
}

/** The shop document of a community: its items keyed by id, its rounds not yet over. */
function shopOf(communityId: string, items: readonly CatalogItem[], rounds: readonly RoundDoc[]): ShopDoc {
  return {
    _id: communityId,
    communityId,
    items: Object.fromEntries(items.map(({ _id, communityId: _c, ...item }) => [_id, item])),
    rounds: rounds.map((r) => ({ id: r._id, name: r.name, opensAt: r.opensAt, closesAt: r.closesAt })),
    placing: {},
    returning: {},
    restocking: {},
  };
}

function catalogue(communityId: string): CatalogItem[] {
  const rows: Array<[string, CatalogItem['category'], CatalogItem['unit'], number, number, number]> = [
    ['爱心菜包（土豆、白菜、萝卜、洋葱）', 'loveBag', '份', 0, 600, 1],
    ['大米 10斤装', 'staple', '袋', 4500, 300, 2],
    ['面粉 5斤装', 'staple', '袋', 2200, 200, 2],
    ['挂面', 'staple', '把', 600, 400, 5],
    ['菜籽油 5升', 'staple', '桶', 7900, 120, 1],
    ['鸡蛋', 'meat', '斤', 650, 500, 5],
    ['猪肉（前腿）', 'meat', '斤', 1500, 200, 3],
    ['牦牛肉', 'meat', '斤', 4500, 100, 2],
    ['土豆', 'vegetable', '斤', 200, 800, 10],
    ['大白菜', 'vegetable', '斤', 150, 800, 10],
    ['西红柿', 'vegetable', '斤', 400, 400, 5],
    ['黄瓜', 'vegetable', '斤', 350, 400, 5],
    ['青椒', 'vegetable', '斤', 500, 300, 5],
    ['牛奶 250ml×12', 'daily', '箱', 4800, 150, 2],
    ['酥油', 'daily', '斤', 3500, 100, 2],
    ['卫生纸 10卷', 'daily', '袋', 2500, 200, 1],
    ['洗衣液 2kg', 'daily', '瓶', 3200, 100, 1],
    ['消毒液 500ml', 'daily', '瓶', 1200, 300, 2],
    ['液化气换瓶（15kg）', 'gas', '罐', 11000, 60, 1],
  ];
  // Real weights of one unit, kg: what a volunteer carries up the stairs.
  const KG: Record<string, number> = {
    '爱心菜包（土豆、白菜、萝卜、洋葱）': 5,
    '大米 10斤装': 5,
    '面粉 5斤装': 2.5,
    挂面: 0.5,
    '菜籽油 5升': 4.6,
    '牛奶 250ml×12': 3.2,
    '卫生纸 10卷': 1.2,
    '洗衣液 2kg': 2.1,
    '消毒液 500ml': 0.55,
    '液化气换瓶（15kg）': 15,
  };
  return rows.map(([name, category, unit, priceFen, stock, perHouseholdLimit], i) => ({
    _id: `item-${String(i + 1).padStart(3, '0')}`,
    communityId,
    name,
    category,
    unit,
    priceFen,
    stock,
    perHouseholdLimit,
    active: true,
    ...(KG[name] ? { kgPerUnit: KG[name] } : {}),
  }));
}

// ── volunteers (issue 5): registrations of the demo volunteer users, and a few shifts ──

const OTHER_TEAMS: VolunteerTeam[] = ['checkpoint', 'testing', 'supplies', 'disinfection', 'counselling'];

/**
 * VolunteerDocs for the demo volunteer users (dev-vol-001…): half in team `delivery`, most of them
 * on duty with 10–20 kg and a building or two of their grid; every eighth still pending review
 * (those lose the volunteer role until approved); some approved never put to work (idle).
 * Its own rng, so the rest of the demo stays as it was.
 */
function demoVolunteers(users: UserDoc[], grids: Grid[], at: Date): { volunteers: VolunteerDoc[]; shifts: ShiftDoc[] } {
  const rng = seededRng(5);
  const createdAt = at.toISOString();
  const people = users.filter((u) => u._id.startsWith('dev-vol-'));
  const volunteers = people.map((u, i): VolunteerDoc => {
    const grid = grids[i % grids.length] as Grid;
    const pending = i % 8 === 7;
    const team: VolunteerTeam =
      i % 2 === 0 ? 'delivery' : (OTHER_TEAMS[Math.floor(i / 2) % OTHER_TEAMS.length] as VolunteerTeam);
    const onDuty = !pending && (team === 'delivery' ? i % 6 !== 4 : i % 3 === 0);
    const partyMember = rng() < 0.45;
    const start = randInt(rng, 0, Math.max(0, grid.buildingIds.length - 1));
    if (pending) u.roles = u.roles.filter((r) => r !== 'volunteer');
    return {
      _id: u._id,
      communityId: grid.communityId,
      gridIds: [grid._id],
      status: pending ? 'pending' : 'approved',
      team: pending ? null : team,
      buildingIds: pending || team !== 'delivery' ? [] : grid.buildingIds.slice(start, start + randInt(rng, 1, 2)),
      onDuty,
      capacityKg: randInt(rng, 10, 20),
      name: u.nickName,
      phone: u.phone ?? '13800000000',
      partyMember,
      partyBranch: partyMember
        ? pick(rng, ['幸福新村社区第一党支部', '幸福新村社区第二党支部', '城关区机关党支部'])
        : null,
      workUnit: pick(rng, ['城关区教育局', '拉萨市第一人民医院', '个体经营', '退休', '西藏大学', '区税务局']),
      teamsWished: pending ? [team] : [team, pick(rng, OTHER_TEAMS)].filter((t, k, a) => a.indexOf(t) === k),
      skills: [
        ...(rng() < 0.15 ? (['medical'] as const) : []),
        ...(team === 'delivery' && rng() < 0.3 ? (['driving'] as const) : []),
        ...(rng() < 0.3 ? (['interpreting'] as const) : []),
      ],
      slots: pick(rng, [
        ['morning', 'afternoon'],
        ['afternoon', 'evening'],
        ['morning', 'afternoon', 'evening'],
      ] as const).slice(),
      health: { noSymptoms: true, noRiskContact: true, promise: true, declaredAt: createdAt },
      rejectReason: null,
      reviewedBy: pending ? null : DEMO_OPENIDS.admin,
      reviewedAt: pending ? null : createdAt,
      dutySince: onDuty ? createdAt : null,
      // Approved checkpoint/testing volunteers not on duty are the demo's idle ones.
      lastActiveAt: onDuty || team === 'delivery' ? createdAt : null,
      createdAt,
      updatedAt: createdAt,
      leftAt: null,
    };
  });
  const tomorrow = chinaDay(new Date(at.getTime() + 24 * 3600_000));
  const shiftRows: Array<[VolunteerTeam, string, string, string, string, number, ShiftDoc['qualifications']]> = [
    ['checkpoint', '卡点值守（早班）', '北门3号卡点', '08:00', '14:00', 4, []],
    ['checkpoint', '卡点值守（晚班）', '北门3号卡点', '14:00', '20:00', 4, []],
    ['testing', '核酸采样', '1号采样点（社区广场）', '07:30', '12:00', 6, ['medical']],
    ['supplies', '爱心菜包发放', '社区物资中转站', '09:00', '12:00', 5, []],
    ['disinfection', '楼道消杀', '第1–5网格', '15:00', '17:00', 3, []],
  ];
  const shifts = shiftRows.map(([team, title, place, start, end, capacity, qualifications], i): ShiftDoc => ({
    _id: `shift-${String(i + 1).padStart(3, '0')}`,
    communityId: grids[0]?.communityId ?? 'c-xingfu',
    team,
    title,
    place,
    date: tomorrow,
    start,
    end,
    startAt: chinaWallClock(tomorrow, start).toISOString(),
    endAt: chinaWallClock(tomorrow, end).toISOString(),
    capacity,
    taken: 0,
    seats: {},
    qualifications,
    cancelBeforeHours: 2,
    status: 'open',
    createdBy: DEMO_OPENIDS.admin,
    createdAt,
  }));
  return { volunteers, shifts };
}
// ── end volunteers ──

// ── organisation (issue 7): building positions and gridworkers' homes/capacity for the assignment ──

/**
 * Places buildings on a map (grids in rows of five, 250 m apart; metres east/north of the gate)
 * and gives every gridworker and group leader a home in their own grid and a capacity.
 * Its own rng, so the rest of the demo stays as it was.
 */
function demoStaff(users: UserDoc[], grids: Grid[], buildings: Building[], createdAt: string): StaffDoc[] {
  const rng = seededRng(7);
  grids.forEach((g, i) => {
    for (const b of buildings.filter((x) => x.gridId === g._id)) {
      b.x = (i % 5) * 250 + randInt(rng, 0, 120);
      b.y = Math.floor(i / 5) * 250 + randInt(rng, 0, 120);
    }
  });
  return users
    .filter((u) => u.roles.includes('gridworker') || u.roles.includes('groupLeader'))
    .map((u) => {
      const grid = grids.find((g) => g._id === u.adminGridIds[0]);
      return {
        _id: u._id,
        communityId: u.communityId ?? '',
        capacity: u.roles.includes('gridworker') ? 120 : 60,
        homeBuildingId: grid?.buildingIds[0] ?? null,
        mustGridIds: [],
        mustNotGridIds: [],
        updatedAt: createdAt,
      };
    });
}
