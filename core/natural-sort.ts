/**
 * Natural order for what people read as numbered: rooms (`1-101` < `1-801` < `1-1001`, by
 * building, unit, floor and number) and grids or buildings (`第2网格` < `第10网格`, `第十网格` too).
 * Self-contained (no imports): scripts/gen-values.ts copies this file into the mini-program.
 */

/** Chinese numeral characters and their values (digits); 十/百/千 are multipliers. */
const CN_DIGIT: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};
const CN_UNIT: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };
const CN_RUN = /^[零〇一二两三四五六七八九十百千]+/;

/** `十二` → 12, `一百零五` → 105, `三` → 3; null when the run is not a number as written. */
function chineseNumber(run: string): number | null {
  let total = 0;
  let digit: number | null = null;
  for (const ch of run) {
    if (ch in CN_DIGIT) {
      if (digit !== null && digit !== 0) return null; // two digits in a row (一二) is no number
      digit = CN_DIGIT[ch] ?? 0;
    } else {
      const unit = CN_UNIT[ch] ?? 1;
      total += (digit ?? 1) * unit;
      digit = null;
    }
  }
  return total + (digit ?? 0);
}

type Token = number | string;

/** Full-width digits as ASCII (`１２` → `12`). */
function halfWidth(s: string): string {
  return s.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
}

/** A label cut into numbers and the text between them. */
function tokens(label: string): Token[] {
  const s = halfWidth(label.trim());
  const out: Token[] = [];
  let text = '';
  let i = 0;
  const flush = () => {
    if (text) out.push(text);
    text = '';
  };
  while (i < s.length) {
    const rest = s.slice(i);
    const digits = /^\d+/.exec(rest);
    if (digits) {
      flush();
      out.push(Number(digits[0]));
      i += digits[0].length;
      continue;
    }
    const cn = CN_RUN.exec(rest);
    const value = cn ? chineseNumber(cn[0]) : null;
    if (cn && value !== null) {
      flush();
      out.push(value);
      i += cn[0].length;
      continue;
    }
    text += s[i];
    i += 1;
  }
  flush();
  return out;
}

/**
 * Compares two labels in natural order: numbers by value, text between them as Chinese text.
 * `第2网格` < `第10网格`; `1-101` < `1-801` < `1-1001`; `2号楼` < `10号楼`. Ties fall back to the
 * plain text, so the order is total and stable.
 */
export function naturalCompare(a: string, b: string): number {
  if (a === b) return 0;
  const x = tokens(a);
  const y = tokens(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i += 1) {
    const p = x[i] as Token;
    const q = y[i] as Token;
    if (typeof p === 'number' && typeof q === 'number') {
      if (p !== q) return p < q ? -1 : 1;
    } else if (typeof p === 'number') {
      return -1; // a number before text (`1号楼` before `东区`)
    } else if (typeof q === 'number') {
      return 1;
    } else if (p !== q) {
      const c = p.localeCompare(q, 'zh');
      if (c !== 0) return c < 0 ? -1 : 1;
      return p < q ? -1 : 1;
    }
  }
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A comparator over items by a label of each, in natural order. */
export function byNatural<T>(label: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => naturalCompare(label(a), label(b));
}

/** Rooms in walking order: by building, then unit, floor and number within it (`2号楼 1-801`). */
export function compareRooms(
  a: { buildingName?: string; room: string },
  b: { buildingName?: string; room: string },
): number {
  return naturalCompare(a.buildingName ?? '', b.buildingName ?? '') || naturalCompare(a.room, b.room);
}

/** A copy sorted in natural order by a label (the input is left as it was). */
export function sortNatural<T>(items: readonly T[], label: (item: T) => string): T[] {
  return [...items].sort(byNatural(label));
}
