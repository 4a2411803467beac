/**
 * Closing a form that holds typed clinical input (Escape, ×, Cancel) asks first: the values are not saved
 * yet, and a nurse who pressed Escape by accident must not lose a set of vitals. Leaving the view with the
 * form open (browser Back, a link) asks the same, and leaves only on Discard; a form with nothing typed
 * is dropped on leaving, so it never reopens itself on a later visit (issue 18).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { Banner, Button } from '../../components/ui';
import { holdNavigation } from '../../store/router';

export function useDiscardGuard(
  dirty: boolean,
  discard: () => void,
): { asking: boolean; leaving: boolean; close: () => void; keep: () => void; discard: () => void } {
  const [asking, setAsking] = useState<false | 'close' | 'leave'>(false);
  // Stable callbacks: the dialog re-focuses its first field whenever its onClose changes.
  const state = useRef({ dirty, discard, asking });
  state.current = { dirty, discard, asking };
  // Where the user was going when asked (Back, a link); taken only on Discard.
  const leave = useRef<(() => void) | null>(null);
  useEffect(
    () =>
      holdNavigation((proceed) => {
        if (!state.current.dirty) {
          state.current.discard();
          return false;
        }
        leave.current = proceed;
        setAsking('leave');
        return true;
      }),
    [],
  );
  const close = useCallback(() => {
    if (!state.current.dirty) state.current.discard();
    else if (state.current.asking) {
      leave.current = null;
      setAsking(false);
    } else setAsking('close');
  }, []);
  const keep = useCallback(() => {
    leave.current = null;
    setAsking(false);
  }, []);
  const discardNow = useCallback(() => {
    const proceed = leave.current;
    leave.current = null;
    state.current.discard();
    proceed?.();
  }, []);
  return { asking: asking !== false, leaving: asking === 'leave', close, keep, discard: discardNow };
}

export function DiscardPrompt({
  what,
  leaving = false,
  onKeep,
  onDiscard,
}: {
  what: string;
  /** Asked because the user is leaving the view (Back, a link), not closing the form. */
  leaving?: boolean;
  onKeep: () => void;
  onDiscard: () => void;
}) {
  const keep = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    keep.current?.focus();
  }, []);
  return (
    <Banner
      tone="warning"
      title={leaving ? `Leave and discard the ${what} you typed?` : `Discard the ${what} you typed?`}
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
