/**
 * Rescheduling an alert (SPEC §7b, issue 18): a `high` or `critical` alert moves only with a reason and
 * at most 24 hours ahead. Said here before sending; main refuses the same with the same sentence.
 */
import { useId, useState, type FormEvent } from 'react';
import type { ApiError } from '../../api';
import { DateTimeField } from '../../components/DateInputs';
import { Button, Dialog, ErrorNote, TextArea } from '../../components/ui';
import { dateTimeInputText, parseDateTimeInput } from '../../dateInput';
import type { ChartAlert } from './types';

const MAX_HOURS = 24;
const urgent = (a: ChartAlert): boolean => a.severity === 'high' || a.severity === 'critical';

export function AlertRescheduleDialog({
  alert,
  now,
  busy,
  error,
  onSubmit,
  onClose,
}: {
  alert: ChartAlert;
  now: Date;
  busy: boolean;
  error: ApiError | null;
  onSubmit: (dueAt: string, reason: string | null) => void;
  onClose: () => void;
}) {
  const formId = useId();
  const [value, setValue] = useState(() => dateTimeInputText(alert.due_at));
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<{ when?: string; reason?: string }>({});
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const when = parseDateTimeInput(value, now);
    const found: { when?: string; reason?: string } = {};
    if (!when.ok) found.when = when.problem;
    else if (urgent(alert) && Date.parse(when.value) > now.getTime() + MAX_HOURS * 3_600_000)
      found.when = `A ${alert.severity} alert can be moved at most ${MAX_HOURS} hours ahead.`;
    if (urgent(alert) && !reason.trim()) found.reason = `Give the reason: a ${alert.severity} alert is moved only with one.`;
    setProblem(found);
    if (found.when || found.reason || !when.ok) return;
    onSubmit(when.value, reason.trim() || null);
  };
  return (
    <Dialog
      title="Reschedule alert"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button tone="primary" type="submit" form={formId} busy={busy}>
            Reschedule
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={submit} noValidate>
        <div className="dialog-context">{alert.message}</div>
        <ErrorNote error={error} />
        <DateTimeField
          label="New due time"
          required
          value={value}
          error={problem.when}
          onChange={(text) => {
            setValue(text);
            setProblem({ ...problem, when: undefined });
          }}
        />
        <TextArea
          label="Reason"
          required={urgent(alert)}
          hint={urgent(alert) ? `Required for a ${alert.severity} alert; at most ${MAX_HOURS} hours ahead.` : 'Optional.'}
          value={reason}
          error={problem.reason}
          rows={2}
          onChange={(e) => {
            setReason(e.target.value);
            setProblem({ ...problem, reason: undefined });
          }}
        />
      </form>
    </Dialog>
  );
}
