/**
 * Compiled data filters, reused while nothing they depend on changes.
 *
 * A filter embeds only actor-side facts (identity, groups, the assignments active now) and the policy;
 * everything about resources stays in SQL. So the key is (policy, action, type, actorFilterKey) and
 * the one time-dependent value, `now` (break-glass windows), is stored as a parameter slot and filled
 * in at every execution. When an assignment starts or ends, the key changes and the filter is
 * recompiled. The differential test runs with and without the cache to prove answers are unchanged.
 */
import type { SqlValue } from '../store/db';
import type { AuthzQuery } from './sqlFilter';

interface Entry {
  query: AuthzQuery;
  nowSlots: number[];
}

export class FilterCache {
  readonly #entries = new Map<string, Entry>();
  hits = 0;
  misses = 0;

  /** Each compiled filter is kept in two shapes (list and row): 2,000 entries hold 1,000 filters. */
  constructor(private readonly capacity = 2000) {}

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
    if (e.nowSlots.length === 0) return e.query;
    const params: SqlValue[] = [...e.query.params];
    for (const i of e.nowSlots) params[i] = now;
    return { ...e.query, params };
  }

  put(key: string, query: AuthzQuery, now: string): void {
    const nowSlots = query.params.flatMap((p, i) => (p === now ? [i] : []));
    this.#entries.set(key, { query, nowSlots });
    if (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
