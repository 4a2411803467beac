/**
 * Today's appointments of the signed-in clinician (SPEC §7): start, complete, write the record.
 * The day is the workstation's local day around the session's "now".
 */
import { useMemo } from 'react';
import type { Channel, Request } from '../api';
import { Button, Empty, ErrorNote, Loading, PageHeader, Tag } from '../components/ui';
import { dayRange, humanize, time } from '../format';
import { useAction, useCall } from '../hooks';
import { useDrafts } from '../store/drafts';
import { href } from '../store/router';
import { useSession } from '../store/session';
import { appointmentStatusTone, longDay } from './chart/clinical';
import { WriteRecordDialog, type RecordDraft } from './chart/RecordDialogs';
import { RowActions } from './chart/sections';
import { recordDraftKey } from './chart/useDraft';

export function Day() {
  const info = useSession((s) => s.info);
  const nowIso = info?.now ?? new Date().toISOString();
  const now = useMemo(() => new Date(nowIso), [nowIso]);
  const range = useMemo(() => dayRange(now), [now]);
  const day = useCall('clinician.day', range, [range.from, range.to]);
  const act = useAction();
  const drafts = useDrafts((s) => s.drafts);
  const putDraft = useDrafts((s) => s.put);
  const readOnly = Boolean(info?.view_as);
  const can = (actions: string[], action: string): boolean => !readOnly && actions.includes(action);

  const perform = async <C extends Channel>(channel: C, request: Request<C>, success: string): Promise<void> => {
    if ((await act.run(channel, request, success)) !== undefined) day.reload();
  };

  const items = day.data ?? [];
  const writing = items.find((a) => drafts[recordDraftKey(a.id)] !== undefined);
  const counts = {
    inProgress: items.filter((a) => a.status === 'in_progress').length,
    open: items.filter((a) => a.status === 'scheduled').length,
  };
  const subtitle = `${longDay(now)} · ${items.length} appointment${items.length === 1 ? '' : 's'}`
    + (counts.inProgress ? ` · ${counts.inProgress} in progress` : '') + (counts.open ? ` · ${counts.open} to come` : '');

  return (
    <div>
      <PageHeader title="My day" subtitle={day.data ? subtitle : longDay(now)}
        actions={<Button small onClick={day.reload} busy={day.loading && Boolean(day.data)}>Refresh</Button>} />
      <ErrorNote error={day.error ?? act.error} />
      {day.loading && !day.data ? <Loading label="Loading your appointments…" /> : null}
      {day.data && items.length === 0 ? <Empty>You have no appointments today.</Empty> : null}
      {items.length > 0 ? (
        <div className="section section-flush">
          <table className="table" aria-label="Today's appointments">
            <thead>
              <tr><th>Time</th><th>Patient</th><th>MRN</th><th>Room</th><th>Reason</th><th>Status</th><th><span className="sr-only">Actions</span></th></tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id} className={a.status === 'canceled' || a.status === 'completed' ? 'row-done' : undefined}>
                  <td className="nowrap num"><strong>{time(a.scheduled_at)}</strong></td>
                  <td><a href={href(`/patients/${encodeURIComponent(a.patient_id)}`)}>{a.patient_name ?? 'Patient'}</a></td>
                  <td className="num">{a.patient_mrn ?? '—'}</td>
                  <td>{a.room_name ?? <span className="muted">Outpatient</span>}</td>
                  <td>{a.reason}</td>
                  <td><Tag tone={appointmentStatusTone(a.status)}>{humanize(a.status)}</Tag></td>
                  <td>
                    <RowActions>
                      {can(a.actions, 'start') ? <Button small tone="primary" disabled={act.busy} onClick={() => void perform('appointments.start', { id: a.id }, `Examination of ${a.patient_name ?? 'the patient'} started.`)}>Start</Button> : null}
                      {can(a.actions, 'complete') ? <Button small disabled={act.busy} onClick={() => void perform('appointments.complete', { id: a.id }, `Examination of ${a.patient_name ?? 'the patient'} completed.`)}>Complete</Button> : null}
                      {can(a.actions, 'create_record') ? <Button small disabled={act.busy} onClick={() => putDraft(recordDraftKey(a.id), { category: '', public_notes: '', internal_notes: '' } satisfies RecordDraft)}>Write record</Button> : null}
                    </RowActions>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {writing ? <WriteRecordDialog appointment={writing} patientName={writing.patient_name ?? 'patient'} onSaved={day.reload} /> : null}
    </div>
  );
}
