/**
 * One "not sent yet" mark on every item written on this workstation that the server has not applied
 * (issue 18): the chart says which of its rows wait (`pending` from main); the mark disappears once the
 * server has them. Not shown on a local-only workstation, where nothing is ever sent.
 */
import { createContext, useContext } from 'react';
import { useMarksPending } from '../store/sync';

export const PendingIds = createContext<ReadonlySet<string>>(new Set());

export function PendingMark({ ids }: { ids: string | readonly string[] }) {
  const pending = useContext(PendingIds);
  const marks = useMarksPending();
  const list = typeof ids === 'string' ? [ids] : ids;
  if (!marks || !list.some((id) => pending.has(id))) return null;
  return (
    <span className="pending-mark" title="Saved on this workstation; it is sent to the server when the connection allows.">
      Not sent yet
    </span>
  );
}
