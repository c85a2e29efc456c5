/**
 * What the phone keeps for weak networks: the latest copy of a few answers (the household's cards
 * and personal codes, the card-signing public keys), each with the time it was fetched, so a page
 * can show it offline and say "as of" when.
 */

/** A kept answer and when it was fetched (ISO instant). */
export interface Snapshot<T> {
  data: T;
  at: string;
}

const PREFIX = 'gridlink.cache.';

/** Keeps the latest copy of an answer. */
export function keep<T>(name: string, data: T, now: Date = new Date()): Snapshot<T> {
  const snapshot = { data, at: now.toISOString() };
  try {
    wx.setStorageSync(PREFIX + name, snapshot);
  } catch {
    // Storage full or refused: the page still works online.
  }
  return snapshot;
}

/** The kept copy, or null. */
export function kept<T>(name: string): Snapshot<T> | null {
  try {
    const value = wx.getStorageSync(PREFIX + name) as Snapshot<T> | '';
    return value && typeof value === 'object' && typeof value.at === 'string' ? value : null;
  } catch {
    return null;
  }
}

/** Storage names of the kept answers. */
export const CACHE = { cards: 'testing.cards', publicKeys: 'testing.publicKeys' } as const;
