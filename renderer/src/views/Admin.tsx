/**
 * User and role administration (SPEC §7) for administrators of the organization: accounts, badges,
 * lockouts, and role assignments with scope and validity (shifts and temporary cover).
 */
import { useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { Clearance } from '../../../src/domain/roles';
import {
  Banner,
  Button,
  Dialog,
  Empty,
  ErrorNote,
  KeyValue,
  Loading,
  PageHeader,
  Section,
  Select,
  Tag,
  TextField,
} from '../components/ui';
import { VirtualTable } from '../components/VirtualTable';
import { DateTimeField } from '../components/DateInputs';
import { parseDateTimeInput } from '../dateInput';
import { useAction, useCall } from '../hooks';
import { useRouter } from '../store/router';
import { useSession } from '../store/session';
import {
  categoriesOf,
  ROLE_LABELS,
  roleLabel,
  rolesSummary,
  SCOPE_LEVELS,
  scopeLabel,
  scopeName,
  Selected,
  useActingUser,
  useKeepRowInView,
  useNow,
  useReadOnly,
  validity,
  validRange,
  ValidityTag,
  type AdminUser,
  type Assignment,
  type Locations,
  type Problems,
  type ScopeLevel,
} from './admin/shared';
import { ClearancePicker, ClearanceTags, clearancesOf } from './admin/Clearances';
import { Workstations } from './admin/Workstations';

export function Admin() {
  const me = useActingUser();
  const orgId = me?.org_id ?? '';
  const { route, go } = useRouter();
  const now = useNow();
  const readOnly = useReadOnly();
  const canCreate = useSession((s) => s.info?.capabilities.includes('admin') ?? false) && !readOnly;
  const users = useCall('admin.users', orgId ? { orgId } : null, [orgId]);
  const locations = useCall('reference.locations', {});
  // Issue 20: administrative changes are made online only; say so before anyone tries offline.
  const sync = useCall('sync.status', {});
  const [filter, setFilter] = useState('');
  const [creating, setCreating] = useState(false);
  const selectedId = route.query.get('user');
  const select = (id: string): void => go(`/admin?user=${encodeURIComponent(id)}`);

  const rows = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const list = users.data ?? [];
    return f
      ? list.filter(
          (u) =>
            u.name.toLowerCase().includes(f) || u.username.toLowerCase().includes(f) || (u.badge ?? '').toLowerCase().includes(f),
        )
      : list;
  }, [users.data, filter]);
  const selected = users.data?.find((u) => u.id === selectedId);
  const tableBox = useRef<HTMLDivElement>(null);
  useKeepRowInView(
    tableBox,
    rows.findIndex((u) => u.id === selectedId),
  );
  if (route.query.get('tab') === 'workstations' && canCreate)
    return <Workstations orgId={orgId} orgName={me?.org_name ?? orgId} onBack={() => go('/admin')} />;

  return (
    <div className="admin-view">
      <PageHeader
        title="Users & roles"
        subtitle={`${users.data?.length ?? '…'} users · ${me?.org_name ?? orgId}`}
        actions={
          canCreate ? (
            <>
              <Button onClick={() => go('/admin?tab=workstations')}>Workstations</Button>
              <Button tone="primary" onClick={() => setCreating(true)}>
                Create user
              </Button>
            </>
          ) : null
        }
      />
      <ErrorNote error={users.error ?? locations.error} />
      {sync.data?.mode === 'offline' ? (
        <Banner tone="warning">
          Offline: changes to users, roles, badges and passwords need a connection to the central server. They are made online
          only, with a recent sign-in, and cannot be saved here to be sent later.
        </Banner>
      ) : null}
      <div className="split split-wide-left">
        <div ref={tableBox}>
          <div className="row">
            <TextField
              label="Find user"
              placeholder="Name, username or badge"
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
            />
          </div>
          {users.loading && !users.data ? <Loading /> : null}
          {users.data ? (
            <VirtualTable
              label="Users"
              rows={rows}
              rowKey={(u) => u.id}
              onOpen={(u) => select(u.id)}
              height={600}
              empty={filter ? 'No user matches the filter.' : 'No users.'}
              columns={[
                {
                  key: 'name',
                  header: 'Name',
                  width: '1.3fr',
                  render: (u) => (
                    <Selected on={u.id === selectedId}>
                      <strong>{u.name}</strong>
                    </Selected>
                  ),
                },
                { key: 'username', header: 'Username', width: '1fr', render: (u) => u.username },
                {
                  key: 'badge',
                  header: 'Badge',
                  width: '100px',
                  render: (u) => (u.badge ? <span className="mono">{u.badge}</span> : <span className="muted">—</span>),
                },
                {
                  key: 'roles',
                  header: 'Roles',
                  width: '2.2fr',
                  render: (u) => (
                    <span title={rolesSummary(u, locations.data, now)}>
                      {rolesSummary(u, locations.data, now) || <span className="muted">No roles</span>}
                    </span>
                  ),
                },
                {
                  key: 'locked',
                  header: 'Account',
                  width: '80px',
                  render: (u) => (u.locked ? <Tag tone="danger">Locked</Tag> : <span className="muted">—</span>),
                },
              ]}
            />
          ) : null}
        </div>
        <div>
          {selected ? (
            <UserPanel
              key={selected.id}
              user={selected}
              locations={locations.data}
              now={now}
              readOnly={readOnly}
              onChanged={users.reload}
            />
          ) : (
            <Empty>
              {selectedId && users.data
                ? 'That user is not in this list.'
                : 'Select a user to see their roles, badge and account.'}
            </Empty>
          )}
        </div>
      </div>
      {creating ? (
        <CreateUserDialog
          orgId={orgId}
          onClose={() => setCreating(false)}
          onDone={(id) => {
            setCreating(false);
            users.reload();
            select(id);
          }}
        />
      ) : null}
    </div>
  );
}

