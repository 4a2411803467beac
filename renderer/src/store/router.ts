/** Hash routes, so deep links such as #/patients/p-b work inside the app's single page. */
import { create } from 'zustand';

export interface Route {
  path: string[];
  query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [p = '', q = ''] = raw.split('?');
  return { path: p.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(q) };
}

interface RouterState {
  route: Route;
  go(to: string): void;
}

export const useRouter = create<RouterState>((set) => {
  window.addEventListener('hashchange', () => set({ route: parseHash(window.location.hash) }));
  return {
    route: parseHash(window.location.hash),
    go(to) {
      const target = to.startsWith('#') ? to : `#${to}`;
      if (window.location.hash === target) set({ route: parseHash(target) });
      else window.location.hash = target;
    },
  };
});

export const href = (to: string): string => (to.startsWith('#') ? to : `#${to}`);

/** Forgets the current view (and its query): the shell then opens the user's home view. */
export function resetRoute(): void {
  if (window.location.hash) window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}`);
  useRouter.setState({ route: parseHash('') });
}
