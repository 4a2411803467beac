/**
 * Organizations for root (SPEC §3, §7): list and create tenants, see their users, and "view as" a
 * user — every request is then decided as that person, read-only, and audited with both names.
 */
import { useMemo, useState, type FormEvent } from 'react';
import { call, plainMessage } from '../api';
import { Button, Dialog, Empty, ErrorNote, Loading, PageHeader, Section, TextField } from '../components/ui';
import { VirtualTable } from '../components/VirtualTable';
import { useAction, useCall } from '../hooks';
import { useRouter } from '../store/router';
import { useSession } from '../store/session';
import { toast } from '../store/toasts';
import { roleLabel, Selected, type Problems } from './admin/shared';

export function Organizations() {
  const { route, go } = useRouter();
  const orgs = useCall('orgs.list', {});
  const readOnly = useSession((s) => Boolean(s.info?.view_as));
  const canCreate = useSession((s) => s.info?.capabilities.includes('organizations') ?? false) && !readOnly;
  const [creating, setCreating] = useState(false);
  const selectedId = route.query.get('org');
  const selected = orgs.data?.find((o) => o.id === selectedId);
  const select = (id: string): void => go(`/organizations?org=${encodeURIComponent(id)}`);

  return (
    <div className="admin-view">
      <PageHeader
        title="Organizations"
        subtitle={orgs.data ? `${orgs.data.length} organization${orgs.data.length === 1 ? '' : 's'} on this system` : undefined}
        actions={
          canCreate ? (
            <Button tone="primary" onClick={() => setCreating(true)}>
              Create organization
            </Button>
          ) : null
        }
      />
      <ErrorNote error={orgs.error} />
      {orgs.loading && !orgs.data ? <Loading /> : null}
      {orgs.data ? (
        <VirtualTable
          label="Organizations"
          rows={orgs.data}
          rowKey={(o) => o.id}
          onOpen={(o) => select(o.id)}
          height={260}
          empty="No organizations yet. Create the first one."
          columns={[
            {
              key: 'name',
              header: 'Name',
              width: '2fr',
              render: (o) => (
                <Selected on={o.id === selectedId}>
                  <strong>{o.name}</strong>
                </Selected>
              ),
            },
            { key: 'id', header: 'Id', width: '1fr', render: (o) => <span className="mono">{o.id}</span> },
            { key: 'users', header: 'Users', width: '90px', render: (o) => <span className="num-cell">{o.users}</span> },
            { key: 'patients', header: 'Patients', width: '90px', render: (o) => <span className="num-cell">{o.patients}</span> },
          ]}
        />
      ) : null}
      <div className="spaced">
        {selected ? (
          <OrgUsers key={selected.id} orgId={selected.id} orgName={selected.name} readOnly={readOnly} />
        ) : (
          <Empty>Select an organization to see its users and view the workstation as one of them.</Empty>
        )}
      </div>
      {creating ? (
        <CreateOrgDialog
          onClose={() => setCreating(false)}
          onDone={(id) => {
            setCreating(false);
            orgs.reload();
            select(id);
          }}
        />
      ) : null}
    </div>
  );
}

function OrgUsers({ orgId, orgName, readOnly }: { orgId: string; orgName: string; readOnly: boolean }) {
  const users = useCall('admin.users', { orgId }, [orgId]);
  const { go } = useRouter();
  const [filter, setFilter] = useState('');
  const [busyId, setBusyId] = useState<string | null>(null);
  const rows = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const list = users.data ?? [];
    return f ? list.filter((u) => u.name.toLowerCase().includes(f) || u.username.toLowerCase().includes(f)) : list;
  }, [users.data, filter]);

  const viewAs = async (userId: string): Promise<void> => {
    setBusyId(userId);
    try {
      const info = await call('session.viewAs', { userId });
      useSession.getState().apply(info);
      go(info.capabilities.includes('census') ? '/census' : '/');
    } catch (e) {
      toast.error(plainMessage(e));
    } finally {
      setBusyId(null);
    }
  };

  return (
    <Section title={`Users of ${orgName}`} id="org-users">
      <div className="row">
        <TextField label="Find user" placeholder="Name or username" value={filter} onChange={(e) => setFilter(e.target.value)} />
      </div>
      <ErrorNote error={users.error} />
      {users.loading && !users.data ? <Loading /> : null}
      {users.data ? (
        <VirtualTable
          label={`Users of ${orgName}`}
          rows={rows}
          rowKey={(u) => u.id}
          height={420}
          empty={filter ? 'No user matches the filter.' : 'This organization has no users yet.'}
          columns={[
            { key: 'name', header: 'Name', width: '1.4fr', render: (u) => <strong>{u.name}</strong> },
            { key: 'username', header: 'Username', width: '1fr', render: (u) => u.username },
            {
              key: 'kind',
              header: 'Account',
              width: '1fr',
              render: (u) =>
                u.patient_id
                  ? 'Patient account'
                  : u.assignments.length
                    ? [...new Set(u.assignments.map((a) => roleLabel(a.role)))].join(', ')
                    : 'Staff',
            },
            {
              key: 'view',
              header: '',
              width: '110px',
              render: (u) =>
                !readOnly && u.actions.includes('impersonate') ? (
                  <Button small busy={busyId === u.id} onClick={() => void viewAs(u.id)} aria-label={`View as ${u.name}`}>
                    View as
                  </Button>
                ) : null,
            },
          ]}
        />
      ) : null}
    </Section>
  );
}

