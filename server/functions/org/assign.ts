/** The gridworker assignment: a plan from the pure solver (with pins), applied once. */
import { createHash } from 'node:crypto';
import { assignGridworkers, type AssignInput, type AssignPlan } from '../../../core/assign';
import { AppError } from '../../../core/errors';
import { naturalCompare } from '../../../core/natural-sort';
import type { AssignPinInput, AssignPlanView } from '../../../typings/api';
import type { Building, Grid, UserDoc } from '../../../typings/entities';
import { getDoc } from '../../lib/access';
import { type CallContext, defineActions } from '../../lib/define-function';
import { requireAdmin } from '../../lib/users';
import { idString, z } from '../../lib/validate';
import { all } from '../../lib/query';
import { id, inBatches } from './shared';

const pin = z.object({ gridId: id, workerId: id, buildingIds: z.array(id).max(200).optional() }).strict();

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
    all(ctx, 'grids', { communityId }),
    all(ctx, 'buildings', { communityId }),
    all(ctx, 'households', { communityId }, { buildingId: true, members: true, sensitiveConsentAt: true }),
    all(ctx, 'users', { communityId, roles: _.in(['gridworker', 'groupLeader']) }),
  ]);
  const profiles = workers.length ? await all(ctx, 'staff', { _id: _.in(workers.map((w) => w._id)) }) : [];
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
      const per = own.map((b) => ({
        id: b._id,
        ...(counts.get(b._id) ?? { households: 0, residents: 0, specialNeeds: 0 }),
      }));
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
    grids: [...data.input.grids]
      .sort((a, b) => naturalCompare(a.name ?? '', b.name ?? ''))
      .map((g) => ({
        gridId: g.id,
        gridName: g.name ?? '',
        households: g.households,
        specialNeeds: g.specialNeeds,
        reason: withNames(plan.reasons[g.id] ?? '', buildingName),
        workers: plan.parts
          .filter((p) => p.gridId === g.id)
          .map((p) => {
            const w = worker.get(p.workerId);
            return {
              workerId: p.workerId,
              name: w?.nickName ?? '（未登记姓名）',
              role: w ? workerRole(w) : 'gridworker',
              lead: plan.leadByGrid[g.id] === p.workerId,
              pinned:
                p.pinned || pins.some((x) => x.gridId === g.id && x.workerId === p.workerId && !x.buildingIds?.length),
              buildingIds: p.buildingIds,
              buildingNames: p.buildingIds.map((b) => buildingName.get(b) ?? '（未命名楼栋）'),
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
    uncovered: plan.uncovered.map((u) => ({
      gridId: u.gridId,
      gridName: gridName.get(u.gridId) ?? '',
      buildingNames: u.buildingIds.map((b) => buildingName.get(b) ?? '（未命名楼栋）'),
      reason: u.reason,
    })),
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
    if (p.buildingIds?.some((b) => !grid.buildingIds.includes(b)))
      throw new AppError('COMMON.INVALID_INPUT', `楼栋不属于${grid.name}`);
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
  const workers = data.workers.map((w) => ({
    ...w,
    adminGridIds: [...new Set(parts.filter((p) => p.workerId === w._id).map((p) => p.gridId))],
  }));
  return { grids, workers };
}

export const assignActions = defineActions('org', {
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
      const run = await getDoc(ctx, 'assignRuns', runId);
      // A run cut short (crash, timeout) is resumed by applying the same plan again; any other
      // plan must start from the state it was made on.
      const resuming = run?.state === 'applying' && run.target === wanted;
      if (!resuming && current !== input.basis)
        throw new AppError('COMMON.CONFLICT', '网格分配已被修改，请重新生成方案');
      await runs
        .doc(runId)
        .set({ target: wanted, state: 'applying', at: ctx.now.toISOString(), by: ctx.caller.openid });
      await inBatches(target.grids, (g) =>
        ctx.db
          .collection('grids')
          .doc(g._id)
          .update({ gridworkerIds: g.gridworkerIds, groupLeaderIds: g.groupLeaderIds }),
      );
      // Only people who still hold a grid role get grids (a role revoked meanwhile stays revoked).
      const _ = ctx.db.command;
      await inBatches(target.workers, (w) =>
        ctx.db
          .collection('users')
          .where({ _id: w._id, roles: _.in(['gridworker', 'groupLeader']) })
          .update({ adminGridIds: w.adminGridIds }),
      );
      await runs.doc(runId).update({ state: 'done' });
      return { ...summary, changed: true };
    },
  },
});
