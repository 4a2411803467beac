/** The lock screen: nothing of the previous view is mounted. The same user unlocks; anyone else switches. */
import { useState, type FormEvent } from 'react';
import { ApiError, call } from '../api';
import { Banner, Button, TextField } from '../components/ui';
import { useSession, type SessionInfo } from '../store/session';

export function Lock({ info }: { info: SessionInfo }) {
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const apply = useSession((s) => s.apply);

  const unlock = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      apply(await call('session.unlock', { secret }));
    } catch (err) {
      setError(err instanceof ApiError ? err : null);
      setSecret('');
    } finally {
      setBusy(false);
    }
  };
  const switchUser = async (): Promise<void> => { apply(await call('session.signOut', {})); };

  return (
    <main className="gate">
      <form className="gate-card" onSubmit={(e) => void unlock(e)} aria-labelledby="lock-title">
        <h1 id="lock-title">Workstation locked</h1>
        <div className="muted">Locked for {info.user?.name}. Patient data is hidden.</div>
        {error ? <Banner tone="danger">{error.message}</Banner> : null}
        <TextField label="Password or PIN" name="secret" type="password" autoFocus autoComplete="current-password" value={secret} onChange={(e) => setSecret(e.target.value)} required />
        <Button tone="primary" type="submit" busy={busy}>Unlock</Button>
        <Button tone="ghost" onClick={() => void switchUser()}>Switch user</Button>
      </form>
    </main>
  );
}
