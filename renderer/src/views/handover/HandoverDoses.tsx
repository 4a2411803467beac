/**
 * Doses due and overdue on a patient's handover card (issue 19 item 5): the ward's "doses due now"
 * (`mar.dueNow`: within the right-time window, or overdue in the last 24 hours and not recorded) for
 * this patient, so the nurse taking over knows which medicines wait. Each links to the MAR.
 */
import type { Response } from '../../api';
import { Tag } from '../../components/ui';
import { dateTime } from '../../format';
import { href } from '../../store/router';

export type DueDose = Response<'mar.dueNow'>[number];

export function HandoverDoses({ patientId, doses }: { patientId: string; doses: DueDose[] | undefined }) {
  if (!doses) return null;
  const mine = doses.filter((d) => d.patient_id === patientId);
  if (mine.length === 0) return <div className="muted">No doses due or overdue</div>;
  return (
    <ul className="handover-alerts handover-doses" aria-label="Doses due and overdue">
      {mine.map((d) => (
        <li key={`${d.order_id}|${d.scheduled_for}`}>
          <Tag tone={d.state === 'overdue' ? 'danger' : 'warning'}>{d.state === 'overdue' ? 'Dose overdue' : 'Dose due'}</Tag>{' '}
          <a href={href(`/patients/${encodeURIComponent(d.patient_id)}/mar`)}>
            {d.medication} {d.dose} {d.unit} {d.route}
          </a>{' '}
          {d.controlled ? <Tag tone="warning">controlled</Tag> : null} <span className="muted">{dateTime(d.scheduled_for)}</span>
        </li>
      ))}
    </ul>
  );
}
