/** Small dialogs the chart and the day list share: confirm a step, pick a new date and time. */
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import type { ApiError } from '../../api';
import { Button, Dialog, ErrorNote, TextField } from '../../components/ui';
import { fromLocalInput, toLocalInput } from '../../format';

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

/** Asks for a new date and time (local), answers ISO. */
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
  const [value, setValue] = useState(() => toLocalInput(initial));
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const iso = fromLocalInput(value);
    if (!iso) {
      setProblem('Enter a date and a time.');
      return;
    }
    setProblem(null);
    onSubmit(iso);
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
        <TextField
          label={label}
          type="datetime-local"
          required
          value={value}
          error={problem}
          onChange={(e) => setValue(e.target.value)}
        />
      </form>
    </Dialog>
  );
}
