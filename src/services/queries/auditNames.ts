/**
 * Names for what the audit trail records by id (issue 18): "Nina Nurse" for `u-nina`, "Patient · Alice
 * Patient (STM-100001)" for `Patient:p-alice`. The ids stay in the event (they are what was signed); the
 * names are looked up when the log or the report is read, for the organization's auditors and admins,
 * who may review who did what to whom (the emergency-access review shows the same names).
 */
import type { Db, SqlValue } from '../../store/db';

export interface AuditNames {
  actor_name: string | null;
  on_behalf_of_name: string | null;
  /** The resource in words ("Patient · Alice Patient (STM-100001)"), or null when it has none. */
  resource_label: string | null;
}

interface Named {
  actor: string;
  on_behalf_of: string | null;
  resource: string;
}

/** Rows whose id is one of `ids`, asked in slices (a report may name thousands; SQL limits parameters). */
async function byIds<R>(db: Db, sql: (inList: string) => string, params: SqlValue[], ids: readonly string[]): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const slice = ids.slice(i, i + 500);
    out.push(...(await db.all<R>(sql(`IN (${slice.map(() => '?').join(', ')})`), [...params, ...slice])));
  }
  return out;
}

/** The events with the names of their actors and resources, where the organization's data has them. */
export async function withAuditNames<T extends Named>(db: Db, orgId: string, events: T[]): Promise<Array<T & AuditNames>> {
  const refs = events.map((e) => {
    const at = e.resource.indexOf(':');
    return at < 0 ? { type: '', id: '' } : { type: e.resource.slice(0, at), id: e.resource.slice(at + 1) };
  });
  const wanted = (type: string): string[] => [...new Set(refs.filter((r) => r.type === type).map((r) => r.id))];
  const userIds = [
    ...new Set([...events.flatMap((e) => [e.actor, e.on_behalf_of ?? '']), ...wanted('User')].filter((id) => id !== '')),
  ];
  // Names from this organization only (and root's): another organization's are not this review's to give.
  type Row = { id: string; name: string };
  const users = await byIds<Row>(
    db,
    (ids) => `SELECT id, name FROM users WHERE org_id IN (?, '_root') AND id ${ids}`,
    [orgId],
    userIds,
  );
  const patients = await byIds<Row & { mrn: string }>(
    db,
    (ids) => `SELECT id, name, mrn FROM patients WHERE org_id = ? AND id ${ids}`,
    [orgId],
    wanted('Patient'),
  );
  const wards = await byIds<Row>(
    db,
    (ids) => `SELECT w.id, w.name FROM wards w JOIN facilities f ON f.id = w.facility_id WHERE f.org_id = ? AND w.id ${ids}`,
    [orgId],
    wanted('Ward'),
  );
  const facilities = await byIds<Row>(
    db,
    (ids) => `SELECT id, name FROM facilities WHERE org_id = ? AND id ${ids}`,
    [orgId],
    wanted('Facility'),
  );
  const organizations = await db.all<Row>(`SELECT id, name FROM organizations WHERE id = ?`, [orgId]);
  const byId = (rows: Row[]): Map<string, string> => new Map(rows.map((r) => [r.id, r.name]));
  const names = {
    User: byId(users),
    Patient: new Map(patients.map((p) => [p.id, `${p.name} (${p.mrn})`])),
    Ward: byId(wards),
    Facility: byId(facilities),
    Organization: byId(organizations),
  } as Record<string, Map<string, string>>;
  const label = ({ type, id }: { type: string; id: string }): string | null => {
    if (type === 'Ward' && id === '*') return 'All wards';
    const name = names[type]?.get(id);
    return name ? `${type} · ${name}` : null;
  };
  const who = (id: string | null): string | null => (id ? (names.User!.get(id) ?? null) : null);
  return events.map((e, i) => ({
    ...e,
    actor_name: who(e.actor),
    on_behalf_of_name: who(e.on_behalf_of),
    resource_label: label(refs[i]!),
  }));
}
