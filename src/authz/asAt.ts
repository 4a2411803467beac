/**
 * Facts as they were at an earlier time, for a decision made again as at the bedside (a dose recorded
 * offline that reaches the server after the facts changed: src/domain/lateDose.ts). The user is loaded
 * with the assignments they held at `at`; a patient who has since left the room they were in (a final
 * discharge clears it) is seen in that room. The decision's one statement reads the patients through a
 * CTE holding those rooms instead of the stored ones, so nothing is written to make the decision (and on
 * PostgreSQL no patient row is locked), and the compiled filters stay those of the stored tables (cached
 * as usual).
 */
import type { Sql } from '../store/sql';
import { TABLES } from '../store/tables';

export interface AsAt {
  /** The time the user is loaded at (their assignments valid then). */
  at: string;
  /** Patient id → the room they were in at `at`, where it is not the stored one. */
  patientRooms: ReadonlyMap<string, string>;
}

const AS_AT_PATIENTS = 'as_at_patients';

/**
 * `stmt` (a SELECT over compiled filters) reading `patients` with the rooms of `rooms` in place. The
 * compiler names tables quoted and followed by their alias (`"patients" t_Patient`, or `"patients" m`
 * when the patient is the model), which is what is replaced; the CTE's values precede the statement's.
 */
export function readingPatientsAsAt(stmt: Sql, rooms: ReadonlyMap<string, string>): Sql {
  if (rooms.size === 0) return stmt;
  const cases = [...rooms.keys()].map(() => 'WHEN ? THEN ?').join(' ');
  const columns = TABLES.patients.columns.map((c) => (c === 'room_id' ? `CASE id ${cases} ELSE room_id END AS room_id` : c));
  return {
    sql: `WITH ${AS_AT_PATIENTS} AS (SELECT ${columns.join(', ')} FROM "patients") ${stmt.sql.replace(/"patients" (?=(?:t_Patient|m)\b)/g, `${AS_AT_PATIENTS} `)}`,
    params: [...[...rooms].flat(), ...stmt.params],
  };
}
