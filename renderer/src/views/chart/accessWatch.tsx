/**
 * Access ends on screen when it ends in the policy (issue 20): an open chart asks main whether it may
 * stay — at the moment its access is due to end (a break-glass window, a shift), every few seconds
 * (a role revoked arrives by sync), after a sync, and when a request was refused — and closes with a
 * sentence saying why. Asking returns nothing of the chart and is not a read.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { call, onAppEvent, onRefused, type Response } from '../../api';
import { Banner, PageHeader } from '../../components/ui';
import { time } from '../../format';
import { href } from '../../store/router';

type Ended = Extract<Response<'chart.access'>, { open: false }>;

/** How often an open chart asks anyway (a revoked role arrives by sync at any moment). */
const EVERY_MS = 15_000;

/** `opened`: the chart is on screen (one never opened is "not found", not "closed"). */
export function useAccessWatch(patientId: string, opened: boolean): Ended | null {
  const [ended, setEnded] = useState<Ended | null>(null);
  const [until, setUntil] = useState<{ at: string; now: string } | null>(null);
  const since = useRef<string | null>(null);
  const check = useCallback(async () => {
    try {
      const a = await call('chart.access', { patientId, since: since.current });
      if (a.open) {
        since.current = a.now;
        setUntil(a.until ? { at: a.until, now: a.now } : null);
      } else setEnded(a);
    } catch {
      // Locked or signed out: the session's own screen takes over.
    }
  }, [patientId]);
  useEffect(() => {
    if (!opened) return;
    void check();
    const every = setInterval(() => void check(), EVERY_MS);
    const offRefused = onRefused(() => void check());
    const offSync = onAppEvent((e) => {
      if (e.type === 'sync') void check();
    });
    return () => {
      clearInterval(every);
      offRefused();
      offSync();
    };
  }, [check, opened]);
  // The moment it is due to end, measured on main's clock (the workstation's corrected time).
  useEffect(() => {
    if (!until) return;
    const timer = setTimeout(() => void check(), Math.max(0, Date.parse(until.at) - Date.parse(until.now)) + 250);
    return () => clearTimeout(timer);
  }, [until, check]);
  return ended;
}

/** What the screen says instead of the chart. */
export function accessEndedSentence(e: Ended): string {
  switch (e.why) {
    case 'break_glass_ended':
      return `Emergency access to this chart ended at ${e.at ? time(e.at) : 'its time limit'}. If the emergency goes on, open emergency access again.`;
    case 'shift_ended':
      return `Your shift ended at ${e.at ? time(e.at) : 'its end'}, and with it your access to this chart.`;
    default:
      return 'Your access to this chart has ended: what allowed it changed (a role or assignment was removed, or the patient moved out of your care or was marked restricted).';
  }
}

export function AccessEnded({ ended }: { ended: Ended }) {
  return (
    <div className="narrow">
      <PageHeader title="Chart closed" />
      <Banner
        tone="warning"
        title="The chart was closed."
        action={
          ended.why === 'break_glass_ended' ? (
            <a className="btn btn-secondary" href={href('/break-glass')}>
              Emergency access
            </a>
          ) : (
            <a className="btn btn-secondary" href="#/">
              Back to start
            </a>
          )
        }
      >
        {accessEndedSentence(ended)} Nothing of it is shown any more; anything not yet saved for this patient was discarded.
      </Banner>
    </div>
  );
}
