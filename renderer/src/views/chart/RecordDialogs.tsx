/**
 * Writing a clinical record for an appointment, and amending one (records are append-only: an
 * amendment is a new record). Both keep their input as drafts that survive a lock for the same user.
 */
import { useId, useState, type FormEvent } from 'react';
import type { SensitivityLabel } from '../../../../src/domain/roles';
import { LabelChip, LabelPicker } from '../../components/Sensitivity';
import { Banner, Button, Dialog, ErrorNote, TextArea, TextField } from '../../components/ui';
import { dateTime } from '../../format';
import { useAction } from '../../hooks';
import { toast } from '../../store/toasts';
import { CODE_PATTERN, RECORD_CATEGORIES, normalizeCode } from './clinical';
import type { ChartRecord } from './types';
import { DiscardPrompt, useDiscardGuard } from './discard';
import { amendDraftKey, recordDraftKey, useDraft } from './useDraft';

export interface RecordDraft {
  category: string;
  public_notes: string;
  internal_notes: string;
  sensitivity?: SensitivityLabel | null;
}

export function WriteRecordDialog({
  appointment,
  patientName,
  categories = [],
  onSaved,
}: {
  appointment: { id: string; reason: string; scheduled_at: string };
  patientName: string;
  categories?: string[];
  onSaved: () => void;
}) {
  const draft = useDraft<RecordDraft>(recordDraftKey(appointment.id));
  const { run, busy, error } = useAction();
  const [errors, setErrors] = useState<{ category?: string; form?: string }>({});
  const formId = useId();
  const listId = useId();
  const d = draft.value;
  const guard = useDiscardGuard(Boolean(d && (d.public_notes.trim() || d.internal_notes.trim())), draft.drop);
  if (!d) return null;

  const save = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const category = normalizeCode(d.category);
    const problems: typeof errors = {};
    if (!category) problems.category = 'Choose the category of the record.';
    else if (!CODE_PATTERN.test(category)) problems.category = 'Use letters, digits, spaces, _ or - only.';
    if (!d.public_notes.trim() && !d.internal_notes.trim()) problems.form = 'Write at least one note.';
    setErrors(problems);
    if (problems.category || problems.form) return;
    const r = await run('records.create', {
      appointment_id: appointment.id,
      category,
      public_notes: d.public_notes,
      internal_notes: d.internal_notes,
      sensitivity: d.sensitivity ?? null,
    });
    if (r) {
      draft.drop();
      toast.success(`Record saved for ${patientName}.`);
      onSaved();
    }
  };

  return (
    <Dialog
      wide
      title={`Write record — ${patientName}`}
      onClose={guard.close}
      footer={
        guard.asking ? (
          <DiscardPrompt what="notes" leaving={guard.leaving} onKeep={guard.keep} onDiscard={guard.discard} />
        ) : (
          <>
            <Button onClick={guard.close}>Cancel</Button>
            <Button tone="primary" type="submit" form={formId} busy={busy}>
              Save record
            </Button>
          </>
        )
      }
    >
      <form id={formId} onSubmit={(e) => void save(e)} noValidate>
        <div className="muted dialog-context">
          {appointment.reason} · {dateTime(appointment.scheduled_at)}
        </div>
        <ErrorNote error={error} />
        {errors.form ? <Banner tone="warning">{errors.form}</Banner> : null}
        <TextField
          label="Category"
          required
          list={listId}
          autoComplete="off"
          value={d.category}
          error={errors.category}
          onChange={(e) => draft.set({ ...d, category: e.target.value })}
        />
        <datalist id={listId}>
          {[...new Set([...categories, ...RECORD_CATEGORIES])].map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
        <TextArea
          label="Public notes"
          rows={5}
          value={d.public_notes}
          hint="Visible to the patient and everyone who may read the chart."
          onChange={(e) => draft.set({ ...d, public_notes: e.target.value })}
        />
        <TextArea
          label="Internal notes"
          rows={4}
          value={d.internal_notes}
          hint="Only for clinicians allowed to read internal notes."
          onChange={(e) => draft.set({ ...d, internal_notes: e.target.value })}
        />
        <LabelPicker what="record" value={d.sensitivity ?? null} onChange={(v) => draft.set({ ...d, sensitivity: v })} />
      </form>
    </Dialog>
  );
}

export interface AmendDraft {
  public_notes: string;
  internal_notes: string;
  sensitivity?: SensitivityLabel | null;
}

export function AmendRecordDialog({
  record,
  patientName,
  onSaved,
}: {
  record: ChartRecord;
  patientName: string;
  onSaved: () => void;
}) {
  const draft = useDraft<AmendDraft>(amendDraftKey(record.id));
  const { run, busy, error } = useAction();
  const [problem, setProblem] = useState<string | null>(null);
  const formId = useId();
  const d = draft.value;
  const guard = useDiscardGuard(
    Boolean(
      d &&
      (d.public_notes !== record.public_notes || (record.internal_notes !== null && d.internal_notes !== record.internal_notes)),
    ),
    draft.drop,
  );
  if (!d) return null;
  const hidden = record.internal_notes === null;
  const label = d.sensitivity === undefined ? record.sensitivity : d.sensitivity;

  const save = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (
      d.public_notes === record.public_notes &&
      (hidden || d.internal_notes === record.internal_notes) &&
      label === record.sensitivity
    ) {
      setProblem('Change the notes before saving the amendment.');
      return;
    }
    setProblem(null);
    const r = await run('records.amend', {
      record_id: record.id,
      public_notes: d.public_notes,
      internal_notes: hidden ? '' : d.internal_notes,
      sensitivity: label,
    });
    if (r) {
      draft.drop();
      toast.success(`Amendment saved for ${patientName}.`);
      onSaved();
    }
  };

  return (
    <Dialog
      wide
      title={`Amend record — ${patientName}`}
      onClose={guard.close}
      footer={
        guard.asking ? (
          <DiscardPrompt what="changes" leaving={guard.leaving} onKeep={guard.keep} onDiscard={guard.discard} />
        ) : (
          <>
            <Button onClick={guard.close}>Cancel</Button>
            <Button tone="primary" type="submit" form={formId} busy={busy}>
              Save amendment
            </Button>
          </>
        )
      }
    >
      <form id={formId} onSubmit={(e) => void save(e)} noValidate>
        <div className="muted dialog-context">
          The original record ({dateTime(record.created_at)}) stays in the chart; the amendment is added after it.
        </div>
        <ErrorNote error={error} />
        {problem ? <Banner tone="warning">{problem}</Banner> : null}
        {record.amended_by.length > 0 ? (
          <Banner tone="warning" title="Already amended">
            This record has been amended before. Make sure your amendment includes those changes.
          </Banner>
        ) : null}
        <TextArea
          label="Public notes"
          rows={5}
          value={d.public_notes}
          onChange={(e) => draft.set({ ...d, public_notes: e.target.value })}
        />
        {hidden ? (
          <Banner tone="info">You cannot see this record's internal notes, so the amendment will not carry them.</Banner>
        ) : (
          <TextArea
            label="Internal notes"
            rows={4}
            value={d.internal_notes}
            onChange={(e) => draft.set({ ...d, internal_notes: e.target.value })}
          />
        )}
        {record.sensitivity ? (
          <p className="muted small">
            The amendment keeps this record&apos;s label <LabelChip label={record.sensitivity} />: only staff cleared for it will
            see it.
          </p>
        ) : (
          <LabelPicker what="amendment" value={label} onChange={(v) => draft.set({ ...d, sensitivity: v })} />
        )}
      </form>
    </Dialog>
  );
}
