/**
 * The audit report as files for a hospital's SIEM (docs/security.md, T6 and I9):
 * - CSV (RFC 4180, one line per event): control, bidirectional and invisible characters are shown as
 *   escapes (\x0a, \u202e), and a cell a spreadsheet would run as a formula — after any leading
 *   whitespace — is prefixed with an apostrophe;
 * - text, one line per event, escaped and neutralised the same way;
 * - FHIR R4: a Bundle of AuditEvents, valid against the R4 definitions (tests check it with Medplum's
 *   validator): instants, codes, ids and strings are made well-formed whatever the log holds. A successful chart read is in the IHE Basic Audit Log Patterns
 *   (BALP) "PatientRead" shape — RESTful read, the user as requesting agent, the source, the patient
 *   entity and the data entity — and every entity that was specially protected (SPEC §3a) carries
 *   its HL7 security label. Other events use the same coding for creates, updates, logins and the rest.
 */
import { printable, withoutFormula } from '../domain/printable';
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

/** A field as report text: escaped, and never a formula. */
const reportText = (v: unknown): string => withoutFormula(printable(v === null || v === undefined ? '' : String(v)));

function csvCell(v: unknown): string {
  const s = reportText(v);
  return /[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The text format: one line per event, two spaces between fields. */
export function toText(rows: ReportRow[]): string {
  return rows
    .map((r) =>
      [
        r.at,
        `${r.actor}${r.on_behalf_of ? ` (as ${r.on_behalf_of})` : ''}`,
        r.action,
        r.resource,
        r.decision,
        ...(r.reason ? [r.reason] : []),
        ...(r.protected_data ? ['[protected data]'] : []),
      ]
        .map(reportText)
        .join('  '),
    )
    .join('\n');
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

/** FHIR `id`: a patient id that is not one (`../../Observation/x`) is named by identifier, never referenced. */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
/** FHIR `instant`, with seconds and a zone. */
const FHIR_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
/** FHIR strings hold no control characters and are never empty; here they are escaped as well. */
const str = (v: string | null | undefined): string | undefined => (v ? printable(v) : undefined);
/** FHIR `code`: no leading, trailing or repeated whitespace (printable text, runs of spaces as one `_`). */
const code = (v: string): string => printable(v).trim().replace(/\s+/g, '_') || 'unknown';

function instant(at: string): { recorded: string; asLogged?: string } {
  if (FHIR_INSTANT.test(at) && !Number.isNaN(Date.parse(at))) return { recorded: at };
  const t = Date.parse(at);
  // Ingestion refuses such times; a workstation's own log written by older software might hold one.
  return Number.isNaN(t)
    ? { recorded: '1970-01-01T00:00:00Z', asLogged: at }
    : { recorded: new Date(t).toISOString(), asLogged: at };
}

export function toFhirAuditEvent(r: ReportRow, source: string): Record<string, unknown> {
  const { type, id } = ref(r.resource);
  const patientId = type === 'Patient' && FHIR_ID.test(id) ? id : null;
  const time = instant(r.at);
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
  const patientRead = ok && interaction === 'read' && patientId !== null;
  const entity: Array<Record<string, unknown>> = [];
  if (patientId) {
    entity.push({
      what: { reference: `Patient/${patientId}` },
      type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
      role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
    });
  }
  // A medication order is FHIR's MedicationRequest: the medicine is the entity of every medicines event.
  const orderId = type === 'MedicationOrder' && FHIR_ID.test(id) ? id : null;
  entity.push({
    ...(patientId
      ? { what: { reference: `Patient/${patientId}` } }
      : orderId
        ? { what: { reference: `MedicationRequest/${orderId}` } }
        : r.resource
          ? { what: { identifier: { value: str(r.resource) } } }
          : {}),
    type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
    role: { system: OBJECT_ROLE, code: '4', display: 'Domain Resource' },
    ...(securityLabel.length ? { securityLabel } : {}),
    ...(p?.sensitivity
      ? {
          detail: Object.entries(p.sensitivity).map(([label, items]) => ({
            type: str(`protected:${label}`),
            valueString: str(items.join(' ')) ?? '-',
          })),
        }
      : {}),
  });
  if (time.asLogged !== undefined)
    entity.push({
      what: { identifier: { value: `AuditEvent:${r.seq}` } },
      detail: [{ type: 'recorded-as-logged', valueString: str(time.asLogged) ?? '-' }],
    });
  const agent: Array<Record<string, unknown>> = [
    {
      type: {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/extra-security-role-type', code: 'humanuser', display: 'human user' },
        ],
      },
      who: r.actor ? { identifier: { value: str(r.actor) } } : { display: 'no actor recorded' },
      requestor: true,
    },
  ];
  // A SMART system client acted through its service user (FHIR reads, searches and writes): the client
  // is a requesting agent too, as an application, named by its registered id (BALP: the client agent).
  const client = details(r).client_id;
  if (typeof client === 'string' && client !== '')
    agent.push({
      type: { coding: [{ system: DCM, code: '110150', display: 'Application' }] },
      who: { identifier: { system: 'urn:clinic-workstation:fhir-client', value: str(client) } },
      requestor: true,
    });
  if (r.on_behalf_of)
    agent.push({
      who: { identifier: { value: str(r.on_behalf_of) } },
      requestor: false,
      role: [{ text: 'on behalf of (impersonated user)' }],
    });
  agent.push({
    type: { coding: [{ system: DCM, code: '110153', display: 'Source Role ID' }] },
    who: { display: str(r.origin?.split('#')[0]) ?? source },
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
        : [{ system: 'urn:clinic-workstation:action', code: code(r.action) }],
    action,
    recorded: time.recorded,
    outcome,
    ...(ok ? {} : { outcomeDesc: str(`${r.decision}${r.reason ? `: ${r.reason}` : ''}`) }),
    agent,
    source: {
      site: str(r.org_id),
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
    // No `total`: FHIR allows it only on search and history bundles (bdl-1).
    entry: rows.map((r) => ({ fullUrl: `urn:uuid:${uuidOf(r)}`, resource: toFhirAuditEvent(r, source) })),
  };
}

/** A stable UUID-shaped id from the event's hash (the same event always gets the same URL). */
const uuidOf = (r: ReportRow): string => {
  const h = r.hash.padEnd(32, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${'89ab'[parseInt(h[16]!, 16) % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
