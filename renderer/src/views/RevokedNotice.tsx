/**
 * Shown instead of sign-in when an administrator revoked this workstation: its local data was erased
 * (the database key forgotten, the file deleted) and the window says so and why (security issue 13).
 */
import { Banner } from '../components/ui';

export function RevokedNotice({
  workstation,
  revoked,
}: {
  workstation: string;
  revoked: { message: string; at: string | null };
}) {
  return (
    <main className="gate">
      <section className="gate-card" aria-labelledby="revoked-title">
        <h1 id="revoked-title">This workstation was revoked</h1>
        <div className="muted">{workstation}</div>
        <Banner tone="danger">{revoked.message}</Banner>
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
