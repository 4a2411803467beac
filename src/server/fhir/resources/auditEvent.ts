/**
 * AuditEvent ← audit_events, in the shape of the audit report's FHIR export (IHE BALP, with the §3a
 * labels of what a read returned: src/services/auditExport.ts), read by whom the policy lets read the
 * audit log (the organization's admins and auditors). The log is append-only, so an event's time is
 * also its last update (`_lastUpdated`).
 */
import type { AuditEvent } from '@medplum/fhirtypes';
import type { AuditEvent as AuditRow } from '../../../domain/entities';
import { toFhirAuditEvent } from '../../../services/auditExport';
import { or } from '../../../store/sql';
import type { ResourceMapping, Row } from '../mapping';
import { parsePatientRef } from '../params';
import { dateParam } from '../commonParams';

const SOURCE = 'clinic-workstation central server';

function toAudit(r: AuditRow): AuditEvent {
  const protectedData = !!r.details && r.details.includes('"protected"');
  return { ...(toFhirAuditEvent({ ...r, protected_data: protectedData }, SOURCE) as unknown as AuditEvent), id: r.id };
}

export const auditEventMapping: ResourceMapping = {
  fhirType: 'AuditEvent',
  authz: 'AuditEvent',
  ownerSql: 'SELECT org_id FROM audit_events WHERE id = ?',
  sorts: { date: 'm.at', _lastUpdated: 'm.at' },
  params: {
    date: dateParam('m.at', 'When it happened (recorded)'),
    _lastUpdated: dateParam('m.at', 'As date: an audit event is never changed'),
    entity: {
      type: 'reference',
      documentation: 'The patient it is about (`Patient/ID`)',
      condition: (values) =>
        or(...values.map((v) => ({ sql: 'm.resource = ?', params: [`Patient:${parsePatientRef('entity', v)}`] }))),
    },
  },
  toFhir: async (rows: Row[]) => (rows as unknown as AuditRow[]).map(toAudit),
};
