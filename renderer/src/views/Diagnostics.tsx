/** For IT: version, configuration, database, schema, policy modules and audit-chain health. */
import { Banner, ErrorNote, KeyValue, Loading, PageHeader, Section, Tag } from '../components/ui';
import { useCall } from '../hooks';

export function Diagnostics() {
  const d = useCall('diagnostics.get', {});
  const sync = useCall('sync.status', {});
  if (d.loading && !d.data) return <Loading />;
  if (!d.data) return <ErrorNote error={d.error} />;
  const x = d.data;
  return (
    <div>
      <PageHeader title="Diagnostics" subtitle={`Version ${x.version}`} />
      {!x.audit_chain.ok ? <Banner tone="danger" title="Audit log damaged">{x.audit_chain.problem}</Banner> : null}
      <Section title="Workstation">
        <KeyValue items={[
          ['Configuration file', x.config_path ?? 'none (defaults)'],
          ['Database', x.database_path],
          ['Schema', Object.entries(x.schema).map(([k, v]) => `${k} v${v}`).join(', ')],
          ['Sync', sync.data ? `${sync.data.mode.replace('_', ' ')}, ${sync.data.pending} pending` : '…'],
          ['Audit chain', x.audit_chain.ok ? <Tag tone="success">intact ({x.audit_chain.checked} events)</Tag> : <Tag tone="danger">broken</Tag>],
        ]} />
      </Section>
      <Section title="Policy">
        <KeyValue items={[
          ['Mode', x.policy.mode],
          ['Modules', x.policy.modules.join(', ')],
          ['Site rules', x.policy.extra_files.length ? x.policy.extra_files.join(', ') : 'none'],
          ['Fingerprint', <code key="fp">{x.policy.fingerprint}</code>],
        ]} />
      </Section>
      <Section title="Configuration">
        <pre className="note">{JSON.stringify(x.config, null, 2)}</pre>
      </Section>
      <Section title="Local data">
        <KeyValue items={Object.entries(x.counts).map(([k, v]) => [k.replace('_', ' '), String(v)])} />
      </Section>
    </div>
  );
}
