/** Which view a route shows, and the navigation each capability unlocks. */
import type { ReactNode } from 'react';
import type { SessionInfo } from './store/session';
import { Admin } from './views/Admin';
import { Audit } from './views/Audit';
import { BreakGlass } from './views/BreakGlass';
import { Census } from './views/Census';
import { Chart } from './views/Chart';
import { Day } from './views/Day';
import { Diagnostics } from './views/Diagnostics';
import { NotFound } from './views/NotFound';
import { Organizations } from './views/Organizations';
import { Registration } from './views/Registration';

export const NAV: Array<{ to: string; label: string; capability: string }> = [
  { to: '/census', label: 'Ward census', capability: 'census' },
  { to: '/day', label: 'My day', capability: 'day' },
  { to: '/my-chart', label: 'My chart', capability: 'my_chart' },
  { to: '/registration', label: 'Registration', capability: 'registration' },
  { to: '/break-glass', label: 'Emergency access', capability: 'break_glass' },
  { to: '/admin', label: 'Users & roles', capability: 'admin' },
  { to: '/audit', label: 'Audit log', capability: 'audit' },
  { to: '/organizations', label: 'Organizations', capability: 'organizations' },
  { to: '/diagnostics', label: 'Diagnostics', capability: 'diagnostics' },
];

export function routeFor(path: string[], info: SessionInfo): ReactNode {
  const [head, id] = path;
  const me = info.view_as ?? info.user;
  switch (head) {
    case undefined: return null;
    case 'census': return <Census />;
    case 'patients': return id ? <Chart key={id} patientId={id} /> : <NotFound />;
    case 'my-chart': return me?.patient_id ? <Chart key={me.patient_id} patientId={me.patient_id} /> : <NotFound what="chart" />;
    case 'day': return <Day />;
    case 'registration': return <Registration />;
    case 'break-glass': return <BreakGlass />;
    case 'admin': return <Admin />;
    case 'audit': return <Audit />;
    case 'organizations': return <Organizations />;
    case 'diagnostics': return <Diagnostics />;
    default: return <NotFound />;
  }
}
