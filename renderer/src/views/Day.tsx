/**
 * Today's appointments of the signed-in clinician (SPEC §7): start, complete, write the record.
 * The day is the workstation's local day around the session's "now". For a nurse, the page says what
 * her worklist will hold and leads to the ward census meanwhile (never an empty page).
 */
import { useMemo, useState } from 'react';
import type { ApiError, Channel, Request } from '../api';
import { Button, Empty, ErrorNote, Loading, PageHeader, Tag } from '../components/ui';
import { dayRange, humanize, longDay, time } from '../format';
import { useAction, useCall } from '../hooks';
import { useDrafts } from '../store/drafts';
import { href } from '../store/router';
import { useSession } from '../store/session';
import { appointmentStatusTone, normalizeCode } from './chart/clinical';
import { ConfirmDialog } from './chart/dialogs';
import type { DayItem } from './chart/types';
import { WriteRecordDialog, type RecordDraft } from './chart/RecordDialogs';
import { RowActions } from './chart/sections';
import { OfferedDrafts, type OfferedDraft } from './chart/OfferedDrafts';
import { recordDraftKey, useOfferedDrafts } from './chart/useDraft';
import { HandoverToWrite } from './day/HandoverToWrite';
import { Worklist } from './Worklist';

export function Day() {
  const info = useSession((s) => s.info);
  const nowIso = info?.now ?? new Date().toISOString();
  const now = useMemo(() => new Date(nowIso), [nowIso]);
  const range = useMemo(() => dayRange(now), [now]);
  const day = useCall('clinician.day', range, [range.from, range.to]);
  const act = useAction();
  const [completing, setCompleting] = useState<DayItem | null>(null);
  const { drafts, offered, isOpen, resume } = useOfferedDrafts();
  const [openedAt] = useState(() => Date.now());
  const putDraft = useDrafts((s) => s.put);
  const dropDraft = useDrafts((s) => s.drop);
  const readOnly = Boolean(info?.view_as);
  const nurse = info?.capabilities.includes('ward_worklist') ?? false;
  const can = (actions: string[], action: string): boolean => !readOnly && actions.includes(action);

  const perform = async <C extends Channel>(channel: C, request: Request<C>, success: string): Promise<void> => {
    if ((await act.run(channel, request, success)) !== undefined) {
      setCompleting(null);
      day.reload();
    }
  };
  // A record starts in the patient's specialty (their ward's), as the chart does; the clinician may change it.
  const startRecord = (a: DayItem): void =>
    // Unsaved notes are resumed, never silently replaced by empty ones.
    offered.includes(recordDraftKey(a.id))
      ? resume(recordDraftKey(a.id))
      : putDraft(recordDraftKey(a.id), {
          category: normalizeCode(a.ward_name ?? '') || 'general',
          public_notes: '',
          internal_notes: '',
        } satisfies RecordDraft);

  const items = day.data ?? [];
  const writing = items.find((a) => isOpen(recordDraftKey(a.id)));
  const offeredHere: OfferedDraft[] = items
    .filter((a) => offered.includes(recordDraftKey(a.id)))
    .map((a) => ({
      key: recordDraftKey(a.id),
      what: `notes for ${a.patient_name ?? 'a patient'} (${a.reason})`,
      summary: '',
      updatedAt: drafts[recordDraftKey(a.id)]!.updatedAt,
    }));
  const counts = {
    inProgress: items.filter((a) => a.status === 'in_progress').length,
    open: items.filter((a) => a.status === 'scheduled').length,
  };
  const subtitle =
    `${longDay(now)} · ${items.length} appointment${items.length === 1 ? '' : 's'}` +
    (counts.inProgress ? ` · ${counts.inProgress} in progress` : '') +
    (counts.open ? ` · ${counts.open} to come` : '');

  return (
    <div>
      <PageHeader
        title="My day"
        subtitle={day.data && !(nurse && items.length === 0) ? subtitle : longDay(now)}
        actions={
          <Button small onClick={day.reload} busy={day.loading && Boolean(day.data)}>
            Refresh
          </Button>
        }
      />
      {!completing ? <ErrorNote error={day.error ?? act.error} /> : null}
      <OfferedDrafts drafts={offeredHere} now={openedAt} onResume={resume} onDiscard={dropDraft} />
      {day.loading && !day.data ? <Loading label="Loading your appointments…" /> : null}
      {nurse ? <NurseWorklist /> : null}
      {nurse ? <HandoverToWrite /> : null}
      {day.data && items.length === 0 && !nurse ? <Empty>You have no appointments today.</Empty> : null}
      {items.length > 0 ? (
        <div className="section section-flush">
          <table className="table" aria-label="Today's appointments">
            <thead>
              <tr>
                <th>Time</th>
                <th>Patient</th>
                <th>MRN</th>
                <th>Room</th>
                <th>Reason</th>
                <th>Status</th>
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id} className={a.status === 'canceled' || a.status === 'completed' ? 'row-done' : undefined}>
                  <td className="nowrap num">
                    <strong>{time(a.scheduled_at)}</strong>
                  </td>
                  <td>
                    <a href={href(`/patients/${encodeURIComponent(a.patient_id)}`)}>{a.patient_name ?? 'Patient'}</a>
                  </td>
                  <td className="num">{a.patient_mrn ?? '—'}</td>
                  <td>{a.room_name ?? <span className="muted">Outpatient</span>}</td>
                  <td>{a.reason}</td>
                  <td>
                    <Tag tone={appointmentStatusTone(a.status)}>{humanize(a.status)}</Tag>
                  </td>
                  <td>
                    <RowActions>
                      {can(a.actions, 'start') ? (
                        <Button
                          small
                          tone="primary"
                          disabled={act.busy}
                          onClick={() =>
                            void perform(
                              'appointments.start',
                              { id: a.id },
                              `Examination of ${a.patient_name ?? 'the patient'} started.`,
                            )
                          }
                        >
                          Start
                        </Button>
                      ) : null}
                      {a.status === 'in_progress' && can(a.actions, 'complete') ? (
                        <Button
                          small
                          disabled={act.busy}
                          onClick={() => {
                            act.clearError();
                            setCompleting(a);
                          }}
                        >
                          Complete
                        </Button>
                      ) : null}
                      {can(a.actions, 'create_record') ? (
                        <Button small disabled={act.busy} onClick={() => startRecord(a)}>
                          Write record
                        </Button>
                      ) : null}
                    </RowActions>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {writing ? (
        <WriteRecordDialog appointment={writing} patientName={writing.patient_name ?? 'patient'} onSaved={day.reload} />
      ) : null}
      {completing ? (
        <CompleteDialog
          appointment={completing}
          patientName={completing.patient_name ?? 'the patient'}
          busy={act.busy}
          error={act.error}
          onClose={() => setCompleting(null)}
          onConfirm={() =>
            void perform(
              'appointments.complete',
              { id: completing.id },
              `Examination of ${completing.patient_name ?? 'the patient'} completed.`,
            )
          }
        />
      ) : null}
    </div>
  );
}

/** Until the worklist is built (issue 18, ward board): what it will hold, and where to work meanwhile. */
/** A nurse's worklist (sets due, alerts due), above any appointments she has. */
function NurseWorklist() {
  const list = useCall('worklist.mine', {}, []);
  return (
    <>
      <ErrorNote error={list.error} />
      <Worklist items={list.data} loading={list.loading} />
    </>
  );
}

/** Completing ends the examination — and with it the clinician's access to the patient's observations. */
export function CompleteDialog({
  appointment,
  patientName,
  busy,
  error,
  onClose,
  onConfirm,
}: {
  appointment: { reason: string; scheduled_at: string };
  patientName: string;
  busy: boolean;
  error: ApiError | null;
  onClose: () => void;
  onConfirm: () => void;
}) {
  return (
    <ConfirmDialog
      title={`Complete the examination of ${patientName}?`}
      confirm="Complete examination"
      busy={busy}
      error={error}
      onClose={onClose}
      onConfirm={onConfirm}
    >
      {appointment.reason} · {time(appointment.scheduled_at)}. Once completed it cannot be started again, and the patient’s
      observations are no longer shown to you through this examination. Records can still be written for it.
    </ConfirmDialog>
  );
}
