/**
 * The purge after the emergency (core/privacy/purge.ts says what goes): run by the org function's
 * timer. A due declaration is moved to `purging` with what it will delete counted once; then the
 * anonymous aggregates are written, then each step of the plan runs in batches until nothing
 * matches it. Progress is the data itself (what is deleted no longer matches) plus the steps
 * marked done, so a tick cut short by a crash or the time limit continues on the next tick; the
 * record is added under the declaration's id (a second add meets the first) before the status
 * moves to `purged`. The same timer deletes access-log entries older than the retention period.
 */
import {
  accessLogCutoff,
  aggregate,
  AGGREGATE_STEP,
  DEFAULT_RETENTION_DAYS,
  EMERGENCY_END_MACHINE,
  nextStep,
  PURGE_PLAN,
  purgeDue,
  REWRITES,
  type PurgeStep,
} from '../../../core/privacy/purge';
import { chinaDay } from '../../../core/time';
import type { EmergencyEndDoc, PurgeCounts, PurgeRecordDoc } from '../../../typings/entities';
import { isDuplicateError } from '../../lib/db-errors';
import type { CallContext } from '../../lib/define-function';
import { BATCH, batchOf, removeAll, removeIds, toQuery, valueAt } from '../../lib/erase';
import { deleteStorageFiles } from '../../lib/files';
import { all } from '../../lib/query';
import type { CollectionName } from '../../lib/schema';
import { transition } from '../../lib/transition';

/** Batches one tick may run (CloudBase stops a function after its timeout; the rest waits for the next tick). */
export const TICK_BATCHES = 60;

/** Options of one run (tests shrink the batch and the budget, or stop it halfway as a crash would). */
export interface PurgeRunOptions {
  maxBatches?: number;
  batchSize?: number;
  /** Called after each batch's writes (a throw here stands for the function dying there). */
  afterBatch?: (step: string) => void | Promise<void>;
}

/** What one tick did. */
export interface PurgeTickResult {
  /** Declarations worked on this tick. */
  running: string[];
  /** Declarations whose purge finished this tick. */
  finished: string[];
  batches: number;
  accessLogDeleted: number;
}

/** The grids of a community (steps of collections without a community field match by grid). */
async function gridIdsOf(ctx: CallContext, communityId: string): Promise<string[]> {
  return (await all(ctx, 'grids', { communityId }, { communityId: true })).map((g) => g._id);
}

/** The query of one step within a community. */
function stepWhere(ctx: CallContext, step: PurgeStep, communityId: string, gridIds: readonly string[]): object {
  const _ = ctx.db.command;
  const scope = step.scope === 'community' ? { communityId } : { gridId: _.in([...gridIds]) };
  const parts: object[] = [scope, toQuery(ctx, step.match)];
  if (step.any?.length) parts.push(_.or(step.any.map((m) => toQuery(ctx, m))));
  return _.and(parts);
}

/** What the purge would delete now, per step, and the files among it (reads only). */
export async function dryRun(ctx: CallContext, communityId: string): Promise<{ counts: PurgeCounts; files: number }> {
  const gridIds = await gridIdsOf(ctx, communityId);
  const counts: PurgeCounts = {};
  let files = 0;
  await Promise.all(
    PURGE_PLAN.map(async (step) => {
      const res = await ctx.db
        .collection(step.collection)
        .where(stepWhere(ctx, step, communityId, gridIds))
        .count();
      counts[step.id] = res.total ?? 0;
      if (step.fileField) files += res.total ?? 0;
    }),
  );
  return { counts, files };
}

