/** Small dialogs the chart and the day list share: confirm a step, pick a new date and time. */
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import type { ApiError } from '../../api';
import { DateTimeField } from '../../components/DateInputs';
import { Button, Dialog, ErrorNote } from '../../components/ui';
import { dateTimeInputText, parseDateTimeInput } from '../../dateInput';

export function ConfirmDialog({
  title,
  children,
  confirm,
  tone = 'primary',
  busy,
  error,
  onConfirm,
  onClose,
}: {
  title: string;
  children: ReactNode;
  confirm: string;
  tone?: 'primary' | 'danger';
  busy: boolean;
  error: ApiError | null;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const formId = useId();
  return (
    <Dialog
      title={title}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button tone={tone} type="submit" form={formId} busy={busy}>
            {confirm}
          </Button>
        </>
      }
    >
      <form
        id={formId}
        onSubmit={(e) => {
          e.preventDefault();
          onConfirm();
        }}
      >
        <ErrorNote error={error} />
        <div>{children}</div>
      </form>
    </Dialog>
  );
}

/** Asks for a new date and time (local, typed in the app's format), answers ISO. */
export function DateTimeDialog({
  title,
  label,
  initial,
  confirm,
  busy,
  error,
  onSubmit,
  onClose,
  children,
}: {
  title: string;
  label: string;
  initial: string;
  confirm: string;
  busy: boolean;
  error: ApiError | null;
  onSubmit: (iso: string) => void;
  onClose: () => void;
  children?: ReactNode;
}) {
  const formId = useId();
  const [value, setValue] = useState(() => dateTimeInputText(initial));
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const when = parseDateTimeInput(value);
    if (!when.ok) {
      setProblem(when.problem);
      return;
    }
    setProblem(null);
    onSubmit(when.value);
  };
  return (
    <Dialog
      title={title}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button tone="primary" type="submit" form={formId} busy={busy}>
            {confirm}
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={submit} noValidate>
        {children}
        <ErrorNote error={error} />
        <DateTimeField
          label={label}
          required
          value={value}
          error={problem}
          onChange={(text) => {
            setValue(text);
            setProblem(null);
          }}
        />
      </form>
    </Dialog>
  );
}
