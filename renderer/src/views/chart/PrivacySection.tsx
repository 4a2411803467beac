/**
 * SPEC §3a on the chart. Every reader of labelled items sees here which sensitivity labels the chart
 * holds for them (the one place besides the items themselves where a label shows: never the banner).
 * Users who may edit the patient (`update`) also mark the patient restricted (confidentiality R) and
 * record or remove consent restrictions, each with a reason. Everyone else gets nothing from main about
 * restrictions; a reader with neither sees no section at all.
 */
import { useId, useMemo, useState, type FormEvent } from 'react';
import { LabelChip } from '../../components/Sensitivity';
import { Banner, Button, Dialog, Empty, ErrorNote, Section, Select, Tag, TextArea } from '../../components/ui';
import { dateTime } from '../../format';
import { useAction, useCall } from '../../hooks';
import type { ChartData } from './types';

type Restriction = ChartData['consent_restrictions'][number];
const MIN_REASON = 5;

export function PrivacySection({ data, readOnly, onChanged }: { data: ChartData; readOnly: boolean; onChanged: () => void }) {
  const [dialog, setDialog] = useState<'restrict' | 'add' | Restriction | null>(null);
  const labels = useMemo(() => labelledItems(data), [data]);
  if (!data.actions.includes('update')) {
    return labels.length === 0 ? null : (
      <Section title="Privacy" id="chart-privacy">
        <SensitiveItems labels={labels} />
      </Section>
    );
  }
  const p = data.patient;
  const done = (): void => {
    setDialog(null);
    onChanged();
  };
  return (
    <Section
      title="Privacy"
      id="chart-privacy"
      actions={
        readOnly ? null : (
          <>
            <Button small onClick={() => setDialog('restrict')}>
              {p.restricted ? 'Lift restriction' : 'Mark restricted'}
            </Button>
            <Button small tone="primary" onClick={() => setDialog('add')}>
              Add consent restriction
            </Button>
          </>
        )
      }
    >
      <p className="muted small">
        {p.restricted ? (
          <>
            <Tag tone="danger">Restricted</Tag> Only staff whose role is cleared for restricted patients find {p.name} through
            their ward or facility.
          </>
        ) : (
          <>Not restricted: staff covering {p.name}&apos;s location find them through their roles.</>
        )}
      </p>
      <SensitiveItems labels={labels} />
      {data.consent_restrictions.length === 0 ? (
        <Empty>{p.name} has not asked to keep anyone from their data.</Empty>
      ) : (
        <table className="table" aria-label="Consent restrictions">
          <thead>
            <tr>
              <th>Kept from the chart</th>
              <th>Reason</th>
              <th>Recorded</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.consent_restrictions.map((c) => (
              <tr key={c.id}>
                <td>
                  <strong>{c.user_name ?? c.user_id}</strong>
                </td>
                <td className="reason">{c.reason}</td>
                <td className="small nowrap">
                  {dateTime(c.recorded_at)}
                  {c.recorded_by_name ? ` · ${c.recorded_by_name}` : ''}
                </td>
                <td className="adm-actions">
                  {readOnly ? null : (
                    <Button small onClick={() => setDialog(c)} aria-label={`Remove restriction of ${c.user_name ?? c.user_id}`}>
                      Remove
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {dialog === 'restrict' ? (
        <RestrictDialog patientId={p.id} name={p.name} restricted={p.restricted} onClose={() => setDialog(null)} onDone={done} />
      ) : null}
      {dialog === 'add' ? (
        <AddRestrictionDialog
          patientId={p.id}
          name={p.name}
          existing={data.consent_restrictions}
          onClose={() => setDialog(null)}
          onDone={done}
        />
      ) : null}
      {dialog && typeof dialog === 'object' ? (
        <RemoveRestrictionDialog restriction={dialog} name={p.name} onClose={() => setDialog(null)} onDone={done} />
      ) : null}
    </Section>
  );
}

interface LabelCount {
  label: string;
  records: number;
  results: number;
}

/** The labels on the items this reader received, with how many of each kind. */
function labelledItems(data: ChartData): LabelCount[] {
  const counts = new Map<string, LabelCount>();
  const add = (label: string | null | undefined, kind: 'records' | 'results'): void => {
    if (!label) return;
    const c = counts.get(label) ?? { label, records: 0, results: 0 };
    c[kind]++;
    counts.set(label, c);
  };
  for (const r of data.records) add(r.sensitivity, 'records');
  for (const o of data.observations) add(o.sensitivity, 'results');
  return [...counts.values()].sort((a, b) => a.label.localeCompare(b.label));
}

const plural = (n: number, one: string, many: string): string | null => (n === 0 ? null : `${n} ${n === 1 ? one : many}`);

function SensitiveItems({ labels }: { labels: LabelCount[] }) {
  if (labels.length === 0) return null;
  return (
    <div className="sensitive-items">
      <p className="muted small">Sensitive items in this chart, shown to you because you are cleared for them:</p>
      <ul className="plain-list">
        {labels.map((l) => (
          <li key={l.label}>
            <LabelChip label={l.label} />{' '}
            {[plural(l.records, 'record', 'records'), plural(l.results, 'result', 'results')].filter(Boolean).join(', ')}
          </li>
        ))}
      </ul>
    </div>
  );
}

function RestrictDialog({
  patientId,
  name,
  restricted,
  onClose,
  onDone,
}: {
  patientId: string;
  name: string;
  restricted: boolean;
  onClose: () => void;
  onDone: () => void;
}) {
  const { run, busy, error } = useAction();
  const formId = useId();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (
      await run(
        'patients.setRestricted',
        { id: patientId, restricted: !restricted },
        restricted ? `${name}: restriction lifted` : `${name} is now restricted`,
      )
    )
      onDone();
  };
  return (
    <Dialog
      title={restricted ? `Lift the restriction of ${name}?` : `Mark ${name} restricted?`}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button tone={restricted ? 'primary' : 'danger'} type="submit" form={formId} busy={busy}>
            {restricted ? 'Lift restriction' : 'Mark restricted'}
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={(e) => void submit(e)}>
        <ErrorNote error={error} />
        {restricted ? (
          <p>Staff covering {name}&apos;s ward or facility will find them again through their roles.</p>
        ) : (
          <Banner tone="warning" title="For a VIP or a colleague as a patient">
            Only staff whose role is cleared for restricted patients will find {name} through their ward or facility. Their care
            team, clinicians with appointments and emergency access are not affected. If your own role is not cleared, you will no
            longer see {name}.
          </Banner>
        )}
      </form>
    </Dialog>
  );
}

function AddRestrictionDialog({
  patientId,
  name,
  existing,
  onClose,
  onDone,
}: {
  patientId: string;
  name: string;
  existing: Restriction[];
  onClose: () => void;
  onDone: () => void;
}) {
  const staff = useCall('reference.staff', {});
  const { run, busy, error } = useAction();
  const [userId, setUserId] = useState('');
  const [reason, setReason] = useState('');
  const [problems, setProblems] = useState<{ user?: string; reason?: string }>({});
  const formId = useId();
  const taken = useMemo(() => new Set(existing.map((c) => c.user_id)), [existing]);
  const options = (staff.data ?? []).filter((u) => !taken.has(u.id)).map((u) => ({ value: u.id, label: u.name }));
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const p: typeof problems = {};
    if (!userId) p.user = 'Choose the member of staff.';
    if (reason.trim().length < MIN_REASON) p.reason = `Say why, in at least ${MIN_REASON} characters.`;
    setProblems(p);
    if (p.user || p.reason) return;
    const who = options.find((o) => o.value === userId)?.label ?? 'They';
    if (
      await run(
        'consent.record',
        { patient_id: patientId, user_id: userId, reason: reason.trim() },
        `${who} can no longer open ${name}'s chart`,
      )
    )
      onDone();
  };
  return (
    <Dialog
      title={`Consent restriction — ${name}`}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button tone="primary" type="submit" form={formId} busy={busy}>
            Record restriction
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={(e) => void submit(e)} noValidate>
        <ErrorNote error={error ?? staff.error} />
        <p className="muted small">
          The person loses every access to {name}&apos;s data whatever their roles, teams or appointments; only emergency access
          (audited and reviewed) remains.
        </p>
        <Select
          label="Member of staff"
          required
          value={userId}
          placeholder={staff.loading ? 'Loading…' : 'Choose who'}
          error={problems.user}
          onChange={(e) => {
            setUserId(e.target.value);
            setProblems((x) => ({ ...x, user: undefined }));
          }}
          options={options}
        />
        <TextArea
          label="Reason"
          required
          rows={3}
          value={reason}
          error={problems.reason}
          hint="As the patient put it; kept in the audit log."
          onChange={(e) => {
            setReason(e.target.value);
            setProblems((x) => ({ ...x, reason: undefined }));
          }}
        />
      </form>
    </Dialog>
  );
}

function RemoveRestrictionDialog({
  restriction,
  name,
  onClose,
  onDone,
}: {
  restriction: Restriction;
  name: string;
  onClose: () => void;
  onDone: () => void;
}) {
  const { run, busy, error } = useAction();
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const formId = useId();
  const who = restriction.user_name ?? restriction.user_id;
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (reason.trim().length < MIN_REASON) {
      setProblem(`Say why, in at least ${MIN_REASON} characters.`);
      return;
    }
    setProblem(null);
    if (await run('consent.remove', { id: restriction.id, reason: reason.trim() }, `Restriction of ${who} removed`)) onDone();
  };
  return (
    <Dialog
      title={`Remove the restriction of ${who}?`}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Keep it</Button>
          <Button tone="danger" type="submit" form={formId} busy={busy}>
            Remove restriction
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={(e) => void submit(e)} noValidate>
        <ErrorNote error={error} />
        <p>
          {who} will have the access their roles give to {name}&apos;s data again. Recorded because: <em>{restriction.reason}</em>
        </p>
        <TextArea
          label="Reason for removing"
          required
          rows={3}
          value={reason}
          error={problem}
          onChange={(e) => setReason(e.target.value)}
        />
      </form>
    </Dialog>
  );
}
