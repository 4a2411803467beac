/**
 * The server sign-ins (15-minute bearer tokens) of users who signed in here online, kept in memory only
 * and never written anywhere: the administration views use them to ask the server to list or revoke
 * workstations and enrollment codes as that administrator.
 */
import type { Clock } from '../src/domain/time';
import { AppError } from '../src/domain/errors';

export class ServerTokens {
  readonly #tokens = new Map<string, { token: string; expires_at: string }>();
  constructor(private readonly clock: Clock) {}

  set(t: { user_id: string; token: string; expires_at: string }): void {
    this.#tokens.set(t.user_id, { token: t.token, expires_at: t.expires_at });
  }

  /** The user's bearer header, or a clear error when they have no current server sign-in. */
  bearer(userId: string): string {
    const t = this.#tokens.get(userId);
    if (!t || t.expires_at <= this.clock.now().toISOString()) {
      this.#tokens.delete(userId);
      throw new AppError(
        'unauthenticated',
        'This needs the central server, and your sign-in there has ended (or the workstation was offline when you signed in). Sign out and sign in again while online.',
      );
    }
    return `Bearer ${t.token}`;
  }

  /** The user signed out here: their server sign-in is not kept for anyone else (root's above all). */
  forget(userId: string): void {
    this.#tokens.delete(userId);
  }

  clear(): void {
    this.#tokens.clear();
  }
}
