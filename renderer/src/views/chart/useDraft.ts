/**
 * A dialog whose unsaved input lives in the drafts store: the dialog is open while its draft exists.
 * A lock unmounts the view but keeps the draft, so after unlocking (same user) the dialog comes back
 * as it was; another user signing in clears every draft (store/session.ts).
 */
import { useCallback } from 'react';
import { useDrafts } from '../../store/drafts';

export interface Draft<T> {
  value: T | undefined;
  /** Opens the dialog (or replaces its content). */
  set(value: T): void;
  /** Closes the dialog and forgets the input. */
  drop(): void;
}

export function useDraft<T>(key: string): Draft<T> {
  const value = useDrafts((s) => s.drafts[key]) as T | undefined;
  const put = useDrafts((s) => s.put);
  const remove = useDrafts((s) => s.drop);
  const set = useCallback((v: T) => put(key, v), [put, key]);
  const drop = useCallback(() => remove(key), [remove, key]);
  return { value, set, drop };
}

export const vitalsDraftKey = (patientId: string): string => `vitals:${patientId}`;
export const recordDraftKey = (appointmentId: string): string => `record:${appointmentId}`;
export const amendDraftKey = (recordId: string): string => `amend:${recordId}`;
