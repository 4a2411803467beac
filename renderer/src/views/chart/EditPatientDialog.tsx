/**
 * Editing a patient's details (`patients.update`): only the fields the user changed are sent, each with
 * the value the user saw (`base`). When someone else changed one of them meanwhile the server answers
 * `conflict`; their value is shown and becomes the new base, so saving again is a deliberate choice.
 */
import { useId, useMemo, useState, type FormEvent } from 'react';
import { ApiError, call, plainMessage, type Request } from '../../api';
import { DateField } from '../../components/DateInputs';
import { Banner, Button, Dialog, ErrorNote, Select, TextField } from '../../components/ui';
import { dateInputText, parseDateInput, todayYmd } from '../../dateInput';
import { calendarDate, humanize } from '../../format';
import { useCall } from '../../hooks';
import { toast } from '../../store/toasts';
import type { ChartPatient } from './types';

type Field = 'mrn' | 'name' | 'birth_date' | 'room_id' | 'status';
type Values = Record<Field, string>;
type Changes = Request<'patients.update'>['changes'];

const LABELS: Record<Field, string> = { mrn: 'MRN', name: 'Name', birth_date: 'Birth date', room_id: 'Room', status: 'Status' };

const valuesOf = (p: Pick<ChartPatient, Field>): Values => ({
  mrn: p.mrn,
  name: p.name,
  birth_date: p.birth_date,
  room_id: p.room_id ?? '',
  status: p.status,
});

export function EditPatientDialog({
  patient,
  onClose,
  onSaved,
}: {
  patient: ChartPatient;
  onClose: () => void;
  onSaved: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const locations = useCall('reference.locations', {});
  const [base, setBase] = useState<Values>(() => valuesOf(patient));
  // The form holds the birth date as typed ("28 Jan 1959"); `base` and requests hold YYYY-MM-DD.
  const [form, setForm] = useState<Values>(() => {
    const v = valuesOf(patient);
    return { ...v, birth_date: dateInputText(v.birth_date) };
  });
  const [problems, setProblems] = useState<Partial<Record<Field | 'form', string>>>({});
  const [conflict, setConflict] = useState<{ message: string; theirs: Partial<Values> } | null>(null);
  const formId = useId();
  const statusEditable = patient.status === 'outpatient' || patient.status === 'admitted';

  const rooms = useMemo(() => {
    const l = locations.data;
    if (!l) return patient.room_id ? [{ value: patient.room_id, label: patient.room_name ?? patient.room_id }] : [];
    const ward = new Map(l.wards.map((w) => [w.id, w.name]));
    return l.rooms.map((r) => ({ value: r.id, label: `${r.name} · ${ward.get(r.ward_id) ?? ''}` }));
  }, [locations.data, patient.room_id, patient.room_name]);

  const set = (f: Field, v: string): void => {
    setForm({ ...form, [f]: v });
    if (problems[f]) setProblems({ ...problems, [f]: undefined });
  };

  const save = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const p: typeof problems = {};
    if (!form.name.trim()) p.name = 'Enter the name.';
    if (!form.mrn.trim()) p.mrn = 'Enter the medical record number.';
    const birth = parseDateInput(form.birth_date);
    if (!birth.ok) p.birth_date = birth.problem;
    else if (birth.value < '1900-01-01') p.birth_date = 'The birth date cannot be before 1 January 1900.';
    else if (birth.value > todayYmd(new Date())) p.birth_date = 'The birth date cannot be in the future.';
    const typed: Values = { ...form, birth_date: birth.ok ? birth.value : form.birth_date };
    if (statusEditable && form.status === 'admitted' && !form.room_id) p.room_id = 'An admitted patient needs a room.';
    const fields = (Object.keys(LABELS) as Field[]).filter(
      (f) => (f !== 'status' || statusEditable) && typed[f].trim() !== base[f],
    );
    if (fields.length === 0) p.form = 'Nothing was changed.';
    setProblems(p);
    if (Object.values(p).some(Boolean)) return;
    const pick = (v: Values): Changes =>
      Object.fromEntries(fields.map((f) => [f, f === 'room_id' ? v[f] || null : v[f].trim()])) as Changes;
    setBusy(true);
    setError(null);
    try {
      const r = await call('patients.update', { id: patient.id, changes: pick(typed), base: pick(base) });
      toast.success(`Details of ${r.name} saved.`);
      onSaved();
      onClose();
    } catch (err) {
      const e2 = err instanceof ApiError ? err : new ApiError({ kind: 'internal', message: plainMessage(err) });
      if (e2.kind === 'conflict') {
        // Show what the other person saved and take it as the new starting point.
        const theirs = (e2.details?.theirs ?? {}) as Partial<Record<Field, string | null>>;
        const asValues = Object.fromEntries(Object.entries(theirs).map(([k, v]) => [k, v ?? ''])) as Partial<Values>;
        setConflict({ message: e2.message, theirs: asValues });
        setBase({ ...base, ...asValues });
        onSaved();
      } else {
        setConflict(null);
        setError(e2);
      }
    } finally {
      setBusy(false);
    }
  };

  const describe = (f: Field, v: string): string =>
    f === 'room_id'
      ? (rooms.find((r) => r.value === v)?.label ?? (v || 'No room'))
      : f === 'status'
        ? humanize(v)
        : f === 'birth_date' && v
          ? calendarDate(v)
          : v;

  return (
    <Dialog
      wide
      title={`Edit details — ${patient.name}`}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button tone="primary" type="submit" form={formId} busy={busy}>
            {conflict ? 'Save my values' : 'Save details'}
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={(e) => void save(e)} noValidate>
        {conflict ? (
          <Banner tone="danger" title="Changed by someone else meanwhile">
            {conflict.message}{' '}
            {Object.entries(conflict.theirs).map(([f, v]) => (
              <span key={f} className="conflict-field">
                {LABELS[f as Field] ?? f} is now <strong>{describe(f as Field, v ?? '')}</strong>.{' '}
              </span>
            ))}
            Saving again replaces their value with yours; Cancel keeps theirs.
          </Banner>
        ) : null}
        <ErrorNote error={error} />
        {problems.form ? <Banner tone="warning">{problems.form}</Banner> : null}
        <div className="grid-2 form-grid">
          <TextField
            label="Name"
            required
            value={form.name}
            error={problems.name}
            onChange={(e) => set('name', e.target.value)}
          />
          <TextField label="MRN" required value={form.mrn} error={problems.mrn} onChange={(e) => set('mrn', e.target.value)} />
          <DateField
            label="Birth date"
            required
            value={form.birth_date}
            error={problems.birth_date}
            onChange={(text) => set('birth_date', text)}
          />
          <Select
            label="Room"
            value={form.room_id}
            placeholder="No room (outpatient)"
            options={rooms}
            error={problems.room_id}
            hint={locations.loading ? 'Loading rooms…' : undefined}
            onChange={(e) => set('room_id', e.target.value)}
          />
          {statusEditable ? (
            <Select
              label="Status"
              value={form.status}
              options={[
                { value: 'outpatient', label: 'Outpatient' },
                { value: 'admitted', label: 'Admitted' },
              ]}
              onChange={(e) => set('status', e.target.value)}
            />
          ) : null}
        </div>
      </form>
    </Dialog>
  );
}
