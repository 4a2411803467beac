/**
 * SPEC §3a consent restrictions: a patient does not want a named user to see their data. Recording or
 * removing one needs `update` on the patient; the reason is required both ways and kept in the audit
 * log (a removed restriction leaves no row behind, only its audit trail).
 */
import { z } from 'zod';
import { conflict, invalid } from '../../domain/errors';
import type { ConsentRestriction } from '../../domain/entities';
import type { Db } from '../../store/db';
import { MIN_CONSENT_REASON } from '../../domain/roles';
import { Id, NewId } from '../../domain/schemas';
import { getPatient, getUser } from '../load';
import { defineMutation, ref } from '../run';

const Reason = z
  .string()
  .trim()
  .min(MIN_CONSENT_REASON, `must say why in at least ${MIN_CONSENT_REASON} characters`)
  .max(2000, 'is too long');

export const getConsentRestriction = (db: Db, id: string) =>
  db.get<ConsentRestriction>('SELECT * FROM consent_restrictions WHERE id = ?', [id]);

/** The audit line names the restricted user; the reason travels in the audit event, not only the row. */
const auditReason = (userId: string, reason: string): string => `User:${userId}: ${reason}`.slice(0, 1000);

export const recordConsentRestriction = defineMutation({
  name: 'recordConsentRestriction',
  args: z.object({ id: NewId('cr'), patient_id: Id, user_id: Id, reason: Reason }).strict(),
  async plan(ctx, a, who) {
    const patient = await getPatient(ctx.db, a.patient_id);
    return {
      checks: [
        {
          action: 'update',
          target: patient ? { type: 'Patient', id: a.patient_id } : null,
          notFound: 'That patient was not found.',
          forbidden: 'Only staff who may edit this patient may record who must not see their data.',
        },
      ],
      audit: {
        action: 'record_consent_restriction',
        resource: ref('Patient', a.patient_id),
        orgId: patient?.org_id ?? null,
        reason: auditReason(a.user_id, a.reason),
      },
      summary: `Consent restriction for ${patient?.name ?? 'a patient'}`,
      async apply(w, _who, now) {
        const user = await getUser(ctx.db, a.user_id);
        if (!user || user.org_id !== patient!.org_id) throw invalid('Choose a member of staff of this organization.');
        if (user.patient_id === patient!.id) throw invalid('A patient cannot be restricted from their own chart.');
        if (
          await ctx.db.get('SELECT 1 FROM consent_restrictions WHERE patient_id = ? AND user_id = ?', [a.patient_id, a.user_id])
        ) {
          throw conflict(`${user.name} is already restricted from this patient's data.`);
        }
        if (await getConsentRestriction(ctx.db, a.id)) throw conflict('This restriction exists already.');
        const row: ConsentRestriction = {
          id: a.id,
          org_id: patient!.org_id,
          patient_id: a.patient_id,
          user_id: a.user_id,
          reason: a.reason,
          recorded_by: who.actor.id,
          recorded_at: now,
        };
        await w.insert('consent_restrictions', row);
        return row;
      },
    };
  },
});

export const removeConsentRestriction = defineMutation({
  name: 'removeConsentRestriction',
  args: z.object({ id: Id, reason: Reason }).strict(),
  async plan(ctx, a) {
    const cr = await getConsentRestriction(ctx.db, a.id);
    return {
      // One not-found sentence whether the restriction or its patient is missing or unreadable.
      checks: [
        {
          action: 'update',
          target: cr ? { type: 'Patient', id: cr.patient_id } : null,
          notFound: 'That restriction was not found.',
          forbidden: 'Only staff who may edit this patient may remove a restriction.',
        },
      ],
      audit: {
        action: 'remove_consent_restriction',
        resource: cr ? ref('Patient', cr.patient_id) : `ConsentRestriction:${a.id}`,
        orgId: cr?.org_id ?? null,
        reason: cr ? auditReason(cr.user_id, a.reason) : null,
      },
      summary: 'Consent restriction removed',
      async apply(w) {
        const before = await w.delete('consent_restrictions', { id: a.id });
        if (!before) throw conflict('This restriction was already removed.');
        return { id: a.id };
      },
    };
  },
});
