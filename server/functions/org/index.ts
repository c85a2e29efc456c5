/**
 * The organisation side (定人定岗定责): the community's structure and its spreadsheet import,
 * roles by invitation code or by the admin, the gridworker assignment, the community dashboard.
 */
import { createHash, randomBytes } from 'node:crypto';
import { VOLUNTEER_MACHINE } from '../../../core/state/machines';
import { transition } from '../../lib/transition';
import { assignGridworkers, type AssignInput, type AssignPlan } from '../../../core/assign';
import { AppError } from '../../../core/errors';
import { maskPhone } from '../../../core/mask';
import { chinaDay } from '../../../core/time';
import { sumCounts } from '../../../core/org/dashboard';
import { buildingIdFor, gridIdFor, memberIdFor } from '../../../core/org/ids';
import { planImport, validateImport } from '../../../core/org/import';
import { CODE_ALPHABET, codeRefusal, isGridRole, withoutRole, withRole } from '../../../core/org/roles';
import type { AssignPinInput, AssignPlanView, ImportReport, RoleCodeView, StaffView, StructureView } from '../../../typings/api';
import type { Building, Community, GrantableRole, Grid, HouseholdDoc, RoleCodeDoc, StaffDoc, UserDoc } from '../../../typings/entities';
import { cloudApp, isLocal } from '../../lib/cloud';
import { getDoc, mustGet } from '../../lib/access';
import { isDuplicateError } from '../../lib/db-errors';
import { defineFunction, type CallContext, type UserContext } from '../../lib/define-function';
import { workbook } from '../../lib/excel';
import { ensureUser, requireAdmin } from '../../lib/users';
import { idString, text, z } from '../../lib/validate';
import { all, pageFields, pageOf } from '../../lib/query';
import { MAX_IMPORT_BYTES, readTable } from './sheet';
import { loadStats } from './stats';

const id = idString();
const role = z.enum(['volunteer', 'gridworker', 'groupLeader', 'communityAdmin', 'sampler']);
const name = text(20, 1, '请填写名称');
const pin = z.object({ gridId: id, workerId: id, buildingIds: z.array(id).max(200).optional() }).strict();
const WRITE_PARALLEL = 16;

// ── structure ──

async function structureView(ctx: CallContext, communityId: string): Promise<StructureView> {
  const [community, grids, buildings, households] = await Promise.all([
    mustGet<Community>(ctx, 'communities', communityId, '社区'),
    all<Grid>(ctx, 'grids', { communityId }),
    all<Building>(ctx, 'buildings', { communityId }),
    all<Pick<HouseholdDoc, 'buildingId'>>(ctx, 'households', { communityId }, { buildingId: true }),
  ]);
  const staffIds = [...new Set(grids.flatMap((g) => [...g.gridworkerIds, ...g.groupLeaderIds]))];
  const staff = await usersById(ctx, staffIds);
  const perBuilding = new Map<string, number>();
  for (const h of households) perBuilding.set(h.buildingId, (perBuilding.get(h.buildingId) ?? 0) + 1);
  const person = (openid: string) => ({ openid, name: staff.get(openid)?.nickName ?? openid });
  return {
    community: { id: community._id, name: community.name, district: community.district },
    grids: grids.map((g) => ({
      id: g._id,
      name: g.name,
      householdCount: buildings.filter((b) => b.gridId === g._id).reduce((n, b) => n + (perBuilding.get(b._id) ?? 0), 0),
      gridworkers: g.gridworkerIds.map(person),
      groupLeaders: g.groupLeaderIds.map(person),
      buildings: buildings
        .filter((b) => b.gridId === g._id)
        .map((b) => ({ id: b._id, name: b.name, floors: b.floors, hasLift: b.hasLift, distanceM: b.distanceM, households: perBuilding.get(b._id) ?? 0 })),
    })),
  };
}

async function usersById(ctx: CallContext, ids: readonly string[]): Promise<Map<string, UserDoc>> {
  const _ = ctx.db.command;
  const out = new Map<string, UserDoc>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    for (const u of await all<UserDoc>(ctx, 'users', { _id: _.in(chunk) })) out.set(u._id, u);
  }
  return out;
}

async function gridOf(ctx: CallContext, communityId: string, gridId: string): Promise<Grid> {
  const grid = await getDoc<Grid>(ctx, 'grids', gridId);
  if (!grid || grid.communityId !== communityId) throw new AppError('COMMON.NOT_FOUND', '本社区没有这个网格');
  return grid;
}

/** Recounts a grid's households (idempotent: the count is read, not incremented). */
async function recount(ctx: CallContext, gridId: string): Promise<void> {
  const res = await ctx.db.collection('households').where({ gridId }).count();
  await ctx.db.collection('grids').doc(gridId).update({ householdCount: res.total ?? 0 });
}

