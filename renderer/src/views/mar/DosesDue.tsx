/**
 * The ward's doses due now (issue 19 item 2): scheduled doses within the right-time window of now, and
 * overdue ones, of the patients the nurse may give medicines to — a list worked from the top down.
 */
import { useState } from 'react';
import { Empty, ErrorNote, Loading, PageHeader, Section, Select, Tag } from '../../components/ui';
import { useCall } from '../../hooks';
import { href } from '../../store/router';
import { dateTime } from '../../format';

export function DosesDue() {
  const wards = useCall('census.wards', {});
  const [wardId, setWardId] = useState<string | null>(null);
  const due = useCall('mar.dueNow', { wardId }, [wardId]);
  return (
    <div className="view doses-due">
      <PageHeader
        title="Doses due now"
        subtitle="Within the hour either side of their time, and overdue ones of the last 24 hours."
      />
      <Select
        label="Ward"
        value={wardId ?? ''}
        onChange={(e) => setWardId(e.target.value || null)}
        placeholder="All my patients"
        options={(wards.data ?? []).map((w) => ({ value: w.id, label: w.name }))}
      />
      <Section title="Doses" id="doses-due">
        {due.loading && !due.data ? <Loading /> : null}
        <ErrorNote error={due.error} />
        {due.data && due.data.length === 0 ? <Empty>No doses are due now.</Empty> : null}
        {due.data && due.data.length ? (
          <table className="doses-due-list" aria-label="Doses due now">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Patient</th>
                <th scope="col">Room</th>
                <th scope="col">Medicine</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {due.data.map((d) => (
                <tr key={`${d.order_id}|${d.scheduled_for}`}>
                  <td>{dateTime(d.scheduled_for)}</td>
                  <td>
                    <a href={href(`/patients/${encodeURIComponent(d.patient_id)}/mar`)}>{d.patient_name}</a>
                  </td>
                  <td>{d.room_name ?? ''}</td>
                  <td>
                    {d.medication} {d.dose} {d.unit} {d.route}
                    {d.controlled ? <Tag tone="warning">controlled</Tag> : null}
                  </td>
                  <td>
                    <Tag tone={d.state === 'overdue' ? 'danger' : 'warning'}>{d.state === 'overdue' ? 'Overdue' : 'Due'}</Tag>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Section>
    </div>
  );
}
