/**
 * Runs scenario files (SPEC §5) against a fresh database each: load the fixture, set the clock to the
 * fixture's `now`, and check every case through the real engine, policy and SQL. NEWS2 and medicine cases
 * need none of it (src/scenarios/news2Case.ts, doseCase.ts): a file of those only has no fixture and
 * opens no database.
 */
import path from 'node:path';
import { AuthzEngine } from '../authz/engine';
import { parseRef, RESOURCE_TYPES, type ResourceType } from '../domain/refs';
import { canonicalTime, ManualClock } from '../domain/time';
import { TEST_COST } from '../domain/secretHash';
import { loadFixture, readFixtureFile } from '../store/fixture/load';
import { migrate, WORKSTATION_SETS } from '../store/migrate';
import { SqliteDb } from '../store/sqlite';
import { isNews2Case, ScenarioCase, ScenarioFile } from './format';
import { isDoseCase, isDoubleDoseCase, runDoseCase, runDoubleDoseCase } from './doseCase';
import { runNews2Case } from './news2Case';

export interface CaseResult {
  index: number;
  ok: boolean;
  line: string;
}
export interface FileResult {
  file: string;
  passed: number;
  failed: number;
  results: CaseResult[];
}

export interface World {
  db: SqliteDb;
  engine: AuthzEngine;
  clock: ManualClock;
}

/** A fresh in-memory workstation database holding `fixture`. */
export async function openWorld(
  fixture: unknown,
  opts: { source?: string; policy?: ScenarioFile['policy'] } = {},
): Promise<World> {
  const db = new SqliteDb(':memory:');
  try {
    await migrate(db, WORKSTATION_SETS);
    const loaded = await loadFixture(db, fixture, { source: opts.source, hashCost: TEST_COST });
    const clock = new ManualClock(loaded.now ?? new Date());
    const engine = await AuthzEngine.create({ db, clock, policy: opts.policy ?? {} });
    return { db, engine, clock };
  } catch (e) {
    await db.close();
    throw e;
  }
}

/** `fixture` is undefined for a file without one (NEWS2 cases only). */
export function readScenarioFile(file: string): { spec: ScenarioFile; fixture: unknown; fixtureSource: string } {
  const raw = readFixtureFile(file);
  const parsed = ScenarioFile.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `${file}: not a scenario file: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  }
  const spec = parsed.data;
  if (spec.fixture === undefined) return { spec, fixture: undefined, fixtureSource: `${file} (no fixture)` };
  if (typeof spec.fixture === 'string') {
    const fixturePath = path.resolve(path.dirname(file), spec.fixture);
    return { spec, fixture: readFixtureFile(fixturePath), fixtureSource: fixturePath };
  }
  return { spec, fixture: spec.fixture, fixtureSource: `${file} (inline fixture)` };
}

export async function runScenarioFile(file: string): Promise<FileResult> {
  const { spec, fixture, fixtureSource } = readScenarioFile(file);
  const world = fixture === undefined ? null : await openWorld(fixture, { source: fixtureSource, policy: spec.policy });
  try {
    const results: CaseResult[] = [];
    const start = world?.clock.now();
    for (const [index, raw] of spec.cases.entries()) {
      const at = (raw as { at?: unknown } | null)?.at;
      if (world && start) world.clock.set(typeof at === 'string' && canonicalTime(at) ? at : start);
      results.push(await runCase(world?.engine ?? null, file, index, raw));
    }
    const failed = results.filter((r) => !r.ok).length;
    return { file, passed: results.length - failed, failed, results };
  } finally {
    await world?.db.close();
  }
}

const sorted = (xs: Iterable<string>): string[] => [...xs].sort();
const same = (a: Iterable<string>, b: Iterable<string>): boolean => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));

/** One case; `engine` is null in a file without a fixture, where only NEWS2 and medicine cases can be decided. */
export async function runCase(engine: AuthzEngine | null, file: string, index: number, raw: unknown): Promise<CaseResult> {
  const where = `${path.basename(file)} case ${index}`;
  if (isNews2Case(raw)) return { index, ...runNews2Case(where, raw) };
  if (isDoseCase(raw)) return { index, ...runDoseCase(where, raw) };
  if (isDoubleDoseCase(raw)) return { index, ...runDoubleDoseCase(where, raw) };
  const parsed = ScenarioCase.safeParse(raw);
  if (!parsed.success) return { index, ok: false, line: `FAIL ${where}: malformed case: ${JSON.stringify(raw)}` };
  const c = parsed.data;
  if ('news2' in c) return { index, ...runNews2Case(where, c) };
  if (!engine)
    return { index, ok: false, line: `FAIL ${where}: this case needs an actor and a fixture, and the file has no fixture` };
  const who = c.as ? `${c.actor} as ${c.as}` : c.actor;
  const why = c.why ? ` (${c.why})` : '';
  const when = c.at ? ` at ${c.at}` : '';
  const principal = { userId: c.actor, as: c.as };
  try {
    if ('expect_actions' in c) {
      const ref = parseRef(c.resource);
      if (!ref) return { index, ok: false, line: `FAIL ${where}: bad resource "${c.resource}"` };
      const got = await engine.actions(principal, ref);
      const ok = same(got, c.expect_actions);
      return {
        index,
        ok,
        line: ok
          ? ''
          : `FAIL ${where}: ${who} actions on ${c.resource}${when}: expected [${sorted(c.expect_actions).join(', ')}], got [${sorted(got).join(', ')}]${why}`,
      };
    }
    if ('list' in c) {
      if (!(RESOURCE_TYPES as readonly string[]).includes(c.list))
        return { index, ok: false, line: `FAIL ${where}: unknown type "${c.list}"` };
      const rows = await engine.list<{ id: string }>(principal, c.action, c.list as ResourceType, { columns: 'm.id AS id' });
      const got = rows.map((r) => r.id);
      const ok = same(got, c.expect);
      return {
        index,
        ok,
        line: ok
          ? ''
          : `FAIL ${where}: ${who} list ${c.action} ${c.list}${when}: expected [${sorted(c.expect).join(', ')}], got [${sorted(got).join(', ')}]${why}`,
      };
    }
    const ref = parseRef(c.resource);
    if (!ref) return { index, ok: false, line: `FAIL ${where}: bad resource "${c.resource}"` };
    const got = await engine.authorize(principal, c.action, ref);
    const ok = got === c.expect;
    return {
      index,
      ok,
      line: ok ? '' : `FAIL ${where}: ${who} ${c.action} ${c.resource}${when}: expected ${c.expect}, got ${got}${why}`,
    };
  } catch (e) {
    return { index, ok: false, line: `FAIL ${where}: ${who}: error: ${(e as Error).message}` };
  }
}
