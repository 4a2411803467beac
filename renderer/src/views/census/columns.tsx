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
      {p.critical_alert ? <span className="census-critical">Critical: {p.critical_alert}</span> : null}
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

const NEWS2_RISK_TONE: Record<string, 'critical' | 'danger' | 'warning' | 'success'> = {
  high: 'critical',
  medium: 'danger',
  low_medium: 'warning',
  low: 'success',
};

/** The latest NEWS2, coloured by risk; "incomplete" or "under 16" when the set has no total. */
function CensusNews2({ p }: { p: CensusRow }) {
  if (p.news2_total !== null) return <Tag tone={NEWS2_RISK_TONE[p.news2_risk ?? 'low'] ?? 'neutral'}>{p.news2_total}</Tag>;
  if (p.news2_note === 'under_16') return <span className="muted">under 16</span>;
  if (p.news2_note === 'incomplete') return <span className="muted">incomplete</span>;
  return <span className="muted">—</span>;
}

/** "due 14:00" or "overdue since 10:15": the next set of vital signs. */
function NextSet({ p, now }: { p: CensusRow; now: Date }) {
  if (!p.next_set_due) return <span className="muted">—</span>;
  return Date.parse(p.next_set_due) < now.getTime() ? (
    <span className="alert-overdue">overdue since {dateTime(p.next_set_due)}</span>
  ) : (
    <span>due {dateTime(p.next_set_due)}</span>
  );
}

const NEWS2_RISK_RANK = ['high', 'medium', 'low_medium', 'low'];

/**
 * The NEWS2 column's order, "critical first" when ascending: patients with an open critical alert (a
 * NEWS2 of 7 or more, a critical result, a critical alert raised by hand), then by the latest set's risk
 * (high, medium, one parameter scoring 3, low, none), then the higher score, then the name. Risk before
 * score: a single 3 (total 3) is seen before a low total of 4, as RCP 2017 escalates it.
 */
function criticalFirst(
  p: Pick<CensusRow, 'critical_alert' | 'highest_severity' | 'news2_risk' | 'news2_total' | 'name'>,
): string {
  const critical = p.critical_alert !== null || p.highest_severity === 'critical';
  const risk = p.news2_risk === null ? NEWS2_RISK_RANK.length : NEWS2_RISK_RANK.indexOf(p.news2_risk);
  const score = p.news2_total === null ? 999 : 100 - p.news2_total;
  return `${critical ? 0 : 1}|${risk < 0 ? NEWS2_RISK_RANK.length : risk}|${String(score).padStart(3, '0')}|${p.name}`;
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
      // Allergies have their own column (worst first, coloured by severity), not a tag in the name.
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
      key: 'news2',
      header: 'NEWS2',
      width: '90px',
      render: (p) => <CensusNews2 p={p} />,
      // Ascending: critical first, then by risk, score and name (criticalFirst): the patient to see first on top.
      sortValue: criticalFirst,
    },
    {
      key: 'last_set',
      header: 'Last set',
      width: '120px',
      render: (p) => (p.last_set_at ? dateTime(p.last_set_at) : <span className="muted">—</span>),
      sortValue: (p) => p.last_set_at,
    },
    {
      key: 'next_set',
      header: 'Obs due',
      width: 'minmax(130px, 1fr)',
      wrap: true,
      render: (p) => <NextSet p={p} now={now} />,
      sortValue: (p) => p.next_set_due,
    },
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