/** `add`, treating "already there" as done: the writes of an import can be repeated safely. */
async function addOnce<T extends { _id: string }>(ctx: CallContext, collection: string, doc: T): Promise<boolean> {
  try {
    await ctx.db.collection(collection).add(doc);
    return true;
  } catch (error) {
    if (isDuplicateError(error)) return false;
    throw error;
  }
}

async function inBatches<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += WRITE_PARALLEL) await Promise.all(items.slice(i, i + WRITE_PARALLEL).map(work));
}

async function fileBytes(input: { base64?: string; fileId?: string }): Promise<Buffer> {
  if (input.base64) return Buffer.from(input.base64, 'base64');
  if (input.fileId) {
    if (isLocal()) throw new AppError('COMMON.INVALID_INPUT', '本地云请直接上传文件内容');
    const res = await cloudApp().downloadFile({ fileID: input.fileId });
    return res.fileContent as Buffer;
  }
  throw new AppError('COMMON.INVALID_INPUT', '请选择要导入的文件');
}

/**
 * Imports the structure spreadsheet. Every row is validated (and matched against what exists)
 * before anything is written; a file with any error writes nothing. CloudBase transactions cover
 * one document only, so all-or-nothing cannot come from a transaction: it comes from validating
 * first and from writes that can be repeated — grids, buildings and households get ids derived
 * from their names and rooms and are created with `add` (an existing id is left alone), grid
 * lists and counts are set from what is stored, never incremented. An import cut short by a crash
 * or a timeout is finished by importing the same file again; nothing is ever created twice.
 */
async function importFile(ctx: UserContext, communityId: string, table: string[][], dryRun: boolean): Promise<ImportReport> {
  const { rows, errors } = validateImport(table);
  const empty = { created: 0, existing: 0 };
  const report: ImportReport = { rows: rows.length + new Set(errors.map((e) => e.row)).size, errors, applied: false, grids: empty, buildings: empty, households: empty };
  if (errors.length) return report;
  const [grids, buildings, households] = await Promise.all([
    all<Grid>(ctx, 'grids', { communityId }),
    all<Building>(ctx, 'buildings', { communityId }),
    all<Pick<HouseholdDoc, '_id' | 'buildingId' | 'room'>>(ctx, 'households', { communityId }, { _id: true, buildingId: true, room: true }),
  ]);
  const plan = planImport(rows, { communityId, grids, buildings, households });
  const count = <T extends { isNew: boolean }>(list: T[]) => ({ created: list.filter((x) => x.isNew).length, existing: list.filter((x) => !x.isNew).length });
  Object.assign(report, { errors: plan.errors, grids: count(plan.grids), buildings: count(plan.buildings), households: count(plan.households) });
  if (plan.errors.length || dryRun) return report;

  const now = ctx.now.toISOString();
  await inBatches(
    plan.grids.filter((g) => g.isNew),
    (g) => addOnce(ctx, 'grids', { _id: g._id, communityId, name: g.name, buildingIds: [], gridworkerIds: [], groupLeaderIds: [], householdCount: 0 } satisfies Grid),
  );
  await inBatches(
    plan.buildings.filter((b) => b.isNew),
    (b) => addOnce(ctx, 'buildings', { _id: b._id, communityId, gridId: b.gridId, name: b.name, floors: b.floors, hasLift: b.floors > 7, distanceM: 0 } satisfies Building),
  );
  // Each grid's building list: what is stored plus the file's (a set, so repeating changes nothing).
  const stored = new Map(grids.map((g) => [g._id, g.buildingIds]));
  await inBatches(plan.grids, (g) => {
    const ids = new Set([...(stored.get(g._id) ?? []), ...plan.buildings.filter((b) => b.gridId === g._id).map((b) => b._id)]);
    return ctx.db.collection('grids').doc(g._id).update({ buildingIds: [...ids] });
  });
  await inBatches(
    plan.households.filter((h) => h.isNew),
    (h) =>
      addOnce(ctx, 'households', {
        _id: h._id,
        communityId,
        gridId: h.gridId,
        buildingId: h.buildingId,
        room: h.row.room,
        floor: h.row.floor,
        headName: h.row.headName,
        phone: h.row.phone,
        members: h.row.members.map((m, i) => ({ id: memberIdFor(h._id, i), name: m, relation: i === 0 ? 'self' : 'other', ageBand: '18-59', needs: [] })),
        memberOpenids: [],
        sensitiveConsentAt: null,
        priority: false,
        createdAt: now,
      } satisfies HouseholdDoc),
  );
  await inBatches(plan.grids, (g) => recount(ctx, g._id));
  report.applied = true;
  return report;
}

