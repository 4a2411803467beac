/**
 * Registration and scheduling (SPEC §7) for registration clerks and admins: find or register a
 * patient, then schedule, reschedule or cancel their appointments. Clinical data is never shown here
 * (a clerk receives none; an admin does not need it at the front desk).
 */
import { useMemo, useState, type FormEvent } from 'react';
import { ApiError, call, plainMessage, type Response } from '../api';
import {
  Banner,
  Button,
  Dialog,
  Empty,
  ErrorNote,
  KeyValue,
  Loading,
  PageHeader,
  Section,
  Select,
  Tag,
  TextField,
} from '../components/ui';
import { DateField, DateTimeField } from '../components/DateInputs';
import { VirtualTable } from '../components/VirtualTable';
import { dateTimeInputText, parseDateInput, parseDateTimeInput, todayYmd } from '../dateInput';
import { age, calendarDate, dateTime, humanize } from '../format';
import { useAction, useCall } from '../hooks';
import { toast } from '../store/toasts';
import { useRouter } from '../store/router';
import {
  appointmentTone,
  patientTone,
  roleLabel,
  Selected,
  useDebounced,
  useNow,
  useReadOnly,
  type Locations,
  type Problems,
} from './admin/shared';
import { FacilityField } from './registration/FacilityField';

type Chart = Response<'chart.open'>;
type ChartAppointment = Chart['appointments'][number];

export function Registration() {
  const { route, go } = useRouter();
  const now = useNow();
  const readOnly = useReadOnly();
  const selectedId = route.query.get('patient');
  const [query, setQuery] = useState('');
  const q = useDebounced(query.trim());
  const results = useCall('patients.search', { query: q }, [q]);
  const locations = useCall('reference.locations', {});
  const [registering, setRegistering] = useState(false);

  const select = (id: string): void => go(`/registration?patient=${encodeURIComponent(id)}`);

  return (
    <div className="admin-view">
      <PageHeader
        title="Registration"
        subtitle="Find a patient, register a new one, and manage their appointments."
        actions={
          readOnly ? null : (
            <Button tone="primary" onClick={() => setRegistering(true)}>
              Register patient
            </Button>
          )
        }
      />
      <div className="split split-wide-left">
        <div>
          <form
            className="row"
            role="search"
            onSubmit={(e) => {
              e.preventDefault();
              results.reload();
            }}
          >
            <TextField
              label="Find patient"
              placeholder="Name or MRN"
              value={query}
              autoFocus
              onChange={(e) => setQuery(e.target.value)}
              hint="Shows up to 50 matches, by name."
            />
          </form>
          <ErrorNote error={results.error} />
          {results.loading && !results.data ? <Loading label="Searching…" /> : null}
          {results.data ? (
            <VirtualTable
              label="Search results"
              rows={results.data}
              rowKey={(p) => p.id}
              onOpen={(p) => select(p.id)}
              height={520}
              empty={q ? `No patient you can see matches “${q}”.` : 'No patients you can see.'}
              columns={[
                {
                  key: 'name',
                  header: 'Patient',
                  width: '1.6fr',
                  render: (p) => (
                    <Selected on={p.id === selectedId}>
                      <strong>{p.name}</strong>
                    </Selected>
                  ),
                },
                { key: 'mrn', header: 'MRN', width: '110px', render: (p) => <span className="mono">{p.mrn}</span> },
                { key: 'born', header: 'Born', width: '110px', render: (p) => calendarDate(p.birth_date) },
                {
                  key: 'status',
                  header: 'Status',
                  width: '100px',
                  render: (p) => <Tag tone={patientTone(p.status)}>{humanize(p.status)}</Tag>,
                },
                { key: 'room', header: 'Room', width: '80px', render: (p) => p.room_name ?? <span className="muted">—</span> },
                { key: 'ward', header: 'Ward', width: '1fr', render: (p) => p.ward_name ?? <span className="muted">—</span> },
              ]}
            />
          ) : null}
        </div>
        <div>
          {selectedId ? (
            <PatientPanel key={selectedId} patientId={selectedId} now={now} readOnly={readOnly} onChanged={results.reload} />
          ) : (
            <Empty>Select a patient to see their appointments.</Empty>
          )}
        </div>
      </div>
      {registering ? (
        <RegisterDialog
          locations={locations.data}
          onClose={() => setRegistering(false)}
          onDone={(registered) => {
            setRegistering(false);
            // The list shows the new patient next to their details, not the rows of the last search.
            setQuery(registered.mrn);
            results.reload();
            select(registered.id);
          }}
          onOpenExisting={(id) => {
            setRegistering(false);
            select(id);
          }}
        />
      ) : null}
    </div>
  );
}