/** Writes the anonymous aggregates of a community (set whole: writing them again writes the same). */
async function writeAggregates(ctx: CallContext, end: EmergencyEndDoc, gridIds: readonly string[]): Promise<number> {
  const _ = ctx.db.command;
  const { communityId } = end;
  const inGrids = { gridId: _.in([...gridIds]) };
  const [samples, rounds, bookings, knocks, contacts, orders, households, careNeeds] = await Promise.all([
    all(ctx, 'samples', { communityId }, { gridId: true, roundId: true, result: true }),
    all(ctx, 'testRounds', { communityId }, { date: true }),
    all(ctx, 'bookings', inGrids, { gridId: true, date: true }),
    all(ctx, 'knocks', inGrids, { gridId: true, day: true }),
    all(ctx, 'contacts', inGrids, { gridId: true, day: true }),
    all(ctx, 'orders', { communityId }, { gridId: true, createdAt: true, status: true, kind: true, priority: true }),
    all(ctx, 'households', { communityId, priority: true }, { gridId: true, priority: true }),
    all(ctx, 'careNeeds', { communityId }, { gridId: true }),
  ]);
  const rows = aggregate(
    {
      samples,
      roundDays: new Map(rounds.map((r) => [r._id, r.date])),
      bookings,
      knocks,
      contacts,
      orders,
      households,
      careNeeds,
    },
    communityId,
    end.declarationId,
    chinaDay(new Date(end.declaredAt)),
  );
  for (let i = 0; i < rows.length; i += 16)
    await Promise.all(
      rows.slice(i, i + 16).map(({ _id, ...row }) => ctx.db.collection('dailyAggregates').doc(_id).set(row)),
    );
  return rows.length;
}

/** One batch of a step: deletes (or clears) up to `size` matching documents and their files; answers how many. */
async function runBatch(ctx: CallContext, step: PurgeStep, where: object, size: number): Promise<number> {
  const collection = step.collection as CollectionName;
  const docs = await batchOf<{ _id: string }>(ctx, collection, where, size);
  if (!docs.length) return 0;
  const ids = docs.map((d) => d._id);
  if (step.fileField) {
    // The files first: a crash after this leaves the reference, and the next batch meets the file gone.
    const fileField = step.fileField;
    await deleteStorageFiles(
      docs.map((d) => valueAt(d, fileField)).filter((f): f is string => typeof f === 'string' && f.length > 0),
    );
  }
  const _ = ctx.db.command;
  if (step.action === 'delete') await removeIds(ctx, collection, ids, where);
  else if (step.set)
    await ctx.db
      .collection(collection)
      .where(_.and([where, { _id: _.in(ids) }]))
      .update(step.set);
  else if (step.rewrite) {
    const rewrite = REWRITES[step.rewrite] as (doc: unknown) => Record<string, unknown>;
    for (let i = 0; i < docs.length; i += 16)
      await Promise.all(
        docs.slice(i, i + 16).map((d) =>
          ctx.db
            .collection(collection)
            .where(_.and([where, { _id: d._id }]))
            .update(rewrite(d)),
        ),
      );
  }
  return docs.length;
}

/** Marks a step of this declaration done. */
async function markDone(ctx: CallContext, end: EmergencyEndDoc, step: string, patch: object = {}): Promise<void> {
  const _ = ctx.db.command;
  await ctx.db
    .collection('emergencyEnds')
    .where({ _id: end._id, declarationId: end.declarationId, status: 'purging' })
    .update({ ...patch, doneSteps: _.addToSet(step), updatedAt: ctx.now.toISOString() });
  end.doneSteps = [...new Set([...end.doneSteps, step])];
}

/** Moves a due declaration to `purging`, counting once what it will delete; null if someone undid it first. */
async function begin(ctx: CallContext, end: EmergencyEndDoc): Promise<EmergencyEndDoc | null> {
  if (end.status === 'purging') return end;
  const { counts, files } = await dryRun(ctx, end.communityId);
  const at = ctx.now.toISOString();
  const patch = { planned: counts, plannedFiles: files, purgeStartedAt: at, doneSteps: [], updatedAt: at };
  const moved = await transition(
    ctx.db,
    'emergencyEnds',
    { _id: end._id, declarationId: end.declarationId },
    EMERGENCY_END_MACHINE,
    'begin',
    'system',
    patch,
  );
  return moved.updated ? { ...end, ...patch, status: 'purging' } : null;
}

