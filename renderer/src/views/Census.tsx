/** Ward census (SPEC §7): patients by room with their open alerts. */
import { useMemo, useState } from 'react';
import { Banner, Empty, ErrorNote, Loading, PageHeader, Select, Tag, TextField, severityTone } from '../components/ui';
import { VirtualTable } from '../components/VirtualTable';
import { age, dateTime, humanize } from '../format';
import { useCall } from '../hooks';
import { useRouter } from '../store/router';
import { useSession } from '../store/session';
import type { Response } from '../api';

type CensusRow = Response<'census.list'>['patients'][number];

/** "Fall risk · 2 open · overdue since 09:00": the most urgent alert's kind, how many, and when the next is due. */
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

export function Census() {
  const { route, go } = useRouter();
  const now = new Date(useSession((s) => s.info?.now) ?? Date.now());
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
  const wardName = wards.data?.find((w) => w.id === wardId)?.name;

  return (
    <div>
      <PageHeader title={wardName ? `Census — ${wardName}` : 'Census'} subtitle={`${rows.length} patients`} />
      <div className="row">
        <Select
          label="Ward"
          value={wardId ?? ''}
          placeholder="All wards I can see"
          options={(wards.data ?? []).map((w) => ({ value: w.id, label: `${w.name} (${w.facility_name}) · ${w.patients}` }))}
          onChange={(e) => go(e.target.value ? `/census?ward=${encodeURIComponent(e.target.value)}` : '/census')}
        />
        <TextField label="Find" placeholder="Name, MRN or room" value={filter} onChange={(e) => setFilter(e.target.value)} />
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
          onOpen={(p) => go(`/patients/${encodeURIComponent(p.id)}`)}
          empty="No patient matches the filter."
          columns={[
            {
              key: 'room',
              header: 'Room',
              width: '90px',
              render: (p) => <span className="census-room">{p.room_name ?? 'Outpatient'}</span>,
            },
            { key: 'name', header: 'Patient', width: '2fr', render: (p) => <strong>{p.name}</strong> },
            { key: 'age', header: 'Age', width: '60px', render: (p) => age(p.birth_date, now) },
            { key: 'mrn', header: 'MRN', width: '120px', render: (p) => p.mrn },
            { key: 'ward', header: 'Ward', width: '1fr', render: (p) => p.ward_name ?? '—' },
            { key: 'status', header: 'Status', width: '110px', render: (p) => humanize(p.status) },
            {
              key: 'alerts',
              header: 'Alerts',
              width: '1.8fr',
              render: (p) => (p.open_alerts > 0 ? <CensusAlerts p={p} now={now} /> : <span className="muted">—</span>),
            },
          ]}
        />
      ) : null}
      {wards.data && wards.data.length === 0 && !census.loading ? (
        <Banner tone="info">You have no ward assignment at this time.</Banner>
      ) : null}
    </div>
  );
}
