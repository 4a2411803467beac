/** Test worlds: real SQLite files or memory, real migrations, real policy, a settable clock. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuthzEngine } from '../../src/authz/engine';
import type { PolicyConfig } from '../../src/authz/policy';
import { ManualClock } from '../../src/domain/time';
import { TEST_COST } from '../../src/domain/secretHash';
import { defaultServiceConfig, type ServiceContext } from '../../src/services/context';
import { outboxSink } from '../../src/services/outbox';
import { loadFixture, readFixtureFile } from '../../src/store/fixture/load';
import { migrate, WORKSTATION_SETS } from '../../src/store/migrate';
import { SqliteDb } from '../../src/store/sqlite';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository's own copies of the shared examples (tests/fixtures/README.md): a clone needs nothing beside it. */
export const FIXTURES = path.resolve(here, '../fixtures');
export const SMALL_FIXTURE = path.join(FIXTURES, 'small-hospital.fixture.json');

export function tempDir(prefix = 'cw-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestWorld {
  db: SqliteDb;
  clock: ManualClock;
  engine: AuthzEngine;
  ctx: ServiceContext;
  close: () => Promise<void>;
}

export async function makeWorld(
  fixture: unknown = readFixtureFile(SMALL_FIXTURE),
  opts: {
    file?: string;
    policy?: PolicyConfig;
    filterCache?: boolean;
  } = {},
): Promise<TestWorld> {
  const db = new SqliteDb(opts.file ?? ':memory:');
  await migrate(db, WORKSTATION_SETS);
  const loaded = await loadFixture(db, fixture, { hashCost: TEST_COST });
  const clock = new ManualClock(loaded.now ?? '2026-11-23T10:00:00Z');
  const engine = await AuthzEngine.create({ db, clock, policy: opts.policy ?? {}, filterCache: opts.filterCache ?? true });
  const ctx: ServiceContext = { db, authz: engine, clock, mutations: outboxSink(db), config: defaultServiceConfig };
  return { db, clock, engine, ctx, close: () => db.close() };
}

export async function count(db: SqliteDb, table: string, where = '1=1', params: unknown[] = []): Promise<number> {
  const r = await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, params as never[]);
  return Number(r?.n ?? 0);
}
