/**
 * 重点人员 ledger: returnees, home isolation (start, end), code colour, and the gridworker's daily
 * check-in (one per person per China day: a retried or repeated check-in changes nothing). Health
 * data: seen and written only by that grid's gridworker and the community admin (not group
 * leaders or volunteers), names masked, and deleted by the purge (core/privacy/purge.ts).
 */
import { AppError } from '../../../core/errors';
import { maskName } from '../../../core/mask';
import { chinaDay } from '../../../core/time';
import type { KeyPersonView } from '../../../typings/api';
import type { Grid, KeyPersonDoc } from '../../../typings/entities';
import { CODE_COLORS, KEY_PERSON_KINDS } from '../../../typings/values';
import { getByIds, getDoc, mustGet } from '../../lib/access';
import { isDuplicateError } from '../../lib/db-errors';
import { defineActions, type UserContext } from '../../lib/define-function';
import { all, pageFields } from '../../lib/query';
import { findUser } from '../../lib/users';
import { dateString, note, text, z } from '../../lib/validate';
import { resultGrids } from './results';
import { id, keyPage, maySeeResults, walkingCompare } from './shared';

const NOT_YOURS = '重点人员台账仅限社区管理员和本网格的网格员';

/** The caller may keep this grid's ledger (its gridworker, the community admin), else AUTH.NOT_GRIDWORKER. */
async function requireLedger(ctx: UserContext, grid: Pick<Grid, '_id' | 'communityId'>): Promise<void> {
  const user = await findUser(ctx);
  if (!maySeeResults(user, grid)) throw new AppError('AUTH.NOT_GRIDWORKER', NOT_YOURS);
}

async function personViews(ctx: UserContext, docs: KeyPersonDoc[], today: string): Promise<KeyPersonView[]> {
  if (docs.length === 0) return [];
  const [households, buildings] = await Promise.all([
    getByIds(
      ctx,
      'households',
      docs.map((d) => d.householdId),
    ),
    getByIds(
      ctx,
      'buildings',
      docs.map((d) => d.buildingId),
    ),
  ]);
  const byId = new Map(households.map((h) => [h._id, h]));
  const names = new Map(buildings.map((b) => [b._id, b.name]));
  return docs.map((d) => {
    const h = byId.get(d.householdId);
    return {
      id: d._id,
      householdId: d.householdId,
      memberId: d.memberId,
      buildingName: names.get(d.buildingId) ?? '',
      room: h?.room ?? '',
      nameMasked: maskName(h?.members.find((m) => m.id === d.memberId)?.name ?? ''),
      kinds: d.kinds,
      from: d.from,
      returnedOn: d.returnedOn,
      isolationStart: d.isolationStart,
      isolationEnd: d.isolationEnd,
      isolating: Boolean(d.isolationStart && d.isolationEnd && d.isolationStart <= today && today <= d.isolationEnd),
      codeColor: d.codeColor,
      note: d.note,
      checkedToday: d.lastCheckDay === today,
      lastCheckDay: d.lastCheckDay,
      checks: d.checks,
    };
  });
}

const optionalDay = dateString().nullable().optional();

