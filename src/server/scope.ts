/**
 * What a workstation may hold: the rows that the users who signed in through it may read (decided by
 * the same policy, compiled to SQL), within its organization and facility, plus reference data of
 * its organization. Closed under foreign keys: a readable record brings the appointment and patient
 * it belongs to (they stay hidden unless the local policy lets someone read them).
 */
import { loadActor, type Actor } from '../authz/actor';
import type { ResourceType } from '../domain/refs';
import { ROOT_ORG_ID } from '../domain/roles';
import type { SqlValue } from '../store/db';
import { TABLES, TABLE_ORDER, type TableName } from '../store/tables';
import type { Device } from './auth';
import type { Server } from './context';

export interface Sql { sql: string; params: SqlValue[] }

const sql = (s: string, ...params: SqlValue[]): Sql => ({ sql: s, params });
const or = (...parts: Sql[]): Sql => (parts.length === 0 ? sql('1=0') : { sql: parts.map((p) => `(${p.sql})`).join(' OR '), params: parts.flatMap((p) => p.params) });
const and = (...parts: Sql[]): Sql => ({ sql: parts.map((p) => `(${p.sql})`).join(' AND '), params: parts.flatMap((p) => p.params) });
const inSub = (column: string, table: string, selected: string, where: Sql): Sql =>
  ({ sql: `${column} IN (SELECT m.${selected} FROM ${table} m WHERE ${where.sql})`, params: where.params });
const list = (values: string[]): Sql => (values.length === 0 ? sql('NULL') : { sql: values.map(() => '?').join(', '), params: values });

export const SYNC_TABLES: readonly TableName[] = TABLE_ORDER;

export interface DeviceScope {
  /** Per table: a condition over alias `m` selecting the rows the workstation may hold. */
  where: Record<TableName, Sql>;
  /** Per table: the columns sent (users' patient link only when that patient is held too). */
  columns: Record<TableName, Sql>;
}

export async function deviceScope(server: Server, device: Device): Promise<DeviceScope> {
  const { db, engine } = server;
  const now = server.now();
  const org = device.org_id;
  const userIds = (await db.all<{ user_id: string }>('SELECT user_id FROM device_users WHERE device_id = ? ORDER BY user_id', [device.id])).map((u) => u.user_id);
  const actors = (await Promise.all(userIds.map((id) => loadActor(db, id, now)))).filter((a): a is Actor => a !== null);

  const readable = async (type: ResourceType): Promise<Sql> =>
    or(...await Promise.all(actors.map(async (a) => { const q = await engine.queryAs(a, 'read', type); return { sql: q.where, params: q.params }; })));

  const wPatient = await readable('Patient');
  const wAppt = await readable('Appointment');
  const wRec = await readable('Record');
  const wObs = await readable('Observation');
  const wAlert = await readable('Alert');
  // Break-glass grants of the workstation's users while they last; all of them for reviewers.
  const reviewers = await Promise.all(actors.map(async (a) => (await engine.decideAs(a, 'read_audit', { type: 'Organization', id: org })) === 'allow'
    || a.assignments.some((g) => g.role === 'auditor' && g.scope_type === 'Organization' && g.scope_id === org
      && (g.valid_from === null || g.valid_from <= now) && (g.valid_until === null || now < g.valid_until))));
  const wBreakGlass = reviewers.some(Boolean) ? sql('1=1') : and(sql(`m.user_id IN (${list(userIds).sql})`, ...list(userIds).params), sql('? < m.expires_at', now));

  const facility = device.facility_id
    ? sql('m.room_id IS NULL OR m.room_id IN (SELECT id FROM room_scope WHERE facility_id = ?)', device.facility_id)
    : sql('1=1');
  const patients = and(
    or(wPatient, inSub('m.id', 'appointments', 'patient_id', wAppt), inSub('m.id', 'records', 'patient_id', wRec),
      inSub('m.id', 'observations', 'patient_id', wObs), inSub('m.id', 'alerts', 'patient_id', wAlert),
      inSub('m.id', 'break_glass', 'patient_id', wBreakGlass)),
    facility, sql('m.org_id = ?', org));
  const heldPatient = inSub('m.patient_id', 'patients', 'id', patients);
  const orgTeams = sql('m.team_id IN (SELECT id FROM care_teams WHERE org_id = ?)', org);

  const where: Record<TableName, Sql> = {
    organizations: sql('m.id IN (?, ?)', org, ROOT_ORG_ID),
    facilities: sql('m.org_id = ?', org),
    wards: sql('m.facility_id IN (SELECT id FROM facilities WHERE org_id = ?)', org),
    rooms: sql('m.ward_id IN (SELECT w.id FROM wards w JOIN facilities f ON f.id = w.facility_id WHERE f.org_id = ?)', org),
    patients,
    users: sql('m.org_id IN (?, ?)', org, ROOT_ORG_ID),
    credentials: sql(`m.user_id IN (${list(userIds).sql})`, ...list(userIds).params),
    groups: sql('m.org_id = ?', org),
    group_members: sql('m.group_id IN (SELECT id FROM groups WHERE org_id = ?)', org),
    role_assignments: sql('m.org_id = ?', org),
    care_teams: sql('m.org_id = ?', org),
    care_team_specialties: orgTeams,
    care_team_patients: and(orgTeams, heldPatient),
    care_team_members: orgTeams,
    appointments: and(or(wAppt, inSub('m.id', 'records', 'appointment_id', wRec),
      inSub('m.id', 'observations', 'appointment_id', and(wObs, sql('m.appointment_id IS NOT NULL')))), heldPatient),
    records: and(wRec, heldPatient),
    observations: and(wObs, heldPatient),
    alerts: and(wAlert, heldPatient),
    break_glass: and(wBreakGlass, heldPatient),
  };
  const columns = Object.fromEntries(SYNC_TABLES.map((t) => [t, sql(TABLES[t].columns.map((c) => `m.${c}`).join(', '))])) as Record<TableName, Sql>;
  const heldLink = inSub('m.patient_id', 'patients', 'id', patients);
  columns.users = {
    sql: `m.id, m.org_id, m.name, m.username, m.badge, CASE WHEN ${heldLink.sql} THEN m.patient_id ELSE NULL END AS patient_id`,
    params: heldLink.params,
  };
  return { where, columns };
}

/** The text key of a row as SQL over alias `m` (primary key columns joined by U+001F). */
export function keyExpr(table: TableName, dialect: 'sqlite' | 'postgres'): string {
  const pk = TABLES[table].pk;
  if (pk.length === 1) return `m.${pk[0]}`;
  const sep = dialect === 'postgres' ? 'chr(31)' : 'char(31)';
  return pk.map((c) => `m.${c}`).join(` || ${sep} || `);
}
