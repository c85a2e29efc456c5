/**
 * Photos (prescriptions, the grid group's QR code): picked with wx.chooseMedia — a privacy API,
 * so WeChat first runs the app's privacy popup — then uploaded to CloudBase storage, or to the
 * local cloud in dev. Answers the file id to store with the record.
 */
import { devConfig } from '../config';
import { devHeaders, localError } from './api';

function chooseImage(): Promise<string | null> {
  return new Promise((resolve) => {
    wx.chooseMedia({
      count: 1,
      mediaType: ['image'],
      sourceType: ['camera', 'album'],
      sizeType: ['compressed'],
      success: (res) => resolve(res.tempFiles[0]?.tempFilePath ?? null),
      fail: () => resolve(null), // cancelled, or privacy refused
    });
  });
}

function uploadLocal(filePath: string, cloudPath: string): Promise<string> {
  const dev = devConfig();
  return new Promise((resolve, reject) => {
    wx.uploadFile({
      url: `${dev.baseUrl}/storage/upload`,
      filePath,
      name: 'file',
      formData: { cloudPath },
      header: devHeaders(dev),
      success: (res) => {
        const body = JSON.parse(res.data) as { ok: boolean; data?: { fileID: string } };
        if (body.ok && body.data) resolve(body.data.fileID);
        else reject(new Error('upload refused'));
      },
      fail: reject,
    });
  });
}

/** Lets the user take or pick one photo and uploads it; null if they cancelled. */
export async function pickAndUploadImage(folder: string): Promise<string | null> {
  const filePath = await chooseImage();
  if (!filePath) return null;
  const ext = /\.\w+$/.exec(filePath)?.[0] ?? '.jpg';
  const cloudPath = `${folder}/${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}${ext}`;
  try {
    if (devConfig().localCloud) return await uploadLocal(filePath, cloudPath);
    const res = await wx.cloud.uploadFile({ cloudPath, filePath });
    return res.fileID;
  } catch {
    throw localError('COMMON.INTERNAL', 'err.upload', 'network');
  }
}
