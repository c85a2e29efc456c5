/** Reading many documents: CloudBase returns at most 1,000 per `get()` in cloud functions. */
import QRCode from 'qrcode';
import type { CallContext } from './define-function';

/** The SDK's most documents per `get()`. */
export const PAGE = 1000;

/**
 * Every document a query matches, a page at a time, ordered by `_id` so the pages neither skip nor
 * repeat documents (optionally only some fields).
 */
export async function all<T>(ctx: CallContext, collection: string, where: object, fields?: Record<string, true>): Promise<T[]> {
  const out: T[] = [];
  for (let skip = 0; ; skip += PAGE) {
    let query = ctx.db.collection(collection).where(where);
    if (fields) query = query.field(fields);
    const page = (await query.orderBy('_id', 'asc').skip(skip).limit(PAGE).get()).data as T[];
    out.push(...page);
    if (page.length < PAGE) return out;
  }
}

/** A QR code as an SVG data URL (the `image` component shows SVG; no PNG encoding on the server). */
export async function qrDataUrl(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}
