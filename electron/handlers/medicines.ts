/**
 * Medicines (issue 19): the MAR, the ward's doses due now, a witness's confirmation and a dose given.
 * The witness's badge + PIN or password are checked HERE, in the main process, like a sign-in
 * (src/services/witness.ts) while the nurse stays signed in; the renderer receives a one-use token
 * and can only hand it back with the dose it was confirmed for.
 */
import type { Principal } from '../../src/authz/engine';
import { AppError } from '../../src/domain/errors';
import { MUTATIONS } from '../../src/services/mutations';
import { dosesDueNow, openMar } from '../../src/services/queries/mar';
import { runMutation } from '../../src/services/run';
import { WitnessConfirmations } from '../../src/services/witness';
import type { Workstation } from '../workstation';
import type { HandlerMap } from './dispatch';

const need = (p: Principal | null): Principal => {
  if (!p) throw new AppError('unauthenticated', 'Please sign in.');
  return p;
};

/** One set of pending confirmations per open workstation, in memory only. */
const confirmations = new WeakMap<Workstation, WitnessConfirmations>();
const confirmationsOf = (ws: Workstation): WitnessConfirmations => {
  let c = confirmations.get(ws);
  if (!c) confirmations.set(ws, (c = new WitnessConfirmations()));
  return c;
};

export const medicineHandlers: Pick<HandlerMap, 'mar.open' | 'mar.dueNow' | 'medicines.witness' | 'medicines.record'> = {
  'mar.open': async (r, ws, p) => openMar(ws.ctx, need(p), r.patientId),
  'mar.dueNow': async (r, ws, p) => dosesDueNow(ws.ctx, need(p), { wardId: r.wardId }),
  'medicines.witness': async (r, ws, p) => {
    const nurse = need(p);
    const organization = (await ws.sync.engine.enrollment())?.org_id ?? ws.config.organization ?? null;
    const credentials =
      r.method === 'password'
        ? { method: 'password' as const, username: r.username, password: r.password }
        : { method: 'badge' as const, badge: r.badge, pin: r.pin };
    const confirmed = await confirmationsOf(ws).confirm(
      { db: ws.db, clock: ws.clock, lockout: ws.config.lockout, organization },
      credentials,
      nurse.userId,
      r.order_id,
      // Their own key, unwrapped by the secret they typed: the confirmation is signed by them (docs/security.md).
      async (id) => {
        const key = ws.keys.heldKey(id) ?? (await ws.keys.witnessKey(id, r.method, r.method === 'password' ? r.password : r.pin));
        // Enrolled, the server takes a witnessed dose only with the witness's own signature: refuse now, not at sync.
        if (!key && (await ws.sync.engine.enrollment()))
          throw new AppError(
            'invalid',
            'This witness has not signed in on this workstation yet, so they cannot sign the confirmation. Ask them to sign in here once (then switch back), or ask another colleague.',
          );
        return key;
      },
    );
    ws.log.info('witness confirmed', { user: nurse.userId, witness: confirmed.witness.id, method: r.method });
    return confirmed;
  },
  'medicines.record': async (r, ws, p) => {
    const nurse = need(p);
    const { witness_token, ...dose } = r;
    const witness = witness_token
      ? confirmationsOf(ws).take(witness_token, nurse.userId, dose.order_id, ws.clock.now().getTime())
      : null;
    const witness_proof = witness?.key
      ? await ws.keys.witnessProof(witness.key, {
          administration_id: dose.id,
          order_id: dose.order_id,
          nurse_id: nurse.userId,
          witness_id: witness.id,
        })
      : null;
    const result = await runMutation(ws.ctx, nurse, MUTATIONS.recordAdministration, {
      ...dose,
      witness_id: witness?.id ?? null,
      witness_proof,
    });
    void ws.sync.syncNow().catch(() => undefined);
    return result as never;
  },
};