// ── roles ──

async function staffViews(ctx: CallContext, communityId: string, users: UserDoc[]): Promise<StaffView[]> {
  const _ = ctx.db.command;
  const profiles = users.length ? await all<StaffDoc>(ctx, 'staff', { _id: _.in(users.map((u) => u._id)) }) : [];
  const byId = new Map(profiles.map((p) => [p._id, p]));
  return users.map((u) => {
    const p = byId.get(u._id);
    return {
      openid: u._id,
      name: u.nickName,
      roles: u.roles,
      gridIds: u.adminGridIds,
      phoneMasked: u.phone ? maskPhone(u.phone) : null,
      capacity: p?.capacity ?? null,
      homeBuildingId: p?.homeBuildingId ?? null,
      mustGridIds: p?.mustGridIds ?? [],
      mustNotGridIds: p?.mustNotGridIds ?? [],
    };
  });
}

async function staffView(ctx: CallContext, communityId: string, openid: string): Promise<StaffView> {
  const user = await mustGet<UserDoc>(ctx, 'users', openid, '用户');
  return (await staffViews(ctx, communityId, [user]))[0] as StaffView;
}

/**
 * Gives a user a role (and grids) in a community. Each write is an atomic set operation, so a
 * retried or concurrent grant neither loses nor doubles anything.
 */
async function grant(ctx: CallContext, user: UserDoc, roleName: GrantableRole, communityId: string, gridIds: readonly string[]): Promise<void> {
  withRole(user, roleName, communityId, gridIds); // refuses another community, or a grid role without grids
  const _ = ctx.db.command;
  const users = ctx.db.collection('users');
  const res = await users.where({ _id: user._id, communityId: _.in([null, communityId]) }).update({ roles: _.addToSet(roleName), communityId });
  if (!res.updated) {
    const again = await getDoc<UserDoc>(ctx, 'users', user._id);
    if (again?.communityId !== communityId || !again.roles.includes(roleName)) throw new AppError('COMMON.CONFLICT', '该用户属于其他社区，不能在本社区授予角色');
  }
  for (const gridId of gridIds) {
    await users.doc(user._id).update({ adminGridIds: _.addToSet(gridId) });
    const list = roleName === 'gridworker' ? 'gridworkerIds' : 'groupLeaderIds';
    await ctx.db.collection('grids').doc(gridId).update({ [list]: _.addToSet(user._id) });
  }
}

