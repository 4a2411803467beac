/**
 * The medication administration record of one patient (SPEC §7b, issue 19 item 2): each order in
 * force with its doses of the last and next 24 hours — given, held, refused, not given, due, overdue —
 * and what was bypassed (a scan skipped or typed in, a reason given). A dose is given from its cell.
 */
import { useState } from 'react';
import type { Response } from '../../api';
import { Banner, Button, ErrorNote, Loading, PageHeader, Section, Tag } from '../../components/ui';
import { useCall } from '../../hooks';
import { href } from '../../store/router';
import { dateTime, time } from '../../format';
import { GiveDoseDialog } from './GiveDoseDialog';

export type MarData = Response<'mar.open'>;
export type MarOrder = MarData['orders'][number];
type Slot = MarOrder['slots'][number];
type Administration = MarOrder['administrations'][number];

const STATE_WORDS: Record<Slot['state'], string> = {
  given: 'Given',
  held: 'Held',
  refused: 'Refused',
  not_given: 'Not given',
  due: 'Due',
  overdue: 'Overdue',
  upcoming: 'Upcoming',
};

function what(o: MarOrder): string {
  return `${o.medication} ${o.dose} ${o.unit} ${o.route}`;
}

/** What the record of a dose says beyond its status: who, the witness, skipped scans, reasons, a double dose. */
function AdministrationNote({ a }: { a: Administration }) {
  const bypassed = [
    !a.patient_scanned ? 'wristband not scanned' : null,
    !a.product_scanned ? 'package not scanned' : null,
  ].filter(Boolean);
  return (
    <span className="mar-note">
      {a.administered_by_name ?? a.administered_by}
      {a.witness_name ? `, witnessed by ${a.witness_name}` : ''}
      {a.status === 'given' && bypassed.length ? <Tag tone="warning">{bypassed.join(', ')}</Tag> : null}
      {a.possible_double_dose ? <Tag tone="danger">possible double dose</Tag> : null}
      {a.reason ? <span className="mar-reason"> — {a.reason}</span> : null}
    </span>
  );
}

export function Mar({ patientId }: { patientId: string }) {
  const mar = useCall('mar.open', { patientId }, [patientId]);
  const [giving, setGiving] = useState<{ order: MarOrder; scheduledFor: string | null } | null>(null);
  if (mar.loading && !mar.data) return <Loading />;
  if (mar.error) return <ErrorNote error={mar.error} />;
  const data = mar.data!;
  const may = (o: MarOrder): boolean => o.actions.includes('administer');
  return (
    <div className="view mar">
      <PageHeader
        title={`Medicines — ${data.patient.name}`}
        subtitle={
          <>
            {data.patient.mrn} · <a href={href(`/patients/${encodeURIComponent(patientId)}`)}>Back to the chart</a> · from{' '}
            {dateTime(data.from)} to {dateTime(data.to)}
          </>
        }
      />
      {data.orders.length === 0 ? <Banner>No medicines are ordered for this patient.</Banner> : null}
      <Section title="Medication administration record" id="mar-grid">
        <table className="mar-grid" aria-label="Medication administration record">
          <thead>
            <tr>
              <th scope="col">Medicine</th>
              <th scope="col">Doses (last 24 h and next 24 h)</th>
            </tr>
          </thead>
          <tbody>
            {data.orders.map((o) => (
              <tr key={o.id} aria-label={o.medication} className={o.status === 'stopped' ? 'mar-stopped' : undefined}>
                <th scope="row">
                  <strong>{what(o)}</strong>
                  <div className="mar-meta">
                    {o.prn ? `as required, at least ${o.min_interval_hours} h apart` : o.times.join(', ')}
                    {o.controlled ? <Tag tone="warning">controlled: needs a witness</Tag> : null}
                    {o.status === 'stopped' ? <Tag>stopped {o.stopped_at ? dateTime(o.stopped_at) : ''}</Tag> : null}
                  </div>
                  {o.allergy_override_reason ? (
                    <div className="mar-meta">Allergy overridden by the prescriber: “{o.allergy_override_reason}”</div>
                  ) : null}
                </th>
                <td>
                  <ul className="mar-slots">
                    {o.slots.map((s) => (
                      <li key={s.scheduled_for} className={`mar-slot mar-${s.state}`}>
                        <span className="mar-time">{dateTime(s.scheduled_for)}</span>{' '}
                        <Tag tone={tone(s.state)}>{STATE_WORDS[s.state]}</Tag>{' '}
                        {s.administration ? <AdministrationNote a={s.administration} /> : null}
                        {!s.administration && s.state !== 'upcoming' && may(o) ? (
                          <Button small tone="primary" onClick={() => setGiving({ order: o, scheduledFor: s.scheduled_for })}>
                            Give {time(s.scheduled_for)} dose
                          </Button>
                        ) : null}
                      </li>
                    ))}
                    {o.prn
                      ? o.administrations.map((a) => (
                          <li key={a.id} className={`mar-slot mar-${a.status}`}>
                            <span className="mar-time">{dateTime(a.at)}</span>{' '}
                            <Tag tone={tone(a.status)}>{STATE_WORDS[a.status]}</Tag> <AdministrationNote a={a} />
                          </li>
                        ))
                      : null}
                  </ul>
                  {o.prn && may(o) ? (
                    <Button small tone="primary" onClick={() => setGiving({ order: o, scheduledFor: null })}>
                      Give a dose of {o.medication}
                    </Button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      {giving ? (
        <GiveDoseDialog
          order={giving.order}
          scheduledFor={giving.scheduledFor}
          patientName={data.patient.name}
          windowMinutes={data.window_minutes}
          onClose={() => setGiving(null)}
          onDone={() => {
            setGiving(null);
            mar.reload();
          }}
        />
      ) : null}
    </div>
  );
}

function tone(state: Slot['state']): 'success' | 'warning' | 'danger' | 'neutral' {
  if (state === 'given') return 'success';
  if (state === 'overdue') return 'danger';
  if (state === 'due' || state === 'held' || state === 'refused' || state === 'not_given') return 'warning';
  return 'neutral';
}
