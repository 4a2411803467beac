/**
 * A second look before a set of vital signs is saved (issue 18: HR 250 with BP 60/59 was accepted
 * silently). Each value alone is within the plausible limits of measures.ts; together some are more
 * likely a typing or a probe error than a patient, so the nurse confirms them, with the values named.
 * Pure and shared: the workstation asks, the service refuses an unconfirmed set with the same sentence.
 *
 * The combinations (where the literature is silent, chosen to catch slips without crying wolf):
 *   - pulse pressure (systolic − diastolic) below 10 mmHg: a transcription slip far more often than a
 *     tamponade, and it would be urgent either way;
 *   - a heart rate of 200/min or more, or 30/min or less;
 *   - a systolic pressure below 70 mmHg in a patient recorded as Alert;
 *   - a saturation below 70 % in a patient recorded as Alert;
 *   - a temperature below 34 °C or above 41 °C.
 */

export interface VitalSetValues {
  respiratory_rate?: number | null;
  oxygen_saturation?: number | null;
  blood_pressure_systolic?: number | null;
  blood_pressure_diastolic?: number | null;
  heart_rate?: number | null;
  consciousness?: string | null;
  temperature?: number | null;
}

const has = (n: number | null | undefined): n is number => typeof n === 'number' && Number.isFinite(n);

/** The sentences naming each unusual value or combination; empty when the set looks like a patient. */
export function unusualVitals(v: VitalSetValues): string[] {
  const out: string[] = [];
  const sys = v.blood_pressure_systolic;
  const dia = v.blood_pressure_diastolic;
  if (has(sys) && has(dia) && sys - dia < 10) {
    out.push(`blood pressure ${sys}/${dia} mmHg (a pulse pressure of ${sys - dia} mmHg)`);
  }
  const oddRate = has(v.heart_rate) && (v.heart_rate >= 200 || v.heart_rate <= 30);
  if (oddRate) out.push(`heart rate ${v.heart_rate}/min${has(sys) ? ` with a systolic pressure of ${sys} mmHg` : ''}`);
  const alert = typeof v.consciousness === 'string' && v.consciousness.toUpperCase() === 'A';
  // Said once: a heart rate already named it with the systolic pressure.
  if (alert && has(sys) && sys < 70 && !oddRate) out.push(`systolic pressure ${sys} mmHg in a patient who is alert`);
  if (alert && has(v.oxygen_saturation) && v.oxygen_saturation < 70)
    out.push(`SpO₂ ${v.oxygen_saturation} % in a patient who is alert`);
  if (has(v.temperature) && (v.temperature < 34 || v.temperature > 41)) out.push(`temperature ${v.temperature} °C`);
  return out;
}

/** "Check before saving: heart rate 250/min …. Measure again, or confirm that these values are right." */
export function unusualVitalsSentence(found: readonly string[]): string {
  return `Check before saving: ${found.join('; ')}. Measure again, or confirm that these values are right.`;
}
