/**
 * The audit log and the emergency-access (break-glass) review (SPEC §3, §7) for administrators and
 * auditors of the organization. Read-only.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, call, plainMessage, type Response } from '../api';
import { Button, Empty, ErrorNote, Loading, PageHeader, Select, Tabs, Tag } from '../components/ui';
import { VirtualTable } from '../components/VirtualTable';
import { dateTime, dateTimeSeconds, humanize } from '../format';
import { useCall } from '../hooks';
import { useRouter } from '../store/router';
import { decisionTone, useActingUser } from './admin/shared';
import { OverrideTags } from './audit/OverrideTags';
import { Actor, OnBehalfOf, Resource } from './audit/names';
import { AuditReport } from './audit/Report';

type AuditEvent = Response<'audit.log'>['events'][number];
type Tab = 'log' | 'break-glass' | 'report';

/** Actions the services record; the filter also offers any other action seen in the loaded events. */
const KNOWN_ACTIONS = [
  'read',
  'census',
  'sign_in_password',
  'sign_in_badge',
  'break_glass',
  'break_glass_lookup',
  'register_patient',
  'update_patient',
  'discharge',
  'final_discharge',
  'schedule_appointment',
  'cancel',
  'reschedule',
  'start',
  'complete',
  'create_record',
  'amend',
  'record_observation',
  'acknowledge',
  'reschedule_alert',
  'create_user',
  'assign_role',
  'revoke_role',
  'update_badge',
  'reset_lockout',
  'create_organization',
  'startup',
  'audit_settings_changed',
  'audit_report',
  'sync_rollback',
];

const stamp = (iso: string): string => dateTimeSeconds(iso);

export function Audit() {
  const me = useActingUser();
  const orgId = me?.org_id ?? '';
  const { route, go } = useRouter();
  const asked = route.query.get('tab');
  const tab: Tab = asked === 'break-glass' || asked === 'report' ? asked : 'log';
  const review = useCall('audit.breakGlass', orgId ? { orgId } : null, [orgId]);

  return (
    <div className="admin-view">
      <PageHeader title="Audit" subtitle={`${me?.org_name ?? orgId} · every access and change, newest first`} />
      <Tabs
        label="Audit views"
        value={tab}
        onChange={(t) => go(t === 'log' ? '/audit' : `/audit?tab=${t}`)}
        tabs={[
          { id: 'log', label: 'Audit log' },
          { id: 'break-glass', label: 'Emergency access review', ...(review.data ? { count: review.data.length } : {}) },
          { id: 'report', label: 'Report' },
        ]}
      />
      {tab === 'log' ? (
        <AuditLog orgId={orgId} />
      ) : tab === 'report' ? (
        <AuditReport orgId={orgId} />
      ) : (
        <BreakGlassReview data={review.data} error={review.error} loading={review.loading} />
      )}
    </div>
  );
}

interface LogState {
  events: AuditEvent[];
  nextBefore: number | null;
  loading: boolean;
  error: ApiError | null;
}

