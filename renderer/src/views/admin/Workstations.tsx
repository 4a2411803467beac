/**
 * The organization's workstations and enrollment codes, as the central server knows them, for its
 * administrators (security issue 13): revoking a workstation makes its next request fail and it
 * erases its local data; revoking a code makes it unusable. Needs the server (online sign-in).
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

  const revoke = async (): Promise<void> => {
    if (!revoking) return;
    if (
      await act.run(
        'workstations.revoke',
        { deviceId: revoking.id, reason: reason.trim() || null },
        `${revoking.name} is revoked`,
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
                        {d.revoked_at ? (
                          <Tag tone="danger">Revoked {dateTime(d.revoked_at)}</Tag>
                        ) : (
                          <Tag tone="success">Active</Tag>
                        )}
                        {d.revoke_reason ? <div className="muted">{d.revoke_reason}</div> : null}
                      </td>
                      <td>
                        {d.revoked_at ? null : (
                          <Button small tone="danger" onClick={() => setRevoking(d)}>
                            Revoke
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
          title={`Revoke ${revoking.name}?`}
          onClose={() => setRevoking(null)}
          footer={
            <>
              <Button onClick={() => setRevoking(null)}>Cancel</Button>
              <Button tone="danger" busy={act.busy} onClick={() => void revoke()}>
                Revoke workstation
              </Button>
            </>
          }
        >
          <Banner tone="warning">
            Its next contact with the server is refused and it erases all patient data it holds. Changes it has not synced yet are
            lost.
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
