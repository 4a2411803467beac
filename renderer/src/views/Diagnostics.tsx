/** For IT: version, configuration, database, schema, policy modules, audit-chain health, enrollment. */
import { useState, type FormEvent } from 'react';
import { Banner, Button, ErrorNote, KeyValue, Loading, PageHeader, Section, Tag, TextField } from '../components/ui';
import { withoutDetail } from '../api';
import { dateTime, humanize } from '../format';
import { useAction, useCall } from '../hooks';

function Enroll({ onDone, defaultName }: { onDone: () => void; defaultName: string }) {
  const [serverUrl, setServerUrl] = useState('');
  const [code, setCode] = useState('');
  const [name, setName] = useState(defaultName);
  const { run, busy, error } = useAction();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (await run('sync.enroll', { serverUrl, code, name }, 'Workstation enrolled; syncing now.')) onDone();
  };
  return (
    <form onSubmit={(e) => void submit(e)} aria-label="Enroll this workstation">
      <p className="muted">
        Enter the server address and the one-time code an administrator of the organization created. The workstation then holds
        only what its users may see.
      </p>
      <ErrorNote error={error} />
      <div className="row">
        <TextField
          label="Server address"
          placeholder="https://…"
          value={serverUrl}
          onChange={(e) => setServerUrl(e.target.value)}
          required
        />
        <TextField
          label="Enrollment code"
          placeholder="XXXX-XXXX-XXXX"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          required
        />
        <TextField label="Workstation name" value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <Button tone="primary" type="submit" busy={busy}>
        Enroll
      </Button>
    </form>
  );
}

export function Diagnostics() {
  const d = useCall('diagnostics.get', {});
  const sync = useCall('sync.status', {});
  const now = useAction({ toastErrors: true });
  if (d.loading && !d.data) return <Loading />;
  if (!d.data) return <ErrorNote error={d.error} />;
  const x = d.data;
  return (
    <div>
      <PageHeader title="Diagnostics" subtitle={`Version ${x.version}`} />
      {!x.audit_chain.ok ? (
        <Banner tone="danger" title="Audit log damaged">
          {x.audit_chain.problem}
        </Banner>
      ) : null}
      {!x.full ? (
        <Banner tone="info" title="Limited view">
          The location of the database, how much it holds and the full configuration are shown to an administrator signed in at
          this workstation.
        </Banner>
      ) : null}
      <Section title="Workstation">
        <KeyValue
          items={[
            ...(x.full
              ? [
                  ['Configuration file', x.config_path ?? 'none (defaults)'] as [string, string],
                  ['Database', x.database_path ?? ''] as [string, string],
                ]
              : []),
            [
              'Schema',
              Object.entries(x.schema)
                .map(([k, v]) => `${k} v${v}`)
                .join(', '),
            ],
            ['Sync', sync.data ? `${sync.data.mode.replace('_', ' ')}, ${sync.data.pending} pending` : '…'],
            [
              'Audit chain',
              x.audit_chain.ok ? (
                <Tag tone="success">{x.full ? `intact (${x.audit_chain.checked} events)` : 'intact'}</Tag>
              ) : (
                <Tag tone="danger">broken</Tag>
              ),
            ],
          ]}
        />
      </Section>
      <Section
        title="Enrollment and sync"
        actions={
          x.enrollment ? (
            <Button
              small
              busy={now.busy}
              onClick={() =>
                void now.run('sync.now', {}).then(() => {
                  sync.reload();
                })
              }
            >
              Sync now
            </Button>
          ) : undefined
        }
      >
        {x.enrollment ? (
          <KeyValue
            items={[
              ['Server', x.enrollment.server_url],
              ['Organization', x.enrollment.org_id],
              ['Facility', x.enrollment.facility_id ?? 'whole organization'],
              ['Device', <code key="d">{x.enrollment.device_id}</code>],
              ['Last sync', sync.data?.last_sync_at ? dateTime(sync.data.last_sync_at) : 'never'],
              ['Last error', sync.data?.last_error ? withoutDetail(sync.data.last_error) : 'none'],
            ]}
          />
        ) : (
          <Enroll
            defaultName={String(x.config.workstationName ?? 'Ward workstation')}
            onDone={() => {
              d.reload();
              sync.reload();
            }}
          />
        )}
      </Section>
      <Section title="Policy">
        <KeyValue
          items={[
            ['Mode', x.policy.mode],
            ['Modules', x.policy.modules.join(', ')],
            ['Site rules', x.policy.extra_files.length ? x.policy.extra_files.join(', ') : 'none'],
            ['Fingerprint', <code key="fp">{x.policy.fingerprint}</code>],
          ]}
        />
      </Section>
      {x.full ? (
        <>
          <Section title="Configuration">
            <pre className="note">{JSON.stringify(x.config, null, 2)}</pre>
          </Section>
          <Section title="Local data">
            <KeyValue items={Object.entries(x.counts ?? {}).map(([k, v]) => [humanize(k), v.toLocaleString('en-GB')])} />
          </Section>
        </>
      ) : null}
    </div>
  );
}
