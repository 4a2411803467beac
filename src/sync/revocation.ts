/**
 * Noticing that this workstation was revoked (docs/security.md, T3): the server answers any request
 * made with the revoked credential with 401 and `details.reason = "device_revoked"`. The sync engine
 * wraps its transport with this, so whichever request hears it first (sync, sign-in, key
 * registration) calls the workstation's `onRevoked` hook once, which erases the cache.
 */
import { SyncHttpError, type Transport } from './http';

export interface Revocation {
  message: string;
  revoked_at: string | null;
}

export function revocationOf(err: unknown): Revocation | null {
  if (!(err instanceof SyncHttpError) || err.status !== 401 || err.details?.reason !== 'device_revoked') return null;
  return { message: err.message, revoked_at: typeof err.details.revoked_at === 'string' ? err.details.revoked_at : null };
}

export function revocationAware(
  make: (url: string) => Transport,
  onRevoked: (r: Revocation) => Promise<void>,
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
          throw e;
        }
      },
    };
  };
}
