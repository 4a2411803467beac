/** `npm run bench:data -- --size S|M|L`: generates (or reuses) the synthetic hospital. */
import { parseArgs } from 'node:util';
import { SqliteDb } from '../src/store/sqlite';
import { ensureWorld } from './lib/cache';
import { SIZES } from './lib/sizes';

const { values } = parseArgs({ options: { size: { type: 'string', default: 'S' } } });
const size = SIZES[(values.size ?? 'S').toUpperCase() as 'S' | 'M' | 'L'];
if (!size) {
  console.error('usage: npm run bench:data -- --size S|M|L');
  process.exit(2);
}
const w = await ensureWorld(size);
const db = new SqliteDb(w.file, { readonly: true });
const count = (t: string): number => (db.raw.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
const counts = Object.fromEntries(
  [
    'facilities',
    'wards',
    'rooms',
    'users',
    'patients',
    'appointments',
    'records',
    'observations',
    'care_team_patients',
    'role_assignments',
  ].map((t) => [t, count(t)]),
);
await db.close();
console.log(`${size.name}: ${w.file} (${w.generatedNow ? `generated in ${w.seconds.toFixed(1)} s` : 'cached'})`);
console.log(
  Object.entries(counts)
    .map(([t, n]) => `  ${t.padEnd(20)} ${n.toLocaleString('en')}`)
    .join('\n'),
);