function newCode(): string {
  return Array.from(randomBytes(8), (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
}

async function codeViews(ctx: CallContext, codes: RoleCodeDoc[]): Promise<RoleCodeView[]> {
  const _ = ctx.db.command;
  const gridIds = [...new Set(codes.map((c) => c.gridId).filter((g): g is string => Boolean(g)))];
  const grids = gridIds.length ? await all<Grid>(ctx, 'grids', { _id: _.in(gridIds) }) : [];
  const names = new Map(grids.map((g) => [g._id, g.name]));
  return codes.map((c) => ({
    code: c._id,
    role: c.role,
    gridId: c.gridId,
    gridName: c.gridId ? (names.get(c.gridId) ?? null) : null,
    maxUses: c.maxUses,
    used: c.used,
    revoked: c.revoked,
    expiresAt: c.expiresAt,
  }));
}

const REFUSAL_TEXT = {
  revoked: '邀请码已被管理员作废',
  expired: '邀请码已过期，请向社区管理员重新获取',
  usedUp: '邀请码的使用次数已用完',
} as const;

// ── assignment ──

interface AssignData {
  grids: Grid[];
  buildings: Building[];
  workers: UserDoc[];
  input: AssignInput;
}

function workerRole(u: UserDoc): 'gridworker' | 'groupLeader' {
  return u.roles.includes('gridworker') ? 'gridworker' : 'groupLeader';
}

/** The assignment's input, from the database: grids with per-building counts, workers with homes. */
async function assignData(ctx: CallContext, communityId: string): Promise<AssignData> {
  const _ = ctx.db.command;
  const [grids, buildings, households, workers] = await Promise.all([
    all<Grid>(ctx, 'grids', { communityId }),
    all<Building>(ctx, 'buildings', { communityId }),
    all<Pick<HouseholdDoc, 'buildingId' | 'members' | 'sensitiveConsentAt'>>(ctx, 'households', { communityId }, { buildingId: true, members: true, sensitiveConsentAt: true }),
    all<UserDoc>(ctx, 'users', { communityId, roles: _.in(['gridworker', 'groupLeader']) }),
  ]);
  const profiles = workers.length ? await all<StaffDoc>(ctx, 'staff', { _id: _.in(workers.map((w) => w._id)) }) : [];
  const profileOf = new Map(profiles.map((p) => [p._id, p]));
  const buildingById = new Map(buildings.map((b) => [b._id, b]));
  const counts = new Map<string, { households: number; residents: number; specialNeeds: number }>();
  for (const h of households) {
    const c = counts.get(h.buildingId) ?? { households: 0, residents: 0, specialNeeds: 0 };
    c.households += 1;
    c.residents += h.members.length;
    // Only counted: needs are on record only with consent, and the assignment sees numbers only.
    if (h.sensitiveConsentAt) c.specialNeeds += h.members.filter((m) => m.needs.length > 0).length;
    counts.set(h.buildingId, c);
  }
  const located = (list: Building[]) => list.filter((b) => typeof b.x === 'number' && typeof b.y === 'number');
  const input: AssignInput = {
    grids: grids.map((g) => {
      const own = buildings.filter((b) => b.gridId === g._id);
      const per = own.map((b) => ({ id: b._id, ...(counts.get(b._id) ?? { households: 0, residents: 0, specialNeeds: 0 }) }));
      const at = located(own);
      return {
        id: g._id,
        name: g.name,
        households: per.reduce((n, b) => n + b.households, 0),
        residents: per.reduce((n, b) => n + b.residents, 0),
        specialNeeds: per.reduce((n, b) => n + b.specialNeeds, 0),
        buildingIds: own.map((b) => b._id),
        buildings: per,
        x: at.length ? at.reduce((n, b) => n + (b.x as number), 0) / at.length : null,
        y: at.length ? at.reduce((n, b) => n + (b.y as number), 0) / at.length : null,
      };
    }),
    workers: workers.map((w) => {
      const p = profileOf.get(w._id);
      const home = p?.homeBuildingId ? buildingById.get(p.homeBuildingId) : undefined;
      return {
        id: w._id,
        name: w.nickName,
        role: workerRole(w),
        capacity: p?.capacity ?? Number.POSITIVE_INFINITY,
        x: typeof home?.x === 'number' ? home.x : null,
        y: typeof home?.y === 'number' ? home.y : null,
        mustGridIds: p?.mustGridIds ?? [],
        mustNotGridIds: p?.mustNotGridIds ?? [],
      };
    }),
  };
  return { grids, buildings, workers, input };
}

/** Fingerprint of who holds which grid now (the plan's basis). */
function fingerprint(grids: readonly Grid[], workers: readonly UserDoc[]): string {
  const state = {
    g: [...grids].sort((a, b) => a._id.localeCompare(b._id)).map((g) => [g._id, g.gridworkerIds, g.groupLeaderIds]),
    w: [...workers].sort((a, b) => a._id.localeCompare(b._id)).map((w) => [w._id, [...w.adminGridIds].sort()]),
  };
  return createHash('sha256').update(JSON.stringify(state)).digest('hex').slice(0, 24);
}

/** The algorithm explains itself with building ids; the admin reads building names. */
function withNames(text: string, names: ReadonlyMap<string, string>): string {
  return text.replace(/[\w-]+/g, (token) => names.get(token) ?? token);
}

function planView(data: AssignData, plan: AssignPlan, basis: string, pins: readonly AssignPinInput[]): AssignPlanView {
  const gridName = new Map(data.grids.map((g) => [g._id, g.name]));
  const buildingName = new Map(data.buildings.map((b) => [b._id, b.name]));
  const worker = new Map(data.workers.map((w) => [w._id, w]));
  const capacityOf = new Map(data.input.workers.map((w) => [w.id, w.capacity]));
  return {
    basis,
    grids: data.input.grids.map((g) => ({
      gridId: g.id,
      gridName: g.name ?? g.id,
      households: g.households,
      specialNeeds: g.specialNeeds,
      reason: withNames(plan.reasons[g.id] ?? '', buildingName),
      workers: plan.parts
        .filter((p) => p.gridId === g.id)
        .map((p) => {
          const w = worker.get(p.workerId);
          return {
            workerId: p.workerId,
            name: w?.nickName ?? p.workerId,
            role: w ? workerRole(w) : 'gridworker',
            lead: plan.leadByGrid[g.id] === p.workerId,
            pinned: p.pinned || pins.some((x) => x.gridId === g.id && x.workerId === p.workerId && !x.buildingIds?.length),
            buildingIds: p.buildingIds,
            buildingNames: p.buildingIds.map((b) => buildingName.get(b) ?? b),
            load: p.load,
          };
        }),
    })),
    workers: data.workers.map((w) => {
      const held = plan.byWorker[w._id];
      const capacity = capacityOf.get(w._id) ?? Number.POSITIVE_INFINITY;
      return {
        workerId: w._id,
        name: w.nickName,
        role: workerRole(w),
        capacity: Number.isFinite(capacity) ? capacity : null,
        load: held?.load ?? 0,
        specialLoad: held?.specialLoad ?? 0,
        gridIds: held?.gridIds ?? [],
      };
    }),
    uncovered: plan.uncovered.map((u) => ({ gridId: u.gridId, gridName: gridName.get(u.gridId) ?? u.gridId, buildingNames: u.buildingIds.map((b) => buildingName.get(b) ?? b), reason: u.reason })),
    warnings: plan.warnings,
    maxLoad: plan.maxLoad,
    minLoad: plan.minLoad,
    loadMaxMin: plan.loadMaxMin,
    specialLoadMaxMin: plan.specialLoadMaxMin,
    averageLoad: plan.averageLoad,
  };
}

function checkPins(data: AssignData, pins: readonly AssignPinInput[]): void {
  const workers = new Set(data.workers.map((w) => w._id));
  for (const p of pins) {
    const grid = data.grids.find((g) => g._id === p.gridId);
    if (!grid) throw new AppError('COMMON.NOT_FOUND', '本社区没有这个网格');
    if (!workers.has(p.workerId)) throw new AppError('COMMON.INVALID_INPUT', '只能指定本社区的网格员或组长');
    if (p.buildingIds?.some((b) => !grid.buildingIds.includes(b))) throw new AppError('COMMON.INVALID_INPUT', `楼栋不属于${grid.name}`);
  }
}

/** The state an applied plan leads to: each grid's holders (lead first), each worker's grids. */
function targetOf(data: AssignData, parts: readonly AssignPinInput[]): { grids: Grid[]; workers: UserDoc[] } {
  const roleOf = new Map(data.workers.map((w) => [w._id, workerRole(w)]));
  const grids = data.grids.map((g) => {
    const holders = [...new Set(parts.filter((p) => p.gridId === g._id).map((p) => p.workerId))];
    return {
      ...g,
      gridworkerIds: holders.filter((w) => roleOf.get(w) === 'gridworker'),
      groupLeaderIds: holders.filter((w) => roleOf.get(w) === 'groupLeader'),
    };
  });
  const workers = data.workers.map((w) => ({ ...w, adminGridIds: [...new Set(parts.filter((p) => p.workerId === w._id).map((p) => p.gridId))] }));
  return { grids, workers };
}

interface AssignRunDoc {
  _id: string;
  target: string;
  state: 'applying' | 'done';
  at: string;
  by: string;
}

/** Organisation: structure, import, roles and codes, gridworker assignment, community dashboard. */
export const main = defineFunction('org', {
  'org.structure': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const admin = await requireAdmin(ctx);
      return structureView(ctx, admin.communityId);
    },
  },

  'org.saveGrid': {
    input: z.object({ id: id.optional(), name }).strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const sameName = await ctx.db.collection('grids').where({ communityId: admin.communityId, name: input.name }).limit(2).get();
      if ((sameName.data as Grid[]).some((g) => g._id !== input.id)) throw new AppError('COMMON.CONFLICT', '已有同名的网格');
      if (input.id) {
        await gridOf(ctx, admin.communityId, input.id);
        await ctx.db.collection('grids').where({ _id: input.id, communityId: admin.communityId }).update({ name: input.name });
      } else {
        const fresh: Grid = { _id: gridIdFor(admin.communityId, input.name), communityId: admin.communityId, name: input.name, buildingIds: [], gridworkerIds: [], groupLeaderIds: [], householdCount: 0 };
        // The id comes from the name (so an import finds it); a grid renamed since may hold it.
        if (!(await addOnce(ctx, 'grids', fresh)) && !(await addOnce(ctx, 'grids', { ...fresh, _id: gridIdFor(admin.communityId, `${input.name}#${ctx.invocationId}`) }))) {
          throw new AppError('COMMON.CONFLICT', '已有同名的网格');
        }
      }
      return structureView(ctx, admin.communityId);
    },
  },

  'org.saveBuilding': {
    input: z
      .object({ id: id.optional(), gridId: id, name, floors: z.number().int().min(1).max(100), hasLift: z.boolean(), distanceM: z.number().int().min(0).max(20_000) })
      .strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const _ = ctx.db.command;
      const grid = await gridOf(ctx, admin.communityId, input.gridId);
      const sameName = (await ctx.db.collection('buildings').where({ communityId: admin.communityId, name: input.name }).limit(2).get()).data as Building[];
      if (sameName.some((b) => b._id !== input.id)) throw new AppError('COMMON.CONFLICT', '本社区已有同名的楼栋');
      const fields = { name: input.name, floors: input.floors, hasLift: input.hasLift, distanceM: input.distanceM };
      if (!input.id) {
        let fresh: Building = { _id: buildingIdFor(admin.communityId, input.name), communityId: admin.communityId, gridId: grid._id, ...fields };
        if (!(await addOnce(ctx, 'buildings', fresh))) {
          // Held by a building renamed since: take a fresh id.
          fresh = { ...fresh, _id: buildingIdFor(admin.communityId, `${input.name}#${ctx.invocationId}`) };
          if (!(await addOnce(ctx, 'buildings', fresh))) throw new AppError('COMMON.CONFLICT', '本社区已有同名的楼栋');
        }
        await ctx.db.collection('grids').doc(grid._id).update({ buildingIds: _.addToSet(fresh._id) });
        return structureView(ctx, admin.communityId);
      }
      const building = await mustGet<Building>(ctx, 'buildings', input.id, '楼栋');
      if (building.communityId !== admin.communityId) throw new AppError('COMMON.NOT_FOUND', '本社区没有这个楼栋');
      await ctx.db.collection('buildings').doc(building._id).update({ ...fields, gridId: grid._id });
      if (building.gridId !== grid._id) {
        // Moving a building moves its households; every step is a set, so a retry completes it.
        await ctx.db.collection('grids').doc(grid._id).update({ buildingIds: _.addToSet(building._id) });
        await ctx.db.collection('grids').doc(building.gridId).update({ buildingIds: _.pull(building._id) });
        await ctx.db.collection('households').where({ buildingId: building._id }).update({ gridId: grid._id });
        await Promise.all([recount(ctx, grid._id), recount(ctx, building.gridId)]);
      }
      return structureView(ctx, admin.communityId);
    },
  },

  'org.import': {
    input: z
      .object({
        fileName: text(100),
        base64: z.string().max(Math.ceil((MAX_IMPORT_BYTES * 4) / 3) + 4, '文件太大（最大 2 MB），请分批导入').optional(),
        fileId: idString(512).optional(),
        dryRun: z.boolean(),
      })
      .strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const table = await readTable(input.fileName, await fileBytes(input));
      return importFile(ctx, admin.communityId, table, input.dryRun);
    },
  },

  'org.importTemplate': {
    input: z.object({}).strict(),
    async handle(ctx) {
      await requireAdmin(ctx);
      return workbook('住户导入模板.xlsx', [
        {
          name: '住户',
          title: '住户导入表（人数可填数字，或成员姓名用顿号分隔；单元可不填；导入前请删除两行示例）',
          columns: ['网格', '楼栋', '单元', '房号', '户主', '电话', '人数'].map((header) => ({ header, width: header === '电话' ? 16 : 12 })),
          rows: [
            ['第1网格', '1号楼', '1', '101', '张三', '13800000000', 3],
            ['第1网格', '1号楼', '2', '502', '次仁卓玛', '0891-6320000', '次仁卓玛、扎西'],
          ],
        },
      ]);
    },
  },

  'org.staff': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const admin = await requireAdmin(ctx);
      const _ = ctx.db.command;
      const users = await all<UserDoc>(ctx, 'users', { communityId: admin.communityId, roles: _.in(['volunteer', 'gridworker', 'groupLeader', 'communityAdmin']) });
      const order = (u: UserDoc) => (u.roles.includes('communityAdmin') ? 0 : u.roles.includes('gridworker') ? 1 : u.roles.includes('groupLeader') ? 2 : 3);
      users.sort((a, b) => order(a) - order(b) || a._id.localeCompare(b._id));
      return staffViews(ctx, admin.communityId, users);
    },
  },

  'org.grantRole': {
    input: z.object({ openid: id, role, gridIds: z.array(id).max(50).optional() }).strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const user = await getDoc<UserDoc>(ctx, 'users', input.openid);
      if (!user) throw new AppError('COMMON.NOT_FOUND', '没有找到该用户，请让对方先打开一次小程序');
      const gridIds = isGridRole(input.role) ? [...new Set(input.gridIds ?? [])] : [];
      await Promise.all(gridIds.map((g) => gridOf(ctx, admin.communityId, g)));
      await grant(ctx, user, input.role, admin.communityId, gridIds);
      return staffView(ctx, admin.communityId, user._id);
    },
  },

  'org.revokeRole': {
    input: z.object({ openid: id, role }).strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const user = await getDoc<UserDoc>(ctx, 'users', input.openid);
      if (!user || user.communityId !== admin.communityId) throw new AppError('COMMON.NOT_FOUND', '本社区没有该用户');
      const next = withoutRole(user, input.role, ctx.caller.openid);
      const _ = ctx.db.command;
      const change: Record<string, unknown> = { roles: _.pull(input.role) };
      if (next.adminGridIds.length === 0) change.adminGridIds = [];
      await ctx.db.collection('users').doc(user._id).update(change);
      if (input.role === 'volunteer') {
        // The volunteer functions go by the registration: an approved one would outlive the role.
        await transition(ctx.db, 'volunteers', { _id: user._id }, VOLUNTEER_MACHINE, 'leave', 'staff', { onDuty: false });
      }
      if (input.role === 'gridworker' || input.role === 'groupLeader') {
        const list = input.role === 'gridworker' ? 'gridworkerIds' : 'groupLeaderIds';
        await ctx.db.collection('grids').where({ communityId: admin.communityId, [list]: user._id }).update({ [list]: _.pull(user._id) });
      }
      return staffView(ctx, admin.communityId, user._id);
    },
  },

  'org.saveStaffProfile': {
    input: z
      .object({
        openid: id,
        capacity: z.number().int().min(1).max(10_000),
        homeBuildingId: id.nullable(),
        mustGridIds: z.array(id).max(20),
        mustNotGridIds: z.array(id).max(50),
      })
      .strict()
      .refine((v) => !v.mustGridIds.some((g) => v.mustNotGridIds.includes(g)), { message: '同一网格不能既必须负责又不能负责', path: ['mustNotGridIds'] }),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const user = await getDoc<UserDoc>(ctx, 'users', input.openid);
      if (!user || user.communityId !== admin.communityId || !user.roles.some(isGridRole)) {
        throw new AppError('COMMON.NOT_FOUND', '本社区没有这位网格员或组长');
      }
      await Promise.all([...input.mustGridIds, ...input.mustNotGridIds].map((g) => gridOf(ctx, admin.communityId, g)));
      if (input.homeBuildingId) {
        const home = await getDoc<Building>(ctx, 'buildings', input.homeBuildingId);
        if (home?.communityId !== admin.communityId) throw new AppError('COMMON.NOT_FOUND', '本社区没有这个楼栋');
      }
      const profile: Omit<StaffDoc, '_id'> = {
        communityId: admin.communityId,
        capacity: input.capacity,
        homeBuildingId: input.homeBuildingId,
        mustGridIds: input.mustGridIds,
        mustNotGridIds: input.mustNotGridIds,
        updatedAt: ctx.now.toISOString(),
      };
      await ctx.db.collection('staff').doc(user._id).set(profile);
      return staffView(ctx, admin.communityId, user._id);
    },
  },

  'org.createCode': {
    input: z.object({ role, gridId: id.optional(), maxUses: z.number().int().min(1).max(500), days: z.number().int().min(1).max(30) }).strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      if (isGridRole(input.role) && !input.gridId) throw new AppError('COMMON.INVALID_INPUT', '网格员和组长的邀请码需要指定网格');
      const gridId = isGridRole(input.role) ? (await gridOf(ctx, admin.communityId, input.gridId as string))._id : null;
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const code: RoleCodeDoc = {
          _id: newCode(),
          communityId: admin.communityId,
          role: input.role,
          gridId,
          maxUses: input.maxUses,
          used: 0,
          redeemers: {},
          revoked: false,
          createdBy: ctx.caller.openid,
          createdAt: ctx.now.toISOString(),
          expiresAt: new Date(ctx.now.getTime() + input.days * 24 * 3600_000).toISOString(),
        };
        if (await addOnce(ctx, 'roleCodes', code)) return (await codeViews(ctx, [code]))[0] as RoleCodeView;
      }
      throw new AppError('COMMON.INTERNAL');
    },
  },

  'org.codes': {
    input: z.object({ ...pageFields }).strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const page = await pageOf<RoleCodeDoc>(ctx, 'roleCodes', { communityId: admin.communityId }, input, [{ field: 'createdAt', dir: 'desc' }]);
      return { items: await codeViews(ctx, page.items), nextCursor: page.nextCursor, total: page.total };
    },
  },

  'org.revokeCode': {
    input: z.object({ code: text(16, 4) }).strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const code = await getDoc<RoleCodeDoc>(ctx, 'roleCodes', input.code.toUpperCase());
      if (!code || code.communityId !== admin.communityId) throw new AppError('COMMON.NOT_FOUND', '没有找到该邀请码');
      await ctx.db.collection('roleCodes').doc(code._id).update({ revoked: true });
      return (await codeViews(ctx, [{ ...code, revoked: true }]))[0] as RoleCodeView;
    },
  },

  'org.redeemCode': {
    input: z.object({ code: text(16, 4) }).strict(),
    async handle(ctx, input) {
      const user = await ensureUser(ctx);
      const codeId = input.code.replace(/\s+/g, '').toUpperCase();
      const code = await getDoc<RoleCodeDoc>(ctx, 'roleCodes', codeId);
      if (!code) throw new AppError('ORG.CODE_INVALID');
      withRole(user, code.role, code.communityId, code.gridId ? [code.gridId] : []); // another community: refused before counting
      const me = ctx.caller.openid;
      let fresh = false;
      const refusal = codeRefusal(code, me, ctx.now);
      if (refusal && refusal !== 'already') throw new AppError('ORG.CODE_INVALID', REFUSAL_TEXT[refusal]);
      if (!refusal) {
        const _ = ctx.db.command;
        // One conditional write counts the use and records the person: never over the limit,
        // never twice for the same person, whatever the concurrency.
        const claim = await ctx.db
          .collection('roleCodes')
          .where({ _id: code._id, revoked: false, used: _.lt(code.maxUses), expiresAt: _.gt(ctx.now.toISOString()), [`redeemers.${me}`]: _.exists(false) })
          .update({ used: _.inc(1), [`redeemers.${me}`]: ctx.now.toISOString() });
        if (claim.updated) fresh = true;
        else {
          const again = await mustGet<RoleCodeDoc>(ctx, 'roleCodes', code._id, '邀请码');
          const why = codeRefusal(again, me, ctx.now);
          if (why !== 'already') throw new AppError('ORG.CODE_INVALID', why ? REFUSAL_TEXT[why] : undefined);
        }
      }
      // Granting is idempotent: a retry after a crash here finishes what the claim paid for.
      await grant(ctx, user, code.role, code.communityId, code.gridId ? [code.gridId] : []);
      const community = await getDoc<Community>(ctx, 'communities', code.communityId);
      return { role: code.role, gridId: code.gridId, communityName: community?.name ?? '', fresh };
    },
  },

  'org.planAssignment': {
    input: z.object({ pins: z.array(pin).max(500) }).strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const data = await assignData(ctx, admin.communityId);
      checkPins(data, input.pins);
      const plan = assignGridworkers({ ...data.input, pinned: input.pins });
      return planView(data, plan, fingerprint(data.grids, data.workers), input.pins);
    },
  },

  'org.applyAssignment': {
    input: z.object({ basis: idString(), parts: z.array(pin).max(5000) }).strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const data = await assignData(ctx, admin.communityId);
      checkPins(data, input.parts);
      const target = targetOf(data, input.parts);
      const current = fingerprint(data.grids, data.workers);
      const wanted = fingerprint(target.grids, target.workers);
      const summary = { grids: target.grids.length, workers: target.workers.length };
      if (current === wanted) return { ...summary, changed: false };
      const runs = ctx.db.collection('assignRuns');
      const runId = `assign:${admin.communityId}`;
      const run = await getDoc<AssignRunDoc>(ctx, 'assignRuns', runId);
      // A run cut short (crash, timeout) is resumed by applying the same plan again; any other
      // plan must start from the state it was made on.
      const resuming = run?.state === 'applying' && run.target === wanted;
      if (!resuming && current !== input.basis) throw new AppError('COMMON.CONFLICT', '网格分配已被修改，请重新生成方案');
      await runs.doc(runId).set({ target: wanted, state: 'applying', at: ctx.now.toISOString(), by: ctx.caller.openid });
      await inBatches(target.grids, (g) => ctx.db.collection('grids').doc(g._id).update({ gridworkerIds: g.gridworkerIds, groupLeaderIds: g.groupLeaderIds }));
      // Only people who still hold a grid role get grids (a role revoked meanwhile stays revoked).
      const _ = ctx.db.command;
      await inBatches(target.workers, (w) =>
        ctx.db.collection('users').where({ _id: w._id, roles: _.in(['gridworker', 'groupLeader']) }).update({ adminGridIds: w.adminGridIds }),
      );
      await runs.doc(runId).update({ state: 'done' });
      return { ...summary, changed: true };
    },
  },

  'org.dashboard': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const admin = await requireAdmin(ctx);
      const [community, grids] = await Promise.all([mustGet<Community>(ctx, 'communities', admin.communityId, '社区'), all<Grid>(ctx, 'grids', { communityId: admin.communityId })]);
      const stats = await loadStats(ctx, admin.communityId, grids, ctx.now);
      const staff = await usersById(ctx, [...new Set(grids.flatMap((g) => g.gridworkerIds))]);
      const rows = grids.map((g) => {
        const s = stats.get(g._id);
        if (!s) throw new Error(`no stats for ${g._id}`);
        const { buildings: _b, ledger: _l, notContacted, gridId: _g, day: _d, ...counts } = s;
        return { ...counts, gridId: g._id, gridName: g.name, gridworkers: g.gridworkerIds.map((w) => staff.get(w)?.nickName ?? w), notContacted: notContacted.length };
      });
      return { communityName: community.name, day: chinaDay(ctx.now), totals: sumCounts(rows), grids: rows };
    },
  },
});
