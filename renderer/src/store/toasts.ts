/** Short confirmations and errors in the corner ("Vitals saved", "Could not save: …"). */
import { create } from 'zustand';

export interface Toast { id: number; tone: 'success' | 'error' | 'info'; text: string }

interface ToastState { toasts: Toast[]; push(tone: Toast['tone'], text: string): void; dismiss(id: number): void }

let next = 1;
export const useToasts = create<ToastState>((set, get) => ({
  toasts: [],
  push(tone, text) {
    const id = next++;
    set({ toasts: [...get().toasts.slice(-3), { id, tone, text }] });
    window.setTimeout(() => get().dismiss(id), tone === 'error' ? 8_000 : 4_000);
  },
  dismiss(id) { set({ toasts: get().toasts.filter((t) => t.id !== id) }); },
}));

export const toast = {
  success: (t: string) => useToasts.getState().push('success', t),
  error: (t: string) => useToasts.getState().push('error', t),
  info: (t: string) => useToasts.getState().push('info', t),
};
