/** Saves an exported workbook in the app's user folder and opens it (forward to WeChat, print). */
import type { ExportFileView } from '../../typings/api';

/** Writes and opens the file; resolves when WeChat has opened it. */
export function openExport(file: ExportFileView): Promise<void> {
  const path = `${wx.env.USER_DATA_PATH}/${file.fileName.replace(/[\\/:*?"<>|]/g, '_')}`;
  return new Promise((resolve, reject) => {
    wx.getFileSystemManager().writeFile({
      filePath: path,
      data: file.base64,
      encoding: 'base64',
      success: () =>
        wx.openDocument({ filePath: path, fileType: 'xlsx', showMenu: true, success: () => resolve(), fail: reject }),
      fail: reject,
    });
  });
}
