/**
 * The audit report as files for a hospital's SIEM (docs/security.md, T6):
 * - CSV (RFC 4180; a cell that a spreadsheet would run as a formula is prefixed with an apostrophe);
 * - FHIR R4: a Bundle of AuditEvents. A successful chart read is in the IHE Basic Audit Log Patterns
 *   (BALP) "PatientRead" shape — RESTful read, the user as requesting agent, the source, the patient
 *   entity and the data entity — and every entity that was specially protected (SPEC §3a) carries
 *   its HL7 security label. Other events use the same coding for creates, updates, logins and the rest.
 */
import type { ReportRow } from './queries/auditReport';

export const CSV_COLUMNS = [
  'seq',
  'at',
  'actor',
  'on_behalf_of',
  'action',
  'resource',
  'decision',
  'reason',
  'org_id',
  'origin',
  'protected_data',
  'details',
  'hash',
] as const;

function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: ReportRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) lines.push(CSV_COLUMNS.map((c) => csvCell((r as unknown as Record<string, unknown>)[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

const BALP = 'https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit';
const EVENT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const RESTFUL = 'http://hl7.org/fhir/restful-interaction';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const SOURCE_TYPE = 'http://terminology.hl7.org/CodeSystem/security-source-type';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';

/** SPEC §3a labels as HL7 sensitivity codes. */
const LABEL_CODE: Record<string, string> = {
  psychiatry: 'PSY',
  hiv: 'HIV',
  substance_use: 'ETH',
  sexual_health: 'STD',
  genetic: 'GDIS',
};

const CREATE = new Set([
  'register_patient',
  'schedule_appointment',
  'create_record',
  'amend',
  'record_observation',
  'create_user',
  'create_organization',
  'assign_role',
  'break_glass',
  'create_enrollment_code',
  'prescribe_medication',
  'give_medication',
  'hold_medication',
  'refuse_medication',
  'not_give_medication',
]);
const UPDATE = new Set([
  'update_patient',
  'discharge',
  'final_discharge',
  'cancel',
  'reschedule',
  'start',
  'complete',
  'acknowledge',
  'reschedule_alert',
  'update_badge',
  'reset_lockout',
  'stop_medication',
  'set_spo2_scale',
]);
const DELETE = new Set(['revoke_role', 'revoke_workstation', 'revoke_enrollment_code']);

interface Protected {
  restricted_patient?: boolean;
  sensitivity?: Record<string, string[]>;
}

function details(r: ReportRow): { protected?: Protected } & Record<string, unknown> {
  try {
    return r.details ? (JSON.parse(r.details) as { protected?: Protected }) : {};
  } catch {
    return {};
  }
}

const ref = (resource: string): { type: string; id: string } => {
  const at = resource.indexOf(':');
  return at < 0 ? { type: resource, id: '' } : { type: resource.slice(0, at), id: resource.slice(at + 1) };
};

export function toFhirAuditEvent(r: ReportRow, source: string): Record<string, unknown> {
  const { type, id } = ref(r.resource);
  const ok = r.decision === 'allow';
  const outcome = ok ? '0' : r.decision === 'error' ? '8' : '4';
  const isSignIn = r.action.startsWith('sign_in_');
  const interaction =
    r.action === 'read' || r.action === 'census' || r.action.startsWith('read_')
      ? 'read'
      : CREATE.has(r.action)
        ? 'create'
        : UPDATE.has(r.action)
          ? 'update'
          : DELETE.has(r.action)
            ? 'delete'
            : null;
  const action = isSignIn
    ? 'E'
    : interaction === 'read'
      ? 'R'
      : interaction === 'create'
        ? 'C'
        : interaction === 'update'
          ? 'U'
          : interaction === 'delete'
            ? 'D'
            : 'E';
  const p = details(r).protected;
  const securityLabel = [
    ...(p?.restricted_patient ? [{ system: CONFIDENTIALITY, code: 'R', display: 'restricted' }] : []),
    ...Object.keys(p?.sensitivity ?? {})
      .filter((l) => LABEL_CODE[l])
      .map((l) => ({ system: ACT_CODE, code: LABEL_CODE[l]! })),
  ];
  const patientRead = ok && interaction === 'read' && type === 'Patient';
  const entity: Array<Record<string, unknown>> = [];
  if (type === 'Patient' && id) {
    entity.push({
      what: { reference: `Patient/${id}` },
      type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
      role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
    });
  }
  // A medication order is FHIR's MedicationRequest: the medicine is the entity of every medicines event.
  const what =
    type === 'Patient' && id
      ? { reference: `Patient/${id}` }
      : type === 'MedicationOrder' && id
        ? { reference: `MedicationRequest/${id}` }
        : { identifier: { value: r.resource } };
  entity.push({
    what,
    type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
    role: { system: OBJECT_ROLE, code: '4', display: 'Domain Resource' },
    ...(securityLabel.length ? { securityLabel } : {}),
    ...(p?.sensitivity
      ? {
          detail: Object.entries(p.sensitivity).map(([label, items]) => ({
            type: `protected:${label}`,
            valueString: items.join(' '),
          })),
        }
      : {}),
  });
  const agent: Array<Record<string, unknown>> = [
    {
      type: {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/extra-security-role-type', code: 'humanuser', display: 'human user' },
        ],
      },
      who: { identifier: { value: r.actor } },
      requestor: true,
    },
  ];
  if (r.on_behalf_of)
    agent.push({
      who: { identifier: { value: r.on_behalf_of } },
      requestor: false,
      role: [{ text: 'on behalf of (impersonated user)' }],
    });
  agent.push({
    type: { coding: [{ system: DCM, code: '110153', display: 'Source Role ID' }] },
    who: { display: r.origin ? r.origin.split('#')[0] : source },
    requestor: false,
  });
  return {
    resourceType: 'AuditEvent',
    id: `ae-${r.seq}`,
    ...(patientRead
      ? { meta: { profile: [`${BALP}.PatientRead`] } }
      : interaction && ok && !isSignIn
        ? {
            meta: {
              profile: [
                `${BALP}.${interaction === 'create' ? 'Create' : interaction === 'update' ? 'Update' : interaction === 'delete' ? 'Delete' : 'Read'}`,
              ],
            },
          }
        : {}),
    type: isSignIn
      ? { system: DCM, code: '110114', display: 'User Authentication' }
      : { system: EVENT_TYPE, code: 'rest', display: 'RESTful Operation' },
    subtype: isSignIn
      ? [{ system: DCM, code: '110122', display: 'Login' }]
      : interaction
        ? [{ system: RESTFUL, code: interaction }]
        : [{ system: 'urn:clinic-workstation:action', code: r.action }],
    action,
    recorded: r.at,
    outcome,
    ...(ok ? {} : { outcomeDesc: `${r.decision}${r.reason ? `: ${r.reason}` : ''}` }),
    agent,
    source: {
      site: r.org_id ?? undefined,
      observer: { display: source },
      type: [{ system: SOURCE_TYPE, code: '4', display: 'Application Server' }],
    },
    entity,
  };
}

export function toFhirBundle(rows: ReportRow[], source: string, generatedAt: string): Record<string, unknown> {
  return {
    resourceType: 'Bundle',
    type: 'collection',
    timestamp: generatedAt,
    total: rows.length,
    entry: rows.map((r) => ({ fullUrl: `urn:uuid:${uuidOf(r)}`, resource: toFhirAuditEvent(r, source) })),
  };
}

/** A stable UUID-shaped id from the event's hash (the same event always gets the same URL). */
const uuidOf = (r: ReportRow): string => {
  const h = r.hash.padEnd(32, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${'89ab'[parseInt(h[16]!, 16) % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
