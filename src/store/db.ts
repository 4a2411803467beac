/**
 * The one database interface the rest of the code talks to (Signal-Desktop style: SQL lives in
 * src/store; services call functions). Two implementations: SQLite (workstation, default server) and
 * PostgreSQL (production server). Statements use `?` placeholders in both.
 *
 * Transactions are async because authorization (Oso) is async. Each implementation guarantees that a
 * transaction's statements never interleave with other work, and that code running inside
 * `transaction()` (found through AsyncLocalStorage) uses the transaction's connection.
 */
export type SqlValue = string | number | bigint | null | Uint8Array | Buffer;
export type Dialect = 'sqlite' | 'postgres';

export interface RunResult {
  changes: number;
}

export interface Db {
  readonly dialect: Dialect;
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in one transaction; nested calls join the outer transaction via a savepoint.
   * `relaxed`: the commit need not survive a power cut (data that can be fetched again, such as a
   * pulled sync page with its cursor); it still survives a crash of the process, and atomicity and
   * every later durable commit are unchanged. Ignored where it does not apply.
   */
  transaction<T>(fn: () => Promise<T>, opts?: { relaxed?: boolean }): Promise<T>;
  inTransaction(): boolean;
  close(): Promise<void>;
}
