/** Sign-in for a shared ward workstation: badge + PIN (tap and type) or username + password. */
import { useState, type FormEvent } from 'react';
import { ApiError, call } from '../api';
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

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      apply(await call('session.signIn', method === 'password' ? { method, username, password } : { method, badge, pin }));
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError({ kind: 'internal', message: 'Sign-in failed.' }));
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
        <div className="muted">{workstation}</div>
        <Tabs label="Sign-in method" value={method} onChange={(m) => { setMethod(m); setError(null); }}
          tabs={[{ id: 'password', label: 'Username' }, { id: 'badge', label: 'Badge' }]} />
        {error ? <Banner tone={error.kind === 'locked' ? 'warning' : 'danger'}>{error.message}</Banner> : null}
        {method === 'password' ? (
          <>
            <TextField label="Username" name="username" autoComplete="username" autoFocus value={username} onChange={(e) => setUsername(e.target.value)} required />
            <TextField label="Password" name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
          </>
        ) : (
          <>
            <TextField label="Badge" name="badge" hint="Tap your badge on the reader" autoFocus value={badge} onChange={(e) => setBadge(e.target.value)} required />
            <TextField label="PIN" name="pin" type="password" inputMode="numeric" autoComplete="off" value={pin} onChange={(e) => setPin(e.target.value)} required />
          </>
        )}
        <Button tone="primary" type="submit" busy={busy}>Sign in</Button>
        <div className="gate-foot"><span>Patient data is shown only after sign-in.</span><a href="#/diagnostics">Diagnostics</a></div>
      </form>
    </main>
  );
}
