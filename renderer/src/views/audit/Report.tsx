/**
 * The audit report (ONC §170.315(d)(3)) of this workstation's log: a time range, a filter for every
 * field, sorting by any column, and whether specially protected data was read. The organization-wide
 * report (every workstation) is `npm run audit:report` on the server (docs/security.md, T6).
 */
import { useState } from 'react';
import { DateTimeField } from '../../components/DateInputs';
import { Button, Empty, ErrorNote, Loading, Tag, TextField } from '../../components/ui';
import { dateTimeInputText, parseDateTimeInput } from '../../dateInput';
import { dateTimeSeconds, humanize } from '../../format';
import { useCall } from '../../hooks';
import type { Request } from '../../api';
import { decisionTone, useNow } from '../admin/shared';
import { Actor, OnBehalfOf, Resource } from './names';

type Field =
  'seq' | 'at' | 'actor' | 'on_behalf_of' | 'action' | 'resource' | 'decision' | 'reason' | 'org_id' | 'origin' | 'details';
const COLUMNS: Array<{ field: Field; label: string }> = [
  { field: 'at', label: 'Time' },
  { field: 'actor', label: 'Actor' },
  { field: 'on_behalf_of', label: 'On behalf of' },
  { field: 'action', label: 'Action' },
  { field: 'resource', label: 'Resource' },
  { field: 'decision', label: 'Decision' },
  { field: 'reason', label: 'Reason' },
];

export function AuditReport({ orgId }: { orgId: string }) {
  const now = new Date(useNow());
  const [from, setFrom] = useState(() => dateTimeInputText(new Date(now.getTime() - 7 * 86_400_000).toISOString()));
  // The next whole minute, so that what just happened is in the range.
  const [to, setTo] = useState(() => dateTimeInputText(new Date(now.getTime() + 60_000).toISOString()));
  const [rangeProblem, setRangeProblem] = useState<{ from?: string; to?: string }>({});
  const [filters, setFilters] = useState<Partial<Record<Field, string>>>({});
  const [protectedOnly, setProtectedOnly] = useState(false);
  const [sort, setSort] = useState<{ field: Field; dir: 'asc' | 'desc' }>({ field: 'at', dir: 'desc' });
  const [query, setQuery] = useState<Request<'audit.report'> | null>(null);
  const report = useCall('audit.report', query, [JSON.stringify(query)]);

  const run = (next = sort): void => {
    const fromAt = parseDateTimeInput(from);
    const toAt = parseDateTimeInput(to);
    const problems = {
      ...(fromAt.ok ? {} : { from: fromAt.problem }),
      ...(!toAt.ok
        ? { to: toAt.problem }
        : fromAt.ok && toAt.value <= fromAt.value
          ? { to: 'The end must be after the start.' }
          : {}),
    };
    setRangeProblem(problems);
    if (!fromAt.ok || !toAt.ok || problems.to) return;
    const [f, t] = [fromAt.value, toAt.value];
    const active = Object.fromEntries(
      Object.entries(filters)
        .filter(([, v]) => v && v.trim() !== '')
        .map(([k, v]) => [k, v!.trim()]),
    );
    setQuery({ orgId, from: f, to: t, filters: active, protectedOnly, sort: next });
  };
  const sortBy = (field: Field): void => {
    const next = { field, dir: sort.field === field && sort.dir === 'asc' ? ('desc' as const) : ('asc' as const) };
    setSort(next);
    if (query) run(next);
  };

  return (
    <div>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          run();
        }}
        aria-label="Audit report"
      >
        <DateTimeField label="From" value={from} onChange={setFrom} error={rangeProblem.from} required />
        <DateTimeField label="To" value={to} onChange={setTo} error={rangeProblem.to} required />
        {COLUMNS.filter((c) => c.field !== 'at').map((c) => (
          <TextField
            key={c.field}
            label={c.label}
            placeholder="any (* wildcard)"
            value={filters[c.field] ?? ''}
            onChange={(e) => setFilters((x) => ({ ...x, [c.field]: e.target.value }))}
          />
        ))}
        <label className="field field-inline">
          <input type="checkbox" checked={protectedOnly} onChange={(e) => setProtectedOnly(e.target.checked)} /> Protected data
          only
        </label>
        <div className="field field-inline">
          <Button tone="primary" type="submit" busy={report.loading && query !== null}>
            Run report
          </Button>
        </div>
      </form>
      <ErrorNote error={report.error} />
      {query === null ? <Empty>Choose a time range and run the report.</Empty> : null}
      {query !== null && report.loading && !report.data ? <Loading /> : null}
      {report.data ? (
        report.data.rows.length === 0 ? (
          <Empty>No events match.</Empty>
        ) : (
          <div className="section flush">
            <table className="table" aria-label="Audit report">
              <thead>
                <tr>
                  {COLUMNS.map((c) => (
                    <th
                      key={c.field}
                      aria-sort={sort.field === c.field ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
                    >
                      <button type="button" className="th-sort" onClick={() => sortBy(c.field)}>
                        {c.label}
                        {sort.field === c.field ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                      </button>
                    </th>
                  ))}
                  <th>Protected data</th>
                </tr>
              </thead>
              <tbody>
                {report.data.rows.map((e) => (
                  <tr key={e.id}>
                    <td className="nowrap num-cell">{dateTimeSeconds(e.at)}</td>
                    <td>
                      <Actor e={e} />
                    </td>
                    <td>
                      <OnBehalfOf e={e} />
                    </td>
                    <td>{humanize(e.action)}</td>
                    <td>
                      <Resource e={e} />
                    </td>
                    <td>
                      <Tag tone={decisionTone(e.decision)}>{humanize(e.decision)}</Tag>
                    </td>
                    <td>{e.reason ?? <span className="muted">—</span>}</td>
                    <td>{e.protected_data ? <Tag tone="warning">Yes</Tag> : <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="table-foot">
              <span className="muted">
                {report.data.rows.length} event{report.data.rows.length === 1 ? '' : 's'}
                {report.data.truncated ? ' (more exist: narrow the range)' : ''}
              </span>
            </div>
          </div>
        )
      ) : null}
    </div>
  );
}
