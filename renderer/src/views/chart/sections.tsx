/** The parts of a patient's chart: alerts, latest vitals, observations, appointments, records. */
import { useMemo, useState, type ReactNode } from 'react';
import { PendingMark } from '../../components/Pending';
import { LabelChip } from '../../components/Sensitivity';
import { Banner, Button, Empty, Section, Tabs, Tag, severityTone } from '../../components/ui';
import { VirtualTable } from '../../components/VirtualTable';
import { dateTime, humanize } from '../../format';
import { VITALS, appointmentStatusTone, codeLabel, isOutsideUsual, unitLabel, vitalSpec, type UsualRanges } from './clinical';
import { alertIsOpen, type ChartAlert, type ChartAppointment, type ChartObservation, type ChartRecord } from './types';

/** A row of small buttons, shown only for what the user may do. */
export function RowActions({ children }: { children: ReactNode }) {
  return <div className="cell-actions">{children}</div>;
}

export function AlertsSection({
  alerts,
  now,
  can,
  busy,
  onAcknowledge,
  onReschedule,
}: {
  alerts: ChartAlert[];
  now: Date;
  can: (actions: string[], action: string) => boolean;
  busy: boolean;
  onAcknowledge: (a: ChartAlert) => void;
  onReschedule: (a: ChartAlert) => void;
}) {
  const open = alerts.filter(alertIsOpen);
  return (
    <Section
      title="Alerts"
      id="chart-alerts"
      actions={open.length > 0 ? <Tag tone={severityTone(worst(open))}>{open.length} open</Tag> : null}
    >
      {alerts.length === 0 ? (
        <Empty>No alerts.</Empty>
      ) : (
        <table className="table" aria-labelledby="chart-alerts">
          <thead>
            <tr>
              <th>Severity</th>
              <th>Alert</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {alerts.map((a) => {
              const overdue = alertIsOpen(a) && Date.parse(a.due_at) < now.getTime();
              return (
                <tr
                  key={a.id}
                  className={alertIsOpen(a) ? (a.severity === 'critical' ? 'alert-row-critical' : undefined) : 'row-done'}
                >
                  <td className="alert-severity">
                    <Tag tone={alertIsOpen(a) ? severityTone(a.severity) : 'neutral'}>{humanize(a.severity)}</Tag>
                  </td>
                  <td>
                    <div>
                      {a.message}
                      <PendingMark ids={a.id} />
                    </div>
                    <div className="alert-when">
                      {a.closed_at_discharge ? (
                        <>
                          Closed with the stay (final discharge) · was due <span className="num">{dateTime(a.due_at)}</span>
                        </>
                      ) : a.status === 'open' ? (
                        <>
                          Due <span className="num">{dateTime(a.due_at)}</span>
                          {overdue ? (
                            <>
                              {' '}
                              · <span className="alert-overdue">overdue</span>
                            </>
                          ) : null}
                          {a.reschedule_reason ? <> · moved: {a.reschedule_reason}</> : null}
                        </>
                      ) : (
                        <>
                          Acknowledged
                          {a.acknowledged_by_name || a.acknowledged_by
                            ? ` by ${a.acknowledged_by_name ?? a.acknowledged_by}`
                            : ''}
                          {a.acknowledged_at ? (
                            <>
                              {' '}
                              <span className="num">{dateTime(a.acknowledged_at)}</span>
                            </>
                          ) : null}{' '}
                          · was due <span className="num">{dateTime(a.due_at)}</span>
                        </>
                      )}
                    </div>
                  </td>
                  <td>
                    <RowActions>
                      {alertIsOpen(a) && can(a.actions, 'acknowledge') ? (
                        <Button small tone="primary" disabled={busy} onClick={() => onAcknowledge(a)}>
                          Acknowledge
                        </Button>
                      ) : null}
                      {alertIsOpen(a) && can(a.actions, 'reschedule') ? (
                        <Button small disabled={busy} onClick={() => onReschedule(a)}>
                          Reschedule
                        </Button>
                      ) : null}
                    </RowActions>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Section>
  );
}

const SEVERITY_ORDER = ['low', 'medium', 'high', 'critical'];
const worst = (alerts: ChartAlert[]): string =>
  alerts.reduce((w, a) => (SEVERITY_ORDER.indexOf(a.severity) > SEVERITY_ORDER.indexOf(w) ? a.severity : w), 'low');

/** The latest value of each vital sign (observations arrive newest first). */
export function latestVitals(observations: ChartObservation[]): ChartObservation[] {
  const latest = new Map<string, ChartObservation>();
  for (const o of observations) {
    if (o.category !== 'vitals') continue;
    const seen = latest.get(o.code);
    if (!seen || o.recorded_at > seen.recorded_at) latest.set(o.code, o);
  }
  const order = (code: string): number => {
    const i = VITALS.findIndex((v) => v.code === code);
    return i < 0 ? VITALS.length : i;
  };
  return [...latest.values()].sort((a, b) => order(a.code) - order(b.code) || a.code.localeCompare(b.code));
}

export function VitalsSection({
  observations,
  action,
  ranges,
}: {
  observations: ChartObservation[];
  action: ReactNode;
  /** The usual ranges at the patient's age (the chart answer's): a child's values against the child's. */
  ranges: UsualRanges;
}) {
  const latest = useMemo(() => latestVitals(observations), [observations]);
  return (
    <Section title="Vitals" id="chart-vitals" actions={action}>
      {latest.length === 0 ? (
        <Empty>No vital signs recorded.</Empty>
      ) : (
        <div className="vitals-grid">
          {latest.map((o) => {
            const out = isOutsideUsual(ranges, o.code, o.value);
            // A child's range is named on the tile: it is not the one a ward of adults knows by heart.
            const range = ranges[o.code]?.source === 'adult' ? null : ranges[o.code];
            const label = vitalSpec(o.code)?.label ?? codeLabel(o.code);
            return (
              <div key={o.code} className={`vital${out ? ' vital-out' : ''}`} role="group" aria-label={label}>
                <div className="k">{vitalSpec(o.code)?.short ?? label}</div>
                <div>
                  <span className="v">{o.value}</span>
                  <span className="u">{unitLabel(o.unit)}</span>
                </div>
                <div className="t">
                  {dateTime(o.recorded_at)}
                  <PendingMark ids={o.id} />
                  {out ? <span className="vital-flag"> · outside usual range</span> : null}
                  {range ? (
                    <span className="vital-range">
                      {' '}
                      · usual {range.low}–{range.high} at {range.band}
                    </span>
                  ) : null}
                </div>
              </div>
            );
          })}
        </div>
      )}
    </Section>
  );
}

export function ObservationsSection({
  observations,
  names,
  actions,
  ranges,
}: {
  observations: ChartObservation[];
  names: (id: string) => string;
  actions: ReactNode;
  /** The usual ranges at the patient's age (a child's laboratory values are marked against none). */
  ranges: UsualRanges;
}) {
  const [category, setCategory] = useState('all');
  const categories = useMemo(() => {
    const counts = new Map<string, number>();
    for (const o of observations) counts.set(o.category, (counts.get(o.category) ?? 0) + 1);
    return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [observations]);
  const rows = category === 'all' ? observations : observations.filter((o) => o.category === category);
  return (
    <Section title="Results and observations" id="chart-observations" actions={actions}>
      {observations.length === 0 ? (
        <Empty>No results recorded.</Empty>
      ) : (
        <>
          <Tabs
            label="Observation category"
            value={category}
            onChange={setCategory}
            tabs={[
              { id: 'all', label: 'All', count: observations.length },
              ...categories.map(([c, n]) => ({ id: c, label: humanize(c), count: n })),
            ]}
          />
          <VirtualTable
            label="Observations"
            rows={rows}
            rowKey={(o) => o.id}
            height={288}
            rowHeight={32}
            empty="No observations in this category."
            columns={[
              {
                key: 'time',
                header: 'Time',
                width: '130px',
                render: (o) => <span className="num">{dateTime(o.recorded_at)}</span>,
              },
              { key: 'category', header: 'Category', width: '90px', render: (o) => humanize(o.category) },
              {
                key: 'code',
                header: 'Measurement',
                width: '1.3fr',
                render: (o) => (
                  <>
                    {codeLabel(o.code)} <LabelChip label={o.sensitivity} />
                    <PendingMark ids={o.id} />
                  </>
                ),
              },
              {
                key: 'value',
                header: 'Value',
                width: '1fr',
                render: (o) => (
                  <span className={isOutsideUsual(ranges, o.code, o.value) ? 'value-out' : undefined}>
                    <strong className="num">{o.value}</strong> <span className="muted">{unitLabel(o.unit)}</span>
                  </span>
                ),
              },
              { key: 'by', header: 'Recorded by', width: '1fr', render: (o) => names(o.recorded_by) },
            ]}
          />
        </>
      )}
    </Section>
  );
}

export interface AppointmentHandlers {
  busy: boolean;
  can: (actions: string[], action: string) => boolean;
  onStart: (a: ChartAppointment) => void;
  onComplete: (a: ChartAppointment) => void;
  onCancel: (a: ChartAppointment) => void;
  onReschedule: (a: ChartAppointment) => void;
  onWriteRecord: (a: ChartAppointment) => void;
}

export function AppointmentsSection({ appointments, h }: { appointments: ChartAppointment[]; h: AppointmentHandlers }) {
  return (
    <Section title="Appointments" id="chart-appointments">
      {appointments.length === 0 ? (
        <Empty>No appointments.</Empty>
      ) : (
        <table className="table" aria-labelledby="chart-appointments">
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
              <tr key={a.id} className={a.status === 'canceled' ? 'row-done' : undefined}>
                <td className="nowrap num">{dateTime(a.scheduled_at)}</td>
                <td>{a.clinician_name ?? '—'}</td>
                <td>{a.reason}</td>
                <td>
                  <Tag tone={appointmentStatusTone(a.status)}>{humanize(a.status)}</Tag>
                  <PendingMark ids={a.id} />
                </td>
                <td>
                  <RowActions>
                    {h.can(a.actions, 'start') ? (
                      <Button small tone="primary" disabled={h.busy} onClick={() => h.onStart(a)}>
                        Start
                      </Button>
                    ) : null}
                    {a.status === 'in_progress' && h.can(a.actions, 'complete') ? (
                      <Button small disabled={h.busy} onClick={() => h.onComplete(a)}>
                        Complete
                      </Button>
                    ) : null}
                    {h.can(a.actions, 'create_record') ? (
                      <Button small disabled={h.busy} onClick={() => h.onWriteRecord(a)}>
                        Write record
                      </Button>
                    ) : null}
                    {h.can(a.actions, 'reschedule') ? (
                      <Button small disabled={h.busy} onClick={() => h.onReschedule(a)}>
                        Reschedule
                      </Button>
                    ) : null}
                    {h.can(a.actions, 'cancel') ? (
                      <Button small disabled={h.busy} onClick={() => h.onCancel(a)}>
                        Cancel
                      </Button>
                    ) : null}
                  </RowActions>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

export function RecordsSection({
  records,
  appointments,
  can,
  onAmend,
}: {
  records: ChartRecord[];
  appointments: ChartAppointment[];
  can: (actions: string[], action: string) => boolean;
  onAmend: (r: ChartRecord) => void;
}) {
  const { roots, children } = useMemo(() => {
    const ids = new Set(records.map((r) => r.id));
    const kids = new Map<string, ChartRecord[]>();
    for (const r of records)
      if (r.amends_id && ids.has(r.amends_id)) kids.set(r.amends_id, [...(kids.get(r.amends_id) ?? []), r]);
    for (const list of kids.values()) list.sort((a, b) => a.created_at.localeCompare(b.created_at));
    return { roots: records.filter((r) => !r.amends_id || !ids.has(r.amends_id)), children: kids };
  }, [records]);
  const reasons = new Map(appointments.map((a) => [a.id, a.reason]));

  const item = (r: ChartRecord, depth: number): ReactNode => {
    const amendments = children.get(r.id) ?? [];
    return (
      <article
        key={r.id}
        className={depth === 0 ? 'record' : 'record record-amendment'}
        aria-label={`${depth === 0 ? 'Record' : 'Amendment'} by ${r.author_name ?? 'unknown'}`}
      >
        <div className="record-head">
          {depth === 0 ? <Tag tone="info">{humanize(r.category)}</Tag> : <Tag tone="neutral">Amendment</Tag>}
          <LabelChip label={r.sensitivity} />
          <strong>{r.author_name ?? r.author_id}</strong>
          <PendingMark ids={r.id} />
          <span className="muted">
            <span className="num">{dateTime(r.created_at)}</span>
            {depth === 0 && reasons.get(r.appointment_id) ? ` · ${reasons.get(r.appointment_id)}` : null}
          </span>
          {r.amended_by.length > 0 ? <Tag tone="warning">Amended</Tag> : null}
          <span className="grow" />
          {can(r.actions, 'amend') ? (
            <Button small onClick={() => onAmend(r)}>
              Amend
            </Button>
          ) : null}
        </div>
        {r.amended_by.length > 1 ? (
          <Banner tone="warning" title="Concurrent amendments — reconcile">
            This record was amended {r.amended_by.length} times independently. Compare the amendments below and write one
            amendment that reconciles them.
          </Banner>
        ) : null}
        <div className={`note${r.amended_by.length > 0 ? ' note-superseded' : ''}`}>
          {r.public_notes || <span className="muted">No public notes.</span>}
        </div>
        {r.internal_notes !== null ? (
          <div className="internal">
            <div className="internal-label">Internal notes</div>
            <div className="note">{r.internal_notes || <span className="muted">None.</span>}</div>
          </div>
        ) : null}
        {amendments.length > 0 ? <div className="amendments">{amendments.map((a) => item(a, depth + 1))}</div> : null}
      </article>
    );
  };

  return (
    <Section title="Records" id="chart-records">
      {roots.length === 0 ? <Empty>No records.</Empty> : <div>{roots.map((r) => item(r, 0))}</div>}
    </Section>
  );
}