function PatientPanel({
  patientId,
  now,
  readOnly,
  onChanged,
}: {
  patientId: string;
  now: string;
  readOnly: boolean;
  onChanged: () => void;
}) {
  const chart = useCall('chart.open', { patientId }, [patientId]);
  const [scheduling, setScheduling] = useState(false);
  const [moving, setMoving] = useState<ChartAppointment | null>(null);
  const [canceling, setCanceling] = useState<ChartAppointment | null>(null);
  if (chart.loading && !chart.data) return <Loading label="Opening…" />;
  if (!chart.data) return <ErrorNote error={chart.error} />;
  const { patient, appointments, actions } = chart.data;
  const refresh = (): void => {
    chart.reload();
    onChanged();
  };
  const location = [patient.room_name, patient.ward_name, patient.facility_name].filter(Boolean).join(' · ');
  const outpatientAt = !patient.room_name && patient.facility_name ? `No room (outpatient at ${patient.facility_name})` : null;
  const canSchedule = !readOnly && actions.includes('schedule_appointment');

  return (
    <div aria-live="polite">
      <Section title={patient.name} id="reg-patient">
        <KeyValue
          items={[
            [
              'MRN',
              <span key="mrn" className="mono">
                {patient.mrn}
              </span>,
            ],
            ['Born', `${calendarDate(patient.birth_date)} (${age(patient.birth_date, new Date(now))} years)`],
            [
              'Status',
              <Tag key="st" tone={patientTone(patient.status)}>
                {humanize(patient.status)}
              </Tag>,
            ],
            ['Location', outpatientAt ?? (location || 'No room (outpatient)')],
          ]}
        />
      </Section>
      <Section
        title="Appointments"
        id="reg-appointments"
        actions={
          canSchedule ? (
            <Button small tone="primary" onClick={() => setScheduling(true)}>
              Schedule appointment
            </Button>
          ) : null
        }
      >
        {appointments.length === 0 ? (
          <Empty>No appointments.</Empty>
        ) : (
          <table className="table" aria-labelledby="reg-appointments">
            <thead>
              <tr>
                <th>When</th>
                <th>Clinician</th>
                <th>Reason</th>
                <th>Status</th>
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {appointments.map((a) => (
                <tr key={a.id}>
                  <td className="nowrap">{dateTime(a.scheduled_at)}</td>
                  <td className="nowrap">{a.clinician_name ?? a.clinician_id}</td>
                  <td>{a.reason}</td>
                  <td>
                    <Tag tone={appointmentTone(a.status)}>{humanize(a.status)}</Tag>
                  </td>
                  <td className="adm-actions">
                    <div className="inline-actions">
                      {!readOnly && a.actions.includes('reschedule') ? (
                        <Button
                          small
                          onClick={() => setMoving(a)}
                          aria-label={`Reschedule ${a.reason} on ${dateTime(a.scheduled_at)}`}
                        >
                          Reschedule
                        </Button>
                      ) : null}
                      {!readOnly && a.actions.includes('cancel') ? (
                        <Button
                          small
                          onClick={() => setCanceling(a)}
                          aria-label={`Cancel ${a.reason} on ${dateTime(a.scheduled_at)}`}
                        >
                          Cancel
                        </Button>
                      ) : null}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {!canSchedule && !readOnly ? <p className="muted small">You may not schedule appointments for this patient.</p> : null}
      </Section>
      {scheduling ? (
        <ScheduleDialog
          patientId={patient.id}
          patientName={patient.name}
          now={now}
          onClose={() => setScheduling(false)}
          onDone={() => {
            setScheduling(false);
            refresh();
          }}
        />
      ) : null}
      {moving ? (
        <RescheduleDialog
          appointment={moving}
          onClose={() => setMoving(null)}
          onDone={() => {
            setMoving(null);
            refresh();
          }}
        />
      ) : null}
      {canceling ? (
        <CancelDialog
          appointment={canceling}
          patientName={patient.name}
          onClose={() => setCanceling(null)}
          onDone={() => {
            setCanceling(null);
            refresh();
          }}
        />
      ) : null}
    </div>
  );
}

type RegisterField = 'mrn' | 'name' | 'birth_date' | 'room' | 'facility';

type PossibleDuplicate = {
  id: string;
  mrn: string;
  name: string;
  born: string;
  location: string | null;
  status: string;
};

function RegisterDialog({
  locations,
  onClose,
  onDone,
  onOpenExisting,
}: {
  locations: Locations | undefined;
  onClose: () => void;
  onDone: (registered: { id: string; mrn: string }) => void;
  onOpenExisting: (id: string) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  // Main's possible-duplicate warning (same name and birth date): registering beside them is deliberate.
  const [duplicates, setDuplicates] = useState<PossibleDuplicate[] | null>(null);
  const [different, setDifferent] = useState(false);
  const warned = (): void => {
    setDuplicates(null);
    setDifferent(false);
  };
  const [mrn, setMrn] = useState('');
  const [name, setName] = useState('');
  const [birth, setBirth] = useState('');
  const [status, setStatus] = useState<'outpatient' | 'admitted'>('outpatient');
  const [wardId, setWardId] = useState('');
  const [roomId, setRoomId] = useState('');
  const [facilityId, setFacilityId] = useState('');
  const [problems, setProblems] = useState<Problems<RegisterField>>({});
  const fixed = (k: RegisterField): void => setProblems(({ [k]: _gone, ...rest }) => rest as Problems<RegisterField>);
  const facilityName = (id: string): string => locations?.facilities.find((f) => f.id === id)?.name ?? '';
  const rooms = useMemo(() => (locations?.rooms ?? []).filter((r) => r.ward_id === wardId), [locations, wardId]);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const p: Problems<RegisterField> = {};
    if (!mrn.trim()) p.mrn = 'Enter the medical record number.';
    if (!name.trim()) p.name = 'Enter the patient’s name.';
    const born = parseDateInput(birth);
    if (!birth.trim()) p.birth_date = 'Enter the date of birth.';
    else if (!born.ok) p.birth_date = born.problem;
    else if (born.value < '1900-01-01') p.birth_date = 'The birth date cannot be before 1 January 1900.';
    else if (born.value > todayYmd(new Date())) p.birth_date = 'The birth date cannot be in the future.';
    if (status === 'admitted' && !roomId) p.room = 'An admitted patient needs a room.';
    if (!roomId && !facilityId) p.facility = 'Choose where the outpatient is registered.';
    setProblems(p);
    if (Object.keys(p).length > 0 || !born.ok) return;
    if (duplicates && !different) return;
    setBusy(true);
    setError(null);
    try {
      const r = await call('patients.register', {
        mrn: mrn.trim(),
        name: name.trim(),
        birth_date: born.value,
        status,
        room_id: roomId || null,
        facility_id: roomId ? null : facilityId || null,
        ...(duplicates ? { not_duplicate_of: duplicates.map((d) => d.id) } : {}),
      });
      toast.success(`${r.name} registered`);
      onDone(r);
    } catch (err) {
      const e2 = err instanceof ApiError ? err : new ApiError({ kind: 'internal', message: plainMessage(err) });
      const found = e2.kind === 'conflict' ? (e2.details?.possible_duplicates as PossibleDuplicate[] | undefined) : undefined;
      if (found) {
        setDuplicates(found);
        setDifferent(false);
      } else setError(e2);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title="Register patient"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button tone="primary" type="submit" form="register-form" busy={busy} disabled={Boolean(duplicates) && !different}>
            {duplicates ? 'Register as a new patient' : 'Register'}
          </Button>
        </>
      }
    >
      <form id="register-form" onSubmit={(e) => void submit(e)} noValidate>
        {duplicates ? (
          <DuplicateWarning duplicates={duplicates} different={different} onDifferent={setDifferent} onOpen={onOpenExisting} />
        ) : (
          <ErrorNote error={error} />
        )}
        <div className="grid-2">
          <TextField
            label="MRN"
            required
            value={mrn}
            onChange={(e) => {
              setMrn(e.target.value);
              fixed('mrn');
            }}
            hint="Letters A–Z, digits and - . / _ (upper and lower case are the same)"
            error={problems.mrn}
            autoComplete="off"
          />
          <DateField
            label="Date of birth"
            required
            value={birth}
            onChange={(text) => {
              setBirth(text);
              fixed('birth_date');
              warned();
            }}
            error={problems.birth_date}
          />
        </div>
        <TextField
          label="Full name"
          required
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            fixed('name');
            warned();
          }}
          error={problems.name}
          autoComplete="off"
        />
        <Select
          label="Status"
          value={status}
          onChange={(e) => {
            setStatus(e.target.value as 'outpatient' | 'admitted');
            fixed('room');
          }}
          options={[
            { value: 'outpatient', label: 'Outpatient' },
            { value: 'admitted', label: 'Admitted' },
          ]}
        />
        <div className="grid-2">
          <Select
            label="Ward"
            value={wardId}
            placeholder={locations ? 'No ward' : 'Loading…'}
            onChange={(e) => {
              setWardId(e.target.value);
              setRoomId('');
            }}
            options={(locations?.wards ?? []).map((w) => ({ value: w.id, label: `${w.name} (${facilityName(w.facility_id)})` }))}
          />
          <Select
            label="Room"
            value={roomId}
            required={status === 'admitted'}
            disabled={!wardId}
            placeholder={wardId ? 'Choose a room' : 'Choose a ward first'}
            onChange={(e) => {
              setRoomId(e.target.value);
              fixed('room');
            }}
            error={problems.room}
            options={rooms.map((r) => ({ value: r.id, label: r.name }))}
          />
        </div>
        {roomId ? null : (
          <FacilityField
            locations={locations}
            value={facilityId}
            error={problems.facility}
            onChange={(id) => {
              setFacilityId(id);
              fixed('facility');
            }}
          />
        )}
      </form>
    </Dialog>
  );
}

/** Who may be the same person: each with what tells them apart, a way to open them, and the deliberate override. */
function DuplicateWarning({
  duplicates,
  different,
  onDifferent,
  onOpen,
}: {
  duplicates: PossibleDuplicate[];
  different: boolean;
  onDifferent: (v: boolean) => void;
  onOpen: (id: string) => void;
}) {
  return (
    <div className="banner banner-warning" role="alert">
      <div className="banner-body">
        <strong>Possible duplicate: already registered with this name and birth date</strong>
        <ul className="duplicate-list">
          {duplicates.map((d) => (
            <li key={d.id}>
              <strong>{d.name}</strong> · born {d.born} · MRN <span className="mono">{d.mrn}</span>
              {d.location ? ` · ${d.location}` : ''} · {humanize(d.status)}{' '}
              <Button small onClick={() => onOpen(d.id)}>
                Open this patient
              </Button>
            </li>
          ))}
        </ul>
        <label className="checkbox">
          <input type="checkbox" checked={different} onChange={(e) => onDifferent(e.target.checked)} />
          {duplicates.length === 1
            ? 'I have checked: this is a different person.'
            : 'I have checked: none of these is this person.'}
        </label>
      </div>
    </div>
  );
}

/** The next full hour after `now`, as typed text ("24 Nov 2026, 11:00"). */
function nextHour(now: string): string {
  const d = new Date(now);
  d.setMinutes(0, 0, 0);
  d.setHours(d.getHours() + 1);
  return dateTimeInputText(d.toISOString());
}

function ScheduleDialog({
  patientId,
  patientName,
  now,
  onClose,
  onDone,
}: {
  patientId: string;
  patientName: string;
  now: string;
  onClose: () => void;
  onDone: () => void;
}) {
  const clinicians = useCall('reference.clinicians', {});
  const { run, busy, error } = useAction();
  const [clinicianId, setClinicianId] = useState('');
  const [when, setWhen] = useState(() => nextHour(now));
  const [reason, setReason] = useState('');
  const [problems, setProblems] = useState<Problems<'clinician' | 'when' | 'reason'>>({});
  const fixed = (k: 'clinician' | 'when' | 'reason'): void => setProblems(({ [k]: _gone, ...rest }) => rest);
  // Appointments are with physicians; each person once, even when they hold the role on several wards.
  const options = useMemo(
    () =>
      [...new Map((clinicians.data ?? []).filter((c) => c.roles.includes('physician')).map((c) => [c.id, c])).values()]
        .sort((a, b) => a.name.localeCompare(b.name) || a.places.join().localeCompare(b.places.join()))
        .map((c) => ({
          value: c.id,
          label: `${c.name} — ${roleLabel('physician')}${c.places.length ? `, ${c.places.join(', ')}` : ''}`,
        })),
    [clinicians.data],
  );

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const parsed = parseDateTimeInput(when);
    const at = parsed.ok ? parsed.value : null;
    const p: Problems<'clinician' | 'when' | 'reason'> = {};
    if (!clinicianId) p.clinician = 'Choose a clinician.';
    if (!parsed.ok) p.when = parsed.problem;
    if (!reason.trim()) p.reason = 'Enter the reason for the visit.';
    setProblems(p);
    if (!at || Object.keys(p).length > 0) return;
    const r = await run(
      'appointments.schedule',
      { patient_id: patientId, clinician_id: clinicianId, scheduled_at: at, reason: reason.trim() },
      'Appointment scheduled',
    );
    if (r) onDone();
  };

  return (
    <Dialog
      title={`Schedule appointment — ${patientName}`}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button tone="primary" type="submit" form="schedule-form" busy={busy}>
            Schedule
          </Button>
        </>
      }
    >
      <form id="schedule-form" onSubmit={(e) => void submit(e)} noValidate>
        <ErrorNote error={error ?? clinicians.error} />
        <Select
          label="Clinician"
          required
          value={clinicianId}
          placeholder={clinicians.loading ? 'Loading…' : 'Choose a clinician'}
          onChange={(e) => {
            setClinicianId(e.target.value);
            fixed('clinician');
          }}
          options={options}
          error={problems.clinician}
        />
        <DateTimeField
          label="Date and time"
          required
          value={when}
          onChange={(text) => {
            setWhen(text);
            fixed('when');
          }}
          error={problems.when}
        />
        <TextField
          label="Reason"
          required
          maxLength={500}
          value={reason}
          onChange={(e) => {
            setReason(e.target.value);
            fixed('reason');
          }}
          error={problems.reason}
          placeholder="e.g. Follow-up"
          hint="A short line for the day list, at most 500 characters"
        />
      </form>
    </Dialog>
  );
}

function RescheduleDialog({
  appointment,
  onClose,
  onDone,
}: {
  appointment: ChartAppointment;
  onClose: () => void;
  onDone: () => void;
}) {
  const { run, busy, error } = useAction();
  const [when, setWhen] = useState(() => dateTimeInputText(appointment.scheduled_at));
  const [problem, setProblem] = useState<string | null>(null);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const at = parseDateTimeInput(when);
    setProblem(at.ok ? null : at.problem);
    if (!at.ok) return;
    const r = await run('appointments.reschedule', { id: appointment.id, scheduled_at: at.value }, 'Appointment moved');
    if (r) onDone();
  };
  return (
    <Dialog
      title="Reschedule appointment"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Keep as is</Button>
          <Button tone="primary" type="submit" form="reschedule-form" busy={busy}>
            Move appointment
          </Button>
        </>
      }
    >
      <form id="reschedule-form" onSubmit={(e) => void submit(e)} noValidate>
        <ErrorNote error={error} />
        <p className="muted">
          {appointment.reason} with {appointment.clinician_name ?? appointment.clinician_id}, now{' '}
          {dateTime(appointment.scheduled_at)}.
        </p>
        <DateTimeField
          label="New date and time"
          required
          value={when}
          onChange={(text) => {
            setWhen(text);
            setProblem(null);
          }}
          error={problem}
        />
      </form>
    </Dialog>
  );
}

function CancelDialog({
  appointment,
  patientName,
  onClose,
  onDone,
}: {
  appointment: ChartAppointment;
  patientName: string;
  onClose: () => void;
  onDone: () => void;
}) {
  const { run, busy, error } = useAction();
  const confirm = async (): Promise<void> => {
    const r = await run('appointments.cancel', { id: appointment.id }, 'Appointment canceled');
    if (r) onDone();
  };
  return (
    <Dialog
      title="Cancel appointment?"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Keep appointment</Button>
          <Button tone="danger" busy={busy} onClick={() => void confirm()}>
            Cancel appointment
          </Button>
        </>
      }
    >
      <ErrorNote error={error} />
      <Banner tone="info">
        {appointment.reason} for {patientName} with {appointment.clinician_name ?? appointment.clinician_id} on{' '}
        {dateTime(appointment.scheduled_at)}.
      </Banner>
    </Dialog>
  );
}
