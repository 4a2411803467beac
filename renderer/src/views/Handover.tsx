/**
 * The ward handover (issue 18, Deliver 5): per patient the latest SBAR note, NEWS2 and its trend, open
 * alerts, active allergies and what changed since this reader last looked (that time is noted once the
 * view has been shown). Carers write this shift's note here (one per patient per shift). Print gives a
 * handover sheet: the print stylesheet hides the navigation and the buttons.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { Response } from '../api';
import { Button, Dialog, Empty, ErrorNote, Loading, PageHeader, Select, Tag, TextArea, severityTone } from '../components/ui';
import { ageText, count, dateTime, humanize, time } from '../format';
import { call } from '../api';
import { useAction, useCall } from '../hooks';
import { useRouter } from '../store/router';
import { useSession } from '../store/session';
import { HandoverDoses, type DueDose } from './handover/HandoverDoses';

type WardHandover = Response<'handover.ward'>;
type HandoverPatient = WardHandover['patients'][number];

const RISK_TONE = { low: 'success', low_medium: 'warning', medium: 'danger', high: 'critical' } as const;
const RISK_LABEL = { low: 'low', low_medium: 'low–medium', medium: 'medium', high: 'high' } as const;

export function Handover() {
  const { route, go } = useRouter();
  const nowIso = useSession((s) => s.info?.now);
  const now = new Date(nowIso ?? Date.now());
  const wards = useCall('census.wards', {});
  const wardId = route.query.get('ward') ?? null;
  const handover = useCall('handover.ward', { wardId }, [wardId]);
  const doses = useCall('mar.dueNow', { wardId }, [wardId]);
  const [writing, setWriting] = useState<HandoverPatient | null>(null);
  const wardName = wards.data?.find((w) => w.id === wardId)?.name;

  // Shown: what changed is now seen by this reader (the next look says what changed since this one).
  const shownIds = handover.data?.patients.map((p) => p.id).join(',') ?? '';
  useEffect(() => {
    if (!shownIds) return;
    void call('handover.markSeen', { patientIds: shownIds.split(',') }).catch(() => undefined);
  }, [shownIds]);

  const data = handover.data;
  const toWrite = data?.patients.filter((p) => p.can_write).length ?? 0;
  return (
    <div className="handover">
      <PageHeader
        title={wardName ? `Handover — ${wardName}` : 'Handover'}
        subtitle={
          data ? (
            <>
              {humanize(data.shift.name)} shift {time(data.shift.start)}–{time(data.shift.end)} ·{' '}
              {count(data.patients.length, 'patient')}
              {toWrite ? ` · ${count(toWrite, 'note')} to write` : ''}
              <span className="print-only"> · printed {dateTime(now.toISOString())}</span>
            </>
          ) : undefined
        }
        actions={
          <Button className="no-print" onClick={() => window.print()}>
            Print handover sheet
          </Button>
        }
      />
      <div className="row no-print">
        <Select
          label="Ward"
          value={wardId ?? ''}
          placeholder="All wards I can see"
          options={(wards.data ?? []).map((w) => ({ value: w.id, label: `${w.name} (${w.facility_name})` }))}
          onChange={(e) => go(e.target.value ? `/handover?ward=${encodeURIComponent(e.target.value)}` : '/handover')}
        />
      </div>
      <ErrorNote error={handover.error} />
      {!data ? (
        handover.error ? null : (
          <Loading label="Loading the handover…" />
        )
      ) : data.patients.length === 0 ? (
        <Empty>No admitted patients here.</Empty>
      ) : (
        <div className="handover-list">
          {data.patients.map((p) => (
            <HandoverCard key={p.id} p={p} now={now} doses={doses.data} onWrite={() => setWriting(p)} />
          ))}
        </div>
      )}
      {writing ? (
        <WriteNoteDialog
          patient={writing}
          onClose={() => setWriting(null)}
          onSaved={() => {
            setWriting(null);
            handover.reload();
          }}
        />
      ) : null}
    </div>
  );
}

function News2({ n }: { n: NonNullable<HandoverPatient['news2']> }) {
  if (n.not_applicable) return <span className="muted">NEWS2 does not apply (under 16)</span>;
  if (n.total === null || n.risk === null)
    return <span className="muted">NEWS2 incomplete: {n.missing.map((m) => humanize(m).toLowerCase()).join(', ')} missing</span>;
  const trend =
    n.previous_total === null
      ? ''
      : n.total > n.previous_total
        ? `↑ from ${n.previous_total}`
        : n.total < n.previous_total
          ? `↓ from ${n.previous_total}`
          : `→ unchanged`;
  return (
    <span className="handover-news2">
      <Tag tone={RISK_TONE[n.risk]}>
        NEWS2 {n.total} · {RISK_LABEL[n.risk]}
      </Tag>{' '}
      {trend ? (
        <span className={n.previous_total !== null && n.total > n.previous_total ? 'alert-overdue' : 'muted'}>{trend}</span>
      ) : null}{' '}
      <span className="muted">at {dateTime(n.at)}</span>
    </span>
  );
}

function Changes({ c }: { c: HandoverPatient['changes'] }) {
  if (c.since === null) return <span className="muted">First look at this patient here.</span>;
  const parts = [
    c.results ? count(c.results, 'new result') : null,
    c.notes ? count(c.notes, 'new note') : null,
    c.orders ? count(c.orders, 'changed order') : null,
  ].filter(Boolean);
  return (
    <span className={parts.length ? 'handover-changed' : 'muted'}>
      Since you last looked ({dateTime(c.since)}): {parts.length ? parts.join(', ') : 'nothing new'}
    </span>
  );
}

function HandoverCard({
  p,
  now,
  doses,
  onWrite,
}: {
  p: HandoverPatient;
  now: Date;
  doses: DueDose[] | undefined;
  onWrite: () => void;
}) {
  const headingId = useId();
  return (
    <article className="handover-card" aria-labelledby={headingId}>
      <header className="handover-head">
        <h2 id={headingId}>
          <span className="census-room">{p.room_name}</span> {p.name}
        </h2>
        <span className="muted">
          {ageText(p.birth_date, now)} · {p.mrn}
        </span>
        {p.allergy ? (
          <Tag tone={p.allergy.worst === 'life_threatening' ? 'critical' : p.allergy.worst === 'severe' ? 'danger' : 'warning'}>
            Allergies: {p.allergy.substances.join(', ')}
          </Tag>
        ) : null}
        <span className="spacer" />
        {p.note_this_shift ? <Tag tone="success">Note written this shift</Tag> : null}
        {p.can_write ? (
          <Button small tone="primary" className="no-print" onClick={onWrite}>
            Write handover note
          </Button>
        ) : null}
      </header>
      <div className="handover-facts">
        <div>{p.news2 ? <News2 n={p.news2} /> : <span className="muted">No vital signs in the last 72 hours</span>}</div>
        <div>
          {p.open_alerts.length === 0 ? (
            <span className="muted">No open alerts</span>
          ) : (
            <ul className="handover-alerts">
              {p.open_alerts.map((a) => (
                <li key={a.id}>
                  <Tag tone={severityTone(a.severity)}>{humanize(a.severity)}</Tag> {a.message}{' '}
                  <span className="muted">due {dateTime(a.due_at)}</span>
                </li>
              ))}
            </ul>
          )}
          <HandoverDoses patientId={p.id} doses={doses} />
        </div>
        <div>
          <Changes c={p.changes} />
        </div>
      </div>
      {p.note ? (
        <div className="sbar-note">
          <dl className="sbar">
            <div>
              <dt>S</dt>
              <dd>{p.note.situation}</dd>
            </div>
            <div>
              <dt>B</dt>
              <dd>{p.note.background}</dd>
            </div>
            <div>
              <dt>A</dt>
              <dd>{p.note.assessment}</dd>
            </div>
            <div>
              <dt>R</dt>
              <dd>{p.note.recommendation}</dd>
            </div>
          </dl>
          <p className="sbar-by muted">
            {p.note.author_name ?? 'Someone'}, {dateTime(p.note.written_at)}
          </p>
        </div>
      ) : (
        <p className="muted">No handover note yet.</p>
      )}
    </article>
  );
}

function WriteNoteDialog({ patient, onClose, onSaved }: { patient: HandoverPatient; onClose: () => void; onSaved: () => void }) {
  const act = useAction();
  const formId = useId();
  const [sbar, setSbar] = useState({ situation: '', background: '', assessment: '', recommendation: '' });
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const ok = await act.run('handover.write', { patient_id: patient.id, ...sbar }, `Handover note for ${patient.name} saved.`);
    if (ok) onSaved();
  };
  const field = (key: keyof typeof sbar, label: string) => (
    <TextArea
      label={label}
      required
      rows={2}
      maxLength={4000}
      value={sbar[key]}
      onChange={(e) => setSbar({ ...sbar, [key]: e.target.value })}
    />
  );
  return (
    <Dialog
      title={`Handover note — ${patient.name}`}
      onClose={onClose}
      wide
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button tone="primary" type="submit" form={formId} busy={act.busy}>
            Save note
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={(e) => void submit(e)}>
        <ErrorNote error={act.error} />
        {field('situation', 'Situation')}
        {field('background', 'Background')}
        {field('assessment', 'Assessment')}
        {field('recommendation', 'Recommendation')}
      </form>
    </Dialog>
  );
}
