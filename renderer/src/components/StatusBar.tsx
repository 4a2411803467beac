/**
 * Sync as the person at the screen needs it (issue 18): ONE sentence for the connection (offline says
 * why and that changes are kept, once), how many changes are not sent yet, the last sync, and the
 * changes the server refused — their author's own, with the reason. When the data is 15 minutes old or
 * more (electron/syncStatus.ts), a bar above every view says how old, in words.
 */
import { useState } from 'react';
import { withoutDetail } from '../api';
import { count, dateTime, duration } from '../format';
import { useSync, type SyncStatus } from '../store/sync';
import { useToasts } from '../store/toasts';

/** The connection in one sentence. */
export function connectionSentence(s: SyncStatus): string {
  switch (s.mode) {
    case 'local_only':
      return 'Local only (not enrolled)';
    case 'syncing':
      return 'Syncing…';
    case 'online':
      return 'Online';
    case 'offline':
      // The engine's sentence already says that changes are kept and sent later: not said twice.
      return `Offline: ${withoutDetail(s.last_error ?? 'the server cannot be reached; changes stay on this workstation and are sent when the connection is back.')}`;
  }
}

export function StatusBar() {
  const status = useSync((s) => s.status);
  const [showRejected, setShowRejected] = useState(false);
  const [showHeld, setShowHeld] = useState(false);
  if (!status)
    return (
      <footer className="statusbar">
        <Toasts />
      </footer>
    );
  const dot = status.mode === 'online' || status.mode === 'syncing' ? 'online' : status.mode === 'offline' ? 'offline' : '';
  return (
    <footer className="statusbar" aria-label="Sync status">
      <span className="sync-sentence">
        <span className={`dot ${dot}`} />
        {connectionSentence(status)}
      </span>
      {status.mode !== 'local_only' ? (
        <span>{status.pending > 0 ? `${count(status.pending, 'change')} not sent yet` : 'Everything sent'}</span>
      ) : null}
      {status.mode !== 'local_only' ? (
        <span>Last sync: {status.last_sync_at ? dateTime(status.last_sync_at) : 'never'}</span>
      ) : null}
      {status.rejected.length > 0 ? (
        <span className="rejected">
          <button type="button" onClick={() => setShowRejected((v) => !v)}>
            {count(status.rejected.length, 'change')} of yours not accepted
          </button>
        </span>
      ) : null}
      {status.held.length > 0 ? (
        <span className="rejected">
          <button type="button" onClick={() => setShowHeld((v) => !v)}>
            {count(status.held.length, 'change')} of yours waiting for your sign-in
          </button>
        </span>
      ) : null}
      <Toasts />
      {showRejected ? <RejectedChanges status={status} onClose={() => setShowRejected(false)} /> : null}
      {showHeld ? <HeldChanges status={status} onClose={() => setShowHeld(false)} /> : null}
    </footer>
  );
}

function RejectedChanges({ status, onClose }: { status: SyncStatus; onClose: () => void }) {
  return (
    <div className="dialog-backdrop" onMouseDown={onClose}>
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-label="Changes not accepted"
        onMouseDown={(e) => e.stopPropagation()}
      >
        <div className="dialog-head">
          <h2>Your changes the server did not accept</h2>
          <button type="button" className="dialog-close" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </div>
        <div className="dialog-body">
          <table className="table" aria-label="Changes not accepted">
            <thead>
              <tr>
                <th>Change</th>
                <th>By</th>
                <th>Why</th>
                <th>When</th>
              </tr>
            </thead>
            <tbody>
              {status.rejected.map((r) => (
                <tr key={r.id}>
                  <td>{r.summary}</td>
                  <td className="nowrap">{r.by ?? '—'}</td>
                  <td>{r.reason}</td>
                  <td className="nowrap">{r.at ? dateTime(r.at) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </div>
  );
}

/** Changes kept on this workstation until their author confirms them (issue 20: proof of a person). */
function HeldChanges({ status, onClose }: { status: SyncStatus; onClose: () => void }) {
  return (
    <div className="dialog-backdrop" onMouseDown={onClose}>
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-label="Changes waiting for their author"
        onMouseDown={(e) => e.stopPropagation()}
      >
        <div className="dialog-head">
          <h2>Your changes kept here, waiting for your sign-in</h2>
          <button type="button" className="dialog-close" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </div>
        <div className="dialog-body">
          <p>They are not lost: each is sent as soon as you confirm it by signing in here with your password.</p>
          <table className="table" aria-label="Changes waiting for their author">
            <thead>
              <tr>
                <th>Change</th>
                <th>Why it waits</th>
              </tr>
            </thead>
            <tbody>
              {status.held.map((r) => (
                <tr key={r.id}>
                  <td>{r.summary}</td>
                  <td>{r.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </div>
  );
}

/** Above every view while the data is old: how old, in words, and what that means. */
export function StaleDataBar() {
  const status = useSync((s) => s.status);
  if (!status?.stale) return null;
  const age = status.data_age_minutes;
  return (
    <div className="stale-data" role="status">
      <strong>{age === null ? 'This workstation has not synced yet' : `The data shown is ${duration(age * 60_000)} old`}</strong>
      <span>
        {status.last_sync_at ? ` (last sync ${dateTime(status.last_sync_at)}). ` : '. '}
        Results, notes and alerts recorded elsewhere since then are not shown here.
      </span>
    </div>
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
