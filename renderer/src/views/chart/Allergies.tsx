/**
 * Allergies (SPEC §3b, issue 18 item 1): always in the banner, never behind a click — the active ones
 * with their severity (life-threatening and severe stand out), or "No known allergies", or "Allergies
 * not recorded" as a warning. They are not alerts: nothing acknowledges them away. The section records
 * one, marks one inactive or entered in error with a reason (the history says who, when, why), and
 * records or withdraws "No known allergies". Nothing is ever deleted.
 */
import { useId, useState, type FormEvent } from 'react';
import { Button, Dialog, Empty, ErrorNote, Section, Select, Tag, TextArea, TextField } from '../../components/ui';
import { dateTime } from '../../format';
import { useAction } from '../../hooks';
import type { ChartData } from './types';

type Allergies = ChartData['allergies'];
type ChartAllergy = Allergies['allergies'][number];

const SEVERITY_LABEL: Record<ChartAllergy['severity'], string> = {
  life_threatening: 'Life-threatening',
  severe: 'Severe',
  moderate: 'Moderate',
  mild: 'Mild',
};
const severityTone = (s: ChartAllergy['severity']) =>
  s === 'life_threatening' ? ('critical' as const) : s === 'severe' ? ('danger' as const) : ('warning' as const);
const STATUS_LABEL: Record<ChartAllergy['status'], string> = {
  active: 'Active',
  inactive: 'Inactive',
  entered_in_error: 'Entered in error',
};

/** The banner's allergy line; nothing at all for a user who may not read the patient's allergies. */
export function BannerAllergies({ allergies }: { allergies: Allergies }) {
  if (!allergies.readable) return null;
  const active = allergies.allergies.filter((a) => a.status === 'active');
  return (
    <div className="banner-allergies" data-testid="banner-allergies">
      <dt>Allergies</dt>
      <dd>
        {active.length > 0 ? (
          <ul className="allergy-list">
            {active.map((a) => (
              <li
                key={a.id}
                className={`allergy allergy-${a.severity}`}
                title={a.reaction ? `${a.substance}: ${a.reaction}` : a.substance}
              >
                <strong>{a.substance}</strong> <Tag tone={severityTone(a.severity)}>{SEVERITY_LABEL[a.severity]}</Tag>
              </li>
            ))}
          </ul>
        ) : allergies.no_known_allergies ? (
          <span className="allergy-none">No known allergies</span>
        ) : (
          <span className="allergy-unrecorded">
            <Tag tone="warning">Allergies not recorded</Tag>
          </span>
        )}
      </dd>
    </div>
  );
}

type Modal = { kind: 'add' } | { kind: 'status'; allergy: ChartAllergy; status: 'inactive' | 'entered_in_error' | 'active' };

