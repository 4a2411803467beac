/** Scheduling and the examination lifecycle (SPEC §3 Appointment rows). */
import { z } from 'zod';
import { conflict, invalid } from '../../domain/errors';
import type { Appointment } from '../../domain/entities';
import type { AppointmentStatus } from '../../domain/roles';
import { Id, IsoTime, NewId } from '../../domain/schemas';
import type { Resolved } from '../../authz/engine';
import { isReplay, type ServiceContext } from '../context';
import { getAppointment, getPatient, getUser } from '../load';
import { withVisibleReasons } from '../queries/visitReason';
import { Sensitivity } from './records';
import { checkScheduledAt } from '../validation';
import { defineMutation, ref } from '../run';

export const scheduleAppointment = defineMutation({
  name: 'scheduleAppointment',
  args: z
    .object({
      id: NewId('apt'),
      patient_id: Id,
      clinician_id: Id,
      scheduled_at: IsoTime,
      // A short line for day lists and tables; the clinical detail belongs in the record.
      reason: z.string().trim().min(1, 'is required').max(500, 'is too long: at most 500 characters'),
      // SPEC §3a: an HIV clinic review, a psychiatry consultation — the reason is then shown only to
      // users cleared for the label on the patient (and the clinician).
      sensitivity: Sensitivity.default(null),
    })
    .strict(),
  async plan(ctx, a) {
    const patient = await getPatient(ctx.db, a.patient_id);
    const row: Appointment = {
      id: a.id,
      patient_id: a.patient_id,
      clinician_id: a.clinician_id,
      scheduled_at: a.scheduled_at,
      reason: a.reason,
      status: 'scheduled',
      sensitivity: a.sensitivity,
    };
    return {
      checks: [
        {
          action: 'schedule_appointment',
          target: { type: 'Patient', id: a.patient_id },
          forbidden: 'You may not schedule appointments for this patient.',
          notFound: 'That patient was not found.',
        },
      ],
      audit: { action: 'schedule_appointment', resource: ref('Appointment', a.id), orgId: patient?.org_id ?? null },
      summary: `Appointment for ${patient?.name ?? 'a patient'}`,
      async apply(w, who, now) {
        checkScheduledAt(a.scheduled_at, now, { replay: isReplay(ctx) });
        const clinician = await getUser(ctx.db, a.clinician_id);
        if (!clinician || clinician.org_id !== patient!.org_id) throw invalid('Choose a clinician of this organization.');
        if (await getAppointment(ctx.db, a.id)) throw conflict('This appointment already exists.');
        await w.insert('appointments', row);
        return visibleReason(ctx, who, row);
      },
    };
  },
});

/** The answer shows a labelled appointment's reason only to a user cleared for it, as every list does. */
async function visibleReason(ctx: ServiceContext, who: Resolved, row: Appointment): Promise<Appointment> {
  return (await withVisibleReasons(ctx.authz, who.actor, [row]))[0]!;
}

/** A state transition the server decides (first valid transition wins; SPEC §6). */
function transition(opts: {
  name: string;
  action: string;
  from: AppointmentStatus[];
  to: AppointmentStatus;
  forbidden: string;
  wrongState: string;
  summary: string;
}) {
  return defineMutation({
    name: opts.name,
    args: z.object({ id: Id }).strict(),
    async plan(ctx, a) {
      const ap = await getAppointment(ctx.db, a.id);
      const patient = ap ? await getPatient(ctx.db, ap.patient_id) : undefined;
      return {
        checks: [
          {
            action: opts.action,
            target: { type: 'Appointment', id: a.id },
            notFound: 'That appointment was not found.',
            forbidden:
              ap && !opts.from.includes(ap.status)
                ? `${opts.wrongState} (it is ${ap.status.replace('_', ' ')}).`
                : opts.forbidden,
          },
        ],
        audit: { action: opts.action, resource: ref('Appointment', a.id), orgId: patient?.org_id ?? null },
        summary: `${opts.summary}: ${patient?.name ?? a.id}`,
        async apply(w, who) {
          const row = await w.update('appointments', { id: a.id }, { status: opts.to }, { status: ap!.status });
          if (!row) throw conflict(`${opts.wrongState}: it was changed meanwhile.`);
          return visibleReason(ctx, who, row as unknown as Appointment);
        },
      };
    },
  });
}

export const startAppointment = transition({
  name: 'startAppointment',
  action: 'start',
  from: ['scheduled'],
  to: 'in_progress',
  forbidden: "Only the appointment's clinician may start it.",
  wrongState: 'Only a scheduled appointment can be started',
  summary: 'Examination started',
});
export const completeAppointment = transition({
  name: 'completeAppointment',
  action: 'complete',
  from: ['scheduled', 'in_progress'],
  to: 'completed',
  forbidden: "Only the appointment's clinician may complete it.",
  wrongState: 'This appointment can no longer be completed',
  summary: 'Examination completed',
});
export const cancelAppointment = transition({
  name: 'cancelAppointment',
  action: 'cancel',
  from: ['scheduled'],
  to: 'canceled',
  forbidden: 'You may not cancel this appointment.',
  wrongState: 'Only a scheduled appointment can be canceled',
  summary: 'Appointment canceled',
});

export const rescheduleAppointment = defineMutation({
  name: 'rescheduleAppointment',
  args: z.object({ id: Id, scheduled_at: IsoTime }).strict(),
  async plan(ctx, a) {
    const ap = await getAppointment(ctx.db, a.id);
    const patient = ap ? await getPatient(ctx.db, ap.patient_id) : undefined;
    return {
      checks: [
        {
          action: 'reschedule',
          target: { type: 'Appointment', id: a.id },
          notFound: 'That appointment was not found.',
          forbidden:
            ap && ap.status !== 'scheduled'
              ? `Only a scheduled appointment can be rescheduled (it is ${ap.status.replace('_', ' ')}).`
              : 'You may not reschedule this appointment.',
        },
      ],
      audit: { action: 'reschedule', resource: ref('Appointment', a.id), orgId: patient?.org_id ?? null },
      summary: `Appointment moved: ${patient?.name ?? a.id}`,
      async apply(w, who, now) {
        checkScheduledAt(a.scheduled_at, now, { replay: isReplay(ctx) });
        const row = await w.update('appointments', { id: a.id }, { scheduled_at: a.scheduled_at }, { status: 'scheduled' });
        if (!row) throw conflict('Only a scheduled appointment can be rescheduled: it was changed meanwhile.');
        return visibleReason(ctx, who, row as unknown as Appointment);
      },
    };
  },
});
