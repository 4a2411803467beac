/**
 * Per-statement profile of one service call (issue 18): how many statements it runs and how long
 * SQLite spends in each (time inside better-sqlite3's synchronous call, so the mutex, the event loop
 * and JavaScript around it are left out). Bench output only, never a test: it is a wall-clock figure.
 */
import type { SqliteDb } from '../../src/store/sqlite';

interface StatementLine {
  sql: string;
  perCall: number;
  ms: number;
}

interface StatementProfile {
  /** Mean statements per call. */
  statements: number;
  /** Mean milliseconds inside SQLite per call. */
  sqliteMs: number;
  /** Mean wall-clock milliseconds per call, for comparison. */
  wallMs: number;
  top: StatementLine[];
}

type Method = (this: { source: string }, ...args: unknown[]) => unknown;

export async function profileStatements(
  db: SqliteDb,
  calls: number,
  run: (i: number) => Promise<unknown>,
): Promise<StatementProfile> {
  const proto = Object.getPrototypeOf(db.raw.prepare('SELECT 1')) as Record<'all' | 'get' | 'run', Method>;
  const originals = { all: proto.all, get: proto.get, run: proto.run };
  const seen = new Map<string, { n: number; ms: number }>();
  for (const name of ['all', 'get', 'run'] as const) {
    const original = originals[name];
    proto[name] = function (this: { source: string }, ...args: unknown[]) {
      const t = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        const key = this.source.replace(/\s+/g, ' ').trim().slice(0, 90);
        const e = seen.get(key) ?? { n: 0, ms: 0 };
        e.n++;
        e.ms += performance.now() - t;
        seen.set(key, e);
      }
    };
  }
  const started = performance.now();
  try {
    for (let i = 0; i < calls; i++) await run(i);
  } finally {
    Object.assign(proto, originals);
  }
  const wallMs = (performance.now() - started) / calls;
  const lines = [...seen].map(([sql, e]) => ({ sql, perCall: e.n / calls, ms: e.ms / calls }));
  return {
    statements: lines.reduce((s, l) => s + l.perCall, 0),
    sqliteMs: lines.reduce((s, l) => s + l.ms, 0),
    wallMs,
    top: lines.sort((a, b) => b.ms - a.ms).slice(0, 8),
  };
}

export function formatProfile(name: string, p: StatementProfile): string {
  return [
    `\n${name}: ${p.statements.toFixed(1)} statements, ${p.sqliteMs.toFixed(2)} ms in SQLite of ${p.wallMs.toFixed(2)} ms per call`,
    '| statement | per call | mean ms |',
    '|---|---:|---:|',
    ...p.top.map((l) => `| \`${l.sql.replace(/\|/g, '\\|')}\` | ${l.perCall.toFixed(1)} | ${l.ms.toFixed(3)} |`),
  ].join('\n');
}