export function AllergiesSection({
  allergies,
  patientId,
  patientName,
  readOnly,
  onChanged,
}: {
  allergies: Allergies;
  patientId: string;
  patientName: string;
  readOnly: boolean;
  onChanged: () => void;
}) {
  const act = useAction();
  const [modal, setModal] = useState<Modal | null>(null);
  if (!allergies.readable) return null;
  const canRecord = allergies.can_record && !readOnly;
  const active = allergies.allergies.filter((a) => a.status === 'active');
  const close = (): void => {
    setModal(null);
    act.clearError();
  };
  const done = (): void => {
    setModal(null);
    onChanged();
  };
  const setNka = async (value: boolean): Promise<void> => {
    const ok = await act.run(
      'allergies.setNoKnownAllergies',
      { patient_id: patientId, no_known_allergies: value },
      value ? 'No known allergies recorded.' : 'No known allergies withdrawn.',
    );
    if (ok) onChanged();
  };
  return (
    <Section
      title="Allergies"
      id="chart-allergies"
      actions={
        canRecord ? (
          <>
            {active.length === 0 && !allergies.no_known_allergies ? (
              <Button small busy={act.busy} onClick={() => void setNka(true)}>
                No known allergies
              </Button>
            ) : null}
            {allergies.no_known_allergies ? (
              <Button small busy={act.busy} onClick={() => void setNka(false)}>
                Withdraw “No known allergies”
              </Button>
            ) : null}
            <Button small tone="primary" onClick={() => setModal({ kind: 'add' })}>
              Add allergy
            </Button>
          </>
        ) : null
      }
    >
      {!modal ? <ErrorNote error={act.error} /> : null}
      {allergies.allergies.length === 0 ? (
        <Empty>{allergies.no_known_allergies ? 'No known allergies.' : 'Allergies not recorded.'}</Empty>
      ) : (
        <table className="table" aria-labelledby="chart-allergies">
          <thead>
            <tr>
              <th>Substance</th>
              <th>Reaction</th>
              <th>Severity</th>
              <th>Status and history</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {allergies.allergies.map((a) => (
              <tr key={a.id} className={a.status === 'active' ? undefined : 'row-done'}>
                <td>
                  <strong>{a.substance}</strong>
                </td>
                <td>{a.reaction ?? <span className="muted">—</span>}</td>
                <td>
                  <Tag tone={a.status === 'active' ? severityTone(a.severity) : 'neutral'}>{SEVERITY_LABEL[a.severity]}</Tag>
                </td>
                <td>
                  <div>{STATUS_LABEL[a.status]}</div>
                  <ul className="allergy-history">
                    <li>
                      Recorded {a.recorded_by_name ? `by ${a.recorded_by_name} ` : ''}
                      <span className="num">{dateTime(a.recorded_at)}</span>
                    </li>
                    {a.history.map((h) => (
                      <li key={h.id}>
                        {STATUS_LABEL[h.status]} by {h.changed_by_name ?? 'someone'}{' '}
                        <span className="num">{dateTime(h.changed_at)}</span>: “{h.reason}”
                      </li>
                    ))}
                  </ul>
                </td>
                <td className="row-actions">
                  {!readOnly && a.actions.includes('update') ? (
                    a.status === 'active' ? (
                      <>
                        <Button small onClick={() => setModal({ kind: 'status', allergy: a, status: 'inactive' })}>
                          Mark inactive
                        </Button>
                        <Button small onClick={() => setModal({ kind: 'status', allergy: a, status: 'entered_in_error' })}>
                          Entered in error
                        </Button>
                      </>
                    ) : (
                      <Button small onClick={() => setModal({ kind: 'status', allergy: a, status: 'active' })}>
                        Make active again
                      </Button>
                    )
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {modal?.kind === 'add' ? (
        <AddAllergyDialog patientId={patientId} patientName={patientName} onClose={close} onSaved={done} />
      ) : null}
      {modal?.kind === 'status' ? (
        <AllergyStatusDialog allergy={modal.allergy} status={modal.status} onClose={close} onSaved={done} />
      ) : null}
    </Section>
  );
}

function AddAllergyDialog({
  patientId,
  patientName,
  onClose,
  onSaved,
}: {
  patientId: string;
  patientName: string;
  onClose: () => void;
  onSaved: () => void;
}) {
  const act = useAction();
  const formId = useId();
  const [substance, setSubstance] = useState('');
  const [reaction, setReaction] = useState('');
  const [severity, setSeverity] = useState('');
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const ok = await act.run(
      'allergies.record',
      {
        patient_id: patientId,
        substance,
        reaction: reaction.trim() ? reaction : null,
        severity: severity as ChartAllergy['severity'],
      },
      `Allergy to ${substance.trim()} recorded.`,
    );
    if (ok) onSaved();
  };
  return (
    <Dialog
      title={`Add an allergy — ${patientName}`}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button tone="primary" type="submit" form={formId} busy={act.busy}>
            Record allergy
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={(e) => void submit(e)}>
        <ErrorNote error={act.error} />
        <TextField label="Substance" required value={substance} onChange={(e) => setSubstance(e.target.value)} maxLength={200} />
        <TextField label="Reaction" value={reaction} onChange={(e) => setReaction(e.target.value)} maxLength={500} />
        <Select
          label="Severity"
          required
          value={severity}
          onChange={(e) => setSeverity(e.target.value)}
          placeholder="Choose…"
          options={(Object.keys(SEVERITY_LABEL) as Array<ChartAllergy['severity']>)
            .reverse()
            .map((s) => ({ value: s, label: SEVERITY_LABEL[s] }))}
        />
      </form>
    </Dialog>
  );
}

function AllergyStatusDialog({
  allergy,
  status,
  onClose,
  onSaved,
}: {
  allergy: ChartAllergy;
  status: 'inactive' | 'entered_in_error' | 'active';
  onClose: () => void;
  onSaved: () => void;
}) {
  const act = useAction();
  const formId = useId();
  const [reason, setReason] = useState('');
  const what = status === 'entered_in_error' ? 'entered in error' : status === 'inactive' ? 'inactive' : 'active again';
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const ok = await act.run(
      'allergies.changeStatus',
      { id: allergy.id, from: allergy.status, status, reason },
      `Allergy to ${allergy.substance} marked ${what}.`,
    );
    if (ok) onSaved();
  };
  return (
    <Dialog
      title={`Mark the allergy to ${allergy.substance} ${what}`}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button tone={status === 'active' ? 'primary' : 'danger'} type="submit" form={formId} busy={act.busy}>
            Mark {what}
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={(e) => void submit(e)}>
        <ErrorNote error={act.error} />
        <p>The allergy stays in the record, with who changed it, when and why.</p>
        <TextArea label="Reason" required value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} rows={3} />
      </form>
    </Dialog>
  );
}
