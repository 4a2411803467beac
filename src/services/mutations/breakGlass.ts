/**
 * Break-glass: emergency access to a patient the user cannot otherwise read (SPEC §3). The reason is
 * required (≥ 10 characters), access lasts the configured minutes (60 by default) from the moment the
 * deciding side applies it (the server uses its own clock), and every read under it is audited.
 */
import { z } from 'zod';
import { MIN_BREAK_GLASS_REASON, type BreakGlassOverride } from '../../domain/roles';
import type { BreakGlass } from '../../domain/entities';
import { Id, NewId } from '../../domain/schemas';
import { addMinutes } from '../../domain/time';
import { getPatient } from '../load';
import { defineMutation, ref } from '../run';

export const breakGlass = defineMutation({
  name: 'breakGlass',
  args: z
    .object({
      id: NewId('bg'),
      patient_id: Id,
      reason: z
        .string()
        .trim()
        .min(MIN_BREAK_GLASS_REASON, `must explain the emergency in at least ${MIN_BREAK_GLASS_REASON} characters`)
        .max(2000),
    })
    .strict(),
  async plan(ctx, a, who) {
    const patient = await getPatient(ctx.db, a.patient_id);
    return {
      checks: [
        {
          action: 'break_glass',
          target: patient ? { type: 'Patient', id: a.patient_id } : null,
          forbidden: 'Emergency access is for medical staff of this organization who cannot otherwise open this chart.',
        },
      ],
      audit: { action: 'break_glass', resource: ref('Patient', a.patient_id), orgId: patient?.org_id ?? null },
      summary: `Emergency access: ${patient?.name ?? a.patient_id}`,
      async apply(w, _who, now) {
        // What this access overrides (SPEC §3a), kept with it: the review says so even after a restriction is lifted.
        const overrides: BreakGlassOverride[] = [];
        if (
          await ctx.db.get('SELECT 1 FROM consent_restrictions WHERE patient_id = ? AND user_id = ?', [
            a.patient_id,
            who.actor.id,
          ])
        ) {
          overrides.push('consent_restriction');
        }
        if (Number(patient!.restricted) === 1) overrides.push('restricted');
        const row: BreakGlass = {
          id: a.id,
          user_id: who.actor.id,
          patient_id: a.patient_id,
          reason: a.reason,
          started_at: now,
          expires_at: addMinutes(now, ctx.config.breakGlassMinutes),
          overrides: JSON.stringify(overrides),
        };
        await w.insert('break_glass', row);
        return row;
      },
    };
  },
});
