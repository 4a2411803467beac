/**
 * What this workstation has not sent (docs/security.md, R1–R3): when it is retired or revoked, its
 * pending changes (who, what, when) and the audit events the server does not hold yet are reported
 * to the server for the administrator's view, and summarised — without patient names, since the
 * summary outlives the erased database — for the window.
 */
import type { z } from 'zod';
import type { Db } from '../store/db';
import type { UnsentReport } from './securityProtocol';

export interface UnsentSummary {
  changes: Array<{ what: string; who: string; at: string }>;
  audit_events: number;
}

/** A change in words that name no patient. */
const WHAT: Record<string, string> = {
  registerPatient: 'Patient registration',
  updatePatient: 'Change of patient details',
  dischargePatient: 'Discharge',
  finalDischargePatient: 'Final discharge',
  setPatientRestricted: 'Patient restriction',
  scheduleAppointment: 'Appointment booked',
  cancelAppointment: 'Appointment cancelled',
  rescheduleAppointment: 'Appointment moved',
  startAppointment: 'Appointment started',
  completeAppointment: 'Appointment completed',
  createRecord: 'Clinical note',
  amendRecord: 'Amendment of a clinical note',
  recordObservation: 'Vitals or observation',
  acknowledgeAlert: 'Alert acknowledged',
  rescheduleAlert: 'Alert rescheduled',
  breakGlass: 'Emergency access',
  recordConsentRestriction: 'Consent restriction',
  removeConsentRestriction: 'Consent restriction removed',
};

export async function unsentNow(
  db: Db,
  auditSentThrough: number,
): Promise<{ report: z.input<typeof UnsentReport>; summary: UnsentSummary }> {
  const changes = await db.all<{
    id: string;
    name: string;
    actor_id: string;
    created_at: string;
    summary: string;
    held: string | null;
    who: string | null;
  }>(
    `SELECT o.id, o.name, o.actor_id, o.created_at, o.summary, o.held, u.name AS who
     FROM outbox o LEFT JOIN users u ON u.id = o.actor_id WHERE o.status = 'pending' ORDER BY o.seq LIMIT 5000`,
  );
  const audit = await db.get<{ n: number | string; first: number | string | null }>(
    'SELECT COUNT(*) AS n, MIN(seq) AS first FROM audit_events WHERE seq > ?',
    [auditSentThrough],
  );
  const events = Number(audit?.n ?? 0);
  return {
    report: {
      changes: changes.map((c) => ({
        id: c.id,
        name: c.name.slice(0, 100),
        actor: c.actor_id.slice(0, 200),
        created_at: c.created_at.slice(0, 40),
        summary: c.summary.slice(0, 300),
        reason: c.held?.slice(0, 500) ?? null,
      })),
      audit_events: events,
      audit_from_seq: events > 0 && audit?.first != null ? Number(audit.first) : null,
    },
    summary: {
      changes: changes.map((c) => ({ what: WHAT[c.name] ?? c.name, who: c.who ?? c.actor_id, at: c.created_at })),
      audit_events: events,
    },
  };
}

const count = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

/** One sentence on what happened to the work saved here. */
export function unsentSentence(s: UnsentSummary, o: { retired: boolean; reported: boolean }): string {
  const changes = s.changes.length;
  if (changes === 0 && s.audit_events === 0)
    return 'Everything saved here had reached the central server before its local data was erased.';
  const missed = `had not reached the central server${o.retired ? ' and could not be sent' : ''}`;
  const view = "the administrator's view of its workstations";
  if (changes === 0)
    return `${count(s.audit_events, 'audit event')} recorded here ${missed}; ${s.audit_events === 1 ? 'it was' : 'they were'} erased with its data${o.reported ? `, as ${view} records` : ''}.`;
  const what = [count(changes, 'change'), s.audit_events ? count(s.audit_events, 'audit event') : null]
    .filter(Boolean)
    .join(' and ');
  return `${what} saved here ${missed} and ${changes + s.audit_events === 1 ? 'was' : 'were'} erased with its data. The changes are listed below${o.reported ? ` and in ${view}` : ''}.`;
}
