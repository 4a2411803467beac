/**
 * A badge reader is a keyboard wedge: it "types" the tag id, fast, and ends it with Enter. On the sign-in
 * and lock screens a badge is recognised wherever it is typed:
 *  - with the focus on no text field (a tab, a button, the page), any 4+ badge characters then Enter;
 *  - inside a text field, only a burst typed faster than a person types (6+ characters, on average
 *    within FAST_MS of each other): the characters are taken out of the field again and read as the badge.
 * PIN fields (data-wedge="off") are left alone.
 */
import { useEffect, useRef } from 'react';

export const FAST_MS = 60;
const PAUSE_MS = 2_000;
/** Within a burst no single gap is longer than this (a busy machine delays a reader's keys a little). */
const MAX_GAP_MS = 200;
const BADGE_CHAR = /^[A-Za-z0-9:-]$/;
const MIN_LENGTH = 4;
const MIN_BURST = 6;

export interface WedgeRead {
  badge: string;
  /** The text field the reader typed into, and what it held before, so the view can put it back. */
  field: HTMLInputElement | HTMLTextAreaElement | null;
  before: string;
}

const isTextField = (el: Element | null): el is HTMLInputElement | HTMLTextAreaElement =>
  el instanceof HTMLTextAreaElement ||
  (el instanceof HTMLInputElement && !['button', 'submit', 'checkbox', 'radio'].includes(el.type));

interface Key {
  ch: string;
  t: number;
  field: HTMLInputElement | HTMLTextAreaElement | null;
  before: string;
}

/** The badge in the keys typed before Enter, if they look like a reader's. */
export function readBadge(keys: Key[], enterAt: number, field: HTMLInputElement | HTMLTextAreaElement | null): Key[] | null {
  if (!field) {
    const outside = keys.filter((k) => k.field === null);
    return outside.length >= MIN_LENGTH && enterAt - outside.at(-1)!.t <= PAUSE_MS ? outside : null;
  }
  // The fast run at the end, typed into this very field.
  let start = keys.length - 1;
  while (start > 0 && keys[start - 1]!.field === field && keys[start]!.t - keys[start - 1]!.t <= MAX_GAP_MS) start--;
  const burst = keys.slice(start).filter((k) => k.field === field);
  if (burst.length < MIN_BURST || enterAt - burst.at(-1)!.t > MAX_GAP_MS) return null;
  const mean = (burst.at(-1)!.t - burst[0]!.t) / (burst.length - 1);
  return mean <= FAST_MS ? burst : null;
}

export function useBadgeWedge(onBadge: (read: WedgeRead) => void, enabled = true): void {
  const handler = useRef(onBadge);
  handler.current = onBadge;
  useEffect(() => {
    if (!enabled) return;
    let keys: Key[] = [];
    const onKey = (e: KeyboardEvent): void => {
      const el = document.activeElement;
      if (el instanceof HTMLElement && el.dataset.wedge === 'off') {
        keys = [];
        return;
      }
      if (e.ctrlKey || e.metaKey || e.altKey) {
        keys = [];
        return;
      }
      const field = isTextField(el) ? el : null;
      if (e.key.length === 1 && BADGE_CHAR.test(e.key)) {
        const last = keys.at(-1);
        if (last && e.timeStamp - last.t > PAUSE_MS) keys = [];
        keys.push({ ch: e.key, t: e.timeStamp, field, before: field ? field.value : '' });
        return;
      }
      if (e.key === 'Enter') {
        const burst = readBadge(keys, e.timeStamp, field);
        keys = [];
        if (burst) {
          e.preventDefault();
          e.stopPropagation();
          handler.current({
            badge: burst
              .map((k) => k.ch)
              .join('')
              .toUpperCase(),
            field,
            before: burst[0]!.before,
          });
        }
        return;
      }
      if (e.key !== 'Shift' && e.key !== 'CapsLock') keys = [];
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [enabled]);
}
