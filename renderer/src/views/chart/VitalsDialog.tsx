/**
 * Vitals entry: each filled measurement becomes one `observations.record` (category vitals). Values are
 * checked for plausibility here (the server checks access); input is a draft that survives a lock.
 */
import { useId, useState, type FormEvent } from 'react';
import { DateTimeField } from '../../components/DateInputs';
import { Banner, Button, Dialog, ErrorNote, TextField } from '../../components/ui';
import { dateTimeInputText, dateTimeValue, parseDateTimeInput } from '../../dateInput';
import { useAction } from '../../hooks';
import { toast } from '../../store/toasts';
import { VITALS, measureProblem, parseMeasure, unitLabel, type VitalCode } from './clinical';
import { DiscardPrompt, useDiscardGuard } from './discard';
import { useDraft, vitalsDraftKey } from './useDraft';

export interface VitalsDraft {
  values: Record<VitalCode, string>;
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
  };
}

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

  const save = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const problems = validateVitals(d, new Date());
    setErrors(problems);
    if (Object.values(problems).some(Boolean)) return;
    const recorded_at = dateTimeValue(d.measured_at)!;
    let values = { ...d.values };
    let saved = 0;
    for (const v of VITALS) {
      if (!values[v.code].trim()) continue;
      const ok = await run('observations.record', {
        patient_id: patientId,
        category: 'vitals',
        code: v.code,
        value: format(values[v.code], v.decimals),
        unit: v.unit,
        recorded_at,
      });
      if (!ok) break;
      saved++;
      // A saved value leaves the draft, so trying again never records it twice.
      values = { ...values, [v.code]: '' };
      draft.set({ ...d, values });
    }
    if (Object.values(values).every((x) => !x.trim())) {
      draft.drop();
      toast.success(`Vitals saved for ${patientName} (${saved} value${saved === 1 ? '' : 's'}).`);
    }
    if (saved > 0) onSaved();
  };

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
        <ErrorNote error={error} />
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
          Leave a field empty when it was not measured. Unsaved entries are kept if the screen locks.
        </div>
      </form>
    </Dialog>
  );
}
