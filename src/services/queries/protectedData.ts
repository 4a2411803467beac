/**
 * What specially protected data (SPEC §3a) a read returned, for its audit event (ONC
 * §170.315(d)(2), docs/security.md, T6). Works on the rows as read, so it needs nothing from the
 * policy: a restricted patient (`restricted`), and every record, observation or appointment that
 * carries a `sensitivity` label (an appointment keeps it only for a reader cleared for its reason). Until the §3a columns exist the rows simply have none, and nothing is noted.
 */
export interface ProtectedRead {
  restricted_patient?: true;
  /** Per label, the items of that label the read returned (`Record:id`, `Observation:id`, `Appointment:id`). */
  sensitivity?: Record<string, string[]>;
}

type Row = object & { id: string };

export function protectedDataRead(read: {
  patient?: object | null;
  records?: readonly Row[];
  observations?: readonly Row[];
  appointments?: readonly Row[];
}): ProtectedRead | null {
  const out: ProtectedRead = {};
  const restricted = (read.patient as { restricted?: unknown } | null | undefined)?.restricted;
  if (restricted === true || restricted === 1 || restricted === '1' || restricted === 'true') out.restricted_patient = true;
  const note = (type: string, rows: readonly Row[] | undefined): void => {
    for (const r of rows ?? []) {
      const label = (r as { sensitivity?: unknown }).sensitivity;
      if (typeof label !== 'string' || label === '') continue;
      (out.sensitivity ??= {})[label] = [...(out.sensitivity[label] ?? []), `${type}:${r.id}`];
    }
  };
  note('Record', read.records);
  note('Observation', read.observations);
  note('Appointment', read.appointments);
  return out.restricted_patient || out.sensitivity ? out : null;
}
