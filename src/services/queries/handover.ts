/**
 * The ward handover (issue 18, Deliver 5): per patient of a ward the reader may see, the latest SBAR
 * note, the latest NEWS2 and its trend, the open alerts, active allergies and what changed since THIS
 * reader last looked (new results, new notes, new or stopped orders). Every part is listed through the
 * policy: a user who may not read a patient's notes (a lab technician, say) sees no note and no count.
 *
 * "Last looked" is kept per user and patient on this workstation (handover_seen, never synced), set by
 * markHandoverSeen once the view has been shown, so the next look says what changed since.
 */
import type { Actor } from '../../authz/actor';
import type { HandoverNote } from '../../domain/entities';
import { shiftOf, type Shift } from '../../domain/shift';
import { appendAudit } from '../../store/audit';
import type { Principal, ServiceContext } from '../context';
import { activeAllergyMarkers, type AllergyMarker } from './allergies';
import { latestNews2, type News2Summary } from './news2Sets';

export interface HandoverPatient {
  id: string;
  name: string;
  mrn: string;
  birth_date: string;
  status: string;
  room_name: string | null;
  /** The latest note the reader may read, or null. */
  note: (HandoverNote & { author_name: string | null }) | null;
  /** A note for this patient was written in the current shift (only where the reader may read notes). */
  note_this_shift: boolean;
  /** The reader may write this shift's note (a carer of the patient, none written yet). */
  can_write: boolean;
  news2: News2Summary | null;
  open_alerts: Array<{ id: string; severity: string; message: string; due_at: string }>;
  allergy: AllergyMarker | null;
  /** Since this reader last looked here (null: never looked). Counts only what they may read. */
  changes: { since: string | null; results: number; notes: number; orders: number };
}

export interface WardHandover {
  ward_id: string | null;
  shift: Shift;
  patients: HandoverPatient[];
}

const inList = (ids: readonly string[]): string => ids.map(() => '?').join(', ');

export async function wardHandover(
  ctx: ServiceContext,
  principal: Principal,
  opts: { wardId: string | null },
): Promise<WardHandover> {
  const who = await ctx.authz.resolve(principal);
  const { actor } = who;
  const shift = shiftOf(actor.now, ctx.config.timeZone);
  const patients = await ctx.authz.listAs<
    Omit<HandoverPatient, 'note' | 'note_this_shift' | 'can_write' | 'news2' | 'open_alerts' | 'allergy' | 'changes'> & {
      spo2_scale: number;
    }
  >(actor, 'read', 'Patient', {
    columns: 'm.id, m.name, m.mrn, m.birth_date, m.status, m.spo2_scale, r.name AS room_name',
    joins: 'JOIN rooms r ON r.id = m.room_id',
    where: opts.wardId ? "r.ward_id = ? AND m.status = 'admitted'" : "m.status = 'admitted'",
    params: opts.wardId ? [opts.wardId] : [],
    orderBy: 'r.name, m.name',
  });
  const ids = patients.map((p) => p.id);
  await appendAudit(ctx.db, {
    at: actor.now,
    actor: who.real.id,
    on_behalf_of: who.onBehalfOf,
    action: 'handover',
    resource: opts.wardId ? `Ward:${opts.wardId}` : 'Ward:*',
    decision: 'allow',
    reason: `${patients.length} patient${patients.length === 1 ? '' : 's'}`,
    org_id: actor.org_id,
  });
  if (ids.length === 0) return { ward_id: opts.wardId, shift, patients: [] };

  const notes = await ctx.authz.listAs<HandoverNote & { author_name: string | null }>(actor, 'read', 'HandoverNote', {
    columns: 'm.*, u.name AS author_name',
    joins: 'LEFT JOIN users u ON u.id = m.author_id',
    where: `m.patient_id IN (${inList(ids)})`,
    params: ids,
    orderBy: 'm.written_at DESC, m.id',
  });
  const alerts = await ctx.authz.listAs<{ id: string; patient_id: string; severity: string; message: string; due_at: string }>(
    actor,
    'read',
    'Alert',
    {
      columns: 'm.id, m.patient_id, m.severity, m.message, m.due_at',
      where: `m.status = 'open' AND m.patient_id IN (${inList(ids)})`,
      params: ids,
      orderBy: 'm.due_at',
    },
  );
  const seen = new Map(
    (
      await ctx.db.all<{ patient_id: string; seen_at: string }>(
        `SELECT patient_id, seen_at FROM handover_seen WHERE user_id = ? AND patient_id IN (${inList(ids)})`,
        [who.real.id, ...ids],
      )
    ).map((r) => [r.patient_id, r.seen_at]),
  );
  const news2 = await latestNews2(ctx.authz, actor, patients, ctx.config.timeZone);
  const allergies = await activeAllergyMarkers(ctx.authz, actor, ids);
  const changes = await changesSince(ctx, actor, ids, seen);

  const out: HandoverPatient[] = [];
  for (const p of patients) {
    const mine = notes.filter((n) => n.patient_id === p.id);
    const thisShift = mine.some((n) => n.written_at >= shift.start && n.written_at < shift.end);
    const carer =
      !thisShift &&
      (await ctx.authz.decideAs(actor, 'create', {
        type: 'HandoverNote',
        object: {
          id: '(new)',
          patient_id: p.id,
          author_id: actor.id,
          written_at: actor.now,
          situation: '',
          background: '',
          assessment: '',
          recommendation: '',
        },
      })) === 'allow';
    out.push({
      id: p.id,
      name: p.name,
      mrn: p.mrn,
      birth_date: p.birth_date,
      status: p.status,
      room_name: p.room_name,
      note: mine[0] ?? null,
      note_this_shift: thisShift,
      can_write: carer,
      news2: news2.get(p.id) ?? null,
      open_alerts: alerts
        .filter((a) => a.patient_id === p.id)
        .map(({ id, severity, message, due_at }) => ({ id, severity, message, due_at })),
      allergy: allergies.get(p.id) ?? null,
      changes: changes.get(p.id) ?? { since: null, results: 0, notes: 0, orders: 0 },
    });
  }
  return { ward_id: opts.wardId, shift, patients: out };
}

