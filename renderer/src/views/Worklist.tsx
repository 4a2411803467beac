/**
 * A nurse's worklist on "My day" (issue 18): one list of typed items — sets of vital signs due, alerts
 * due, doses due and overdue (issue 19) — overdue first. A new kind of item is one more entry of
 * ITEM_VIEWS: how it is named and tagged; the list, its order and its links stay as they are (a dose
 * links to the patient's MAR, where it is given).
 */
import type { ReactNode } from 'react';
import type { Response } from '../api';
import { Empty, Section, Tag, severityTone } from '../components/ui';
import { dateTime, humanize } from '../format';
import { href } from '../store/router';
import { riskTone } from './chart/news2View';

type Item = Response<'worklist.mine'>[number];

const ITEM_VIEWS: { [K in Item['kind']]: (item: Extract<Item, { kind: K }>) => { what: string; tag: ReactNode } } = {
  set_due: (i) => ({
    what: 'Vital signs due',
    tag: i.news2_total === null ? <Tag>Obs</Tag> : <Tag tone={riskTone(i.news2_risk as never)}>NEWS2 {i.news2_total}</Tag>,
  }),
  alert_due: (i) => ({ what: 'Alert', tag: <Tag tone={severityTone(i.severity)}>{humanize(i.severity)}</Tag> }),
  dose_due: (i) => ({
    what: i.controlled ? 'Dose (controlled, needs a witness)' : 'Dose',
    tag: <Tag tone={i.overdue ? 'danger' : 'warning'}>{i.overdue ? 'Dose overdue' : 'Dose due'}</Tag>,
  }),
};

const view = (i: Item): { what: string; tag: ReactNode } =>
  (ITEM_VIEWS[i.kind] as (x: Item) => { what: string; tag: ReactNode })(i);

export function Worklist({ items, loading }: { items: Item[] | undefined; loading: boolean }) {
  return (
    <Section title="My worklist" id="worklist">
      {!items ? (
        loading ? (
          <Empty>Loading your worklist…</Empty>
        ) : null
      ) : items.length === 0 ? (
        <Empty>Nothing due in the next 12 hours for your patients.</Empty>
      ) : (
        <table className="table" aria-labelledby="worklist">
          <thead>
            <tr>
              <th>Due</th>
              <th>Patient</th>
              <th>Room</th>
              <th>What</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => {
              const v = view(i);
              return (
                <tr key={i.id}>
                  <td className="nowrap num">
                    {i.overdue ? <span className="alert-overdue">overdue since {dateTime(i.due_at)}</span> : dateTime(i.due_at)}
                  </td>
                  <td>
                    <a href={href(`/patients/${encodeURIComponent(i.patient_id)}${i.kind === 'dose_due' ? '/mar' : ''}`)}>
                      {i.patient_name}
                    </a>
                  </td>
                  <td>{i.room_name ?? '—'}</td>
                  <td>
                    {v.tag} {v.what}: {i.title}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Section>
  );
}
