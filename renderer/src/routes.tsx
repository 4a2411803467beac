/**
 * Which view a route shows, and who it is for. Every route names the capability (computed from the
 * policy in main) it needs: a user typing a route that is not theirs (`#/admin` as a nurse) is told
 * plainly that the view is not for them, and no part of it is rendered — main still decides every request.
 */
import type { ReactNode } from 'react';
import type { SessionInfo } from './store/session';
import { Admin } from './views/Admin';
import { Audit } from './views/Audit';
import { BreakGlass } from './views/BreakGlass';
import { Census } from './views/Census';
import { Chart } from './views/Chart';
import { Day } from './views/Day';
import { DosesDue } from './views/mar/DosesDue';
import { Mar } from './views/mar/Mar';
import { Diagnostics } from './views/Diagnostics';
import { Handover } from './views/Handover';
import { NotForYou, NotFound } from './views/NotFound';
import { Organizations } from './views/Organizations';
import { Registration } from './views/Registration';

interface RouteSpec {
  label: string;
  capability: string;
  forWhom: string;
  nav: boolean;
}

/** In navigation order; the first one a user may use is their home view. */
export const ROUTES: Record<string, RouteSpec> = {
  census: {
    label: 'Ward census',
    capability: 'census',
    forWhom: 'staff with a role on a ward, in a facility or in the organization',
    nav: true,
  },
  day: { label: 'My day', capability: 'day', forWhom: 'physicians and nurses', nav: true },
  handover: { label: 'Handover', capability: 'day', forWhom: 'physicians and nurses', nav: true },
  doses: { label: 'Doses due', capability: 'day', forWhom: 'physicians and nurses', nav: true },
  'my-chart': { label: 'My chart', capability: 'my_chart', forWhom: 'patients with an account of their own', nav: true },
  registration: {
    label: 'Registration',
    capability: 'registration',
    forWhom: 'registration clerks and administrators',
    nav: true,
  },
  'break-glass': { label: 'Emergency access', capability: 'break_glass', forWhom: 'physicians and nurses', nav: true },
  admin: { label: 'Users & roles', capability: 'admin', forWhom: 'administrators of the organization', nav: true },
  audit: { label: 'Audit log', capability: 'audit', forWhom: 'administrators and auditors of the organization', nav: true },
  organizations: { label: 'Organizations', capability: 'organizations', forWhom: 'root, the global administrator', nav: true },
  diagnostics: { label: 'Diagnostics', capability: 'diagnostics', forWhom: 'everyone at this workstation', nav: true },
};

export const NAV = Object.entries(ROUTES)
  .filter(([, r]) => r.nav)
  .map(([path, r]) => ({ to: `/${path}`, label: r.label, capability: r.capability }));

/** The first view of the navigation this session may use: where a user starts, and lands after a switch. */
export function homeFor(info: SessionInfo): string | null {
  const caps = new Set(info.capabilities);
  return (
    NAV.find((n) => caps.has(n.capability) && n.capability !== 'diagnostics')?.to ??
    NAV.find((n) => caps.has(n.capability))?.to ??
    null
  );
}

export function routeFor(path: string[], info: SessionInfo): ReactNode {
  const [head, id] = path;
  if (head === undefined) return null;
  const me = info.view_as ?? info.user;
  // A chart link is for anyone signed in: the chart itself answers "not found" when the patient is not theirs.
  if (head === 'patients' && id && path[2] === 'mar') return <Mar key={id} patientId={id} />;
  if (head === 'patients') return id ? <Chart key={id} patientId={id} /> : <NotFound />;
  const spec = ROUTES[head];
  if (!spec) return <NotFound />;
  if (!info.capabilities.includes(spec.capability)) return <NotForYou view={spec.label} forWhom={spec.forWhom} />;
  switch (head) {
    case 'census':
      return <Census />;
    case 'my-chart':
      return me?.patient_id ? <Chart key={me.patient_id} patientId={me.patient_id} /> : <NotFound what="chart" />;
    case 'day':
      return <Day />;
    case 'handover':
      return <Handover />;
    case 'doses':
      return <DosesDue />;
    case 'registration':
      return <Registration />;
    case 'break-glass':
      return <BreakGlass />;
    case 'admin':
      return <Admin />;
    case 'audit':
      return <Audit />;
    case 'organizations':
      return <Organizations />;
    case 'diagnostics':
      return <Diagnostics />;
    default:
      return <NotFound />;
  }
}
