/**
 * A badge reader is a keyboard wedge: it "types" the tag id, fast, and ends it with Enter. On the sign-in
 * and lock screens a badge is recognised wherever it is typed:
 *  - with the focus on no text field (a tab, a button, the page), any 4+ badge characters then Enter;
 *  - inside a text field, only a burst typed faster than a person types (every key within FAST_MS of the
 *    last): the characters are taken out of the field again and read as the badge.
 * PIN fields (data-wedge="off") are left alone.
 */
import { useEffect, useRef } from 'react';

export const FAST_MS = 35;
const PAUSE_MS = 2_000;
const BADGE_CHAR = /^[A-Za-z0-9:-]$/;
const MIN_LENGTH = 4;

export interface WedgeRead {
  badge: string;
  /** The text field the reader typed into, and what it held before, so the view can put it back. */
  field: HTMLInputElement | HTMLTextAreaElement | null;
  before: string;
}

const isTextField = (el: Element | null): el is HTMLInputElement | HTMLTextAreaElement =>
  el instanceof HTMLTextAreaElement || (el instanceof HTMLInputElement && !['button', 'submit', 'checkbox', 'radio'].includes(el.type));

export function useBadgeWedge(onBadge: (read: WedgeRead) => void, enabled = true): void {
  const handler = useRef(onBadge);
  handler.current = onBadge;
  useEffect(() => {
    if (!enabled) return;
    let keys: Array<{ ch: string; t: number }> = [];
    let field: HTMLInputElement | HTMLTextAreaElement | null = null;
    let before = '';
    const reset = (): void => { keys = []; field = null; before = ''; };
    const onKey = (e: KeyboardEvent): void => {
      const el = document.activeElement;
      if (el instanceof HTMLElement && el.dataset.wedge === 'off') { reset(); return; }
      if (e.ctrlKey || e.metaKey || e.altKey) { reset(); return; }
      const inField = isTextField(el);
      if (e.key.length === 1 && BADGE_CHAR.test(e.key)) {
        const last = keys.at(-1);
        if (last && e.timeStamp - last.t > (inField ? FAST_MS : PAUSE_MS)) reset();
        if (keys.length === 0) { field = inField ? el : null; before = inField ? el.value : ''; }
        keys.push({ ch: e.key, t: e.timeStamp });
        return;
      }
      if (e.key === 'Enter') {
        const last = keys.at(-1);
        const fresh = last !== undefined && e.timeStamp - last.t <= (inField ? FAST_MS * 3 : PAUSE_MS);
        if (keys.length >= MIN_LENGTH && fresh && (inField ? field === el : !field)) {
          e.preventDefault();
          e.stopPropagation();
          handler.current({ badge: keys.map((k) => k.ch).join('').toUpperCase(), field, before });
        }
        reset();
        return;
      }
      if (e.key !== 'Shift' && e.key !== 'CapsLock') reset();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [enabled]);
}
