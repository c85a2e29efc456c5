/**
 * The end of the emergency (解封), community admin only: declare it over with a retention
 * period, see what the purge will delete (a dry run: reads only), undo the declaration before the
 * purge begins, and read the records of purges that ran and the access log.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../../../core/errors';
import { shownText, viewText } from '../../../core/privacy/access';
import {
  COLLECTION_FATES,
  DEFAULT_RETENTION_DAYS,
  EMERGENCY_END_MACHINE,
  MAX_RETENTION_DAYS,
  MIN_RETENTION_DAYS,
  PURGE_PLAN,
  purgeAtFor,
  totals,
} from '../../../core/privacy/purge';
import type { AccessLogView, EmergencyView, PurgeRecordView, PurgeStepView } from '../../../typings/api';
import type { EmergencyEndDoc, PurgeCounts, PurgeRecordDoc } from '../../../typings/entities';
import { getDoc, getByIds } from '../../lib/access';
import { isDuplicateError } from '../../lib/db-errors';
import { type CallContext, defineActions, type UserContext } from '../../lib/define-function';
import { mapPage, pageFields, pageOf } from '../../lib/query';
import { transition } from '../../lib/transition';
import { requireAdmin } from '../../lib/users';
import { int, z } from '../../lib/validate';
import { dryRun } from './purge';

/** What the closed account of a viewer or declarer is called. */
const CLOSED_NAME = '已注销用户';

function stepViews(counts: PurgeCounts): PurgeStepView[] {
  return PURGE_PLAN.map((s) => ({
    id: s.id,
    label: s.label,
    collection: s.collection,
    action: s.action,
    count: counts[s.id] ?? 0,
    files: s.fileField ? (counts[s.id] ?? 0) : 0,
  }));
}

/** Names of people by OPENID: a volunteer's registered name, else the account's name. */
async function namesOf(
  ctx: CallContext,
  openids: readonly string[],
): Promise<Map<string, { name: string; roles: string[] }>> {
  const ids = [...new Set(openids)];
  const [users, volunteers] = await Promise.all([getByIds(ctx, 'users', ids), getByIds(ctx, 'volunteers', ids)]);
  const out = new Map<string, { name: string; roles: string[] }>();
  for (const u of users) out.set(u._id, { name: u.nickName, roles: u.roles });
  for (const v of volunteers) if (v.name) out.set(v._id, { name: v.name, roles: out.get(v._id)?.roles ?? [] });
  return out;
}

function recordView(r: PurgeRecordDoc, names: ReadonlyMap<string, { name: string }>): PurgeRecordView {
  const steps = stepViews(r.counts);
  return {
    declarationId: r.declarationId,
    declaredAt: r.declaredAt,
    declaredByName: names.get(r.declaredBy)?.name ?? CLOSED_NAME,
    retentionDays: r.retentionDays,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    steps,
    documents: totals(r.counts, r.files).documents,
    files: r.files,
    aggregates: r.aggregates,
  };
}

/** What stays after the purge. */
const KEEPS = [
  '每个网格每天的匿名统计：采样人数、阴性 / 阳性人数、上门采样预约、敲门、联系户数、下单、送达、买药和优先订单数、特殊人群户数与台账数（不含任何个人）',
  ...Object.values(COLLECTION_FATES)
    .filter((f) => f.fate === 'cleared')
    .map((f) => f.why),
];

async function emergencyView(ctx: CallContext, communityId: string): Promise<EmergencyView> {
  const [end, run, records] = await Promise.all([
    getDoc(ctx, 'emergencyEnds', communityId),
    dryRun(ctx, communityId),
    ctx.db.collection('purgeRecords').where({ communityId }).orderBy('finishedAt', 'desc').limit(20).get(),
  ]);
  const recordDocs = records.data as PurgeRecordDoc[];
  const names = await namesOf(ctx, [...(end ? [end.declaredBy] : []), ...recordDocs.map((r) => r.declaredBy)]);
  const live = end?.status === 'declared' || end?.status === 'purging';
  return {
    status: end?.status ?? null,
    declarationId: end?.declarationId ?? null,
    retentionDays: end?.retentionDays ?? DEFAULT_RETENTION_DAYS,
    defaultRetentionDays: DEFAULT_RETENTION_DAYS,
    declaredAt: live ? (end?.declaredAt ?? null) : null,
    declaredByName: live && end ? (names.get(end.declaredBy)?.name ?? CLOSED_NAME) : null,
    purgeAt: live ? (end?.purgeAt ?? null) : null,
    purgedAt: end?.status === 'purged' ? end.purgedAt : null,
    canUndo: end?.status === 'declared',
    canDeclare: !live,
    dryRun: { steps: stepViews(run.counts), ...totals(run.counts, run.files) },
    keeps: KEEPS,
    records: recordDocs.map((r) => recordView(r, names)),
  };
}

