/** True if a write failed because the id (or a unique key) already exists. */
export function isDuplicateError(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | null;
  return /DUPLICATE|E11000|duplicate/i.test(`${e?.code ?? ''} ${e?.message ?? ''}`);
}
