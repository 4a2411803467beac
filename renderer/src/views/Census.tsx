/**
 * Ward census (SPEC §7): patients by room with their open alerts, for triage at a glance. The table is one
 * Tab stop (arrow keys between rows, Enter opens the chart) with sortable headers; Find narrows it, and
 * Enter on a single match opens that chart. Columns live in census/columns.tsx.
 */
import { useMemo, useState } from 'react';
import { Banner, Empty, ErrorNote, Loading, PageHeader, Select, TextField } from '../components/ui';
import { VirtualTable } from '../components/VirtualTable';
import { count } from '../format';
import { useCall } from '../hooks';
import { useRouter } from '../store/router';
import { useSession } from '../store/session';
import { censusColumns, type CensusRow } from './census/columns';

export function Census() {
  const { route, go } = useRouter();
  const nowIso = useSession((s) => s.info?.now);
  const now = useMemo(() => new Date(nowIso ?? Date.now()), [nowIso]);
  const wards = useCall('census.wards', {});
  const wardId = route.query.get('ward') ?? null;
  const census = useCall('census.list', { wardId }, [wardId]);
  const [filter, setFilter] = useState('');
  const rows = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const list = census.data?.patients ?? [];
    return f
      ? list.filter(
          (p) =>
            p.name.toLowerCase().includes(f) || p.mrn.toLowerCase().includes(f) || (p.room_name ?? '').toLowerCase().includes(f),
        )
      : list;
  }, [census.data, filter]);
  const columns = useMemo(() => censusColumns(now), [now]);
  const wardName = wards.data?.find((w) => w.id === wardId)?.name;
  const openChart = (p: CensusRow): void => go(`/patients/${encodeURIComponent(p.id)}`);

  return (
    <div>
      <PageHeader title={wardName ? `Census — ${wardName}` : 'Census'} subtitle={count(rows.length, 'patient')} />
      <div className="row">
        <Select
          label="Ward"
          value={wardId ?? ''}
          placeholder="All wards I can see"
          options={(wards.data ?? []).map((w) => ({ value: w.id, label: `${w.name} (${w.facility_name}) · ${w.patients}` }))}
          onChange={(e) => go(e.target.value ? `/census?ward=${encodeURIComponent(e.target.value)}` : '/census')}
        />
        <TextField
          label="Find"
          placeholder="Name, MRN or room"
          value={filter}
          // Finding a patient is the first thing done here; Tab then reaches the table.
          autoFocus
          onChange={(e) => setFilter(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && rows.length === 1) {
              e.preventDefault();
              openChart(rows[0]!);
            }
          }}
          hint={filter.trim() && rows.length === 1 ? 'One match: press Enter to open the chart.' : undefined}
        />
      </div>
      <ErrorNote error={census.error ?? wards.error} />
      {census.loading && !census.data ? <Loading /> : null}
      {census.data && census.data.patients.length === 0 ? (
        <Empty>No patients you can see{wardName ? ` on ${wardName}` : ''}.</Empty>
      ) : null}
      {census.data && census.data.patients.length > 0 ? (
        <VirtualTable
          label="Patients"
          rows={rows}
          rowKey={(p) => p.id}
          onOpen={openChart}
          empty="No patient matches the filter."
          columns={columns}
        />
      ) : null}
      {wards.data && wards.data.length === 0 && !census.loading ? (
        <Banner tone="info">You have no ward assignment at this time.</Banner>
      ) : null}
    </div>
  );
}