function AuditLog({ orgId }: { orgId: string }) {
  const [action, setAction] = useState('');
  const [state, setState] = useState<LogState>({ events: [], nextBefore: null, loading: true, error: null });
  const [tick, setTick] = useState(0);

  useEffect(() => {
    if (!orgId) return;
    let live = true;
    setState({ events: [], nextBefore: null, loading: true, error: null });
    call('audit.log', { orgId, action: action || null }).then(
      (page) => {
        if (live) setState({ events: page.events, nextBefore: page.next_before, loading: false, error: null });
      },
      (e: unknown) => {
        if (live) setState({ events: [], nextBefore: null, loading: false, error: asApiError(e) });
      },
    );
    return () => {
      live = false;
    };
  }, [orgId, action, tick]);

  const older = useCallback(async (): Promise<void> => {
    if (state.nextBefore === null) return;
    setState((s) => ({ ...s, loading: true }));
    try {
      const page = await call('audit.log', { orgId, action: action || null, before: state.nextBefore });
      setState((s) => ({ events: [...s.events, ...page.events], nextBefore: page.next_before, loading: false, error: null }));
    } catch (e) {
      setState((s) => ({ ...s, loading: false, error: asApiError(e) }));
    }
  }, [orgId, action, state.nextBefore]);

  const actions = useMemo(
    () => [...new Set([...KNOWN_ACTIONS, ...state.events.map((e) => e.action), ...(action ? [action] : [])])].sort(),
    [state.events, action],
  );

  return (
    <div>
      <div className="row">
        <div className="adm-filter">
          <Select
            label="Action"
            value={action}
            placeholder="All actions"
            onChange={(e) => setAction(e.target.value)}
            options={actions.map((a) => ({ value: a, label: humanize(a) }))}
          />
        </div>
        <div className="field field-inline">
          <Button onClick={() => setTick((t) => t + 1)} busy={state.loading && state.events.length === 0}>
            Refresh
          </Button>
        </div>
      </div>
      <ErrorNote error={state.error} />
      {state.loading && state.events.length === 0 ? <Loading /> : null}
      {state.events.length > 0 || (!state.loading && !state.error) ? (
        <>
          <VirtualTable
            label="Audit events"
            rows={state.events}
            rowKey={(e) => e.id}
            height={560}
            rowHeight={34}
            empty={action ? `No “${humanize(action)}” events.` : 'No events recorded yet.'}
            columns={[
              { key: 'at', header: 'Time', width: '132px', render: (e) => <span className="mono">{stamp(e.at)}</span> },
              {
                key: 'actor',
                header: 'Actor',
                width: '1.1fr',
                render: (e) => <Actor e={e} />,
              },
              {
                key: 'obo',
                header: 'On behalf of',
                width: '1fr',
                render: (e) => <OnBehalfOf e={e} />,
              },
              { key: 'action', header: 'Action', width: '1fr', render: (e) => humanize(e.action) },
              {
                key: 'resource',
                header: 'Resource',
                width: '1.3fr',
                render: (e) => <Resource e={e} />,
              },
              {
                key: 'decision',
                header: 'Decision',
                width: '96px',
                render: (e) => <Tag tone={decisionTone(e.decision)}>{humanize(e.decision)}</Tag>,
              },
              {
                key: 'reason',
                header: 'Reason',
                width: '1fr',
                render: (e) => (e.reason ? <span title={e.reason}>{humanize(e.reason)}</span> : <span className="muted">—</span>),
              },
            ]}
          />
          {state.events.length > 0 ? (
            <div className="table-foot">
              <span className="muted">
                {state.events.length} event{state.events.length === 1 ? '' : 's'} shown
              </span>
              {state.nextBefore !== null ? (
                <Button small busy={state.loading} onClick={() => void older()}>
                  Load older
                </Button>
              ) : (
                <span className="muted">Beginning of the log</span>
              )}
            </div>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

function asApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError({ kind: 'internal', message: plainMessage(e) });
}

function BreakGlassReview({
  data,
  error,
  loading,
}: {
  data: Response<'audit.breakGlass'> | undefined;
  error: ApiError | null;
  loading: boolean;
}) {
  if (loading && !data) return <Loading />;
  if (!data) return <ErrorNote error={error} />;
  if (data.length === 0) return <Empty>No emergency access has been used in this organization.</Empty>;
  return (
    <div className="section flush">
      <table className="table" aria-label="Emergency access">
        <thead>
          <tr>
            <th>Who</th>
            <th>Patient</th>
            <th>Reason given</th>
            <th>Overrode</th>
            <th>Started</th>
            <th>Expires</th>
            <th>Status</th>
            <th className="num">Chart reads</th>
          </tr>
        </thead>
        <tbody>
          {data.map((g) => (
            <tr key={g.id}>
              <td>
                <strong>{g.user_name ?? g.user_id}</strong>
              </td>
              <td>
                {g.patient_name ?? g.patient_id} <span className="muted mono">{g.patient_mrn ?? ''}</span>
              </td>
              <td className="reason">{g.reason}</td>
              <td>
                <OverrideTags overrides={g.overrides} />
              </td>
              <td className="nowrap">{dateTime(g.started_at)}</td>
              <td className="nowrap">{dateTime(g.expires_at)}</td>
              <td>{g.active ? <Tag tone="warning">Active</Tag> : <Tag>Ended</Tag>}</td>
              <td className="num">{g.reads}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
