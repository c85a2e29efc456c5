/**
 * The structure spreadsheet (网格, 楼栋, 单元, 房号, 户主, 电话, 人数): parsing and validation of
 * every row before anything is written, so a file with one bad row imports nothing.
 */
import type { ImportRowError } from '../../typings/api';
import { floorOf, MAX_MEMBERS, PHONE_PATTERN, ROOM_PATTERN } from '../household';
import { buildingIdFor, gridIdFor, householdIdFor } from './ids';

/** Most rows one import takes (a large community has a few thousand households). */
export const MAX_IMPORT_ROWS = 5000;

/** Columns of the spreadsheet. */
export type ImportColumn = 'grid' | 'building' | 'unit' | 'room' | 'head' | 'phone' | 'members';

/** Header names accepted for each column (Chinese as communities write them, or English). */
export const COLUMN_ALIASES: Record<ImportColumn, string[]> = {
  grid: ['网格', '网格名称', '所属网格', 'grid'],
  building: ['楼栋', '楼号', '楼栋号', 'building'],
  unit: ['单元', '单元号', 'unit'],
  room: ['房号', '房间号', '门牌号', '室', 'room'],
  head: ['户主', '户主姓名', '姓名', 'household head', 'head'],
  phone: ['电话', '手机', '手机号', '联系电话', 'phone'],
  members: ['人数', '家庭人数', '成员', '家庭成员', 'members'],
};

/** Column names as the report shows them. */
export const COLUMN_TEXT: Record<ImportColumn, string> = {
  grid: '网格',
  building: '楼栋',
  unit: '单元',
  room: '房号',
  head: '户主',
  phone: '电话',
  members: '人数',
};

const REQUIRED: ImportColumn[] = ['grid', 'building', 'room', 'head', 'phone', 'members'];
const LANDLINE = /^0\d{2,3}-?\d{7,8}$/;
const NAME = /^[^\s<>]{1,20}$/;

/** One valid row of the spreadsheet. */
export interface ImportRow {
  /** Row number as the spreadsheet shows it. */
  row: number;
  grid: string;
  building: string;
  /** Room label as the app keeps it: `unit-room` when a unit is given. */
  room: string;
  floor: number;
  headName: string;
  phone: string;
  /** Member names, the head first (unnamed members get a placeholder). */
  members: string[];
}

/** Parses CSV text (RFC 4180: quoted fields, doubled quotes, CRLF; a UTF-8 BOM is dropped). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i += 1) {
    const c = src[i] as string;
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 1;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** A cell as text (numbers from Excel as written, without `.0`). */
function cell(value: string | undefined): string {
  return (value ?? '').replace(/\u3000/g, ' ').trim();
}

/** The floor of a room label: the one rule of core/household.ts (`2-301` → 3, `1203` → 12). */
export { floorOf };

function membersOf(value: string, head: string): string[] | string {
  if (/^\d+$/.test(value)) {
    const n = Number(value);
    if (n < 1 || n > MAX_MEMBERS) return `人数应为 1 到 ${MAX_MEMBERS}`;
    return [head, ...Array.from({ length: n - 1 }, (_, i) => `家庭成员${i + 2}`)];
  }
  const names = value.split(/[、,，;；/\s]+/).filter(Boolean);
  if (names.length === 0) return '请填写家庭人数或成员姓名';
  if (names.length > MAX_MEMBERS) return `家庭成员最多 ${MAX_MEMBERS} 人`;
  if (names.some((n) => !NAME.test(n))) return '成员姓名过长或含有特殊字符';
  return names[0] === head ? names : [head, ...names.filter((n) => n !== head)].slice(0, MAX_MEMBERS);
}

/**
 * Validates every row of a table whose first row is the header; answers the valid rows and every
 * error with its row number. Callers write nothing unless `errors` is empty.
 */
