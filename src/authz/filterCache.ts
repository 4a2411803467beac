/**
 * Compiled data filters, reused while nothing they depend on changes.
 *
 * A filter embeds only actor-side facts (identity, groups, the assignments active now) and the policy;
 * everything about resources stays in SQL. So the key is (policy, action, type, actorFilterKey) and
 * the one time-dependent value, `now` (break-glass windows), is recognized among the parameters (of
 * the filter and of its indexed branches) and filled in at every execution. When an assignment starts or ends, the key changes and the filter is
 * recompiled. The differential test runs with and without the cache to prove answers are unchanged.
 */
import type { SqlValue } from '../store/db';
import type { Sql } from '../store/sql';
import type { AuthzQuery } from './sqlFilter';

interface Entry {
  query: AuthzQuery;
  /** The time the filter was compiled at, when it holds it as a parameter (of the filter or a branch). */
  now: string | null;
}

export class FilterCache {
  readonly #entries = new Map<string, Entry>();
  hits = 0;
  misses = 0;

  /**
   * Each filter is kept in two shapes (list and row), once per user and once per shape of users
   * (engine.ts). A user's entries share the text of their shape's and differ only in parameters, so
   * they are small. A ward workstation's user needs about 30 entries: 2,000 did not hold the users of 40
   * wards' workstations after a shift change (80 users), 20,000 hold a hospital's.
   */
  constructor(private readonly capacity = 20_000) {}

  get(key: string, now: string): AuthzQuery | undefined {
    const e = this.#entries.get(key);
    if (!e) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Refresh recency (Map keeps insertion order).
    this.#entries.delete(key);
    this.#entries.set(key, e);
    if (e.now === null || e.now === now) return e.query;
    const then = e.now;
    return mapParams(e.query, (v) => (v === then ? now : v));
  }

  put(key: string, query: AuthzQuery, now: string): void {
    const all = [...query.params, ...(query.indexed ?? []).flatMap((b) => b.params)];
    this.#entries.set(key, { query, now: all.includes(now) ? now : null });
    if (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** The same filter with every parameter value mapped (the time filled in), its indexed branches too. */
export function mapParams(q: AuthzQuery, f: (v: SqlValue) => SqlValue): AuthzQuery {
  const frag = <T extends Sql>(x: T): T => ({ ...x, params: x.params.map(f) });
  return { ...q, params: q.params.map(f), ...(q.indexed ? { indexed: q.indexed.map(frag) } : {}) };
}
