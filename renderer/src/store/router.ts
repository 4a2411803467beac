/**
 * Hash routes, so deep links such as #/patients/p-b work inside the app's single page.
 *
 * A view holding typed clinical input may hold navigation (`holdNavigation`): leaving it — browser Back,
 * a link, `go()` — first asks the holder, which may let it pass or keep the user where they are and
 * ask whether to discard (issue 18: Back in the middle of a vitals entry gave no prompt). While held,
 * the address shows where the user still is; resetRoute (sign-out, another user) is never held.
 */
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

/**
 * Asked before the route changes: answer true to hold the user here (then call `proceed` once they
 * agree to leave), false to let them go.
 */
export type NavigationHold = (proceed: () => void) => boolean;

const holds = new Set<NavigationHold>();

export function holdNavigation(hold: NavigationHold): () => void {
  holds.add(hold);
  return () => holds.delete(hold);
}

interface RouterState {
  route: Route;
  go(to: string): void;
}

const urlWith = (hash: string): string => `${window.location.pathname}${window.location.search}${hash}`;

// The hash the shown route belongs to (what the address bar returns to while a hold asks).
let shown = window.location.hash;

export const useRouter = create<RouterState>((set) => {
  const arrive = (hash: string): void => {
    shown = hash;
    set({ route: parseHash(hash) });
  };
  window.addEventListener('hashchange', () => {
    const target = window.location.hash;
    if (target === shown) return;
    const proceed = (): void => {
      window.history.replaceState(window.history.state, '', urlWith(target));
      arrive(target);
    };
    for (const hold of [...holds]) {
      if (hold(proceed)) {
        // Stay: the entry the browser moved to shows this view's address until the user decides.
        window.history.replaceState(window.history.state, '', urlWith(shown));
        return;
      }
    }
    arrive(target);
  });
  return {
    route: parseHash(window.location.hash),
    go(to) {
      const target = to.startsWith('#') ? to : `#${to}`;
      if (window.location.hash === target) arrive(target);
      else window.location.hash = target;
    },
  };
});

export const href = (to: string): string => (to.startsWith('#') ? to : `#${to}`);

/** Forgets the current view (and its query): the shell then opens the user's home view. */
export function resetRoute(): void {
  if (window.location.hash) window.history.replaceState(null, '', urlWith(''));
  shown = '';
  useRouter.setState({ route: parseHash('') });
}
