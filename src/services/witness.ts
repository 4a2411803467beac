/**
 * The witness of a controlled medicine (SPEC §7b, issue 19 item 3): a second user confirms with their
 * own badge + PIN or password at the same workstation, WITHOUT signing the first user out. Their
 * credentials are verified in the main process exactly like a sign-in (cached slow hashes, the same
 * throttle and the same audited `sign_in_*` line: src/services/signIn.ts), and the confirmation is a
 * one-use token bound to the nurse and the order, kept in memory for two minutes. The renderer only
 * ever holds the token: it cannot name a witness by itself. The dose mutation then checks that the
 * witness may `administer` the order (src/services/mutations/medicationAdministrations.ts), and the
 * server decides that again when the dose is pushed.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import type { User } from '../domain/entities';
import { AppError } from '../domain/errors';
import { type Credentials, type SignInOptions, verifyCredentials } from './signIn';

export const WITNESS_TOKEN_MINUTES = 2;

/** The witness's own signing key, unwrapped by the secret they typed (src/sync/userKeys.ts). */
export interface WitnessKey {
  publicKey: string;
  privateKey: KeyObject;
}

interface Confirmation {
  witness: Pick<User, 'id' | 'name'>;
  /** Null when the witness holds no key here (never signed in on this workstation). */
  key: WitnessKey | null;
  nurseId: string;
  orderId: string;
  expires: number;
}

export class WitnessConfirmations {
  readonly #tokens = new Map<string, Confirmation>();

  /**
   * Verifies the witness's credentials (throttled and audited like a sign-in) and returns a one-use
   * token for this nurse and order. The witness must be someone else than the nurse.
   */
  async confirm(
    opts: SignInOptions,
    c: Credentials,
    nurseId: string,
    orderId: string,
    keyOf: (witnessId: string) => Promise<WitnessKey | null> = async () => null,
  ): Promise<{ token: string; witness: { id: string; name: string } }> {
    const user = await verifyCredentials(opts, c);
    if (user.id === nurseId)
      throw new AppError('invalid', 'The witness must be a second person: ask a colleague to confirm with their own badge.');
    const now = opts.clock.now().getTime();
    this.#sweep(now);
    const token = randomUUID();
    this.#tokens.set(token, {
      witness: { id: user.id, name: user.name },
      key: user.id === nurseId ? null : await keyOf(user.id),
      nurseId,
      orderId,
      expires: now + WITNESS_TOKEN_MINUTES * 60_000,
    });
    return { token, witness: { id: user.id, name: user.name } };
  }

  /** The witness a token names (and their key), once: for this nurse and order, before it expires. */
  take(token: string, nurseId: string, orderId: string, nowMs: number): { id: string; key: WitnessKey | null } {
    const c = this.#tokens.get(token);
    this.#tokens.delete(token);
    if (!c || c.nurseId !== nurseId || c.orderId !== orderId || c.expires <= nowMs)
      throw new AppError(
        'invalid',
        'The witness confirmation has expired or belongs to another dose. Ask the witness to confirm again.',
      );
    return { id: c.witness.id, key: c.key };
  }

  #sweep(now: number): void {
    for (const [k, c] of this.#tokens) if (c.expires <= now) this.#tokens.delete(k);
  }
}
