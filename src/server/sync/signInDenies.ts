/**
 * A consent restriction travels with its patient only where the user it names is one of the
 * workstation's users or someone there may see it (rules.ts, `onlyFor`). A user who signs in online
 * becomes one of them at once, and may open a chart held for the others before the next cycle brings
 * her restrictions: the sign-in answer carries them, for the patients the workstation holds, and the
 * workstation stores them before the sign-in completes. Reason and author stay for the cycle, which
 * sends the row as the rules say.
 */
import { and, inList, or, sql } from '../../store/sql';
import { TABLES } from '../../store/tables';
import type { Device } from '../auth';
import type { Server } from '../context';
import type { PendingPage } from './cycle';

export async function signInDenies(
  server: Server,
  device: Device,
  userId: string,
): Promise<Array<Record<string, string | number | null>>> {
  const { store } = server.sync;
  // Held: recorded as held, or sent in the page the workstation has not acknowledged yet.
  const pending = (await store.get(device.id)).pending_page;
  const sent = pending ? (JSON.parse(pending) as PendingPage).up.filter(([t]) => t === 'patients').map(([, k]) => k) : [];
  const where = and(
    sql('m.user_id = ?', userId),
    or(store.heldPatients(device.id, 'm.patient_id'), inList('m.patient_id', sent)),
  );
  const rows = await server.db.all<Record<string, string | number | null>>(
    `SELECT ${TABLES.consent_restrictions.columns.map((c) => `m.${c}`).join(', ')} FROM consent_restrictions m WHERE ${where.sql}`,
    where.params,
  );
  return rows.map((r) => ({ ...r, reason: '', recorded_by: null }));
}
