/**
 * Excel exports for printing and forwarding: a workbook in one answer (base64), which the page
 * saves and opens with wx.openDocument — no storage round trip, well under the call size limit.
 */
import ExcelJS from 'exceljs';

/** One sheet: a title row, a header row, then the rows. */
export interface SheetSpec {
  name: string;
  title: string;
  columns: Array<{ header: string; width: number }>;
  rows: Array<Array<string | number>>;
}

/** A finished export. */
export interface ExportFile {
  fileName: string;
  base64: string;
  rows: number;
}

/** Builds an .xlsx file from sheets. */
export async function workbook(fileName: string, sheets: SheetSpec[]): Promise<ExportFile> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '网格通';
  for (const spec of sheets) {
    const ws = wb.addWorksheet(spec.name);
    ws.columns = spec.columns.map((c) => ({ width: c.width }));
    const title = ws.addRow([spec.title]);
    title.font = { bold: true, size: 14 };
    ws.mergeCells(1, 1, 1, Math.max(1, spec.columns.length));
    const header = ws.addRow(spec.columns.map((c) => c.header));
    header.font = { bold: true };
    for (const row of spec.rows) ws.addRow(row);
  }
  const buffer = Buffer.from(await wb.xlsx.writeBuffer());
  return { fileName, base64: buffer.toString('base64'), rows: sheets.reduce((n, s) => n + s.rows.length, 0) };
}
