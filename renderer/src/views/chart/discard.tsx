/**
 * Closing a form that holds typed clinical input (Escape, ×, Cancel) asks first: the values are not saved
 * yet, and a nurse who pressed Escape by accident must not lose a set of vitals.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Banner, Button } from '../../components/ui';

export function useDiscardGuard(
  dirty: boolean,
  discard: () => void,
): { asking: boolean; close: () => void; keep: () => void; discard: () => void } {
  const [asking, setAsking] = useState(false);
  // Stable callbacks: the dialog re-focuses its first field whenever its onClose changes.
  const state = useRef({ dirty, discard });
  state.current = { dirty, discard };
  const close = useCallback(() => {
    if (!state.current.dirty) state.current.discard();
    else setAsking((was) => !was);
  }, []);
  const keep = useCallback(() => setAsking(false), []);
  return { asking, close, keep, discard };
}

export function DiscardPrompt({ what, onKeep, onDiscard }: { what: string; onKeep: () => void; onDiscard: () => void }) {
  const keep = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    keep.current?.focus();
  }, []);
  return (
    <Banner
      tone="warning"
      title={`Discard the ${what} you typed?`}
      action={
        <div className="inline-actions">
          <Button ref={keep} onClick={onKeep}>
            Keep editing
          </Button>
          <Button tone="danger" onClick={onDiscard}>
            Discard
          </Button>
        </div>
      }
    >
      They have not been saved.
    </Banner>
  );
}
