/**
 * A patient's chart (SPEC §7): the patient banner and section navigation (kept in sight), alerts, latest
 * vitals, 72-hour trends and flowsheet, results, appointments and records. Sections the user may not read
 * at all are left out, never shown as empty. Every button comes from the `actions` main computed for this
 * user; main still decides each request. A chart the user may not read is "not found", like any unknown link;
 * one whose access ends while it is open closes and says why (chart/accessWatch.tsx).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Channel, Request } from '../api';
import { Banner, Button, ErrorNote, Loading, Section } from '../components/ui';
import { age, time } from '../format';
import { AlertRescheduleDialog } from './chart/AlertRescheduleDialog';
import { News2Section } from './chart/news2View';
import { useAction, useCall } from '../hooks';
import { useDrafts } from '../store/drafts';
import { OfferedDrafts, type OfferedDraft } from './chart/OfferedDrafts';
import { useSession } from '../store/session';
import { AccessEnded, useAccessWatch } from './chart/accessWatch';
import { PatientBanner } from './chart/Banner';
import { AllergiesSection } from './chart/Allergies';
import { normalizeCode } from './chart/clinical';
import { ConfirmDialog, DateTimeDialog } from './chart/dialogs';
import { EditPatientDialog } from './chart/EditPatientDialog';
import { PrivacySection } from './chart/PrivacySection';
import { AmendRecordDialog, WriteRecordDialog, type AmendDraft, type RecordDraft } from './chart/RecordDialogs';
import { ResultDialog } from './chart/ResultDialog';
import { AlertsSection, AppointmentsSection, ObservationsSection, RecordsSection, VitalsSection } from './chart/sections';
import type { ChartAlert, ChartAppointment, ChartData } from './chart/types';
import { amendDraftKey, recordDraftKey, useOfferedDrafts, vitalsDraftKey } from './chart/useDraft';
import { Flowsheet, TREND_HOURS, VitalTrends } from './chart/Trends';
import { VitalsDialog, emptyVitals, resumedVitals, vitalsSummary, type VitalsDraft } from './chart/VitalsDialog';
import { CompleteDialog } from './Day';
import { NotFound } from './NotFound';
import { href } from '../store/router';
import { PendingIds } from '../components/Pending';

/** Jumps to a section of the chart (the chart is long; the banner stays in sight). */
function SectionNav({ sections }: { sections: Array<{ id: string; label: string }> }) {
  const jump = (id: string): void => {
    const heading = document.getElementById(id);
    heading?.scrollIntoView({ block: 'start', behavior: 'auto' });
    heading?.focus({ preventScroll: true });
  };
  return (
    <nav className="chart-nav" aria-label="Chart sections">
      {sections.map((s) => (
        <button key={s.id} type="button" className="chart-nav-link" onClick={() => jump(s.id)}>
          {s.label}
        </button>
      ))}
    </nav>
  );
}

export function Chart({ patientId }: { patientId: string }) {
  const chart = useCall('chart.open', { patientId }, [patientId]);
  // Access ends on screen when it ends in the policy (issue 20): the chart closes and says why.
  const data = chart.data;
  // Once on screen, watched until it is left (a reload refused meanwhile still ends in "closed", with why).
  const [opened, setOpened] = useState(false);
  if (data && !opened) setOpened(true);
  const ended = useAccessWatch(patientId, opened);
  useEffect(() => {
    if (!ended || !data) return;
    const drafts = useDrafts.getState();
    drafts.drop(vitalsDraftKey(patientId));
    for (const a of data.appointments) drafts.drop(recordDraftKey(a.id));
    for (const r of data.records) drafts.drop(amendDraftKey(r.id));
  }, [ended, data, patientId]);
  if (ended) return <AccessEnded ended={ended} />;
  if (chart.error?.kind === 'not_found') return <NotFound what="patient" />;
  if (!chart.data) return chart.error ? <ErrorNote error={chart.error} /> : <Loading label="Opening chart…" />;
  return <ChartView data={chart.data} reload={chart.reload} />;
}

type Modal =
  | { kind: 'edit' }
  | { kind: 'discharge' }
  | { kind: 'final_discharge' }
  | { kind: 'result'; category: string }
  | { kind: 'alert_reschedule'; alert: ChartAlert }
  | { kind: 'appointment_reschedule'; appointment: ChartAppointment }
  | { kind: 'appointment_cancel'; appointment: ChartAppointment }
  | { kind: 'appointment_complete'; appointment: ChartAppointment };