function UserPanel({
  user,
  locations,
  now,
  readOnly,
  onChanged,
}: {
  user: AdminUser;
  locations: Locations | undefined;
  now: string;
  readOnly: boolean;
  onChanged: () => void;
}) {
  const [dialog, setDialog] = useState<'assign' | 'badge' | null>(null);
  const [revoking, setRevoking] = useState<Assignment | null>(null);
  const unlock = useAction({ toastErrors: true });
  const canManage = !readOnly && user.actions.includes('manage_roles');
  const canBadge = !readOnly && user.actions.includes('update_badge');
  const doUnlock = async (): Promise<void> => {
    if (await unlock.run('admin.resetLockout', { userId: user.id }, `${user.name} can sign in again`)) onChanged();
  };

  return (
    <div>
      <Section
        title={user.name}
        id="admin-user"
        actions={
          <>
            {canBadge ? (
              <Button small onClick={() => setDialog('badge')}>
                {user.badge ? 'Change badge' : 'Set badge'}
              </Button>
            ) : null}
            {canManage && user.locked ? (
              <Button small tone="primary" busy={unlock.busy} onClick={() => void doUnlock()}>
                Unlock account
              </Button>
            ) : null}
          </>
        }
      >
        {user.locked ? (
          <Banner tone="warning" title="Account locked">
            Too many failed sign-in attempts.
          </Banner>
        ) : null}
        {/* Badge and lockout come only to the user and to those who may set badges (null otherwise). */}
        <KeyValue
          items={[
            ['Username', user.username],
            ...(user.locked === null
              ? []
              : [
                  [
                    'Badge',
                    user.badge ? (
                      <span key="b" className="mono">
                        {user.badge}
                      </span>
                    ) : (
                      'None'
                    ),
                  ] as [string, ReactNode],
                ]),
            ['Groups', user.groups.length ? user.groups.join(', ') : 'None'],
            ...(user.locked === null
              ? []
              : [
                  [
                    'Account',
                    user.locked ? (
                      <Tag key="l" tone="danger">
                        Locked
                      </Tag>
                    ) : (
                      <Tag key="l" tone="success">
                        Can sign in
                      </Tag>
                    ),
                  ] as [string, ReactNode],
                ]),
            ...(user.patient_id ? [['Patient record', user.patient_id] as [string, string]] : []),
          ]}
        />
      </Section>
      <Section
        title="Role assignments"
        id="admin-roles"
        actions={
          canManage ? (
            <Button small tone="primary" onClick={() => setDialog('assign')}>
              Assign role
            </Button>
          ) : null
        }
      >
        {user.assignments.length === 0 ? (
          <Empty>
            {user.actions.includes('manage_roles') ? 'No roles assigned to this person.' : 'You may not see this person’s roles.'}
          </Empty>
        ) : (
          <table className="table" aria-labelledby="admin-roles">
            <thead>
              <tr>
                <th>Role and scope</th>
                <th>Valid</th>
                <th>Now</th>
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {user.assignments.map((a) => {
                const cats = categoriesOf(a);
                return (
                  <tr key={a.id}>
                    <td>
                      <strong>{roleLabel(a.role)}</strong>
                      <div className="muted small">
                        {scopeLabel(a.scope_type, a.scope_id, locations)}
                        {cats.length ? ` · ${cats.join(', ')}` : ''}
                      </div>
                      <ClearanceTags clearances={clearancesOf(a)} />
                    </td>
                    <td className="small">{validRange(a)}</td>
                    <td>
                      <ValidityTag v={validity(a, now)} />
                    </td>
                    <td className="adm-actions">
                      {canManage ? (
                        <Button
                          small
                          onClick={() => setRevoking(a)}
                          aria-label={`Revoke ${roleLabel(a.role)} at ${scopeLabel(a.scope_type, a.scope_id, locations)}`}
                        >
                          Revoke
                        </Button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Section>
      {dialog === 'assign' ? (
        <AssignRoleDialog
          user={user}
          locations={locations}
          onClose={() => setDialog(null)}
          onDone={() => {
            setDialog(null);
            onChanged();
          }}
        />
      ) : null}
      {dialog === 'badge' ? (
        <BadgeDialog
          user={user}
          onClose={() => setDialog(null)}
          onDone={() => {
            setDialog(null);
            onChanged();
          }}
        />
      ) : null}
      {revoking ? (
        <RevokeDialog
          user={user}
          assignment={revoking}
          locations={locations}
          onClose={() => setRevoking(null)}
          onDone={() => {
            setRevoking(null);
            onChanged();
          }}
        />
      ) : null}
    </div>
  );
}

type UserField = 'name' | 'username' | 'badge' | 'password' | 'pin';

function CreateUserDialog({ orgId, onClose, onDone }: { orgId: string; onClose: () => void; onDone: (id: string) => void }) {
  const { run, busy, error } = useAction();
  const [f, setF] = useState({ name: '', username: '', badge: '', password: '', pin: '' });
  const [problems, setProblems] = useState<Problems<UserField>>({});
  const set = (k: UserField) => (e: { target: { value: string } }) => {
    setF((x) => ({ ...x, [k]: e.target.value }));
    setProblems(({ [k]: _gone, ...rest }) => rest);
  };

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const p: Problems<UserField> = {};
    if (!f.name.trim()) p.name = 'Enter the person’s name.';
    if (!/^[a-z0-9._-]{2,100}$/.test(f.username.trim()))
      p.username = 'Use at least 2 lower-case letters, digits, dots, dashes or underscores.';
    if (f.badge.trim() && !/^[A-Za-z0-9:-]{4,100}$/.test(f.badge.trim()))
      p.badge = 'A badge id has at least 4 letters or digits.';
    if (f.password.length < 10) p.password = 'The password needs at least 10 characters.';
    if (f.pin && !/^\d{4,8}$/.test(f.pin)) p.pin = 'The PIN is 4 to 8 digits.';
    setProblems(p);
    if (Object.keys(p).length > 0) return;
    const r = await run(
      'admin.createUser',
      {
        org_id: orgId,
        name: f.name.trim(),
        username: f.username.trim(),
        badge: f.badge.trim() || null,
        password: f.password,
        pin: f.pin || null,
      },
      `${f.name.trim()} created`,
    );
    if (r) onDone(r.id);
  };

  return (
    <Dialog
      title="Create user"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button tone="primary" type="submit" form="create-user-form" busy={busy}>
            Create user
          </Button>
        </>
      }
    >
      <form id="create-user-form" onSubmit={(e) => void submit(e)} noValidate>
        <ErrorNote error={error} />
        <TextField label="Full name" required value={f.name} onChange={set('name')} error={problems.name} autoComplete="off" />
        <div className="grid-2">
          <TextField
            label="Username"
            required
            value={f.username}
            onChange={set('username')}
            error={problems.username}
            autoComplete="off"
            hint="Lower case, e.g. j.doe"
          />
          <TextField
            label="Badge"
            value={f.badge}
            onChange={set('badge')}
            error={problems.badge}
            autoComplete="off"
            hint="Optional NFC tag id"
          />
        </div>
        <div className="grid-2">
          <TextField
            label="Password"
            type="password"
            required
            value={f.password}
            onChange={set('password')}
            error={problems.password}
            autoComplete="new-password"
            hint="At least 10 characters"
          />
          <TextField
            label="PIN"
            type="password"
            inputMode="numeric"
            value={f.pin}
            onChange={set('pin')}
            error={problems.pin}
            autoComplete="off"
            hint="Optional, 4–8 digits, for badge sign-in"
          />
        </div>
        <p className="muted small">The new user has no access until you assign a role.</p>
      </form>
    </Dialog>
  );
}

function placesFor(level: ScopeLevel, loc: Locations | undefined): Array<{ value: string; label: string }> {
  if (!loc) return [];
  const fac = (id: string): string => loc.facilities.find((x) => x.id === id)?.name ?? '';
  const ward = (id: string): string => loc.wards.find((x) => x.id === id)?.name ?? '';
  switch (level) {
    case 'Organization':
      return [{ value: loc.organization.id, label: loc.organization.name }];
    case 'Facility':
      return loc.facilities.map((x) => ({ value: x.id, label: x.name }));
    case 'Ward':
      return loc.wards.map((x) => ({ value: x.id, label: `${x.name} (${fac(x.facility_id)})` }));
    case 'Room':
      return loc.rooms.map((x) => ({ value: x.id, label: `${x.name} — ${ward(x.ward_id)}` }));
  }
}

type AssignField = 'role' | 'place' | 'valid_from' | 'valid_until' | 'categories';

function AssignRoleDialog({
  user,
  locations,
  onClose,
  onDone,
}: {
  user: AdminUser;
  locations: Locations | undefined;
  onClose: () => void;
  onDone: () => void;
}) {
  const { run, busy, error } = useAction();
  const [role, setRole] = useState('');
  const [level, setLevel] = useState<ScopeLevel>('Ward');
  const [place, setPlace] = useState('');
  const [from, setFrom] = useState('');
  const [until, setUntil] = useState('');
  const [categories, setCategories] = useState('');
  const [clearances, setClearances] = useState<Clearance[]>([]);
  const [problems, setProblems] = useState<Problems<AssignField>>({});
  const fixed = (k: AssignField): void => setProblems(({ [k]: _gone, ...rest }) => rest);
  const places = placesFor(level, locations);
  const placeValue = level === 'Organization' ? place || places[0]?.value || '' : place;

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    // Both are optional: empty means "from now on" and "no end".
    const fromAt = from.trim() ? parseDateTimeInput(from) : null;
    const untilAt = until.trim() ? parseDateTimeInput(until) : null;
    const validFrom = fromAt?.ok ? fromAt.value : null;
    const validUntil = untilAt?.ok ? untilAt.value : null;
    const cats =
      role === 'lab_technician'
        ? categories
            .split(',')
            .map((c) => c.trim())
            .filter(Boolean)
        : [];
    const p: Problems<AssignField> = {};
    if (!role) p.role = 'Choose a role.';
    if (!placeValue) p.place = `Choose the ${level.toLowerCase()}.`;
    if (fromAt && !fromAt.ok) p.valid_from = fromAt.problem;
    if (untilAt && !untilAt.ok) p.valid_until = untilAt.problem;
    else if (validFrom && validUntil && validUntil <= validFrom) p.valid_until = 'The end must be after the start.';
    if (role === 'lab_technician' && cats.length === 0) p.categories = 'Name at least one category, e.g. lab.';
    setProblems(p);
    if (Object.keys(p).length > 0 || !role) return;
    const r = await run(
      'admin.assignRole',
      {
        user_id: user.id,
        role: role as Assignment['role'],
        scope: `${level}:${placeValue}`,
        categories: cats,
        valid_from: validFrom,
        valid_until: validUntil,
        clearances,
      },
      `${roleLabel(role)} assigned to ${user.name}`,
    );
    if (r) onDone();
  };

  return (
    <Dialog
      title={`Assign role — ${user.name}`}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button tone="primary" type="submit" form="assign-role-form" busy={busy}>
            Assign role
          </Button>
        </>
      }
    >
      <form id="assign-role-form" onSubmit={(e) => void submit(e)} noValidate>
        <ErrorNote error={error} />
        <Select
          label="Role"
          required
          value={role}
          placeholder="Choose a role"
          onChange={(e) => {
            setRole(e.target.value);
            fixed('role');
            fixed('categories');
          }}
          error={problems.role}
          options={Object.entries(ROLE_LABELS).map(([value, label]) => ({ value, label }))}
        />
        <div className="grid-2">
          <Select
            label="Scope level"
            value={level}
            onChange={(e) => {
              setLevel(e.target.value as ScopeLevel);
              setPlace('');
              fixed('place');
            }}
            options={SCOPE_LEVELS.map((l) => ({ value: l, label: l }))}
            hint="Where the role applies"
          />
          <Select
            label={level === 'Organization' ? 'Organization' : level}
            required
            value={placeValue}
            error={problems.place}
            placeholder={level === 'Organization' ? undefined : `Choose a ${level.toLowerCase()}`}
            onChange={(e) => {
              setPlace(e.target.value);
              fixed('place');
            }}
            options={places}
          />
        </div>
        <div className="grid-2">
          <DateTimeField
            label="Valid from"
            value={from}
            onChange={(text) => {
              setFrom(text);
              fixed('valid_from');
            }}
            error={problems.valid_from}
            hint="Empty: from now on. For example 23 Nov 2026, 07:00"
          />
          <DateTimeField
            label="Valid until"
            value={until}
            onChange={(text) => {
              setUntil(text);
              fixed('valid_until');
            }}
            error={problems.valid_until}
            hint="Empty: no end. For example 23 Nov 2026, 19:00"
          />
        </div>
        {role === 'lab_technician' ? (
          <TextField
            label="Observation categories"
            required
            value={categories}
            onChange={(e) => {
              setCategories(e.target.value);
              fixed('categories');
            }}
            error={problems.categories}
            hint="Comma-separated, e.g. lab, imaging"
          />
        ) : null}
        <ClearancePicker value={clearances} onChange={setClearances} />
        {placeValue ? (
          <p className="muted small">
            {roleLabel(role || 'role')} for everything in {scopeName(level, placeValue, locations)}.
          </p>
        ) : null}
      </form>
    </Dialog>
  );
}

function BadgeDialog({ user, onClose, onDone }: { user: AdminUser; onClose: () => void; onDone: () => void }) {
  const { run, busy, error } = useAction();
  const [badge, setBadge] = useState(user.badge ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  const save = async (value: string | null): Promise<void> => {
    if (value !== null && !/^[A-Za-z0-9:-]{4,100}$/.test(value)) {
      setProblem('A badge id has at least 4 letters, digits, : or -.');
      return;
    }
    setProblem(null);
    const r = await run(
      'admin.updateBadge',
      { user_id: user.id, badge: value },
      value ? `Badge of ${user.name} saved` : `Badge of ${user.name} removed`,
    );
    if (r) onDone();
  };
  return (
    <Dialog
      title={`Badge — ${user.name}`}
      onClose={onClose}
      footer={
        <>
          {user.badge ? (
            <Button tone="danger" busy={busy} onClick={() => void save(null)}>
              Remove badge
            </Button>
          ) : null}
          <span className="spacer" />
          <Button onClick={onClose}>Cancel</Button>
          <Button tone="primary" type="submit" form="badge-form" busy={busy}>
            Save badge
          </Button>
        </>
      }
    >
      <form
        id="badge-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save(badge.trim() || null);
        }}
        noValidate
      >
        <ErrorNote error={error} />
        <TextField
          label="Badge id"
          value={badge}
          onChange={(e) => setBadge(e.target.value)}
          error={problem}
          autoComplete="off"
          hint="Tap the badge on the reader or type its id. Leave empty to remove it."
        />
      </form>
    </Dialog>
  );
}

function RevokeDialog({
  user,
  assignment,
  locations,
  onClose,
  onDone,
}: {
  user: AdminUser;
  assignment: Assignment;
  locations: Locations | undefined;
  onClose: () => void;
  onDone: () => void;
}) {
  const { run, busy, error } = useAction();
  const label = `${roleLabel(assignment.role)} at ${scopeLabel(assignment.scope_type, assignment.scope_id, locations)}`;
  const confirm = async (): Promise<void> => {
    if (await run('admin.revokeRole', { id: assignment.id }, `${label} revoked`)) onDone();
  };
  return (
    <Dialog
      title="Revoke role?"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Keep role</Button>
          <Button tone="danger" busy={busy} onClick={() => void confirm()}>
            Revoke role
          </Button>
        </>
      }
    >
      <ErrorNote error={error} />
      <p>
        {user.name} loses <strong>{label}</strong> at once.
      </p>
    </Dialog>
  );
}
