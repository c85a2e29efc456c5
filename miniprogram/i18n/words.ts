/** Words built from the catalogue for shared labels: home entries, order status sentences. */
import type { OrderStatus } from '../generated/values';
import { entryPrefix, type HomeEntry } from '../utils/labels';
import { getLang, t, tKey } from './index';

/** An entry's words in the resident's language. */
export function localEntry(entry: HomeEntry): HomeEntry {
  const prefix = entryPrefix(entry.key);
  return {
    ...entry,
    title: tKey(`${prefix}.${entry.key}.title`, entry.title),
    note: tKey(`${prefix}.${entry.key}.note`, entry.note),
  };
}

/**
 * An order's status sentence: in Chinese the server's own words (which may be more precise, e.g.
 * while an order is being placed), otherwise the catalogue's, by status.
 */
export function statusSentence(status: OrderStatus, serverText: string): string {
  return getLang() === 'zh' && serverText ? serverText : t(`orderStatusText.${status}`);
}
