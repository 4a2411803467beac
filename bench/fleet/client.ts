/**
 * A simulated ward workstation for the fleet benchmark: speaks sync protocol 2 exactly as the real
 * engine does (stop-and-wait pull pages, the live-update long-poll, pushes), but keeps only its
 * cursor, so a few hundred of them fit in one process. Records the server's own time for every
 * request (its `server-timing` header).
 */
import { changeMessage, newPersonKey, signProof, type SignedChange } from '../../src/store/personSignature';
import { PAGE_LIMIT } from '../../src/sync/engine';
import { SYNC_PROTOCOL_VERSION } from '../../src/sync/protocol';

/** The page size a simulated workstation asks for: the real engine's, or FLEET_PAGE_LIMIT. */
const SIM_PAGE_LIMIT = Number(process.env.FLEET_PAGE_LIMIT ?? PAGE_LIMIT);

/** A change as the simulated workstation pushes it, before it is signed. */
export type SimChange = Omit<SignedChange, 'device_id'> & { seq: number };

export interface Cycle {
  serverMs: number;
  pages: number;
  rows: number;
  ids: string[];
  wallMs: number;
}

export class SimWorkstation {
  cursor: string | null = null;
  listening = false;
  stopped = false;
  /**
   * Its user's signing key on this workstation, registered on the server at enrollment (run.ts): since
   * issue 20 the server applies no change without its author's signature (docs/security.md, P1).
   */
  readonly key = newPersonKey();
  constructor(
    readonly url: string,
    readonly deviceId: string,
    readonly secret: string,
    readonly userId: string,
    readonly ward: string,
  ) {}

  get auth(): string {
    return `Device ${this.deviceId}.${this.secret}`;
  }

  async post(path: string, body: unknown, signal?: AbortSignal): Promise<{ body: any; serverMs: number }> {
    const res = await fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: this.auth },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });
    const text = await res.text();
    const serverMs = Number(/dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? NaN);
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return { body: JSON.parse(text), serverMs };
  }

  /**
   * Pulls until the cycle completes. `out` is filled page by page, so a caller that gives up (`signal`)
   * still sees how far the cycle got.
   */
  async cycle(
    limit = SIM_PAGE_LIMIT,
    signal?: AbortSignal,
    out: Cycle = { serverMs: 0, pages: 0, rows: 0, ids: [], wallMs: 0 },
  ): Promise<Cycle> {
    const t0 = performance.now();
    for (;;) {
      const { body, serverMs } = await this.post(
        '/v2/sync/pull',
        {
          protocol: SYNC_PROTOCOL_VERSION,
          cursor: this.cursor,
          limit,
        },
        signal,
      );
      this.cursor = body.cursor;
      out.serverMs += serverMs;
      out.pages++;
      out.rows += body.upserts.length + body.removals.length;
      for (const u of body.upserts) if (u.table === 'observations') out.ids.push(String(u.row.id));
      if (body.complete) break;
    }
    out.wallMs = performance.now() - t0;
    return out;
  }

  async push(mutations: SimChange[]): Promise<{ body: any; serverMs: number }> {
    const signed = mutations.map((m) => ({
      ...m,
      proof: signProof(this.key.privateKey, this.key.publicKey, changeMessage({ ...m, device_id: this.deviceId })),
    }));
    return this.post('/v2/sync/push', { protocol: SYNC_PROTOCOL_VERSION, mutations: signed, audit: [] });
  }

  /** Long-polls; resolves true when the server says there is something to pull. */
  async wait(timeoutMs: number, signal: AbortSignal): Promise<boolean> {
    const { body } = await this.post(
      '/v2/sync/wait',
      { protocol: SYNC_PROTOCOL_VERSION, cursor: this.cursor, timeout_ms: timeoutMs },
      signal,
    );
    return Boolean(body.changed);
  }
}
