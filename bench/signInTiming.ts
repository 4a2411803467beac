/**
 * `npm run bench:sign-in [-- --rounds 11] [--backends sqlite,postgres]`
 * The sign-in timing figures (docs/security.md, T1b): an unknown user, a wrong password, a held-back
 * account and a held-back unknown name, interleaved, against a real server on loopback. The test
 * suite checks that every path runs the same slow hash (it cannot flake); this prints how long each
 * takes on this machine, which only means something on an idle one.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_COST, hashSecret } from '../src/domain/secretHash';
import { postFrom } from '../tests/helpers/http';
import { startCluster } from '../tests/helpers/postgres';
import { seedServerDb, serverDb, startServer, syncFixture, tempDir, type Backend } from '../tests/helpers/sync';
import { TEST_PASSWORD } from '../tests/helpers/workstation';
import { stats } from './lib/measure';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '11' }, backends: { type: 'string', default: 'sqlite,postgres' } },
});
const rounds = Number(values.rounds);
const backends = (values.backends ?? '').split(',').filter((b): b is Backend => b === 'sqlite' || b === 'postgres');
if (!Number.isInteger(rounds) || rounds < 1 || backends.length === 0) {
  console.error('usage: npm run bench:sign-in -- [--rounds 11] [--backends sqlite,postgres]');
  process.exit(2);
}

const body = (username: string, password: string) => ({ protocol: 1, username, password });
const cluster = backends.includes('postgres') ? await startCluster() : null;
const tmp = tempDir('cw-bench-signin-');
try {
  console.log('| backend | case | status | p50 ms | min ms | max ms |\n|---|---|---|---|---|---|');
  for (const backend of backends) {
    const db = await serverDb(backend, cluster, tmp.dir);
    await seedServerDb(db, syncFixture());
    const hash = await hashSecret(TEST_PASSWORD, DEFAULT_COST);
    for (const id of ['u-nina', 'u-admin'])
      await db.run('UPDATE credentials SET password_hash = ? WHERE user_id = ?', [hash, id]);
    const srv = await startServer(db, undefined, undefined, { signInsPerMinute: 100_000 });
    const sign = (from: string, username: string, password: string) =>
      postFrom(from, srv.url, '/v1/auth/sign-in', body(username, password));
    for (let i = 0; i < 5; i++) {
      await sign('127.0.0.3', 'nina', 'wrong-wrong-1');
      await sign('127.0.0.13', 'nobody-at-all', 'wrong-wrong-1');
    }
    const cases: Record<string, (i: number) => ReturnType<typeof sign>> = {
      'unknown user': (i) => sign(`127.0.1.${10 + i}`, 'nobody-here', 'wrong-wrong-1'),
      'wrong password': (i) => sign(`127.0.2.${10 + i}`, 'ada', 'wrong-wrong-1'),
      'held back': () => sign('127.0.0.3', 'nina', TEST_PASSWORD),
      'held back, unknown name': () => sign('127.0.0.13', 'nobody-at-all', 'wrong-wrong-1'),
    };
    await cases['unknown user']!(200);
    const times: Record<string, number[]> = {};
    const statuses: Record<string, Set<number>> = {};
    for (let round = 0; round < rounds; round++)
      for (const [name, run] of Object.entries(cases)) {
        const r = await run(round % 200);
        (times[name] ??= []).push(r.ms);
        (statuses[name] ??= new Set()).add(r.status);
      }
    for (const [name, t] of Object.entries(times)) {
      const s = stats(t);
      console.log(
        `| ${backend} | ${name} | ${[...statuses[name]!].join('/')} | ${s.p50.toFixed(0)} | ${Math.min(...t).toFixed(0)} | ${Math.max(...t).toFixed(0)} |`,
      );
    }
    await srv.close();
    await db.close();
  }
} finally {
  cluster?.stop();
  tmp.cleanup();
}
