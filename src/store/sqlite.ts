/**
 * SQLite behind the `Db` interface (better-sqlite3-multiple-ciphers: better-sqlite3's API plus
 * SQLCipher-compatible encryption). One connection; a mutex keeps each transaction's statements
 * together, since Oso's async checks run inside transactions.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import Database from 'better-sqlite3-multiple-ciphers';
import type { Db, RunResult, SqlValue } from './db';
import { applyKey } from './encryption';
import { Mutex } from './mutex';

type Statement = Database.Statement<unknown[], unknown>;

export interface SqliteOptions {
  /** Encryption key (hex or passphrase). Without it the file is plain SQLite. */
  key?: string | undefined;
  readonly?: boolean;
  /** `FULL` survives power loss (workstation default); `NORMAL` survives process crashes only. */
  synchronous?: 'FULL' | 'NORMAL' | 'OFF';
}

interface TxState {
  depth: number;
}

export class SqliteDb implements Db {
  readonly dialect = 'sqlite' as const;
  readonly raw: Database.Database;
  readonly path: string;
  readonly #mutex = new Mutex();
  readonly #tx = new AsyncLocalStorage<TxState>();
  readonly #stmts = new Map<string, Statement>();
  readonly #synchronous: 'FULL' | 'NORMAL' | 'OFF';
  #savepoint = 0;

  constructor(path: string, opts: SqliteOptions = {}) {
    this.path = path;
    this.raw = new Database(path, { readonly: opts.readonly ?? false });
    if (opts.key !== undefined) applyKey(this.raw, opts.key);
    // Reading the schema fails here, not later, when the key is wrong or the file is not a database.
    this.raw.prepare('SELECT count(*) FROM sqlite_schema').get();
    if (path !== ':memory:' && !opts.readonly) this.raw.pragma('journal_mode = WAL');
    this.#synchronous = opts.synchronous ?? 'FULL';
    this.raw.pragma(`synchronous = ${this.#synchronous}`);
    this.raw.pragma('foreign_keys = ON');
    this.raw.pragma('busy_timeout = 5000');
  }

  #stmt(sql: string): Statement {
    let s = this.#stmts.get(sql);
    if (!s) {
      s = this.raw.prepare(sql);
      if (this.#stmts.size > 2000) this.#stmts.clear();
      this.#stmts.set(sql, s);
    }
    return s;
  }

  /** Runs `fn` directly inside a transaction of ours, else under the mutex. */
  #guard<T>(fn: () => T): Promise<T> {
    if (this.#tx.getStore()) return Promise.resolve().then(fn);
    return this.#mutex.run(fn);
  }

  all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.#guard(() => this.#stmt(sql).all(...params) as T[]);
  }

  get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return this.#guard(() => this.#stmt(sql).get(...params) as T | undefined);
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    return this.#guard(() => ({ changes: this.#stmt(sql).run(...params).changes }));
  }

  exec(sql: string): Promise<void> {
    return this.#guard(() => {
      this.raw.exec(sql);
    });
  }

  inTransaction(): boolean {
    return this.#tx.getStore() !== undefined;
  }

  async transaction<T>(fn: () => Promise<T>, opts: { relaxed?: boolean } = {}): Promise<T> {
    const outer = this.#tx.getStore();
    if (outer) {
      const name = `sp${++this.#savepoint}`;
      this.raw.exec(`SAVEPOINT ${name}`);
      try {
        const result = await this.#tx.run({ depth: outer.depth + 1 }, fn);
        this.raw.exec(`RELEASE ${name}`);
        return result;
      } catch (e) {
        this.raw.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
        throw e;
      }
    }
    return this.#mutex.run(async () => {
      // In WAL mode NORMAL skips the fsync at commit (the main thread would wait for the disk); the
      // mutex guarantees no other transaction commits meanwhile with the relaxed setting.
      const relax = opts.relaxed === true && this.#synchronous === 'FULL' && !this.raw.readonly;
      if (relax) this.raw.pragma('synchronous = NORMAL');
      try {
        this.raw.exec('BEGIN IMMEDIATE');
        try {
          const result = await this.#tx.run({ depth: 1 }, fn);
          this.raw.exec('COMMIT');
          return result;
        } catch (e) {
          if (this.raw.inTransaction) this.raw.exec('ROLLBACK');
          throw e;
        }
      } finally {
        if (relax) this.raw.pragma(`synchronous = ${this.#synchronous}`);
      }
    });
  }

  /** Synchronous read for hot paths that cannot be inside a transaction (benchmarks, CLI). */
  allSync<T>(sql: string, params: readonly SqlValue[] = []): T[] {
    return this.#stmt(sql).all(...params) as T[];
  }

  async close(): Promise<void> {
    await this.#mutex.run(() => {
      this.#stmts.clear();
      if (this.raw.open) this.raw.close();
    });
  }
}
