/**
 * Sign-in for a shared ward workstation: badge + PIN (tap and type) or username + password. A badge
 * tapped anywhere on this screen (badgeWedge.ts) switches to the badge form with the badge filled in and
 * the PIN field focused, so the reader's keystrokes never go nowhere.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, call } from '../api';
import { useBadgeWedge } from '../badgeWedge';
import { Banner, Button, Tabs, TextField } from '../components/ui';
import { useSession } from '../store/session';

export function SignIn({ workstation }: { workstation: string }) {
  const [method, setMethod] = useState<'password' | 'badge'>('password');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [badge, setBadge] = useState('');
  const [pin, setPin] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const apply = useSession((s) => s.apply);
  const badgeRef = useRef<HTMLInputElement>(null);
  const pinRef = useRef<HTMLInputElement>(null);
  const [focus, setFocus] = useState<'badge' | 'pin' | null>(null);

  useEffect(() => {
    if (focus === 'badge') badgeRef.current?.focus();
    if (focus === 'pin') pinRef.current?.focus();
    if (focus) setFocus(null);
  }, [focus, method]);

  useBadgeWedge(({ badge: read, field, before }) => {
    if (field && field.name === 'username') setUsername(before);
    if (field && field.name === 'password') setPassword(before);
    setMethod('badge');
    setBadge(read);
    setPin('');
    setError(null);
    setFocus('pin');
  });

  const choose = (m: 'password' | 'badge'): void => {
    setMethod(m);
    setError(null);
    setFocus(m === 'badge' ? 'badge' : null);
  };

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (method === 'badge' && badge.trim() && !pin) {
      pinRef.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      apply(await call('session.signIn', method === 'password' ? { method, username, password } : { method, badge, pin }));
    } catch (err) {
      setError(
        err instanceof ApiError
          ? err
          : new ApiError({ kind: 'internal', message: 'Sign-in did not work. Try again; if it keeps happening, call IT.' }),
      );
      setPassword('');
      setPin('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="gate">
      <form className="gate-card" onSubmit={(e) => void submit(e)} aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in</h1>
        <div className="muted">{workstation} · tap your badge at any time</div>
        <Tabs
          label="Sign-in method"
          value={method}
          onChange={choose}
          tabs={[
            { id: 'password', label: 'Username' },
            { id: 'badge', label: 'Badge' },
          ]}
        />
        {error ? <Banner tone={error.kind === 'locked' ? 'warning' : 'danger'}>{error.message}</Banner> : null}
        {method === 'password' ? (
          <>
            <TextField
              label="Username"
              name="username"
              autoComplete="username"
              autoFocus
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              required
            />
            <TextField
              label="Password"
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
            />
          </>
        ) : (
          <>
            <TextField
              ref={badgeRef}
              label="Badge"
              name="badge"
              hint="Tap your badge on the reader"
              autoComplete="off"
              value={badge}
              onChange={(e) => setBadge(e.target.value)}
              required
              onKeyDown={(e) => {
                if (e.key === 'Enter' && badge.trim()) {
                  e.preventDefault();
                  pinRef.current?.focus();
                }
              }}
            />
            <TextField
              ref={pinRef}
              label="PIN"
              name="pin"
              type="password"
              inputMode="numeric"
              autoComplete="off"
              data-wedge="off"
              value={pin}
              onChange={(e) => setPin(e.target.value)}
              required
            />
          </>
        )}
        <Button tone="primary" type="submit" busy={busy}>
          Sign in
        </Button>
        <div className="gate-foot">
          <span>Patient data is shown only after sign-in.</span>
          <a href="#/diagnostics">Diagnostics</a>
        </div>
      </form>
    </main>
  );
}
