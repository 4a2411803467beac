/**
 * SBAR handover notes (SPEC §3b, issue 18 Deliver 5): carers write one per patient per shift
 * (src/domain/shift.ts). A second note in the same shift is refused with a sentence naming the first —
 * a note is a record of what was handed over, so it is not replaced or edited afterwards; what changed
 * since goes into the next shift's note (docs/clinical-rules.md).
 */
import { z } from 'zod';
import { conflict } from '../../domain/errors';
import type { HandoverNote } from '../../domain/entities';
import { Id, IsoTime, NewId } from '../../domain/schemas';
import { shiftOf } from '../../domain/shift';
import { localClock } from '../../domain/zonedTime';
import { getPatient } from '../load';
import { checkMeasuredAt } from '../validation';
import { defineMutation, ref } from '../run';

const Part = z.string().trim().min(1, 'is required').max(4000, 'is too long');

export const writeHandoverNote = defineMutation({
  name: 'writeHandoverNote',
  args: z
    .object({
      id: NewId('ho'),
      patient_id: Id,
      situation: Part,
      background: Part,
      assessment: Part,
      recommendation: Part,
      /** When it was written, as the workstation's clock said (kept when the server replays it later). */
      written_at: IsoTime.optional(),
    })
    .strict(),
  async plan(ctx, a, who) {
    const patient = await getPatient(ctx.db, a.patient_id);
    const written_at = a.written_at ?? ctx.clock.now().toISOString();
    const row: HandoverNote = {
      id: a.id,
      patient_id: a.patient_id,
      author_id: who.actor.id,
      written_at,
      situation: a.situation,
      background: a.background,
      assessment: a.assessment,
      recommendation: a.recommendation,
    };
    return {
      checks: [
        {
          action: 'create',
          target: patient ? { type: 'HandoverNote', object: { ...row } } : null,
          forbidden: "Only the patient's carers may write a handover note for them.",
        },
      ],
      audit: { action: 'write_handover_note', resource: ref('HandoverNote', a.id), orgId: patient?.org_id ?? null },
      summary: `Handover note for ${patient?.name ?? 'a patient'}`,
      recordedArgs: { ...a, written_at },
      async apply(w, _who, now) {
        checkMeasuredAt(written_at, now);
        const zone = ctx.config.timeZone ?? 'UTC';
        const shift = shiftOf(written_at, zone);
        // Times in the sentence are the ward clock's, as the shifts are.
        const clock = { format: (d: Date): string => localClock(zone, d.getTime()) };
        // Checked after authorization: whether a note exists is the patient's data.
        const first = await ctx.db.get<{ written_at: string; author: string | null }>(
          `SELECT n.written_at, u.name AS author FROM handover_notes n LEFT JOIN users u ON u.id = n.author_id
           WHERE n.patient_id = ? AND n.written_at >= ? AND n.written_at < ? ORDER BY n.written_at LIMIT 1`,
          [a.patient_id, shift.start, shift.end],
        );
        if (first)
          throw conflict(
            `${patient?.name ?? 'This patient'} already has a handover note for this ${shift.name} shift, written by ${first.author ?? 'a colleague'} at ${clock.format(new Date(first.written_at))}. ` +
              `Read it in the ward handover; the next note can be written from ${clock.format(new Date(shift.end))}.`,
          );
        if (await ctx.db.get('SELECT 1 FROM handover_notes WHERE id = ?', [a.id]))
          throw conflict('This handover note already exists.');
        await w.insert('handover_notes', row);
        return row;
      },
    };
  },
});