/** This declaration's id: from the request id when there is one, so a retried tap declares once. */
function declarationIdOf(ctx: UserContext): string {
  const basis = ctx.requestId
    ? `${ctx.caller.openid}\u0000org.declareEnd\u0000${ctx.requestId}`
    : `${ctx.invocationId}\u0000${ctx.now.toISOString()}`;
  return `end-${createHash('sha256').update(basis).digest('hex').slice(0, 16)}`;
}

export const emergencyActions = defineActions('org', {
  'org.emergency': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const admin = await requireAdmin(ctx);
      return emergencyView(ctx, admin.communityId);
    },
  },

  'org.declareEnd': {
    input: z.object({ retentionDays: int(MIN_RETENTION_DAYS, MAX_RETENTION_DAYS) }).strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const communityId = admin.communityId;
      const declarationId = declarationIdOf(ctx);
      const at = ctx.now.toISOString();
      const fresh = {
        declarationId,
        retentionDays: input.retentionDays,
        declaredAt: at,
        declaredBy: ctx.caller.openid,
        purgeAt: purgeAtFor(ctx.now, input.retentionDays).toISOString(),
        undoneAt: null,
        undoneBy: null,
        purgeStartedAt: null,
        purgedAt: null,
        planned: null,
        plannedFiles: 0,
        aggregates: 0,
        doneSteps: [],
        updatedAt: at,
      };
      const event = { declarationId, event: 'declare' as const, at, by: ctx.caller.openid };
      const existing = await getDoc(ctx, 'emergencyEnds', communityId);
      if (existing?.declarationId === declarationId) return emergencyView(ctx, communityId); // a retried tap
      if (existing?.status === 'declared' || existing?.status === 'purging')
        throw new AppError('COMMON.CONFLICT', '已经宣布解封；如需修改保留期限，请先撤销再重新宣布');
      if (!existing) {
        const doc: EmergencyEndDoc = {
          _id: communityId,
          communityId,
          status: 'declared',
          ...fresh,
          history: [event],
        };
        try {
          await ctx.db.collection('emergencyEnds').add(doc);
        } catch (error) {
          if (!isDuplicateError(error)) throw error;
          throw new AppError('COMMON.CONFLICT', '刚刚已有人宣布解封，请刷新查看');
        }
      } else {
        const _ = ctx.db.command;
        const moved = await transition(
          ctx.db,
          'emergencyEnds',
          { _id: communityId, declarationId: existing.declarationId },
          EMERGENCY_END_MACHINE,
          'declare',
          'admin',
          { ...fresh, history: _.push([event]) },
        );
        if (!moved.updated) throw new AppError('COMMON.CONFLICT', '解封状态刚刚有变化，请刷新后再试');
      }
      return emergencyView(ctx, communityId);
    },
  },

  'org.undoEnd': {
    input: z.object({}).strict(),
    async handle(ctx) {
      const admin = await requireAdmin(ctx);
      const communityId = admin.communityId;
      const existing = await getDoc(ctx, 'emergencyEnds', communityId);
      if (existing?.status === 'purging' || existing?.status === 'purged')
        throw new AppError('COMMON.CONFLICT', '删除已经开始或已完成，不能撤销解封');
      if (existing?.status !== 'declared') throw new AppError('COMMON.CONFLICT', '现在没有可撤销的解封宣布');
      const at = ctx.now.toISOString();
      const _ = ctx.db.command;
      const moved = await transition(
        ctx.db,
        'emergencyEnds',
        { _id: communityId, declarationId: existing.declarationId },
        EMERGENCY_END_MACHINE,
        'undo',
        'admin',
        {
          undoneAt: at,
          undoneBy: ctx.caller.openid,
          updatedAt: at,
          history: _.push([{ declarationId: existing.declarationId, event: 'undo', at, by: ctx.caller.openid }]),
        },
      );
      // Not moved: the purge began in between (or another admin undid it): the view says which.
      if (!moved.updated) {
        const now = await getDoc(ctx, 'emergencyEnds', communityId);
        if (now?.status !== 'undone') throw new AppError('COMMON.CONFLICT', '删除已经开始，不能撤销解封');
      }
      return emergencyView(ctx, communityId);
    },
  },

  'org.accessLog': {
    input: z.object(pageFields).strict(),
    async handle(ctx, input) {
      const admin = await requireAdmin(ctx);
      const page = await pageOf(ctx, 'accessLog', { communityId: admin.communityId }, input, [
        { field: 'at', dir: 'desc' },
      ]);
      const names = await namesOf(
        ctx,
        page.items.map((e) => e.viewer),
      );
      return mapPage(page, (e): AccessLogView => ({
        id: e._id,
        at: e.at,
        viewerName: names.get(e.viewer)?.name ?? CLOSED_NAME,
        viewerRoles: names.get(e.viewer)?.roles ?? [],
        view: e.view,
        viewText: `${viewText(e.view)}（${shownText(e.shown)}）`,
        shown: e.shown,
        rows: e.rows,
        subject: e.subject,
      }));
    },
  },
});
