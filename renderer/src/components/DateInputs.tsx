/**
 * Date and date-and-time inputs in the app's one format ("23 Nov 2026", "23 Nov 2026, 10:00"), not the
 * browser locale's ("11/23/2026, 10:00 AM"): plain labelled text fields a person types into, read by
 * dateInput.ts. On leaving the field the text is rewritten in the app's format, or the field says what
 * to fix. The form checks again on submit (the parsed value is what it sends).
 */
import { useState } from 'react';
import {
  DATE_EXAMPLE,
  DATE_TIME_EXAMPLE,
  dateInputText,
  dateTimeInputText,
  parseDateInput,
  parseDateTimeInput,
} from '../dateInput';
import { TextField } from './ui';

interface DateFieldProps {
  label: string;
  /** The text as typed (initially the app's format). */
  value: string;
  onChange: (text: string) => void;
  error?: string | null | undefined;
  hint?: string;
  required?: boolean;
}

function TypedDate({
  example,
  read,
  write,
  hint,
  value,
  onChange,
  error,
  ...rest
}: DateFieldProps & {
  example: string;
  read: (text: string) => { ok: true; value: string } | { ok: false; problem: string };
  write: (value: string) => string;
}) {
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <TextField
      {...rest}
      type="text"
      fieldClass="field-date"
      value={value}
      inputMode="text"
      autoComplete="off"
      spellCheck={false}
      placeholder={example}
      hint={hint ?? `For example ${example}`}
      error={error ?? problem}
      onChange={(e) => {
        onChange(e.target.value);
        setProblem(null);
      }}
      onBlur={() => {
        if (!value.trim()) return;
        const r = read(value);
        if (r.ok) onChange(write(r.value));
        else setProblem(r.problem);
      }}
    />
  );
}

/** A calendar date (a birth date); the text reads back with `parseDateInput`. */
export function DateField(props: DateFieldProps) {
  return <TypedDate {...props} example={DATE_EXAMPLE} read={(t) => parseDateInput(t)} write={dateInputText} />;
}

/** A moment in local time (when measured, when scheduled); the text reads back with `parseDateTimeInput`. */
export function DateTimeField(props: DateFieldProps) {
  return <TypedDate {...props} example={DATE_TIME_EXAMPLE} read={(t) => parseDateTimeInput(t)} write={dateTimeInputText} />;
}
