/** Small typed reads the use cases share. All SQL stays in src/store or here, never in the UI. */
import type { Alert, Appointment, ClinicalRecord, Patient, RoleAssignment, User } from '../domain/entities';
import type { Db } from '../store/db';

export const getPatient = (db: Db, id: string) => db.get<Patient>('SELECT * FROM patients WHERE id = ?', [id]);
export const getAppointment = (db: Db, id: string) => db.get<Appointment>('SELECT * FROM appointments WHERE id = ?', [id]);
export const getRecord = (db: Db, id: string) => db.get<ClinicalRecord>('SELECT * FROM records WHERE id = ?', [id]);
export const getAlert = (db: Db, id: string) => db.get<Alert>('SELECT * FROM alerts WHERE id = ?', [id]);
export const getUser = (db: Db, id: string) => db.get<User>('SELECT * FROM users WHERE id = ?', [id]);
export const getAssignment = (db: Db, id: string) => db.get<RoleAssignment>('SELECT * FROM role_assignments WHERE id = ?', [id]);

/** The organization a scope (`Ward:x`) lies in, or undefined when the scope does not exist. */
export async function scopeOrg(db: Db, type: string, id: string): Promise<string | undefined> {
  const sql: Record<string, string> = {
    Organization: 'SELECT id AS org_id FROM organizations WHERE id = ?',
    Facility: 'SELECT org_id FROM facilities WHERE id = ?',
    Ward: 'SELECT f.org_id FROM wards w JOIN facilities f ON f.id = w.facility_id WHERE w.id = ?',
    Room: 'SELECT org_id FROM room_scope WHERE id = ?',
  };
  const q = sql[type];
  if (!q) return undefined;
  return (await db.get<{ org_id: string }>(q, [id]))?.org_id;
}

export async function roomOrg(db: Db, roomId: string): Promise<string | undefined> {
  return scopeOrg(db, 'Room', roomId);
}
