/**
 * Generated worlds are cached in bench/.cache, keyed by a hash of the generator and the schema:
 * a changed generator produces a new file, an unchanged one is reused.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate, WORKSTATION_SETS } from '../../src/store/migrate';
import { SqliteDb } from '../../src/store/sqlite';
import { generate, type World } from './generate';
import type { Size } from './sizes';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CACHE_DIR = path.join(BENCH_DIR, '.cache');
const ROOT = path.resolve(BENCH_DIR, '..');

function generatorHash(): string {
  const files = [
    'bench/lib/generate.ts',
    'bench/lib/sizes.ts',
    'src/demo/random.ts',
    ...['shared', 'workstation'].flatMap((s) => readdirSync(path.join(ROOT, 'migrations', s)).map((f) => `migrations/${s}/${f}`)),
  ];
  const h = createHash('sha256');
  for (const f of files.sort()) h.update(f).update(readFileSync(path.join(ROOT, f)));
  return h.digest('hex').slice(0, 12);
}

export interface CachedWorld {
  file: string;
  world: World;
  generatedNow: boolean;
  seconds: number;
}

export async function ensureWorld(size: Size): Promise<CachedWorld> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const base = `${size.name}-${generatorHash()}`;
  const file = path.join(CACHE_DIR, `${base}.db`);
  const meta = path.join(CACHE_DIR, `${base}.json`);
  if (existsSync(file) && existsSync(meta))
    return { file, world: JSON.parse(readFileSync(meta, 'utf8')) as World, generatedNow: false, seconds: 0 };
  for (const f of readdirSync(CACHE_DIR)) if (f.startsWith(`${size.name}-`)) rmSync(path.join(CACHE_DIR, f), { force: true });
  const t0 = performance.now();
  const tmp = `${file}.partial`;
  rmSync(tmp, { force: true });
  const db = new SqliteDb(tmp, { synchronous: 'OFF' });
  await migrate(db, WORKSTATION_SETS);
  db.raw.pragma('journal_mode = OFF');
  const world = generate(db.raw, size);
  await db.close();
  renameSync(tmp, file);
  writeFileSync(meta, JSON.stringify(world));
  return { file, world, generatedNow: true, seconds: (performance.now() - t0) / 1000 };
}
