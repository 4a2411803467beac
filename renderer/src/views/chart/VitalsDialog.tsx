/**
 * Vitals entry: ONE set of vital signs (SPEC §3b, §7b): the seven NEWS2 parameters (air or oxygen and
 * ACVPU among them; diastolic optional) saved together by `observations.recordSet` under one set id, and
 * scored with NEWS2 on save. A set with a parameter left empty is saved as incomplete (the chart says
 * what is missing). An unusual combination (HR 250 with BP 60/59) is refused by the service with the
 * values named, and saved only when the nurse confirms them. Input is a draft that survives a lock.
 */
import { useId, useState, type FormEvent } from 'react';
import { DateTimeField } from '../../components/DateInputs';
import { Banner, Button, Dialog, ErrorNote, Select, TextField } from '../../components/ui';
import { dateTimeInputText, dateTimeValue, parseDateTimeInput } from '../../dateInput';
import { useAction } from '../../hooks';
import { news2Sentence } from './news2View';
import { toast } from '../../store/toasts';
import { VITALS, measureProblem, parseMeasure, unitLabel, type VitalCode } from './clinical';
import { DiscardPrompt, useDiscardGuard } from './discard';
import { useDraft, vitalsDraftKey } from './useDraft';

export interface VitalsDraft {
  values: Record<VitalCode, string>;
  /** `air` or `oxygen`; '' when not recorded (older drafts have none). */
  inspired_oxygen?: string;
  /** ACVPU: `A`, `C`, `V`, `P`, `U`; '' when not recorded. */
  consciousness?: string;
  measured_at: string;
  /**
   * Set when a stale draft is resumed: the time of measurement it said then. It is not kept silently
   * (issue 18): "Measured at" starts empty and the nurse enters the time, or takes this one deliberately.
   */
  check_time?: string;
}

/** The draft to open when a stale one is resumed: same values, the time of measurement to confirm. */
export const resumedVitals = (d: VitalsDraft): VitalsDraft => ({
  ...d,
  measured_at: '',
  check_time: d.check_time ?? d.measured_at,
});

/** "Heart rate 88 /min, Temperature 37.4 °C": what a draft holds, for offering it. */
export const vitalsSummary = (d: VitalsDraft): string =>
  VITALS.filter((v) => d.values[v.code].trim())
    .map((v) => `${v.label} ${d.values[v.code].trim()} ${unitLabel(v.unit)}`)
    .join(', ');

export function emptyVitals(now: Date): VitalsDraft {
  return {
    values: Object.fromEntries(VITALS.map((v) => [v.code, ''])) as Record<VitalCode, string>,
    measured_at: dateTimeInputText(now.toISOString()),
    inspired_oxygen: '',
    consciousness: '',
  };
}

export const OXYGEN_OPTIONS = [
  { value: 'air', label: 'Air' },
  { value: 'oxygen', label: 'Oxygen' },
];
export const ACVPU_OPTIONS = [
  { value: 'A', label: 'A — alert' },
  { value: 'C', label: 'C — new confusion' },
  { value: 'V', label: 'V — responds to voice' },
  { value: 'P', label: 'P — responds to pain' },
  { value: 'U', label: 'U — unresponsive' },
];

export type VitalsErrors = Partial<Record<VitalCode | 'measured_at' | 'form', string>>;

/** Plausibility checks with sentences a nurse can act on; empty when the entry may be saved. */
export function validateVitals(d: VitalsDraft, now: Date): VitalsErrors {
  const errors: VitalsErrors = {};
  let filled = 0;
  for (const v of VITALS) {
    const raw = d.values[v.code].trim();
    if (!raw) continue;
    filled++;
    const problem = measureProblem(v, raw);
    if (problem) errors[v.code] = problem;
  }
  const sys = parseMeasure(d.values.blood_pressure_systolic);
  const dia = parseMeasure(d.values.blood_pressure_diastolic);
  if (sys !== null && dia !== null && !errors.blood_pressure_systolic && !errors.blood_pressure_diastolic && dia >= sys) {
    errors.blood_pressure_diastolic = 'Diastolic pressure must be lower than systolic.';
  }
  if (d.inspired_oxygen) filled++;
  if (d.consciousness) filled++;
  if (filled === 0) errors.form = 'Enter at least one measurement.';
  const when = parseDateTimeInput(d.measured_at, now);
  if (!when.ok) errors.measured_at = d.measured_at.trim() ? when.problem : 'Enter when the measurements were taken.';
  else if (Date.parse(when.value) > now.getTime() + 5 * 60_000)
    errors.measured_at = 'The time of measurement cannot be in the future.';
  else if (Date.parse(when.value) < now.getTime() - 7 * 24 * 3_600_000)
    errors.measured_at = 'The time of measurement is more than a week ago.';
  return errors;
}

const format = (raw: string, decimals: number): string => {
  const n = parseMeasure(raw)!;
  return decimals === 0 ? String(Math.round(n)) : n.toFixed(decimals);
};

