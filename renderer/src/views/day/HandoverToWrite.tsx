/**
 * The "handover notes to write" part of a nurse's worklist (issue 18): her patients without a note this
 * shift, each a link to the ward handover where the note is written. Its own section, beside the sets
 * and alerts due.
 */
import { Empty, Loading, Section } from '../../components/ui';
import { count, humanize, time } from '../../format';
import { useCall } from '../../hooks';
import { href } from '../../store/router';

export function HandoverToWrite() {
  const toWrite = useCall('handover.toWrite', {});
  const data = toWrite.data;
  return (
    <Section
      title="Handover notes to write"
      id="worklist-handover"
      actions={data ? <span className="muted">{count(data.patients.length, 'patient')}</span> : null}
    >
      {!data ? (
        toWrite.error ? (
          <Empty>{toWrite.error.message}</Empty>
        ) : (
          <Loading label="Loading…" />
        )
      ) : data.patients.length === 0 ? (
        <Empty>
          Every patient of yours has a handover note for this {data.shift.name} shift ({time(data.shift.start)}–
          {time(data.shift.end)}).
        </Empty>
      ) : (
        <>
          <p className="muted">
            {humanize(data.shift.name)} shift {time(data.shift.start)}–{time(data.shift.end)}: no note yet for
          </p>
          <ul className="worklist-handover">
            {data.patients.map((p) => (
              <li key={p.id}>
                <a href={href(`/handover${p.ward_id ? `?ward=${encodeURIComponent(p.ward_id)}` : ''}`)}>
                  {p.room_name ? `${p.room_name} · ` : ''}
                  {p.name}
                </a>
                {p.ward_name ? <span className="muted"> — {p.ward_name}</span> : null}
              </li>
            ))}
          </ul>
        </>
      )}
    </Section>
  );
}
