/**
 * Text either database stores as sent: no NUL (PostgreSQL cannot store it) and no lone UTF-16
 * surrogate (neither can store it as it was hashed). Refused the same on both backends.
 */
// eslint-disable-next-line no-control-regex -- a NUL is exactly what is refused
export const STORABLE_TEXT = /^(?:[^\u0000\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;
export const storable = (s: string): boolean => STORABLE_TEXT.test(s);
/** Whether every string anywhere inside a value is storable text. */
export function allStorable(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return storable(v);
  if (depth > 20 || v === null || typeof v !== 'object') return true;
  if (Array.isArray(v)) return v.every((x) => allStorable(x, depth + 1));
  return Object.entries(v as Record<string, unknown>).every(([k, x]) => storable(k) && allStorable(x, depth + 1));
}

/** The same text with every NUL and lone surrogate replaced by U+FFFD (what both databases store alike). */
export function toStorable<T extends string | null>(s: T): T {
  if (s === null) return s;
  // eslint-disable-next-line no-control-regex -- a NUL is exactly what is replaced
  return s.replace(/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd') as T;
}