export const ledgerActions = defineActions('testing', {
  'testing.keyPersons': {
    input: z.object({ gridId: id.optional(), kind: z.enum(KEY_PERSON_KINDS).optional(), ...pageFields }).strict(),
    async handle(ctx, input) {
      const grids = await resultGrids(ctx);
      const grid = input.gridId ? grids.find((g) => g._id === input.gridId) : grids[0];
      if (!grid) throw new AppError('AUTH.NOT_GRIDWORKER', NOT_YOURS);
      const today = chinaDay(ctx.now);
      // A grid's ledger is tens of people: read whole, sorted in walking order.
      const docs = await all(ctx, 'keyPersons', { gridId: grid._id });
      const views = await personViews(ctx, docs, today);
      const counts = {
        total: views.length,
        checkedToday: views.filter((v) => v.checkedToday).length,
        isolating: views.filter((v) => v.isolating).length,
        red: views.filter((v) => v.codeColor === 'red').length,
        yellow: views.filter((v) => v.codeColor === 'yellow').length,
      };
      const keyOf = (v: KeyPersonView) => [v.buildingName, v.room, v.id];
      const sorted = views
        .filter((v) => !input.kind || v.kinds.includes(input.kind))
        .sort((a, b) => walkingCompare(keyOf(a), keyOf(b)));
      return {
        ...keyPage(sorted, keyOf, walkingCompare, input),
        gridId: grid._id,
        gridName: grid.name,
        grids: grids.map((g) => ({ id: g._id, name: g.name })),
        today,
        counts,
      };
    },
  },

  'testing.saveKeyPerson': {
    input: z
      .object({
        householdId: id,
        memberId: id,
        kinds: z.array(z.enum(KEY_PERSON_KINDS)).min(1).max(KEY_PERSON_KINDS.length),
        from: text(40, 0).optional(),
        returnedOn: optionalDay,
        isolationStart: optionalDay,
        isolationEnd: optionalDay,
        codeColor: z.enum(CODE_COLORS),
        note: note(200).optional(),
      })
      .strict(),
    async handle(ctx, input) {
      const household = await mustGet(ctx, 'households', input.householdId, '住户');
      await requireLedger(ctx, { _id: household.gridId, communityId: household.communityId });
      if (!household.members.some((m) => m.id === input.memberId))
        throw new AppError('COMMON.NOT_FOUND', '该住户没有这位成员');
      const start = input.isolationStart ?? null;
      const end = input.isolationEnd ?? null;
      if (Boolean(start) !== Boolean(end))
        throw new AppError('COMMON.INVALID_INPUT', '居家隔离需要同时填写开始和结束日期', [
          { path: start ? 'isolationEnd' : 'isolationStart', message: '请填写隔离起止日期' },
        ]);
      if (start && end && end < start)
        throw new AppError('COMMON.INVALID_INPUT', '隔离结束日期不能早于开始日期', [
          { path: 'isolationEnd', message: '结束日期早于开始日期' },
        ]);
      const _id = `${household._id}:${input.memberId}`;
      const fields = {
        kinds: [...new Set(input.kinds)],
        from: input.from ?? '',
        returnedOn: input.returnedOn ?? null,
        isolationStart: start,
        isolationEnd: end,
        codeColor: input.codeColor,
        note: input.note ?? '',
        updatedAt: ctx.now.toISOString(),
      };
      // One entry per person: saving again (or a retried tap) updates it.
      try {
        await ctx.db.collection('keyPersons').add({
          _id,
          communityId: household.communityId,
          gridId: household.gridId,
          buildingId: household.buildingId,
          householdId: household._id,
          memberId: input.memberId,
          ...fields,
          lastCheckDay: null,
          checks: 0,
          createdBy: ctx.caller.openid,
          createdAt: ctx.now.toISOString(),
        });
      } catch (error) {
        if (!isDuplicateError(error)) throw error;
        await ctx.db.collection('keyPersons').doc(_id).update(fields);
      }
      const saved = await mustGet(ctx, 'keyPersons', _id, '重点人员');
      return (await personViews(ctx, [saved], chinaDay(ctx.now)))[0] as KeyPersonView;
    },
  },

  'testing.checkKeyPerson': {
    input: z
      .object({ personId: id, codeColor: z.enum(CODE_COLORS), symptoms: z.boolean(), note: note(100).optional() })
      .strict(),
    async handle(ctx, input) {
      const person = await getDoc(ctx, 'keyPersons', input.personId);
      if (!person) throw new AppError('COMMON.NOT_FOUND', '没有找到这位重点人员');
      await requireLedger(ctx, { _id: person.gridId, communityId: person.communityId });
      const day = chinaDay(ctx.now);
      let duplicate = false;
      try {
        await ctx.db.collection('keyPersonChecks').add({
          _id: `${person._id}:${day}`,
          personId: person._id,
          communityId: person.communityId,
          gridId: person.gridId,
          day,
          codeColor: input.codeColor,
          symptoms: input.symptoms,
          note: input.note ?? '',
          by: ctx.caller.openid,
          at: ctx.now.toISOString(),
        });
      } catch (error) {
        if (!isDuplicateError(error)) throw error;
        duplicate = true;
      }
      const check = await mustGet(ctx, 'keyPersonChecks', `${person._id}:${day}`, '打卡记录');
      // Counted once per day even when the check-in is retried after a crash (the condition is the day).
      const _ = ctx.db.command;
      await ctx.db
        .collection('keyPersons')
        .where({ _id: person._id, lastCheckDay: _.neq(day) })
        .update({ lastCheckDay: day, checks: _.inc(1), codeColor: check.codeColor, updatedAt: ctx.now.toISOString() });
      return { personId: person._id, day, duplicate, codeColor: check.codeColor };
    },
  },
});
