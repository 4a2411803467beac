/**
 * A dialog whose unsaved input lives in the drafts store: the dialog is open while its draft exists
 * (and was not found stale when the view opened: see useOfferedDrafts). A lock unmounts the view but
 * keeps the draft, so after unlocking (same user, soon) the dialog comes back as it was; another user
 * signing in clears every draft (store/session.ts).
 */
import { useCallback, useState } from 'react';
import { staleDrafts, useDrafts } from '../../store/drafts';

export interface Draft<T> {
  value: T | undefined;
  /** Opens the dialog (or replaces its content). */
  set(value: T): void;
  /** Closes the dialog and forgets the input. */
  drop(): void;
}

export function useDraft<T>(key: string): Draft<T> {
  const value = useDrafts((s) => s.drafts[key]?.value) as T | undefined;
  const put = useDrafts((s) => s.put);
  const remove = useDrafts((s) => s.drop);
  const set = useCallback((v: T) => put(key, v), [put, key]);
  const drop = useCallback(() => remove(key), [remove, key]);
  return { value, set, drop };
}

/**
 * The drafts a view finds when it opens: fresh ones (a short lock) reopen as they were; stale ones are
 * only offered (`offered`), with their age, until the user resumes or discards them.
 */
export function useOfferedDrafts(): {
  drafts: ReturnType<typeof useDrafts.getState>['drafts'];
  /** Offered drafts by key (the very drafts found stale: a new draft under the same key opens). */
  offered: string[];
  isOpen: (key: string) => boolean;
  resume: (key: string) => void;
} {
  const drafts = useDrafts((s) => s.drafts);
  const [found, setFound] = useState(() => {
    const all = useDrafts.getState().drafts;
    return new Map([...staleDrafts(all, Date.now())].map((k) => [k, all[k]!.updatedAt]));
  });
  const isOffered = (key: string): boolean => drafts[key] !== undefined && found.get(key) === drafts[key].updatedAt;
  return {
    drafts,
    offered: [...found.keys()].filter(isOffered),
    isOpen: (key) => drafts[key] !== undefined && !isOffered(key),
    resume: (key) =>
      setFound((m) => {
        const next = new Map(m);
        next.delete(key);
        return next;
      }),
  };
}

export const vitalsDraftKey = (patientId: string): string => `vitals:${patientId}`;
export const recordDraftKey = (appointmentId: string): string => `record:${appointmentId}`;
export const amendDraftKey = (recordId: string): string => `amend:${recordId}`;