/** Writes the record (once: its id is the declaration's) and moves the declaration to `purged`. */
async function finish(ctx: CallContext, end: EmergencyEndDoc): Promise<void> {
  const at = ctx.now.toISOString();
  const record: PurgeRecordDoc = {
    _id: end.declarationId,
    communityId: end.communityId,
    declarationId: end.declarationId,
    declaredAt: end.declaredAt,
    declaredBy: end.declaredBy,
    retentionDays: end.retentionDays,
    startedAt: end.purgeStartedAt ?? at,
    finishedAt: at,
    counts: end.planned ?? {},
    files: end.plannedFiles,
    aggregates: end.aggregates,
  };
  try {
    await ctx.db.collection('purgeRecords').add(record);
  } catch (error) {
    if (!isDuplicateError(error)) throw error;
  }
  const _ = ctx.db.command;
  await transition(
    ctx.db,
    'emergencyEnds',
    { _id: end._id, declarationId: end.declarationId },
    EMERGENCY_END_MACHINE,
    'finish',
    'system',
    {
      purgedAt: at,
      updatedAt: at,
      history: _.push([{ declarationId: end.declarationId, event: 'purge', at, by: 'system' }]),
    },
  );
}

/** Runs one declaration's purge as far as the budget allows; answers batches used and whether it finished. */
async function purgeOne(
  ctx: CallContext,
  due: EmergencyEndDoc,
  budget: number,
  options: PurgeRunOptions,
): Promise<{ batches: number; finished: boolean }> {
  const end = await begin(ctx, due);
  if (!end) return { batches: 0, finished: false };
  const gridIds = await gridIdsOf(ctx, end.communityId);
  const size = options.batchSize ?? BATCH;
  let batches = 0;
  for (let id = nextStep(end.doneSteps); id !== null; id = nextStep(end.doneSteps)) {
    if (batches >= budget) return { batches, finished: false };
    if (id === AGGREGATE_STEP) {
      const written = await writeAggregates(ctx, end, gridIds);
      batches += 1;
      await options.afterBatch?.(id);
      await markDone(ctx, end, id, { aggregates: written });
      end.aggregates = written;
      continue;
    }
    const step = PURGE_PLAN.find((s) => s.id === id) as PurgeStep;
    const where = stepWhere(ctx, step, end.communityId, gridIds);
    const n = await runBatch(ctx, step, where, size);
    if (n === 0) {
      await markDone(ctx, end, id);
      continue;
    }
    batches += 1;
    await options.afterBatch?.(id);
  }
  await finish(ctx, end);
  return { batches, finished: true };
}

/** Deletes access-log entries older than each community's retention period. */
async function expireAccessLog(ctx: CallContext, ends: readonly EmergencyEndDoc[]): Promise<number> {
  const _ = ctx.db.command;
  const custom = ends.filter((e) => e.retentionDays !== DEFAULT_RETENTION_DAYS);
  let deleted = await removeAll(ctx, 'accessLog', {
    communityId: _.nin(custom.map((e) => e.communityId)),
    at: _.lt(accessLogCutoff(ctx.now, DEFAULT_RETENTION_DAYS).toISOString()),
  });
  for (const e of custom)
    deleted += await removeAll(ctx, 'accessLog', {
      communityId: e.communityId,
      at: _.lt(accessLogCutoff(ctx.now, e.retentionDays).toISOString()),
    });
  return deleted;
}

/** One tick of the purge timer: every due declaration (within the budget), then the access log. */
export async function purgeTick(ctx: CallContext, options: PurgeRunOptions = {}): Promise<PurgeTickResult> {
  const ends = await all(ctx, 'emergencyEnds', {});
  const result: PurgeTickResult = { running: [], finished: [], batches: 0, accessLogDeleted: 0 };
  const budget = options.maxBatches ?? TICK_BATCHES;
  for (const end of ends.filter((e) => purgeDue(e, ctx.now))) {
    if (result.batches >= budget) break;
    result.running.push(end.declarationId);
    const done = await purgeOne(ctx, end, budget - result.batches, options);
    result.batches += done.batches;
    if (done.finished) result.finished.push(end.declarationId);
  }
  result.accessLogDeleted = await expireAccessLog(ctx, ends);
  return result;
}