export function VitalsDialog({
  patientId,
  patientName,
  onSaved,
}: {
  patientId: string;
  patientName: string;
  onSaved: () => void;
}) {
  const draft = useDraft<VitalsDraft>(vitalsDraftKey(patientId));
  const { run, busy, error } = useAction();
  const [errors, setErrors] = useState<VitalsErrors>({});
  const formId = useId();
  const d = draft.value;
  const guard = useDiscardGuard(Boolean(d && VITALS.some((v) => d.values[v.code].trim())), draft.drop);
  if (!d) return null;

  const setValue = (code: VitalCode, value: string): void => {
    draft.set({ ...d, values: { ...d.values, [code]: value } });
    if (errors[code]) setErrors({ ...errors, [code]: undefined });
  };

  const save = async (e: FormEvent | null, confirmed = false): Promise<void> => {
    e?.preventDefault();
    const problems = validateVitals(d, new Date());
    setErrors(problems);
    if (Object.values(problems).some(Boolean)) return;
    const recorded_at = dateTimeValue(d.measured_at)!;
    const values: Record<string, string> = {};
    for (const v of VITALS) if (d.values[v.code].trim()) values[v.code] = format(d.values[v.code], v.decimals);
    if (d.inspired_oxygen) values.inspired_oxygen = d.inspired_oxygen;
    if (d.consciousness) values.consciousness = d.consciousness;
    const saved = await run('observations.recordSet', {
      patient_id: patientId,
      recorded_at,
      values,
      confirmed_unusual: confirmed,
    } as never);
    if (!saved) return;
    draft.drop();
    const n = saved.observations.length;
    toast.success(`Vitals saved for ${patientName} (${n} value${n === 1 ? '' : 's'}). ${news2Sentence(saved.news2)}`);
    onSaved();
  };
  // The service names an unusual combination; the nurse measures again or confirms it (issue 18).
  const unusual = error?.kind === 'invalid' && Array.isArray(error.details?.unusual) ? error.message : null;

  return (
    <Dialog
      title={`Record vitals — ${patientName}`}
      onClose={guard.close}
      footer={
        guard.asking ? (
          <DiscardPrompt what="vitals" leaving={guard.leaving} onKeep={guard.keep} onDiscard={guard.discard} />
        ) : (
          <>
            <Button onClick={guard.close}>Cancel</Button>
            <Button tone="primary" type="submit" form={formId} busy={busy}>
              Save vitals
            </Button>
          </>
        )
      }
    >
      <form id={formId} onSubmit={(e) => void save(e)} noValidate>
        {unusual ? (
          <Banner
            tone="warning"
            title="Are these values right?"
            action={
              <Button small tone="primary" disabled={busy} onClick={() => void save(null, true)}>
                Values are right — save
              </Button>
            }
          >
            {unusual}
          </Banner>
        ) : (
          <ErrorNote error={error} />
        )}
        {errors.form ? <Banner tone="warning">{errors.form}</Banner> : null}
        <div className="grid-2 form-grid">
          {VITALS.map((v) => (
            <TextField
              key={v.code}
              label={`${v.label} (${unitLabel(v.unit)})`}
              name={v.code}
              inputMode="decimal"
              autoComplete="off"
              value={d.values[v.code]}
              error={errors[v.code]}
              onChange={(e) => setValue(v.code, e.target.value)}
            />
          ))}
          <Select
            label="Air or oxygen"
            name="inspired_oxygen"
            placeholder="Not recorded"
            options={OXYGEN_OPTIONS}
            value={d.inspired_oxygen ?? ''}
            onChange={(e) => draft.set({ ...d, inspired_oxygen: e.target.value })}
          />
          <Select
            label="Consciousness (ACVPU)"
            name="consciousness"
            placeholder="Not recorded"
            options={ACVPU_OPTIONS}
            value={d.consciousness ?? ''}
            onChange={(e) => draft.set({ ...d, consciousness: e.target.value })}
          />
        </div>
        {d.check_time ? (
          <Banner
            tone="warning"
            title="When were these measured?"
            action={
              <Button small onClick={() => draft.set({ ...d, measured_at: d.check_time!, check_time: undefined })}>
                It was {d.check_time}
              </Button>
            }
          >
            These values were typed a while ago and not saved. Enter the time of measurement; it said {d.check_time}.
          </Banner>
        ) : null}
        <DateTimeField
          label="Measured at"
          required
          value={d.measured_at}
          error={errors.measured_at}
          onChange={(text) => draft.set({ ...d, measured_at: text, check_time: undefined })}
        />
        <div className="field-hint">
          One set: NEWS2 needs all seven (respiratory rate, SpO₂, air or oxygen, systolic pressure, heart rate, consciousness,
          temperature). A set with a field left empty is saved as incomplete and scores no NEWS2. Unsaved entries are kept if the
          screen locks.
        </div>
      </form>
    </Dialog>
  );
}
