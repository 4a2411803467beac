/** The signed-in frame: top bar, navigation from capabilities, the routed view, status bar, toasts. */
import { useEffect, useState } from 'react';
import { call, onAppEvent, withoutDetail, type Response } from './api';
import { Button } from './components/ui';
import { dateTime } from './format';
import { homeFor, routeFor, NAV } from './routes';
import { href, useRouter } from './store/router';
import { useSession, type SessionInfo } from './store/session';
import { useToasts } from './store/toasts';

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
      ) : (
        <div />
      )}
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

function StatusBar() {
  const [status, setStatus] = useState<Response<'sync.status'> | null>(null);
  const [showRejected, setShowRejected] = useState(false);
  useEffect(() => {
    let live = true;
    const load = (): void => {
      call('sync.status', {}).then(
        (s) => {
          if (live) setStatus(s);
        },
        () => undefined,
      );
    };
    load();
    const timer = window.setInterval(load, 10_000);
    const off = onAppEvent((e) => {
      if (e.type === 'sync') setStatus(e.status);
    });
    return () => {
      live = false;
      window.clearInterval(timer);
      off();
    };
  }, []);
  if (!status)
    return (
      <footer className="statusbar">
        <Toasts />
      </footer>
    );
  const label = { local_only: 'Local only (not enrolled)', online: 'Online', offline: 'Offline', syncing: 'Syncing…' }[
    status.mode
  ];
  return (
    <footer className="statusbar" aria-label="Sync status">
      <span>
        <span
          className={`dot ${status.mode === 'online' || status.mode === 'syncing' ? 'online' : status.mode === 'offline' ? 'offline' : ''}`}
        />
        {label}
      </span>
      <span>
        {status.pending} pending change{status.pending === 1 ? '' : 's'}
      </span>
      <span>Last sync: {status.last_sync_at ? dateTime(status.last_sync_at) : 'never'}</span>
      {status.rejected.length > 0 ? (
        <span className="rejected">
          <button type="button" onClick={() => setShowRejected((v) => !v)}>
            {status.rejected.length} change{status.rejected.length === 1 ? '' : 's'} not accepted
          </button>
        </span>
      ) : null}
      {status.last_error ? (
        <span className="muted">
          {withoutDetail(status.last_error)}
          {status.pending > 0 ? ' Your changes are kept and sent when it is back.' : ''}
        </span>
      ) : null}
      <Toasts />
      {showRejected ? (
        <div className="dialog-backdrop" onMouseDown={() => setShowRejected(false)}>
          <div
            className="dialog"
            role="dialog"
            aria-modal="true"
            aria-label="Changes not accepted"
            onMouseDown={(e) => e.stopPropagation()}
          >
            <div className="dialog-head">
              <h2>Changes the server did not accept</h2>
              <button type="button" className="dialog-close" aria-label="Close" onClick={() => setShowRejected(false)}>
                ×
              </button>
            </div>
            <div className="dialog-body">
              <table className="table">
                <thead>
                  <tr>
                    <th>Change</th>
                    <th>Why</th>
                    <th>When</th>
                  </tr>
                </thead>
                <tbody>
                  {status.rejected.map((r) => (
                    <tr key={r.id}>
                      <td>{r.summary}</td>
                      <td>{r.reason}</td>
                      <td>{r.at ? dateTime(r.at) : ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        </div>
      ) : null}
    </footer>
  );
}

/** The latest confirmation, in the status bar: it never covers the view. */
function Toasts() {
  const latest = useToasts((s) => s.toasts.at(-1));
  return (
    <span className="toasts" role="status" aria-live="polite">
      {latest ? (
        <span key={latest.id} className={`toast toast-${latest.tone}`}>
          {latest.text}
        </span>
      ) : null}
    </span>
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