export function validateImport(table: string[][]): { rows: ImportRow[]; errors: ImportRowError[] } {
  const errors: ImportRowError[] = [];
  const indexOf = (cells: readonly string[] | undefined) => {
    const header = (cells ?? []).map((h) => cell(h).toLowerCase());
    const index = {} as Record<ImportColumn, number>;
    for (const col of Object.keys(COLUMN_ALIASES) as ImportColumn[])
      index[col] = header.findIndex((h) => COLUMN_ALIASES[col].includes(h));
    return index;
  };
  // The header is the first row naming the grid column (a title row above it is allowed).
  const headerAt = Math.max(
    0,
    table.slice(0, 5).findIndex((r) => indexOf(r).grid >= 0),
  );
  const index = indexOf(table[headerAt]);
  const missing = REQUIRED.filter((c) => index[c] < 0);
  if (missing.length) {
    errors.push({
      row: headerAt + 1,
      column: null,
      message: `表头缺少列：${missing.map((c) => COLUMN_TEXT[c]).join('、')}`,
    });
    return { rows: [], errors };
  }
  const body = table.slice(headerAt + 1);
  if (body.length > MAX_IMPORT_ROWS) {
    errors.push({ row: headerAt + 1, column: null, message: `一次最多导入 ${MAX_IMPORT_ROWS} 行，请分批导入` });
    return { rows: [], errors };
  }
  const rows: ImportRow[] = [];
  const seenRoom = new Map<string, number>();
  const gridOfBuilding = new Map<string, { grid: string; row: number }>();
  body.forEach((raw, i) => {
    const row = headerAt + i + 2;
    const get = (c: ImportColumn) => (index[c] >= 0 ? cell(raw[index[c]]) : '');
    if (raw.every((v) => cell(v) === '')) return;
    const bad = (column: ImportColumn | null, message: string) =>
      errors.push({ row, column: column ? COLUMN_TEXT[column] : null, message });
    const before = errors.length;
    const grid = get('grid');
    const building = get('building');
    const unit = get('unit');
    const roomNo = get('room');
    const head = get('head');
    const compact = get('phone').replace(/[\s-]/g, '');
    const phone = PHONE_PATTERN.test(compact) ? compact : get('phone').replace(/\s+/g, '');
    if (!grid) bad('grid', '请填写网格');
    else if (grid.length > 20) bad('grid', '网格名称不超过 20 个字');
    if (!building) bad('building', '请填写楼栋');
    else if (building.length > 20) bad('building', '楼栋名称不超过 20 个字');
    const room = unit ? `${unit.replace(/单元$/, '')}-${roomNo}` : roomNo;
    if (!roomNo) bad('room', '请填写房号');
    else if (!ROOM_PATTERN.test(room)) bad('room', '房号只能包含数字、字母、汉字和“-”，最长 12 位（含单元）');
    if (!head) bad('head', '请填写户主姓名');
    else if (!NAME.test(head)) bad('head', '户主姓名不超过 20 个字，不含空格');
    if (!PHONE_PATTERN.test(phone) && !LANDLINE.test(phone)) bad('phone', '电话应为 11 位手机号或带区号的座机号');
    const members = membersOf(get('members'), head);
    if (typeof members === 'string') bad('members', members);
    if (errors.length > before || typeof members === 'string') return;
    const owner = gridOfBuilding.get(building);
    if (owner && owner.grid !== grid) {
      bad('grid', `${building}在第 ${owner.row} 行属于${owner.grid}，一个楼栋只能属于一个网格`);
      return;
    }
    gridOfBuilding.set(building, { grid, row });
    const key = `${building}\u0000${room}`;
    const first = seenRoom.get(key);
    if (first) {
      bad('room', `与第 ${first} 行是同一户（${building} ${room}）`);
      return;
    }
    seenRoom.set(key, row);
    rows.push({ row, grid, building, room, floor: floorOf(room), headName: head, phone, members });
  });
  if (rows.length === 0 && errors.length === 0)
    errors.push({ row: headerAt + 1, column: null, message: '表格里没有住户数据' });
  return { rows, errors };
}

