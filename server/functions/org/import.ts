/** The spreadsheet import of grids, buildings and households (repeatable: every write is add-once), and its template. */
import { newHousehold } from '../../../core/org/new-household';
import { AppError } from '../../../core/errors';
import { planImport, validateImport } from '../../../core/org/import';
import type { ImportReport } from '../../../typings/api';
import type { Building, Grid } from '../../../typings/entities';
import { cloudApp, isLocal } from '../../lib/cloud';
import { defineActions, type UserContext } from '../../lib/define-function';
import { workbook } from '../../lib/excel';
import { requireAdmin } from '../../lib/users';
import { idString, text, z } from '../../lib/validate';
import { all } from '../../lib/query';
import { addOnce, inBatches, recount } from './shared';
import { MAX_IMPORT_BYTES, readTable } from './sheet';

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
async function importFile(
  ctx: UserContext,
  communityId: string,
  table: string[][],
  dryRun: boolean,
): Promise<ImportReport> {
  const { rows, errors } = validateImport(table);
  const empty = { created: 0, existing: 0 };
  const report: ImportReport = {
    rows: rows.length + new Set(errors.map((e) => e.row)).size,
    errors,
    applied: false,
    grids: empty,
    buildings: empty,
    households: empty,
  };
  if (errors.length) return report;
  const [grids, buildings, households] = await Promise.all([
    all(ctx, 'grids', { communityId }),
    all(ctx, 'buildings', { communityId }),
    all(ctx, 'households', { communityId }, { _id: true, buildingId: true, room: true }),
  ]);
  const plan = planImport(rows, { communityId, grids, buildings, households });
  const count = <T extends { isNew: boolean }>(list: T[]) => ({
    created: list.filter((x) => x.isNew).length,
    existing: list.filter((x) => !x.isNew).length,
  });
  Object.assign(report, {
    errors: plan.errors,
    grids: count(plan.grids),
    buildings: count(plan.buildings),
    households: count(plan.households),
  });
  if (plan.errors.length || dryRun) return report;

  const now = ctx.now.toISOString();
  await inBatches(
    plan.grids.filter((g) => g.isNew),
    (g) =>
      addOnce(ctx, 'grids', {
        _id: g._id,
        communityId,
        name: g.name,
        buildingIds: [],
        gridworkerIds: [],
        groupLeaderIds: [],
        householdCount: 0,
      } satisfies Grid),
  );
  await inBatches(
    plan.buildings.filter((b) => b.isNew),
    (b) =>
      addOnce(ctx, 'buildings', {
        _id: b._id,
        communityId,
        gridId: b.gridId,
        name: b.name,
        floors: b.floors,
        hasLift: b.floors > 7,
        distanceM: 0,
      } satisfies Building),
  );
  // Each grid's building list: what is stored plus the file's (a set, so repeating changes nothing).
  const stored = new Map(grids.map((g) => [g._id, g.buildingIds]));
  await inBatches(plan.grids, (g) => {
    const ids = new Set([
      ...(stored.get(g._id) ?? []),
      ...plan.buildings.filter((b) => b.gridId === g._id).map((b) => b._id),
    ]);
    return ctx.db
      .collection('grids')
      .doc(g._id)
      .update({ buildingIds: [...ids] });
  });
  await inBatches(
    plan.households.filter((h) => h.isNew),
    (h) =>
      addOnce(
        ctx,
        'households',
        newHousehold({
          _id: h._id,
          communityId,
          gridId: h.gridId,
          buildingId: h.buildingId,
          room: h.row.room,
          floor: h.row.floor,
          headName: h.row.headName,
          phone: h.row.phone,
          memberNames: h.row.members,
          createdAt: now,
        }),
      ),
  );
  await inBatches(plan.grids, (g) => recount(ctx, g._id));
  report.applied = true;
  return report;
}

export const importActions = defineActions('org', {
  'org.import': {
    input: z
      .object({
        fileName: text(100),
        base64: z
          .string()
          .max(Math.ceil((MAX_IMPORT_BYTES * 4) / 3) + 4, '文件太大（最大 2 MB），请分批导入')
          .regex(/^[A-Za-z0-9+/=]*$/, '文件内容应为 base64 编码')
          .optional(),
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
          columns: ['网格', '楼栋', '单元', '房号', '户主', '电话', '人数'].map((header) => ({
            header,
            width: header === '电话' ? 16 : 12,
          })),
          rows: [
            ['第1网格', '1号楼', '1', '101', '张三', '13800000000', 3],
            ['第1网格', '1号楼', '2', '502', '次仁卓玛', '0891-6320000', '次仁卓玛、扎西'],
          ],
        },
      ]);
    },
  },
});
