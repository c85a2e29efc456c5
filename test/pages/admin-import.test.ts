import type { ImportReport, StructureView } from '../../typings/api';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';

type StructureGrid = StructureView['grids'][number];

const grid: StructureGrid = {
  id: 'g-01',
  name: '第1网格',
  householdCount: 34,
  gridworkers: [{ openid: 'dev-gw-01', name: '网格员卓玛' }],
  groupLeaders: [],
  buildings: [{ id: 'b-001', name: '1号楼', floors: 6, hasLift: false, distanceM: 100, households: 34 }],
};
const structure: StructureView = { community: { id: 'c1', name: '幸福新村社区', district: '城关区' }, grids: [grid] };
const counts: Pick<ImportReport, 'grids' | 'buildings' | 'households'> = {
  grids: { created: 1, existing: 0 },
  buildings: { created: 1, existing: 0 },
  households: { created: 2, existing: 0 },
};

/** A picked file: wx.chooseMessageFile and the file system read it as base64. */
function pickFile(name: string, base64: string, size = 100) {
  Object.assign(wx, {
    chooseMessageFile: jest.fn((o: { success: (r: unknown) => void }) =>
      o.success({ tempFiles: [{ path: `wxfile://tmp/${name}`, name, size }] }),
    ),
  });
  (wx.getFileSystemManager as jest.Mock).mockImplementation(() => ({
    readFile: (o: { success: (r: { data: string }) => void }) => o.success({ data: base64 }),
  }));
}

describe('网格管理 page: import', () => {
  it('checks a file first and lists every bad row, importing nothing', async () => {
    pickFile('住户.csv', 'Y3N2');
    const { calls } = mockCall({
      'org.structure': () => ({ ok: true, data: structure }),
      'org.import': () => ({
        ok: true,
        data: {
          rows: 3,
          applied: false,
          ...counts,
          errors: [
            { row: 3, column: '电话', message: '电话应为 11 位手机号或带区号的座机号' },
            { row: 4, column: '房号', message: '与第 2 行是同一户（1号楼 1-101）' },
          ],
        },
      }),
    });
    const page = await loadPage('pages/admin/structure/index');
    expect(textOf(page)).toContain('第1网格 · 34 户');
    tapButton(page, '.org__pick');
    await flush();
    const text = textOf(page);
    expect(calls.filter((c) => c.action === 'org.import').map((c) => c.payload)).toEqual([
      { fileName: '住户.csv', base64: 'Y3N2', dryRun: true },
    ]);
    expect(text).toContain('有 2 处错误');
    expect(text).toContain('第 3 行 · 电话：电话应为 11 位手机号或带区号的座机号');
    expect(text).toContain('第 4 行 · 房号：与第 2 行是同一户');
    expect(page.querySelector('.org__confirm') ?? null).toBeNull();
    expect(textOf(page)).not.toContain('确认导入');
  });

  it('imports a clean file after the check, then shows the new structure', async () => {
    pickFile('住户.xlsx', 'UEsDBA==');
    let imported = false;
    const { calls } = mockCall({
      'org.structure': () => ({
        ok: true,
        data: imported
          ? { ...structure, grids: [grid, { ...grid, id: 'g-x', name: '新网格', householdCount: 2 }] }
          : structure,
      }),
      'org.import': (p) => {
        if (!p.dryRun) imported = true;
        return { ok: true, data: { rows: 2, errors: [], applied: !p.dryRun, ...counts } };
      },
    });
    const page = await loadPage('pages/admin/structure/index');
    tapButton(page, '.org__pick');
    await flush();
    expect(textOf(page)).toContain('住户 新增 2、已有 0');
    tapButton(page, '.org__confirm');
    await flush();
    expect(
      calls.filter((c) => c.action === 'org.import').map((c) => (c.payload as { dryRun: boolean }).dryRun),
    ).toEqual([true, false]);
    expect(textOf(page)).toContain('导入完成');
    expect(textOf(page)).toContain('新网格 · 2 户');
  });

  it('refuses a file over 2 MB before sending it', async () => {
    pickFile('big.xlsx', 'x', 3 * 1024 * 1024);
    const { calls } = mockCall({ 'org.structure': () => ({ ok: true, data: structure }) });
    const page = await loadPage('pages/admin/structure/index');
    tapButton(page, '.org__pick');
    await flush();
    expect(calls.some((c) => c.action === 'org.import')).toBe(false);
    expect(textOf(page)).toContain('文件太大');
  });
});
