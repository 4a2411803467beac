/**
 * Short confirmations ("Vitals saved") shown in the status bar, where they cover nothing. Errors are shown
 * where they happened (the form or the view), not here; the few actions without a place of their own
 * (unlocking an account, "Sync now") report their errors here too.
 */
import { create } from 'zustand';

export interface Toast {
  id: number;
  tone: 'success' | 'error' | 'info';
  text: string;
}

interface ToastState {
  toasts: Toast[];
  push(tone: Toast['tone'], text: string): void;
  dismiss(id: number): void;
}

let next = 1;
export const useToasts = create<ToastState>((set, get) => ({
  toasts: [],
  push(tone, text) {
    const id = next++;
    // The same words twice in a row are one message.
    const rest = get().toasts.filter((t) => t.text !== text);
    set({ toasts: [...rest.slice(-2), { id, tone, text }] });
    window.setTimeout(() => get().dismiss(id), tone === 'error' ? 8_000 : 4_000);
  },
  dismiss(id) {
    set({ toasts: get().toasts.filter((t) => t.id !== id) });
  },
}));

export const toast = {
  success: (t: string) => useToasts.getState().push('success', t),
  error: (t: string) => useToasts.getState().push('error', t),
  info: (t: string) => useToasts.getState().push('info', t),
};