/** New results, notes by others, and orders started or stopped since each patient's last look, as the reader may read them. */
async function changesSince(
  ctx: ServiceContext,
  actor: Actor,
  ids: string[],
  seen: Map<string, string>,
): Promise<Map<string, HandoverPatient['changes']>> {
  const out = new Map<string, HandoverPatient['changes']>();
  const looked = ids.filter((id) => seen.has(id));
  for (const id of ids) out.set(id, { since: seen.get(id) ?? null, results: 0, notes: 0, orders: 0 });
  if (looked.length === 0) return out;
  const oldest = [...seen.values()].sort()[0]!;
  const where = `m.patient_id IN (${inList(looked)})`;
  const results = await ctx.authz.listAs<{ patient_id: string; at: string }>(actor, 'read', 'Observation', {
    columns: 'm.patient_id, m.recorded_at AS at',
    where: `${where} AND m.recorded_at > ?`,
    params: [...looked, oldest],
  });
  const notes = await ctx.authz.listAs<{ patient_id: string; at: string }>(actor, 'read', 'HandoverNote', {
    columns: 'm.patient_id, m.written_at AS at',
    where: `${where} AND m.written_at > ? AND m.author_id <> ?`,
    params: [...looked, oldest, actor.id],
  });
  const orders = await ctx.authz.listAs<{ patient_id: string; at: string }>(actor, 'read', 'MedicationOrder', {
    columns:
      'm.patient_id, CASE WHEN m.stopped_at IS NOT NULL AND m.stopped_at > m.starts_at THEN m.stopped_at ELSE m.starts_at END AS at',
    where: `${where} AND (m.starts_at > ? OR m.stopped_at > ?)`,
    params: [...looked, oldest, oldest],
  });
  const count = (rows: Array<{ patient_id: string; at: string }>, key: 'results' | 'notes' | 'orders'): void => {
    for (const r of rows) {
      const c = out.get(r.patient_id)!;
      if (c.since !== null && r.at > c.since) c[key] += 1;
    }
  };
  count(results, 'results');
  count(notes, 'notes');
  count(orders, 'orders');
  return out;
}

/** Records that the reader looked at these patients in the handover now (only those they may read). */
export async function markHandoverSeen(
  ctx: ServiceContext,
  principal: Principal,
  patientIds: string[],
): Promise<{ patients: number }> {
  const who = await ctx.authz.resolve(principal);
  const readable = await ctx.authz.permittedIds(who.actor, 'read', 'Patient', patientIds);
  await ctx.db.transaction(async () => {
    for (const id of readable)
      await ctx.db.run(
        `INSERT INTO handover_seen (user_id, patient_id, seen_at) VALUES (?, ?, ?)
         ON CONFLICT (user_id, patient_id) DO UPDATE SET seen_at = excluded.seen_at`,
        [who.real.id, id, who.actor.now],
      );
  });
  return { patients: readable.size };
}

export interface NoteToWrite {
  id: string;
  name: string;
  room_name: string | null;
  ward_id: string | null;
  ward_name: string | null;
}

/**
 * A nurse's "handover notes to write" (her worklist, issue 18 Deliver 6): admitted patients she is a
 * carer of who have no note in the current shift, by ward and room.
 */
export async function handoverNotesToWrite(
  ctx: ServiceContext,
  principal: Principal,
): Promise<{ shift: Shift; patients: NoteToWrite[] }> {
  const who = await ctx.authz.resolve(principal);
  const { actor } = who;
  const shift = shiftOf(actor.now, ctx.config.timeZone);
  const patients = await ctx.authz.listAs<NoteToWrite>(actor, 'read', 'Patient', {
    columns: 'm.id, m.name, r.name AS room_name, w.id AS ward_id, w.name AS ward_name',
    joins: 'JOIN rooms r ON r.id = m.room_id JOIN wards w ON w.id = r.ward_id',
    where: "m.status = 'admitted'",
    orderBy: 'w.name, r.name, m.name',
  });
  const ids = patients.map((p) => p.id);
  const written = new Set(
    ids.length === 0
      ? []
      : (
          await ctx.authz.listAs<{ patient_id: string }>(actor, 'read', 'HandoverNote', {
            columns: 'm.patient_id',
            where: `m.written_at >= ? AND m.written_at < ? AND m.patient_id IN (${inList(ids)})`,
            params: [shift.start, shift.end, ...ids],
          })
        ).map((n) => n.patient_id),
  );
  const out: NoteToWrite[] = [];
  for (const p of patients) {
    if (written.has(p.id)) continue;
    const probe = {
      id: '(new)',
      patient_id: p.id,
      author_id: actor.id,
      written_at: actor.now,
      situation: '',
      background: '',
      assessment: '',
      recommendation: '',
    };
    if ((await ctx.authz.decideAs(actor, 'create', { type: 'HandoverNote', object: probe })) === 'allow') out.push(p);
  }
  await appendAudit(ctx.db, {
    at: actor.now,
    actor: who.real.id,
    on_behalf_of: who.onBehalfOf,
    action: 'handover_worklist',
    resource: 'Ward:*',
    decision: 'allow',
    reason: `${out.length} note${out.length === 1 ? '' : 's'} to write`,
    org_id: actor.org_id,
  });
  return { shift, patients: out };
}
