/** The workstation's HTTP client for the sync protocol: timeouts, JSON, typed errors. */
import type { z } from 'zod';
import type { ErrorKind } from '../domain/errors';
import { ErrorBody } from './protocol';

export class SyncHttpError extends Error {
  /**
   * `detail`: what went wrong underneath (for the log, not for the user); `details`: the server's
   * structured details (a revoked workstation: `reason = device_revoked`).
   */
  constructor(
    readonly status: number,
    readonly kind: ErrorKind | 'network',
    message: string,
    readonly detail?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'SyncHttpError';
  }
  get retryable(): boolean {
    return this.kind === 'network' || this.status >= 500 || this.status === 0 || this.status === 429;
  }
  /** The server speaks a newer protocol: retrying will not help until the software is updated. */
  get upgradeRequired(): boolean {
    return this.status === 426;
  }
}

export interface PostOptions {
  /** Overrides the transport's timeout (a long-poll waits longer than a request). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface Transport {
  post<S extends z.ZodType>(path: string, body: unknown, response: S, auth?: string, opts?: PostOptions): Promise<z.output<S>>;
}

export function httpTransport(baseUrl: string, timeoutMs = 30_000): Transport {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    async post(path, body, response, auth, opts = {}) {
      let res: Response;
      const timeout = AbortSignal.timeout(opts.timeoutMs ?? timeoutMs);
      try {
        res = await fetch(`${base}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
          body: JSON.stringify(body),
          signal: opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout,
        });
      } catch (e) {
        const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
        throw new SyncHttpError(
          0,
          'network',
          'The server cannot be reached; changes stay on this workstation and are sent when the connection is back.',
          cause,
        );
      }
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      if (!res.ok) {
        const err = ErrorBody.safeParse(json);
        throw new SyncHttpError(
          res.status,
          err.success ? err.data.error.kind : res.status >= 500 ? 'internal' : 'invalid',
          err.success ? err.data.error.message : `The server answered ${res.status}.`,
          undefined,
          err.success ? err.data.error.details : undefined,
        );
      }
      const parsed = response.safeParse(json);
      if (!parsed.success)
        throw new SyncHttpError(res.status, 'internal', 'The server sent an answer this workstation does not understand.');
      return parsed.data;
    },
  };
}
