/**
 * PostgreSQL behind the `Db` interface (the central server in production). Statements keep the
 * `?` placeholders of the rest of the code; they become `$1…$n` here. Transactions take a client
 * from the pool and carry it through AsyncLocalStorage, like the SQLite implementation.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Db, RunResult, SqlValue } from './db';

// BIGINT and COUNT(*) come back as strings by default; our counters fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));

interface Tx {
  client: pg.PoolClient;
  depth: number;
}

/** Statements at least this long (policy filters) are prepared by name; at most this many texts. */
const PREPARE_ABOVE_CHARS = 1500;
const MAX_PREPARED = 300;

/** `?` → `$n`, leaving string literals, quoted identifiers and comments alone. */
export function toPgPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop + 1);
      i = stop;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (c === '?') {
      out += `$${++n}`;
    } else {
      out += c;
    }
  }
  return out;
}

export class PostgresDb implements Db {
  readonly dialect = 'postgres' as const;
  readonly pool: pg.Pool;
  readonly #tx = new AsyncLocalStorage<Tx>();
  #savepoint = 0;

  constructor(
    readonly url: string,
    opts: { max?: number } = {},
  ) {
    // JIT off: the policy's filters are wide ORs of small indexed subqueries whose cost estimates pass
    // jit_above_cost; compiling them took about a second per statement that runs in a millisecond
    // (docs/performance.md). Set per connection, so no server configuration is needed.
    this.pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, options: '-c jit=off' });
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  async #query(sql: string, params: readonly SqlValue[]): Promise<pg.QueryResult> {
    const text = toPgPlaceholders(sql);
    const tx = this.#tx.getStore();
    const values = params.map((p) => (typeof p === 'bigint' ? p.toString() : p));
    const config: pg.QueryConfig = { text, values };
    const name = this.#preparedName(text);
    if (name) config.name = name;
    return tx ? tx.client.query(config) : this.pool.query(config);
  }

  /**
   * A statement carrying a policy filter is long, and planning it costs PostgreSQL tens of
   * milliseconds each time (a wide OR of subqueries through views) while running it costs one.
   * Such statements are prepared by name, so each connection parses them once and may keep a
   * generic plan; a bounded number of texts, so the server's memory stays bounded.
   */
  #preparedName(text: string): string | null {
    if (text.length < PREPARE_ABOVE_CHARS) return null;
    let name = this.#prepared.get(text);
    if (!name) {
      if (this.#prepared.size >= MAX_PREPARED) return null;
      name = `cw_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
      this.#prepared.set(text, name);
    }
    return name;
  }
  readonly #prepared = new Map<string, string>();

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.#query(sql, params)).rows as T[];
  }

  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.#query(sql, params)).rows[0] as T | undefined;
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    return { changes: (await this.#query(sql, params)).rowCount ?? 0 };
  }

  async exec(sql: string): Promise<void> {
    const tx = this.#tx.getStore();
    await (tx ? tx.client.query(sql) : this.pool.query(sql));
  }

  inTransaction(): boolean {
    return this.#tx.getStore() !== undefined;
  }

  async transaction<T>(fn: () => Promise<T>, _opts?: { relaxed?: boolean }): Promise<T> {
    const outer = this.#tx.getStore();
    if (outer) {
      const name = `sp${++this.#savepoint}`;
      await outer.client.query(`SAVEPOINT ${name}`);
      try {
        const r = await this.#tx.run({ client: outer.client, depth: outer.depth + 1 }, fn);
        await outer.client.query(`RELEASE SAVEPOINT ${name}`);
        return r;
      } catch (e) {
        await outer.client.query(`ROLLBACK TO SAVEPOINT ${name}`);
        throw e;
      }
    }
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const r = await this.#tx.run({ client, depth: 1 }, fn);
      await client.query('COMMIT');
      return r;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
