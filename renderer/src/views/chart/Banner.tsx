/**
 * The patient banner, on every chart view and kept in sight while scrolling: who the patient is (name,
 * age, birth date, MRN), where, their status, open alerts, and the markers this user may see — emergency
 * access, a restricted patient — and the allergies, always (SPEC §3b: never behind a click). Sensitivity labels are never here (SPEC §3a "Never reveal": the banner is
 * what a passer-by reads on a shared ward screen); they sit on the labelled items and in the privacy
 * section. Nothing here says that anything is hidden.
 */
import type { ReactNode } from 'react';
import { Tag, severityTone } from '../../components/ui';
import { ageText, calendarDate, dateTime, humanize } from '../../format';
import { patientStatusTone } from './clinical';
import { BannerAllergies } from './Allergies';
import { alertIsOpen, type ChartData } from './types';

const SEVERITY_ORDER = ['low', 'medium', 'high', 'critical'];

export function PatientBanner({ data, now, actions }: { data: ChartData; now: Date; actions: ReactNode }) {
  const p = data.patient;
  const location = [p.room_name ? `Room ${p.room_name}` : null, p.ward_name, p.facility_name].filter(Boolean).join(' · ');
  const open = data.alerts.filter(alertIsOpen);
  const worst = open.reduce((w, a) => (SEVERITY_ORDER.indexOf(a.severity) > SEVERITY_ORDER.indexOf(w) ? a.severity : w), 'low');
  const criticalOpen = data.readable.alerts ? open.filter((a) => a.severity === 'critical') : [];
  const overdue = open.filter((a) => Date.parse(a.due_at) < now.getTime()).length;
  // Markers the data carries for this user (SPEC §3a fields, when the server sends them).
  const restricted = (p as { restricted?: boolean | null }).restricted === true;
  return (
    <section className="patient-banner" aria-label="Patient banner">
      <div className="patient-banner-main">
        <div className="patient-head">
          <h1 className="name">{p.name}</h1>
          <Tag tone={patientStatusTone(p.status)}>{humanize(p.status)}</Tag>
          {data.access === 'break_glass' ? (
            <Tag tone="danger">
              Emergency access{data.break_glass_expires_at ? ` until ${dateTime(data.break_glass_expires_at)}` : ''}
            </Tag>
          ) : null}
          {restricted ? <Tag tone="warning">Restricted</Tag> : null}
        </div>
        <dl className="chart-meta">
          <div>
            <dt>Age</dt>
            <dd>
              {ageText(p.birth_date, now)} · born {calendarDate(p.birth_date)}
            </dd>
          </div>
          <div>
            <dt>MRN</dt>
            <dd className="num">{p.mrn}</dd>
          </div>
          <div>
            <dt>Location</dt>
            <dd>{location || (p.status === 'outpatient' ? 'Outpatient (no room)' : 'No room')}</dd>
          </div>
          <BannerAllergies allergies={data.allergies} />
          {data.readable.alerts ? (
            <div>
              <dt>Open alerts</dt>
              <dd>
                {open.length === 0 ? (
                  'None'
                ) : (
                  <>
                    <Tag tone={severityTone(worst)}>{open.length} open</Tag>
                    {overdue ? <span className="alert-overdue"> {overdue} overdue</span> : null}
                  </>
                )}
              </dd>
            </div>
          ) : null}
        </dl>
      </div>
      <div className="page-actions">{actions}</div>
      {criticalOpen.length ? (
        // Critical alerts are impossible to miss (issue 18): their own band, in the critical red, with what to do.
        <div className="banner-critical" role="alert">
          {criticalOpen.map((a) => (
            <div key={a.id}>
              <strong>Critical:</strong> {a.message}
              {Date.parse(a.due_at) < now.getTime() ? ' · overdue' : ''}
            </div>
          ))}
        </div>
      ) : null}
    </section>
  );
}
