/** Loading data through the bridge inside a view (data lives in the view and disappears with it). */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, call, plainMessage, type Channel, type Request, type Response } from './api';
import { toast } from './store/toasts';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | null;
  loading: boolean;
  reload(): void;
}

export function useCall<C extends Channel>(channel: C, request: Request<C> | null, deps: unknown[] = []): Loaded<Response<C>> {
  const [state, setState] = useState<{ data: Response<C> | undefined; error: ApiError | null; loading: boolean }>({
    data: undefined,
    error: null,
    loading: request !== null,
  });
  const [tick, setTick] = useState(0);
  const req = useRef(request);
  req.current = request;
  useEffect(() => {
    if (req.current === null) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    call(channel, req.current).then(
      (data) => {
        if (live) setState({ data, error: null, loading: false });
      },
      (e: unknown) => {
        if (live)
          setState({
            data: undefined,
            error: e instanceof ApiError ? e : new ApiError({ kind: 'internal', message: plainMessage(e) }),
            loading: false,
          });
      },
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [channel, tick, ...deps]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/**
 * Runs a write; confirms success in the status bar; returns the result, or undefined on failure with
 * `error` set for the view to show where the user acted. `toastErrors` for actions with no such place.
 */
export function useAction({ toastErrors = false }: { toastErrors?: boolean } = {}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = useCallback(
    async <C extends Channel>(channel: C, request: Request<C>, success?: string): Promise<Response<C> | undefined> => {
      setBusy(true);
      setError(null);
      try {
        const r = await call(channel, request);
        if (success) toast.success(success);
        return r;
      } catch (e) {
        const err = e instanceof ApiError ? e : new ApiError({ kind: 'internal', message: plainMessage(e) });
        setError(err);
        if (toastErrors) toast.error(err.message);
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [toastErrors],
  );
  return { run, busy, error, clearError: () => setError(null) };
}
