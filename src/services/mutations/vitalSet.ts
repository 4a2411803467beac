/**
 * A set of vital signs (SPEC §3b, §7b): the seven NEWS2 parameters taken together (diastolic pressure
 * optional), saved as observations sharing one `set_id`, scored with NEWS2 on save and escalated. The
 * server replays this same use case, so it scores the set again and raises the same alert (same id).
 */
import { z } from 'zod';
import { conflict, invalid } from '../../domain/errors';
import type { Alert, Observation } from '../../domain/entities';
import { checkMeasure, parseDecimal } from '../../domain/measures';
import {
  CONSCIOUSNESS_LEVELS,
  INSPIRED_OXYGEN,
  news2InputFromObservations,
  news2NextDue,
  type News2Result,
} from '../../domain/news2';
import { Id, IsoTime, NewId } from '../../domain/schemas';
import { unusualVitals, unusualVitalsSentence } from '../../domain/vitalSetCheck';
import { raiseNews2Alert, scoreSet } from '../escalation';
import { getAppointment, getPatient } from '../load';
import { checkMeasuredAt } from '../validation';
import { defineMutation, ref } from '../run';

/** The numeric parameters of a set and their stored units (src/domain/measures.ts). */
const NUMERIC = {
  respiratory_rate: '/min',
  oxygen_saturation: '%',
  blood_pressure_systolic: 'mm[Hg]',
  blood_pressure_diastolic: 'mm[Hg]',
  heart_rate: '/min',
  temperature: 'Cel',
} as const;
type NumericCode = keyof typeof NUMERIC;

const Measured = z.union([z.number().finite(), z.string().trim().min(1).max(20)]).transform(String);

/**
 * The parameters as measured. A NEWS2 set has all seven; one taken without a parameter (no probe, the
 * patient asleep) is still saved as one set, which then has no total and says what is missing (SPEC §7b),
 * rather than being lost. At least one value.
 */
const VitalSetValues = z
  .object({
    respiratory_rate: Measured.nullish(),
    oxygen_saturation: Measured.nullish(),
    inspired_oxygen: z.enum(INSPIRED_OXYGEN, { error: 'must be air or oxygen.' }).nullish(),
    blood_pressure_systolic: Measured.nullish(),
    blood_pressure_diastolic: Measured.nullish(),
    heart_rate: Measured.nullish(),
    consciousness: z.enum(CONSCIOUSNESS_LEVELS, { error: 'must be A, C, V, P or U (ACVPU).' }).nullish(),
    temperature: Measured.nullish(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (Object.values(v).every((x) => x === undefined || x === null))
      ctx.addIssue({ code: 'custom', path: [], message: 'Enter at least one measurement.' });
    for (const code of Object.keys(NUMERIC) as NumericCode[]) {
      const raw = v[code];
      if (raw === undefined || raw === null) continue;
      const m = checkMeasure(code, raw, NUMERIC[code]);
      if (!m.ok) ctx.addIssue({ code: 'custom', path: [code], message: m.problem });
    }
  });

/** The observation id of one parameter of a set: derived, so a replay writes the same rows. */
export const setObservationId = (setId: string, code: string): string => `${setId}.${code}`;

const num = (raw: string | null | undefined): number | null => {
  if (raw === null || raw === undefined) return null;
  const n = parseDecimal(raw);
  return n.ok ? n.value : null;
};

export const recordVitalSet = defineMutation({
  name: 'recordVitalSet',
  args: z
    .object({
      set_id: NewId('set'),
      patient_id: Id,
      appointment_id: Id.nullish(),
      recorded_at: IsoTime.optional(),
      values: VitalSetValues,
      /** The nurse looked again at an unusual combination (HR 250 with BP 60/59) and confirms it. */
      confirmed_unusual: z.boolean().default(false),
    })
    .strict(),
  async plan(ctx, a, who) {
    const patient = await getPatient(ctx.db, a.patient_id);
    const recorded_at = a.recorded_at ?? ctx.clock.now().toISOString();
    const rows: Observation[] = [];
    for (const [code, raw] of Object.entries(a.values)) {
      if (raw === undefined || raw === null) continue;
      const unit = NUMERIC[code as NumericCode] ?? '';
      const measured = unit ? checkMeasure(code, raw, unit) : null;
      rows.push({
        id: setObservationId(a.set_id, code),
        patient_id: a.patient_id,
        appointment_id: a.appointment_id ?? null,
        category: 'vitals',
        code,
        value: measured?.ok ? measured.value : raw,
        unit: measured?.ok ? measured.unit : unit,
        recorded_by: who.actor.id,
        recorded_at,
        sensitivity: null,
        set_id: a.set_id,
      });
    }
    return {
      // One check: every row of the set has the same patient, category and author.
      checks: [
        {
          action: 'create',
          target: patient ? { type: 'Observation', object: { ...rows[0]! } } : null,
          forbidden: 'You may not record vitals for this patient.',
        },
      ],
      audit: { action: 'record_vital_set', resource: ref('Observation', rows[0]!.id), orgId: patient?.org_id ?? null },
      summary: `Vital signs for ${patient?.name ?? 'a patient'}`,
      recordedArgs: { ...a, recorded_at },
      async apply(w, _who, now) {
        checkMeasuredAt(recorded_at, now);
        if (!patient) throw invalid('That patient was not found.');
        const unusual = unusualVitals({
          respiratory_rate: num(a.values.respiratory_rate),
          oxygen_saturation: num(a.values.oxygen_saturation),
          blood_pressure_systolic: num(a.values.blood_pressure_systolic),
          blood_pressure_diastolic: num(a.values.blood_pressure_diastolic),
          heart_rate: num(a.values.heart_rate),
          consciousness: a.values.consciousness ?? null,
          temperature: num(a.values.temperature),
        });
        if (unusual.length && !a.confirmed_unusual) throw invalid(unusualVitalsSentence(unusual), { unusual });
        if (a.appointment_id) {
          const ap = await getAppointment(ctx.db, a.appointment_id);
          if (!ap || ap.patient_id !== a.patient_id) throw invalid("That appointment is not one of this patient's.");
        }
        if (await ctx.db.get('SELECT 1 FROM observations WHERE set_id = ? LIMIT 1', [a.set_id]))
          throw conflict('This set of vital signs was already saved.');
        for (const row of rows) await w.insert('observations', row);
        const input = news2InputFromObservations(rows);
        const news2 = input.ok ? scoreSet(patient, input.value, recorded_at, ctx.config.timeZone) : null;
        const alert = await raiseNews2Alert(ctx, w, { id: a.set_id, patient_id: a.patient_id, recorded_at }, news2);
        return {
          set_id: a.set_id,
          observations: rows,
          news2,
          next_due: news2 ? news2NextDue(recorded_at, news2) : null,
          alert,
        } satisfies VitalSetSaved;
      },
    };
  },
});

export interface VitalSetSaved {
  set_id: string;
  observations: Observation[];
  news2: News2Result | null;
  next_due: string | null;
  alert: Alert | null;
}
