/**
 * The census columns, one entry each: what the header says, how wide, what a cell shows and what the
 * column sorts by. A new column (NEWS2, last set, obs due, allergy marker) is one more entry here.
 */
import { Tag, severityTone } from '../../components/ui';
import type { Column } from '../../components/VirtualTable';
import { age, dateTime, humanize } from '../../format';
import type { Response } from '../../api';

export type CensusRow = Response<'census.list'>['patients'][number];

const SEVERITY_RANK = ['low', 'medium', 'high', 'critical'];

/** "Fall risk · +1 more · overdue since 09:00": the most urgent alert's kind, how many more, and when the next is due. */
function CensusAlerts({ p, now }: { p: CensusRow; now: Date }) {
  const overdue = p.next_due_at !== null && Date.parse(p.next_due_at) < now.getTime();
  return (
    <span className="census-alerts">
      <Tag tone={severityTone(p.highest_severity)}>{p.top_alert_kind ? humanize(p.top_alert_kind) : 'Alert'}</Tag>
      {p.open_alerts > 1 ? <span>+{p.open_alerts - 1} more</span> : null}
      {p.next_due_at ? (
        overdue ? (
          <span className="alert-overdue">overdue since {dateTime(p.next_due_at)}</span>
        ) : (
          <span className="muted">due {dateTime(p.next_due_at)}</span>
        )
      ) : null}
    </span>
  );
}

const ALLERGY_RANK = ['mild', 'moderate', 'severe', 'life_threatening'];

/** "⚠ Penicillin, Latex": the patient's active allergies, worst first, in the colour of the worst. */
function CensusAllergy({ a }: { a: NonNullable<CensusRow['allergy']> }) {
  const tone = a.worst === 'life_threatening' ? 'critical' : a.worst === 'severe' ? 'danger' : 'warning';
  return (
    <span className="census-allergy" title={`Allergies: ${a.substances.join(', ')}`}>
      <Tag tone={tone}>Allergy</Tag>
      <span>{a.substances.join(', ')}</span>
    </span>
  );
}

/** Ascending puts the most severe first, then the earliest due; patients without open alerts go last. */
const alertOrder = (p: CensusRow): string | null =>
  p.open_alerts > 0 ? `${9 - SEVERITY_RANK.indexOf(p.highest_severity ?? 'low')}|${p.next_due_at ?? '~'}` : null;

export function censusColumns(now: Date): Array<Column<CensusRow>> {
  return [
    {
      key: 'room',
      header: 'Room',
      width: '90px',
      render: (p) => <span className="census-room">{p.room_name ?? 'Outpatient'}</span>,
      sortValue: (p) => p.room_name,
    },
    {
      key: 'name',
      header: 'Patient',
      width: 'minmax(140px, 1.6fr)',
      render: (p) => <strong>{p.name}</strong>,
      sortValue: (p) => p.name,
    },
    { key: 'age', header: 'Age', width: '64px', render: (p) => age(p.birth_date, now), sortValue: (p) => age(p.birth_date, now) },
    { key: 'mrn', header: 'MRN', width: '110px', render: (p) => p.mrn, sortValue: (p) => p.mrn },
    {
      key: 'ward',
      header: 'Ward',
      width: 'minmax(100px, 1fr)',
      render: (p) => p.ward_name ?? '—',
      sortValue: (p) => p.ward_name,
    },
    { key: 'status', header: 'Status', width: '100px', render: (p) => humanize(p.status), sortValue: (p) => p.status },
    {
      key: 'alerts',
      header: 'Alerts',
      width: 'minmax(220px, 2.2fr)',
      wrap: true,
      render: (p) => (p.open_alerts > 0 ? <CensusAlerts p={p} now={now} /> : <span className="muted">—</span>),
      sortValue: alertOrder,
    },
    {
      key: 'allergy',
      header: 'Allergies',
      width: 'minmax(120px, 1fr)',
      render: (p) => (p.allergy ? <CensusAllergy a={p.allergy} /> : <span className="muted">—</span>),
      // Ascending puts life-threatening first; patients without a known allergy go last.
      sortValue: (p) => (p.allergy ? `${9 - ALLERGY_RANK.indexOf(p.allergy.worst)}|${p.allergy.substances[0]}` : null),
    },
  ];
}
