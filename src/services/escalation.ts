/**
 * Escalation (SPEC §7b): what a saved set of vital signs or a laboratory result raises. Called inside the
 * write use cases, so it runs where the value is entered (the workstation, offline too) and again when
 * the server replays that use case. The alert's id derives from what raised it (`news2:<set>`,
 * `critical:<observation>`) and its times from the clinical time of the value, never from a clock, so
 * both sides write the same row and sync never holds it twice.
 */
import { ageInYears } from '../domain/age';
import { checkCritical, criticalResultAlert, DEFAULT_LIMITS } from '../domain/criticalLimits';
import type { Alert, Observation, Patient } from '../domain/entities';
import { computeNews2, NEWS2_MIN_AGE, news2AlertId, news2Escalation, type News2Input, type News2Result } from '../domain/news2';
import { addMinutes } from '../domain/time';
import type { Writer } from '../store/writer';
import type { ServiceContext } from './context';

/**
 * How soon an escalation alert is due, from the set's time: an emergency review at once, an urgent one
 * "within the hour" (SPEC §7b), a ward review within the hour as well (RCP 2017: a single 3 needs an
 * urgent ward-based response and hourly observations).
 */
const DUE_AFTER_MINUTES = { critical: 0, high: 60, medium: 60, low: 60 } as const;

/** A patient's age in years on the set's date, at the site; an unknown age is judged as an adult (clinical-rules.md). */
export function patientAge(patient: Pick<Patient, 'birth_date'>, at: string, timeZone = 'UTC'): number {
  return ageInYears(patient.birth_date, at, timeZone) ?? NEWS2_MIN_AGE;
}

/** NEWS2 of one set for this patient (their age on the set's date and their SpO₂ scale), or null when it cannot be scored. */
export function scoreSet(
  patient: Pick<Patient, 'birth_date'> & { spo2_scale: number },
  input: News2Input,
  at: string,
  timeZone?: string,
): News2Result | null {
  const r = computeNews2(input, { age: patientAge(patient, at, timeZone), spo2_scale: patient.spo2_scale === 2 ? 2 : 1 });
  return r.ok ? r.value : null;
}

/** Writes an alert unless a row of that id exists (raised here before, or already received by sync). */
async function raise(ctx: ServiceContext, w: Writer, alert: Alert): Promise<Alert | null> {
  if (await ctx.db.get('SELECT 1 FROM alerts WHERE id = ?', [alert.id])) return null;
  await w.insert('alerts', alert);
  return alert;
}

/** The alert a scored set raises (low_medium → medium, medium → high, high → critical), or null. */
export async function raiseNews2Alert(
  ctx: ServiceContext,
  w: Writer,
  set: { id: string; patient_id: string; recorded_at: string },
  result: News2Result | null,
): Promise<Alert | null> {
  const e = result ? news2Escalation(result) : null;
  if (!e) return null;
  return raise(ctx, w, {
    id: news2AlertId(set.id),
    patient_id: set.patient_id,
    kind: 'news2',
    severity: e.severity,
    message: e.message,
    due_at: addMinutes(set.recorded_at, DUE_AFTER_MINUTES[e.severity]),
    status: 'open',
    acknowledged_by: null,
    acknowledged_at: null,
  });
}

/** A result beyond its critical limit raises a `critical` alert, due at once, however it was entered. */
export async function raiseCriticalResult(ctx: ServiceContext, w: Writer, obs: Observation): Promise<Alert | null> {
  if (obs.category === 'vitals') return null;
  const found = criticalResultAlert(
    obs.id,
    checkCritical(obs.code, obs.value, obs.unit, ctx.config.criticalLimits ?? DEFAULT_LIMITS),
  );
  if (!found) return null;
  return raise(ctx, w, {
    id: found.id,
    patient_id: obs.patient_id,
    kind: found.kind,
    severity: found.severity,
    message: found.message,
    due_at: obs.recorded_at,
    status: 'open',
    acknowledged_by: null,
    acknowledged_at: null,
  });
}
