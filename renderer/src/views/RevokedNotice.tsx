/**
 * Shown instead of sign-in when an administrator revoked or retired this workstation: its local data
 * was erased (the database key forgotten, the file deleted) and the window says so, why, and what
 * happened to the work saved here — sent before it was erased, or named as lost (issues 13 and 20).
 */
import { Banner } from '../components/ui';
import { dateTime } from '../format';

interface Revoked {
  message: string;
  at: string | null;
  mode?: 'revoked' | 'retired' | null;
  unsent?: { changes: Array<{ what: string; who: string; at: string }>; audit_events: number } | null;
}

export function RevokedNotice({ workstation, revoked }: { workstation: string; revoked: Revoked }) {
  const retired = revoked.mode === 'retired';
  const lost = revoked.unsent?.changes ?? [];
  return (
    <main className="gate">
      <section className="gate-card" aria-labelledby="revoked-title">
        <h1 id="revoked-title">{retired ? 'This workstation was retired' : 'This workstation was revoked'}</h1>
        <div className="muted">{workstation}</div>
        <Banner tone={retired ? 'info' : 'danger'}>{revoked.message}</Banner>
        {lost.length > 0 ? (
          <>
            <p>Changes saved here that did not reach the central server:</p>
            <ul aria-label="Changes not sent">
              {lost.map((c, i) => (
                <li key={i}>
                  {c.what} — {c.who}, {dateTime(c.at)}
                </li>
              ))}
            </ul>
          </>
        ) : null}
        <p>
          No patient data is kept on this computer any more. Nothing can be signed in to or viewed here until IT enrolls it again.
        </p>
        <div className="gate-foot">
          <span>Restart the application, then enroll it again.</span>
          <a href="#/diagnostics">Diagnostics</a>
        </div>
      </section>
    </main>
  );
}
