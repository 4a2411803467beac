/** The window: sign-in, lock screen, or the shell with the view the route names. */
import { useEffect } from 'react';
import { Loading } from './components/ui';
import { Shell } from './Shell';
import { isActive, startSessionTracking, useSession } from './store/session';
import { Lock } from './views/Lock';
import { SignIn } from './views/SignIn';
import { RevokedNotice } from './views/RevokedNotice';
import { Diagnostics } from './views/Diagnostics';
import { useRouter } from './store/router';

export function App() {
  const info = useSession((s) => s.info);
  const active = useSession(isActive);
  const lockedLocally = useSession((s) => s.lockedLocally);
  const route = useRouter((s) => s.route);
  useEffect(() => {
    startSessionTracking();
    void useSession.getState().refresh();
  }, []);

  if (!info)
    return (
      <main className="gate">
        <div className="gate-card">
          <Loading label="Starting…" />
        </div>
      </main>
    );
  if (info.status === 'signed_out') {
    // IT may open diagnostics without signing in.
    if (route.path[0] === 'diagnostics')
      return (
        <main className="main">
          <Diagnostics />
        </main>
      );
    if (info.workstation.revoked) return <RevokedNotice workstation={info.workstation.name} revoked={info.workstation.revoked} />;
    return <SignIn workstation={info.workstation.name} />;
  }
  if (info.status === 'locked' || lockedLocally || !active) return <Lock info={info} />;
  return <Shell info={info} />;
}
