/** A lab or imaging result for a patient (one `observations.record`). */
import { useCallback, useId, useMemo, useState, type FormEvent } from 'react';
import type { SensitivityLabel } from '../../../../src/domain/roles';
import { LabelPicker } from '../../components/Sensitivity';
import { Button, Dialog, ErrorNote, TextField } from '../../components/ui';
import { humanize } from '../../format';
import { useAction } from '../../hooks';
import { toast } from '../../store/toasts';
import { CODE_PATTERN, RESULT_SUGGESTIONS, codeLabel, measureProblem, measureSpec, normalizeCode, unitLabel } from './clinical';

export function ResultDialog({
  patientId,
  patientName,
  category,
  onClose,
  onSaved,
}: {
  patientId: string;
  patientName: string;
  category: string;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { run, busy, error } = useAction();
  const [code, setCode] = useState('');
  const [value, setValue] = useState('');
  const [unit, setUnit] = useState('');
  const [sensitivity, setSensitivity] = useState<SensitivityLabel | null>(null);
  const [errors, setErrors] = useState<{ code?: string; value?: string }>({});
  const formId = useId();
  const listId = useId();
  const suggestions = useMemo(() => RESULT_SUGGESTIONS[category] ?? [], [category]);
  const kind = category === 'lab' ? 'lab result' : `${humanize(category).toLowerCase()} result`;

  const pickCode = useCallback(
    (c: string) => {
      setCode(c);
      const known = suggestions.find((s) => s.code === normalizeCode(c));
      if (known && !unit) setUnit(known.unit);
    },
    [suggestions, unit],
  );

  const save = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const c = normalizeCode(code);
    const problems: typeof errors = {};
    if (!c) problems.code = 'Enter the test.';
    else if (!CODE_PATTERN.test(c)) problems.code = 'Use letters, digits, spaces, _ or - only.';
    if (!value.trim()) problems.value = 'Enter the result.';
    const spec = c ? measureSpec(c) : undefined;
    if (spec && value.trim()) problems.value = measureProblem(spec, value) ?? undefined;
    setErrors(problems);
    if (problems.code || problems.value) return;
    const r = await run('observations.record', {
      patient_id: patientId,
      category,
      code: c,
      value: value.trim(),
      unit: unit.trim(),
      sensitivity,
    });
    if (r) {
      toast.success(`${codeLabel(c)} saved for ${patientName}.`);
      onSaved();
      onClose();
    }
  };

  return (
    <Dialog
      title={`Enter ${kind} — ${patientName}`}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button tone="primary" type="submit" form={formId} busy={busy}>
            Save result
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={(e) => void save(e)} noValidate>
        <ErrorNote error={error} />
        <TextField
          label="Test"
          required
          list={listId}
          autoComplete="off"
          value={code}
          error={errors.code}
          hint="For example CRP, hemoglobin, troponin T"
          onChange={(e) => pickCode(e.target.value)}
        />
        <datalist id={listId}>
          {suggestions.map((s) => (
            <option key={s.code} value={s.code}>
              {codeLabel(s.code)}
            </option>
          ))}
        </datalist>
        <div className="grid-2 form-grid">
          <TextField
            label="Result"
            required
            autoComplete="off"
            value={value}
            error={errors.value}
            onChange={(e) => setValue(e.target.value)}
          />
          <TextField
            label="Unit"
            autoComplete="off"
            value={unit}
            hint={unit ? `Shown as ${unitLabel(unit)}` : 'Optional'}
            onChange={(e) => setUnit(e.target.value)}
          />
        </div>
        <LabelPicker what="result" value={sensitivity} onChange={setSensitivity} />
      </form>
    </Dialog>
  );
}
