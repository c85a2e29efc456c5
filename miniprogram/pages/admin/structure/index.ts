/**
 * 网格管理: the community's grids and buildings (add, rename), and importing the household
 * spreadsheet (Excel or CSV): checked first, every bad row listed, imported only when clean.
 */
import type { ImportReport, StructureView } from '../../../../typings/api';
import { ApiError, call } from '../../../services/api';
import { openExport } from '../../../utils/export';
import { showError, showSuccess } from '../../../utils/feedback';
import { byNatural } from '../../../generated/natural-sort';

/** Largest file the import takes (the server checks it too). */
const MAX_BYTES = 2 * 1024 * 1024;

interface PickedFile {
  name: string;
  base64: string;
}

function chooseSheet(): Promise<{ path: string; name: string; size: number } | null> {
  return new Promise((resolve) => {
    wx.chooseMessageFile({
      count: 1,
      type: 'file',
      extension: ['xlsx', 'csv'],
      success: (res) => {
        const f = res.tempFiles[0];
        resolve(f ? { path: f.path, name: f.name, size: f.size } : null);
      },
      fail: () => resolve(null), // cancelled
    });
  });
}

function readBase64(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    wx.getFileSystemManager().readFile({
      filePath: path,
      encoding: 'base64',
      success: (res) => resolve(res.data as string),
      fail: reject,
    });
  });
}

/** Grids and their buildings in natural order (第2网格 before 第10网格, 2号楼 before 10号楼). */
export function sortedStructure(s: StructureView): StructureView {
  return {
    ...s,
    grids: [...s.grids]
      .sort(byNatural((g) => g.name))
      .map((g) => ({ ...g, buildings: [...g.buildings].sort(byNatural((b) => b.name)) })),
  };
}

function reportView(r: ImportReport) {
  return {
    ...r,
    errorRows: r.errors.map((e) => ({
      key: `${e.row}-${e.column ?? ''}-${e.message}`,
      text: `第 ${e.row} 行${e.column ? ` · ${e.column}` : ''}：${e.message}`,
    })),
    summary: `共 ${r.rows} 行：网格 新增 ${r.grids.created}、已有 ${r.grids.existing}；楼栋 新增 ${r.buildings.created}、已有 ${r.buildings.existing}；住户 新增 ${r.households.created}、已有 ${r.households.existing}`,
  };
}

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    structure: null as StructureView | null,
    gridName: '',
    report: null as ReturnType<typeof reportView> | null,
    fileName: '',
    checking: false,
    importing: false,
    editing: false,
    building: { gridId: '', gridName: '', name: '', floors: '', distanceM: '', hasLift: false },
    _file: null as PickedFile | null,
  },
  methods: {
    async onLoad() {
      await this.load();
    },
    async load() {
      try {
        const structure = sortedStructure(await call('org.structure', {}));
        this.setData({ loading: false, structure });
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    onGridName(e: WechatMiniprogram.CustomEvent<{ value: string }>) {
      this.setData({ gridName: e.detail.value });
    },
    async addGrid() {
      const name = this.data.gridName.trim();
      if (!name) return showError(this, new ApiError('COMMON.INVALID_INPUT', '请填写网格名称'));
      try {
        const structure = sortedStructure(await call('org.saveGrid', { name }));
        this.setData({ structure, gridName: '' });
        showSuccess(this, '已添加网格');
      } catch (error) {
        showError(this, error);
      }
      return undefined;
    },
    askBuilding(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string; name: string }>) {
      const { id, name } = e.currentTarget.dataset;
      this.setData({
        editing: true,
        building: { gridId: id, gridName: name, name: '', floors: '', distanceM: '', hasLift: false },
      });
    },
    onBuildingInput(
      e: WechatMiniprogram.CustomEvent<
        { value: string },
        Record<string, never>,
        { field: 'name' | 'floors' | 'distanceM' }
      >,
    ) {
      this.setData({ [`building.${e.currentTarget.dataset.field}`]: e.detail.value.trim() });
    },
    toggleLift() {
      this.setData({ 'building.hasLift': !this.data.building.hasLift });
    },
    closeBuilding() {
      this.setData({ editing: false });
    },
    async saveBuilding() {
      const b = this.data.building;
      const floors = Number(b.floors);
      if (!b.name || !Number.isInteger(floors) || floors < 1)
        return showError(this, new ApiError('COMMON.INVALID_INPUT', '请填写楼栋名称和楼层数'));
      try {
        const structure = sortedStructure(
          await call('org.saveBuilding', {
            gridId: b.gridId,
            name: b.name,
            floors,
            hasLift: b.hasLift,
            distanceM: Number(b.distanceM) || 0,
          }),
        );
        this.setData({ structure, editing: false });
        showSuccess(this, '已添加楼栋');
      } catch (error) {
        showError(this, error);
      }
      return undefined;
    },
    /** Opens the import template (Excel) to fill in or forward. */
    async downloadTemplate() {
      try {
        await openExport(await call('org.importTemplate', {}));
      } catch (error) {
        showError(this, error);
      }
    },
    /** Picks a spreadsheet and checks it (nothing is written yet). */
    async pickFile() {
      const picked = await chooseSheet();
      if (!picked) return;
      if (picked.size > MAX_BYTES)
        return showError(this, new ApiError('COMMON.INVALID_INPUT', '文件太大（最大 2 MB），请分批导入'));
      this.setData({ checking: true, report: null, fileName: picked.name });
      try {
        const file = { name: picked.name, base64: await readBase64(picked.path) };
        const report = await call('org.import', { fileName: file.name, base64: file.base64, dryRun: true });
        this.setData({ checking: false, report: reportView(report), _file: file });
      } catch (error) {
        this.setData({ checking: false });
        showError(this, error);
      }
    },
    /** Imports the checked file (the server validates it again and writes all of it or nothing). */
    async confirmImport() {
      const file = this.data._file;
      if (!file) return;
      this.setData({ importing: true });
      try {
        const report = await call('org.import', { fileName: file.name, base64: file.base64, dryRun: false });
        this.setData({ importing: false, report: reportView(report) });
        if (report.applied) {
          showSuccess(this, `已导入 ${report.households.created} 户`);
          await this.load();
        }
      } catch (error) {
        this.setData({ importing: false });
        showError(this, error);
      }
    },
  },
});
