/** A real workstation (composition root + handler registry) on a temp folder, loaded with a fixture. */
import { ManualClock } from '../../src/domain/time';
import { TEST_COST } from '../../src/domain/secretHash';
import { loadFixture } from '../../src/store/fixture/load';
import { migrate, WORKSTATION_SETS } from '../../src/store/migrate';
import { SqliteDb } from '../../src/store/sqlite';
import { SystemConfigSchema, type SystemConfig } from '../../electron/config';
import { workstationDispatch, type Dispatch } from '../../electron/handlers';
import { fileLogger } from '../../electron/log';
import { openWorkstation, type Workstation } from '../../electron/workstation';
import path from 'node:path';
import { tempDir } from './world';

export interface TestWorkstation {
  ws: Workstation;
  dispatch: Dispatch;
  clock: ManualClock;
  dir: string;
  call: <T = unknown>(channel: string, request?: unknown) => Promise<T>;
  close: () => Promise<void>;
}

export async function openTestWorkstation(
  fixture: unknown,
  config: Partial<SystemConfig> = {},
  opts: { hashCost?: typeof TEST_COST; dbKey?: string; dir?: string } = {},
): Promise<TestWorkstation> {
  const tmp = opts.dir ? { dir: opts.dir, cleanup: () => {} } : tempDir('cw-ws-');
  // Pre-load the fixture into the database file the workstation will open.
  const seed = new SqliteDb(path.join(tmp.dir, 'workstation.db'), { key: opts.dbKey });
  await migrate(seed, WORKSTATION_SETS);
  const loaded = await loadFixture(seed, fixture, { hashCost: opts.hashCost ?? TEST_COST });
  await seed.close();
  const clock = new ManualClock(loaded.now ?? new Date());
  const ws = await openWorkstation({
    config: SystemConfigSchema.parse(config),
    configFile: null,
    dataDir: tmp.dir,
    clock,
    log: fileLogger(path.join(tmp.dir, 'logs')),
    keyCost: TEST_COST,
    ...(opts.dbKey ? { dbKey: opts.dbKey } : {}),
  });
  const dispatch = workstationDispatch(ws);
  const call = async <T>(channel: string, request: unknown = {}): Promise<T> => {
    const r = await dispatch(channel, request);
    if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
    return r.value as T;
  };
  return {
    ws,
    dispatch,
    clock,
    dir: tmp.dir,
    call,
    close: async () => {
      await ws.close();
      tmp.cleanup();
    },
  };
}

export const TEST_PASSWORD = 'correct-horse-1';
export const TEST_PIN = '2468';

/** The shared small hospital, every user with TEST_PASSWORD and badge holders with TEST_PIN. */
export function smallHospitalWithSecrets(fixture: Record<string, unknown>): Record<string, unknown> {
  const users = (fixture.users as Array<Record<string, unknown>>).map((u) => ({
    ...u,
    password: TEST_PASSWORD,
    ...(u.badge ? { pin: TEST_PIN } : {}),
  }));
  return { ...fixture, users };
}