type OrgField = 'id' | 'name' | 'admin_name' | 'admin_username' | 'admin_password';

function CreateOrgDialog({ onClose, onDone }: { onClose: () => void; onDone: (id: string) => void }) {
  const { run, busy, error } = useAction();
  const [f, setF] = useState({ id: '', name: '', admin_name: '', admin_username: '', admin_password: '' });
  const [problems, setProblems] = useState<Problems<OrgField>>({});
  const set = (k: OrgField) => (e: { target: { value: string } }) => {
    setF((x) => ({ ...x, [k]: e.target.value }));
    setProblems(({ [k]: _gone, ...rest }) => rest);
  };
  const withAdmin = Boolean(f.admin_name.trim() || f.admin_username.trim() || f.admin_password);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const p: Problems<OrgField> = {};
    if (!/^[A-Za-z0-9_.:@-]+$/.test(f.id.trim()) || f.id.trim() === '_root')
      p.id = 'Use letters, digits and - _ . only, e.g. org-north.';
    if (!f.name.trim()) p.name = 'Enter the organization’s name.';
    if (withAdmin) {
      if (!f.admin_name.trim()) p.admin_name = 'Enter the administrator’s name.';
      if (!/^[a-z0-9._-]{2,100}$/.test(f.admin_username.trim()))
        p.admin_username = 'Use at least 2 lower-case letters, digits, dots, dashes or underscores.';
      if (f.admin_password.length < 10) p.admin_password = 'The password needs at least 10 characters.';
    }
    setProblems(p);
    if (Object.keys(p).length > 0) return;
    const r = await run(
      'orgs.create',
      {
        id: f.id.trim(),
        name: f.name.trim(),
        ...(withAdmin
          ? { admin: { name: f.admin_name.trim(), username: f.admin_username.trim(), password: f.admin_password } }
          : {}),
      },
      `${f.name.trim()} created`,
    );
    if (r) onDone(r.id);
  };

  return (
    <Dialog
      title="Create organization"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button tone="primary" type="submit" form="create-org-form" busy={busy}>
            Create organization
          </Button>
        </>
      }
    >
      <form id="create-org-form" onSubmit={(e) => void submit(e)} noValidate>
        <ErrorNote error={error} />
        <div className="grid-2">
          <TextField
            label="Organization id"
            required
            value={f.id}
            onChange={set('id')}
            error={problems.id}
            autoComplete="off"
            hint="Permanent, e.g. org-north"
          />
          <TextField
            label="Organization name"
            required
            value={f.name}
            onChange={set('name')}
            error={problems.name}
            autoComplete="off"
          />
        </div>
        <fieldset className="fieldset">
          <legend>First administrator (optional)</legend>
          <div className="grid-2">
            <TextField
              label="Administrator name"
              value={f.admin_name}
              onChange={set('admin_name')}
              error={problems.admin_name}
              autoComplete="off"
            />
            <TextField
              label="Administrator username"
              value={f.admin_username}
              onChange={set('admin_username')}
              error={problems.admin_username}
              autoComplete="off"
            />
          </div>
          <TextField
            label="Administrator password"
            type="password"
            value={f.admin_password}
            onChange={set('admin_password')}
            error={problems.admin_password}
            autoComplete="new-password"
            hint="At least 10 characters. They can then create the organization’s users."
          />
        </fieldset>
      </form>
    </Dialog>
  );
}
