/**
 * The renderer's only way to reach data: the preload bridge, typed by the IPC contract.
 * The renderer imports types from src/, never code.
 */
import type { AppEvent, Channel, ClinicBridge, IpcError, Request, Response } from '../../src/ipc/contract';

declare global {
  interface Window {
    clinic: ClinicBridge;
  }
}

export class ApiError extends Error {
  readonly kind: IpcError['kind'];
  readonly details: Record<string, unknown> | undefined;
  constructor(e: IpcError) {
    super(e.message);
    this.kind = e.kind;
    this.details = e.details;
  }
}

type SessionListener = () => void;
const sessionProblemListeners = new Set<SessionListener>();

/** Called when main answers "locked" or "unauthenticated": the session store refreshes itself. */
export function onSessionProblem(l: SessionListener): () => void {
  sessionProblemListeners.add(l);
  return () => sessionProblemListeners.delete(l);
}

const refusedListeners = new Set<SessionListener>();

/**
 * Called when main refuses a request as forbidden or not found: what the user may do changed (an open
 * chart then checks whether it may stay on screen).
 */
export function onRefused(l: SessionListener): () => void {
  refusedListeners.add(l);
  return () => refusedListeners.delete(l);
}

export async function call<C extends Channel>(channel: C, request: Request<C>): Promise<Response<C>> {
  if (!window.clinic)
    throw new ApiError({ kind: 'internal', message: 'The workstation bridge is missing. Restart the application.' });
  const r = await window.clinic.invoke(channel, request);
  if (!r.ok) {
    if ((r.error.kind === 'locked' || r.error.kind === 'unauthenticated') && !channel.startsWith('session.')) {
      for (const l of sessionProblemListeners) l();
    }
    if (r.error.kind === 'forbidden' || r.error.kind === 'not_found') for (const l of refusedListeners) l();
    throw new ApiError(r.error);
  }
  return r.value as Response<C>;
}

export function onAppEvent(listener: (e: AppEvent) => void): () => void {
  return window.clinic?.onEvent(listener) ?? (() => {});
}

/** A sentence for the screen, whatever went wrong. */
export function plainMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return 'The workstation could not complete this. Try again; if it keeps happening, call IT.';
}

/** A message from the sync engine without its technical detail ("… (fetch failed).") in brackets. */
export const withoutDetail = (message: string): string => message.replace(/\s*\([^()]*\)(?=\.?$)/, '');

export type { Channel, Request, Response };
