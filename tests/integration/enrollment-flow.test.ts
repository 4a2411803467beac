/**
 * The README's three commands, for real: `npm run server -- --demo`, `npm run enrollment-code`,
 * enrolling a workstation; then a nurse signs in on it (the server's answer decides online, and the
 * server starts counting her among the workstation's users) and her ward arrives by sync.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { SystemConfigSchema } from '../../electron/config';
import { workstationDispatch } from '../../electron/handlers';
import { openWorkstation } from '../../electron/workstation';
import { tempDir } from '../helpers/world';

const run = promisify(execFile);
const tmp = tempDir('cw-readme-');
let server: ChildProcess | null = null;
// npm starts the server as a grandchild: stop the whole process group.
afterAll(() => {
  if (server?.pid)
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  tmp.cleanup();
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address() as { port: number };
      s.close(() => resolve(a.port));
    });
  });
}

describe('README: run the server and enroll a workstation in three commands', () => {
  it('works end to end, and the enrolled workstation only receives what its users may see', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    server = spawn('npm', ['run', '-s', 'server', '--', '--demo'], {
      env: { ...process.env, PORT: String(port), SERVER_DB: path.join(tmp.dir, 'server.db') },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('server did not start')), 90_000);
      createInterface({ input: server!.stdout! }).on('line', (l) => {
        if (l.includes('server listening')) {
          clearTimeout(timer);
          resolve();
        }
      });
      server!.once('exit', (c) => reject(new Error(`server exited ${c}`)));
    });

    const code = (
      await run('npm', ['run', '-s', 'enrollment-code', '--', '--server', url, '--user', 'ada', '--facility', 'fac-main'], {
        env: { ...process.env, ENROLL_PASSWORD: 'clinic-demo' },
      })
    ).stdout.trim();
    expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);

    const data = path.join(tmp.dir, 'ward-pc');
    const enrolled = await run('npm', [
      'run',
      '-s',
      'workstation:enroll',
      '--',
      '--data',
      data,
      '--server',
      url,
      '--code',
      code,
      '--name',
      'Cardiology station',
    ]);
    expect(enrolled.stdout).toMatch(/Enrolled as ws-.* in org-stm \/ fac-main; sync online\./);

    const ws = await openWorkstation({ config: SystemConfigSchema.parse({}), configFile: null, dataDir: data, autoSync: false });
    try {
      const call = async (channel: string, request: unknown = {}): Promise<any> => {
        const r = await workstationDispatch(ws)(channel, request);
        if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
        return r.value;
      };
      expect((await call('diagnostics.get')).enrollment).toMatchObject({
        server_url: url,
        org_id: 'org-stm',
        facility_id: 'fac-main',
      });
      // The server refuses a wrong password even before anything is cached here.
      await expect(
        call('session.signIn', { method: 'password', username: 'nina', password: 'not-her-password' }),
      ).rejects.toMatchObject({ kind: 'unauthenticated' });
      await call('session.signIn', { method: 'password', username: 'nina', password: 'clinic-demo' });
      await call('sync.now');
      const census = await call('census.list', { wardId: null });
      expect(census.patients).toHaveLength(20);
      expect(new Set(census.patients.map((p: { ward_name: string }) => p.ward_name))).toEqual(new Set(['Cardiology']));
      // Only Nina's ward reached this workstation, and only her sign-in secret.
      expect(Number((await ws.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM patients'))!.n)).toBe(20);
      expect(await ws.db.all('SELECT user_id FROM credentials')).toEqual([{ user_id: 'u-nina' }]);
      // Enrolling twice is refused.
      await expect(call('sync.enroll', { serverUrl: url, code })).rejects.toMatchObject({ kind: 'conflict' });
    } finally {
      await ws.close();
    }
  }, 240_000);
});
