/**
 * Which views the navigation offers. A hint for drawing the UI only: every request is still decided
 * by the policy in main. Derived from the policy where the SPEC has an action for it.
 */
import type { Principal } from '../../src/authz/engine';
import { ROOT_ORG_ID } from '../../src/domain/roles';
import type { Workstation } from '../workstation';

export async function capabilitiesFor(ws: Workstation, p: Principal): Promise<string[]> {
  const { actor } = await ws.engine.resolve(p);
  const now = actor.now;
  const active = actor.assignments.filter(
    (a) => (a.valid_from === null || a.valid_from <= now) && (a.valid_until === null || now < a.valid_until),
  );
  const roles = new Set(active.map((a) => a.role));
  const caps = new Set<string>(['diagnostics']);
  if (actor.patient_id) caps.add('my_chart');
  if (active.length > 0) caps.add('census');
  if (roles.has('physician') || roles.has('nurse')) {
    caps.add('day');
    caps.add('break_glass');
  }
  // A nurse's "My day" is her ward worklist (sets due, alerts due, handover notes to write).
  if (roles.has('nurse')) caps.add('ward_worklist');
  if (roles.has('registration_clerk') || roles.has('admin')) caps.add('registration');
  if (actor.org_id !== ROOT_ORG_ID) {
    if ((await ws.engine.decideAs(actor, 'create_user', { type: 'Organization', id: actor.org_id })) === 'allow')
      caps.add('admin');
    const auditable = await ws.engine.listAs(actor, 'read', 'AuditEvent', {
      columns: 'm.seq',
      where: 'm.org_id = ?',
      params: [actor.org_id],
      limit: 1,
    });
    if (auditable.length > 0 || roles.has('auditor') || caps.has('admin')) caps.add('audit');
  }
  if ((await ws.engine.decideAs(actor, 'create_organization', { type: 'Organization', id: ROOT_ORG_ID })) === 'allow')
    caps.add('organizations');
  return [...caps].sort();
}
