/** The signed-in frame: top bar, navigation from capabilities, the routed view, status bar, toasts. */
import { useEffect } from 'react';
import { call } from './api';
import { StaleDataBar, StatusBar } from './components/StatusBar';
import { Button } from './components/ui';
import { homeFor, routeFor, NAV } from './routes';
import { href, useRouter } from './store/router';
import { useSession, type SessionInfo } from './store/session';
import { trackSyncStatus } from './store/sync';

export function Shell({ info }: { info: SessionInfo }) {
  const { route, go } = useRouter();
  const apply = useSession((s) => s.apply);
  const lockNow = useSession((s) => s.lockNow);
  const caps = new Set(info.capabilities);
  const nav = NAV.filter((n) => caps.has(n.capability));
  const current = routeFor(route.path, info);
  const home = homeFor(info);

  useEffect(() => {
    if (route.path.length === 0 && home) go(home);
  }, [route.path.length, home, go]);
  useEffect(() => trackSyncStatus(), []);

  const exitViewAs = async (): Promise<void> => {
    apply(await call('session.viewAs', { userId: null }));
    go('/organizations');
  };
  const signOut = async (): Promise<void> => {
    apply(await call('session.signOut', {}));
  };

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Clinic workstation</span>
        <span className="where">
          {info.workstation.name}
          {info.user?.org_name ? ` · ${info.user.org_name}` : ''}
        </span>
        <span className="spacer" />
        <span className="who">
          <span>{info.user?.name}</span>
          <small>{info.user?.username}</small>
        </span>
        <Button small onClick={() => void lockNow()} title="Lock the screen (Ctrl+L)">
          Lock
        </Button>
        <Button small onClick={() => void signOut()}>
          Switch user
        </Button>
      </header>
      <div className="notices">
        <StaleDataBar />
        {info.view_as ? (
          <div className="viewas" role="status">
            <span>
              Viewing as <strong>{info.view_as.name}</strong> ({info.view_as.username}) — read-only. Everything you see is decided
              as this user.
            </span>
            <Button small onClick={() => void exitViewAs()}>
              Exit view
            </Button>
          </div>
        ) : null}
      </div>
      <div className="body">
        <nav className="nav" aria-label="Main">
          {nav.map((n) => (
            <a key={n.to} href={href(n.to)} aria-current={route.path[0] === n.to.slice(1).split(/[/?]/)[0] ? 'page' : undefined}>
              {n.label}
            </a>
          ))}
        </nav>
        <main className="main" id="main">
          {current}
        </main>
      </div>
      <StatusBar />
      <ShortcutKeys onLock={() => void lockNow()} />
    </div>
  );
}

function ShortcutKeys({ onLock }: { onLock: () => void }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'l') {
        e.preventDefault();
        onLock();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onLock]);
  return null;
}
