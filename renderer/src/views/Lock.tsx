/**
 * The lock screen: nothing of the previous view is mounted. The same user unlocks with password or PIN;
 * anyone may tap their badge (badgeWedge.ts) and sign in with its PIN — the locked user carries on where
 * they were, anyone else starts on their own home view with nothing of the previous user's.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, call } from '../api';
import { useBadgeWedge } from '../badgeWedge';
import { Banner, Button, TextField } from '../components/ui';
import { useSession, type SessionInfo } from '../store/session';

export function Lock({ info }: { info: SessionInfo }) {
  const [secret, setSecret] = useState('');
  const [badge, setBadge] = useState<string | null>(null);
  const [pin, setPin] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const apply = useSession((s) => s.apply);
  const pinRef = useRef<HTMLInputElement>(null);

  useBadgeWedge(({ badge: read }) => {
    setSecret('');
    setPin('');
    setError(null);
    setBadge(read);
  });
  useEffect(() => {
    if (badge) pinRef.current?.focus();
  }, [badge]);

  const attempt = async (request: () => Promise<SessionInfo>): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      apply(await request());
    } catch (err) {
      setError(
        err instanceof ApiError
          ? err
          : new ApiError({ kind: 'internal', message: 'Unlocking did not work. Try again; if it keeps happening, call IT.' }),
      );
      setSecret('');
      setPin('');
    } finally {
      setBusy(false);
    }
  };
  const unlock = (e: FormEvent): void => {
    e.preventDefault();
    void attempt(() => call('session.unlock', { secret }));
  };
  const badgeSignIn = (e: FormEvent): void => {
    e.preventDefault();
    if (badge) void attempt(() => call('session.signIn', { method: 'badge', badge, pin }));
  };
  const switchUser = async (): Promise<void> => {
    apply(await call('session.signOut', {}));
  };

  return (
    <main className="gate">
      {badge ? (
        <form className="gate-card" onSubmit={badgeSignIn} aria-labelledby="lock-title">
          <h1 id="lock-title">Workstation locked</h1>
          <div className="muted">Badge read. Enter its PIN to sign in.</div>
          {error ? <Banner tone="danger">{error.message}</Banner> : null}
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
          <Button tone="primary" type="submit" busy={busy}>
            Sign in
          </Button>
          <Button
            tone="ghost"
            onClick={() => {
              setBadge(null);
              setError(null);
            }}
          >
            Back
          </Button>
        </form>
      ) : (
        <form className="gate-card" onSubmit={unlock} aria-labelledby="lock-title">
          <h1 id="lock-title">Workstation locked</h1>
          <div className="muted">
            Locked for {info.user?.name}. Patient data is hidden. Anyone may tap their badge to sign in.
          </div>
          {error ? <Banner tone="danger">{error.message}</Banner> : null}
          <TextField
            label="Password or PIN"
            name="secret"
            type="password"
            autoFocus
            autoComplete="current-password"
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
            required
          />
          <Button tone="primary" type="submit" busy={busy}>
            Unlock
          </Button>
          <Button tone="ghost" onClick={() => void switchUser()}>
            Switch user
          </Button>
        </form>
      )}
    </main>
  );
}
