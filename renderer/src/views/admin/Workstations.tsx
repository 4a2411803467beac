/**
 * The organization's workstations and enrollment codes, as the central server knows them, for its
 * administrators (security issue 13): revoking a code makes it unusable. A workstation is either
 * retired — it sends what it has not sent, then erases its local data — or revoked as compromised —
 * refused at once and erased on its next contact (issue 20). The view says what the server received
 * from each and what it reported it had not sent (who, what, when). Needs the server (online sign-in).
 */
import { useState } from 'react';
import { Banner, Button, Dialog, Empty, ErrorNote, Loading, PageHeader, Section, Tag, TextField } from '../../components/ui';
import { dateTime, humanize } from '../../format';
import { useAction, useCall } from '../../hooks';
import type { Response } from '../../api';

type Device = Response<'workstations.list'>['devices'][number];

const codeTone = (s: string) => (s === 'usable' ? 'success' : s === 'used' ? 'neutral' : 'warning');

export function Workstations({ orgId, orgName, onBack }: { orgId: string; orgName: string; onBack: () => void }) {
  const list = useCall('workstations.list', orgId ? { orgId } : null, [orgId]);
  const act = useAction();
  const [revoking, setRevoking] = useState<Device | null>(null);
  const [reason, setReason] = useState('');

  const revoke = async (mode: 'retire' | 'compromised'): Promise<void> => {
    if (!revoking) return;
    if (
      await act.run(
        'workstations.revoke',
        { deviceId: revoking.id, reason: reason.trim() || null, mode },
        mode === 'retire' ? `${revoking.name} is being retired` : `${revoking.name} is revoked`,
      )
    ) {
      setRevoking(null);
      setReason('');
      list.reload();
    }
  };
  const revokeCode = async (id: string): Promise<void> => {
    if (await act.run('enrollmentCodes.revoke', { codeId: id }, 'Enrollment code revoked')) list.reload();
  };

  return (
    <div className="admin-view">
      <PageHeader
        title="Workstations"
        subtitle={`${orgName} · enrolled computers and enrollment codes`}
        actions={<Button onClick={onBack}>Back to users</Button>}
      />
      <ErrorNote error={list.error} />
      {list.loading && !list.data ? <Loading /> : null}
      {list.data ? (
        <>
          <Section title="Workstations">
            {list.data.devices.length === 0 ? (
              <Empty>No workstation is enrolled.</Empty>
            ) : (
              <table className="table" aria-label="Workstations">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Enrolled</th>
                    <th>Last seen</th>
                    <th>Audit log</th>
                    <th>Status</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {list.data.devices.map((d) => (
                    <tr key={d.id}>
                      <td>
                        <strong>{d.name}</strong>
                        {d.this_workstation ? <span className="muted"> (this one)</span> : null}
                        <div className="muted mono">{d.id}</div>
                      </td>
                      <td className="nowrap">{dateTime(d.enrolled_at)}</td>
                      <td className="nowrap">
                        {d.last_seen_at ? dateTime(d.last_seen_at) : <span className="muted">never</span>}
                      </td>
                      <td>{d.signed_audit ? <Tag tone="success">Signed</Tag> : <Tag tone="warning">Not yet signed</Tag>}</td>
                      <td>
                        <DeviceStatus d={d} />
                      </td>
                      <td>
                        {d.revoked_at ? null : (
                          <Button small tone="danger" onClick={() => setRevoking(d)}>
                            {d.retire_requested_at ? 'Revoke now' : 'Retire or revoke'}
                          </Button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Section>
          <Section title="Enrollment codes">
            {list.data.codes.length === 0 ? (
              <Empty>No enrollment codes were made.</Empty>
            ) : (
              <table className="table" aria-label="Enrollment codes">
                <thead>
                  <tr>
                    <th>Code</th>
                    <th>Made by</th>
                    <th>Made</th>
                    <th>Expires</th>
                    <th>Status</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {list.data.codes.map((c) => (
                    <tr key={c.id}>
                      <td className="mono">{c.id}</td>
                      <td>{c.created_by}</td>
                      <td className="nowrap">{dateTime(c.created_at)}</td>
                      <td className="nowrap">{dateTime(c.expires_at)}</td>
                      <td>
                        <Tag tone={codeTone(c.status)}>
                          {c.status === 'creator_lost_right' ? 'Creator no longer admin' : humanize(c.status)}
                        </Tag>
                      </td>
                      <td>
                        {c.status === 'usable' ? (
                          <Button small busy={act.busy} onClick={() => void revokeCode(c.id)}>
                            Revoke
                          </Button>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Section>
        </>
      ) : null}
      {revoking ? (
        <Dialog
          title={`Retire or revoke ${revoking.name}?`}
          onClose={() => setRevoking(null)}
          footer={
            <>
              <Button onClick={() => setRevoking(null)}>Cancel</Button>
              {revoking.retire_requested_at ? null : (
                <Button busy={act.busy} onClick={() => void revoke('retire')}>
                  Retire workstation
                </Button>
              )}
              <Button tone="danger" busy={act.busy} onClick={() => void revoke('compromised')}>
                Revoke now (compromised)
              </Button>
            </>
          }
        >
          <Banner tone="info" title="Retire (replaced, moved, sent for repair)">
            Nobody can sign in there any more. At its next contact it sends the changes and audit events it has not sent yet, then
            erases all patient data it holds. Anything it cannot send is listed here, with who saved it and when.
          </Banner>
          <Banner tone="warning" title="Revoke now (lost, stolen, tampered with)">
            Its next contact is refused and it erases all patient data it holds at once. Changes it has not sent are lost with it;
            what they were is listed here if it can still say so.
          </Banner>
          <TextField
            label="Reason (shown on the workstation)"
            value={reason}
            maxLength={500}
            onChange={(e) => setReason(e.target.value)}
          />
          <ErrorNote error={act.error} />
        </Dialog>
      ) : null}
    </div>
  );
}

/** Active, retiring, retired or revoked; what the server received from it and what it reported it had not sent. */
function DeviceStatus({ d }: { d: Device }) {
  return (
    <>
      {d.revoked_at ? (
        d.revoke_mode === 'retire' ? (
          <Tag tone="neutral">Retired {dateTime(d.revoked_at)}</Tag>
        ) : (
          <Tag tone="danger">Revoked {dateTime(d.revoked_at)}</Tag>
        )
      ) : d.retire_requested_at ? (
        <Tag tone="warning">Retiring since {dateTime(d.retire_requested_at)}</Tag>
      ) : (
        <Tag tone="success">Active</Tag>
      )}
      {d.revoke_reason ? <div className="muted">{d.revoke_reason}</div> : null}
      {d.received && (d.revoked_at || d.retire_requested_at) ? (
        <div className="muted">
          Received from it: {d.received.changes} change{d.received.changes === 1 ? '' : 's'}, {d.received.audit_events} audit
          event
          {d.received.audit_events === 1 ? '' : 's'}
          {d.received.last_at ? ` (last ${dateTime(d.received.last_at)})` : ''}
        </div>
      ) : null}
      {d.unsent ? <Unsent unsent={d.unsent} /> : null}
    </>
  );
}

function Unsent({ unsent }: { unsent: NonNullable<Device['unsent']> }) {
  const nothing = unsent.changes.length === 0 && unsent.audit_events === 0;
  return (
    <div className="muted" aria-label="Not received from it">
      {nothing
        ? 'It had sent everything before its data was erased.'
        : `Not received from it: ${unsent.changes.length} change${unsent.changes.length === 1 ? '' : 's'}, ${unsent.audit_events} audit event${unsent.audit_events === 1 ? '' : 's'}`}
      {unsent.trust === 'after_revocation' ? ' (reported by it after its revocation: unverified)' : ''}
      {unsent.changes.length > 0 ? (
        <ul>
          {unsent.changes.map((c, i) => (
            <li key={i}>
              {c.summary} — {c.actor_name ?? c.actor}, {dateTime(c.created_at)}
              {c.reason ? ` (${c.reason})` : ''}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
