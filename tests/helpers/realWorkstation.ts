/**
 * A real workstation (composition root, handler registry, encrypted database and key file) enrolled
 * with a test server, whose connection a test can cut: every request it makes — sync, sign-in,
 * administration — goes through one transport that refuses to connect while `online` is false.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { SystemConfigSchema } from '../../electron/config';
import { workstationDbKey, type SecretWrapper } from '../../electron/dbKey';
import { workstationDispatch } from '../../electron/handlers';
import { fileLogger } from '../../electron/log';
import { openWorkstation, workstationDbPath, type Workstation } from '../../electron/workstation';
import { TEST_COST } from '../../src/domain/secretHash';
import { ManualClock } from '../../src/domain/time';
import { httpTransport, SyncHttpError, type Transport } from '../../src/sync/http';
import { bearer, NOW, post } from './sync';

/** A stand-in for the OS key store: AES-GCM under a per-"account" secret. */
export function keyStore(secret = randomBytes(32)): SecretWrapper {
  return {
    isEncryptionAvailable: () => true,
    encryptString(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', secret, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decryptString(w) {
      const d = createDecipheriv('aes-256-gcm', secret, w.subarray(0, 12));
      d.setAuthTag(w.subarray(12, 28));
      return Buffer.concat([d.update(w.subarray(28)), d.final()]).toString('utf8');
    },
    getSelectedStorageBackend: () => 'gnome_libsecret',
  };
}

export interface RealWorkstation {
  ws: Workstation;
  dir: string;
  clock: ManualClock;
  online: boolean;
  call: (channel: string, request?: unknown) => Promise<any>;
  close: () => Promise<void>;
}

export async function realWorkstation(
  url: string,
  parent: string,
  name: string,
  opts: { org?: string; admin?: string; adminPassword?: string; clock?: ManualClock } = {},
): Promise<RealWorkstation> {
  const dir = path.join(parent, name);
  mkdirSync(dir, { recursive: true });
  const key = workstationDbKey(dir, workstationDbPath(dir), keyStore());
  const clock = opts.clock ?? new ManualClock(NOW);
  const rw: RealWorkstation = {
    ws: undefined as unknown as Workstation,
    dir,
    clock,
    online: true,
    call: async () => undefined,
    close: async () => {
      if (!rw.ws.revoked?.erased) await rw.ws.close();
    },
  };
  const transport = (u: string): Transport => {
    const real = httpTransport(u, 20_000);
    return {
      post: async (p, body, response, auth, o) => {
        if (!rw.online) throw new SyncHttpError(0, 'network', 'The server cannot be reached (offline).');
        return real.post(p, body, response, auth, o);
      },
    };
  };
  rw.ws = await openWorkstation({
    config: SystemConfigSchema.parse({ workstationName: name }),
    configFile: null,
    dataDir: dir,
    clock,
    log: fileLogger(path.join(dir, 'logs')),
    dbKey: key.key,
    keyInfo: { event: key.event, weakBackend: false },
    autoSync: false,
    keyCost: TEST_COST,
    transport,
  });
  const dispatch = workstationDispatch(rw.ws);
  rw.call = async (c, r = {}) => {
    const a = await dispatch(c, r);
    if (!a.ok) throw Object.assign(new Error(a.error.message), a.error);
    return a.value;
  };
  const org = opts.org ?? 'org-gh';
  const code = await post(
    url,
    '/v1/enrollment-codes',
    { protocol: 1, org_id: org },
    await bearer(url, opts.admin ?? 'ada', opts.adminPassword),
  );
  await rw.ws.sync.engine.enroll(url, code.body.code, name);
  rw.ws.session.setOrganization(org);
  return rw;
}
