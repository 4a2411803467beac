/**
 * NEWS2 on the chart (SPEC §7b): each set's total coloured by risk, its parameters' points, what an
 * incomplete set is missing, and "NEWS2 does not apply under 16" for a child. The scores come from main
 * (src/domain/news2.ts via the chart service); the renderer only shows them.
 */
import { Empty, Section, Tag } from '../../components/ui';
import { dateTime } from '../../format';
import type { ChartData } from './types';

type ScoredSet = ChartData['news2_sets'][number];
type News2 = NonNullable<ScoredSet['news2']>;

/** The chart's parameter order (RCP 2017), with the short names of the table's columns. */
export const NEWS2_PARAMETERS = [
  ['respiratory_rate', 'Resp. rate'],
  ['oxygen_saturation', 'SpO₂'],
  ['inspired_oxygen', 'Air/O₂'],
  ['blood_pressure_systolic', 'BP sys.'],
  ['heart_rate', 'Pulse'],
  ['consciousness', 'ACVPU'],
  ['temperature', 'Temp.'],
] as const;

const RISK_LABEL = { low: 'low risk', low_medium: 'low–medium risk', medium: 'medium risk', high: 'high risk' } as const;

/** Risk colours: high is the critical red, never the amber of a single value outside its range. */
export const riskTone = (risk: News2['risk']): 'critical' | 'danger' | 'warning' | 'success' | 'neutral' =>
  risk === 'high'
    ? 'critical'
    : risk === 'medium'
      ? 'danger'
      : risk === 'low_medium'
        ? 'warning'
        : risk === 'low'
          ? 'success'
          : 'neutral';

const parameterName = (code: string): string =>
  (
    ({
      respiratory_rate: 'respiratory rate',
      oxygen_saturation: 'SpO₂',
      inspired_oxygen: 'air or oxygen',
      blood_pressure_systolic: 'systolic blood pressure',
      heart_rate: 'heart rate',
      consciousness: 'consciousness',
      temperature: 'temperature',
    }) as Record<string, string>
  )[code] ?? code.replace(/_/g, ' ');

/** "incomplete: respiratory rate missing", "NEWS2 does not apply under 16", or "NEWS2 17 (high risk)". */
export function news2Sentence(news2: News2 | null | undefined): string {
  if (!news2) return 'NEWS2 could not be scored.';
  if (news2.not_applicable === 'under_16') return 'NEWS2 does not apply under 16.';
  if (news2.total === null) return `NEWS2 incomplete: ${news2.missing.map(parameterName).join(', ')} missing.`;
  return `NEWS2 ${news2.total} (${RISK_LABEL[news2.risk!]}).`;
}

function Score({ news2 }: { news2: News2 | null }) {
  if (!news2) return <Tag>not scored</Tag>;
  if (news2.not_applicable) return <span className="news2-note">does not apply under 16</span>;
  if (news2.total === null)
    return <span className="news2-note">incomplete: {news2.missing.map(parameterName).join(', ')} missing</span>;
  return (
    <Tag tone={riskTone(news2.risk)}>
      <span className="num">{news2.total}</span> · {RISK_LABEL[news2.risk!]}
    </Tag>
  );
}

/** The NEWS2 trend, newest on the right: one bar per scored set (a table holds the same numbers). */
function News2Trend({ sets }: { sets: ScoredSet[] }) {
  const scored = sets
    .filter((s) => s.news2?.total !== null && s.news2?.total !== undefined)
    .slice(0, 24)
    .reverse();
  if (scored.length < 2) return null;
  return (
    <div className="news2-trend" aria-hidden="true">
      {scored.map((s) => (
        <span
          key={s.set_id}
          className={`news2-bar news2-bar-${riskTone(s.news2!.risk)} news2-h${Math.min(s.news2!.total!, 20)}`}
          title={`${dateTime(s.recorded_at)}: NEWS2 ${s.news2!.total}`}
        />
      ))}
    </div>
  );
}

export function News2Section({ sets, under16 }: { sets: ScoredSet[]; under16: boolean }) {
  return (
    <Section title="NEWS2" id="chart-news2">
      {under16 ? (
        <p className="news2-note">NEWS2 does not apply under 16: vital signs are judged against the child's age ranges.</p>
      ) : null}
      {sets.length === 0 ? (
        <Empty>No set of vital signs recorded.</Empty>
      ) : (
        <>
          <News2Trend sets={sets} />
          <table className="table news2-table" aria-labelledby="chart-news2">
            <thead>
              <tr>
                <th>Taken</th>
                <th>NEWS2</th>
                {NEWS2_PARAMETERS.map(([code, short]) => (
                  <th key={code} className="num">
                    {short}
                  </th>
                ))}
                <th>Next set due</th>
              </tr>
            </thead>
            <tbody>
              {sets.slice(0, 12).map((s) => (
                <tr key={s.set_id}>
                  <td className="num">{dateTime(s.recorded_at)}</td>
                  <td>
                    <Score news2={s.news2} />
                  </td>
                  {NEWS2_PARAMETERS.map(([code]) => {
                    const p = s.news2?.scores[code];
                    return (
                      <td key={code} className={`num${p === 3 ? ' news2-three' : ''}`}>
                        {p === undefined ? '—' : p}
                      </td>
                    );
                  })}
                  <td className="num">{s.next_due ? dateTime(s.next_due) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Section>
  );
}
