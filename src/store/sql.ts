/**
 * SQL fragments: a piece of SQL text with the values of its `?` placeholders, in order. The policy's
 * compiled filters (src/authz), the sync scope (src/server/sync) and the statements built from them
 * all compose fragments of this one type, so a filter compiled by authz drops into a sync statement
 * without conversion and its parameters can never drift from their placeholders.
 */
import type { SqlValue } from './db';

export interface Sql {
  sql: string;
  params: SqlValue[];
}

export const sql = (text: string, ...params: SqlValue[]): Sql => ({ sql: text, params });

/** The constants the policy compiler emits for "everything" and "nothing"; `and`/`or` fold them. */
export const TRUE: Sql = { sql: '1=1', params: [] };
export const FALSE: Sql = { sql: '1=0', params: [] };
export const isTrue = (q: Sql): boolean => q.sql === TRUE.sql;
export const isFalse = (q: Sql): boolean => q.sql === FALSE.sql;

/** Conjunction: FALSE if any part is, TRUE parts dropped, one part as it is, else each in parentheses. */
export function and(...parts: Sql[]): Sql {
  if (parts.some(isFalse)) return FALSE;
  return join(
    parts.filter((p) => !isTrue(p)),
    ' AND ',
    TRUE,
  );
}

/**
 * Disjunction: TRUE if any part is, FALSE parts dropped, identical parts once (two nurses of one
 * ward share most of their branches: evaluated once), one part as it is, else each in parentheses.
 */
export function or(...parts: Sql[]): Sql {
  if (parts.some(isTrue)) return TRUE;
  return join(distinct(parts.filter((p) => !isFalse(p))), ' OR ', FALSE);
}

/** Fragments with equal text and values once, in their order. */
export function distinct(parts: readonly Sql[]): Sql[] {
  const seen = new Set<string>();
  return parts.filter((p) => {
    const k = fragmentKey(p);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Text and values of a fragment: fragments with equal keys select the same rows. */
const fragmentKey = (p: Sql): string =>
  `${p.sql}\u0000${JSON.stringify(p.params, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`;

function join(live: Sql[], op: string, empty: Sql): Sql {
  if (live.length === 0) return empty;
  if (live.length === 1) return live[0]!;
  return { sql: live.map((p) => `(${p.sql})`).join(op), params: live.flatMap((p) => p.params) };
}

/** `?, ?, …` for a list of values. */
export const placeholders = (values: readonly unknown[]): string => values.map(() => '?').join(', ');

/** `column IN (…)`; an empty list is FALSE. */
export const inList = (column: string, values: readonly SqlValue[]): Sql =>
  values.length === 0 ? FALSE : { sql: `${column} IN (${placeholders(values)})`, params: [...values] };
