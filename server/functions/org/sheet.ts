/** Reading an uploaded structure spreadsheet (CSV or .xlsx) into rows of text cells. */
import { AppError } from '../../../core/errors';
import { parseCsv } from '../../../core/org/import';
import ExcelJS from 'exceljs';

/** Largest spreadsheet accepted: ample for a few thousand households, within a call's size limit. */
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024;

/** A cell's text as the spreadsheet shows it. */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
  }
  return '';
}

/** CSV text: UTF-8, or GBK as Excel in China saves it. */
function csvText(data: Buffer): string {
  const utf8 = data.toString('utf8');
  if (!utf8.includes('\uFFFD')) return utf8;
  try {
    return new TextDecoder('gbk').decode(data);
  } catch {
    return utf8;
  }
}

/** The first sheet of an .xlsx, or a CSV, as rows of text (row i is the sheet's row i + 1). */
export async function readTable(fileName: string, data: Buffer): Promise<string[][]> {
  if (data.length === 0) throw new AppError('COMMON.INVALID_INPUT', '文件是空的');
  if (data.length > MAX_IMPORT_BYTES) throw new AppError('COMMON.INVALID_INPUT', '文件太大（最大 2 MB），请分批导入');
  const isXlsx = /\.xlsx$/i.test(fileName) || data.subarray(0, 2).toString('latin1') === 'PK';
  if (!isXlsx) {
    if (!/\.(csv|txt)$/i.test(fileName)) throw new AppError('COMMON.INVALID_INPUT', '请上传 Excel（.xlsx）或 CSV 文件');
    return parseCsv(csvText(data));
  }
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(data as unknown as ArrayBuffer);
  } catch {
    throw new AppError('COMMON.INVALID_INPUT', '无法读取这个 Excel 文件，请另存为 .xlsx 后重试');
  }
  const ws = wb.worksheets[0];
  if (!ws) throw new AppError('COMMON.INVALID_INPUT', 'Excel 文件里没有工作表');
  const table: string[][] = [];
  ws.eachRow({ includeEmpty: true }, (row, rowNumber) => {
    const values = row.values as ExcelJS.CellValue[];
    const cells: string[] = [];
    for (let c = 1; c < values.length; c += 1) cells.push(cellText(values[c]));
    table[rowNumber - 1] = cells;
  });
  for (let i = 0; i < table.length; i += 1) table[i] ??= [];
  return table;
}
