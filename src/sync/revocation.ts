/**
 * Noticing that this workstation was revoked or is being retired (docs/security.md, T3, R1–R3). The
 * server answers a request made with a revoked credential with 401 and `details.reason =
 * "device_revoked"` (erase now), and a retiring workstation's requests other than pushing with
 * `"device_retiring"` (send what is pending, then erase). The sync engine wraps its transport with
 * this, so whichever request hears it first (sync, sign-in, key registration) tells the engine.
 */
import { SyncHttpError, type Transport } from './http';
import type { UnsentSummary } from './unsent';

export interface Revocation {
  message: string;
  revoked_at: string | null;
  /** `revoked`: as compromised, erased at once; `retired`: it sent what it had, then erased. */
  mode?: 'revoked' | 'retired';
  /** What had not reached the server and was erased with the data (no patient names). */
  unsent?: UnsentSummary | null;
}

export interface Retirement {
  message: string;
  requested_at: string | null;
  note: string | null;
}

export function revocationOf(err: unknown): Revocation | null {
  if (!(err instanceof SyncHttpError) || err.status !== 401 || err.details?.reason !== 'device_revoked') return null;
  return {
    message: err.message,
    revoked_at: typeof err.details.revoked_at === 'string' ? err.details.revoked_at : null,
    mode: 'revoked',
  };
}

export function retirementOf(err: unknown): Retirement | null {
  if (!(err instanceof SyncHttpError) || err.status !== 401 || err.details?.reason !== 'device_retiring') return null;
  const d = err.details;
  return {
    message: err.message,
    requested_at: typeof d.requested_at === 'string' ? d.requested_at : null,
    note: typeof d.note === 'string' ? d.note : null,
  };
}

export function revocationAware(
  make: (url: string) => Transport,
  onRevoked: (r: Revocation) => Promise<void>,
  onRetiring: (r: Retirement) => void = () => {},
): (url: string) => Transport {
  let heard: Promise<void> | null = null;
  return (url) => {
    const t = make(url);
    return {
      async post(path, body, response, auth, opts) {
        try {
          return await t.post(path, body, response, auth, opts);
        } catch (e) {
          const r = revocationOf(e);
          if (r) await (heard ??= onRevoked(r));
          const retiring = retirementOf(e);
          if (retiring) onRetiring(retiring);
          throw e;
        }
      },
    };
  };
}
