/** Fills an empty workstation database with the demo hospital (development only). */
import type { Db } from '../store/db';
import { loadFixture } from '../store/fixture/load';
import { demoHospital } from './hospital';

export async function seedDemoInto(db: Db, now: string): Promise<boolean> {
  const existing = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM organizations');
  if (Number(existing?.n ?? 0) > 0) return false;
  await loadFixture(db, demoHospital(now), { source: 'demo hospital' });
  return true;
}
