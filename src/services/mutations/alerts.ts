/** Handling a patient's alerts (SPEC §3 Alert rows). */
import { z } from 'zod';
import { rescheduleProblem } from '../../domain/alertReschedule';
import { conflict, invalid } from '../../domain/errors';
import type { Alert } from '../../domain/entities';
import { Id, IsoTime } from '../../domain/schemas';
import { isReplay } from '../context';
import { getAlert, getPatient } from '../load';
import { checkDueAt } from '../validation';
import { defineMutation, ref } from '../run';

export const acknowledgeAlert = defineMutation({
  name: 'acknowledgeAlert',
  args: z.object({ id: Id }).strict(),
  async plan(ctx, a, who) {
    const alert = await getAlert(ctx.db, a.id);
    const patient = alert ? await getPatient(ctx.db, alert.patient_id) : undefined;
    return {
      checks: [
        {
          action: 'acknowledge',
          target: alert ? { type: 'Alert', id: a.id } : null,
          notFound: 'That alert was not found.',
          forbidden: 'Only medical staff caring for this patient may acknowledge the alert.',
        },
      ],
      audit: { action: 'acknowledge', resource: ref('Alert', a.id), orgId: patient?.org_id ?? null },
      summary: `Alert acknowledged: ${patient?.name ?? a.id}`,
      async apply(w, _who, now) {
        const row = await w.update(
          'alerts',
          { id: a.id },
          { status: 'acknowledged', acknowledged_by: who.actor.id, acknowledged_at: now },
          { status: 'open' },
        );
        if (!row) throw conflict('This alert was already acknowledged.');
        return row as unknown as Alert;
      },
    };
  },
});

export const rescheduleAlert = defineMutation({
  name: 'rescheduleAlert',
  args: z
    .object({
      id: Id,
      due_at: IsoTime,
      /** Required for a high or critical alert (SPEC §7b); kept on the alert and in the audit log. */
      reason: z.string().trim().max(500, 'is too long').nullish(),
    })
    .strict(),
  async plan(ctx, a) {
    const alert = await getAlert(ctx.db, a.id);
    const patient = alert ? await getPatient(ctx.db, alert.patient_id) : undefined;
    return {
      checks: [
        {
          action: 'reschedule',
          target: alert ? { type: 'Alert', id: a.id } : null,
          notFound: 'That alert was not found.',
          forbidden: 'Only medical staff caring for this patient may reschedule the alert.',
        },
      ],
      audit: {
        action: 'reschedule_alert',
        resource: ref('Alert', a.id),
        orgId: patient?.org_id ?? null,
        reason: a.reason?.trim() || null,
      },
      summary: `Alert rescheduled: ${patient?.name ?? a.id}`,
      async apply(w, _who, now) {
        checkDueAt(a.due_at, now, { replay: isReplay(ctx) });
        const problem = alert ? rescheduleProblem(alert.severity, a.due_at, now, a.reason) : null;
        if (problem) throw invalid(problem);
        const row = await w.update(
          'alerts',
          { id: a.id },
          { due_at: a.due_at, reschedule_reason: a.reason?.trim() || null },
          { status: 'open' },
        );
        if (!row) throw conflict('An acknowledged alert cannot be rescheduled.');
        return row as unknown as Alert;
      },
    };
  },
});