/** What already exists in the community, by name and room. */
export interface ExistingStructure {
  communityId: string;
  grids: Array<{ _id: string; name: string }>;
  /** With `floors`, a room above the top floor is refused (the floor by floorOf, the one rule). */
  buildings: Array<{ _id: string; name: string; gridId: string; floors?: number }>;
  /** Households already on record, by building id and room. */
  households: Array<{ _id: string; buildingId: string; room: string }>;
}

/** The writes an import needs, with deterministic ids; existing documents are left as they are. */
export interface ImportPlan {
  errors: ImportRowError[];
  grids: Array<{ _id: string; name: string; isNew: boolean }>;
  buildings: Array<{ _id: string; name: string; gridId: string; isNew: boolean; floors: number }>;
  households: Array<{ _id: string; gridId: string; buildingId: string; row: ImportRow; isNew: boolean }>;
}

/**
 * Matches valid rows against the community's structure: existing grids and buildings are found by
 * name, new ones get ids from their names; a building already in another grid is an error.
 */
export function planImport(rows: readonly ImportRow[], existing: ExistingStructure): ImportPlan {
  const errors: ImportRowError[] = [];
  const gridByName = new Map(existing.grids.map((g) => [g.name, g._id]));
  const gridName = new Map(existing.grids.map((g) => [g._id, g.name]));
  const buildingByName = new Map(existing.buildings.map((b) => [b.name, b]));
  const householdAt = new Map(existing.households.map((h) => [`${h.buildingId}\u0000${h.room}`, h._id]));
  const takenIds = new Set(existing.households.map((h) => h._id));
  const grids = new Map<string, ImportPlan['grids'][number]>();
  const buildings = new Map<string, ImportPlan['buildings'][number]>();
  const households: ImportPlan['households'] = [];
  const gridIds = new Set(existing.grids.map((g) => g._id));
  const buildingIds = new Set(existing.buildings.map((b) => b._id));
  // A name's id may be held by a grid or building renamed since: the next free one, still stable.
  const free = (taken: Set<string>, idOf: (name: string) => string, name: string) => {
    let id = idOf(name);
    for (let n = 2; taken.has(id); n += 1) id = idOf(`${name}#${n}`);
    return id;
  };
  for (const row of rows) {
    const gridId = gridByName.get(row.grid) ?? free(gridIds, (n) => gridIdFor(existing.communityId, n), row.grid);
    if (!grids.has(gridId)) grids.set(gridId, { _id: gridId, name: row.grid, isNew: !gridByName.has(row.grid) });
    const known = buildingByName.get(row.building);
    if (known && known.gridId !== gridId) {
      errors.push({
        row: row.row,
        column: '网格',
        message: `${row.building}已属于${gridName.get(known.gridId) ?? '另一个网格'}，请先在网格管理中调整`,
      });
      continue;
    }
    if (known?.floors !== undefined && row.floor > known.floors) {
      errors.push({
        row: row.row,
        column: '房号',
        message: `${row.building}只有 ${known.floors} 层，房号 ${row.room} 在第 ${row.floor} 层，请核对房号（或先在网格管理中改楼层数）`,
      });
      continue;
    }
    const buildingId = known?._id ?? free(buildingIds, (n) => buildingIdFor(existing.communityId, n), row.building);
    const b = buildings.get(buildingId) ?? { _id: buildingId, name: row.building, gridId, isNew: !known, floors: 1 };
    b.floors = Math.max(b.floors, row.floor);
    buildings.set(buildingId, b);
    const at = householdAt.get(`${buildingId}\u0000${row.room}`);
    const householdId = at ?? householdIdFor(buildingId, row.room);
    if (!at && takenIds.has(householdId)) {
      errors.push({ row: row.row, column: '房号', message: `房号 ${row.room} 与本楼已有住户的编号冲突，请改写房号` });
      continue;
    }
    households.push({ _id: householdId, gridId, buildingId, row, isNew: !at });
  }
  return { errors, grids: [...grids.values()], buildings: [...buildings.values()], households };
}