function ChartView({ data, reload }: { data: ChartData; reload: () => void }) {
  const info = useSession((s) => s.info);
  const now = useMemo(() => new Date(info?.now ?? Date.now()), [info?.now]);
  const { patient: p } = data;
  const act = useAction();
  const [modal, setModal] = useState<Modal | null>(null);
  // Drafts found when the chart opens: fresh ones (a short lock) reopen, stale ones are offered.
  const { drafts, offered, isOpen, resume } = useOfferedDrafts();
  // Drafts carry the renderer's clock; their age is told against it, as of the chart's opening.
  const [openedAt] = useState(() => Date.now());
  const putDraft = useDrafts((s) => s.put);
  const dropDraft = useDrafts((s) => s.drop);
  const clearError = useRef(act.clearError);
  clearError.current = act.clearError;
  // Stable, so an open dialog keeps its focus while the chart re-renders.
  const closeModal = useCallback(() => {
    setModal(null);
    clearError.current();
  }, []);
  const open = (m: Modal): void => {
    act.clearError();
    setModal(m);
  };

  // Root viewing as a user is read-only: the view shows what they see, never acts for them.
  const readOnly = Boolean(info?.view_as);
  const can = useCallback((actions: string[], action: string) => !readOnly && actions.includes(action), [readOnly]);

  const clinicians = useCall('reference.clinicians', {});
  const names = useMemo(() => {
    const m = new Map<string, string>();
    for (const c of clinicians.data ?? []) m.set(c.id, c.name);
    for (const a of data.appointments) if (a.clinician_name) m.set(a.clinician_id, a.clinician_name);
    for (const r of data.records) if (r.author_name) m.set(r.author_id, r.author_name);
    for (const o of data.observations) if (o.recorded_by_name) m.set(o.recorded_by, o.recorded_by_name);
    const me = info?.view_as ?? info?.user;
    if (me) m.set(me.id, me.name);
    return (id: string) => m.get(id) ?? id;
  }, [clinicians.data, data, info?.user, info?.view_as]);

  /** Runs a write; on success closes the dialog and reloads the chart. */
  const perform = async <C extends Channel>(channel: C, request: Request<C>, success: string): Promise<void> => {
    const r = await act.run(channel, request, success);
    if (r !== undefined) {
      setModal(null);
      reload();
    }
  };

  const cats = readOnly ? [] : data.observation_categories;
  const pendingIds = useMemo(() => new Set(data.pending), [data.pending]);
  const vitalsKey = vitalsDraftKey(p.id);
  const vitalsOpen = isOpen(vitalsKey);
  const recordFor = data.appointments.find((a) => isOpen(recordDraftKey(a.id)));
  const amendFor = data.records.find((r) => isOpen(amendDraftKey(r.id)));
  const offeredHere: OfferedDraft[] = offered.flatMap((key): OfferedDraft[] => {
    const entry = drafts[key]!;
    if (key === vitalsKey)
      return [{ key, what: 'vitals', summary: vitalsSummary(entry.value as VitalsDraft), updatedAt: entry.updatedAt }];
    const appointment = data.appointments.find((a) => recordDraftKey(a.id) === key);
    if (appointment) return [{ key, what: `notes for ${appointment.reason}`, summary: '', updatedAt: entry.updatedAt }];
    const record = data.records.find((r) => amendDraftKey(r.id) === key);
    if (record)
      return [
        { key, what: `amendment of ${record.author_name ?? 'a record'}'s record`, summary: '', updatedAt: entry.updatedAt },
      ];
    return [];
  });
  const resumeDraft = (key: string): void => {
    if (key === vitalsKey) putDraft(key, resumedVitals(drafts[key]!.value as VitalsDraft));
    resume(key);
  };
  const recordVitals = (): void => {
    // An unsaved entry is resumed, never silently replaced by an empty one.
    if (offered.includes(vitalsKey)) resumeDraft(vitalsKey);
    else putDraft(vitalsKey, emptyVitals(new Date()));
  };
  const recordCategories = [...new Set(data.records.map((r) => r.category))];

  const writeRecord = (a: ChartAppointment): void => {
    if (offered.includes(recordDraftKey(a.id))) return resume(recordDraftKey(a.id));
    const existing = data.records.find((r) => r.appointment_id === a.id) ?? data.records[0];
    const draft: RecordDraft = {
      category: existing?.category ?? normalizeCode(p.ward_name ?? ''),
      public_notes: '',
      internal_notes: '',
    };
    putDraft(recordDraftKey(a.id), draft);
  };

  const sections = [
    data.allergies.readable ? { id: 'chart-allergies', label: 'Allergies' } : null,
    data.readable.alerts ? { id: 'chart-alerts', label: 'Alerts' } : null,
    data.readable.vitals ? { id: 'chart-vitals', label: 'Vitals' } : null,
    data.readable.vitals ? { id: 'chart-trends', label: 'Trends' } : null,
    data.readable.observations ? { id: 'chart-observations', label: 'Results' } : null,
    data.readable.appointments ? { id: 'chart-appointments', label: 'Appointments' } : null,
    data.readable.records ? { id: 'chart-records', label: 'Records' } : null,
  ].filter((x): x is { id: string; label: string } => x !== null);

  return (
    <PendingIds.Provider value={pendingIds}>
      <div className="chart">
        <div className="chart-sticky">
          <PatientBanner
            data={data}
            now={now}
            actions={
              <>
                {can(data.actions, 'update') ? <Button onClick={() => open({ kind: 'edit' })}>Edit details</Button> : null}
                {can(data.actions, 'discharge') ? <Button onClick={() => open({ kind: 'discharge' })}>Discharge</Button> : null}
                {can(data.actions, 'final_discharge') ? (
                  <Button onClick={() => open({ kind: 'final_discharge' })}>Final discharge</Button>
                ) : null}
              </>
            }
          />
          {sections.length > 1 ? <SectionNav sections={sections} /> : null}
          <a
            className="btn btn-secondary btn-sm chart-mar-link"
            href={href(`/patients/${encodeURIComponent(data.patient.id)}/mar`)}
          >
            Medicines (MAR)
          </a>
        </div>

        {data.access === 'break_glass' ? (
          <Banner tone="danger">
            <strong>Emergency access until {data.break_glass_expires_at ? time(data.break_glass_expires_at) : '—'}</strong> —
            every view is audited
          </Banner>
        ) : null}
        {!modal ? <ErrorNote error={act.error} /> : null}
        <OfferedDrafts drafts={offeredHere} now={openedAt} onResume={resumeDraft} onDiscard={dropDraft} />

        <AllergiesSection
          allergies={data.allergies}
          patientId={p.id}
          patientName={p.name}
          readOnly={readOnly}
          onChanged={reload}
        />

        {data.readable.alerts || data.readable.vitals ? (
          <div className={data.readable.alerts && data.readable.vitals ? 'chart-top' : undefined}>
            {data.readable.alerts ? (
              <AlertsSection
                alerts={data.alerts}
                now={now}
                can={can}
                busy={act.busy}
                onAcknowledge={(a) => void perform('alerts.acknowledge', { id: a.id }, 'Alert acknowledged.')}
                onReschedule={(a) => open({ kind: 'alert_reschedule', alert: a })}
              />
            ) : null}
            {data.readable.vitals ? (
              <VitalsSection
                observations={data.observations}
                ranges={data.usual_ranges}
                action={
                  cats.includes('vitals') ? (
                    <Button small tone="primary" onClick={recordVitals}>
                      Record vitals
                    </Button>
                  ) : null
                }
              />
            ) : null}
          </div>
        ) : null}

        {data.readable.vitals ? <News2Section sets={data.news2_sets} under16={age(data.patient.birth_date, now) < 16} /> : null}

        {data.readable.vitals ? (
          <Section title={`Trends — last ${TREND_HOURS} hours`} id="chart-trends">
            <VitalTrends observations={data.observations} now={now} ranges={data.usual_ranges} />
            <Flowsheet observations={data.observations} now={now} ranges={data.usual_ranges} />
          </Section>
        ) : null}

        {data.readable.observations ? (
          <ObservationsSection
            observations={data.observations}
            ranges={data.usual_ranges}
            names={names}
            actions={
              <>
                {cats.includes('lab') ? (
                  <Button small onClick={() => open({ kind: 'result', category: 'lab' })}>
                    Enter lab result
                  </Button>
                ) : null}
                {cats.includes('imaging') ? (
                  <Button small onClick={() => open({ kind: 'result', category: 'imaging' })}>
                    Enter imaging result
                  </Button>
                ) : null}
              </>
            }
          />
        ) : null}

        <PrivacySection data={data} readOnly={readOnly} onChanged={reload} />

        {data.readable.appointments ? (
          <AppointmentsSection
            appointments={data.appointments}
            h={{
              busy: act.busy,
              can,
              onStart: (a) => void perform('appointments.start', { id: a.id }, 'Examination started.'),
              onComplete: (a) => open({ kind: 'appointment_complete', appointment: a }),
              onCancel: (a) => open({ kind: 'appointment_cancel', appointment: a }),
              onReschedule: (a) => open({ kind: 'appointment_reschedule', appointment: a }),
              onWriteRecord: writeRecord,
            }}
          />
        ) : null}

        {data.readable.records ? (
          <RecordsSection
            records={data.records}
            appointments={data.appointments}
            can={can}
            onAmend={(r) =>
              offered.includes(amendDraftKey(r.id))
                ? resume(amendDraftKey(r.id))
                : putDraft(amendDraftKey(r.id), {
                    public_notes: r.public_notes,
                    internal_notes: r.internal_notes ?? '',
                  } satisfies AmendDraft)
            }
          />
        ) : null}

        {vitalsOpen ? (
          <VitalsDialog patientId={p.id} patientName={p.name} onSaved={reload} />
        ) : recordFor ? (
          <WriteRecordDialog appointment={recordFor} patientName={p.name} categories={recordCategories} onSaved={reload} />
        ) : amendFor ? (
          <AmendRecordDialog record={amendFor} patientName={p.name} onSaved={reload} />
        ) : null}

        {modal?.kind === 'edit' ? <EditPatientDialog patient={p} onClose={closeModal} onSaved={reload} /> : null}
        {modal?.kind === 'result' ? (
          <ResultDialog patientId={p.id} patientName={p.name} category={modal.category} onClose={closeModal} onSaved={reload} />
        ) : null}
        {modal?.kind === 'discharge' ? (
          <ConfirmDialog
            title={`Discharge ${p.name}?`}
            confirm="Discharge"
            busy={act.busy}
            error={act.error}
            onClose={closeModal}
            onConfirm={() => void perform('patients.discharge', { id: p.id }, `${p.name} discharged.`)}
          >
            The patient is marked discharged and stays in {p.room_name ? `room ${p.room_name}` : 'the list'} until an
            administrator completes the final discharge.
          </ConfirmDialog>
        ) : null}
        {modal?.kind === 'final_discharge' ? (
          <ConfirmDialog
            title={`Final discharge of ${p.name}?`}
            confirm="Complete discharge"
            busy={act.busy}
            error={act.error}
            onClose={closeModal}
            onConfirm={() => void perform('patients.finalDischarge', { id: p.id }, `${p.name}: discharge completed.`)}
          >
            The discharge is completed and {p.room_name ? `room ${p.room_name} is released` : 'the stay is closed'}.
          </ConfirmDialog>
        ) : null}
        {modal?.kind === 'alert_reschedule' ? (
          <AlertRescheduleDialog
            alert={modal.alert}
            now={now}
            busy={act.busy}
            error={act.error}
            onClose={closeModal}
            onSubmit={(iso, reason) =>
              void perform('alerts.reschedule', { id: modal.alert.id, due_at: iso, reason }, 'Alert rescheduled.')
            }
          />
        ) : null}
        {modal?.kind === 'appointment_reschedule' ? (
          <DateTimeDialog
            title="Reschedule appointment"
            label="New date and time"
            initial={modal.appointment.scheduled_at}
            confirm="Reschedule"
            busy={act.busy}
            error={act.error}
            onClose={closeModal}
            onSubmit={(iso) =>
              void perform('appointments.reschedule', { id: modal.appointment.id, scheduled_at: iso }, 'Appointment moved.')
            }
          >
            <div className="dialog-context">
              {modal.appointment.reason} with {modal.appointment.clinician_name ?? 'the clinician'}
            </div>
          </DateTimeDialog>
        ) : null}
        {modal?.kind === 'appointment_complete' ? (
          <CompleteDialog
            appointment={modal.appointment}
            patientName={p.name}
            busy={act.busy}
            error={act.error}
            onClose={closeModal}
            onConfirm={() => void perform('appointments.complete', { id: modal.appointment.id }, 'Examination completed.')}
          />
        ) : null}
        {modal?.kind === 'appointment_cancel' ? (
          <ConfirmDialog
            title="Cancel appointment?"
            confirm="Cancel appointment"
            tone="danger"
            busy={act.busy}
            error={act.error}
            onClose={closeModal}
            onConfirm={() => void perform('appointments.cancel', { id: modal.appointment.id }, 'Appointment canceled.')}
          >
            {modal.appointment.reason} with {modal.appointment.clinician_name ?? 'the clinician'} will be canceled.
          </ConfirmDialog>
        ) : null}
      </div>
    </PendingIds.Provider>
  );
}
